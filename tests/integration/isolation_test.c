// SPDX-License-Identifier: Apache-2.0
/*
 * Tenant isolation at the agent: a client that tries the session and
 * resource ids of other connections (their real ids, and guessed,
 * sequential, zero, negative and huge ones) gets VACCEL_ENOENT with a
 * message that names only the id it sent, and the owner's state is
 * untouched; per-connection quotas (sessions, resources, upload bytes,
 * connections) hold; the UNIX socket, the work directory and uploaded
 * files are private to the agent's user; with a token, unauthenticated
 * peers are refused before any other message is processed, over UNIX and
 * TCP, both by hand and through the real rpc plugin.
 */
#include "hardening_common.h"
#include "testing.h"

#include <limits.h>

static struct test_agent agent;
static char addr[160], sock_path[108], tmpdir[64];

static void test_start(void)
{
	const char *extra[] = { "--exec-allow-uploaded", NULL };
	const char *addrs[1] = { addr };
	const char *old = getenv("TMPDIR");
	char saved[256] = "";

	snprintf(sock_path, sizeof(sock_path), "/tmp/vaccel-iso-%d.sock",
		 (int)getpid());
	snprintf(addr, sizeof(addr), "unix://%s", sock_path);
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/vaccel-iso-XXXXXX");
	REQUIRE(mkdtemp(tmpdir));
	if (old)
		snprintf(saved, sizeof(saved), "%s", old);
	/* The agent keeps uploads under $TMPDIR: a private one lets the
	 * test inspect them. */
	setenv("TMPDIR", tmpdir, 1);
	REQUIRE(test_agent_start(&agent, addrs, 1, extra) == 0);
	if (saved[0])
		setenv("TMPDIR", saved, 1);
	else
		unsetenv("TMPDIR");
}

/* Every probe must fail with ENOENT and exactly "unknown <what> <id>". */
static void expect_unknown(struct raw *r, uint16_t type, const void *body,
			   size_t n, const char *what, int64_t id)
{
	char msg[RPC_MAX_ERRMSG + 1], want[128];
	int code = hard_call(r, type, body, n, msg, sizeof(msg), NULL, NULL);

	snprintf(want, sizeof(want), "unknown %s %lld", what, (long long)id);
	if (code != VACCEL_ENOENT || strcmp(msg, want)) {
		fprintf(stderr, "%s with id %lld: code %d, message '%s'\n",
			rpc_msg_type_name(type), (long long)id, code, msg);
		CHECK(!"foreign id refused with exactly 'unknown ...'");
	}
}

static void probe_ids(struct raw *b, int64_t own_sess, int64_t own_res,
		      int64_t id)
{
	struct rpc_sess_req q = { id, 0 };
	struct rpc_res_req rq;
	struct rpc_blob_desc bd = { VACCEL_BLOB_BUFFER, 1, 0, "x" };
	struct rpc_res_register m = { id, 0, VACCEL_RESOURCE_DATA, 1, &bd };
	uint8_t buf[512];
	size_t n;

	/* Session and resource ids are separate spaces: each probe skips
	 * the one id of its space that B owns. */
	if (id == own_sess)
		goto as_resource;
	/* As a session id. */
	n = rpc_sess_req_encode(buf, sizeof(buf), RPC_MSG_SESS_UPDATE, &q);
	expect_unknown(b, RPC_MSG_SESS_UPDATE, buf, n, "session", id);
	n = rpc_sess_req_encode(buf, sizeof(buf), RPC_MSG_SESS_DESTROY, &q);
	expect_unknown(b, RPC_MSG_SESS_DESTROY, buf, n, "session", id);
	n = rpc_res_register_encode(buf, sizeof(buf), &m);
	expect_unknown(b, RPC_MSG_RES_REGISTER, buf, n, "session", id);
	rq = (struct rpc_res_req){ id, own_res };
	n = rpc_res_req_encode(buf, sizeof(buf), &rq);
	expect_unknown(b, RPC_MSG_RES_UNREGISTER, buf, n, "session", id);
	expect_unknown(b, RPC_MSG_RES_SYNC, buf, n, "session", id);
	n = hard_op_body(buf, sizeof(buf), id, VACCEL_OP_NOOP, NULL, 0);
	expect_unknown(b, RPC_MSG_OP, buf, n, "session", id);

as_resource:
	if (id == own_res)
		return;
	/* As a resource id, from one of our own sessions. */
	m = (struct rpc_res_register){ own_sess, id, VACCEL_RESOURCE_DATA, 0,
				       NULL };
	if (id != 0) {
		/* res_id 0 means "new upload", not a lookup. */
		n = rpc_res_register_encode(buf, sizeof(buf), &m);
		expect_unknown(b, RPC_MSG_RES_REGISTER, buf, n, "resource",
			       id);
	}
	rq = (struct rpc_res_req){ own_sess, id };
	n = rpc_res_req_encode(buf, sizeof(buf), &rq);
	expect_unknown(b, RPC_MSG_RES_UNREGISTER, buf, n, "resource", id);
	expect_unknown(b, RPC_MSG_RES_SYNC, buf, n, "resource", id);
	n = hard_op_body(buf, sizeof(buf), own_sess,
			 VACCEL_OP_EXEC_WITH_RESOURCE, &id, 1);
	expect_unknown(b, RPC_MSG_OP, buf, n, "resource", id);
}

static void test_foreign_ids(void)
{
	struct raw a, b;
	int64_t a_sess[2], a_res, b_sess, b_res;
	int64_t guesses[] = { 0, -1, -2, LLONG_MIN, LLONG_MAX, 1LL << 40,
			      999999 };
	struct rpc_res_req rq;
	uint8_t buf[512], reply[512];
	size_t n, got = 0;
	int code;

	REQUIRE(raw_connect(&a, addr) == 0);
	REQUIRE(raw_connect(&b, addr) == 0);
	REQUIRE(raw_hello(&a, RPC_VERSION_MAJOR, &code) ==
		(RPC_MSG_HELLO | RPC_MSG_REPLY));
	REQUIRE(raw_hello(&b, RPC_VERSION_MAJOR, &code) ==
		(RPC_MSG_HELLO | RPC_MSG_REPLY));
	a_sess[0] = hard_sess_create(&a);
	a_sess[1] = hard_sess_create(&a);
	b_sess = hard_sess_create(&b);
	REQUIRE(a_sess[0] > 0 && a_sess[1] > 0 && b_sess > 0);
	a_res = hard_upload(&a, a_sess[0], VACCEL_BLOB_BUFFER, 1, 100);
	b_res = hard_upload(&b, b_sess, VACCEL_BLOB_BUFFER, 1, 10);
	REQUIRE(a_res > 0 && b_res > 0);

	/* A's real ids, the ids next to them and around B's own. */
	probe_ids(&b, b_sess, b_res, a_sess[0]);
	probe_ids(&b, b_sess, b_res, a_sess[1]);
	probe_ids(&b, b_sess, b_res, a_res);
	for (int64_t d = -3; d <= 3; d++) {
		probe_ids(&b, b_sess, b_res, b_sess + d);
		probe_ids(&b, b_sess, b_res, a_res + d);
	}
	for (size_t i = 0; i < sizeof(guesses) / sizeof(guesses[0]); i++)
		probe_ids(&b, b_sess, b_res, guesses[i]);

	/* A's state is untouched: its sessions run ops, its resource still
	 * holds the bytes A uploaded. */
	for (int i = 0; i < 2; i++) {
		n = hard_op_body(buf, sizeof(buf), a_sess[i], VACCEL_OP_NOOP,
				 NULL, 0);
		CHECK_INT(hard_call(&a, RPC_MSG_OP, buf, n, NULL, 0, NULL,
				    NULL),
			  0);
	}
	rq = (struct rpc_res_req){ a_sess[0], a_res };
	n = rpc_res_req_encode(buf, sizeof(buf), &rq);
	CHECK_INT(hard_call(&a, RPC_MSG_RES_SYNC, buf, n, NULL, 0, reply,
			    &got),
		  0);
	CHECK_INT(got, RPC_REPLY_PREFIX_SIZE + 8 + 8 + 100);
	CHECK(got >= 48 && reply[47] == 'a' && reply[got - 1] == 'a');
	raw_close(&a);
	raw_close(&b);
	CHECK(agent_wait_idle(addr, 0, 3000));
}

static void test_quotas(void)
{
	const char *extra[] = { "--max-sessions", "3", "--max-resources", "2",
				"--max-upload-bytes", "10000",
				"--max-connections", "3", NULL };
	char qaddr[160];
	const char *addrs[1] = { qaddr };
	struct test_agent q;
	struct raw r[3], extra_conn;
	int64_t s[3];
	int code;

	snprintf(qaddr, sizeof(qaddr), "unix:///tmp/vaccel-iso-q-%d.sock",
		 (int)getpid());
	REQUIRE(test_agent_start(&q, addrs, 1, extra) == 0);
	/* Each connection has its own quota: both may fill it. */
	for (int c = 0; c < 2; c++) {
		REQUIRE(raw_connect(&r[c], qaddr) == 0);
		REQUIRE(raw_hello(&r[c], RPC_VERSION_MAJOR, &code) ==
			(RPC_MSG_HELLO | RPC_MSG_REPLY));
		for (int i = 0; i < 3; i++) {
			s[i] = hard_sess_create(&r[c]);
			CHECK(s[i] > 0);
		}
		CHECK_INT(hard_sess_create(&r[c]), -1);
		/* Upload bytes: 6000 fit, 6000 more do not. */
		CHECK(hard_upload(&r[c], s[0], VACCEL_BLOB_FILE, 2, 3000) > 0);
		CHECK_INT(hard_upload(&r[c], s[0], VACCEL_BLOB_FILE, 2, 3000),
			  -VACCEL_ENOSPC);
		/* Resources: the second fits, the third does not. */
		CHECK(hard_upload(&r[c], s[1], VACCEL_BLOB_BUFFER, 1, 10) > 0);
		CHECK_INT(hard_upload(&r[c], s[1], VACCEL_BLOB_BUFFER, 1, 10),
			  -VACCEL_EUSERS);
	}
	/* Connections: two held here + this one; a fourth is told why in
	 * the reply to its HELLO, then dropped. */
	REQUIRE(raw_connect(&r[2], qaddr) == 0);
	CHECK_INT(raw_hello(&r[2], RPC_VERSION_MAJOR, &code),
		  RPC_MSG_HELLO | RPC_MSG_REPLY);
	REQUIRE(raw_connect(&extra_conn, qaddr) == 0);
	CHECK_INT(raw_hello(&extra_conn, RPC_VERSION_MAJOR, &code),
		  RPC_MSG_ERROR);
	CHECK_INT(code, VACCEL_EUSERS);
	CHECK(raw_closed_by_peer(&extra_conn, 3000));
	raw_close(&extra_conn);
	for (int c = 0; c < 3; c++)
		raw_close(&r[c]);
	CHECK(agent_wait_idle(qaddr, 0, 3000));
	CHECK_INT(test_agent_stop(&q), 0);
}

static void test_private_files(void)
{
	char work[256], conn_dir[512] = "", res_dir[768] = "";
	struct stat st;
	struct raw r;
	int64_t s;
	int code;

	/* The socket is 0600: other local users cannot even connect. */
	REQUIRE(stat(sock_path, &st) == 0);
	CHECK(S_ISSOCK(st.st_mode));
	CHECK_INT(st.st_mode & 0777, 0600);
	REQUIRE(hard_agent_workdir(tmpdir, work, sizeof(work)));
	REQUIRE(stat(work, &st) == 0);
	CHECK_INT(st.st_mode & 0777, 0700);

	REQUIRE(raw_connect(&r, addr) == 0);
	REQUIRE(raw_hello(&r, RPC_VERSION_MAJOR, &code) ==
		(RPC_MSG_HELLO | RPC_MSG_REPLY));
	s = hard_sess_create(&r);
	REQUIRE(s > 0);
	REQUIRE(hard_upload(&r, s, VACCEL_BLOB_FILE, 2, 5000) > 0);
	/* <work>/c<conn>/r<n>/<blob>, each directory private. */
	CHECK_INT(test_dir_entries(work, "", conn_dir, sizeof(conn_dir)), 1);
	REQUIRE(conn_dir[0]);
	REQUIRE(stat(conn_dir, &st) == 0);
	CHECK_INT(st.st_mode & 0777, 0700);
	CHECK_INT(test_dir_entries(conn_dir, "", res_dir, sizeof(res_dir)), 1);
	REQUIRE(res_dir[0]);
	REQUIRE(stat(res_dir, &st) == 0);
	CHECK_INT(st.st_mode & 0777, 0700);
	CHECK_INT(test_dir_entries(res_dir, "", NULL, 0), 2);
	for (int i = 0; i < 2; i++) {
		char f[800];

		snprintf(f, sizeof(f), "%s/b%d.bin", res_dir, i);
		REQUIRE(stat(f, &st) == 0);
		CHECK_INT(st.st_mode & 0777, 0600);
		CHECK_INT(st.st_size, 5000);
	}
	/* Closing the connection removes the files. */
	raw_close(&r);
	CHECK(agent_wait_idle(addr, 0, 3000));
	CHECK_INT(test_dir_entries(work, "", NULL, 0), 0);
}

/* HELLO by hand, returning the agent's flags (or -1). */
static int hello_flags(struct raw *r)
{
	struct rpc_hello h = { RPC_MAGIC, RPC_VERSION_MAJOR, 0,
			       RPC_FRAME_HARD_MAX, 0 };
	uint8_t out[RPC_HELLO_SIZE], reply[64];
	size_t got = 0;

	rpc_hello_encode(out, sizeof(out), &h);
	if (hard_call(r, RPC_MSG_HELLO, out, sizeof(out), NULL, 0, reply,
		      &got) ||
	    got != RPC_REPLY_PREFIX_SIZE + RPC_HELLO_SIZE ||
	    rpc_hello_decode(reply + RPC_REPLY_PREFIX_SIZE, RPC_HELLO_SIZE,
			     &h))
		return -1;
	return (int)h.flags;
}

static int send_auth(struct raw *r, const char *token)
{
	uint8_t out[RPC_AUTH_HEAD_SIZE + RPC_MAX_TOKEN];
	size_t n = rpc_auth_encode(out, sizeof(out), token, strlen(token));

	return hard_call(r, RPC_MSG_AUTH, out, n, NULL, 0, NULL, NULL);
}

static void token_checks(const char *a)
{
	struct rpc_stats st;
	struct raw r;
	uint8_t big[RPC_HDR_SIZE];
	struct rpc_hdr h = { 1u << 20, RPC_MSG_HELLO, 0, 1 };
	char path[] = "/tmp/vaccel-iso-tokfile-XXXXXX";
	int fd;

	/* No AUTH: the first other request is refused and the peer
	 * dropped. */
	REQUIRE(raw_connect(&r, a) == 0);
	CHECK_INT(hello_flags(&r) & RPC_HELLO_AUTH, RPC_HELLO_AUTH);
	CHECK_INT(hard_call(&r, RPC_MSG_STATS, NULL, 0, NULL, 0, NULL, NULL),
		  VACCEL_EACCES);
	CHECK(raw_closed_by_peer(&r, 2000));
	raw_close(&r);
	/* A wrong token (same length, one byte off; and a prefix). */
	REQUIRE(raw_connect(&r, a) == 0);
	CHECK_INT(hello_flags(&r) & RPC_HELLO_AUTH, RPC_HELLO_AUTH);
	CHECK_INT(send_auth(&r, "correct-horse-battery-staplf"), VACCEL_EACCES);
	CHECK(raw_closed_by_peer(&r, 2000));
	raw_close(&r);
	REQUIRE(raw_connect(&r, a) == 0);
	CHECK_INT(hello_flags(&r) & RPC_HELLO_AUTH, RPC_HELLO_AUTH);
	CHECK_INT(send_auth(&r, "correct-horse"), VACCEL_EACCES);
	raw_close(&r);
	/* An unauthenticated peer cannot make the agent take a big body,
	 * not even a HELLO. */
	REQUIRE(raw_connect(&r, a) == 0);
	rpc_hdr_encode(big, &h);
	REQUIRE(write(r.c.s.fd, big, sizeof(big)) == (ssize_t)sizeof(big));
	CHECK(raw_closed_by_peer(&r, 2000));
	raw_close(&r);
	/* The right token opens the connection. */
	REQUIRE(raw_connect(&r, a) == 0);
	CHECK_INT(hello_flags(&r) & RPC_HELLO_AUTH, RPC_HELLO_AUTH);
	CHECK_INT(send_auth(&r, "correct-horse-battery-staple"), 0);
	CHECK_INT(raw_stats(&r, &st), 0);
	/* A second HELLO (a new client on the channel) must AUTH again. */
	CHECK_INT(hello_flags(&r) & RPC_HELLO_AUTH, RPC_HELLO_AUTH);
	CHECK_INT(hard_call(&r, RPC_MSG_STATS, NULL, 0, NULL, 0, NULL, NULL),
		  VACCEL_EACCES);
	raw_close(&r);

	/* Through the plugin: VACCEL_RPC_TOKEN, VACCEL_RPC_TOKEN_FILE,
	 * none, wrong. */
	unsetenv("VACCEL_RPC_TOKEN_FILE");
	setenv("VACCEL_RPC_TOKEN", "correct-horse-battery-staple", 1);
	CHECK_INT(hard_in_client(a, hard_noop_client, NULL), 0);
	setenv("VACCEL_RPC_TOKEN", "wrong", 1);
	CHECK_INT(hard_in_client(a, hard_noop_client, NULL), VACCEL_EACCES);
	unsetenv("VACCEL_RPC_TOKEN");
	CHECK_INT(hard_in_client(a, hard_noop_client, NULL), VACCEL_EACCES);
	fd = mkstemp(path);
	REQUIRE(fd >= 0);
	REQUIRE(write(fd, "correct-horse-battery-staple\n", 29) == 29);
	close(fd);
	setenv("VACCEL_RPC_TOKEN_FILE", path, 1);
	CHECK_INT(hard_in_client(a, hard_noop_client, NULL), 0);
	setenv("VACCEL_RPC_TOKEN_FILE", "/nonexistent/token", 1);
	CHECK(hard_in_client(a, hard_noop_client, NULL) != 0);
	unsetenv("VACCEL_RPC_TOKEN_FILE");
	unlink(path);
}

static void test_token(void)
{
	char path[] = "/tmp/vaccel-iso-token-XXXXXX", taddr[160];
	const char *extra[] = { "--token-file", path, NULL };
	const char *addrs[2] = { taddr, "tcp://127.0.0.1:0" };
	struct test_agent t;
	int fd = mkstemp(path);

	REQUIRE(fd >= 0);
	REQUIRE(write(fd, "correct-horse-battery-staple\n", 29) == 29);
	close(fd);
	snprintf(taddr, sizeof(taddr), "unix:///tmp/vaccel-iso-t-%d.sock",
		 (int)getpid());
	REQUIRE(test_agent_start(&t, addrs, 2, extra) == 0);
	REQUIRE(t.nr == 2);
	token_checks(t.addr[0]);
	token_checks(t.addr[1]);
	CHECK_INT(test_agent_stop(&t), 0);
	unlink(path);

	/* The same token from the environment; the agent's plugins do not
	 * inherit it. */
	setenv("VACCEL_AGENT_TOKEN", "correct-horse-battery-staple", 1);
	REQUIRE(test_agent_start(&t, addrs, 1, NULL) == 0);
	unsetenv("VACCEL_AGENT_TOKEN");
	token_checks(t.addr[0]);
	CHECK_INT(test_agent_stop(&t), 0);
}

static void test_stop(void)
{
	char work[256], run[128];

	CHECK_INT(test_agent_stop(&agent), 0);
	/* The agent removed its work directory (libvaccel's own run
	 * directory parent, vaccel-<uid>, may stay). */
	CHECK(!hard_agent_workdir(tmpdir, work, sizeof(work)));
	snprintf(run, sizeof(run), "%s/vaccel-%u", tmpdir,
		 (unsigned int)getuid());
	rmdir(run);
	CHECK(rmdir(tmpdir) == 0);
}

TEST_MAIN(test_start, test_foreign_ids, test_quotas, test_private_files,
	  test_token, test_stop)
