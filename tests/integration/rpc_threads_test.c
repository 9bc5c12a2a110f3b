// SPDX-License-Identifier: Apache-2.0
/*
 * Many threads of one client on one connection (docs/protocol.md,
 * "Request ids and ordering"), through libvaccel-rpc.so and a real agent
 * over UNIX and TCP:
 * - 8 threads x 100 exec calls, on sessions of their own and on one
 *   session they share, each result checked against its own input;
 * - concurrency proven without a clock: 8 calls of meet(dir, 8)
 *   (rpc_meetlib.c) return only when all 8 are inside the agent at once;
 * - the tenant's limit on running ops holds inside one connection;
 * and by hand-driven connections: a req_id that is still running is
 * refused, a flood of 2000 pipelined requests gets 2000 replies, a client
 * that closes with ops running leaves nothing behind;
 * - a worker that dies with several ops in flight: every call of the
 *   connection gets VACCEL_ESESS that names the death, a new session of
 *   the same process works, another connection is untouched.
 * Each client runs in a child process (hard_in_client: the plugin reads
 * its variables when it loads).
 */
#include "hardening_common.h"
#include "testing.h"

#include <pthread.h>
#include <sys/stat.h>

#define THREADS 8
#define CALLS 100

static char dir[] = "/tmp/vaccel-threads-XXXXXX";
static struct test_agent agent, tenant_agent;
static const char *lib;

#define CHILD_CHECK HARD_CHILD_CHECK

static int new_session(struct vaccel_session *s)
{
	/* GENERIC: the agent's exec plugin. */
	return vaccel_session_init(s, VACCEL_PLUGIN_REMOTE |
					      VACCEL_PLUGIN_GENERIC);
}

static int triple_call(struct vaccel_session *s, int32_t x, int32_t *y)
{
	struct vaccel_arg rd = { &x, 4, VACCEL_ARG_INT32, 0, false };
	struct vaccel_arg wr = { y, 4, VACCEL_ARG_INT32, 0, false };

	*y = 0;
	return vaccel_exec(s, lib, "triple", &rd, 1, &wr, 1);
}

static int meet_call(struct vaccel_session *s, const char *where, int32_t k,
		     int32_t *seen)
{
	struct vaccel_arg rd[] = {
		{ (void *)where, strlen(where) + 1, VACCEL_ARG_STRING, 0,
		  false },
		{ &k, 4, VACCEL_ARG_INT32, 0, false },
	};
	struct vaccel_arg wr = { seen, 4, VACCEL_ARG_INT32, 0, false };

	return vaccel_exec(s, lib, "meet", rd, 2, &wr, 1);
}

struct worker {
	pthread_t t;
	int index;
	struct vaccel_session *shared;
	const char *meet_dir;
	int32_t k;
	pthread_barrier_t *warm;
	int ret;
	int fails;
};

static void *calls(void *arg)
{
	struct worker *w = arg;
	struct vaccel_session own, *s = w->shared;

	if (!s) {
		if (new_session(&own)) {
			w->fails++;
			return NULL;
		}
		s = &own;
	}
	for (int i = 0; i < CALLS; i++) {
		int32_t x = w->index * 100000 + i, y;

		CHILD_CHECK(w->fails, triple_call(s, x, &y) == 0);
		CHILD_CHECK(w->fails, y == 3 * x + 1);
		if (i % 10 == 0)
			CHILD_CHECK(w->fails, vaccel_noop(s) == 0);
	}
	if (!w->shared)
		CHILD_CHECK(w->fails, vaccel_session_release(&own) == 0);
	return NULL;
}

static void *meets(void *arg)
{
	struct worker *w = arg;
	int32_t seen = 0, y;

	/* Every thread sends an op before any meets: from then on the
	 * plugin sends none with RPC_FLAG_SOLO, which would let the agent
	 * run a meet on its reading thread (docs/protocol.md). */
	if (triple_call(w->shared, 1, &y) || y != 4)
		w->fails++;
	pthread_barrier_wait(w->warm);
	w->ret = meet_call(w->shared, w->meet_dir, w->k, &seen);
	if (w->ret == 0 && seen < w->k && seen >= 0)
		w->fails++;
	return NULL;
}

static int case_results(void *arg)
{
	struct worker w[THREADS] = { 0 };
	struct vaccel_session shared;
	int fails = 0;

	(void)arg;
	if (new_session(&shared))
		return 100;
	/* Half the threads on sessions of their own, half on one. */
	for (int i = 0; i < THREADS; i++) {
		w[i].index = i;
		w[i].shared = i % 2 ? &shared : NULL;
		if (pthread_create(&w[i].t, NULL, calls, &w[i]))
			return 101;
	}
	for (int i = 0; i < THREADS; i++) {
		pthread_join(w[i].t, NULL);
		fails += w[i].fails;
	}
	CHILD_CHECK(fails, vaccel_session_release(&shared) == 0);
	return fails;
}

static void test_results(void)
{
	for (int i = 0; i < agent.nr; i++)
		CHECK_INT(hard_in_client(agent.addr[i], case_results, NULL), 0);
}

/* A fresh folder for one meeting. */
static void meet_dir(char *out, size_t cap, const char *name)
{
	snprintf(out, cap, "%s/%s", dir, name);
	mkdir(out, 0700);
}

static int case_meet(void *arg)
{
	struct worker w[THREADS] = { 0 };
	struct vaccel_session shared;
	pthread_barrier_t warm;
	int fails = 0;

	if (new_session(&shared))
		return 100;
	pthread_barrier_init(&warm, NULL, THREADS);
	for (int i = 0; i < THREADS; i++) {
		w[i].shared = &shared;
		w[i].warm = &warm;
		w[i].meet_dir = arg;
		w[i].k = THREADS;
		if (pthread_create(&w[i].t, NULL, meets, &w[i]))
			return 101;
	}
	for (int i = 0; i < THREADS; i++) {
		pthread_join(w[i].t, NULL);
		CHILD_CHECK(fails, w[i].ret == 0);
		fails += w[i].fails;
	}
	pthread_barrier_destroy(&warm);
	CHILD_CHECK(fails, vaccel_session_release(&shared) == 0);
	return fails;
}

static void test_concurrent(void)
{
	for (int i = 0; i < agent.nr; i++) {
		char d[256], name[16];

		snprintf(name, sizeof(name), "meet%d", i);
		meet_dir(d, sizeof(d), name);
		CHECK_INT(hard_in_client(agent.addr[i], case_meet, d), 0);
	}
}

/* Waits until `n` calls have arrived in meet folder d. */
static bool wait_arrivals(const char *d, int n)
{
	for (uint64_t end = test_now_ms() + TEST_WAIT_MIN_MS;
	     test_now_ms() < end; usleep(2000)) {
		if (test_dir_entries(d, "a.", NULL, 0) >= n)
			return true;
	}
	return false;
}

static void release(const char *d)
{
	char p[300];
	FILE *f;

	snprintf(p, sizeof(p), "%s/release", d);
	f = fopen(p, "w");
	if (f)
		fclose(f);
}

/* --tenant-max-ops 3: three ops of one connection run, a fourth is
 * refused with VACCEL_EBUSY while they do. */
static int case_tenant_ops(void *arg)
{
	const char *d = arg;
	struct worker w[3] = { 0 };
	struct vaccel_session s;
	pthread_barrier_t warm;
	int32_t y;
	int fails = 0, ret;

	if (new_session(&s))
		return 100;
	pthread_barrier_init(&warm, NULL, 3);
	for (int i = 0; i < 3; i++) {
		w[i].shared = &s;
		w[i].warm = &warm;
		w[i].meet_dir = d;
		w[i].k = 99;
		if (pthread_create(&w[i].t, NULL, meets, &w[i]))
			return 101;
	}
	CHILD_CHECK(fails, wait_arrivals(d, 3));
	ret = triple_call(&s, 1, &y);
	CHILD_CHECK(fails, ret == VACCEL_EBUSY);
	CHILD_CHECK(fails, strstr(vaccel_last_error_message(),
				  "--tenant-max-ops") != NULL);
	release(d);
	for (int i = 0; i < 3; i++) {
		pthread_join(w[i].t, NULL);
		CHILD_CHECK(fails, w[i].ret == 0);
	}
	pthread_barrier_destroy(&warm);
	/* The three gave their slots back. */
	CHILD_CHECK(fails, triple_call(&s, 1, &y) == 0 && y == 4);
	CHILD_CHECK(fails, vaccel_session_release(&s) == 0);
	return fails;
}

static void test_tenant_ops(void)
{
	char d[256];

	meet_dir(d, sizeof(d), "tenant");
	setenv("VACCEL_RPC_TOKEN", "threads-secret", 1);
	CHECK_INT(hard_in_client(tenant_agent.addr[0], case_tenant_ops, d), 0);
	unsetenv("VACCEL_RPC_TOKEN");
}

/* --- hand-driven connections --- */

/* An OP body of exec(lib, sym) with read args `rd` and one INT32 write
 * arg (no data sent). */
static size_t exec_body(uint8_t *out, size_t cap, int64_t sess,
			const char *sym, const struct rpc_arg *user,
			uint32_t nr_user)
{
	uint8_t op = VACCEL_OP_EXEC;
	struct rpc_arg rd[8], wr = { VACCEL_ARG_INT32, 0, 0, 4, NULL, 0 };
	struct rpc_op_req m = { sess, 3 + nr_user, 1, rd, &wr };
	static const uint8_t zeros[8];
	struct rpc_wbuf w;
	size_t n;

	rd[0] = (struct rpc_arg){ VACCEL_ARG_UINT8, 0, 0, 1, &op, 0 };
	rd[1] = (struct rpc_arg){ VACCEL_ARG_STRING, 0, 0, strlen(lib) + 1,
				  lib, 0 };
	rd[2] = (struct rpc_arg){ VACCEL_ARG_STRING, 0, 0, strlen(sym) + 1,
				  sym, 0 };
	for (uint32_t i = 0; i < nr_user; i++)
		rd[3 + i] = user[i];
	n = rpc_op_req_head_encode(out, cap, &m);
	rpc_wbuf_init(&w, out + n, cap - n);
	for (uint32_t i = 0; i < m.nr_read; i++) {
		rpc_put_bytes(&w, rd[i].data, (size_t)rd[i].size);
		rpc_put_bytes(&w, zeros, RPC_PAD(rd[i].size));
	}
	return w.overflow ? 0 : n + w.len;
}

static size_t meet_body(uint8_t *out, size_t cap, int64_t sess,
			const char *d, int32_t k)
{
	struct rpc_arg user[] = {
		{ VACCEL_ARG_STRING, 0, 0, strlen(d) + 1, d, 0 },
		{ VACCEL_ARG_INT32, 0, 0, 4, &k, 0 },
	};

	return exec_body(out, cap, sess, "meet", user, 2);
}

/* HELLO and a GENERIC session on a raw connection. */
static int64_t raw_generic(struct raw *r, const char *addr)
{
	struct rpc_sess_req q = { 0, VACCEL_PLUGIN_GENERIC };
	struct rpc_reply_prefix p;
	uint8_t buf[64], reply[64];
	size_t n, got = 0;
	int64_t id;
	int code;

	if (raw_connect(r, addr) ||
	    raw_hello(r, RPC_VERSION_MAJOR, &code) !=
		    (RPC_MSG_HELLO | RPC_MSG_REPLY))
		return -1;
	n = rpc_sess_req_encode(buf, sizeof(buf), RPC_MSG_SESS_CREATE, &q);
	if (hard_call(r, RPC_MSG_SESS_CREATE, buf, n, NULL, 0, reply, &got) ||
	    rpc_id_reply_decode(reply, got, &p, &id))
		return -1;
	return id;
}

/* Reads one whole frame. */
static int raw_frame(struct raw *r, struct rpc_hdr *h, uint8_t *buf,
		     size_t cap)
{
	if (rpc_conn_recv_hdr(&r->c, h) || h->length > cap)
		return -1;
	return rpc_conn_recv(&r->c, buf, h->length) ? -1 : 0;
}

static void test_duplicate_id(void)
{
	uint8_t body[1024], buf[2048];
	struct rpc_error e;
	struct rpc_hdr h;
	struct raw r;
	char d[256];
	int64_t s;
	size_t n;

	meet_dir(d, sizeof(d), "dup");
	s = raw_generic(&r, agent.addr[0]);
	REQUIRE(s > 0);
	n = meet_body(body, sizeof(body), s, d, 99);
	REQUIRE(n > 0);
	REQUIRE(rpc_conn_send(&r.c, RPC_MSG_OP, 500, body, n, NULL, 0) == 0);
	REQUIRE(wait_arrivals(d, 1));
	/* The same id again while the first runs: refused, the first goes
	 * on. */
	REQUIRE(rpc_conn_send(&r.c, RPC_MSG_OP, 500, body, n, NULL, 0) == 0);
	REQUIRE(raw_frame(&r, &h, buf, sizeof(buf)) == 0);
	CHECK_INT(h.type, RPC_MSG_ERROR);
	CHECK_INT(h.req_id, 500);
	REQUIRE(rpc_error_decode(buf, h.length, &e) == 0);
	CHECK_INT(e.code, VACCEL_EINVAL);
	CHECK(strstr(e.msg, "still running") != NULL);
	CHECK_INT(test_dir_entries(d, "a.", NULL, 0), 1);
	release(d);
	REQUIRE(raw_frame(&r, &h, buf, sizeof(buf)) == 0);
	CHECK_INT(h.type, RPC_MSG_OP | RPC_MSG_REPLY);
	CHECK_INT(h.req_id, 500);
	raw_close(&r);
	CHECK(agent_wait_idle(agent.addr[0], 0, 0));
}

#define FLOOD 2000

struct flood {
	struct raw *r;
	int64_t sess;
	int ret;
};

static void *flood_send(void *arg)
{
	struct flood *f = arg;
	int32_t x;
	struct rpc_arg user = { VACCEL_ARG_INT32, 0, 0, 4, &x, 0 };
	uint8_t body[512];

	for (x = 0; x < FLOOD; x++) {
		size_t n = exec_body(body, sizeof(body), f->sess, "triple",
				     &user, 1);

		if (!n || rpc_conn_send(&f->r->c, RPC_MSG_OP, (uint64_t)x + 1,
					body, n, NULL, 0)) {
			f->ret = -1;
			return NULL;
		}
	}
	return NULL;
}

static void test_flood(void)
{
	static bool seen[FLOOD + 1];
	struct flood f = { 0 };
	pthread_t t;
	struct raw r;
	int bad = 0;

	for (int i = 0; i < agent.nr; i++) {
		memset(seen, 0, sizeof(seen));
		f.sess = raw_generic(&r, agent.addr[i]);
		REQUIRE(f.sess > 0);
		f.r = &r;
		f.ret = 0;
		REQUIRE(pthread_create(&t, NULL, flood_send, &f) == 0);
		for (int k = 0; k < FLOOD; k++) {
			uint8_t buf[256];
			struct rpc_hdr h;
			int32_t y;

			if (raw_frame(&r, &h, buf, sizeof(buf)) ||
			    h.type != (RPC_MSG_OP | RPC_MSG_REPLY) ||
			    h.req_id < 1 || h.req_id > FLOOD ||
			    seen[h.req_id] ||
			    h.length != rpc_op_reply_head_size(1) + 4) {
				bad++;
				break;
			}
			seen[h.req_id] = true;
			/* The reply's data is 3x + 1 of its own request. */
			memcpy(&y, buf + h.length - 4, 4);
			if (y != 3 * (int32_t)(h.req_id - 1) + 1)
				bad++;
		}
		pthread_join(t, NULL);
		CHECK_INT(f.ret, 0);
		CHECK_INT(bad, 0);
		raw_close(&r);
	}
	CHECK(agent_wait_idle(agent.addr[0], 0, 0));
}

static void test_close_in_flight(void)
{
	uint8_t body[1024];
	struct raw r;
	char d[256];
	int64_t s;
	size_t n;

	meet_dir(d, sizeof(d), "close");
	s = raw_generic(&r, agent.addr[1]);
	REQUIRE(s > 0);
	n = meet_body(body, sizeof(body), s, d, 99);
	REQUIRE(n > 0);
	for (uint64_t id = 1; id <= 4; id++)
		REQUIRE(rpc_conn_send(&r.c, RPC_MSG_OP, id, body, n, NULL, 0) ==
			0);
	REQUIRE(wait_arrivals(d, 4));
	raw_close(&r);
	release(d);
	/* The ops end, their replies go nowhere, the session goes. */
	CHECK(agent_wait_idle(agent.addr[0], 0, 0));
}

/* Threads whose ops are parked in the agent when it dies. */
#define PARKED 4

static bool names_death(void)
{
	const char *m = vaccel_last_error_message();

	return m && strstr(m, "worker for this connection") &&
	       strstr(m, "killed by signal") && strstr(m, "OP request");
}

static void *parked(void *arg)
{
	struct worker *w = arg;
	int32_t seen = 0, y;

	if (triple_call(w->shared, 1, &y) || y != 4)
		w->fails++;
	pthread_barrier_wait(w->warm);
	w->ret = meet_call(w->shared, w->meet_dir, 99, &seen);
	/* The message is this thread's own. */
	if (w->ret == VACCEL_ESESS && !names_death())
		w->fails++;
	return NULL;
}

/* PARKED threads park meet() calls in the agent, then die() aborts the
 * worker: all PARKED + 1 calls return VACCEL_ESESS. */
static int case_die_in_flight(void *arg)
{
	struct worker w[PARKED] = { 0 };
	struct vaccel_session s, again;
	pthread_barrier_t warm;
	int32_t y;
	int fails = 0, ret;

	if (new_session(&s))
		return 100;
	pthread_barrier_init(&warm, NULL, PARKED);
	for (int i = 0; i < PARKED; i++) {
		w[i].shared = &s;
		w[i].warm = &warm;
		w[i].meet_dir = arg;
		if (pthread_create(&w[i].t, NULL, parked, &w[i]))
			return 101;
	}
	CHILD_CHECK(fails, wait_arrivals(arg, PARKED));
	ret = vaccel_exec(&s, lib, "die", NULL, 0, NULL, 0);
	CHILD_CHECK(fails, ret == VACCEL_ESESS);
	CHILD_CHECK(fails, names_death());
	for (int i = 0; i < PARKED; i++) {
		pthread_join(w[i].t, NULL);
		CHILD_CHECK(fails, w[i].ret == VACCEL_ESESS);
		fails += w[i].fails;
	}
	pthread_barrier_destroy(&warm);
	vaccel_session_release(&s);
	/* A new session reconnects to a new worker. */
	CHILD_CHECK(fails, new_session(&again) == 0);
	CHILD_CHECK(fails, triple_call(&again, 5, &y) == 0 && y == 16);
	CHILD_CHECK(fails, vaccel_session_release(&again) == 0);
	return fails;
}

static void test_die_in_flight(void)
{
	struct rpc_arg user[1];
	uint8_t body[1024], buf[256];
	int32_t x = 7, y = 0;
	struct rpc_reply_prefix p;
	struct raw other;
	uint64_t size = 0;
	int64_t s;
	size_t n, got = 0;
	int code;

	for (int i = 0; i < agent.nr; i++) {
		char d[256], name[16];

		/* Another client's connection, with a session, lives
		 * through the death. */
		s = raw_generic(&other, agent.addr[i]);
		REQUIRE(s > 0);
		snprintf(name, sizeof(name), "die%d", i);
		meet_dir(d, sizeof(d), name);
		CHECK_INT(hard_in_client(agent.addr[i], case_die_in_flight, d),
			  0);
		user[0] = (struct rpc_arg){ VACCEL_ARG_INT32, 0, 0, 4, &x, 0 };
		n = exec_body(body, sizeof(body), s, "triple", user, 1);
		REQUIRE(n > 0);
		CHECK_INT(raw_call(&other, RPC_MSG_OP, body, n, buf,
				   sizeof(buf), &got, &code),
			  RPC_MSG_OP | RPC_MSG_REPLY);
		y = 0;
		REQUIRE(got >= rpc_op_reply_head_size(1));
		CHECK_INT(rpc_op_reply_head_decode(buf, rpc_op_reply_head_size(1),
						   got, 1, NULL, &p, &size),
			  0);
		if (size == 4)
			memcpy(&y, buf + rpc_op_reply_head_size(1), 4);
		CHECK_INT(y, 22);
		raw_close(&other);
	}
	CHECK(agent_wait_idle(agent.addr[0], 0, 0));
}

static void test_setup(void)
{
	static char unix_addr[160], tenants[200], allow[4096];
	const char *addrs[] = { unix_addr, "tcp://127.0.0.1:0" };
	const char *extra[] = { "--exec-allow", allow, NULL };
	const char *textra[] = { "--exec-allow", allow, "--tenants", tenants,
				 "--tenant-max-ops", "3", NULL };
	const char *taddrs[] = { "tcp://127.0.0.1:0" };
	char p[300];
	FILE *f;

	lib = getenv("VACCEL_TEST_MEETLIB");
	REQUIRE(lib && mkdtemp(dir));
	snprintf(allow, sizeof(allow), "%s", lib);
	snprintf(unix_addr, sizeof(unix_addr), "unix://%s/agent.sock", dir);
	snprintf(tenants, sizeof(tenants), "%s/tenants", dir);
	REQUIRE(mkdir(tenants, 0700) == 0);
	snprintf(p, sizeof(p), "%s/one", tenants);
	f = fopen(p, "w");
	REQUIRE(f);
	fputs("threads-secret", f);
	fclose(f);
	REQUIRE(chmod(p, 0600) == 0);
	REQUIRE(test_agent_start(&agent, addrs, 2, extra) == 0);
	REQUIRE(agent.nr == 2);
	REQUIRE(test_agent_start(&tenant_agent, taddrs, 1, textra) == 0);
}

static void test_teardown(void)
{
	char cmd[256];

	CHECK_INT(test_agent_stop(&agent), 0);
	CHECK_INT(test_agent_stop(&tenant_agent), 0);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	CHECK_INT(system(cmd), 0);
}

TEST_MAIN(test_setup, test_results, test_concurrent, test_tenant_ops,
	  test_duplicate_id, test_flood, test_close_in_flight,
	  test_die_in_flight, test_teardown)
