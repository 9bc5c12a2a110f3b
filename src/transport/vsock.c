// SPDX-License-Identifier: Apache-2.0
/*
 * vsock://CID:PORT (AF_VSOCK). Unlike upstream, the CID given is the CID
 * used: a client connects to exactly that CID, a listener binds to it
 * ("any" binds VMADDR_CID_ANY).
 */
#include "transport.h"

#include "vaccel.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <linux/vm_sockets.h>

static void fill_svm(struct sockaddr_vm *svm, const struct vaccel_addr *a)
{
	memset(svm, 0, sizeof(*svm));
	svm->svm_family = AF_VSOCK;
	svm->svm_cid = a->cid == UINT32_MAX ? VMADDR_CID_ANY : a->cid;
	svm->svm_port = a->port;
}

static int vsock_socket(const struct vaccel_addr *addr, const char *what)
{
	int fd = socket(AF_VSOCK, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd < 0)
		vaccel_error("%s %s: AF_VSOCK socket: %s (is the vsock module loaded?)",
			     what, addr->text, strerror(errno));
	return fd;
}

static int vsock_connect(const struct vaccel_addr *addr,
			 struct vaccel_stream *s)
{
	struct sockaddr_vm svm;
	int fd, ret;

	if (addr->cid == UINT32_MAX) {
		vaccel_error("connect %s: a client needs a concrete CID",
			     addr->text);
		return VACCEL_EINVAL;
	}
	fd = vsock_socket(addr, "connect");
	if (fd < 0)
		return errno == EAFNOSUPPORT ? VACCEL_ENOTSUP : VACCEL_EIO;
	fill_svm(&svm, addr);
	do {
		ret = connect(fd, (struct sockaddr *)&svm, sizeof(svm));
	} while (ret < 0 && errno == EINTR);
	if (ret < 0) {
		int err = errno;

		vaccel_error("connect %s: %s", addr->text, strerror(err));
		close(fd);
		errno = err;
		return VACCEL_EIO;
	}
	s->fd = fd;
	s->ops = &vaccel__transport_vsock;
	return VACCEL_OK;
}

static int vsock_listen(const struct vaccel_addr *addr,
			struct vaccel_listener *l)
{
	struct sockaddr_vm svm;
	int fd = vsock_socket(addr, "listen");

	if (fd < 0)
		return errno == EAFNOSUPPORT ? VACCEL_ENOTSUP : VACCEL_EIO;
	fill_svm(&svm, addr);
	if (bind(fd, (struct sockaddr *)&svm, sizeof(svm)) < 0 ||
	    listen(fd, 128) < 0) {
		int err = errno;

		vaccel_error("listen %s: %s", addr->text, strerror(err));
		close(fd);
		return err == EADDRINUSE ? VACCEL_EBUSY :
		       err == EADDRNOTAVAIL ? VACCEL_ENODEV :
					      VACCEL_EIO;
	}
	l->fd = fd;
	return VACCEL_OK;
}

const struct vaccel_transport_ops vaccel__transport_vsock = {
	.scheme = "vsock",
	.connect = vsock_connect,
	.listen = vsock_listen,
	.accept = vaccel__fd_accept,
	.readv = vaccel__fd_readv,
	.writev = vaccel__fd_writev,
	.shutdown = vaccel__fd_shutdown,
	.close = vaccel__fd_close,
};
