// SPDX-License-Identifier: Apache-2.0
/*
 * hvsock:///uds/path:PORT — the host side of Firecracker's (and Cloud
 * Hypervisor's) hybrid vsock. The VMM exposes the guest's vsock device as
 * a UNIX socket:
 *   - host -> guest: connect to the UNIX socket, send "CONNECT PORT\n",
 *     the VMM answers "OK <host port>\n" and then relays bytes;
 *   - guest -> host: the VMM connects to the UNIX socket "<path>_PORT",
 *     so listening is a plain UNIX listener on that path.
 */
#include "transport.h"

#include "vaccel.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* Reads the VMM's one-line answer byte by byte so that no relayed payload
 * byte after the newline is consumed. */
static int read_line(int fd, char *buf, size_t cap)
{
	size_t n = 0;

	while (n + 1 < cap) {
		ssize_t r = read(fd, buf + n, 1);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return VACCEL_EIO;
		if (buf[n] == '\n') {
			buf[n] = '\0';
			return VACCEL_OK;
		}
		n++;
	}
	return VACCEL_EIO;
}

static int hvsock_connect(const struct vaccel_addr *addr,
			  struct vaccel_stream *s)
{
	char line[64];
	int fd, ret, n;

	ret = vaccel__unix_connect_path(addr->path, false, addr->text, &fd);
	if (ret)
		return ret;
	n = snprintf(line, sizeof(line), "CONNECT %u\n", addr->port);
	if (send(fd, line, (size_t)n, MSG_NOSIGNAL) != n) {
		vaccel_error("connect %s: sending CONNECT failed: %s",
			     addr->text, strerror(errno));
		goto fail;
	}
	if (read_line(fd, line, sizeof(line)) != VACCEL_OK) {
		vaccel_error("connect %s: the VMM closed the connection during the handshake (no listener on port %u?)",
			     addr->text, addr->port);
		goto fail;
	}
	if (strncmp(line, "OK ", 3) != 0) {
		vaccel_error("connect %s: handshake refused: '%s'", addr->text,
			     line);
		goto fail;
	}
	s->fd = fd;
	s->ops = &vaccel__transport_hvsock;
	return VACCEL_OK;

fail:
	close(fd);
	return VACCEL_EIO;
}

static int hvsock_listen(const struct vaccel_addr *addr,
			 struct vaccel_listener *l)
{
	char path[sizeof(addr->path) + 16];
	int ret;

	size_t n;

	n = (size_t)snprintf(path, sizeof(path), "%s_%u", addr->path,
			     addr->port);
	if (n >= sizeof(l->unlink_path)) {
		vaccel_error("listen %s: path %s too long", addr->text, path);
		return VACCEL_ENAMETOOLONG;
	}
	ret = vaccel__unix_listen_path(path, false, addr->text, &l->fd);
	if (ret == VACCEL_OK)
		memcpy(l->unlink_path, path, n + 1);
	return ret;
}

const struct vaccel_transport_ops vaccel__transport_hvsock = {
	.scheme = "hvsock",
	.connect = hvsock_connect,
	.listen = hvsock_listen,
	.accept = vaccel__fd_accept,
	.readv = vaccel__fd_readv,
	.writev = vaccel__fd_writev,
	.shutdown = vaccel__fd_shutdown,
	.close = vaccel__fd_close,
};
