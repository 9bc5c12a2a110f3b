// SPDX-License-Identifier: Apache-2.0
/*
 * unix:///path and unix://@abstract stream sockets.
 */
#include "transport.h"

#include "vaccel.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

static socklen_t fill_sun(struct sockaddr_un *sun, const char *path,
			  bool abstract)
{
	size_t n = strlen(path);

	memset(sun, 0, sizeof(*sun));
	sun->sun_family = AF_UNIX;
	if (abstract) {
		/* Abstract names start with a NUL and are not NUL-terminated;
		 * the length passed to bind/connect delimits them. */
		memcpy(sun->sun_path + 1, path, n);
		return (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 +
				   n);
	}
	memcpy(sun->sun_path, path, n + 1);
	return (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n + 1);
}

/*
 * The send buffer of a UNIX stream socket bounds how many bytes are in
 * flight to the peer (the receiver has no buffer of its own): at the
 * default (net.core.wmem_default, 208 KiB) a 2 MB frame needs about ten
 * hand-overs between sender and receiver, each a wake-up. 4 MiB, which the
 * kernel caps at net.core.wmem_max, lets one frame of that size go in one
 * or two. Failure only leaves the default.
 */
static void unix_sndbuf(int fd)
{
	int size = 4 << 20;

	(void)setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &size, sizeof(size));
}

int vaccel__unix_connect_path(const char *path, bool abstract,
			      const char *text, int *fd)
{
	struct sockaddr_un sun;
	socklen_t len;
	int s, ret;

	if (strlen(path) >= sizeof(sun.sun_path) - 1) {
		vaccel_error("connect %s: path too long", text);
		return VACCEL_ENAMETOOLONG;
	}
	len = fill_sun(&sun, path, abstract);
	s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (s < 0) {
		vaccel_error("connect %s: socket: %s", text, strerror(errno));
		return VACCEL_EIO;
	}
	do {
		ret = connect(s, (struct sockaddr *)&sun, len);
	} while (ret < 0 && errno == EINTR);
	if (ret < 0) {
		int err = errno;

		vaccel_error("connect %s: %s", text, strerror(err));
		close(s);
		errno = err;
		return err == ENOENT ? VACCEL_ENOENT : VACCEL_EIO;
	}
	unix_sndbuf(s);
	*fd = s;
	return VACCEL_OK;
}

/* True when `path` is a socket nobody listens on any more: what an agent
 * killed with SIGKILL leaves behind. Anything else (a live agent, a
 * regular file) is never touched. */
static bool stale_socket(const char *path)
{
	struct sockaddr_un sun;
	struct stat st;
	socklen_t len;
	int s, ret;

	if (lstat(path, &st) || !S_ISSOCK(st.st_mode))
		return false;
	len = fill_sun(&sun, path, false);
	s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (s < 0)
		return false;
	ret = connect(s, (struct sockaddr *)&sun, len);
	ret = ret < 0 && errno == ECONNREFUSED;
	close(s);
	return ret;
}

int vaccel__unix_listen_path(const char *path, bool abstract,
			     const char *text, int *fd)
{
	struct sockaddr_un sun;
	socklen_t len;
	mode_t old;
	int s, ret;

	if (strlen(path) >= sizeof(sun.sun_path) - 1) {
		vaccel_error("listen %s: path too long", text);
		return VACCEL_ENAMETOOLONG;
	}
	len = fill_sun(&sun, path, abstract);
	s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (s < 0) {
		vaccel_error("listen %s: socket: %s", text, strerror(errno));
		return VACCEL_EIO;
	}
	/* The socket file is created 0600: only the agent's user (and root)
	 * may talk to it; widen with chmod/chown for a group if needed. */
	old = umask(0177);
	ret = bind(s, (struct sockaddr *)&sun, len);
	if (ret < 0 && errno == EADDRINUSE && !abstract && stale_socket(path)) {
		vaccel_info("listen %s: removing the stale socket of a dead listener",
			    text);
		unlink(path);
		ret = bind(s, (struct sockaddr *)&sun, len);
	}
	umask(old);
	if (ret < 0) {
		int err = errno;

		vaccel_error("listen %s: bind: %s", text, strerror(err));
		close(s);
		return err == EADDRINUSE ? VACCEL_EBUSY : VACCEL_EIO;
	}
	if (listen(s, 128) < 0) {
		vaccel_error("listen %s: %s", text, strerror(errno));
		close(s);
		if (!abstract)
			unlink(path);
		return VACCEL_EIO;
	}
	*fd = s;
	return VACCEL_OK;
}

static int unix_connect(const struct vaccel_addr *addr,
			struct vaccel_stream *s)
{
	int ret = vaccel__unix_connect_path(addr->path, addr->abstract,
					    addr->text, &s->fd);

	if (ret == VACCEL_OK)
		s->ops = &vaccel__transport_unix;
	return ret;
}

static int unix_listen(const struct vaccel_addr *addr,
		       struct vaccel_listener *l)
{
	int ret = vaccel__unix_listen_path(addr->path, addr->abstract,
					   addr->text, &l->fd);

	if (ret == VACCEL_OK && !addr->abstract)
		snprintf(l->unlink_path, sizeof(l->unlink_path), "%s",
			 addr->path);
	return ret;
}

static int unix_accept(struct vaccel_listener *l, struct vaccel_stream *s)
{
	int ret = vaccel__fd_accept(l, s);

	if (ret == VACCEL_OK)
		unix_sndbuf(s->fd);
	return ret;
}

const struct vaccel_transport_ops vaccel__transport_unix = {
	.scheme = "unix",
	.connect = unix_connect,
	.listen = unix_listen,
	.accept = unix_accept,
	.readv = vaccel__fd_readv,
	.writev = vaccel__fd_writev,
	.shutdown = vaccel__fd_shutdown,
	.close = vaccel__fd_close,
};
