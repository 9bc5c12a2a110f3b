// SPDX-License-Identifier: Apache-2.0
/*
 * virtio://NAME and virtio:///path: a QEMU virtio-serial port.
 *
 * Guest side (connect): NAME is the port's name (-device
 * virtserialport,name=NAME), found at /dev/virtio-ports/NAME or through
 * /sys/class/virtio-ports/vportNpM/name; an absolute path names the char
 * device itself (/dev/vport0p1). The port is opened once, O_RDWR, and kept
 * open for the life of the stream. An absolute path that is a UNIX socket
 * is connected to instead: that is QEMU's chardev seen from the host
 * (server=on) and what the host-side tests use.
 *
 * Host side (listen): virtio:///path.sock listens on a UNIX socket that
 * QEMU's "-chardev socket,path=...,reconnect=1" connects to. Streams
 * accepted there are marked as virtio-serial channels (scheme "virtio"),
 * so that the agent resynchronises them instead of closing them.
 *
 * The host end of a port is one byte stream for the VM's lifetime: it sees
 * no open or close when guest processes come and go, a process killed in
 * the middle of a frame leaves half a frame in it, and a reply nobody read
 * is delivered to the next process that opens the port. So every connect
 * first resynchronises the channel (docs/protocol.md, "virtio-serial
 * channels"): it sends a SYNC marker with a fresh nonce and discards
 * everything it receives until the agent's ACK with that nonce. If no ACK
 * comes, the agent is probably waiting for the rest of a torn frame; zero
 * filler of growing size completes it, and the marker is sent again.
 */
#include "transport.h"

#include "vaccel.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#define SYSFS_PORTS "/sys/class/virtio-ports"
#define DEV_PORTS "/dev/virtio-ports"

/* Polling interval while the host side of a port is not connected: the
 * port then reports POLLHUP at once, so poll() cannot wait for us. */
#define HOST_WAIT_MS 10

/* Resync schedule: filler bytes sent before each SYNC marker, and how long
 * to wait for its ACK. The filler must eventually exceed any body the
 * agent may still be waiting for (at most RPC_FRAME_HARD_MAX, 64 MiB). */
static const size_t sync_filler[] = { 0, 64u << 10, 1u << 20, 5u << 20,
				      65u << 20 };
static const int sync_wait_ms[] = { 2000, 2000, 3000, 5000, 30000 };
#define SYNC_STEPS (sizeof(sync_filler) / sizeof(sync_filler[0]))

static const struct vaccel_transport_ops virtio_sock_ops;

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void sleep_ms(int ms)
{
	struct timespec ts = { 0, (long)ms * 1000000L };

	nanosleep(&ts, NULL);
}

void vaccel__virtio_sync_marker(uint8_t out[VACCEL_VIRTIO_SYNC_LEN],
				const char *tag, uint64_t nonce)
{
	memset(out, 0xff, 16);
	memcpy(out + 16, tag, 8);
	for (int i = 0; i < 8; i++)
		out[24 + i] = (uint8_t)(nonce >> (8 * i));
}

/* Finds the device of port `name` through sysfs, as udev would. */
static int find_port_by_name(const char *name, const char *text, char *dev,
			     size_t size)
{
	DIR *d = opendir(SYSFS_PORTS);
	struct dirent *e;
	int ret = VACCEL_ENOENT;

	if (!d) {
		vaccel_error("connect %s: no %s (is virtio_console loaded?)",
			     text, SYSFS_PORTS);
		return VACCEL_ENODEV;
	}
	while ((e = readdir(d))) {
		char path[512], buf[256];
		FILE *f;

		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), SYSFS_PORTS "/%s/name", e->d_name);
		f = fopen(path, "re");
		if (!f)
			continue;
		if (fgets(buf, sizeof(buf), f)) {
			buf[strcspn(buf, "\n")] = '\0';
			if (!strcmp(buf, name) &&
			    (size_t)snprintf(dev, size, "/dev/%s", e->d_name) <
				    size)
				ret = VACCEL_OK;
		}
		fclose(f);
		if (ret == VACCEL_OK)
			break;
	}
	closedir(d);
	if (ret)
		vaccel_error("connect %s: no virtio-serial port named '%s' in %s",
			     text, name, SYSFS_PORTS);
	return ret;
}

static int resolve(const struct vaccel_addr *addr, char *dev, size_t size)
{
	if (addr->path[0] == '/') {
		snprintf(dev, size, "%s", addr->path);
		return VACCEL_OK;
	}
	if (strchr(addr->path, '/')) {
		vaccel_error("connect %s: a port name has no '/' (give /dev/... for a path)",
			     addr->text);
		return VACCEL_EINVAL;
	}
	snprintf(dev, size, DEV_PORTS "/%s", addr->path);
	if (access(dev, F_OK) == 0)
		return VACCEL_OK;
	return find_port_by_name(addr->path, addr->text, dev, size);
}

/* Waits until fd is ready for `events` or the deadline passes. A port
 * whose host side is disconnected reports POLLHUP at once; during the
 * resync that means "not yet", so it is retried until the deadline. */
static int wait_fd(int fd, short events, long long deadline)
{
	for (;;) {
		struct pollfd p = { .fd = fd, .events = events };
		long long left = deadline - now_ms();
		int n;

		if (left <= 0)
			return VACCEL_EAGAIN;
		n = poll(&p, 1, (int)left);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return VACCEL_EIO;
		if (n == 0)
			return VACCEL_EAGAIN;
		if (p.revents & events)
			return VACCEL_OK;
		if (p.revents & (POLLERR | POLLNVAL))
			return VACCEL_EIO;
		sleep_ms(HOST_WAIT_MS);
	}
}

/* Writes n bytes (buf NULL: zeros) before the deadline. */
static int sync_write(struct vaccel_stream *s, const void *buf, size_t n,
		      long long deadline)
{
	static const uint8_t zeros[64 << 10];

	while (n) {
		size_t chunk = buf ? n : (n < sizeof(zeros) ? n : sizeof(zeros));
		struct iovec iov = { (void *)(buf ? buf : zeros), chunk };
		ssize_t w = s->ops->writev(s, &iov, 1);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0 && errno != EAGAIN)
			return VACCEL_EIO;
		if (w < 0) {
			int ret = wait_fd(s->fd, POLLOUT, deadline);

			if (ret)
				return ret;
			continue;
		}
		n -= (size_t)w;
		if (buf)
			buf = (const uint8_t *)buf + w;
	}
	return VACCEL_OK;
}

/*
 * Reads and discards until the ACK for `nonce`. Only the 16 bytes of the
 * ACK's tag and nonce are matched, carrying the last 15 bytes of each read
 * over to the next, so that an ACK split across reads is found.
 */
static int await_ack(struct vaccel_stream *s, uint64_t nonce,
		     long long deadline, size_t *skipped)
{
	uint8_t want[VACCEL_VIRTIO_SYNC_LEN];
	uint8_t buf[4096 + 16];
	size_t have = 0;

	vaccel__virtio_sync_marker(want, VACCEL_VIRTIO_ACK_TAG, nonce);
	for (;;) {
		struct iovec iov = { buf + have, sizeof(buf) - have };
		ssize_t n;
		int ret;

		/* Polled first so that a silent peer cannot outlast the
		 * deadline, socket or char device alike. */
		ret = wait_fd(s->fd, POLLIN, deadline);
		if (ret)
			return ret;
		n = s->ops->readv(s, &iov, 1);
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n < 0)
			return VACCEL_EIO;
		if (n == 0) {
			/* On a char device: the host side is not connected
			 * yet (QEMU reconnecting); on a socket: closed. */
			if (s->ops == &virtio_sock_ops) {
				errno = ECONNRESET;
				return VACCEL_EIO;
			}
			sleep_ms(HOST_WAIT_MS);
			continue;
		}
		have += (size_t)n;
		for (size_t i = 0; i + 16 <= have; i++) {
			if (memcmp(buf + i, want + 16, 16))
				continue;
			*skipped += i;
			/* Nothing follows an ACK until we send a request. */
			return VACCEL_OK;
		}
		if (have > 15) {
			*skipped += have - 15;
			memmove(buf, buf + have - 15, 15);
			have = 15;
		}
	}
}

static int sync_channel(struct vaccel_stream *s, const char *text)
{
	uint8_t marker[VACCEL_VIRTIO_SYNC_LEN];
	uint64_t nonce;
	size_t skipped = 0;

	if (getrandom(&nonce, sizeof(nonce), 0) != sizeof(nonce))
		nonce = (uint64_t)now_ms() * 2654435761u ^ (uint64_t)getpid();
	for (size_t i = 0; i < SYNC_STEPS; i++) {
		long long deadline = now_ms() + sync_wait_ms[i];
		int ret;

		if (sync_filler[i]) {
			vaccel_info("virtio %s: no SYNC answer within %d ms; sending %zu filler bytes to complete a torn frame",
				    text, sync_wait_ms[i - 1], sync_filler[i]);
			ret = sync_write(s, NULL, sync_filler[i], deadline);
			if (ret == VACCEL_EAGAIN)
				continue;
			if (ret)
				goto io_error;
		}
		vaccel__virtio_sync_marker(marker, VACCEL_VIRTIO_SYNC_TAG,
					   nonce + i);
		ret = sync_write(s, marker, sizeof(marker), deadline);
		if (ret == VACCEL_OK)
			ret = await_ack(s, nonce + i, deadline, &skipped);
		if (ret == VACCEL_OK) {
			if (skipped)
				vaccel_info("virtio %s: skipped %zu stale bytes before the agent's SYNC answer",
					    text, skipped);
			return VACCEL_OK;
		}
		if (ret != VACCEL_EAGAIN)
			goto io_error;
	}
	vaccel_error("virtio %s: the host side never answered the channel SYNC (is the agent listening on QEMU's chardev socket?)",
		     text);
	return VACCEL_EIO;
io_error:
	vaccel_error("virtio %s: channel SYNC failed: %s", text,
		     strerror(errno));
	return VACCEL_EIO;
}

static int virtio_connect(const struct vaccel_addr *addr,
			  struct vaccel_stream *s)
{
	char dev[512];
	struct stat st;
	int ret, fd;

	ret = resolve(addr, dev, sizeof(dev));
	if (ret)
		return ret;
	if (stat(dev, &st)) {
		vaccel_error("connect %s: %s: %s", addr->text, dev,
			     strerror(errno));
		return errno == ENOENT ? VACCEL_ENOENT : VACCEL_EIO;
	}
	if (S_ISSOCK(st.st_mode)) {
		ret = vaccel__unix_connect_path(dev, false, addr->text, &fd);
		if (ret)
			return ret;
		s->ops = &virtio_sock_ops;
	} else if (S_ISCHR(st.st_mode)) {
		/* Non-blocking, so that the resync can give up on a host side
		 * that never connects; later I/O waits with poll(). */
		fd = open(dev, O_RDWR | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
		if (fd < 0) {
			int err = errno;

			if (err == EBUSY)
				vaccel_error("connect %s: %s is open in another process (a port has one user at a time)",
					     addr->text, dev);
			else
				vaccel_error("connect %s: open %s: %s",
					     addr->text, dev, strerror(err));
			return err == EBUSY ? VACCEL_EBUSY :
			       err == ENOENT ? VACCEL_ENOENT :
			       err == EACCES ? VACCEL_EACCES :
					       VACCEL_EIO;
		}
		s->ops = &vaccel__transport_virtio;
	} else {
		vaccel_error("connect %s: %s is neither a char device nor a socket",
			     addr->text, dev);
		return VACCEL_EINVAL;
	}
	s->fd = fd;
	ret = sync_channel(s, addr->text);
	if (ret) {
		vaccel__stream_close(s);
		s->ops = NULL;
	}
	return ret;
}

static int virtio_listen(const struct vaccel_addr *addr,
			 struct vaccel_listener *l)
{
	int ret;

	if (addr->path[0] != '/') {
		vaccel_error("listen %s: the host side of a virtio-serial port is the UNIX socket of QEMU's chardev: give its absolute path",
			     addr->text);
		return VACCEL_EINVAL;
	}
	ret = vaccel__unix_listen_path(addr->path, false, addr->text, &l->fd);
	if (ret == VACCEL_OK)
		snprintf(l->unlink_path, sizeof(l->unlink_path), "%s",
			 addr->path);
	return ret;
}

static int virtio_accept(struct vaccel_listener *l, struct vaccel_stream *s)
{
	int ret = vaccel__fd_accept(l, s);

	if (ret == VACCEL_OK)
		s->ops = &virtio_sock_ops;
	return ret;
}

/* Char device I/O: the fd is non-blocking, so EAGAIN waits in poll().
 * POLLHUP without data means QEMU's host side went away: the agent lost
 * this client's state, so it is reported as the end of the stream. */
static ssize_t dev_readv(struct vaccel_stream *s, const struct iovec *iov,
			 int iovcnt)
{
	for (;;) {
		struct pollfd p = { .fd = s->fd, .events = POLLIN };
		ssize_t n = readv(s->fd, iov, iovcnt);

		if (n >= 0 || errno != EAGAIN)
			return n;
		if (poll(&p, 1, -1) < 0 && errno != EINTR)
			return -1;
	}
}

static ssize_t dev_writev(struct vaccel_stream *s, const struct iovec *iov,
			  int iovcnt)
{
	for (;;) {
		struct pollfd p = { .fd = s->fd, .events = POLLOUT };
		ssize_t n = writev(s->fd, iov, iovcnt);

		if (n >= 0 || errno != EAGAIN)
			return n;
		if (poll(&p, 1, -1) < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (!(p.revents & POLLOUT) && (p.revents & POLLHUP)) {
			errno = EPIPE;
			return -1;
		}
	}
}

const struct vaccel_transport_ops vaccel__transport_virtio = {
	.scheme = "virtio",
	.connect = virtio_connect,
	.listen = virtio_listen,
	.accept = virtio_accept,
	.readv = dev_readv,
	.writev = dev_writev,
	.shutdown = NULL,
	.close = vaccel__fd_close,
};

/* The same channel seen through a UNIX socket (host side, tests). */
static const struct vaccel_transport_ops virtio_sock_ops = {
	.scheme = "virtio",
	.connect = virtio_connect,
	.listen = NULL,
	.accept = NULL,
	.readv = vaccel__fd_readv,
	.writev = vaccel__fd_writev,
	.shutdown = vaccel__fd_shutdown,
	.close = vaccel__fd_close,
};
