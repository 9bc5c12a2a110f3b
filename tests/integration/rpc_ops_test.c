// SPDX-License-Identifier: Apache-2.0
/*
 * Every op family through libvaccel-rpc.so and a real vaccel-agent child,
 * over unix and tcp, typed and in genop form: the agent runs them on the
 * reference plugin (tests/reference) and each result is compared with the
 * reference computed here from the caller's own arguments; exec runs
 * mytestfunc on the agent's exec plugin; sgemm and a TorchScript model run
 * on the agent's torch plugin and equal the reference and the local run.
 * Resources upload once; large resources stream in chunks; foreign ids and
 * incompatible versions are refused; a lost agent fails calls with
 * VACCEL_EIO and a new session reconnects; SIGTERM shuts the agent down
 * cleanly.
 */
#include "ref_check.h"
#include "reference.h"
#include "rpc_common.h"
#include "testing.h"
#include "torch_common.h"

#include <sys/stat.h>

static struct test_agent agent;
static char unix_path[108], unix_addr[160];


/* Exec is off on an agent by default: these tests run the example
 * library by path and as an uploaded resource. */
static const char *exec_flags[] = { "--exec-allow", NULL,
				    "--exec-allow-uploaded", NULL };

/* The agent loads the reference plugin last: FPGA-hinted sessions reach
 * it, everything else runs where it did before. */
static int start_agent(void)
{
	const char *addrs[] = { unix_addr, "tcp://127.0.0.1:0" };
	static char plugins[4096];

	snprintf(plugins, sizeof(plugins), "%s:%s",
		 getenv("VACCEL_TEST_AGENT_PLUGINS"),
		 getenv("VACCEL_TEST_REFERENCE"));
	setenv("VACCEL_TEST_AGENT_PLUGINS", plugins, 1);
	exec_flags[1] = getenv("VACCEL_TEST_MYTESTLIB");
	return test_agent_start(&agent, addrs, 2, exec_flags);
}

static const char *tcp_addr(void)
{
	return agent.addr[1];
}

static void report(const char *check, bool ok, const char *detail)
{
	if (!ok)
		fprintf(stderr, "reference check %s failed: %s\n", check,
			detail);
	CHECK(ok);
}

/* exec on the agent's exec plugin (a GENERIC session): mytestfunc doubles
 * its argument, typed, in genop form and from an uploaded resource. */
static void exec_ops(struct vaccel_session *e)
{
	const char *lib = getenv("VACCEL_TEST_MYTESTLIB");
	int32_t x = 21, y = 0;
	struct vaccel_arg rd = { &x, 4, VACCEL_ARG_INT32, 0, false };
	struct vaccel_arg wr = { &y, 4, VACCEL_ARG_INT32, 0, false };
	uint8_t op = VACCEL_OP_EXEC;
	char sym[] = "mytestfunc", libcopy[512];
	struct vaccel_resource res;

	CHECK_INT(vaccel_exec(e, lib, "mytestfunc", &rd, 1, &wr, 1), VACCEL_OK);
	CHECK_INT(y, 42);

	snprintf(libcopy, sizeof(libcopy), "%s", lib);
	{
		struct vaccel_arg g[] = {
			{ &op, 1, VACCEL_ARG_UINT8, 0, false },
			{ libcopy, strlen(libcopy) + 1, VACCEL_ARG_STRING, 0,
			  false },
			{ sym, sizeof(sym), VACCEL_ARG_STRING, 0, false },
			{ &x, 4, VACCEL_ARG_INT32, 0, false },
		};

		x = -7;
		y = 0;
		CHECK_INT(vaccel_genop(e, g, 4, &wr, 1), VACCEL_OK);
		CHECK_INT(y, -14);
	}

	REQUIRE(vaccel_resource_init(&res, lib, VACCEL_RESOURCE_LIB) == 0);
	x = 1000;
	y = 0;
	CHECK_INT(vaccel_resource_register(&res, e), VACCEL_OK);
	CHECK_INT(vaccel_exec_with_resource(e, &res, "mytestfunc", &rd, 1, &wr,
					    1),
		  VACCEL_OK);
	CHECK_INT(y, 2000);
	CHECK(res.remote_id > 0);
	vaccel_resource_release(&res);
}

/* sgemm on the agent's torch plugin equals the reference and the local
 * torch plugin bit for bit (small integers and halves: exact sums). */
static void test_sgemm_torch(void)
{
	struct vaccel_session s[2];
	float a[6 * 4], b[4 * 5], c[2][6 * 5], want[6 * 5];

	if (!getenv("VACCEL_TEST_TORCH"))
		SKIP("the torch plugin is not built");
	test_use_agent(unix_addr);

	for (int i = 0; i < 24; i++)
		a[i] = (float)(i % 7) - 2.0f;
	for (int i = 0; i < 20; i++)
		b[i] = (float)(i % 5) * 0.5f;
	for (int i = 0; i < 30; i++)
		want[i] = (float)i;
	ref_sgemm(6, 5, 4, 1.5f, a, 4, b, 5, 0.5f, want, 5);
	REQUIRE(vaccel_session_init(&s[0], VACCEL_PLUGIN_TORCH) == VACCEL_OK);
	REQUIRE(vaccel_session_init(&s[1], VACCEL_PLUGIN_TORCH |
						   VACCEL_PLUGIN_REMOTE) ==
		VACCEL_OK);
	for (int k = 0; k < 2; k++) {
		for (int i = 0; i < 30; i++)
			c[k][i] = (float)i;
		/* beta != 0: C is an input as well. */
		CHECK_INT(vaccel_sgemm(&s[k], 6, 5, 4, 1.5f, a, 4, b, 5, 0.5f,
				       c[k], 5),
			  VACCEL_OK);
		CHECK(memcmp(c[k], want, sizeof(want)) == 0);
	}
	vaccel_session_release(&s[0]);
	vaccel_session_release(&s[1]);
}

/* sgemm with ldc > n and beta == 0 into a C whose padding columns (n to
 * ldc) hold the caller's values: every element equals the local run's,
 * padding untouched, over UNIX and TCP. On the reference plugin (FPGA
 * hint on the agent; the local run is ref_sgemm here) and, when it is
 * built, on the torch plugin locally and on the agent. */
#define PAD_M 3
#define PAD_N 4
#define PAD_K 5
#define PAD_LDC 7

static void sgemm_padded(struct vaccel_session *s, float *c)
{
	float a[PAD_M * PAD_K], b[PAD_K * PAD_N];

	for (int i = 0; i < PAD_M * PAD_K; i++)
		a[i] = (float)(i % 5) - 1.0f;
	for (int i = 0; i < PAD_K * PAD_N; i++)
		b[i] = (float)(i % 3) * 0.5f;
	for (int i = 0; i < PAD_M * PAD_LDC; i++)
		c[i] = 100.0f + (float)i;
	if (s)
		CHECK_INT(vaccel_sgemm(s, PAD_M, PAD_N, PAD_K, 2.0f, a, PAD_K,
				       b, PAD_N, 0.0f, c, PAD_LDC),
			  VACCEL_OK);
	else
		ref_sgemm(PAD_M, PAD_N, PAD_K, 2.0f, a, PAD_K, b, PAD_N, 0.0f,
			  c, PAD_LDC);
}

static void check_padded(const float *got, const float *want, const char *how)
{
	for (int i = 0; i < PAD_M * PAD_LDC; i++)
		if (got[i] != want[i]) {
			fprintf(stderr, "%s: c[%d] (row %d, column %d) = %g, locally %g\n",
				how, i, i / PAD_LDC, i % PAD_LDC,
				(double)got[i], (double)want[i]);
			test__failures++;
		}
}

static void test_sgemm_padding(void)
{
	const char *addrs[] = { unix_addr, tcp_addr() };
	const char *names[] = { "unix", "tcp" };
	float want[PAD_M * PAD_LDC], want_torch[PAD_M * PAD_LDC];
	float c[PAD_M * PAD_LDC];
	bool torch = getenv("VACCEL_TEST_TORCH") != NULL;
	struct vaccel_session s;

	sgemm_padded(NULL, want);
	/* The padding stays the caller's. */
	CHECK(want[PAD_N] == 100.0f + PAD_N);
	if (torch) {
		test_use_agent(unix_addr);
		REQUIRE(vaccel_session_init(&s, VACCEL_PLUGIN_TORCH) == 0);
		sgemm_padded(&s, want_torch);
		vaccel_session_release(&s);
		check_padded(want_torch, want, "local torch vs reference");
	}
	for (int t = 0; t < 2; t++) {
		test_use_agent(addrs[t]);
		REQUIRE(vaccel_session_init(&s, VACCEL_PLUGIN_FPGA |
							VACCEL_PLUGIN_REMOTE) == 0);
		sgemm_padded(&s, c);
		vaccel_session_release(&s);
		check_padded(c, want, names[t]);
		if (!torch)
			continue;
		REQUIRE(vaccel_session_init(&s, VACCEL_PLUGIN_TORCH |
							VACCEL_PLUGIN_REMOTE) == 0);
		sgemm_padded(&s, c);
		vaccel_session_release(&s);
		check_padded(c, want_torch, names[t]);
	}
}

static void run_compare(const char *addr)
{
	struct vaccel_session rd, re;

	test_use_agent(addr);
	REQUIRE(vaccel_session_init(&rd, VACCEL_PLUGIN_FPGA |
						 VACCEL_PLUGIN_REMOTE) ==
		VACCEL_OK);
	REQUIRE(vaccel_session_init(&re, VACCEL_PLUGIN_GENERIC |
						 VACCEL_PLUGIN_REMOTE) ==
		VACCEL_OK);
	CHECK(rd.remote_id > 0);
	CHECK(rd.is_virtio);
	CHECK_INT(ref_check_ops(&rd, getenv("VACCEL_TEST_MYTESTLIB"),
				getenv("VACCEL_TEST_MYTESTLIB"), report),
		  0);
	exec_ops(&re);
	vaccel_session_release(&rd);
	vaccel_session_release(&re);
	CHECK(agent_wait_idle(addr, 1, 2000));
}

static void test_ops_unix(void)
{
	snprintf(unix_path, sizeof(unix_path), "/tmp/vaccel-rpc-test-%d.sock",
		 (int)getpid());
	snprintf(unix_addr, sizeof(unix_addr), "unix://%s", unix_path);
	REQUIRE(start_agent() == 0);
	REQUIRE(agent.nr == 2);
	run_compare(unix_addr);
}

static void test_ops_tcp(void)
{
	REQUIRE(strncmp(tcp_addr(), "tcp://127.0.0.1:", 16) == 0);
	run_compare(tcp_addr());
}

static void test_upload_once_and_chunks(void)
{
	struct vaccel_session s1, s2;
	struct vaccel_resource big, buf;
	struct rpc_stats st;
	char path[] = "/tmp/vaccel-rpc-big-XXXXXX";
	size_t size = (9u << 20) + 123; /* > 2 max frames */
	uint8_t *data = malloc(size), mem[1000];
	int fd;

	REQUIRE(data);
	for (size_t i = 0; i < size; i++)
		data[i] = (uint8_t)(i * 31 + 7);
	fd = mkstemp(path);
	REQUIRE(fd >= 0);
	REQUIRE(write(fd, data, size) == (ssize_t)size);
	close(fd);

	test_use_agent(unix_addr);
	REQUIRE(vaccel_session_init(&s1, VACCEL_PLUGIN_REMOTE) == 0);
	REQUIRE(vaccel_session_init(&s2, VACCEL_PLUGIN_REMOTE) == 0);
	REQUIRE(vaccel_resource_init(&big, path, VACCEL_RESOURCE_DATA) == 0);
	CHECK_INT(vaccel_resource_register(&big, &s1), VACCEL_OK);
	CHECK_INT(vaccel_resource_register(&big, &s2), VACCEL_OK);
	REQUIRE(agent_stats(unix_addr, &st) == 0);
	CHECK_INT(st.resources, 1);
	CHECK_INT(st.upload_bytes, size);
	CHECK_INT(st.sessions, 2);

	/* A memory resource comes back through sync. */
	memset(mem, 0x5a, sizeof(mem));
	REQUIRE(vaccel_resource_init_from_buf(&buf, mem, sizeof(mem),
					      VACCEL_RESOURCE_DATA, "m.bin",
					      true) == 0);
	CHECK_INT(vaccel_resource_register(&buf, &s1), VACCEL_OK);
	CHECK_INT(vaccel_resource_sync(&buf, &s1), VACCEL_OK);
	REQUIRE(buf.nr_blobs == 1 && buf.blobs[0]->data);
	CHECK(memcmp(buf.blobs[0]->data, mem, sizeof(mem)) == 0);
	vaccel_resource_release(&buf);

	CHECK_INT(vaccel_resource_unregister(&big, &s1), VACCEL_OK);
	REQUIRE(agent_stats(unix_addr, &st) == 0);
	CHECK_INT(st.resources, 1);
	CHECK_INT(vaccel_resource_unregister(&big, &s2), VACCEL_OK);
	REQUIRE(agent_stats(unix_addr, &st) == 0);
	CHECK_INT(st.resources, 0);
	CHECK_INT(st.upload_bytes, 0);
	vaccel_resource_release(&big);
	vaccel_session_release(&s1);
	vaccel_session_release(&s2);
	unlink(path);
	free(data);
	CHECK(agent_wait_idle(unix_addr, 1, 2000));
}

static void test_torch(void)
{
	const char *dir = getenv("VACCEL_TEST_TORCH");
	static float x[3 * 32 * 32];
	struct vaccel_torch_tensor *in, *out[2] = { NULL, NULL };
	struct vaccel_session s[2];
	struct vaccel_resource model;
	char path[512];

	if (!dir)
		SKIP("the torch plugin is not built");
	snprintf(path, sizeof(path), "%s/tiny_cnn.pt", dir);
	test_use_agent(unix_addr);
	REQUIRE(vaccel_resource_init(&model, path, VACCEL_RESOURCE_MODEL) == 0);
	in = tt_cnn_input(x);
	REQUIRE(in);
	REQUIRE(vaccel_session_init(&s[0], VACCEL_PLUGIN_TORCH) == 0);
	REQUIRE(vaccel_session_init(&s[1], VACCEL_PLUGIN_TORCH |
						   VACCEL_PLUGIN_REMOTE) == 0);
	for (int k = 0; k < 2; k++) {
		CHECK_INT(vaccel_resource_register(&model, &s[k]), VACCEL_OK);
		CHECK_INT(vaccel_torch_model_load(&s[k], &model), VACCEL_OK);
		CHECK_INT(vaccel_torch_model_run(&s[k], &model, NULL, &in, 1,
						 &out[k], 1),
			  VACCEL_OK);
	}
	REQUIRE(out[0] && out[1]);
	CHECK_INT(out[1]->data_type, out[0]->data_type);
	CHECK_INT(out[1]->nr_dims, out[0]->nr_dims);
	CHECK_INT(out[1]->size, out[0]->size);
	CHECK(out[0]->size && memcmp(out[0]->data, out[1]->data,
				     out[0]->size) == 0);
	vaccel_torch_tensor_delete(out[0]);
	vaccel_torch_tensor_delete(out[1]);
	vaccel_torch_tensor_delete(in);
	vaccel_resource_release(&model);
	vaccel_session_release(&s[0]);
	vaccel_session_release(&s[1]);
	CHECK(agent_wait_idle(unix_addr, 1, 2000));
}

static void test_foreign_ids_and_version(void)
{
	struct rpc_sess_req q = { 0, 0 };
	struct rpc_reply_prefix p;
	struct raw a, b, v;
	uint8_t buf[2048];
	size_t got, n;
	int code;

	REQUIRE(raw_connect(&a, unix_addr) == 0);
	REQUIRE(raw_connect(&b, unix_addr) == 0);
	CHECK_INT(raw_hello(&a, RPC_VERSION_MAJOR, &code),
		  RPC_MSG_HELLO | RPC_MSG_REPLY);
	CHECK_INT(raw_hello(&b, RPC_VERSION_MAJOR, &code),
		  RPC_MSG_HELLO | RPC_MSG_REPLY);
	n = rpc_sess_req_encode(buf, sizeof(buf), RPC_MSG_SESS_CREATE, &q);
	REQUIRE(raw_call(&a, RPC_MSG_SESS_CREATE, buf, n, buf, sizeof(buf),
			 &got, &code) == (RPC_MSG_SESS_CREATE | RPC_MSG_REPLY));
	REQUIRE(rpc_id_reply_decode(buf, got, &p, &q.sess_id) == 0);

	/* b may not touch a's session: it does not exist for b. */
	n = rpc_sess_req_encode(buf, sizeof(buf), RPC_MSG_SESS_DESTROY, &q);
	CHECK_INT(raw_call(&b, RPC_MSG_SESS_DESTROY, buf, n, buf, sizeof(buf),
			   &got, &code),
		  RPC_MSG_ERROR);
	CHECK_INT(code, VACCEL_ENOENT);
	CHECK(strstr((char *)buf, "unknown session") != NULL);
	/* a can. */
	n = rpc_sess_req_encode(buf, sizeof(buf), RPC_MSG_SESS_DESTROY, &q);
	CHECK_INT(raw_call(&a, RPC_MSG_SESS_DESTROY, buf, n, buf, sizeof(buf),
			   &got, &code),
		  RPC_MSG_SESS_DESTROY | RPC_MSG_REPLY);

	/* An incompatible version is refused with a clear error. */
	REQUIRE(raw_connect(&v, unix_addr) == 0);
	CHECK_INT(raw_hello(&v, RPC_VERSION_MAJOR + 1, &code), RPC_MSG_ERROR);
	CHECK_INT(code, VACCEL_ENOTSUP);
	CHECK(raw_closed_by_peer(&v, 2000));
	raw_close(&v);
	raw_close(&a);
	raw_close(&b);
	CHECK(agent_wait_idle(unix_addr, 1, 2000));
}

static void test_reconnect(void)
{
	struct vaccel_session s, s2;
	const char *addrs[] = { unix_addr };

	test_use_agent(unix_addr);
	REQUIRE(vaccel_session_init(&s, VACCEL_PLUGIN_REMOTE) == 0);
	CHECK_INT(vaccel_noop(&s), VACCEL_OK);
	CHECK_INT(test_agent_stop(&agent), 0);
	/* The agent is gone: a clear error, no crash, no hang. */
	CHECK_INT(vaccel_noop(&s), VACCEL_EIO);
	CHECK_INT(vaccel_noop(&s), VACCEL_EIO);
	CHECK(vaccel_session_init(&s2, VACCEL_PLUGIN_REMOTE) != VACCEL_OK);
	REQUIRE(test_agent_start(&agent, addrs, 1, exec_flags) == 0);
	/* The old session stays stale; a new one reconnects. */
	CHECK_INT(vaccel_noop(&s), VACCEL_EIO);
	REQUIRE(vaccel_session_init(&s2, VACCEL_PLUGIN_REMOTE) == 0);
	CHECK_INT(vaccel_noop(&s2), VACCEL_OK);
	CHECK_INT(vaccel_session_release(&s), VACCEL_OK);
	CHECK_INT(vaccel_session_release(&s2), VACCEL_OK);
}

static void test_shutdown(void)
{
	struct vaccel_session s;
	struct stat st;

	/* A client still connected does not keep the agent alive. */
	test_use_agent(unix_addr);
	REQUIRE(vaccel_session_init(&s, VACCEL_PLUGIN_REMOTE) == 0);
	CHECK(stat(unix_path, &st) == 0);
	CHECK_INT(test_agent_stop(&agent), 0);
	CHECK(stat(unix_path, &st) != 0);
	CHECK_INT(vaccel_noop(&s), VACCEL_EIO);
	vaccel_session_release(&s);
	vaccel_cleanup();
}

TEST_MAIN(test_ops_unix, test_ops_tcp, test_sgemm_torch, test_sgemm_padding,
	  test_upload_once_and_chunks,
	  test_torch, test_foreign_ids_and_version, test_reconnect,
	  test_shutdown)
