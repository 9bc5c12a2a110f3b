// SPDX-License-Identifier: Apache-2.0
/*
 * Scheme registry and the generic parts of a stream: full-transfer loops
 * and the fd-based ops that every socket scheme shares.
 */
#include "transport.h"

#include "vaccel.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

const struct vaccel_transport_ops *
vaccel__transport_get(enum vaccel_addr_scheme scheme)
{
	switch (scheme) {
	case VACCEL_ADDR_UNIX:
		return &vaccel__transport_unix;
	case VACCEL_ADDR_TCP:
		return &vaccel__transport_tcp;
	case VACCEL_ADDR_VSOCK:
		return &vaccel__transport_vsock;
	case VACCEL_ADDR_HVSOCK:
		return &vaccel__transport_hvsock;
	case VACCEL_ADDR_VIRTIO:
		return &vaccel__transport_virtio;
	}
	return NULL;
}

int vaccel__transport_connect(const char *text, struct vaccel_stream *s)
{
	struct vaccel_addr addr;
	const struct vaccel_transport_ops *ops;
	int ret;

	if (!s) {
		vaccel_error("transport connect: NULL stream");
		return VACCEL_EINVAL;
	}
	*s = (struct vaccel_stream){ .fd = -1 };
	ret = vaccel__addr_parse(text, &addr);
	if (ret)
		return ret;
	ops = vaccel__transport_get(addr.scheme);
	if (!ops || !ops->connect) {
		vaccel_error("address %s: scheme not supported by this build",
			     text);
		return VACCEL_ENOTSUP;
	}
	return ops->connect(&addr, s);
}

int vaccel__transport_listen(const char *text, struct vaccel_listener *l)
{
	const struct vaccel_transport_ops *ops;
	int ret;

	if (!l) {
		vaccel_error("transport listen: NULL listener");
		return VACCEL_EINVAL;
	}
	memset(l, 0, sizeof(*l));
	l->fd = -1;
	ret = vaccel__addr_parse(text, &l->addr);
	if (ret)
		return ret;
	ops = vaccel__transport_get(l->addr.scheme);
	if (!ops || !ops->listen || !ops->accept) {
		vaccel_error("address %s: cannot listen on this scheme", text);
		return VACCEL_ENOTSUP;
	}
	l->ops = ops;
	snprintf(l->bound, sizeof(l->bound), "%s", text);
	ret = ops->listen(&l->addr, l);
	if (ret)
		l->fd = -1;
	return ret;
}

int vaccel__transport_accept(struct vaccel_listener *l,
			     struct vaccel_stream *s)
{
	if (!l || !s || l->fd < 0 || !l->ops || !l->ops->accept) {
		vaccel_error("transport accept: invalid listener or stream");
		return VACCEL_EINVAL;
	}
	*s = (struct vaccel_stream){ .fd = -1 };
	return l->ops->accept(l, s);
}

void vaccel__listener_close(struct vaccel_listener *l)
{
	if (!l || l->fd < 0)
		return;
	close(l->fd);
	l->fd = -1;
	if (l->unlink_path[0] && unlink(l->unlink_path) && errno != ENOENT)
		vaccel_warn("could not remove socket %s: %s", l->unlink_path,
			    strerror(errno));
	l->unlink_path[0] = '\0';
}

/* Drops `n` transferred bytes from the front of an iovec array. */
static void iov_advance(struct iovec **iov, int *iovcnt, size_t n)
{
	while (*iovcnt > 0 && n >= (*iov)->iov_len) {
		n -= (*iov)->iov_len;
		(*iov)++;
		(*iovcnt)--;
	}
	if (*iovcnt > 0 && n) {
		(*iov)->iov_base = (char *)(*iov)->iov_base + n;
		(*iov)->iov_len -= n;
	}
}

/* Skips leading empty entries so that a 0 from readv means end of stream. */
static void iov_skip_empty(struct iovec **iov, int *iovcnt)
{
	while (*iovcnt > 0 && (*iov)->iov_len == 0) {
		(*iov)++;
		(*iovcnt)--;
	}
}

int vaccel__stream_write_all(struct vaccel_stream *s, struct iovec *iov,
			     int iovcnt)
{
	iov_skip_empty(&iov, &iovcnt);
	while (iovcnt > 0) {
		ssize_t n = s->ops->writev(s, iov,
					   iovcnt > IOV_MAX ? IOV_MAX : iovcnt);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return VACCEL_EIO;
		}
		iov_advance(&iov, &iovcnt, (size_t)n);
		iov_skip_empty(&iov, &iovcnt);
	}
	return VACCEL_OK;
}

int vaccel__stream_read_all(struct vaccel_stream *s, struct iovec *iov,
			    int iovcnt)
{
	bool any = false;

	iov_skip_empty(&iov, &iovcnt);
	while (iovcnt > 0) {
		ssize_t n = vaccel__stream_readv(
			s, iov, iovcnt > IOV_MAX ? IOV_MAX : iovcnt);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return VACCEL_EIO;
		}
		if (n == 0) {
			errno = ECONNRESET;
			return any ? VACCEL_EIO : VACCEL_ENOENT;
		}
		any = true;
		iov_advance(&iov, &iovcnt, (size_t)n);
		iov_skip_empty(&iov, &iovcnt);
	}
	return VACCEL_OK;
}

void vaccel__stream_shutdown(struct vaccel_stream *s)
{
	if (s && s->fd >= 0 && s->ops && s->ops->shutdown)
		s->ops->shutdown(s);
}

void vaccel__stream_close(struct vaccel_stream *s)
{
	if (!s || s->fd < 0)
		return;
	if (s->ops && s->ops->close)
		s->ops->close(s);
	else
		close(s->fd);
	s->fd = -1;
}

ssize_t vaccel__fd_readv(struct vaccel_stream *s, const struct iovec *iov,
			 int iovcnt)
{
	return readv(s->fd, iov, iovcnt);
}

ssize_t vaccel__fd_writev(struct vaccel_stream *s, const struct iovec *iov,
			  int iovcnt)
{
	/* sendmsg with MSG_NOSIGNAL so that a vanished peer is an EPIPE error
	 * rather than a SIGPIPE that kills the application. */
	struct msghdr mh = {
		.msg_iov = (struct iovec *)iov,
		.msg_iovlen = (size_t)iovcnt,
	};

	return sendmsg(s->fd, &mh, MSG_NOSIGNAL);
}

void vaccel__fd_shutdown(struct vaccel_stream *s)
{
	/* Read side only: a call in flight can still send its reply. */
	shutdown(s->fd, SHUT_RD);
}

void vaccel__fd_close(struct vaccel_stream *s)
{
	if (s->fd >= 0)
		close(s->fd);
	s->fd = -1;
}

int vaccel__fd_accept(struct vaccel_listener *l, struct vaccel_stream *s)
{
	int fd;

	do {
		fd = accept4(l->fd, NULL, NULL, SOCK_CLOEXEC);
	} while (fd < 0 && errno == EINTR);
	if (fd < 0) {
		int err = errno;

		if (err != EAGAIN && err != EWOULDBLOCK)
			vaccel_error("accept on %s failed: %s", l->addr.text,
				     strerror(err));
		errno = err;
		return err == EAGAIN || err == EWOULDBLOCK ? VACCEL_EAGAIN :
							     VACCEL_EIO;
	}
	s->fd = fd;
	s->ops = l->ops;
	return VACCEL_OK;
}
