/* SPDX-License-Identifier: Apache-2.0 */
/*
 * port-abuse: a misbehaving guest process for the virtio-serial resync
 * tests. It opens the port, writes, and exits without reading anything.
 *
 *   port-abuse DEVICE garbage BYTES   pseudo-random bytes
 *   port-abuse DEVICE zeros BYTES     zero bytes (a flood)
 *   port-abuse DEVICE torn            a SYNC marker, a HELLO, then the
 *                                     header of a 40000-byte OP and only
 *                                     3000 bytes of its body: the agent is
 *                                     left waiting inside a torn frame
 *
 * Linked statically like the other guest helpers. Exits 0 when everything
 * was written, 1 with a line on stderr otherwise.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int write_all(int fd, const uint8_t *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0) {
			fprintf(stderr, "port-abuse: write: %s\n", strerror(errno));
			return -1;
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

static void put_le(uint8_t *p, uint64_t v, int n)
{
	for (int i = 0; i < n; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

/* A 16-byte frame header: length, type, flags 0, req_id. */
static void hdr(uint8_t *p, uint32_t len, uint16_t type, uint64_t id)
{
	put_le(p, len, 4);
	put_le(p + 4, type, 2);
	put_le(p + 6, 0, 2);
	put_le(p + 8, id, 8);
}

static int torn(int fd)
{
	static uint8_t body[3000];
	uint8_t msg[32 + 32 + 16];

	/* SYNC marker (docs/protocol.md, virtio-serial channels). */
	memset(msg, 0xff, 16);
	memcpy(msg + 16, "vAcRSYNC", 8);
	put_le(msg + 24, 0x746f726eu, 8);
	/* HELLO: magic "vAcR", 1.0, max frame 4096, flags 0. */
	hdr(msg + 32, 16, 0x01, 1);
	memcpy(msg + 48, "vAcR", 4);
	put_le(msg + 52, 1, 2);
	put_le(msg + 54, 0, 2);
	put_le(msg + 56, 4096, 4);
	put_le(msg + 60, 0, 4);
	/* OP of 40000 bytes, of which only 3000 are ever sent. */
	hdr(msg + 64, 40000, 0x09, 2);
	memset(body, 0x5a, sizeof(body));
	return write_all(fd, msg, sizeof(msg)) ||
	       write_all(fd, body, sizeof(body));
}

static int fill(int fd, long n, int random)
{
	static uint8_t buf[65536];
	uint32_t x = 2463534242u;

	while (n > 0) {
		size_t k = n < (long)sizeof(buf) ? (size_t)n : sizeof(buf);

		for (size_t i = 0; random && i < k; i++) {
			x ^= x << 13;
			x ^= x >> 17;
			x ^= x << 5;
			buf[i] = (uint8_t)x;
		}
		if (write_all(fd, buf, k))
			return -1;
		n -= (long)k;
	}
	return 0;
}

int main(int argc, char **argv)
{
	int fd, ret;

	if (argc < 3 || (strcmp(argv[2], "torn") && argc != 4)) {
		fprintf(stderr, "usage: port-abuse DEVICE garbage|zeros BYTES | DEVICE torn\n");
		return 2;
	}
	fd = open(argv[1], O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		fprintf(stderr, "port-abuse: open %s: %s\n", argv[1],
			strerror(errno));
		return 1;
	}
	if (!strcmp(argv[2], "torn"))
		ret = torn(fd);
	else
		ret = fill(fd, atol(argv[3]), !strcmp(argv[2], "garbage"));
	close(fd);
	return ret ? 1 : 0;
}
