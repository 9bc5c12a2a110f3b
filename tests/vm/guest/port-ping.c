/* SPDX-License-Identifier: Apache-2.0 */
/*
 * port-ping: the guest half of the virtio-serial smoke test.
 *
 *   port-ping DEVICE MESSAGE EXPECTED [TIMEOUT_S]
 *
 * Opens DEVICE (a /dev/vport*p* node or its /dev/virtio-ports/<name> link),
 * writes MESSAGE plus a newline, then waits for one line back and compares it
 * with EXPECTED. Exits 0 on a match, 1 on any failure, with one line on
 * stderr saying which step failed. It is linked statically so that it runs in
 * the guest without any shared library.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define LINE_MAX_BYTES 4096

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int write_all(int fd, const char *buf, size_t len, const char *dev)
{
	while (len > 0) {
		ssize_t n = write(fd, buf, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			fprintf(stderr, "port-ping: write %zu bytes to %s: %s\n",
				len, dev, strerror(errno));
			return -1;
		}
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

/*
 * Reads bytes until a newline, the buffer is full or the deadline passes.
 * The port is read with poll() so that a silent host cannot hang the guest.
 */
static int read_line(int fd, char *buf, size_t size, int timeout_s,
		     const char *dev)
{
	long long deadline = now_ms() + (long long)timeout_s * 1000;
	size_t len = 0;

	while (len + 1 < size) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		long long left = deadline - now_ms();
		ssize_t n;
		int ret;

		if (left <= 0) {
			fprintf(stderr, "port-ping: no reply on %s within %d s "
				"(%zu bytes so far)\n", dev, timeout_s, len);
			return -1;
		}
		ret = poll(&pfd, 1, (int)left);
		if (ret < 0 && errno == EINTR)
			continue;
		if (ret < 0) {
			fprintf(stderr, "port-ping: poll %s: %s\n", dev,
				strerror(errno));
			return -1;
		}
		if (ret == 0)
			continue;
		n = read(fd, buf + len, 1);
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n < 0) {
			fprintf(stderr, "port-ping: read %s: %s\n", dev,
				strerror(errno));
			return -1;
		}
		/*
		 * A virtio-serial port reads 0 while the host side is not
		 * connected; wait for it instead of treating it as the end.
		 */
		if (n == 0) {
			usleep(10000);
			continue;
		}
		if (buf[len] == '\n') {
			buf[len] = '\0';
			return 0;
		}
		len++;
	}
	fprintf(stderr, "port-ping: reply on %s longer than %zu bytes\n", dev,
		size - 1);
	return -1;
}

int main(int argc, char **argv)
{
	char reply[LINE_MAX_BYTES];
	const char *dev, *msg, *expected;
	int timeout_s = 10;
	int fd, ret = 1;

	if (argc < 4 || argc > 5) {
		fprintf(stderr, "usage: port-ping DEVICE MESSAGE EXPECTED "
			"[TIMEOUT_S]\n");
		return 2;
	}
	dev = argv[1];
	msg = argv[2];
	expected = argv[3];
	if (argc == 5)
		timeout_s = atoi(argv[4]);
	if (timeout_s <= 0) {
		fprintf(stderr, "port-ping: bad timeout '%s'\n", argv[4]);
		return 2;
	}

	/*
	 * The port stays open for the whole exchange: closing the guest side
	 * of a virtio-serial port discards whatever the host had queued.
	 */
	fd = open(dev, O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		fprintf(stderr, "port-ping: open %s: %s\n", dev,
			strerror(errno));
		return 1;
	}
	if (write_all(fd, msg, strlen(msg), dev) < 0 ||
	    write_all(fd, "\n", 1, dev) < 0)
		goto out_close;
	if (read_line(fd, reply, sizeof(reply), timeout_s, dev) < 0)
		goto out_close;
	if (strcmp(reply, expected) != 0) {
		fprintf(stderr, "port-ping: %s replied '%s', expected '%s'\n",
			dev, reply, expected);
		goto out_close;
	}
	printf("port-ping: %s: sent '%s', got '%s'\n", dev, msg, reply);
	ret = 0;
out_close:
	close(fd);
	return ret;
}
