// SPDX-License-Identifier: Apache-2.0
/*
 * The device in process: the fake driver (fake_driver.h) plays the
 * guest's kernel on an in-memory "guest RAM", the test plays the host
 * programs on real sockets (socket pairs for guest-initiated connections,
 * the real uds_path listener for host-initiated ones), and the device's
 * own epoll loop runs between the steps. Packets, credit, shutdown,
 * resets, limits, hostile packets and queues, and the CONNECT handshake.
 */
#include "device.h"
#include "fake_driver.h"
#include "testing.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#define UVA 0x7f0000000000ull
#define REFUSED_PORT 9
#define MAX_PEERS 16

static struct {
	struct vsd_dev d;
	struct fdrv v;
	uint8_t *mem;
	int peer[MAX_PEERS];     /* host ends of guest-initiated connections */
	uint32_t peer_port[MAX_PEERS];
	int npeer;
	int small_sndbuf;
	char dir[64], uds[96];
} E;

/* The device's connect_port: a socket pair instead of <uds>_<port>. */
static int fake_connect(struct vsd_dev *d, uint32_t port)
{
	int sv[2];

	(void)d;
	if (port == REFUSED_PORT || E.npeer == MAX_PEERS ||
	    socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv))
		return -1;
	fcntl(sv[0], F_SETFL, O_NONBLOCK);
	fcntl(sv[1], F_SETFL, O_NONBLOCK);
	if (E.small_sndbuf) {
		int sz = 4096;

		setsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &sz, sizeof(sz));
		setsockopt(sv[1], SOL_SOCKET, SO_RCVBUF, &sz, sizeof(sz));
	}
	E.peer[E.npeer] = sv[1];
	E.peer_port[E.npeer++] = port;
	return sv[0];
}

static void queue_setup(int i)
{
	struct vsd_vring *vq = &E.d.vq[i];

	vq->num = FDRV_NUM;
	vq->desc_uva = UVA + (fdrv_desc_gpa(&E.v, i) - FDRV_GPA);
	vq->avail_uva = UVA + (fdrv_avail_gpa(&E.v, i) - FDRV_GPA);
	vq->used_uva = UVA + (fdrv_used_gpa(&E.v, i) - FDRV_GPA);
	vq->have_addr = true;
	vq->started = vq->enabled = vq->indirect = true;
	vsd_vring_map(vq, &E.d.mem, i ? "tx" : "rx");
}

static int env_up(uint32_t buf_alloc, unsigned int max_conns, bool uds)
{
	struct vsd_config cfg = {
		.guest_cid = FDRV_GUEST_CID,
		.max_conns = max_conns,
		.buf_alloc = buf_alloc,
	};

	memset(&E, 0, sizeof(E));
	E.mem = aligned_alloc(4096, FDRV_MEM_SIZE);
	if (!E.mem)
		return -1;
	memset(E.mem, 0, FDRV_MEM_SIZE);
	fdrv_init(&E.v, E.mem);
	if (uds) {
		snprintf(E.dir, sizeof(E.dir), "/tmp/vsd-test.XXXXXX");
		if (!mkdtemp(E.dir))
			return -1;
		snprintf(E.uds, sizeof(E.uds), "%s/v.sock", E.dir);
		cfg.uds_path = E.uds;
	}
	if (vsd_dev_init(&E.d, &cfg))
		return -1;
	E.d.connect_port = fake_connect;
	if (vsd_mem_add_host(&E.d.mem, FDRV_GPA, FDRV_MEM_SIZE, UVA, E.mem))
		return -1;
	queue_setup(VSD_RXQ);
	queue_setup(VSD_TXQ);
	return 0;
}

static void env_down(void)
{
	vsd_dev_release(&E.d);
	for (int i = 0; i < E.npeer; i++)
		if (E.peer[i] >= 0)
			close(E.peer[i]);
	if (E.dir[0])
		rmdir(E.dir);
	free(E.mem);
}

/* Lets the device handle what its sockets have for it. */
static void pump(void)
{
	for (int i = 0; i < 4; i++)
		vsd_dev_poll(&E.d, 0);
}

/* The guest sends one packet and "kicks". */
static void guest_send(uint16_t op, uint32_t sport, uint32_t dport,
		       const void *data, uint32_t len)
{
	struct vsd_hdr h = fdrv_hdr(op, sport, dport, len);

	fdrv_tx(&E.v, &h, data, len, true);
	vsd_guest_tx(&E.d);
	fdrv_tx_reclaim(&E.v);
}

static void guest_send_hdr(struct vsd_hdr *h, const void *data, uint32_t len)
{
	fdrv_tx(&E.v, h, data, len, true);
	vsd_guest_tx(&E.d);
	fdrv_tx_reclaim(&E.v);
}

/* The next packet the device gave the guest; op INVALID when none. */
static struct vsd_hdr guest_recv(void *buf, uint32_t cap)
{
	struct vsd_hdr h = { 0 };

	if (fdrv_rx_get(&E.v, &h, buf, cap) < 0)
		h.op = VSD_OP_INVALID;
	return h;
}

/* Waits (the device polling in between) until fd is readable or hung up. */
static bool peer_ready(int fd)
{
	for (int i = 0; i < 200; i++) {
		struct pollfd p = { .fd = fd, .events = POLLIN };

		if (poll(&p, 1, 0) == 1)
			return true;
		vsd_dev_poll(&E.d, 10);
	}
	return false;
}

/* Reads exactly n bytes from a peer socket. */
static bool peer_read(int fd, void *buf, size_t n)
{
	size_t got = 0;

	while (got < n) {
		ssize_t r;

		if (!peer_ready(fd))
			return false;
		r = read(fd, (uint8_t *)buf + got, n - got);
		if (r <= 0)
			return false;
		got += (size_t)r;
	}
	return true;
}

/* The device closed its end: end of file, or ECONNRESET when it closed
 * with bytes of ours unread. */
static bool peer_eof(int fd)
{
	ssize_t r;
	char c;

	if (!peer_ready(fd))
		return false;
	r = read(fd, &c, 1);
	return r == 0 || (r < 0 && errno == ECONNRESET);
}

/* The guest connects from `sport` to host port `dport`. */
static bool guest_connect(uint32_t sport, uint32_t dport)
{
	struct vsd_hdr h;

	guest_send(VSD_OP_REQUEST, sport, dport, NULL, 0);
	h = guest_recv(NULL, 0);
	return h.op == VSD_OP_RESPONSE && h.src_port == dport &&
	       h.dst_port == sport && h.dst_cid == FDRV_GUEST_CID &&
	       h.src_cid == VSD_CID_HOST && h.type == VSD_TYPE_STREAM;
}

static void test_connect_and_echo(void)
{
	char buf[64];
	struct vsd_hdr h;

	REQUIRE(env_up(65536, 16, false) == 0);
	fdrv_rx_fill(&E.v, 16, 4096 + VSD_HDR_LEN, true);
	CHECK(guest_connect(1000, 2048));
	REQUIRE(E.npeer == 1);
	CHECK_INT(E.peer_port[0], 2048);
	CHECK_INT(E.d.conns.count, 1);

	guest_send(VSD_OP_RW, 1000, 2048, "hello", 5);
	CHECK(peer_read(E.peer[0], buf, 5) && memcmp(buf, "hello", 5) == 0);

	CHECK(write(E.peer[0], "world!", 6) == 6);
	pump();
	h = guest_recv(buf, sizeof(buf));
	CHECK_INT(h.op, VSD_OP_RW);
	CHECK_INT(h.len, 6);
	CHECK_INT(h.src_port, 2048);
	CHECK_INT(h.dst_port, 1000);
	CHECK_INT(h.fwd_cnt, 5);      /* the 5 bytes the host took */
	CHECK_INT(h.buf_alloc, 65536);
	CHECK(memcmp(buf, "world!", 6) == 0);
	CHECK_INT(E.d.stats.bytes_to_host, 5);
	CHECK_INT(E.d.stats.bytes_to_guest, 6);
	env_down();
}

static void test_refused_and_unknown(void)
{
	struct vsd_hdr h;

	REQUIRE(env_up(65536, 16, false) == 0);
	fdrv_rx_fill(&E.v, 16, 4096, false);
	guest_send(VSD_OP_REQUEST, 1000, REFUSED_PORT, NULL, 0);
	h = guest_recv(NULL, 0);
	CHECK_INT(h.op, VSD_OP_RST);
	CHECK_INT(h.src_port, REFUSED_PORT);
	CHECK_INT(h.dst_port, 1000);
	CHECK_INT(E.d.stats.conns_refused, 1);
	/* Data, credit and shutdown for no connection: RST. */
	guest_send(VSD_OP_RW, 1001, 2048, "x", 1);
	CHECK_INT(guest_recv(NULL, 0).op, VSD_OP_RST);
	guest_send(VSD_OP_CREDIT_REQUEST, 1001, 2048, NULL, 0);
	CHECK_INT(guest_recv(NULL, 0).op, VSD_OP_RST);
	/* An RST for no connection gets nothing back. */
	guest_send(VSD_OP_RST, 1001, 2048, NULL, 0);
	CHECK_INT(guest_recv(NULL, 0).op, VSD_OP_INVALID);
	CHECK_INT(E.d.conns.count, 0);
	env_down();
}

static void test_bad_packets(void)
{
	struct vsd_hdr h;
	uint8_t junk[16] = { 0 };

	REQUIRE(env_up(65536, 16, false) == 0);
	fdrv_rx_fill(&E.v, 32, 4096, false);
	REQUIRE(guest_connect(1000, 2048));

	/* Not from this guest to the host: dropped, nothing answered. */
	h = fdrv_hdr(VSD_OP_REQUEST, 1002, 2048, 0);
	h.src_cid = 7;
	guest_send_hdr(&h, NULL, 0);
	h = fdrv_hdr(VSD_OP_REQUEST, 1002, 2048, 0);
	h.dst_cid = 5;
	guest_send_hdr(&h, NULL, 0);
	CHECK_INT(guest_recv(NULL, 0).op, VSD_OP_INVALID);
	CHECK_INT(E.d.conns.count, 1);

	/* Shorter than a header: dropped. */
	fdrv_set_desc(&E.v, 1, 40, FDRV_GPA + FDRV_SCRATCH, sizeof(junk), 0, 0);
	memcpy(E.mem + FDRV_SCRATCH, junk, sizeof(junk));
	fdrv_publish(&E.v, 1, 40);
	vsd_guest_tx(&E.d);
	CHECK_INT(guest_recv(NULL, 0).op, VSD_OP_INVALID);

	/* Seqpacket, an unknown op, a payload on a control packet, for no
	 * connection: RST. */
	h = fdrv_hdr(VSD_OP_REQUEST, 1003, 2048, 0);
	h.type = 2;
	guest_send_hdr(&h, NULL, 0);
	CHECK_INT(guest_recv(NULL, 0).op, VSD_OP_RST);
	guest_send(42, 1003, 2048, NULL, 0);
	CHECK_INT(guest_recv(NULL, 0).op, VSD_OP_RST);
	h = fdrv_hdr(VSD_OP_CREDIT_UPDATE, 1003, 2048, 4);
	guest_send_hdr(&h, "abcd", 4);
	CHECK_INT(guest_recv(NULL, 0).op, VSD_OP_RST);
	CHECK_INT(E.d.conns.count, 1);

	/* A length beyond the chain on the open connection resets it. */
	h = fdrv_hdr(VSD_OP_RW, 1000, 2048, 100);
	fdrv_tx(&E.v, &h, "short", 5, true);
	vsd_guest_tx(&E.d);
	h = guest_recv(NULL, 0);
	CHECK_INT(h.op, VSD_OP_RST);
	CHECK_INT(h.dst_port, 1000);
	CHECK_INT(E.d.conns.count, 0);
	CHECK(peer_eof(E.peer[0]));
	CHECK(E.d.stats.bad_packets >= 7);

	/* A device-writable buffer in a transmit chain. */
	REQUIRE(guest_connect(1004, 2048));
	h = fdrv_hdr(VSD_OP_RW, 1004, 2048, 0);
	vsd_hdr_encode(&h, E.mem + FDRV_SCRATCH);
	fdrv_set_desc(&E.v, 1, 41, FDRV_GPA + FDRV_SCRATCH, VSD_HDR_LEN,
		      VSD_DESC_F_NEXT, 42);
	fdrv_set_desc(&E.v, 1, 42, FDRV_GPA + FDRV_SCRATCH + 64, 8,
		      VSD_DESC_F_WRITE, 0);
	fdrv_publish(&E.v, 1, 41);
	vsd_guest_tx(&E.d);
	CHECK_INT(guest_recv(NULL, 0).op, VSD_OP_RST);
	CHECK_INT(E.d.conns.count, 0);
	env_down();
}

static void test_duplicate_request(void)
{
	REQUIRE(env_up(65536, 16, false) == 0);
	fdrv_rx_fill(&E.v, 8, 4096, false);
	REQUIRE(guest_connect(1000, 2048));
	guest_send(VSD_OP_REQUEST, 1000, 2048, NULL, 0);
	CHECK_INT(guest_recv(NULL, 0).op, VSD_OP_RST);
	CHECK_INT(E.d.conns.count, 0);
	CHECK(peer_eof(E.peer[0]));
	env_down();
}

/* Our credit: the guest may have at most buf_alloc bytes unconsumed. */
static void test_credit_violation(void)
{
	static uint8_t data[4096], got[256 * 1024];
	uint32_t sent = 0;
	struct vsd_hdr h;
	size_t n = 0;
	ssize_t r;

	REQUIRE(env_up(8192, 16, false) == 0);
	E.small_sndbuf = 1;
	fdrv_rx_fill(&E.v, 32, 4096, false);
	REQUIRE(guest_connect(1000, 2048));
	for (size_t i = 0; i < sizeof(data); i++)
		data[i] = (uint8_t)(i * 7 + 1);
	/* The host never reads; the guest ignores its credit. */
	for (int i = 0; i < 60 && E.d.conns.count; i++) {
		guest_send(VSD_OP_RW, 1000, 2048, data, sizeof(data));
		if (E.d.conns.count)
			sent += sizeof(data);
		if (E.d.conns.all)
			CHECK(vsd_conn_pending(E.d.conns.all) <= 8192);
	}
	CHECK_INT(E.d.conns.count, 0);
	CHECK_INT(E.d.stats.credit_violations, 1);
	/* Credit updates may come first; the RST ends it. */
	do {
		h = guest_recv(NULL, 0);
	} while (h.op == VSD_OP_CREDIT_UPDATE);
	CHECK_INT(h.op, VSD_OP_RST);
	/* The host got a prefix of what the guest sent, every byte intact,
	 * then end of file; the rest (what the device held for it) was
	 * between half the credit and the credit. */
	while ((r = read(E.peer[0], got + n, sizeof(got) - n)) > 0)
		n += (size_t)r;
	CHECK_INT(r, 0);
	CHECK(n <= sent);
	CHECK(sent - n > 4096 && sent - n <= 8192);
	for (size_t i = 0; i < n; i++)
		if (got[i] != data[i % sizeof(data)]) {
			CHECK(!"corrupted byte");
			break;
		}
	env_down();
}

static void test_credit_update(void)
{
	static uint8_t data[4097];
	char buf[8192];
	struct vsd_hdr h;

	REQUIRE(env_up(8192, 16, false) == 0);
	fdrv_rx_fill(&E.v, 8, 4096, false);
	REQUIRE(guest_connect(1000, 2048));
	/* More than half the credit used: an update once the host took it. */
	guest_send(VSD_OP_RW, 1000, 2048, data, sizeof(data));
	CHECK(peer_read(E.peer[0], buf, sizeof(data)));
	h = guest_recv(NULL, 0);
	CHECK_INT(h.op, VSD_OP_CREDIT_UPDATE);
	CHECK_INT(h.fwd_cnt, 4097);
	CHECK_INT(h.buf_alloc, 8192);
	/* A request is answered. */
	guest_send(VSD_OP_CREDIT_REQUEST, 1000, 2048, NULL, 0);
	h = guest_recv(NULL, 0);
	CHECK_INT(h.op, VSD_OP_CREDIT_UPDATE);
	CHECK_INT(h.fwd_cnt, 4097);
	env_down();
}

/* A guest whose own buffer is smaller than ours may cap its window there
 * (Linux does): the update comes once half of that window is used. */
static void test_credit_update_small_guest(void)
{
	static uint8_t data[3000];
	char buf[4096];
	struct vsd_hdr h;

	REQUIRE(env_up(262144, 16, false) == 0);
	fdrv_rx_fill(&E.v, 8, 4096, false);
	h = fdrv_hdr(VSD_OP_REQUEST, 1000, 2048, 0);
	h.buf_alloc = 6000;
	guest_send_hdr(&h, NULL, 0);
	REQUIRE(guest_recv(NULL, 0).op == VSD_OP_RESPONSE);
	h = fdrv_hdr(VSD_OP_RW, 1000, 2048, sizeof(data));
	h.buf_alloc = 6000;
	guest_send_hdr(&h, data, sizeof(data));
	CHECK(peer_read(E.peer[0], buf, sizeof(data)));
	h = guest_recv(NULL, 0);
	CHECK_INT(h.op, VSD_OP_CREDIT_UPDATE);
	CHECK_INT(h.fwd_cnt, 3000);
	env_down();
}

/* The guest's credit: the device sends no more than it allows. */
static void test_guest_credit(void)
{
	static char data[3000], got[3000];
	uint32_t total = 0;
	struct vsd_hdr h;
	char buf[4096];

	for (size_t i = 0; i < sizeof(data); i++)
		data[i] = (char)('a' + i % 26);
	REQUIRE(env_up(65536, 16, false) == 0);
	fdrv_rx_fill(&E.v, 32, 4096, false);
	h = fdrv_hdr(VSD_OP_REQUEST, 1000, 2048, 0);
	h.buf_alloc = 1000;
	guest_send_hdr(&h, NULL, 0);
	REQUIRE(guest_recv(NULL, 0).op == VSD_OP_RESPONSE);
	CHECK(write(E.peer[0], data, sizeof(data)) == sizeof(data));
	for (int round = 1; round <= 3; round++) {
		struct vsd_hdr u;

		pump();
		while ((h = guest_recv(buf, sizeof(buf))).op == VSD_OP_RW) {
			memcpy(got + total, buf, h.len);
			total += h.len;
		}
		CHECK_INT(total, 1000u * (unsigned)round);
		if (round < 3) {
			/* At zero credit the device asks for an update. */
			CHECK_INT(h.op, VSD_OP_CREDIT_REQUEST);
		}
		u = fdrv_hdr(VSD_OP_CREDIT_UPDATE, 1000, 2048, 0);
		u.buf_alloc = 1000;
		u.fwd_cnt = total;
		guest_send_hdr(&u, NULL, 0);
	}
	CHECK(memcmp(got, data, sizeof(data)) == 0);
	env_down();
}

/* With no receive buffer nothing is read from the host socket; the data
 * waits there and arrives once the guest offers buffers. */
static void test_rx_starved(void)
{
	char buf[4096];
	struct vsd_hdr h;

	REQUIRE(env_up(65536, 16, false) == 0);
	fdrv_rx_fill(&E.v, 1, 4096, false);
	REQUIRE(guest_connect(1000, 2048));
	CHECK(write(E.peer[0], "late data", 9) == 9);
	pump();
	CHECK_INT(guest_recv(NULL, 0).op, VSD_OP_INVALID);
	/* Waiting for buffers, the socket is out of the epoll set. */
	REQUIRE(E.d.conns.all);
	CHECK(E.d.conns.all->waiting);
	CHECK_INT(E.d.conns.all->events, 0);
	fdrv_rx_fill(&E.v, 4, 4096, true);
	vsd_guest_rx(&E.d);
	h = guest_recv(buf, sizeof(buf));
	CHECK_INT(h.op, VSD_OP_RW);
	CHECK(h.len == 9 && memcmp(buf, "late data", 9) == 0);
	env_down();
}

static void test_shutdown_handshake(void)
{
	char buf[64];
	struct vsd_hdr h;

	REQUIRE(env_up(65536, 16, false) == 0);
	fdrv_rx_fill(&E.v, 16, 4096, false);
	REQUIRE(guest_connect(1000, 2048));
	guest_send(VSD_OP_RW, 1000, 2048, "bye", 3);
	/* The guest stops sending: the host reads its data, then EOF... */
	h = fdrv_hdr(VSD_OP_SHUTDOWN, 1000, 2048, 0);
	h.flags = VSD_SHUTDOWN_SEND;
	guest_send_hdr(&h, NULL, 0);
	CHECK(peer_read(E.peer[0], buf, 3) && memcmp(buf, "bye", 3) == 0);
	CHECK(peer_eof(E.peer[0]));
	/* ... and can still answer. */
	CHECK(write(E.peer[0], "ok", 2) == 2);
	pump();
	h = guest_recv(buf, sizeof(buf));
	CHECK(h.op == VSD_OP_RW && h.len == 2);
	/* The host closes: the guest is told SHUTDOWN(SEND); both sides are
	 * done, so an RST follows and the connection is gone. */
	close(E.peer[0]);
	E.peer[0] = -1;
	pump();
	h = guest_recv(NULL, 0);
	CHECK_INT(h.op, VSD_OP_SHUTDOWN);
	CHECK_INT(h.flags, VSD_SHUTDOWN_SEND);
	h = guest_recv(NULL, 0);
	CHECK_INT(h.op, VSD_OP_RST);
	CHECK_INT(E.d.conns.count, 0);
	env_down();
}

static void test_guest_close_and_reset(void)
{
	struct vsd_hdr h;

	REQUIRE(env_up(65536, 16, false) == 0);
	fdrv_rx_fill(&E.v, 16, 4096, false);
	/* A guest close (SHUTDOWN with both flags) gets the closing RST. */
	REQUIRE(guest_connect(1000, 2048));
	h = fdrv_hdr(VSD_OP_SHUTDOWN, 1000, 2048, 0);
	h.flags = VSD_SHUTDOWN_SEND | VSD_SHUTDOWN_RCV;
	guest_send_hdr(&h, NULL, 0);
	CHECK_INT(guest_recv(NULL, 0).op, VSD_OP_RST);
	CHECK(peer_eof(E.peer[0]));
	CHECK_INT(E.d.conns.count, 0);
	/* A guest RST closes the host socket at once, unanswered. */
	REQUIRE(guest_connect(1001, 2048));
	guest_send(VSD_OP_RST, 1001, 2048, NULL, 0);
	CHECK_INT(guest_recv(NULL, 0).op, VSD_OP_INVALID);
	CHECK(peer_eof(E.peer[1]));
	/* The host end closing early: its EOF reaches the guest. */
	REQUIRE(guest_connect(1002, 2048));
	close(E.peer[2]);
	E.peer[2] = -1;
	pump();
	CHECK_INT(guest_recv(NULL, 0).op, VSD_OP_SHUTDOWN);
	/* Guest data towards a closed host socket resets the connection. */
	guest_send(VSD_OP_RW, 1002, 2048, "zz", 2);
	CHECK_INT(guest_recv(NULL, 0).op, VSD_OP_RST);
	CHECK_INT(E.d.conns.count, 0);
	env_down();
}

static void test_connection_limit(void)
{
	REQUIRE(env_up(65536, 2, false) == 0);
	fdrv_rx_fill(&E.v, 16, 4096, false);
	CHECK(guest_connect(1000, 2048));
	CHECK(guest_connect(1001, 2048));
	guest_send(VSD_OP_REQUEST, 1002, 2048, NULL, 0);
	CHECK_INT(guest_recv(NULL, 0).op, VSD_OP_RST);
	CHECK_INT(E.d.conns.count, 2);
	CHECK_INT(E.npeer, 2);
	/* A slot freed is a slot again. */
	guest_send(VSD_OP_RST, 1000, 2048, NULL, 0);
	CHECK(guest_connect(1002, 2048));
	env_down();
}

/* A receive chain the guest got wrong resets every connection; the
 * device goes on with the next good buffers. */
static void test_bad_rx_chain(void)
{
	REQUIRE(env_up(65536, 16, false) == 0);
	fdrv_rx_fill(&E.v, 2, 4096, false);
	REQUIRE(guest_connect(1000, 2048));
	REQUIRE(guest_connect(1001, 2048));
	/* A device-readable receive buffer. */
	fdrv_set_desc(&E.v, 0, 50, FDRV_GPA + FDRV_SCRATCH, 4096, 0, 0);
	E.v.q[0].in_use[50] = true;
	fdrv_publish(&E.v, 0, 50);
	CHECK(write(E.peer[0], "x", 1) == 1);
	pump();
	CHECK_INT(E.d.stats.guest_faults, 1);
	CHECK_INT(E.d.conns.count, 0);
	CHECK(peer_eof(E.peer[0]));
	CHECK(peer_eof(E.peer[1]));
	/* The bad chain came back empty. */
	{
		struct vsd_hdr h;

		CHECK(fdrv_rx_get(&E.v, &h, NULL, 0) == 0);
	}
	fdrv_rx_fill(&E.v, 8, 4096, false);
	vsd_guest_rx(&E.d);
	CHECK_INT(guest_recv(NULL, 0).op, VSD_OP_RST);
	CHECK_INT(guest_recv(NULL, 0).op, VSD_OP_RST);
	CHECK(guest_connect(1002, 2048));
	env_down();
}

/* A transmit ring that is garbage: the ring stops, connections reset. */
static void test_broken_tx_ring(void)
{
	uint16_t idx = FDRV_NUM * 3;

	REQUIRE(env_up(65536, 16, false) == 0);
	fdrv_rx_fill(&E.v, 8, 4096, false);
	REQUIRE(guest_connect(1000, 2048));
	memcpy(E.v.q[1].avail + 2, &idx, 2);
	vsd_guest_tx(&E.d);
	pump();
	CHECK(E.d.vq[VSD_TXQ].broken);
	CHECK_INT(E.d.conns.count, 0);
	CHECK(peer_eof(E.peer[0]));
	CHECK(!vsd_guest_running(&E.d));
	env_down();
}

static int host_connect(void)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", E.uds);
	if (fd >= 0 && connect(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

static void test_host_initiated(void)
{
	const char *hello = "CONNECT 5000\npayload";
	char buf[64];
	struct vsd_hdr h, r;
	int fd;

	REQUIRE(env_up(65536, 16, true) == 0);
	fdrv_rx_fill(&E.v, 16, 4096, false);
	fd = host_connect();
	REQUIRE(fd >= 0);
	CHECK(write(fd, hello, strlen(hello)) == (ssize_t)strlen(hello));
	pump();
	h = guest_recv(NULL, 0);
	CHECK_INT(h.op, VSD_OP_REQUEST);
	CHECK_INT(h.dst_port, 5000);
	CHECK_INT(h.src_port, VSD_HOST_PORT_BASE);
	CHECK_INT(h.dst_cid, FDRV_GUEST_CID);
	/* Nothing reaches the guest before it accepts. */
	CHECK_INT(guest_recv(NULL, 0).op, VSD_OP_INVALID);
	r = fdrv_hdr(VSD_OP_RESPONSE, 5000, h.src_port, 0);
	guest_send_hdr(&r, NULL, 0);
	memset(buf, 0, sizeof(buf));
	CHECK(peer_read(fd, buf, 14) && memcmp(buf, "OK 1073741824\n", 14) == 0);
	/* The bytes after the line were kept for the guest. */
	pump();
	h = guest_recv(buf, sizeof(buf));
	CHECK(h.op == VSD_OP_RW && h.len == 7 && memcmp(buf, "payload", 7) == 0);
	guest_send(VSD_OP_RW, 5000, VSD_HOST_PORT_BASE, "reply", 5);
	CHECK(peer_read(fd, buf, 5) && memcmp(buf, "reply", 5) == 0);
	CHECK_INT(E.d.stats.conns_host, 1);
	close(fd);

	/* No listener in the guest: its RST closes the host socket. */
	fd = host_connect();
	REQUIRE(fd >= 0);
	CHECK(write(fd, "CONNECT 6000\n", 13) == 13);
	pump();
	h = guest_recv(NULL, 0);
	while (h.op == VSD_OP_SHUTDOWN || h.op == VSD_OP_RST)
		h = guest_recv(NULL, 0); /* the first connection's end */
	CHECK_INT(h.op, VSD_OP_REQUEST);
	CHECK_INT(h.dst_port, 6000);
	CHECK(h.src_port != VSD_HOST_PORT_BASE);
	r = fdrv_hdr(VSD_OP_RST, 6000, h.src_port, 0);
	guest_send_hdr(&r, NULL, 0);
	CHECK(peer_eof(fd));
	close(fd);
	env_down();
}

static void test_bad_connect_lines(void)
{
	const char *bad[] = {
		"CONNECT\n", "CONNECT x\n", "CONNECT 4294967296\n",
		"CONNECT -1\n", "connect 5\n", "CONNECT 5 \n", "HELLO\n",
		"CONNECT 123456789012345678901234567890", /* no newline, too long */
	};

	REQUIRE(env_up(65536, 16, true) == 0);
	fdrv_rx_fill(&E.v, 16, 4096, false);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int fd = host_connect();

		REQUIRE(fd >= 0);
		CHECK(write(fd, bad[i], strlen(bad[i])) ==
		      (ssize_t)strlen(bad[i]));
		CHECK(peer_eof(fd));
		close(fd);
	}
	pump();
	CHECK_INT(guest_recv(NULL, 0).op, VSD_OP_INVALID);
	CHECK_INT(E.d.conns.count, 0);
	/* A line split over several writes is fine. */
	{
		int fd = host_connect();
		struct vsd_hdr h;

		REQUIRE(fd >= 0);
		CHECK(write(fd, "CONN", 4) == 4);
		pump();
		CHECK(write(fd, "ECT 77\n", 7) == 7);
		pump();
		h = guest_recv(NULL, 0);
		CHECK(h.op == VSD_OP_REQUEST && h.dst_port == 77);
		close(fd);
	}
	env_down();
}

static void test_host_connect_without_guest(void)
{
	int fd;

	REQUIRE(env_up(65536, 16, true) == 0);
	E.d.vq[VSD_RXQ].started = false;
	fd = host_connect();
	REQUIRE(fd >= 0);
	CHECK(peer_eof(fd));
	close(fd);
	env_down();
}

TEST_MAIN(test_connect_and_echo, test_refused_and_unknown, test_bad_packets,
	  test_duplicate_request, test_credit_violation, test_credit_update,
	  test_credit_update_small_guest,
	  test_guest_credit, test_rx_starved, test_shutdown_handshake,
	  test_guest_close_and_reset, test_connection_limit,
	  test_bad_rx_chain, test_broken_tx_ring, test_host_initiated,
	  test_bad_connect_lines, test_host_connect_without_guest)
