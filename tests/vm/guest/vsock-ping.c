/* SPDX-License-Identifier: Apache-2.0 */
/*
 * vsock-ping: proves the guest's AF_VSOCK path works without a host peer.
 *
 *   vsock-ping [PORT]
 *
 * Listens on VMADDR_CID_ANY:PORT, connects to CID 1 (VMADDR_CID_LOCAL, served
 * by the vsock_loopback module) on the same port, accepts, and sends a message
 * each way. Exits 0 when both arrive intact, 1 otherwise with one line on
 * stderr naming the failed step. Linked statically for the initramfs.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>
#include <linux/vm_sockets.h>

#ifndef VMADDR_CID_LOCAL
#define VMADDR_CID_LOCAL 1
#endif

static int fail(const char *step, unsigned int port)
{
	fprintf(stderr, "vsock-ping: %s (port %u): %s\n", step, port,
		strerror(errno));
	return -1;
}

/* A receive timeout keeps a broken transport from hanging the guest. */
static int set_timeout(int fd, unsigned int port)
{
	struct timeval tv = { .tv_sec = 5 };

	if (setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) < 0)
		return fail("setsockopt SO_RCVTIMEO", port);
	return 0;
}

static int exchange(int from, int to, const char *msg, unsigned int port)
{
	char buf[64];
	size_t len = strlen(msg);
	ssize_t n;

	n = send(from, msg, len, 0);
	if (n != (ssize_t)len)
		return fail("send", port);
	n = recv(to, buf, sizeof(buf) - 1, 0);
	if (n < 0)
		return fail("recv", port);
	buf[n] = '\0';
	if ((size_t)n != len || memcmp(buf, msg, len) != 0) {
		fprintf(stderr, "vsock-ping: got '%s', expected '%s'\n", buf,
			msg);
		return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct sockaddr_vm addr = { .svm_family = AF_VSOCK };
	unsigned int port = 5000;
	int lfd, cfd = -1, afd = -1, ret = 1;

	if (argc > 2) {
		fprintf(stderr, "usage: vsock-ping [PORT]\n");
		return 2;
	}
	if (argc == 2)
		port = (unsigned int)strtoul(argv[1], NULL, 10);

	lfd = socket(AF_VSOCK, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (lfd < 0) {
		fail("socket (is the vsock module loaded?)", port);
		return 1;
	}
	addr.svm_cid = VMADDR_CID_ANY;
	addr.svm_port = port;
	if (bind(lfd, (struct sockaddr *)&addr, sizeof(addr)) < 0) {
		fail("bind", port);
		goto out;
	}
	if (listen(lfd, 1) < 0) {
		fail("listen", port);
		goto out;
	}

	cfd = socket(AF_VSOCK, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (cfd < 0) {
		fail("socket", port);
		goto out;
	}
	/*
	 * connect() completes against the listen backlog, so one thread can
	 * connect first and accept afterwards.
	 */
	addr.svm_cid = VMADDR_CID_LOCAL;
	if (connect(cfd, (struct sockaddr *)&addr, sizeof(addr)) < 0) {
		fail("connect to CID 1 (is vsock_loopback loaded?)", port);
		goto out;
	}
	afd = accept(lfd, NULL, NULL);
	if (afd < 0) {
		fail("accept", port);
		goto out;
	}
	if (set_timeout(cfd, port) < 0 || set_timeout(afd, port) < 0)
		goto out;
	if (exchange(cfd, afd, "ping", port) < 0 ||
	    exchange(afd, cfd, "pong", port) < 0)
		goto out;
	printf("vsock-ping: CID 1 port %u: ping/pong ok\n", port);
	ret = 0;
out:
	if (afd >= 0)
		close(afd);
	if (cfd >= 0)
		close(cfd);
	close(lfd);
	return ret;
}
