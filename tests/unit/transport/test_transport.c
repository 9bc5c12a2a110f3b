// SPDX-License-Identifier: Apache-2.0
/*
 * One conformance suite run against every transport: unix path, unix
 * abstract, tcp over IPv4, IPv6 and a host name, hybrid vsock (the VMM side
 * simulated by an acceptor that answers the CONNECT handshake) and vsock
 * (skipped where the host has no vsock loopback, tcp over IPv6 where it has
 * no [::1]: both asked with plain sockets, so that a failure of our own
 * transport code is a failure, never a skip).
 */
#include "child.h"
#include "conn.h"
#include "testing.h"
#include "transport.h"
#include "vaccel.h"

#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
/* After sys/socket.h: older kernel headers (Debian's arm cross toolchains
 * ship 6.1.4) use struct sockaddr without including it. */
#include <linux/vm_sockets.h>

#define BIG (3u << 20)

struct server {
	struct vaccel_listener l;
	bool hvsock_vmm;
	int accepted;
	pthread_t thread;
};

/* The guest port every hvsock connection of this test asks for. */
#define HVSOCK_PORT "2048"

/* Plays the VMM's side of the hybrid vsock handshake: the request must
 * name the port the address gave. */
static int vmm_handshake(struct vaccel_stream *s)
{
	char line[64];
	size_t n = 0;

	while (n + 1 < sizeof(line)) {
		struct iovec iov = { line + n, 1 };

		if (s->ops->readv(s, &iov, 1) != 1)
			return -1;
		if (line[n] == '\n')
			break;
		n++;
	}
	line[n] = '\0';
	if (strcmp(line, "CONNECT " HVSOCK_PORT) != 0) {
		fprintf(stderr, "VMM: bad request '%s'\n", line);
		return -1;
	}
	return write(s->fd, "OK 1073741824\n", 14) == 14 ? 0 : -1;
}

/* Accepts connections one after the other and echoes each until EOF. */
static void *echo_server(void *arg)
{
	struct server *srv = arg;
	static uint8_t buf[1 << 16];

	for (;;) {
		struct vaccel_stream s;

		if (vaccel__transport_accept(&srv->l, &s))
			return NULL;
		srv->accepted++;
		if (srv->hvsock_vmm && vmm_handshake(&s)) {
			vaccel__stream_close(&s);
			continue;
		}
		for (;;) {
			struct iovec iov = { buf, sizeof(buf) };
			ssize_t n = s.ops->readv(&s, &iov, 1);

			if (n <= 0)
				break;
			iov.iov_len = (size_t)n;
			if (vaccel__stream_write_all(&s, &iov, 1))
				break;
		}
		vaccel__stream_close(&s);
	}
}

static void *writer(void *arg)
{
	struct vaccel_stream *s = arg;
	static uint8_t big[BIG];
	struct iovec iov[3];

	for (size_t i = 0; i < BIG; i++)
		big[i] = (uint8_t)(i * 7);
	/* Three iovecs of odd sizes to exercise partial writev. */
	iov[0] = (struct iovec){ big, 1 };
	iov[1] = (struct iovec){ big + 1, BIG / 2 };
	iov[2] = (struct iovec){ big + 1 + BIG / 2, BIG - 1 - BIG / 2 };
	vaccel__stream_write_all(s, iov, 3);
	return NULL;
}

/* The suite proper, against a connected stream to an echo server. */
static void conformance(const char *connect_to, struct server *srv)
{
	struct vaccel_stream s;
	struct rpc_conn c;
	struct rpc_hdr h;
	uint8_t *back;
	pthread_t w;
	char small[] = "ping";
	char got[sizeof(small)];
	struct iovec iov = { small, sizeof(small) };
	int before = srv->accepted;

	REQUIRE(vaccel__transport_connect(connect_to, &s) == VACCEL_OK);
	CHECK(s.fd >= 0);

	/* A small round trip. */
	CHECK_INT(vaccel__stream_write_all(&s, &iov, 1), VACCEL_OK);
	iov = (struct iovec){ got, sizeof(got) };
	CHECK_INT(vaccel__stream_read_all(&s, &iov, 1), VACCEL_OK);
	CHECK_STR(got, "ping");

	/* A large transfer in both directions at once (a writer thread so
	 * that neither side's socket buffer deadlocks). */
	back = malloc(BIG);
	REQUIRE(back);
	pthread_create(&w, NULL, writer, &s);
	iov = (struct iovec){ back, BIG };
	CHECK_INT(vaccel__stream_read_all(&s, &iov, 1), VACCEL_OK);
	pthread_join(w, NULL);
	CHECK_INT(back[BIG - 1], (uint8_t)((BIG - 1) * 7));
	CHECK_INT(back[12345], (uint8_t)(12345 * 7));
	free(back);

	/* Framing over this transport. */
	REQUIRE(rpc_conn_init(&c, &s, 1 << 20) == VACCEL_OK);
	CHECK_INT(rpc_conn_send(&c, RPC_MSG_STATS, 99, "abc", 3, NULL, 0),
		  VACCEL_OK);
	CHECK_INT(rpc_conn_recv_hdr(&c, &h), VACCEL_OK);
	CHECK_INT(h.type, RPC_MSG_STATS);
	CHECK_INT(h.req_id, 99);
	CHECK_INT(h.length, 3);
	CHECK_INT(rpc_conn_recv(&c, got, 3), VACCEL_OK);
	CHECK(memcmp(got, "abc", 3) == 0);

	/* A clean shutdown by the peer is end of stream, not an error. */
	shutdown(c.s.fd, SHUT_WR);
	CHECK_INT(rpc_conn_recv_hdr(&c, &h), VACCEL_ENOENT);
	rpc_conn_release(&c);
	CHECK_INT(srv->accepted, before + 1);
}

static void run_suite(const char *listen_at, bool hvsock_vmm,
		      const char *connect_to)
{
	struct server srv = { .hvsock_vmm = hvsock_vmm };
	char unlinked[108];

	REQUIRE(vaccel__transport_listen(listen_at, &srv.l) == VACCEL_OK);
	pthread_create(&srv.thread, NULL, echo_server, &srv);
	conformance(connect_to ? connect_to : srv.l.bound, &srv);
	/* A second connection to the same listener works too. */
	conformance(connect_to ? connect_to : srv.l.bound, &srv);

	shutdown(srv.l.fd, SHUT_RDWR);
	pthread_join(srv.thread, NULL);
	snprintf(unlinked, sizeof(unlinked), "%s", srv.l.unlink_path);
	vaccel__listener_close(&srv.l);
	if (unlinked[0]) {
		struct stat st;

		CHECK(stat(unlinked, &st) != 0);
	}
}

static char path[108];

static void test_unix_path(void)
{
	struct vaccel_listener l;
	struct stat st;
	char addr[160];

	snprintf(path, sizeof(path), "/tmp/vaccel-tt-%d.sock", (int)getpid());
	snprintf(addr, sizeof(addr), "unix://%s", path);
	/* The socket file is private to the agent's user. */
	REQUIRE(vaccel__transport_listen(addr, &l) == VACCEL_OK);
	REQUIRE(stat(path, &st) == 0);
	CHECK_INT(st.st_mode & 0777, 0600);
	/* A second listener on a live path is refused. */
	{
		struct vaccel_listener l2;

		CHECK_INT(vaccel__transport_listen(addr, &l2), VACCEL_EBUSY);
	}
	vaccel__listener_close(&l);
	CHECK(stat(path, &st) != 0);
	run_suite(addr, false, NULL);
}

static void test_unix_abstract(void)
{
	char addr[80];

	snprintf(addr, sizeof(addr), "unix://@vaccel-tt-%d", (int)getpid());
	run_suite(addr, false, NULL);
}

static void test_tcp4(void)
{
	run_suite("tcp://127.0.0.1:0", false, NULL);
}

/* Whether the host itself can listen on and connect to `addr` (a sockaddr
 * of `family`): asked with plain sockets, not with our transport code, so
 * that a broken transport fails its test instead of skipping it. */
static bool host_can_loop(int family, struct sockaddr *addr, socklen_t len)
{
	int l = socket(family, SOCK_STREAM, 0), c = -1;
	bool ok = false;

	if (l >= 0 && bind(l, addr, len) == 0 && listen(l, 1) == 0 &&
	    getsockname(l, addr, &len) == 0) {
		/* vsock listens on any CID and is reached on the local one. */
		if (family == AF_VSOCK)
			((struct sockaddr_vm *)addr)->svm_cid = VMADDR_CID_LOCAL;
		c = socket(family, SOCK_STREAM, 0);
		ok = c >= 0 && connect(c, addr, len) == 0;
	}
	if (c >= 0)
		close(c);
	if (l >= 0)
		close(l);
	return ok;
}

static void test_tcp6(void)
{
	struct sockaddr_in6 a = { .sin6_family = AF_INET6,
				  .sin6_addr = IN6ADDR_LOOPBACK_INIT };

	if (!host_can_loop(AF_INET6, (struct sockaddr *)&a, sizeof(a)))
		SKIP("this host cannot listen on and connect to [::1]");
	run_suite("tcp://[::1]:0", false, NULL);
}

static void test_tcp_hostname(void)
{
	struct server srv = { 0 };
	char addr[64];
	const char *colon;

	REQUIRE(vaccel__transport_listen("tcp://127.0.0.1:0", &srv.l) == 0);
	colon = strrchr(srv.l.bound, ':');
	snprintf(addr, sizeof(addr), "tcp://localhost%s", colon);
	pthread_create(&srv.thread, NULL, echo_server, &srv);
	conformance(addr, &srv);
	shutdown(srv.l.fd, SHUT_RDWR);
	pthread_join(srv.thread, NULL);
	vaccel__listener_close(&srv.l);
}

static void test_hvsock(void)
{
	char uds[108], listen_at[160], connect_to[160];
	struct vaccel_listener l;
	struct stat st;

	snprintf(uds, sizeof(uds), "/tmp/vaccel-tt-hv-%d.sock", (int)getpid());
	/* Host -> guest: the simulated VMM listens on the plain uds path. */
	snprintf(listen_at, sizeof(listen_at), "unix://%s", uds);
	snprintf(connect_to, sizeof(connect_to), "hvsock://%s:" HVSOCK_PORT,
		 uds);
	run_suite(listen_at, true, connect_to);

	/* Guest -> host: listening on hvsock means a uds at <path>_<port>. */
	snprintf(listen_at, sizeof(listen_at), "hvsock://%s:5000", uds);
	REQUIRE(vaccel__transport_listen(listen_at, &l) == VACCEL_OK);
	snprintf(connect_to, sizeof(connect_to), "%s_5000", uds);
	CHECK(stat(connect_to, &st) == 0);
	vaccel__listener_close(&l);
	CHECK(stat(connect_to, &st) != 0);
}

static void test_hvsock_refused(void)
{
	char uds[108], addr[160];
	struct vaccel_listener l;
	struct vaccel_stream s;

	/* A VMM that closes on CONNECT (no guest listener): clear error. */
	snprintf(uds, sizeof(uds), "/tmp/vaccel-tt-hr-%d.sock", (int)getpid());
	snprintf(addr, sizeof(addr), "unix://%s", uds);
	REQUIRE(vaccel__transport_listen(addr, &l) == VACCEL_OK);
	snprintf(addr, sizeof(addr), "hvsock://%s:1", uds);
	if (test_fork() == 0) {
		struct vaccel_stream a;

		if (vaccel__transport_accept(&l, &a) == 0)
			vaccel__stream_close(&a);
		_exit(0);
	}
	CHECK_INT(vaccel__transport_connect(addr, &s), VACCEL_EIO);
	vaccel__listener_close(&l);
	wait(NULL);
}

static void test_vsock(void)
{
	struct sockaddr_vm a = { .svm_family = AF_VSOCK,
				 .svm_cid = VMADDR_CID_ANY,
				 .svm_port = VMADDR_PORT_ANY };
	struct server srv = { 0 };

	/* Connecting to CID 1 (the local loopback) needs vsock_loopback;
	 * the VM suite runs this transport in a guest either way. */
	if (!host_can_loop(AF_VSOCK, (struct sockaddr *)&a, sizeof(a)))
		SKIP("this host has no vsock loopback (CID 1)");
	REQUIRE(vaccel__transport_listen("vsock://any:52001", &srv.l) ==
		VACCEL_OK);
	pthread_create(&srv.thread, NULL, echo_server, &srv);
	conformance("vsock://1:52001", &srv);
	shutdown(srv.l.fd, SHUT_RDWR);
	pthread_join(srv.thread, NULL);
	vaccel__listener_close(&srv.l);
}

/* A stream whose reads and writes move a few bytes at a time, as a
 * signal or a full socket buffer can make any transport do: the stream
 * helpers must loop until everything moved, across iovec boundaries. */
static ssize_t trickle(struct vaccel_stream *s, const struct iovec *iov,
		       int iovcnt, bool writing)
{
	struct iovec one = { iov[0].iov_base,
			     iov[0].iov_len < 7 ? iov[0].iov_len : 7 };

	(void)iovcnt;
	return writing ? writev(s->fd, &one, 1) : readv(s->fd, &one, 1);
}

static ssize_t trickle_readv(struct vaccel_stream *s, const struct iovec *iov,
			     int iovcnt)
{
	return trickle(s, iov, iovcnt, false);
}

static ssize_t trickle_writev(struct vaccel_stream *s,
			      const struct iovec *iov, int iovcnt)
{
	return trickle(s, iov, iovcnt, true);
}

static const struct vaccel_transport_ops trickle_ops = {
	.scheme = "trickle",
	.readv = trickle_readv,
	.writev = trickle_writev,
};

static void test_partial_io(void)
{
	struct vaccel_stream a = { .fd = -1, .ops = &trickle_ops },
			     b = { .fd = -1, .ops = &trickle_ops };
	char out1[] = "first part, ", out2[] = "", out3[] = "and the rest";
	char in1[5], in2[sizeof(out1) + sizeof(out3) - 5];
	struct iovec wr[] = { { out1, sizeof(out1) }, { out2, 0 },
			      { out3, sizeof(out3) } };
	struct iovec rd[] = { { in1, sizeof(in1) }, { in2, sizeof(in2) } };
	int fds[2];

	REQUIRE(socketpair(AF_UNIX, SOCK_STREAM, 0, fds) == 0);
	a.fd = fds[0];
	b.fd = fds[1];
	CHECK_INT(vaccel__stream_write_all(&a, wr, 3), VACCEL_OK);
	/* The reader sees the end instead of waiting for bytes never sent. */
	shutdown(a.fd, SHUT_WR);
	CHECK_INT(vaccel__stream_read_all(&b, rd, 2), VACCEL_OK);
	CHECK(!memcmp(in1, out1, sizeof(in1)));
	CHECK(!memcmp(in2, out1 + sizeof(in1), sizeof(out1) - sizeof(in1)));
	CHECK_STR(in2 + sizeof(out1) - sizeof(in1), "and the rest");
	close(fds[0]);
	close(fds[1]);
}

static void test_errors(void)
{
	struct vaccel_stream s;
	struct vaccel_listener l;
	char addr[160];
	int ret;

	snprintf(addr, sizeof(addr), "unix:///tmp/vaccel-tt-none-%d",
		 (int)getpid());
	CHECK_INT(vaccel__transport_connect(addr, &s), VACCEL_ENOENT);
	CHECK(s.fd < 0);
	CHECK_INT(vaccel__transport_connect("tcp://127.0.0.1:1", &s),
		  VACCEL_EIO);
	CHECK_INT(vaccel__transport_connect("tcp://no-such-host.invalid:1",
					    &s),
		  VACCEL_ENOENT);
	/* No port named x on the host: ENOENT, or ENODEV without sysfs. */
	ret = vaccel__transport_connect("virtio://x", &s);
	CHECK(ret == VACCEL_ENOENT || ret == VACCEL_ENODEV);
	CHECK_INT(vaccel__transport_connect("bogus://x", &s), VACCEL_EINVAL);
	CHECK_INT(vaccel__transport_listen("vsock://1", &l), VACCEL_EINVAL);
	CHECK_INT(vaccel__transport_connect(NULL, &s), VACCEL_EINVAL);
	CHECK_INT(vaccel__transport_connect("tcp://a:1", NULL), VACCEL_EINVAL);
	vaccel__listener_close(NULL);
	vaccel__stream_close(NULL);
}

TEST_MAIN(test_unix_path, test_unix_abstract, test_tcp4, test_tcp6,
	  test_tcp_hostname, test_hvsock, test_hvsock_refused, test_vsock,
	  test_partial_io, test_errors)
