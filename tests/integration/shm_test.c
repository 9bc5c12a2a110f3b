// SPDX-License-Identifier: Apache-2.0
/*
 * The shared-memory data path (docs/protocol.md, section 2b) through
 * libvaccel-rpc.so and a real vaccel-agent child on a UNIX socket. Every
 * op family that carries big data runs on the agent's reference plugin
 * (tests/reference) and its results, read from the caller's own buffers,
 * must equal the reference computed here from the same inputs: with the
 * region (default threshold, and every eligible item through it), without
 * it (VACCEL_RPC_SHM=0, an agent started with --no-shm, TCP, a region too
 * small for the items, a tenant whose byte limit refuses the region). The
 * agent's STATS say whether the region was used (shm_bytes, shm_items).
 * Torch runs give the same output tensors with and without the region; a
 * read arg larger than the frame limit works only through the region.
 */
#include "ref_check.h"
#include "reference.h"
#include "rpc_common.h"
#include "testing.h"
#include "torch_common.h"

#include <pthread.h>
#include <sys/stat.h>

#define ARG(p, n, t) ((struct vaccel_arg){ (void *)(p), (n), (t), 0, false })

static struct test_agent main_agent, small_agent, off_agent, tenant_agent;
static char unix_addr[160], small_addr[160], off_addr[160], tenant_addr[160];
static char tenant_dir[64];

/* Sizes of the big items: above the default threshold (16 KiB), one
 * above the 4 MiB frame limit. */
#define BIG_RAW (600u << 10)
#define BIG_N 100000
#define SG 128
#define HUGE_RAW (8u << 20)

static const char *exec_flags[] = { "--exec-allow", NULL, NULL };

static void use_client(const char *addr, const char *shm, const char *min)
{
	if (shm)
		setenv("VACCEL_RPC_SHM", shm, 1);
	else
		unsetenv("VACCEL_RPC_SHM");
	if (min)
		setenv("VACCEL_RPC_SHM_MIN", min, 1);
	else
		unsetenv("VACCEL_RPC_SHM_MIN");
	test_use_agent(addr);
}

static int start(struct test_agent *a, char *addr, const char *name,
		 const char **extra)
{
	static char plugins[4096];
	const char *addrs[2] = { addr, "tcp://127.0.0.1:0" };

	snprintf(addr, 160, "unix:///tmp/vaccel-shm-%s-%d.sock", name,
		 (int)getpid());
	if (!plugins[0]) {
		snprintf(plugins, sizeof(plugins), "%s:%s",
			 getenv("VACCEL_TEST_AGENT_PLUGINS"),
			 getenv("VACCEL_TEST_REFERENCE"));
		setenv("VACCEL_TEST_AGENT_PLUGINS", plugins, 1);
	}
	return test_agent_start(a, addrs, 2, extra);
}

static void test_start_agents(void)
{
	static const char *small[] = { "--shm-max-bytes", "65536", NULL };
	static const char *off[] = { "--no-shm", NULL };
	static const char *tenant[] = { "--tenants", tenant_dir,
					"--tenant-max-bytes", "1048576",
					NULL };
	char path[128];
	int fd;

	exec_flags[1] = getenv("VACCEL_TEST_MYTESTLIB");
	REQUIRE(start(&main_agent, unix_addr, "main", exec_flags) == 0);
	REQUIRE(start(&small_agent, small_addr, "small", small) == 0);
	REQUIRE(start(&off_agent, off_addr, "off", off) == 0);
	snprintf(tenant_dir, sizeof(tenant_dir), "/tmp/vaccel-shm-t-XXXXXX");
	REQUIRE(mkdtemp(tenant_dir));
	snprintf(path, sizeof(path), "%s/small", tenant_dir);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
	REQUIRE(fd >= 0);
	REQUIRE(write(fd, "shm-tenant-token", 16) == 16);
	close(fd);
	REQUIRE(start(&tenant_agent, tenant_addr, "tenant", tenant) == 0);
}

/* The agent's totals (--admin-stats): with one client connection at a
 * time they are that connection's. The tenant agent wants AUTH first. */
static void stats(const char *addr, struct rpc_stats *st)
{
	const char *token = getenv("VACCEL_RPC_TOKEN");
	uint8_t body[RPC_AUTH_HEAD_SIZE + 64], buf[64];
	struct raw r;
	size_t got;
	int code;

	memset(st, 0, sizeof(*st));
	if (!token) {
		CHECK(agent_stats(addr, st) == 0);
		return;
	}
	REQUIRE(raw_connect(&r, addr) == 0);
	CHECK(raw_hello(&r, RPC_VERSION_MAJOR, &code) ==
	      (RPC_MSG_HELLO | RPC_MSG_REPLY));
	CHECK(raw_call(&r, RPC_MSG_AUTH, body,
		       rpc_auth_encode(body, sizeof(body), token,
				       strlen(token)),
		       buf, sizeof(buf), &got,
		       &code) == (RPC_MSG_AUTH | RPC_MSG_REPLY));
	CHECK(raw_stats(&r, st) == 0);
	raw_close(&r);
}

/* Waits until the agent serves no client connection but the asker. */
static void wait_alone(const char *addr)
{
	struct rpc_stats st;
	uint64_t end = test_now_ms() + TEST_WAIT_MIN_MS;

	do {
		stats(addr, &st);
		if (st.connections == 1)
			return;
		usleep(20000);
	} while (test_now_ms() < end);
	CHECK_INT(st.connections, 1);
}

/* Big results, kept to compare the modes with each other as well. */
struct results {
	uint8_t *raw;          /* opencv write 0 (BIG_RAW bytes) */
	float c[SG * SG];      /* sgemm */
	double mm[BIG_N];      /* minmax out */
	float vadd[BIG_N];     /* fpga_vadd */
	unsigned char text[96], name[80];
};

static uint8_t *big_in;

static void fill_inputs(void)
{
	if (big_in)
		return;
	big_in = malloc(HUGE_RAW);
	REQUIRE(big_in);
	for (size_t i = 0; i < HUGE_RAW; i++)
		big_in[i] = (uint8_t)(i * 131 + (i >> 12));
}

/* The reference plugin's opencv genop on BIG_RAW bytes of `in` with k:
 * its outputs land in out (0xee before the call) and *tail; want and
 * *want_tail get what the reference computes from the same inputs.
 * Returns the call's code. */
static int opencv_run(struct vaccel_session *s, const uint8_t *in, int32_t k,
		      uint8_t *out, uint64_t *tail, uint8_t *want,
		      uint64_t *want_tail)
{
	uint8_t op = VACCEL_OP_OPENCV;
	struct vaccel_arg rd[] = {
		ARG(&op, 1, VACCEL_ARG_UINT8),
		ARG(in, BIG_RAW, VACCEL_ARG_RAW),
		ARG(&k, 4, VACCEL_ARG_INT32),
	};
	struct vaccel_arg wr[] = {
		ARG(out, BIG_RAW, VACCEL_ARG_RAW),
		ARG(tail, 8, VACCEL_ARG_UINT64),
	};
	struct vaccel_arg ww[] = {
		ARG(want, BIG_RAW, VACCEL_ARG_RAW),
		ARG(want_tail, 8, VACCEL_ARG_UINT64),
	};

	*tail = 0;
	memset(out, 0xee, BIG_RAW);
	ref_fill_args(ref_hash_args(REF_HASH_INIT, rd + 1, 2), ww, 2);
	return vaccel_genop(s, rd, 3, wr, 2);
}

static void check_opencv(struct vaccel_session *s, struct results *r)
{
	uint8_t *want = malloc(BIG_RAW);
	uint64_t tail, want_tail;

	REQUIRE(want);
	CHECK_INT(opencv_run(s, big_in, 7, r->raw, &tail, want, &want_tail),
		  VACCEL_OK);
	CHECK(memcmp(r->raw, want, BIG_RAW) == 0);
	CHECK(tail == want_tail);
	free(want);
}

static void check_sgemm(struct vaccel_session *s, struct results *r)
{
	static float a[SG * SG], b[SG * SG], want[SG * SG];

	for (int i = 0; i < SG * SG; i++) {
		a[i] = (float)(i % 7) - 3.0f;
		b[i] = (float)(i % 5) * 0.5f;
		r->c[i] = want[i] = (float)(i % 3);
	}
	ref_sgemm(SG, SG, SG, 1.5f, a, SG, b, SG, 0.5f, want, SG);
	CHECK_INT(vaccel_sgemm(s, SG, SG, SG, 1.5f, a, SG, b, SG, 0.5f, r->c,
			       SG),
		  VACCEL_OK);
	CHECK(memcmp(r->c, want, sizeof(want)) == 0);
}

static void check_minmax_vadd(struct vaccel_session *s, struct results *r)
{
	static double in[BIG_N], want[BIG_N];
	static float a[BIG_N], b[BIG_N], wv[BIG_N];
	double mn = 0, mx = 0, wmn, wmx;

	for (int i = 0; i < BIG_N; i++) {
		in[i] = (double)((i * 37) % 1001) - 200.5;
		a[i] = (float)(i % 11);
		b[i] = (float)(i % 13) * 0.5f;
	}
	ref_minmax(in, BIG_N, -50, 400, want, &wmn, &wmx);
	memset(r->mm, 0, sizeof(r->mm));
	CHECK_INT(vaccel_minmax(s, in, BIG_N, -50, 400, r->mm, &mn, &mx),
		  VACCEL_OK);
	CHECK(memcmp(r->mm, want, sizeof(want)) == 0 && mn == wmn &&
	      mx == wmx);
	ref_vadd(a, b, wv, BIG_N, BIG_N);
	memset(r->vadd, 0, sizeof(r->vadd));
	CHECK_INT(vaccel_fpga_vadd(s, a, b, r->vadd, BIG_N, BIG_N),
		  VACCEL_OK);
	CHECK(memcmp(r->vadd, wv, sizeof(wv)) == 0);
}

static void check_image(struct vaccel_session *s, struct results *r)
{
	unsigned char wtext[96], wname[80];

	ref_image_text("classify", big_in, BIG_RAW, wtext, sizeof(wtext));
	ref_image_text("classify-name", big_in, BIG_RAW, wname, sizeof(wname));
	memset(r->text, 0, sizeof(r->text));
	memset(r->name, 0, sizeof(r->name));
	CHECK_INT(vaccel_image_classification(s, big_in, r->text, r->name,
					      BIG_RAW, sizeof(r->text),
					      sizeof(r->name)),
		  VACCEL_OK);
	CHECK(strcmp((char *)r->text, (char *)wtext) == 0);
	CHECK(strcmp((char *)r->name, (char *)wname) == 0);
}

/* A read arg of 8 MiB: above the agent's 4 MiB frame limit, so only the
 * region can carry it. */
static int huge_op(struct vaccel_session *s)
{
	uint8_t op = VACCEL_OP_OPENCV;
	uint64_t out = 0, want;
	struct vaccel_arg rd[] = {
		ARG(&op, 1, VACCEL_ARG_UINT8),
		ARG(big_in, HUGE_RAW, VACCEL_ARG_RAW),
	};
	struct vaccel_arg wr[] = { ARG(&out, 8, VACCEL_ARG_UINT64) };
	struct vaccel_arg ww[] = { ARG(&want, 8, VACCEL_ARG_UINT64) };
	int ret = vaccel_genop(s, rd, 2, wr, 1);

	ref_fill_args(ref_hash_args(REF_HASH_INIT, rd + 1, 1), ww, 1);
	if (ret == VACCEL_OK)
		CHECK(out == want);
	return ret;
}

static void report(const char *check, bool ok, const char *detail)
{
	if (!ok)
		fprintf(stderr, "reference check %s failed: %s\n", check,
			detail);
	CHECK(ok);
}

enum expect { NO_REGION, REGION };

/* Runs the big checks on a reference session of `addr` and checks what
 * STATS says about the region; returns the agent's shm counters. */
static void run_mode(const char *addr, const char *stats_addr,
		     const char *shm, const char *min, enum expect want,
		     uint64_t want_bytes, struct results *r)
{
	struct vaccel_session s;
	struct rpc_stats st;

	fill_inputs();
	use_client(addr, shm, min);
	wait_alone(stats_addr);
	REQUIRE(vaccel_session_init(&s, VACCEL_PLUGIN_FPGA |
						VACCEL_PLUGIN_REMOTE) ==
		VACCEL_OK);
	check_opencv(&s, r);
	check_sgemm(&s, r);
	check_minmax_vadd(&s, r);
	check_image(&s, r);
	CHECK_INT(huge_op(&s), want == REGION && want_bytes > HUGE_RAW ?
				       VACCEL_OK :
				       VACCEL_EINVAL);
	stats(stats_addr, &st);
	if (want == REGION) {
		CHECK_INT(st.shm_bytes, want_bytes);
		CHECK(st.shm_items > 0);
	} else {
		CHECK_INT(st.shm_bytes, 0);
		CHECK_INT(st.shm_items, 0);
	}
	vaccel_session_release(&s);
}

static void results_alloc(struct results *r)
{
	memset(r, 0, sizeof(*r));
	r->raw = malloc(BIG_RAW);
	REQUIRE(r->raw);
}

static void same(const struct results *a, const struct results *b)
{
	CHECK(memcmp(a->raw, b->raw, BIG_RAW) == 0);
	CHECK(memcmp(a->c, b->c, sizeof(a->c)) == 0);
	CHECK(memcmp(a->mm, b->mm, sizeof(a->mm)) == 0);
	CHECK(memcmp(a->vadd, b->vadd, sizeof(a->vadd)) == 0);
	CHECK(memcmp(a->text, b->text, sizeof(a->text)) == 0);
	CHECK(memcmp(a->name, b->name, sizeof(a->name)) == 0);
}

static struct results with_region, without;

static void test_big_ops_region(void)
{
	results_alloc(&with_region);
	run_mode(unix_addr, unix_addr, NULL, NULL, REGION, 64u << 20,
		 &with_region);
}

static void test_big_ops_no_region(void)
{
	results_alloc(&without);
	run_mode(unix_addr, unix_addr, "0", NULL, NO_REGION, 0, &without);
	same(&with_region, &without);
}

/* Calls of several threads in flight at once share the region: each
 * thread's 600 KiB input and output must come back as its own, through a
 * region that holds them all and through one that holds two calls at a
 * time (the rest travel on the socket meanwhile). */
#define NR_THREADS 8
#define THREAD_CALLS 12

struct thread_job {
	struct vaccel_session *s;
	unsigned int k;
	int bad;
};

static void *thread_calls(void *arg)
{
	struct thread_job *j = arg;
	uint8_t *out = malloc(BIG_RAW), *want = malloc(BIG_RAW);

	for (unsigned int i = 0; i < THREAD_CALLS; i++) {
		/* An input no other call has at the same time. */
		const uint8_t *in = big_in + (j->k * THREAD_CALLS + i) * 4099u;
		uint64_t tail, want_tail;

		if (!out || !want ||
		    opencv_run(j->s, in, (int32_t)(j->k * 100 + i), out, &tail,
			       want, &want_tail) != VACCEL_OK ||
		    memcmp(out, want, BIG_RAW) != 0 || tail != want_tail)
			j->bad++;
	}
	free(out);
	free(want);
	return NULL;
}

static void run_threads(const char *bytes)
{
	struct thread_job jobs[NR_THREADS];
	pthread_t t[NR_THREADS];
	struct vaccel_session s;
	struct rpc_stats st;

	fill_inputs();
	use_client(unix_addr, NULL, NULL);
	setenv("VACCEL_RPC_SHM_BYTES", bytes, 1);
	wait_alone(unix_addr);
	REQUIRE(vaccel_session_init(&s, VACCEL_PLUGIN_FPGA |
						VACCEL_PLUGIN_REMOTE) ==
		VACCEL_OK);
	for (unsigned int k = 0; k < NR_THREADS; k++) {
		jobs[k] = (struct thread_job){ &s, k, 0 };
		REQUIRE(pthread_create(&t[k], NULL, thread_calls, &jobs[k]) ==
			0);
	}
	for (unsigned int k = 0; k < NR_THREADS; k++) {
		pthread_join(t[k], NULL);
		CHECK_INT(jobs[k].bad, 0);
	}
	stats(unix_addr, &st);
	CHECK_INT(st.shm_bytes, strtoull(bytes, NULL, 0));
	CHECK(st.shm_items > 0);
	vaccel_session_release(&s);
	unsetenv("VACCEL_RPC_SHM_BYTES");
}

static void test_threads_share_region(void)
{
	run_threads("67108864");
	run_threads("3145728");
}

/* Each refusal falls back to the socket with the same results. */
static void test_fallbacks(void)
{
	struct results r;

	results_alloc(&r);
	run_mode(off_addr, off_addr, NULL, NULL, NO_REGION, 0, &r);
	same(&with_region, &r);
	run_mode(main_agent.addr[1], unix_addr, NULL, NULL, NO_REGION, 0, &r);
	same(&with_region, &r);
	/* A 64 KiB region: the small items fit, the 600 KiB ones go on the
	 * socket. */
	run_mode(small_addr, small_addr, NULL, "1", REGION, 65536, &r);
	same(&with_region, &r);
	/* The tenant's byte limit (1 MiB) refuses a 64 MiB region. */
	setenv("VACCEL_RPC_TOKEN", "shm-tenant-token", 1);
	run_mode(tenant_addr, tenant_addr, NULL, NULL, NO_REGION, 0, &r);
	same(&with_region, &r);
	/* A region the tenant can afford is granted. */
	setenv("VACCEL_RPC_SHM_BYTES", "524288", 1);
	run_mode(tenant_addr, tenant_addr, NULL, "1", REGION, 524288, &r);
	same(&with_region, &r);
	unsetenv("VACCEL_RPC_SHM_BYTES");
	unsetenv("VACCEL_RPC_TOKEN");
	free(r.raw);
}

/* Every op family of the reference checks, with every item that may use
 * the region in it (threshold 1 byte). */
static void test_all_families_in_region(void)
{
	struct vaccel_session s;
	struct rpc_stats before, after;

	use_client(unix_addr, NULL, "1");
	wait_alone(unix_addr);
	REQUIRE(vaccel_session_init(&s, VACCEL_PLUGIN_FPGA |
						VACCEL_PLUGIN_REMOTE) ==
		VACCEL_OK);
	stats(unix_addr, &before);
	CHECK_INT(ref_check_ops(&s, getenv("VACCEL_TEST_MYTESTLIB"),
				getenv("VACCEL_TEST_MYTESTLIB"), report),
		  0);
	stats(unix_addr, &after);
	CHECK(after.shm_items > before.shm_items + 20);
	vaccel_session_release(&s);
}

/* Output of the tiny model on a session with `flags` (NULL on failure,
 * checked by the caller). */
static struct vaccel_torch_tensor *torch_run(uint32_t flags)
{
	static float x[3 * 32 * 32];
	struct vaccel_torch_tensor *in = tt_cnn_input(x), *out = NULL;
	struct vaccel_resource model;
	struct vaccel_session s;
	char path[512];

	snprintf(path, sizeof(path), "%s/tiny_cnn.pt",
		 getenv("VACCEL_TEST_TORCH"));
	if (!in || vaccel_resource_init(&model, path, VACCEL_RESOURCE_MODEL)) {
		vaccel_torch_tensor_delete(in);
		return NULL;
	}
	if (vaccel_session_init(&s, flags) == 0) {
		CHECK_INT(vaccel_resource_register(&model, &s), VACCEL_OK);
		CHECK_INT(vaccel_torch_model_load(&s, &model), VACCEL_OK);
		CHECK_INT(vaccel_torch_model_run(&s, &model, NULL, &in, 1,
						 &out, 1),
			  VACCEL_OK);
		vaccel_resource_unregister(&model, &s);
		vaccel_session_release(&s);
	}
	vaccel_resource_release(&model);
	vaccel_torch_tensor_delete(in);
	return out;
}

static void same_tensor(const struct vaccel_torch_tensor *a,
			const struct vaccel_torch_tensor *b)
{
	REQUIRE(a && b);
	CHECK_INT(a->data_type, b->data_type);
	CHECK_INT(a->nr_dims, b->nr_dims);
	CHECK_INT(a->size, b->size);
	CHECK(a->size && memcmp(a->data, b->data, a->size) == 0);
}

static void test_torch(void)
{
	struct vaccel_torch_tensor *local, *shm, *sock;
	struct rpc_stats st;

	if (!getenv("VACCEL_TEST_TORCH"))
		SKIP("the torch plugin is not built");
	use_client(unix_addr, NULL, "1");
	local = torch_run(VACCEL_PLUGIN_TORCH);
	shm = torch_run(VACCEL_PLUGIN_TORCH | VACCEL_PLUGIN_REMOTE);
	stats(unix_addr, &st);
	CHECK(st.shm_items > 0);
	use_client(unix_addr, "0", NULL);
	sock = torch_run(VACCEL_PLUGIN_TORCH | VACCEL_PLUGIN_REMOTE);
	stats(unix_addr, &st);
	CHECK_INT(st.shm_items, 0);
	same_tensor(local, shm);
	same_tensor(local, sock);
	vaccel_torch_tensor_delete(local);
	vaccel_torch_tensor_delete(shm);
	vaccel_torch_tensor_delete(sock);
}

static void test_stop(void)
{
	char path[128];

	vaccel_cleanup();
	CHECK_INT(test_agent_stop(&main_agent), 0);
	CHECK_INT(test_agent_stop(&small_agent), 0);
	CHECK_INT(test_agent_stop(&off_agent), 0);
	CHECK_INT(test_agent_stop(&tenant_agent), 0);
	snprintf(path, sizeof(path), "%s/small", tenant_dir);
	unlink(path);
	rmdir(tenant_dir);
	free(with_region.raw);
	free(without.raw);
	free(big_in);
}

TEST_MAIN(test_start_agents, test_big_ops_region, test_big_ops_no_region,
	  test_threads_share_region, test_fallbacks,
	  test_all_families_in_region, test_torch, test_stop)
