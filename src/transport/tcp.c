// SPDX-License-Identifier: Apache-2.0
/*
 * tcp://host:port over IPv4 or IPv6; host names are resolved with
 * getaddrinfo and every result is tried in order.
 */
#include "transport.h"

#include "vaccel.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* Small request/reply messages must not wait for Nagle's algorithm. */
static void set_nodelay(int fd)
{
	int one = 1;

	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
}

static int resolve(const struct vaccel_addr *addr, bool passive,
		   struct addrinfo **res)
{
	struct addrinfo hints = {
		.ai_family = AF_UNSPEC,
		.ai_socktype = SOCK_STREAM,
		.ai_flags = passive ? AI_PASSIVE : 0,
	};
	char port[16];
	int ret;

	snprintf(port, sizeof(port), "%u", addr->port);
	ret = getaddrinfo(addr->host, port, &hints, res);
	if (ret) {
		vaccel_error("address %s: cannot resolve '%s': %s", addr->text,
			     addr->host, gai_strerror(ret));
		return VACCEL_ENOENT;
	}
	return VACCEL_OK;
}

static int tcp_connect(const struct vaccel_addr *addr,
		       struct vaccel_stream *s)
{
	struct addrinfo *res, *ai;
	int err = ECONNREFUSED;
	int ret = resolve(addr, false, &res);

	if (ret)
		return ret;
	for (ai = res; ai; ai = ai->ai_next) {
		int fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC,
				ai->ai_protocol);

		if (fd < 0) {
			err = errno;
			continue;
		}
		do {
			ret = connect(fd, ai->ai_addr, ai->ai_addrlen);
		} while (ret < 0 && errno == EINTR);
		if (ret == 0) {
			set_nodelay(fd);
			s->fd = fd;
			s->ops = &vaccel__transport_tcp;
			freeaddrinfo(res);
			return VACCEL_OK;
		}
		err = errno;
		close(fd);
	}
	freeaddrinfo(res);
	vaccel_error("connect %s: %s", addr->text, strerror(err));
	errno = err;
	return VACCEL_EIO;
}

/* Writes the address actually bound (port 0 resolved) into l->bound. */
static void describe_bound(struct vaccel_listener *l)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	char host[INET6_ADDRSTRLEN];

	if (getsockname(l->fd, (struct sockaddr *)&ss, &len) < 0)
		return;
	if (ss.ss_family == AF_INET) {
		struct sockaddr_in *in = (struct sockaddr_in *)&ss;

		inet_ntop(AF_INET, &in->sin_addr, host, sizeof(host));
		snprintf(l->bound, sizeof(l->bound), "tcp://%s:%u", host,
			 ntohs(in->sin_port));
	} else if (ss.ss_family == AF_INET6) {
		struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&ss;

		inet_ntop(AF_INET6, &in6->sin6_addr, host, sizeof(host));
		snprintf(l->bound, sizeof(l->bound), "tcp://[%s]:%u", host,
			 ntohs(in6->sin6_port));
	}
}

static int tcp_listen(const struct vaccel_addr *addr,
		      struct vaccel_listener *l)
{
	struct addrinfo *res, *ai;
	int err = EADDRNOTAVAIL;
	int ret = resolve(addr, true, &res);

	if (ret)
		return ret;
	/* Binds the first result that works: the one address asked for. */
	for (ai = res; ai; ai = ai->ai_next) {
		int one = 1;
		int fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC,
				ai->ai_protocol);

		if (fd < 0) {
			err = errno;
			continue;
		}
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		if (bind(fd, ai->ai_addr, ai->ai_addrlen) == 0 &&
		    listen(fd, 128) == 0) {
			l->fd = fd;
			describe_bound(l);
			freeaddrinfo(res);
			return VACCEL_OK;
		}
		err = errno;
		close(fd);
	}
	freeaddrinfo(res);
	vaccel_error("listen %s: %s", addr->text, strerror(err));
	return err == EADDRINUSE ? VACCEL_EBUSY : VACCEL_EIO;
}

static int tcp_accept(struct vaccel_listener *l, struct vaccel_stream *s)
{
	int ret = vaccel__fd_accept(l, s);

	if (ret == VACCEL_OK)
		set_nodelay(s->fd);
	return ret;
}

const struct vaccel_transport_ops vaccel__transport_tcp = {
	.scheme = "tcp",
	.connect = tcp_connect,
	.listen = tcp_listen,
	.accept = tcp_accept,
	.readv = vaccel__fd_readv,
	.writev = vaccel__fd_writev,
	.shutdown = vaccel__fd_shutdown,
	.close = vaccel__fd_close,
};
