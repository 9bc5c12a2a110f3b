// SPDX-License-Identifier: Apache-2.0
/*
 * Every example op through libvaccel-rpc.so and a real vaccel-agent child
 * gives the same result as running locally; resources upload once; large
 * resources stream in chunks; foreign ids and incompatible versions are
 * refused; a lost agent fails calls with VACCEL_EIO and a new session
 * reconnects; SIGTERM shuts the agent down cleanly.
 */
#include "rpc_common.h"
#include "testing.h"

#include <sys/stat.h>

static struct test_agent agent;
static char unix_path[108], unix_addr[160];

static void use_address(const char *addr)
{
	struct vaccel_config cfg;
	char plugins[4096];

	setenv("VACCEL_RPC_ADDRESS", addr, 1);
	snprintf(plugins, sizeof(plugins), "%s:%s",
		 getenv("VACCEL_TEST_LOCAL_PLUGINS"),
		 getenv("VACCEL_TEST_RPC_PLUGIN"));
	vaccel_config_init(&cfg, plugins, VACCEL_LOG_ERROR, NULL, false,
			   false);
	if (vaccel_bootstrap_with_config(&cfg))
		fprintf(stderr, "bootstrap with %s failed\n", plugins);
	vaccel_config_release(&cfg);
}

/* Exec is off on an agent by default: these tests run the example
 * library by path and as an uploaded resource. */
static const char *exec_flags[] = { "--exec-allow", NULL,
				    "--exec-allow-uploaded", NULL };

static int start_agent(void)
{
	const char *addrs[] = { unix_addr, "tcp://127.0.0.1:0" };

	exec_flags[1] = getenv("VACCEL_TEST_MYTESTLIB");
	return test_agent_start(&agent, addrs, 2, exec_flags);
}

static const char *tcp_addr(void)
{
	return agent.addr[1];
}

/* Runs the example ops on `local` and `remote` and compares results. */
static void compare_ops(struct vaccel_session *local_dbg,
			struct vaccel_session *remote_dbg,
			struct vaccel_session *local_exec,
			struct vaccel_session *remote_exec)
{
	const char *lib = getenv("VACCEL_TEST_MYTESTLIB");
	unsigned char text[2][128], name[2][128];
	double in[64], out[2][64], mn[2], mx[2];
	int32_t x = 21, y[2] = { 0, 0 };
	struct vaccel_resource res;
	uint8_t op = VACCEL_OP_EXEC;
	struct vaccel_session *l[2] = { local_dbg, remote_dbg };
	struct vaccel_session *e[2] = { local_exec, remote_exec };
	char sym[] = "mytestfunc";
	char libcopy[512];

	snprintf(libcopy, sizeof(libcopy), "%s", lib);
	for (int i = 0; i < 64; i++)
		in[i] = (double)((i * 37) % 101) - 20.5;
	for (int s = 0; s < 2; s++) {
		struct vaccel_arg rd = { &x, 4, VACCEL_ARG_INT32, 0, false };
		struct vaccel_arg wr = { &y[s], 4, VACCEL_ARG_INT32, 0, false };

		CHECK_INT(vaccel_noop(l[s]), VACCEL_OK);
		CHECK_INT(vaccel_exec(e[s], lib, "mytestfunc", &rd, 1, &wr, 1),
			  VACCEL_OK);
		memset(text[s], 0, sizeof(text[s]));
		memset(name[s], 0, sizeof(name[s]));
		CHECK_INT(vaccel_image_classification(l[s], "abc", text[s],
						      name[s], 3, 128, 128),
			  VACCEL_OK);
		CHECK_INT(vaccel_minmax(l[s], in, 64, 0, 50, out[s], &mn[s],
					&mx[s]),
			  VACCEL_OK);
	}
	CHECK_INT(y[0], 42);
	CHECK_INT(y[1], 42);
	CHECK_STR((char *)text[1], (char *)text[0]);
	CHECK_STR((char *)name[1], (char *)name[0]);
	CHECK(memcmp(out[0], out[1], sizeof(out[0])) == 0);
	CHECK(mn[0] == mn[1] && mx[0] == mx[1]);

	/* genop form of exec. */
	for (int s = 0; s < 2; s++) {
		struct vaccel_arg rd[] = {
			{ &op, 1, VACCEL_ARG_UINT8, 0, false },
			{ libcopy, strlen(libcopy) + 1, VACCEL_ARG_STRING, 0,
			  false },
			{ sym, sizeof(sym), VACCEL_ARG_STRING, 0, false },
			{ &x, 4, VACCEL_ARG_INT32, 0, false },
		};
		struct vaccel_arg wr = { &y[s], 4, VACCEL_ARG_INT32, 0, false };

		y[s] = 0;
		CHECK_INT(vaccel_genop(e[s], rd, 4, &wr, 1), VACCEL_OK);
		CHECK_INT(y[s], 42);
	}

	/* exec_with_resource. */
	REQUIRE(vaccel_resource_init(&res, lib, VACCEL_RESOURCE_LIB) == 0);
	for (int s = 0; s < 2; s++) {
		struct vaccel_arg rd = { &x, 4, VACCEL_ARG_INT32, 0, false };
		struct vaccel_arg wr = { &y[s], 4, VACCEL_ARG_INT32, 0, false };

		y[s] = 0;
		CHECK_INT(vaccel_resource_register(&res, e[s]), VACCEL_OK);
		CHECK_INT(vaccel_exec_with_resource(e[s], &res, "mytestfunc",
						    &rd, 1, &wr, 1),
			  VACCEL_OK);
		CHECK_INT(y[s], 42);
	}
	CHECK(res.remote_id > 0);
	vaccel_resource_release(&res);
}

static void sgemm_compare(void)
{
	struct vaccel_session s[2];
	float a[6 * 4], b[4 * 5], c[2][6 * 5];
	uint32_t hint = getenv("VACCEL_TEST_TORCH") ? VACCEL_PLUGIN_TORCH : 0;

	for (int i = 0; i < 24; i++)
		a[i] = (float)(i % 7) - 2.0f;
	for (int i = 0; i < 20; i++)
		b[i] = (float)(i % 5) * 0.5f;
	REQUIRE(vaccel_session_init(&s[0], hint) == VACCEL_OK);
	REQUIRE(vaccel_session_init(&s[1], hint | VACCEL_PLUGIN_REMOTE) ==
		VACCEL_OK);
	for (int k = 0; k < 2; k++) {
		for (int i = 0; i < 30; i++)
			c[k][i] = (float)i;
		/* beta != 0: C is an input as well. */
		CHECK_INT(vaccel_sgemm(&s[k], 6, 5, 4, 1.5f, a, 4, b, 5, 0.5f,
				       c[k], 5),
			  VACCEL_OK);
	}
	CHECK(memcmp(c[0], c[1], sizeof(c[0])) == 0);
	vaccel_session_release(&s[0]);
	vaccel_session_release(&s[1]);
}

static void run_compare(const char *addr)
{
	struct vaccel_session ld, rd, le, re;

	use_address(addr);
	REQUIRE(vaccel_session_init(&ld, 0) == VACCEL_OK);
	REQUIRE(vaccel_session_init(&rd, VACCEL_PLUGIN_REMOTE) == VACCEL_OK);
	REQUIRE(vaccel_session_init(&le, VACCEL_PLUGIN_GENERIC) == VACCEL_OK);
	REQUIRE(vaccel_session_init(&re, VACCEL_PLUGIN_GENERIC |
						 VACCEL_PLUGIN_REMOTE) ==
		VACCEL_OK);
	CHECK(rd.remote_id > 0);
	CHECK(rd.is_virtio);
	compare_ops(&ld, &rd, &le, &re);
	vaccel_session_release(&ld);
	vaccel_session_release(&rd);
	vaccel_session_release(&le);
	vaccel_session_release(&re);
	sgemm_compare();
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

	use_address(unix_addr);
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

static struct vaccel_torch_tensor *cnn_input(float *x)
{
	int64_t dims[4] = { 1, 3, 32, 32 };
	struct vaccel_torch_tensor *t;

	for (int i = 0; i < 3 * 32 * 32; i++)
		x[i] = (float)((i * 13) % 17) / 17.0f;
	if (vaccel_torch_tensor_new(&t, 4, dims, VACCEL_TORCH_FLOAT))
		return NULL;
	vaccel_torch_tensor_set_data(t, x, 3 * 32 * 32 * sizeof(float));
	return t;
}

static void test_torch(void)
{
	const char *dir = getenv("VACCEL_TEST_TORCH");
	static float x[3 * 32 * 32];
	struct vaccel_torch_tensor *in, *out[2] = { NULL, NULL };
	struct vaccel_session s[2];
	struct vaccel_resource model;
	char path[512];

	if (!dir) {
		printf("SKIP torch: the torch plugin is not built\n");
		return;
	}
	snprintf(path, sizeof(path), "%s/tiny_cnn.pt", dir);
	use_address(unix_addr);
	REQUIRE(vaccel_resource_init(&model, path, VACCEL_RESOURCE_MODEL) == 0);
	in = cnn_input(x);
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

	use_address(unix_addr);
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
	use_address(unix_addr);
	REQUIRE(vaccel_session_init(&s, VACCEL_PLUGIN_REMOTE) == 0);
	CHECK(stat(unix_path, &st) == 0);
	CHECK_INT(test_agent_stop(&agent), 0);
	CHECK(stat(unix_path, &st) != 0);
	CHECK_INT(vaccel_noop(&s), VACCEL_EIO);
	vaccel_session_release(&s);
	vaccel_cleanup();
}

TEST_MAIN(test_ops_unix, test_ops_tcp, test_upload_once_and_chunks,
	  test_torch, test_foreign_ids_and_version, test_reconnect,
	  test_shutdown)
