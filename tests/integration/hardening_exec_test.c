// SPDX-License-Identifier: Apache-2.0
/*
 * Remote exec policy: exec and exec_with_resource run host code, so the
 * agent refuses them unless the operator allowed them. By default both
 * fail with VACCEL_EPERM (typed, genop and uploaded forms) and the agent
 * logs the refusal; --exec-allow PATH admits exactly that library,
 * whatever path spelling (symlink, "..") reaches it, and nothing else;
 * --exec-allow-uploaded admits uploaded libraries; an allow-list entry
 * that does not exist stops the agent at start. The clients are real
 * processes with the rpc plugin.
 */
#include "hardening_common.h"
#include "testing.h"

static char logfile[64];

static int start(struct test_agent *a, const char **extra)
{
	char addr[160];
	const char *addrs[1] = { addr };
	int ret;

	snprintf(addr, sizeof(addr), "unix:///tmp/vaccel-exec-%d.sock",
		 (int)getpid());
	/* The agent's log (warnings and up) goes to a file we can read. */
	setenv("VACCEL_LOG_FILE", logfile, 1);
	setenv("VACCEL_LOG_LEVEL", "2", 1);
	ret = test_agent_start(a, addrs, 1, extra);
	unsetenv("VACCEL_LOG_FILE");
	unsetenv("VACCEL_LOG_LEVEL");
	return ret;
}

static bool log_has(const char *needle)
{
	char line[2048];
	bool found = false;
	FILE *f = fopen(logfile, "r");

	if (!f)
		return false;
	while (!found && fgets(line, sizeof(line), f))
		found = strstr(line, needle) != NULL;
	fclose(f);
	return found;
}

/* Client bodies: each returns the op's result (99 on a wrong answer). */
static int do_exec(void *lib)
{
	struct vaccel_session s;
	int32_t x = 21, y = 0;
	struct vaccel_arg rd = { &x, 4, VACCEL_ARG_INT32, 0, false };
	struct vaccel_arg wr = { &y, 4, VACCEL_ARG_INT32, 0, false };
	int ret = vaccel_session_init(&s, VACCEL_PLUGIN_REMOTE |
						  VACCEL_PLUGIN_GENERIC);

	if (ret)
		return ret;
	ret = vaccel_exec(&s, lib, "mytestfunc", &rd, 1, &wr, 1);
	vaccel_session_release(&s);
	return ret ? ret : (y == 42 ? 0 : 99);
}

static int do_genop_exec(void *lib)
{
	struct vaccel_session s;
	uint8_t op = VACCEL_OP_EXEC;
	int32_t x = 21, y = 0;
	char sym[] = "mytestfunc";
	struct vaccel_arg rd[] = {
		{ &op, 1, VACCEL_ARG_UINT8, 0, false },
		{ lib, strlen(lib) + 1, VACCEL_ARG_STRING, 0, false },
		{ sym, sizeof(sym), VACCEL_ARG_STRING, 0, false },
		{ &x, 4, VACCEL_ARG_INT32, 0, false },
	};
	struct vaccel_arg wr = { &y, 4, VACCEL_ARG_INT32, 0, false };
	int ret = vaccel_session_init(&s, VACCEL_PLUGIN_REMOTE |
						  VACCEL_PLUGIN_GENERIC);

	if (ret)
		return ret;
	ret = vaccel_genop(&s, rd, 4, &wr, 1);
	vaccel_session_release(&s);
	return ret ? ret : (y == 42 ? 0 : 99);
}

static int do_exec_res(void *lib)
{
	struct vaccel_session s;
	struct vaccel_resource res;
	int32_t x = 21, y = 0;
	struct vaccel_arg rd = { &x, 4, VACCEL_ARG_INT32, 0, false };
	struct vaccel_arg wr = { &y, 4, VACCEL_ARG_INT32, 0, false };
	int ret = vaccel_session_init(&s, VACCEL_PLUGIN_REMOTE |
						  VACCEL_PLUGIN_GENERIC);

	if (ret)
		return ret;
	ret = vaccel_resource_init(&res, lib, VACCEL_RESOURCE_LIB);
	if (!ret) {
		ret = vaccel_resource_register(&res, &s);
		if (!ret)
			ret = vaccel_exec_with_resource(&s, &res, "mytestfunc",
							&rd, 1, &wr, 1);
		vaccel_resource_release(&res);
	}
	vaccel_session_release(&s);
	return ret ? ret : (y == 42 ? 0 : 99);
}

static void test_default_off(void)
{
	char *lib = getenv("VACCEL_TEST_MYTESTLIB");
	struct test_agent a;

	REQUIRE(start(&a, NULL) == 0);
	CHECK_INT(hard_in_client(a.addr[0], do_exec, lib), VACCEL_EPERM);
	CHECK_INT(hard_in_client(a.addr[0], do_genop_exec, lib), VACCEL_EPERM);
	CHECK_INT(hard_in_client(a.addr[0], do_exec_res, lib), VACCEL_EPERM);
	CHECK(agent_wait_idle(a.addr[0], 0, 3000));
	CHECK_INT(test_agent_stop(&a), 0);
	CHECK(log_has("exec refused: no --exec-allow"));
	CHECK(log_has("exec_with_resource refused"));
}

static void test_allow_list(void)
{
	char *lib = getenv("VACCEL_TEST_MYTESTLIB");
	char *other = getenv("VACCEL_TEST_SLOWLIB");
	const char *extra[] = { "--exec-allow", lib, NULL };
	char link[64], dotted[1024], *dir = strdup(lib), *slash;
	struct test_agent a;

	REQUIRE(dir);
	slash = strrchr(dir, '/');
	REQUIRE(slash);
	*slash = '\0';
	snprintf(dotted, sizeof(dotted), "%s/../%s/%s", dir,
		 strrchr(dir, '/') + 1, slash + 1);
	snprintf(link, sizeof(link), "/tmp/vaccel-exec-link-%d.so",
		 (int)getpid());
	unlink(link);
	REQUIRE(symlink(lib, link) == 0);

	REQUIRE(start(&a, extra) == 0);
	CHECK_INT(hard_in_client(a.addr[0], do_exec, lib), 0);
	CHECK_INT(hard_in_client(a.addr[0], do_genop_exec, lib), 0);
	/* Other spellings of the same file. */
	CHECK_INT(hard_in_client(a.addr[0], do_exec, link), 0);
	CHECK_INT(hard_in_client(a.addr[0], do_exec, dotted), 0);
	/* Anything else: a real library, a missing one, a relative name
	 * the host's dlopen would search for. */
	CHECK_INT(hard_in_client(a.addr[0], do_exec, other), VACCEL_EPERM);
	CHECK_INT(hard_in_client(a.addr[0], do_exec, "/nonexistent/lib.so"),
		  VACCEL_EPERM);
	CHECK_INT(hard_in_client(a.addr[0], do_exec, "libc.so.6"),
		  VACCEL_EPERM);
	/* Uploaded libraries need their own flag. */
	CHECK_INT(hard_in_client(a.addr[0], do_exec_res, lib), VACCEL_EPERM);
	CHECK(agent_wait_idle(a.addr[0], 0, 3000));
	CHECK_INT(test_agent_stop(&a), 0);
	CHECK(log_has("not in the allow-list"));
	unlink(link);
	free(dir);
}

static void test_allow_uploaded(void)
{
	char *lib = getenv("VACCEL_TEST_MYTESTLIB");
	const char *extra[] = { "--exec-allow-uploaded", NULL };
	struct test_agent a;

	REQUIRE(start(&a, extra) == 0);
	CHECK_INT(hard_in_client(a.addr[0], do_exec_res, lib), 0);
	CHECK_INT(hard_in_client(a.addr[0], do_exec, lib), VACCEL_EPERM);
	CHECK(agent_wait_idle(a.addr[0], 0, 3000));
	CHECK_INT(test_agent_stop(&a), 0);
}

static void test_bad_allow_entry(void)
{
	const char *extra[] = { "--exec-allow", "/nonexistent/lib.so", NULL };
	struct test_agent a;
	int st = 0;

	CHECK(start(&a, extra) != 0);
	REQUIRE(a.pid > 0);
	REQUIRE(waitpid(a.pid, &st, 0) == a.pid);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 2);
}

static void test_setup(void)
{
	snprintf(logfile, sizeof(logfile), "/tmp/vaccel-exec-%d.log",
		 (int)getpid());
	unlink(logfile);
	REQUIRE(getenv("VACCEL_TEST_MYTESTLIB"));
	REQUIRE(getenv("VACCEL_TEST_SLOWLIB"));
}

static void test_cleanup(void)
{
	unlink(logfile);
}

TEST_MAIN(test_setup, test_default_off, test_allow_list, test_allow_uploaded,
	  test_bad_allow_entry, test_cleanup)
