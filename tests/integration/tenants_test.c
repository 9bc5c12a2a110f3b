// SPDX-License-Identifier: Apache-2.0
/*
 * vaccel-agent --tenants: the real agent with a tenants folder, driven by
 * hand-made protocol connections and by real clients (the rpc plugin in a
 * child process, its token in VACCEL_RPC_TOKEN). Token files: only regular
 * 0600 files of the agent's user with a proper name and a token count, and
 * every refusal is a line of the agent's log. A connection belongs to the
 * tenant whose token it presents; another tenant's ids are unknown to it.
 * The per-tenant limits (sessions, resident bytes, running ops,
 * connections) hold across a tenant's connections, with the documented
 * error and message, and leave other tenants alone; what a closed or dead
 * connection held goes back to its tenant. The folder is re-read when it
 * changes (a new tenant can connect; a removed or changed token's
 * connections are closed, other tenants' stay) and on SIGHUP (a rotated
 * --token-file).
 */
#include "hardening_common.h"
#include "testing.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>

#define LIMIT_SESSIONS 3
#define LIMIT_BYTES (1u << 20)

static char dir[64], tenants[128], logpath[128], sock[160];
static char addr[VACCEL_ADDR_MAX];
static struct test_agent agent;
static bool started;       /* test_start got the agent going */
static bool foreign_owner; /* tenants/delta belongs to uid 65534 */

static void put_token(const char *name, const char *token, mode_t mode)
{
	char path[256], tmp[256];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", tenants, name);
	snprintf(tmp, sizeof(tmp), "%s/.%s.tmp", tenants, name);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (fd < 0 || write(fd, token, strlen(token)) != (ssize_t)strlen(token))
		fprintf(stderr, "cannot write %s\n", tmp);
	if (fd >= 0)
		close(fd);
	chmod(tmp, mode);
	/* Written aside, then renamed: the agent sees it whole. */
	rename(tmp, path);
}

static void del_token(const char *name)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/%s", tenants, name);
	unlink(path);
}

static bool log_has(const char *what)
{
	char line[1024];
	bool found = false;
	FILE *f = fopen(logpath, "r");

	while (f && !found && fgets(line, sizeof(line), f))
		found = strstr(line, what) != NULL;
	if (f)
		fclose(f);
	return found;
}

/* Waits until the agent's log has `what`: the agent logs each reload, so
 * this is how a test knows a change was seen (no time limit: a run that
 * never gets there is stopped by meson's timeout). */
static bool wait_log(const char *what)
{
	while (!log_has(what))
		usleep(10000);
	return true;
}

/* A raw connection authenticated as `token`; the AUTH's code (0 on
 * success), its message in msg. */
static int open_as(struct raw *r, const char *token, char *msg, size_t cap)
{
	uint8_t out[RPC_AUTH_HEAD_SIZE + RPC_MAX_TOKEN];
	size_t n = rpc_auth_encode(out, sizeof(out), token, strlen(token));
	int code;

	if (raw_connect(r, addr) ||
	    raw_hello(r, RPC_VERSION_MAJOR, &code) !=
		    (RPC_MSG_HELLO | RPC_MSG_REPLY))
		return -1;
	return hard_call(r, RPC_MSG_AUTH, out, n, msg, cap, NULL, NULL);
}

/* Waits until the connections of the tests before are gone: the agent
 * (started with --admin-stats) counts only the one asking, so no tenant's
 * connection limit still counts them. */
static void settle(void)
{
	char msg[RPC_MAX_ERRMSG + 1];
	struct rpc_stats st = { 0 };
	struct raw r;

	do {
		usleep(10000);
		if (open_as(&r, "token-beta", msg, sizeof(msg)) == 0 &&
		    raw_stats(&r, &st) == 0 && st.connections == 1) {
			raw_close(&r);
			return;
		}
		raw_close(&r);
	} while (true);
}

static int sess_create(struct raw *r, char *msg, size_t cap, int64_t *id)
{
	struct rpc_sess_req q = { 0, 0 };
	struct rpc_reply_prefix p;
	uint8_t buf[64], reply[64];
	size_t n = rpc_sess_req_encode(buf, sizeof(buf), RPC_MSG_SESS_CREATE,
				       &q),
	       got = 0;
	int code = hard_call(r, RPC_MSG_SESS_CREATE, buf, n, msg, cap, reply,
			     &got);

	if (code == 0 && rpc_id_reply_decode(reply, got, &p, id))
		return -1;
	return code;
}

static void test_start(void)
{
	char extra_dir[160];
	const char *waitlib = getenv("VACCEL_TEST_WAITLIB");
	char allow[300];
	const char *extra[] = { "--tenants", extra_dir,
				"--tenant-max-sessions", "3",
				"--tenant-max-bytes", "1048576",
				"--tenant-max-ops", "1",
				"--tenant-max-connections", "3",
				"--exec-allow", allow,
				/* exec first: sessions with no hint or the
				 * GENERIC hint go to the first plugin. */
				"--plugins", getenv("VACCEL_TEST_TENANT_PLUGINS"),
				"--log-level", "3", NULL };
	const char *addrs[1] = { addr };

	REQUIRE(waitlib && getenv("VACCEL_TEST_TENANT_PLUGINS"));
	snprintf(dir, sizeof(dir), "/tmp/vaccel-tenants-XXXXXX");
	REQUIRE(mkdtemp(dir));
	snprintf(tenants, sizeof(tenants), "%s/tenants", dir);
	snprintf(logpath, sizeof(logpath), "%s/agent.log", dir);
	snprintf(sock, sizeof(sock), "%s/agent.sock", dir);
	snprintf(addr, sizeof(addr), "unix://%s", sock);
	snprintf(extra_dir, sizeof(extra_dir), "%s", tenants);
	snprintf(allow, sizeof(allow), "%s", waitlib);
	REQUIRE(mkdir(tenants, 0700) == 0);
	put_token("alpha", "token-alpha\n", 0600);
	put_token("beta", "token-beta", 0600);
	/* Refused, each with a log line: readable by others, a bad name, an
	 * empty token, a folder, and (as root) another user's file. */
	put_token("gamma", "token-gamma", 0644);
	put_token("bad name", "token-bad", 0600);
	put_token("empty", "", 0600);
	put_token("dup1", "token-dup", 0600);
	put_token("dup2", "token-dup", 0600);
	{
		char sub[256];

		snprintf(sub, sizeof(sub), "%s/folder", tenants);
		REQUIRE(mkdir(sub, 0700) == 0);
	}
	/* Another user's file: only where uid 65534 exists for us (not as
	 * root of a user namespace that maps root alone, as the cross
	 * builds' tests run under cross/emulate.sh). */
	if (geteuid() == 0) {
		char p[256];

		put_token("delta", "token-delta", 0600);
		snprintf(p, sizeof(p), "%s/delta", tenants);
		foreign_owner = chown(p, 65534, 65534) == 0;
		if (!foreign_owner)
			REQUIRE(unlink(p) == 0);
	}
	/* Dot-files are skipped without a word. */
	put_token(".hidden", "token-hidden", 0600);
	setenv("VACCEL_LOG_FILE", logpath, 1);
	REQUIRE(test_agent_start(&agent, addrs, 1, extra) == 0);
	unsetenv("VACCEL_LOG_FILE");
	started = true;
}

/* Another user's token file is refused, with its owner named. */
static void test_foreign_owner(void)
{
	if (!foreign_owner)
		SKIP("cannot give a file to uid 65534 here (%s)",
		     geteuid() ? "not root" : "a user namespace that maps root only");
	CHECK(log_has("tenants/delta is owned by uid 65534, not by the agent's uid 0"));
}

static void test_token_files(void)
{
	static const char *refused[] = { "token-gamma", "token-bad",
					 "token-delta", "token-hidden",
					 "token-alph", "token-alpha\n" };
	char msg[RPC_MAX_ERRMSG + 1];
	struct raw r;

	/* Every test below waits on the agent without a time limit. */
	if (!started) {
		fprintf(stderr, "tenants_test: the agent did not start; the other tests need it\n");
		exit(1);
	}
	CHECK(log_has("tenant alpha added"));
	CHECK(log_has("tenant beta added"));
	CHECK(log_has("tenants/gamma has mode 0644; it must be 0600"));
	CHECK(log_has("tenants/bad name refused: a tenant's name has 1 to 64 of"));
	CHECK(log_has("tenants/empty holds an empty token"));
	CHECK(log_has("tenants/folder is not a regular file"));
	CHECK(log_has("has the token of tenant dup"));
	CHECK(!log_has(".hidden"));

	/* One trailing newline of a file is not part of its token. */
	CHECK_INT(open_as(&r, "token-alpha", msg, sizeof(msg)), 0);
	raw_close(&r);
	CHECK_INT(open_as(&r, "token-beta", msg, sizeof(msg)), 0);
	raw_close(&r);
	for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
		CHECK_INT(open_as(&r, refused[i], msg, sizeof(msg)),
			  VACCEL_EACCES);
		CHECK_STR(msg, "authentication failed");
		CHECK(raw_closed_by_peer(&r, 5000));
		raw_close(&r);
	}
	/* Through the plugin, as applications connect. */
	setenv("VACCEL_RPC_TOKEN", "token-beta", 1);
	CHECK_INT(hard_in_client(addr, hard_noop_client, NULL), 0);
	setenv("VACCEL_RPC_TOKEN", "token-gamma", 1);
	CHECK_INT(hard_in_client(addr, hard_noop_client, NULL), VACCEL_EACCES);
	unsetenv("VACCEL_RPC_TOKEN");
	CHECK_INT(hard_in_client(addr, hard_noop_client, NULL), VACCEL_EACCES);
}

/* A tenant sees only its own connections' sessions and resources. */
static void test_isolation(void)
{
	char msg[RPC_MAX_ERRMSG + 1], want[64];
	struct rpc_sess_req q;
	struct raw a, b;
	uint8_t buf[64];
	int64_t sa, sb, ra;
	size_t n;

	settle();

	REQUIRE(open_as(&a, "token-alpha", msg, sizeof(msg)) == 0);
	REQUIRE(open_as(&b, "token-beta", msg, sizeof(msg)) == 0);
	REQUIRE(sess_create(&a, msg, sizeof(msg), &sa) == 0);
	REQUIRE(sess_create(&b, msg, sizeof(msg), &sb) == 0);
	ra = hard_upload(&a, sa, VACCEL_BLOB_BUFFER, 1, 100);
	REQUIRE(ra > 0);
	/* B names A's session (its id is not B's). */
	q = (struct rpc_sess_req){ sa == sb ? sa + 1 : sa, 0 };
	n = rpc_sess_req_encode(buf, sizeof(buf), RPC_MSG_SESS_DESTROY, &q);
	CHECK_INT(hard_call(&b, RPC_MSG_SESS_DESTROY, buf, n, msg, sizeof(msg),
			    NULL, NULL),
		  VACCEL_ENOENT);
	snprintf(want, sizeof(want), "unknown session %lld",
		 (long long)q.sess_id);
	CHECK_STR(msg, want);
	{
		struct rpc_res_req rq = { sb, ra };

		n = rpc_res_req_encode(buf, sizeof(buf), &rq);
		CHECK_INT(hard_call(&b, RPC_MSG_RES_SYNC, buf, n, msg,
				    sizeof(msg), NULL, NULL),
			  VACCEL_ENOENT);
		snprintf(want, sizeof(want), "unknown resource %lld",
			 (long long)ra);
		CHECK_STR(msg, want);
	}
	/* A's session is intact. */
	n = hard_op_body(buf, sizeof(buf), sa, VACCEL_OP_NOOP, NULL, 0);
	CHECK_INT(hard_call(&a, RPC_MSG_OP, buf, n, msg, sizeof(msg), NULL,
			    NULL),
		  0);
	raw_close(&a);
	raw_close(&b);
}

/* Sessions and resident bytes count across a tenant's connections. */
static void test_limits(void)
{
	char msg[RPC_MAX_ERRMSG + 1];
	struct raw a1, a2, b;
	int64_t s1, s2, id;

	settle();

	REQUIRE(open_as(&a1, "token-alpha", msg, sizeof(msg)) == 0);
	REQUIRE(open_as(&a2, "token-alpha", msg, sizeof(msg)) == 0);
	REQUIRE(open_as(&b, "token-beta", msg, sizeof(msg)) == 0);
	CHECK_INT(sess_create(&a1, msg, sizeof(msg), &s1), 0);
	CHECK_INT(sess_create(&a1, msg, sizeof(msg), &id), 0);
	CHECK_INT(sess_create(&a2, msg, sizeof(msg), &s2), 0);
	CHECK_INT(sess_create(&a2, msg, sizeof(msg), &id), VACCEL_EUSERS);
	CHECK_STR(msg, "tenant alpha: session limit of 3 reached (--tenant-max-sessions)");
	CHECK_INT(sess_create(&a1, msg, sizeof(msg), &id), VACCEL_EUSERS);
	/* Another tenant has its own. */
	for (int i = 0; i < LIMIT_SESSIONS; i++)
		CHECK_INT(sess_create(&b, msg, sizeof(msg), &id), 0);

	/* Bytes: 600 KiB on a1 fit, another 600 KiB on a2 do not. */
	id = hard_upload(&a1, s1, VACCEL_BLOB_BUFFER, 1, 600u << 10);
	CHECK(id > 0);
	id = hard_upload(&a2, s2, VACCEL_BLOB_BUFFER, 1, 600u << 10);
	CHECK_INT(id, -VACCEL_ENOSPC);
	/* The refused upload's chunks were dropped: a2 is usable. */
	CHECK_INT(sess_create(&a2, msg, sizeof(msg), &id), VACCEL_EUSERS);
	CHECK(strstr(msg, "session limit") != NULL);

	/* What a closed connection held goes back to its tenant: both of
	 * a1's sessions (its worker gives them back one by one as it ends),
	 * and not one more. */
	raw_close(&a1);
	for (int k = 0; k < 2; k++)
		while (sess_create(&a2, msg, sizeof(msg), &id) != 0)
			usleep(10000);
	CHECK_INT(sess_create(&a2, msg, sizeof(msg), &id), VACCEL_EUSERS);
	/* The bytes come back when the closed connection's worker has
	 * dropped its resources, which may be after its sessions. */
	while ((id = hard_upload(&a2, s2, VACCEL_BLOB_BUFFER, 1,
				 600u << 10)) == -VACCEL_ENOSPC)
		usleep(10000);
	CHECK(id > 0);
	raw_close(&a2);
	raw_close(&b);
}

/* The connection limit is checked at AUTH. */
static void test_connections(void)
{
	char msg[RPC_MAX_ERRMSG + 1];
	struct raw a[4], b;

	settle();

	for (int i = 0; i < 3; i++)
		REQUIRE(open_as(&a[i], "token-alpha", msg, sizeof(msg)) == 0);
	CHECK_INT(open_as(&a[3], "token-alpha", msg, sizeof(msg)),
		  VACCEL_EUSERS);
	CHECK_STR(msg, "tenant alpha has the most connections it may (3, --tenant-max-connections)");
	raw_close(&a[3]);
	CHECK_INT(open_as(&b, "token-beta", msg, sizeof(msg)), 0);
	raw_close(&b);
	raw_close(&a[0]);
	/* Once the supervisor has reaped a[0]'s worker, a fourth fits. */
	while (open_as(&a[3], "token-alpha", msg, sizeof(msg)) != 0) {
		raw_close(&a[3]);
		usleep(10000);
	}
	for (int i = 1; i < 4; i++)
		raw_close(&a[i]);
}

static const char *fifo_path;

static int exec_wait(void *arg)
{
	struct vaccel_session s;
	struct vaccel_arg rd = { (void *)fifo_path, strlen(fifo_path) + 1,
				 VACCEL_ARG_STRING, 0, false };
	int ret;

	(void)arg;
	ret = vaccel_session_init(&s, VACCEL_PLUGIN_REMOTE |
				      VACCEL_PLUGIN_GENERIC);
	if (ret)
		return ret;
	ret = vaccel_exec(&s, getenv("VACCEL_TEST_WAITLIB"), "waitfn", &rd, 1,
			  NULL, 0);
	vaccel_session_release(&s);
	return ret;
}

/* Ops running at once: the second of the tenant's is refused while the
 * first runs (the FIFO tells when it does); other tenants run theirs. */
static void test_ops(void)
{
	char path[256];
	pid_t pid;
	int fd, st;

	settle();

	snprintf(path, sizeof(path), "%s/wait.fifo", dir);
	REQUIRE(mkfifo(path, 0600) == 0);
	fifo_path = path;
	setenv("VACCEL_RPC_TOKEN", "token-alpha", 1);
	fflush(NULL);
	pid = test_fork();
	if (pid == 0)
		_exit(hard_in_client(addr, exec_wait, NULL) & 0xff);
	REQUIRE(pid > 0);
	/* Opens once the agent's waitfn opened the FIFO: alpha's op is
	 * running (a client that ends first fails the test). */
	while ((fd = open(path, O_WRONLY | O_NONBLOCK)) < 0) {
		REQUIRE(errno == ENXIO);
		if (waitpid(pid, &st, WNOHANG) == pid) {
			fprintf(stderr, "the exec client ended (status %d) before its op ran\n",
				st);
			REQUIRE(!"waitfn ran");
		}
		usleep(10000);
	}
	CHECK_INT(hard_in_client(addr, hard_noop_client, NULL), VACCEL_EBUSY);
	setenv("VACCEL_RPC_TOKEN", "token-beta", 1);
	CHECK_INT(hard_in_client(addr, hard_noop_client, NULL), 0);
	close(fd);
	CHECK(waitpid(pid, &st, 0) == pid && WIFEXITED(st) &&
	      WEXITSTATUS(st) == 0);
	setenv("VACCEL_RPC_TOKEN", "token-alpha", 1);
	CHECK_INT(hard_in_client(addr, hard_noop_client, NULL), 0);
	unsetenv("VACCEL_RPC_TOKEN");
	CHECK(log_has("tenant alpha: 1 ops are running already (--tenant-max-ops)"));
}

/* A worker killed from outside: what it held goes back to its tenant. */
static void test_dead_worker(void)
{
	char msg[RPC_MAX_ERRMSG + 1], path[64], line[4096];
	struct raw a, a2;
	int64_t id;
	FILE *f;

	settle();

	REQUIRE(open_as(&a, "token-alpha", msg, sizeof(msg)) == 0);
	for (int i = 0; i < LIMIT_SESSIONS; i++)
		REQUIRE(sess_create(&a, msg, sizeof(msg), &id) == 0);
	/* Every child of the agent: a's worker and the spares. */
	snprintf(path, sizeof(path), "/proc/%d/task/%d/children",
		 (int)agent.pid, (int)agent.pid);
	f = fopen(path, "r");
	REQUIRE(f && fgets(line, sizeof(line), f));
	fclose(f);
	for (char *p = strtok(line, " \n"); p; p = strtok(NULL, " \n"))
		kill((pid_t)atoi(p), SIGKILL);
	/* The supervisor closes a's connection after it reaped the worker
	 * and gave its sessions back. */
	CHECK(raw_closed_by_peer(&a, 60000));
	raw_close(&a);
	REQUIRE(open_as(&a2, "token-alpha", msg, sizeof(msg)) == 0);
	for (int i = 0; i < LIMIT_SESSIONS; i++)
		CHECK_INT(sess_create(&a2, msg, sizeof(msg), &id), 0);
	raw_close(&a2);
}

/* The folder is watched: a new tenant can connect; a removed or changed
 * token's connections are closed, while the others' carry on. */
static void test_reload(void)
{
	char msg[RPC_MAX_ERRMSG + 1];
	struct raw a, b, c;
	int64_t sb, id;
	uint8_t buf[64];
	size_t n;

	settle();

	CHECK_INT(open_as(&c, "token-epsilon", msg, sizeof(msg)),
		  VACCEL_EACCES);
	raw_close(&c);
	put_token("epsilon", "token-epsilon", 0600);
	CHECK(wait_log("tenant epsilon added"));
	CHECK_INT(open_as(&c, "token-epsilon", msg, sizeof(msg)), 0);

	REQUIRE(open_as(&a, "token-alpha", msg, sizeof(msg)) == 0);
	REQUIRE(open_as(&b, "token-beta", msg, sizeof(msg)) == 0);
	REQUIRE(sess_create(&b, msg, sizeof(msg), &sb) == 0);
	del_token("alpha");
	CHECK(wait_log("tenant alpha removed"));
	CHECK(raw_closed_by_peer(&a, 60000));
	raw_close(&a);
	CHECK_INT(open_as(&a, "token-alpha", msg, sizeof(msg)),
		  VACCEL_EACCES);
	raw_close(&a);
	/* beta's connection and session are untouched. */
	n = hard_op_body(buf, sizeof(buf), sb, VACCEL_OP_NOOP, NULL, 0);
	CHECK_INT(hard_call(&b, RPC_MSG_OP, buf, n, msg, sizeof(msg), NULL,
			    NULL),
		  0);
	/* A changed token: the old one's connections close, the new one
	 * connects. */
	put_token("epsilon", "token-epsilon-2", 0600);
	CHECK(raw_closed_by_peer(&c, 60000));
	raw_close(&c);
	CHECK(wait_log("tenant epsilon added"));
	CHECK_INT(open_as(&c, "token-epsilon", msg, sizeof(msg)),
		  VACCEL_EACCES);
	raw_close(&c);
	while (open_as(&c, "token-epsilon-2", msg, sizeof(msg)) != 0) {
		raw_close(&c);
		usleep(10000);
	}
	CHECK_INT(sess_create(&c, msg, sizeof(msg), &id), 0);
	raw_close(&c);
	/* A file made readable by others is a removed tenant. */
	{
		char p[256];

		snprintf(p, sizeof(p), "%s/beta", tenants);
		chmod(p, 0640);
	}
	CHECK(raw_closed_by_peer(&b, 60000));
	raw_close(&b);
	put_token("alpha", "token-alpha", 0600);
	put_token("beta", "token-beta", 0600);
}

/* SIGHUP reads every source again, the --token-file too. */
static void test_sighup(void)
{
	char file[256], taddr[192], msg[RPC_MAX_ERRMSG + 1];
	const char *extra[] = { "--token-file", file, "--tenants", tenants,
				NULL };
	const char *addrs[1] = { taddr };
	struct test_agent t;
	struct raw r, keep;
	int fd;

	snprintf(file, sizeof(file), "%s/shared-token", dir);
	snprintf(taddr, sizeof(taddr), "unix://%s/hup.sock", dir);
	fd = open(file, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	REQUIRE(fd >= 0 && write(fd, "token-one\n", 10) == 10);
	close(fd);
	REQUIRE(test_agent_start(&t, addrs, 1, extra) == 0);
	{
		char saved[VACCEL_ADDR_MAX];

		snprintf(saved, sizeof(saved), "%s", addr);
		snprintf(addr, sizeof(addr), "%s", t.addr[0]);
		REQUIRE(open_as(&r, "token-one", msg, sizeof(msg)) == 0);
		REQUIRE(open_as(&keep, "token-beta", msg, sizeof(msg)) == 0);
		fd = open(file, O_WRONLY | O_TRUNC);
		REQUIRE(fd >= 0 && write(fd, "token-two\n", 10) == 10);
		close(fd);
		/* Not watched: nothing changes before SIGHUP. */
		raw_close(&r);
		CHECK_INT(open_as(&r, "token-one", msg, sizeof(msg)), 0);
		kill(t.pid, SIGHUP);
		CHECK(raw_closed_by_peer(&r, 60000));
		raw_close(&r);
		CHECK_INT(open_as(&r, "token-two", msg, sizeof(msg)), 0);
		raw_close(&r);
		CHECK_INT(open_as(&r, "token-one", msg, sizeof(msg)),
			  VACCEL_EACCES);
		raw_close(&r);
		/* The folder's tenants were not touched. */
		CHECK_INT(sess_create(&keep, msg, sizeof(msg), &(int64_t){ 0 }),
			  0);
		raw_close(&keep);
		snprintf(addr, sizeof(addr), "%s", saved);
	}
	CHECK_INT(test_agent_stop(&t), 0);
}

static void test_stop(void)
{
	char cmd[128];

	CHECK_INT(test_agent_stop(&agent), 0);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	CHECK(system(cmd) == 0);
}

TEST_MAIN(test_start, test_token_files, test_foreign_owner, test_isolation, test_limits,
	  test_connections, test_ops, test_dead_worker, test_reload,
	  test_sighup, test_stop)
