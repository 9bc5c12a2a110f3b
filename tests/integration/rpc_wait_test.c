// SPDX-License-Identifier: Apache-2.0
/*
 * How the rpc plugin waits for its agent (docs/protocol.md, "Timeouts"):
 * a peer that accepts and never answers fails the handshake with
 * VACCEL_ETIMEDOUT after VACCEL_RPC_HANDSHAKE_TIMEOUT_MS; an agent that
 * completes the handshake and then stalls fails a call with
 * VACCEL_ETIMEDOUT under VACCEL_RPC_TIMEOUT_MS, and the connection is
 * dropped (the next session starts on a new one); a slow op on the real
 * agent never times out without VACCEL_RPC_TIMEOUT_MS, whatever the
 * handshake's bound; VACCEL_RPC_POLL_US (client) and --poll-us (agent)
 * give the same results as without. Each case runs in a child process
 * (hard_in_client), because the plugin reads its variables when it loads.
 */
#include "hardening_common.h"
#include "testing.h"

#include <pthread.h>
#include <sys/un.h>

static char dir[] = "/tmp/vaccel-wait-XXXXXX";
static struct test_agent agent;

#define CHILD_CHECK HARD_CHILD_CHECK

/* A fake agent on a UNIX socket: accepts connections and, when `hello`,
 * answers the HELLO; then reads and drops everything, answering nothing.
 * Runs until the test process ends. */
struct fake {
	int fd;
	bool hello;
	char addr[160];
};

static void *fake_serve(void *arg)
{
	struct fake *f = arg;

	for (;;) {
		struct vaccel_stream s = { .fd = accept(f->fd, NULL, NULL) };
		struct rpc_conn c;
		struct rpc_hdr h;
		uint8_t body[64];

		if (s.fd < 0)
			return NULL;
		s.ops = vaccel__transport_get(VACCEL_ADDR_UNIX);
		if (rpc_conn_init(&c, &s, RPC_FRAME_HARD_MAX))
			return NULL;
		if (f->hello && !rpc_conn_recv_hdr(&c, &h) &&
		    h.length <= sizeof(body) && !rpc_conn_recv(&c, body, h.length)) {
			struct rpc_hello me = { RPC_MAGIC, RPC_VERSION_MAJOR,
						RPC_VERSION_MINOR,
						RPC_FRAME_DEFAULT, 0 };
			struct rpc_reply_prefix p = { 1, 2, 0 };
			uint8_t out[RPC_REPLY_PREFIX_SIZE + RPC_HELLO_SIZE];
			struct rpc_wbuf w;

			rpc_wbuf_init(&w, out, RPC_REPLY_PREFIX_SIZE);
			rpc_reply_prefix_put(&w, &p);
			rpc_hello_encode(out + RPC_REPLY_PREFIX_SIZE,
					 RPC_HELLO_SIZE, &me);
			rpc_conn_send(&c, RPC_MSG_HELLO | RPC_MSG_REPLY,
				      h.req_id, out, sizeof(out), NULL, 0);
		}
		/* Silent from here on: the fd stays open (the client must
		 * not see an end of stream, only silence), the buffer goes. */
		c.s.fd = -1;
		rpc_conn_release(&c);
	}
}

static int fake_start(struct fake *f, const char *name, bool hello)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	pthread_t t;

	f->hello = hello;
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/%s", dir, name);
	snprintf(f->addr, sizeof(f->addr), "unix://%s", sa.sun_path);
	f->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (f->fd < 0 || bind(f->fd, (struct sockaddr *)&sa, sizeof(sa)) ||
	    listen(f->fd, 8))
		return -1;
	if (pthread_create(&t, NULL, fake_serve, f))
		return -1;
	pthread_detach(t);
	return 0;
}

static struct fake silent, stalled;

/* Runs fn in a client child with `var` set to `value` (NULL: unset). */
static int with_env(const char *var, const char *value, const char *addr,
		    int (*fn)(void *), void *arg)
{
	int ret;

	if (value)
		setenv(var, value, 1);
	else
		unsetenv(var);
	ret = hard_in_client(addr, fn, arg);
	unsetenv(var);
	return ret;
}

static int case_handshake_timeout(void *arg)
{
	struct vaccel_session s;
	int fails = 0;

	(void)arg;
	CHILD_CHECK(fails, vaccel_session_init(&s, VACCEL_PLUGIN_REMOTE) ==
				   VACCEL_ETIMEDOUT);
	CHILD_CHECK(fails, strstr(vaccel_last_error_message(),
				  "did not answer within 200 ms during HELLO"));
	return fails;
}

static void test_handshake_timeout(void)
{
	CHECK_INT(with_env("VACCEL_RPC_HANDSHAKE_TIMEOUT_MS", "200",
			   silent.addr, case_handshake_timeout, NULL),
		  0);
}

static int case_call_timeout(void *arg)
{
	struct vaccel_session s;
	int fails = 0;

	(void)arg;
	CHILD_CHECK(fails, vaccel_session_init(&s, VACCEL_PLUGIN_REMOTE) ==
				   VACCEL_ETIMEDOUT);
	CHILD_CHECK(fails,
		    strstr(vaccel_last_error_message(),
			   "did not answer within 200 ms during SESS_CREATE"));
	/* The connection was dropped: the next session starts on a new
	 * one (the fake answers its HELLO again, then stalls again). */
	CHILD_CHECK(fails, vaccel_session_init(&s, VACCEL_PLUGIN_REMOTE) ==
				   VACCEL_ETIMEDOUT);
	return fails;
}

static void test_call_timeout(void)
{
	CHECK_INT(with_env("VACCEL_RPC_TIMEOUT_MS", "200", stalled.addr,
			   case_call_timeout, NULL),
		  0);
}

/* slowfn sleeps `ms` on the agent; the call must succeed (or time out,
 * when `want` says so). */
struct slow_case {
	int32_t ms;
	int want;
	const char *addr;
};

static int slow_call(void *arg)
{
	const struct slow_case *k = arg;
	const char *lib = getenv("VACCEL_TEST_SLOWLIB");
	struct vaccel_session s;
	int32_t ms = k->ms, one = 0;
	struct vaccel_arg rd = { &ms, 4, VACCEL_ARG_INT32, 0, false };
	struct vaccel_arg wr = { &one, 4, VACCEL_ARG_INT32, 0, false };
	int fails = 0, ret;

	/* GENERIC: the agent's exec plugin, not its first one (noop). */
	if (vaccel_session_init(&s, VACCEL_PLUGIN_REMOTE | VACCEL_PLUGIN_GENERIC))
		return 101;
	ret = vaccel_exec(&s, lib, "slowfn", &rd, 1, &wr, 1);
	CHILD_CHECK(fails, ret == k->want);
	CHILD_CHECK(fails, k->want != VACCEL_OK || one == 1);
	if (k->want == VACCEL_ETIMEDOUT) {
		/* That session is stale (its release has nothing to do on
		 * the agent); a new one reconnects and works. */
		CHILD_CHECK(fails, vaccel_session_release(&s) == VACCEL_OK);
		ms = 0;
		one = 0;
		CHILD_CHECK(fails, vaccel_session_init(&s, VACCEL_PLUGIN_REMOTE |
							      VACCEL_PLUGIN_GENERIC) == 0);
		CHILD_CHECK(fails,
			    vaccel_exec(&s, lib, "slowfn", &rd, 1, &wr, 1) == 0);
		CHILD_CHECK(fails, one == 1);
	}
	CHILD_CHECK(fails, vaccel_session_release(&s) == 0);
	return fails;
}

static void test_slow_ops(void)
{
	for (int i = 0; i < agent.nr; i++) {
		struct slow_case ok = { 600, VACCEL_OK, agent.addr[i] };
		struct slow_case late = { 1500, VACCEL_ETIMEDOUT,
					  agent.addr[i] };
		struct slow_case fast = { 10, VACCEL_OK, agent.addr[i] };

		/* The handshake's bound is not a bound on calls. */
		CHECK_INT(with_env("VACCEL_RPC_HANDSHAKE_TIMEOUT_MS", "100",
				   ok.addr, slow_call, &ok),
			  0);
		CHECK_INT(with_env("VACCEL_RPC_TIMEOUT_MS", "100", late.addr,
				   slow_call, &late),
			  0);
		/* A bound above the call, and polling on both sides. */
		setenv("VACCEL_RPC_POLL_US", "200", 1);
		CHECK_INT(with_env("VACCEL_RPC_TIMEOUT_MS", "60000", fast.addr,
				   slow_call, &fast),
			  0);
		unsetenv("VACCEL_RPC_POLL_US");
	}
	/* The stale connection's worker finished its op and left. */
	CHECK(agent_wait_idle(agent.addr[0], 0, 0));
}

static int nothing(void *arg)
{
	(void)arg;
	return 0;
}

static void test_bad_values(void)
{
	static const char *vars[] = { "VACCEL_RPC_TIMEOUT_MS",
				      "VACCEL_RPC_HANDSHAKE_TIMEOUT_MS",
				      "VACCEL_RPC_POLL_US" };

	/* The plugin's load fails: the child's bootstrap returns it. */
	for (size_t i = 0; i < sizeof(vars) / sizeof(vars[0]); i++)
		CHECK_INT(with_env(vars[i], "12x", silent.addr, nothing, NULL),
			  VACCEL_EINVAL);
}

static void setup(void)
{
	static char unix_addr[160], allow[4096];
	const char *addrs[] = { unix_addr, "tcp://127.0.0.1:0" };
	const char *extra[] = { "--exec-allow", allow, "--poll-us", "100",
				NULL };

	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		exit(1);
	}
	snprintf(allow, sizeof(allow), "%s", getenv("VACCEL_TEST_SLOWLIB"));
	snprintf(unix_addr, sizeof(unix_addr), "unix://%s/agent.sock", dir);
	if (fake_start(&silent, "silent.sock", false) ||
	    fake_start(&stalled, "stalled.sock", true) ||
	    test_agent_start(&agent, addrs, 2, extra) || agent.nr != 2) {
		fprintf(stderr, "setup failed\n");
		exit(1);
	}
	unsetenv("VACCEL_RPC_TIMEOUT_MS");
	unsetenv("VACCEL_RPC_HANDSHAKE_TIMEOUT_MS");
	unsetenv("VACCEL_RPC_POLL_US");
}

static void test_teardown(void)
{
	char cmd[256];

	CHECK_INT(test_agent_stop(&agent), 0);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	CHECK_INT(system(cmd), 0);
}

static void test_setup(void)
{
	setup();
}

TEST_MAIN(test_setup, test_handshake_timeout, test_call_timeout,
	  test_slow_ops, test_bad_values, test_teardown)
