// SPDX-License-Identifier: Apache-2.0
/*
 * bench-pingpong: the raw socket baseline of the transport benchmarks. A
 * two-process ping-pong that moves exactly the bytes an RPC exec call moves,
 * with no vAccel code on either side.
 *
 *   bench-pingpong --server ADDR...   serve; prints "LISTEN ADDR" per
 *                                     address, then "READY", on stdout
 *   bench-pingpong ADDR               a benchmark worker (bench_worker.h)
 *                                     whose "exec raw BYTES" workload pings
 *                                     the server; "exec memcpy BYTES" pings
 *                                     with no argument and copies BYTES
 *                                     in memory (the floor of the shared-
 *                                     memory path)
 *
 * ADDR is unix:PATH or tcp:HOST:PORT (port 0 picks a free port when
 * serving). A ping is a 16-byte header (u32 body length, u32 reply body
 * length, u64 sequence number) and its body; the server reads both and
 * answers with a 16-byte header and a reply body of the asked length.
 *
 * The sizes follow docs/protocol.md for vaccel_exec(lib BENCH_EXEC_LIB,
 * symbol "noop", one RAW read arg of BYTES bytes, no write args): the OP request
 * body is 16 (ids and counts) + 16 per arg descriptor + the op type, the two
 * strings and the payload, each padded to 8; the OP reply body is the
 * 24-byte prefix + 8 (nr_write and padding). Both sides use blocking
 * sockets and the same system calls as the rpc transport (writev to send,
 * read to receive), and TCP_NODELAY on TCP.
 */
#include "bench_worker.h"

#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <unistd.h>

#define PP_HDR 16
#define PP_MAX_BODY (64u << 20)
#define PP_MAX_ADDRS 4

static size_t pad8(size_t n)
{
	return (n + 7) & ~(size_t)7;
}

/* The OP request body size of the equivalent RPC exec call. Its library
 * string is BENCH_EXEC_LIB, as bench-vaccel sends it. */
static size_t rpc_exec_request_body(size_t bytes)
{
	const char *lib = getenv("BENCH_EXEC_LIB");
	size_t nr_args = 3 + (bytes ? 1 : 0);

	if (!lib || !*lib)
		lib = "noop";
	return 16 + 16 * nr_args + pad8(1) + pad8(strlen(lib) + 1) +
	       pad8(sizeof("noop")) + pad8(bytes);
}

#define RPC_EXEC_REPLY_BODY (24 + 8)

static void put_u32(unsigned char *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

static uint32_t get_u32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static int read_full(int fd, void *buf, size_t len)
{
	char *p = buf;

	while (len) {
		ssize_t n = read(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

static int writev_full(int fd, struct iovec *iov, int niov)
{
	while (niov) {
		ssize_t n = writev(fd, iov, niov);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		while (niov && (size_t)n >= iov->iov_len) {
			n -= (ssize_t)iov->iov_len;
			iov++;
			niov--;
		}
		if (niov) {
			iov->iov_base = (char *)iov->iov_base + n;
			iov->iov_len -= (size_t)n;
		}
	}
	return 0;
}

/* Splits "tcp:HOST:PORT" (the port after the last colon). */
static int tcp_split(const char *addr, char *host, size_t host_len,
		     const char **port)
{
	const char *colon = strrchr(addr + 4, ':');

	if (!colon || (size_t)(colon - (addr + 4)) >= host_len)
		return -1;
	memcpy(host, addr + 4, (size_t)(colon - (addr + 4)));
	host[colon - (addr + 4)] = '\0';
	*port = colon + 1;
	return 0;
}

/* Opens ADDR: listening when `serve` is true, else connected. Returns the fd or -1 with
 * a message on stderr. For tcp with port 0, `bound` gets the real address. */
static int open_addr(const char *addr, bool serve, char *bound,
		     size_t bound_len)
{
	int fd = -1, one = 1;

	snprintf(bound, bound_len, "%s", addr);
	if (strncmp(addr, "unix:", 5) == 0) {
		struct sockaddr_un sa = { .sun_family = AF_UNIX };

		if (strlen(addr + 5) >= sizeof(sa.sun_path)) {
			fprintf(stderr, "bench-pingpong: path of %s too long\n",
				addr);
			return -1;
		}
		strcpy(sa.sun_path, addr + 5);
		fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (fd < 0)
			goto fail;
		if (serve) {
			unlink(sa.sun_path);
			if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) ||
			    listen(fd, 16))
				goto fail;
		} else if (connect(fd, (struct sockaddr *)&sa, sizeof(sa))) {
			goto fail;
		}
		return fd;
	}
	if (strncmp(addr, "tcp:", 4) == 0) {
		struct addrinfo hints = { .ai_socktype = SOCK_STREAM };
		struct addrinfo *ai = NULL;
		char host[256];
		const char *port;

		if (tcp_split(addr, host, sizeof(host), &port) ||
		    getaddrinfo(host, port, &hints, &ai)) {
			fprintf(stderr, "bench-pingpong: bad address %s\n",
				addr);
			return -1;
		}
		fd = socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (fd < 0) {
			freeaddrinfo(ai);
			goto fail;
		}
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
		if (serve) {
			struct sockaddr_storage ss;
			socklen_t sl = sizeof(ss);

			setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one,
				   sizeof(one));
			if (bind(fd, ai->ai_addr, ai->ai_addrlen) ||
			    listen(fd, 16) ||
			    getsockname(fd, (struct sockaddr *)&ss, &sl)) {
				freeaddrinfo(ai);
				goto fail;
			}
			snprintf(bound, bound_len, "tcp:%s:%u", host,
				 ss.ss_family == AF_INET6 ?
					 ntohs(((struct sockaddr_in6 *)&ss)
						       ->sin6_port) :
					 ntohs(((struct sockaddr_in *)&ss)
						       ->sin_port));
		} else if (connect(fd, ai->ai_addr, ai->ai_addrlen)) {
			freeaddrinfo(ai);
			goto fail;
		}
		freeaddrinfo(ai);
		return fd;
	}
	fprintf(stderr, "bench-pingpong: %s is not unix:PATH or tcp:HOST:PORT\n",
		addr);
	return -1;
fail:
	fprintf(stderr, "bench-pingpong: %s: %s\n", addr, strerror(errno));
	if (fd >= 0)
		close(fd);
	return -1;
}

/* One connection of the server: answer pings until the peer leaves. */
static void *serve_conn(void *arg)
{
	int fd = (int)(intptr_t)arg, one = 1;
	unsigned char hdr[PP_HDR];
	char *body = NULL, *reply = NULL;
	size_t cap = 0, rcap = 0;

	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	while (read_full(fd, hdr, sizeof(hdr)) == 0) {
		uint32_t len = get_u32(hdr), rlen = get_u32(hdr + 4);
		struct iovec iov[2];

		if (len > PP_MAX_BODY || rlen > PP_MAX_BODY) {
			fprintf(stderr, "bench-pingpong: ping of %u/%u bytes refused\n",
				len, rlen);
			break;
		}
		if (len > cap) {
			char *b = realloc(body, len);

			if (!b)
				break;
			body = b;
			cap = len;
		}
		if (rlen > rcap) {
			char *r = calloc(1, rlen);

			if (!r)
				break;
			free(reply);
			reply = r;
			rcap = rlen;
		}
		if (len && read_full(fd, body, len))
			break;
		put_u32(hdr, rlen);
		put_u32(hdr + 4, 0);
		iov[0] = (struct iovec){ hdr, sizeof(hdr) };
		iov[1] = (struct iovec){ reply, rlen };
		if (writev_full(fd, iov, rlen ? 2 : 1))
			break;
	}
	free(body);
	free(reply);
	close(fd);
	return NULL;
}

static int server(int nr, char **addrs)
{
	int fds[PP_MAX_ADDRS];
	pthread_t t;
	char bound[512];

	if (nr < 1 || nr > PP_MAX_ADDRS) {
		fprintf(stderr, "bench-pingpong: 1..%d addresses\n",
			PP_MAX_ADDRS);
		return 2;
	}
	for (int i = 0; i < nr; i++) {
		fds[i] = open_addr(addrs[i], true, bound, sizeof(bound));
		if (fds[i] < 0)
			return 1;
		printf("LISTEN %s\n", bound);
	}
	printf("READY\n");
	fflush(stdout);
	/* One thread per connection, as the agent does. */
	for (;;) {
		fd_set set;
		int max = -1;

		FD_ZERO(&set);
		for (int j = 0; j < nr; j++) {
			FD_SET(fds[j], &set);
			max = fds[j] > max ? fds[j] : max;
		}
		if (select(max + 1, &set, NULL, NULL, NULL) < 0) {
			if (errno == EINTR)
				continue;
			perror("bench-pingpong: select");
			return 1;
		}
		for (int j = 0; j < nr; j++) {
			int c;

			if (!FD_ISSET(fds[j], &set))
				continue;
			c = accept4(fds[j], NULL, NULL, SOCK_CLOEXEC);
			if (c < 0)
				continue;
			if (pthread_create(&t, NULL, serve_conn,
					   (void *)(intptr_t)c)) {
				close(c);
				continue;
			}
			pthread_detach(t);
		}
	}
}

struct client {
	const char *addr;
	int fd;
	char *payload;
	uint32_t body, reply_body;
	char *reply;
	/* "exec memcpy BYTES": the ping carries no argument and BYTES are
	 * copied from src to dst in the same timed call. */
	char *src, *dst;
	size_t copy;
};

static void unload(void *p)
{
	struct client *c = p;

	free(c->payload);
	free(c->reply);
	free(c->src);
	free(c->dst);
	c->payload = c->reply = c->src = c->dst = NULL;
	c->copy = 0;
}

static int exec_setup(void *p, const char *kind, size_t bytes, char *err,
		      size_t err_len)
{
	struct client *c = p;
	char bound[512];

	bool copy = strcmp(kind, "memcpy") == 0;

	if (strcmp(kind, "raw") != 0 && !copy) {
		snprintf(err, err_len,
			 "bench-pingpong runs only 'exec raw' and 'exec memcpy'");
		return -1;
	}
	if (rpc_exec_request_body(bytes) > PP_MAX_BODY) {
		snprintf(err, err_len, "%zu bytes is above %u", bytes,
			 PP_MAX_BODY);
		return -1;
	}
	if (c->fd < 0) {
		c->fd = open_addr(c->addr, false, bound, sizeof(bound));
		if (c->fd < 0) {
			snprintf(err, err_len, "cannot connect to %s", c->addr);
			return -1;
		}
	}
	unload(c);
	if (copy) {
		/* Both buffers touched once, as the region and the caller's
		 * buffer are after the first call. */
		c->src = malloc(bytes ? bytes : 1);
		c->dst = malloc(bytes ? bytes : 1);
		if (!c->src || !c->dst) {
			snprintf(err, err_len, "no memory for %zu bytes",
				 bytes);
			return -1;
		}
		memset(c->src, 0x5a, bytes);
		memset(c->dst, 0, bytes);
		c->copy = bytes;
		bytes = 0;
	}
	c->body = (uint32_t)rpc_exec_request_body(bytes);
	c->reply_body = RPC_EXEC_REPLY_BODY;
	c->payload = malloc(c->body);
	c->reply = malloc(c->reply_body);
	if (!c->payload || !c->reply) {
		snprintf(err, err_len, "no memory for %u bytes", c->body);
		return -1;
	}
	memset(c->payload, 0x5a, c->body);
	return 0;
}

static int iterate(void *p, struct bw_sample *s, char *err, size_t err_len)
{
	struct client *c = p;
	unsigned char hdr[PP_HDR] = { 0 };
	struct iovec iov[2];
	uint64_t t0, t1;

	if (!c->payload) {
		snprintf(err, err_len, "no workload loaded");
		return -1;
	}
	t0 = bw_now_ns();
	if (c->copy)
		memcpy(c->dst, c->src, c->copy);
	put_u32(hdr, c->body);
	put_u32(hdr + 4, c->reply_body);
	iov[0] = (struct iovec){ hdr, sizeof(hdr) };
	iov[1] = (struct iovec){ c->payload, c->body };
	if (writev_full(c->fd, iov, 2) ||
	    read_full(c->fd, hdr, sizeof(hdr)) ||
	    get_u32(hdr) != c->reply_body ||
	    read_full(c->fd, c->reply, c->reply_body)) {
		snprintf(err, err_len, "ping of %u bytes to %s failed",
			 c->body, c->addr);
		return -1;
	}
	t1 = bw_now_ns();
	s->e2e = (int64_t)(t1 - t0);
	s->transport = s->e2e;
	s->plugin = 0;
	return 0;
}

int main(int argc, char **argv)
{
	static const struct bw_ops ops = {
		.exec = exec_setup,
		.iterate = iterate,
		.unload = unload,
	};
	struct client c = { .fd = -1 };
	int ret;

	if (argc >= 3 && strcmp(argv[1], "--server") == 0)
		return server(argc - 2, argv + 2);
	if (argc != 2 || argv[1][0] == '-') {
		fprintf(stderr,
			"usage: %s --server ADDR... | %s ADDR\n"
			"  ADDR: unix:PATH or tcp:HOST:PORT\n",
			argv[0], argv[0]);
		return 2;
	}
	c.addr = argv[1];
	ret = bw_main("bench-pingpong", &ops, &c);
	if (c.fd >= 0)
		close(c.fd);
	return ret;
}
