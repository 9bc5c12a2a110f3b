// SPDX-License-Identifier: Apache-2.0
/*
 * One conformance suite run against every transport: unix path, unix
 * abstract, tcp over IPv4, IPv6 and a host name, hybrid vsock (the VMM side
 * simulated by an acceptor that answers the CONNECT handshake) and vsock
 * (skipped with a message where the kernel has no vsock loopback).
 */
#include "conn.h"
#include "testing.h"
#include "transport.h"
#include "vaccel.h"

#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define BIG (3u << 20)

struct server {
	struct vaccel_listener l;
	bool hvsock_vmm;
	int accepted;
	pthread_t thread;
};

/* Plays the VMM's side of the hybrid vsock handshake. */
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
	if (strncmp(line, "CONNECT ", 8) != 0)
		return -1;
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

static void test_tcp6(void)
{
	struct vaccel_listener l;
	int fd = socket(AF_INET6, SOCK_STREAM, 0);

	if (fd < 0) {
		printf("SKIP tcp6: no IPv6 on this host\n");
		return;
	}
	close(fd);
	if (vaccel__transport_listen("tcp://[::1]:0", &l) != VACCEL_OK) {
		printf("SKIP tcp6: cannot bind ::1\n");
		return;
	}
	vaccel__listener_close(&l);
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
	snprintf(connect_to, sizeof(connect_to), "hvsock://%s:2048", uds);
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
	if (fork() == 0) {
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
	struct vaccel_listener l;
	int fd = socket(AF_VSOCK, SOCK_STREAM, 0);

	if (fd < 0) {
		printf("SKIP vsock: AF_VSOCK unavailable (%s); the VM test runs it in a guest\n",
		       strerror(errno));
		return;
	}
	close(fd);
	if (vaccel__transport_listen("vsock://any:0", &l) != VACCEL_OK) {
		printf("SKIP vsock: cannot listen on vsock\n");
		return;
	}
	vaccel__listener_close(&l);
	/* CID 1 is the local loopback, when the kernel has vsock_loopback. */
	{
		struct server srv = { 0 };
		struct vaccel_stream s;

		REQUIRE(vaccel__transport_listen("vsock://any:52001", &srv.l) ==
			VACCEL_OK);
		if (vaccel__transport_connect("vsock://1:52001", &s) != 0) {
			printf("SKIP vsock: no vsock loopback on this host\n");
			vaccel__listener_close(&srv.l);
			return;
		}
		vaccel__stream_close(&s);
		pthread_create(&srv.thread, NULL, echo_server, &srv);
		/* The connection above was accepted first and closed. */
		conformance("vsock://1:52001", &srv);
		shutdown(srv.l.fd, SHUT_RDWR);
		pthread_join(srv.thread, NULL);
		vaccel__listener_close(&srv.l);
	}
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
	  test_errors)
