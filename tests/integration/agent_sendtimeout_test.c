// SPDX-License-Identifier: Apache-2.0
/*
 * The agent's send bound (--send-timeout, docs/security.md): a raw client
 * asks for replies far bigger than the socket buffers hold (execs with a
 * 2 MiB write argument, which come back whole) and never reads. With
 * --send-timeout 1 the agent logs and closes that connection; STATS from
 * another client shows it gone and everything it held released, another
 * client works meanwhile, what the stuck client does get is a torn stream
 * (never all its replies), and SIGTERM then ends an agent that has a
 * stuck client promptly (without the bound it never would).
 *
 * The durations asserted are generous bounds (the tests also run under
 * qemu-user on loaded machines), never measurements.
 */
#include "hardening_common.h"
#include "testing.h"

#include <sys/stat.h>

static struct test_agent agent;
static char dir[] = "/tmp/vaccel-sendto-XXXXXX";
static char logpath[192];

/* Replies: each far more than a socket buffer, all of them more than
 * any loopback buffering (TCP autotuning included). */
#define BIG_REPLY (2u << 20)
#define NR_BIG 16

/* An exec of rpc_slowlib's slowfn (0 ms) whose write argument is
 * BIG_REPLY bytes of RAW (slowfn leaves it alone): the agent sends it
 * back whole. Returns the body length (0: did not fit). */
static size_t big_op_body(uint8_t *out, size_t cap, int64_t sess)
{
	const char *lib = getenv("VACCEL_TEST_SLOWLIB");
	uint8_t op = VACCEL_OP_EXEC;
	int32_t ms = 0;
	struct rpc_arg rd[4] = {
		{ VACCEL_ARG_UINT8, 0, 0, 1, &op, 0 },
		{ VACCEL_ARG_STRING, 0, 0, strlen(lib) + 1, lib, 0 },
		{ VACCEL_ARG_STRING, 0, 0, sizeof("slowfn"), "slowfn", 0 },
		{ VACCEL_ARG_INT32, 0, 0, sizeof(ms), &ms, 0 },
	};
	struct rpc_arg wr = { VACCEL_ARG_RAW, 0, 0, BIG_REPLY, NULL, 0 };
	struct rpc_op_req m = { sess, 4, 1, rd, &wr };
	struct rpc_wbuf w;
	size_t n = rpc_op_req_head_encode(out, cap, &m);

	rpc_wbuf_init(&w, out + n, cap - n);
	for (int i = 0; i < 4; i++) {
		rpc_put_bytes(&w, rd[i].data, rd[i].size);
		rpc_put_bytes(&w, "\0\0\0\0\0\0\0", RPC_PAD(rd[i].size));
	}
	return n && !w.overflow ? n + w.len : 0;
}

/* A client that asks for NR_BIG big replies and reads none of them. */
static int stuck_client(struct raw *r, const char *addr)
{
	uint8_t body[512];
	int64_t sess;
	size_t n;
	int code;

	if (raw_connect(r, addr))
		return -1;
	if (raw_hello(r, RPC_VERSION_MAJOR, &code) !=
	    (RPC_MSG_HELLO | RPC_MSG_REPLY))
		return -1;
	sess = hard_sess_create(r);
	n = sess < 0 ? 0 : big_op_body(body, sizeof(body), sess);
	if (!n)
		return -1;
	/* The requests are small: they all fit in the socket at once. */
	for (int i = 0; i < NR_BIG; i++)
		if (rpc_conn_send(&r->c, RPC_MSG_OP, ++r->next, body, n, NULL,
				  0))
			return -1;
	return 0;
}

/* The agent holds `conns` served connections besides the asker. */
static bool wait_conns(const char *addr, unsigned int conns)
{
	uint64_t end = test_now_ms() + TEST_WAIT_MIN_MS;
	struct rpc_stats st = { 0 };

	do {
		if (agent_stats(addr, &st) == 0 && st.connections == conns + 1)
			return true;
		usleep(20000);
	} while (test_now_ms() < end);
	fprintf(stderr, "agent has %u connections, expected %u\n",
		st.connections, conns + 1);
	return false;
}

/* Reads what the stuck client was sent until the end of the stream;
 * returns the byte count, or -1 when the stream did not end. */
static long long drain(struct raw *r)
{
	static char buf[1 << 16];
	struct pollfd p = { .fd = r->c.s.fd, .events = POLLIN };
	long long total = 0;

	while (poll(&p, 1, TEST_WAIT_MIN_MS) == 1) {
		ssize_t n = recv(r->c.s.fd, buf, sizeof(buf), 0);

		if (n == 0 || (n < 0 && errno == ECONNRESET))
			return total;
		if (n < 0 && errno != EINTR)
			return -1;
		if (n > 0)
			total += n;
	}
	return -1;
}

/* Whether the agent's log has `what`. */
static bool logged(const char *what)
{
	static char text[1 << 20];
	FILE *f = fopen(logpath, "r");
	size_t n;

	if (!f)
		return false;
	n = fread(text, 1, sizeof(text) - 1, f);
	fclose(f);
	text[n] = '\0';
	return strstr(text, what) != NULL;
}

static void test_start(void)
{
	static char unix_addr[160];
	const char *addrs[] = { unix_addr, "tcp://127.0.0.1:0" };
	static char allow[4096];
	const char *extra[] = { "--send-timeout", "1", "-l", "3",
				"--exec-allow", allow, NULL };
	int saved[2], fd;

	REQUIRE(mkdtemp(dir) != NULL);
	snprintf(unix_addr, sizeof(unix_addr), "unix://%s/agent.sock", dir);
	snprintf(logpath, sizeof(logpath), "%s/agent.log", dir);
	snprintf(allow, sizeof(allow), "%s", getenv("VACCEL_TEST_SLOWLIB"));
	/* The agent's log (stdout and stderr) goes to a file the test
	 * reads. */
	fflush(NULL);
	saved[0] = dup(1);
	saved[1] = dup(2);
	fd = open(logpath, O_CREAT | O_WRONLY | O_TRUNC | O_CLOEXEC, 0600);
	REQUIRE(saved[0] >= 0 && saved[1] >= 0 && fd >= 0);
	dup2(fd, 1);
	dup2(fd, 2);
	close(fd);
	fd = test_agent_start(&agent, addrs, 2, extra);
	dup2(saved[0], 1);
	dup2(saved[1], 2);
	close(saved[0]);
	close(saved[1]);
	REQUIRE(fd == 0 && agent.nr == 2);
}

static void test_stuck_client_closed(void)
{
	for (int i = 0; i < agent.nr; i++) {
		const char *addr = agent.addr[i];
		struct raw stuck, other;
		long long got;

		REQUIRE(stuck_client(&stuck, addr) == 0);
		/* Another client is served meanwhile. */
		CHECK(raw_connect(&other, addr) == 0);
		{
			int code;

			CHECK_INT(raw_hello(&other, RPC_VERSION_MAJOR, &code),
				  RPC_MSG_HELLO | RPC_MSG_REPLY);
		}
		CHECK(hard_sess_create(&other) > 0);
		/* The stuck connection goes, with its session; the other
		 * one stays. */
		CHECK(wait_conns(addr, 1));
		{
			struct rpc_stats st;

			CHECK(agent_stats(addr, &st) == 0 && st.sessions == 1);
		}
		raw_close(&other);
		CHECK(agent_wait_idle(addr, 0, 0));
		/* What the stuck client gets is part of its replies, then the
		 * end: the timeout never passed for a sent reply. */
		got = drain(&stuck);
		CHECK(got >= 0);
		CHECK(got < (long long)NR_BIG * BIG_REPLY);
		raw_close(&stuck);
	}
	CHECK(logged("the client read none of the OP reply for 1 s (--send-timeout), closing"));
}

/* SIGTERM lets calls in flight finish and their replies go: a client
 * that reads none of them holds the shutdown up to the bound only. */
static void test_shutdown_with_stuck_client(void)
{
	struct raw stuck;
	uint64_t end;
	pid_t pid = agent.pid;
	int st = 0;
	pid_t w = 0;

	REQUIRE(stuck_client(&stuck, agent.addr[0]) == 0);
	/* Its worker has the connection (and is stuck in a reply). */
	CHECK(wait_conns(agent.addr[0], 1));
	kill(pid, SIGTERM);
	end = test_now_ms() + TEST_WAIT_MIN_MS;
	while ((w = waitpid(pid, &st, WNOHANG)) == 0 && test_now_ms() < end)
		usleep(20000);
	if (w != pid) {
		/* Today's hang: fail, and leave nothing behind. */
		kill(pid, SIGKILL);
		waitpid(pid, &st, 0);
	}
	CHECK(w == pid);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	agent.pid = 0;
	raw_close(&stuck);
}

static void test_teardown(void)
{
	char cmd[256];

	if (agent.pid > 0)
		test_agent_stop(&agent);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	CHECK_INT(system(cmd), 0);
}

TEST_MAIN(test_start, test_stuck_client_closed,
	  test_shutdown_with_stuck_client, test_teardown)
