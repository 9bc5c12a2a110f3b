// SPDX-License-Identifier: Apache-2.0
/*
 * The agent against clients that die, flood it or send garbage: a client
 * killed mid-call or mid-upload leaves nothing behind; one slow call does
 * not stall other clients; 32 concurrent clients x 1000 ops see no error;
 * truncated, oversized, wrong-type and garbage frames close only the
 * offending connection; limits are enforced with error replies.
 */
#include "rpc_common.h"
#include "testing.h"

static struct test_agent agent;
static char addr[160];

/* Starts the helper with argv; its stdout comes back on *out_fd. */
static pid_t helper(char *const argv[], int *out_fd)
{
	int p[2];
	pid_t pid;

	if (pipe(p) < 0)
		return -1;
	pid = test_fork();
	if (pid == 0) {
		dup2(p[1], 1);
		close(p[0]);
		close(p[1]);
		setenv("VACCEL_PLUGINS", getenv("VACCEL_TEST_RPC_PLUGIN"), 1);
		setenv("VACCEL_RPC_ADDRESS", addr, 1);
		unsetenv("VACCEL_BOOTSTRAP_ENABLED");
		execv(getenv("VACCEL_TEST_HELPER"), argv);
		_exit(127);
	}
	close(p[1]);
	if (out_fd)
		*out_fd = p[0];
	else
		close(p[0]);
	return pid;
}

static bool wait_ready(int fd)
{
	char c = 0;
	struct pollfd p = { .fd = fd, .events = POLLIN };

	return poll(&p, 1, 10000) == 1 && read(fd, &c, 1) == 1 && c == 'R';
}

static int wait_exit(pid_t pid)
{
	int st;

	if (waitpid(pid, &st, 0) != pid)
		return -1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

static void test_start(void)
{
	/* The slow helper runs an uploaded library. */
	const char *extra[] = { "--exec-allow-uploaded", NULL };
	const char *addrs[1];

	snprintf(addr, sizeof(addr), "unix:///tmp/vaccel-rob-%d.sock",
		 (int)getpid());
	addrs[0] = addr;
	REQUIRE(test_agent_start(&agent, addrs, 1, extra) == 0);
}

static void test_kill_mid_call_and_no_stall(void)
{
	char *slow[] = { "helper", "slow", getenv("VACCEL_TEST_SLOWLIB"),
			 "4000", NULL };
	char *fast[] = { "helper", "noops", "300", NULL };
	uint64_t t0, t;
	pid_t s, f;
	int fd;

	s = helper(slow, &fd);
	REQUIRE(s > 0);
	REQUIRE(wait_ready(fd));
	usleep(200000);
	/* Another client is served while the slow call runs. */
	t0 = test_now_ms();
	f = helper(fast, NULL);
	CHECK_INT(wait_exit(f), 0);
	t = test_now_ms() - t0;
	/* Not a timing target: the point is that the noops completed while
	 * the slow call (started 200 ms earlier, 4 s long) was still running,
	 * i.e. they were not queued behind it. */
	CHECK(t + 200 < 4000);
	printf("300 noops during a 4 s call took %llu ms\n",
	       (unsigned long long)t);
	/* Killed mid-call: the call finishes, then all it owned goes. */
	kill(s, SIGKILL);
	wait_exit(s);
	close(fd);
	CHECK(agent_wait_idle(addr, 0, 10000));
}

static void test_kill_mid_upload(void)
{
	char *argv[] = { "helper", "upload", addr, NULL };
	struct rpc_stats st;
	pid_t pid;
	int fd;

	pid = helper(argv, &fd);
	REQUIRE(pid > 0);
	REQUIRE(wait_ready(fd));
	REQUIRE(agent_stats(addr, &st) == 0);
	CHECK_INT(st.sessions, 1);
	kill(pid, SIGKILL);
	wait_exit(pid);
	close(fd);
	CHECK(agent_wait_idle(addr, 0, 3000));
}

static void test_concurrent_clients(void)
{
	char *argv[] = { "helper", "noops", "1000", NULL };
	pid_t pids[32];
	int failed = 0;
	uint64_t t0 = test_now_ms();

	for (int i = 0; i < 32; i++)
		pids[i] = helper(argv, NULL);
	for (int i = 0; i < 32; i++)
		if (pids[i] <= 0 || wait_exit(pids[i]) != 0)
			failed++;
	CHECK_INT(failed, 0);
	printf("32 clients x 1000 noops: %llu ms\n",
	       (unsigned long long)(test_now_ms() - t0));
	CHECK(agent_wait_idle(addr, 0, 3000));
}

/* Sends raw bytes on a fresh connection (after HELLO when `hello`) and
 * checks that the agent closes it while `good` keeps working. */
static void bad_case(const char *what, const void *bytes, size_t n,
		     bool hello, bool half_close, struct raw *good)
{
	struct rpc_stats st;
	struct raw r;
	int code;

	REQUIRE(raw_connect(&r, addr) == 0);
	if (hello)
		REQUIRE(raw_hello(&r, RPC_VERSION_MAJOR, &code) ==
			(RPC_MSG_HELLO | RPC_MSG_REPLY));
	REQUIRE(write(r.c.s.fd, bytes, n) == (ssize_t)n);
	if (half_close)
		shutdown(r.c.s.fd, SHUT_WR);
	if (!raw_closed_by_peer(&r, 3000)) {
		fprintf(stderr, "case '%s': connection not closed\n", what);
		CHECK(!"bad frame closes the connection");
	}
	raw_close(&r);
	CHECK_INT(raw_stats(good, &st), 0);
}

static void frame(uint8_t *out, uint32_t len, uint16_t type, uint16_t flags)
{
	struct rpc_hdr h = { len, type, flags, 1 };

	rpc_hdr_encode(out, &h);
}

static void test_bad_frames(void)
{
	struct raw good;
	uint8_t b[256];
	int code;

	REQUIRE(raw_connect(&good, addr) == 0);
	REQUIRE(raw_hello(&good, RPC_VERSION_MAJOR, &code) ==
		(RPC_MSG_HELLO | RPC_MSG_REPLY));

	/* Truncated: 100 body bytes announced, 10 sent, then EOF. */
	frame(b, 100, RPC_MSG_OP, 0);
	memset(b + RPC_HDR_SIZE, 0, 10);
	bad_case("truncated", b, RPC_HDR_SIZE + 10, true, true, &good);
	/* Oversized: beyond the 4 MiB default. */
	frame(b, 5u << 20, RPC_MSG_OP, 0);
	bad_case("oversized", b, RPC_HDR_SIZE, true, false, &good);
	/* Unknown type, a reply type, reserved flags. */
	frame(b, 0, 0x55, 0);
	bad_case("unknown type", b, RPC_HDR_SIZE, true, false, &good);
	frame(b, 0, RPC_MSG_STATS | RPC_MSG_REPLY, 0);
	bad_case("reply type", b, RPC_HDR_SIZE, true, false, &good);
	frame(b, 0, RPC_MSG_STATS, 7);
	bad_case("flags", b, RPC_HDR_SIZE, true, false, &good);
	/* A chunk outside any upload. */
	frame(b, 16, RPC_MSG_RES_CHUNK, 0);
	memset(b + RPC_HDR_SIZE, 0, 16);
	bad_case("stray chunk", b, RPC_HDR_SIZE + 16, true, false, &good);
	/* Anything before HELLO. */
	frame(b, 0, RPC_MSG_STATS, 0);
	bad_case("before hello", b, RPC_HDR_SIZE, false, false, &good);
	/* Garbage. */
	for (int i = 0; i < 64; i++)
		b[i] = (uint8_t)(i * 97 + 13);
	bad_case("garbage", b, 64, false, false, &good);
	bad_case("garbage after hello", b, 64, true, false, &good);

	/* A well-framed but malformed body gets an error reply and the
	 * connection stays usable. */
	{
		uint8_t body[16] = { 0 }, reply[2048];
		struct rpc_stats st;

		body[8] = 0xff;
		body[9] = 0xff; /* nr_read = 65535 */
		CHECK_INT(raw_call(&good, RPC_MSG_OP, body, sizeof(body), reply,
				   sizeof(reply), NULL, &code),
			  RPC_MSG_ERROR);
		CHECK_INT(code, VACCEL_EINVAL);
		CHECK_INT(raw_stats(&good, &st), 0);
	}
	raw_close(&good);
	CHECK(agent_wait_idle(addr, 0, 3000));
}

static void test_limits(void)
{
	const char *extra[] = { "--max-sessions", "2", "--max-upload-bytes",
				"1000", NULL };
	struct test_agent lim;
	char laddr[160];
	const char *addrs[1] = { laddr };
	struct rpc_sess_req q = { 0, 0 };
	struct rpc_blob_desc bd = { VACCEL_BLOB_FILE, 3, 2000, "big" };
	struct rpc_res_register m = { 0, 0, VACCEL_RESOURCE_DATA, 1, &bd };
	struct rpc_reply_prefix p;
	static uint8_t chunk[RPC_CHUNK_HEAD_SIZE + 1000];
	uint8_t buf[2048];
	struct rpc_stats st;
	struct rpc_hdr h;
	struct rpc_error e;
	struct raw r;
	size_t got = 0, n;
	int code;

	snprintf(laddr, sizeof(laddr), "unix:///tmp/vaccel-lim-%d.sock",
		 (int)getpid());
	REQUIRE(test_agent_start(&lim, addrs, 1, extra) == 0);
	REQUIRE(raw_connect(&r, laddr) == 0);
	REQUIRE(raw_hello(&r, RPC_VERSION_MAJOR, &code) ==
		(RPC_MSG_HELLO | RPC_MSG_REPLY));
	for (int i = 0; i < 3; i++) {
		n = rpc_sess_req_encode(buf, sizeof(buf), RPC_MSG_SESS_CREATE,
					&q);
		code = raw_call(&r, RPC_MSG_SESS_CREATE, buf, n, buf,
				sizeof(buf), &got, &code) == RPC_MSG_ERROR ?
			       code :
			       0;
		if (i < 2)
			CHECK_INT(code, 0);
		else
			CHECK_INT(code, VACCEL_EUSERS);
		if (i == 0)
			rpc_id_reply_decode(buf, got, &p, &m.sess_id);
	}
	/* An upload over the byte limit: refused, its chunks skipped, and
	 * the connection goes on. */
	n = rpc_res_register_encode(buf, sizeof(buf), &m);
	REQUIRE(rpc_conn_send(&r.c, RPC_MSG_RES_REGISTER, 500, buf, n, NULL,
			      0) == 0);
	for (int i = 0; i < 2; i++) {
		rpc_chunk_head_encode(chunk, RPC_CHUNK_HEAD_SIZE, 0,
				      (uint64_t)i * 1000);
		REQUIRE(rpc_conn_send(&r.c, RPC_MSG_RES_CHUNK, 500, chunk,
				      sizeof(chunk), NULL, 0) == 0);
	}
	REQUIRE(rpc_conn_recv_hdr(&r.c, &h) == 0);
	CHECK_INT(h.type, RPC_MSG_ERROR);
	REQUIRE(h.length <= sizeof(buf));
	REQUIRE(rpc_conn_recv(&r.c, buf, h.length) == 0);
	REQUIRE(rpc_error_decode(buf, h.length, &e) == 0);
	CHECK_INT(e.code, VACCEL_ENOSPC);
	CHECK_INT(raw_stats(&r, &st), 0);
	CHECK_INT(st.sessions, 2);
	CHECK_INT(st.resources, 0);
	raw_close(&r);
	CHECK(agent_wait_idle(laddr, 0, 3000));
	CHECK_INT(test_agent_stop(&lim), 0);
}

static void test_help_and_stop(void)
{
	char *argv[] = { getenv("VACCEL_TEST_AGENT"), "--help", NULL };
	pid_t pid = test_fork();

	if (pid == 0) {
		int null = open("/dev/null", O_WRONLY);

		dup2(null, 1);
		execv(argv[0], argv);
		_exit(127);
	}
	CHECK_INT(wait_exit(pid), 0);
	CHECK_INT(test_agent_stop(&agent), 0);
}

TEST_MAIN(test_start, test_kill_mid_call_and_no_stall, test_kill_mid_upload,
	  test_concurrent_clients, test_bad_frames, test_limits,
	  test_help_and_stop)
