// SPDX-License-Identifier: Apache-2.0
/*
 * Remote exec policy: a host plugin that opens a library for a guest runs
 * host code, so the agent refuses it unless the operator allowed that
 * library. By default exec and exec_with_resource fail with VACCEL_EPERM
 * (typed, genop and uploaded forms) and the agent logs the refusal;
 * --exec-allow PATH admits exactly that library, whatever path spelling
 * (symlink, "..") reaches it, and uploaded copies of it (same SHA-256, the
 * log names the file), and nothing else (another library under the same
 * name, a missing file, a bare soname); only functions the library itself
 * defines run ("abort", "exit", "system" through it are refused and
 * logged), and LIB:SYM,SYM limits it to those; --exec-allow-uploaded
 * admits any uploaded library; an op whose plugin opens no library
 * (mbench) is never refused by the policy; an allow-list entry that does
 * not exist stops the agent at start. The clients are real processes with
 * the rpc plugin.
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
	/* The agent's log (info and up) goes to a file we can read. */
	setenv("VACCEL_LOG_FILE", logfile, 1);
	setenv("VACCEL_LOG_LEVEL", "3", 1);
	ret = test_agent_start(a, addrs, 1, extra);
	unsetenv("VACCEL_LOG_FILE");
	unsetenv("VACCEL_LOG_LEVEL");
	return ret;
}

static int copy_file(const char *from, const char *to)
{
	char buf[8192];
	ssize_t n;
	int in = open(from, O_RDONLY), out;

	if (in < 0)
		return -1;
	out = open(to, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (out < 0) {
		close(in);
		return -1;
	}
	while ((n = read(in, buf, sizeof(buf))) > 0)
		if (write(out, buf, (size_t)n) != n)
			n = -1;
	close(in);
	close(out);
	return n < 0 ? -1 : 0;
}

/* The agent's log, after a failed check, to say why. */
static void dump_log(void)
{
	char line[2048];
	FILE *f = fopen(logfile, "r");

	if (!f)
		return;
	fprintf(stderr, "--- agent log:\n");
	while (fgets(line, sizeof(line), f))
		fputs(line, stderr);
	fclose(f);
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
static const char *symbol = "mytestfunc";

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
	ret = vaccel_exec(&s, lib, symbol, &rd, 1, &wr, 1);
	vaccel_session_release(&s);
	return ret ? ret : (y == 42 ? 0 : 99);
}

/* mbench's exec opens no library: the policy has nothing to say. */
static int do_mbench(void *arg)
{
	struct vaccel_session s;
	char ms[] = "1";
	struct vaccel_arg rd = { ms, sizeof(ms), VACCEL_ARG_STRING, 0, false };
	int ret = vaccel_session_init(&s, VACCEL_PLUGIN_REMOTE);

	(void)arg;
	if (ret)
		return ret;
	ret = vaccel_exec(&s, "mbench", "mbench", &rd, 1, NULL, 0);
	vaccel_session_release(&s);
	return ret;
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
			ret = vaccel_exec_with_resource(&s, &res, symbol, &rd,
							1, &wr, 1);
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
	CHECK(log_has("exec is disabled on this agent"));
	CHECK(log_has("exec_with_resource refused"));
}

static void test_allow_list(void)
{
	char *lib = getenv("VACCEL_TEST_MYTESTLIB");
	char *other = getenv("VACCEL_TEST_SLOWLIB");
	const char *extra[] = { "--exec-allow", lib, NULL };
	char link[64], dotted[1024], *dir = strdup(lib), *slash;
	char renamed_dir[64], renamed[1024];
	static const char *const libc_syms[] = { "abort", "exit", "system" };
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
	/* Another library under the allowed library's file name. */
	snprintf(renamed_dir, sizeof(renamed_dir), "/tmp/vaccel-exec-other-%d",
		 (int)getpid());
	mkdir(renamed_dir, 0700);
	snprintf(renamed, sizeof(renamed), "%s/%s", renamed_dir, slash + 1);
	REQUIRE(copy_file(other, renamed) == 0);

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
	/* An uploaded copy of the allowed file is that library; another one
	 * under the same name is not. */
	CHECK_INT(hard_in_client(a.addr[0], do_exec_res, lib), 0);
	CHECK_INT(hard_in_client(a.addr[0], do_exec_res, renamed), VACCEL_EPERM);
	/* Only what the library itself defines runs. */
	for (size_t i = 0; i < sizeof(libc_syms) / sizeof(libc_syms[0]); i++) {
		symbol = libc_syms[i];
		CHECK_INT(hard_in_client(a.addr[0], do_exec, lib), VACCEL_EPERM);
		CHECK_INT(hard_in_client(a.addr[0], do_exec_res, lib),
			  VACCEL_EPERM);
	}
	symbol = "mytestfunc";
	CHECK(agent_wait_idle(a.addr[0], 0, 3000));
	CHECK_INT(test_agent_stop(&a), 0);
	CHECK(log_has("not in the agent's exec allow-list"));
	CHECK(log_has("matches the allowed file"));
	CHECK(log_has("matches no --exec-allow file"));
	CHECK(log_has("Symbol abort refused"));
	CHECK(log_has("Symbol system refused"));
	if (test__failures)
		dump_log();
	unlink(link);
	unlink(renamed);
	rmdir(renamed_dir);
	free(dir);
}

static void test_symbol_list(void)
{
	char *lib = getenv("VACCEL_TEST_MYTESTLIB");
	char arg[1024];
	const char *extra[] = { "--exec-allow", arg, NULL };
	struct test_agent a;

	snprintf(arg, sizeof(arg), "%s:other,mytestfunc", lib);
	REQUIRE(start(&a, extra) == 0);
	CHECK_INT(hard_in_client(a.addr[0], do_exec, lib), 0);
	CHECK_INT(hard_in_client(a.addr[0], do_exec_res, lib), 0);
	snprintf(arg, sizeof(arg), "%s:other", lib);
	CHECK_INT(test_agent_stop(&a), 0);
	REQUIRE(start(&a, extra) == 0);
	CHECK_INT(hard_in_client(a.addr[0], do_exec, lib), VACCEL_EPERM);
	CHECK_INT(hard_in_client(a.addr[0], do_exec_res, lib), VACCEL_EPERM);
	CHECK_INT(test_agent_stop(&a), 0);
	CHECK(log_has("exec allow-list for this library"));
}

static void test_no_library_no_policy(void)
{
	char plugins[1024];
	const char *mbench = getenv("VACCEL_TEST_MBENCH_PLUGIN");
	struct test_agent a;

	/* The agent's plugins come from the environment the tests set. */
	snprintf(plugins, sizeof(plugins), "%s",
		 getenv("VACCEL_TEST_AGENT_PLUGINS"));
	REQUIRE(mbench);
	setenv("VACCEL_TEST_AGENT_PLUGINS", mbench, 1);
	REQUIRE(start(&a, NULL) == 0);
	setenv("VACCEL_TEST_AGENT_PLUGINS", plugins, 1);
	CHECK_INT(hard_in_client(a.addr[0], do_mbench, NULL), 0);
	CHECK_INT(test_agent_stop(&a), 0);
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

TEST_MAIN(test_setup, test_default_off, test_allow_list, test_symbol_list,
	  test_no_library_no_policy, test_allow_uploaded, test_bad_allow_entry,
	  test_cleanup)
