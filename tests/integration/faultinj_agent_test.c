// SPDX-License-Identifier: Apache-2.0
/*
 * Process faults around the agent. The agent killed with SIGKILL in the
 * middle of a call: the client's call fails with VACCEL_EIO (no hang, no
 * crash), and once an agent is back on the same address (the dead one's
 * socket file is reclaimed) a new session works. A client killed in the
 * middle of an upload: the agent frees the partial resource, its bytes in
 * the statistics and its files on disk. (agent_robustness_test covers a
 * client killed mid-call and the statistics of a killed upload.)
 */
#include "hardening_common.h"
#include "testing.h"

static char addr[160], tmpdir[64];
static const char *agent_flags[] = { "--exec-allow-uploaded", NULL };

static int start_agent(struct test_agent *a)
{
	const char *addrs[1] = { addr };
	int ret;

	setenv("TMPDIR", tmpdir, 1);
	ret = test_agent_start(a, addrs, 1, agent_flags);
	unsetenv("TMPDIR");
	return ret;
}

static void test_setup(void)
{
	snprintf(addr, sizeof(addr), "unix:///tmp/vaccel-fi-%d.sock",
		 (int)getpid());
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/vaccel-fi-XXXXXX");
	REQUIRE(mkdtemp(tmpdir));
}

/* The client: a slow exec_with_resource (it tells the parent through
 * `ready` just before the call), which must fail with EIO when the agent
 * dies; then, once the parent says through `back` that a new agent is
 * listening, a new session that works again. Exit status: 0 when all went
 * as expected, 1 when the call did not fail with EIO, 2 when the client
 * did not get through again, 3 on set-up errors. */
static int client(int ready, int back)
{
	const char *lib = getenv("VACCEL_TEST_SLOWLIB");
	struct vaccel_session s, s2;
	struct vaccel_resource res;
	int32_t ms = 5000, one = 0;
	struct vaccel_arg rd = { &ms, 4, VACCEL_ARG_INT32, 0, false };
	struct vaccel_arg wr = { &one, 4, VACCEL_ARG_INT32, 0, false };
	struct vaccel_config cfg;
	int ret;
	char c;

	setenv("VACCEL_RPC_ADDRESS", addr, 1);
	vaccel_config_init(&cfg, getenv("VACCEL_TEST_RPC_PLUGIN"),
			   VACCEL_LOG_ERROR, NULL, false, false);
	ret = vaccel_bootstrap_with_config(&cfg);
	vaccel_config_release(&cfg);
	if (ret || vaccel_session_init(&s, VACCEL_PLUGIN_REMOTE |
						   VACCEL_PLUGIN_GENERIC) ||
	    vaccel_resource_init(&res, lib, VACCEL_RESOURCE_LIB) ||
	    vaccel_resource_register(&res, &s))
		return 3;
	if (write(ready, "R", 1) != 1)
		return 3;
	ret = vaccel_exec_with_resource(&s, &res, "slowfn", &rd, 1, &wr, 1);
	if (ret != VACCEL_EIO) {
		fprintf(stderr, "client: the call returned %d, not EIO\n", ret);
		return 1;
	}
	/* The old session is stale; calls on it fail the same way. */
	if (vaccel_noop(&s) != VACCEL_EIO)
		return 1;
	/* No time limit: the agent restarts at the speed of the machine
	 * (slowly under emulation), and the parent says when. */
	ret = -1;
	if (read(back, &c, 1) == 1 &&
	    vaccel_session_init(&s2, VACCEL_PLUGIN_REMOTE) == VACCEL_OK) {
		ret = vaccel_noop(&s2);
		vaccel_session_release(&s2);
	}
	vaccel_resource_release(&res);
	vaccel_session_release(&s);
	vaccel_cleanup();
	return ret == VACCEL_OK ? 0 : 2;
}

static void test_agent_killed_mid_call(void)
{
	struct test_agent a;
	int pfd[2], bk[2], st = 0;
	uint64_t t0;
	pid_t pid;
	char c;

	REQUIRE(start_agent(&a) == 0);
	REQUIRE(pipe(pfd) == 0 && pipe(bk) == 0);
	fflush(NULL);
	pid = test_fork();
	if (pid == 0) {
		close(pfd[0]);
		close(bk[1]);
		_exit(client(pfd[1], bk[0]));
	}
	close(pfd[1]);
	close(bk[0]);
	REQUIRE(read(pfd[0], &c, 1) == 1);
	close(pfd[0]);
	/* Let the call reach the agent's plugin, then kill the agent. */
	usleep(300000);
	t0 = test_now_ms();
	kill(a.pid, SIGKILL);
	REQUIRE(waitpid(a.pid, &st, 0) == a.pid);
	CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL);
	/* An agent comes back on the same address. */
	usleep(500000);
	REQUIRE(start_agent(&a) == 0);
	CHECK(write(bk[1], "B", 1) == 1);
	close(bk[1]);
	/* The new agent removed the dead one's work directory (with the
	 * library uploaded to it): only its own is left. */
	CHECK_INT(hard_agent_workdirs(tmpdir, NULL, 0), 1);
	REQUIRE(waitpid(pid, &st, 0) == pid);
	CHECK(WIFEXITED(st));
	CHECK_INT(WEXITSTATUS(st), 0);
	printf("client recovered %llu ms after the agent was killed\n",
	       (unsigned long long)(test_now_ms() - t0));
	CHECK(agent_wait_idle(addr, 0, 3000));
	CHECK_INT(test_agent_stop(&a), 0);
}

/* The agent's upload directories (<work>/c<conn>/r<n>) of the resources
 * in flight; `out` gets the last one. */
static int upload_dirs(const char *work, char *out, size_t cap)
{
	DIR *d = opendir(work);
	struct dirent *e;
	char conn[512];
	int n = 0;

	if (!d)
		return -1;
	while ((e = readdir(d))) {
		DIR *cd;
		struct dirent *r;

		if (e->d_name[0] == '.' ||
		    (size_t)snprintf(conn, sizeof(conn), "%s/%s", work,
				     e->d_name) >= sizeof(conn))
			continue;
		cd = opendir(conn);
		if (!cd)
			continue;
		while ((r = readdir(cd)))
			if (r->d_name[0] != '.') {
				n++;
				if ((size_t)snprintf(out, cap, "%s/%s", conn,
						     r->d_name) >= cap)
					out[0] = '\0';
			}
		closedir(cd);
	}
	closedir(d);
	return n;
}

static void test_client_killed_mid_upload(void)
{
	char *argv[] = { "helper", "upload", addr, NULL };
	char work[256], dir[512] = "", file[600];
	struct test_agent a;
	struct rpc_stats stats;
	struct stat st;
	int pfd[2];
	pid_t pid;
	char c;

	REQUIRE(start_agent(&a) == 0);
	REQUIRE(hard_agent_workdir(tmpdir, work, sizeof(work)));
	REQUIRE(pipe(pfd) == 0);
	pid = test_fork();
	if (pid == 0) {
		dup2(pfd[1], 1);
		close(pfd[0]);
		close(pfd[1]);
		execv(getenv("VACCEL_TEST_HELPER"), argv);
		_exit(127);
	}
	close(pfd[1]);
	REQUIRE(read(pfd[0], &c, 1) == 1 && c == 'R');
	/* The partial upload is on disk: 3 of 64 MiB sent. */
	usleep(200000);
	CHECK_INT(upload_dirs(work, dir, sizeof(dir)), 1);
	snprintf(file, sizeof(file), "%s/model.pt", dir);
	CHECK(stat(file, &st) == 0 && st.st_size > 0);
	REQUIRE(agent_stats(addr, &stats) == 0);
	CHECK_INT(stats.sessions, 1);
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	close(pfd[0]);
	/* Everything the dead client had is gone, on disk too. */
	CHECK(agent_wait_idle(addr, 0, 5000));
	CHECK_INT(upload_dirs(work, dir, sizeof(dir)), 0);
	CHECK_INT(test_agent_stop(&a), 0);
}

static void test_cleanup(void)
{
	char cmd[128];

	/* libvaccel's own run directory of the killed agent
	 * (vaccel-<uid>/<random>) is not the agent's to reap; the private
	 * TMPDIR goes as a whole. */
	CHECK(snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir) <
	      (int)sizeof(cmd));
	CHECK(system(cmd) == 0);
}

TEST_MAIN(test_setup, test_agent_killed_mid_call,
	  test_client_killed_mid_upload, test_cleanup)
