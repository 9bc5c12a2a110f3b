/* SPDX-License-Identifier: Apache-2.0 */
/*
 * vsock-serve: the guest end of a host-initiated vsock connection.
 *
 *   vsock-serve PORT
 *
 * Listens on VMADDR_CID_ANY:PORT, accepts one connection, sends back
 * every byte it receives until the peer closes, prints
 * "vsock-serve: port P: N bytes echoed" and exits 0 (1 with a line on
 * stderr when a step fails). The VM tests use it as a barrier the host
 * lifts through the hybrid-vsock socket ("CONNECT P\n"), which also tests
 * that direction's byte path. Linked statically for the initramfs.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <linux/vm_sockets.h>

static int fail(const char *step, unsigned int port)
{
	fprintf(stderr, "vsock-serve: %s (port %u): %s\n", step, port,
		strerror(errno));
	return 1;
}

int main(int argc, char **argv)
{
	struct sockaddr_vm addr = {
		.svm_family = AF_VSOCK,
		.svm_cid = VMADDR_CID_ANY,
	};
	unsigned long long total = 0;
	unsigned int port;
	char buf[4096];
	int lfd, fd;
	ssize_t n;

	if (argc != 2) {
		fprintf(stderr, "usage: vsock-serve PORT\n");
		return 2;
	}
	port = (unsigned int)strtoul(argv[1], NULL, 10);
	addr.svm_port = port;
	lfd = socket(AF_VSOCK, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (lfd < 0)
		return fail("socket", port);
	if (bind(lfd, (struct sockaddr *)&addr, sizeof(addr)) < 0)
		return fail("bind", port);
	if (listen(lfd, 1) < 0)
		return fail("listen", port);
	fd = accept(lfd, NULL, NULL);
	if (fd < 0)
		return fail("accept", port);
	while ((n = read(fd, buf, sizeof(buf))) > 0) {
		if (write(fd, buf, (size_t)n) != n)
			return fail("write", port);
		total += (unsigned long long)n;
	}
	if (n < 0)
		return fail("read", port);
	printf("vsock-serve: port %u: %llu bytes echoed\n", port, total);
	close(fd);
	close(lfd);
	return 0;
}
