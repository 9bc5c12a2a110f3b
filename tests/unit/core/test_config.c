// SPDX-License-Identifier: Apache-2.0
/* Config from arguments and from the environment. */

#include "core_test.h"
#include <fcntl.h>

static const char *const vars[] = {
	"VACCEL_PLUGINS",	    "VACCEL_BACKENDS",	  "VACCEL_LOG_LEVEL",
	"VACCEL_DEBUG_LEVEL",	    "VACCEL_LOG_FILE",	  "VACCEL_PROFILING_ENABLED",
	"VACCEL_VERSION_IGNORE", "VACCEL_IGNORE_VERSION",
};

static void clear_env(void)
{
	for (size_t i = 0; i < sizeof(vars) / sizeof(*vars); i++)
		unsetenv(vars[i]);
}

/* Runs vaccel_config_init_from_env with stderr captured into *err. */
static int from_env_capture(struct vaccel_config *c, char **err)
{
	char path[] = "/tmp/vaccel-config-stderr-XXXXXX";
	int fd = mkstemp(path), saved = dup(2), ret;

	fflush(stderr);
	dup2(fd, 2);
	ret = vaccel_config_init_from_env(c);
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	close(fd);
	*err = slurp(path);
	unlink(path);
	return ret;
}

static void test_init_copies(void)
{
	struct vaccel_config c, d;
	char plugins[] = "a.so:b.so";

	CHECK_INT(vaccel_config_init(&c, plugins, VACCEL_LOG_DEBUG, "/tmp/l",
				     true, true),
		  VACCEL_OK);
	plugins[0] = 'z';
	CHECK_STR(c.plugins, "a.so:b.so");
	CHECK_STR(c.log_file, "/tmp/l");
	CHECK_INT(c.log_level, VACCEL_LOG_DEBUG);
	CHECK(c.profiling_enabled && c.version_ignore);

	CHECK_INT(vaccel_config_init_from(&d, &c), VACCEL_OK);
	CHECK(d.plugins != c.plugins);
	CHECK_STR(d.plugins, "a.so:b.so");
	vaccel_config_print_debug(&d);
	vaccel_config_release(&d);
	vaccel_config_release(&c);
	CHECK(c.plugins == NULL && c.log_file == NULL);
	/* Releasing twice (now zeroed) is harmless. */
	CHECK_INT(vaccel_config_release(&c), VACCEL_OK);
}

static void test_invalid_args(void)
{
	struct vaccel_config c, *p = NULL;

	CHECK_INT(vaccel_config_init(NULL, NULL, 1, NULL, false, false),
		  VACCEL_EINVAL);
	CHECK_INT(vaccel_config_init(&c, NULL, (vaccel_log_level_t)9, NULL,
				     false, false),
		  VACCEL_EINVAL);
	CHECK_INT(vaccel_config_init_from(&c, NULL), VACCEL_EINVAL);
	CHECK_INT(vaccel_config_init_from_env(NULL), VACCEL_EINVAL);
	CHECK_INT(vaccel_config_release(NULL), VACCEL_EINVAL);
	CHECK_INT(vaccel_config_new(NULL, NULL, 1, NULL, false, false),
		  VACCEL_EINVAL);
	CHECK_INT(vaccel_config_new(&p, NULL, (vaccel_log_level_t)0, NULL,
				    false, false),
		  VACCEL_EINVAL);
	CHECK(p == NULL);
	CHECK_INT(vaccel_config_delete(NULL), VACCEL_OK);
	vaccel_config_print_debug(NULL);
}

static void test_new_from_delete(void)
{
	struct vaccel_config *a = NULL, *b = NULL, *e = NULL;

	clear_env();
	setenv("VACCEL_PLUGINS", "x.so", 1);
	CHECK_INT(vaccel_config_new(&a, "p.so", VACCEL_LOG_INFO, NULL, false,
				    true),
		  VACCEL_OK);
	CHECK_INT(vaccel_config_from(&b, a), VACCEL_OK);
	CHECK_INT(vaccel_config_from_env(&e), VACCEL_OK);
	REQUIRE(a && b && e);
	CHECK_STR(b->plugins, "p.so");
	CHECK(b->version_ignore);
	CHECK_STR(e->plugins, "x.so");
	vaccel_config_delete(a);
	vaccel_config_delete(b);
	vaccel_config_delete(e);
}

static void test_env_defaults(void)
{
	struct vaccel_config c;

	clear_env();
	CHECK_INT(vaccel_config_init_from_env(&c), VACCEL_OK);
	CHECK(c.plugins == NULL);
	CHECK(c.log_file == NULL);
	CHECK_INT(c.log_level, VACCEL_LOG_ERROR);
	CHECK(!c.profiling_enabled && !c.version_ignore);
	vaccel_config_release(&c);
}

static void test_env_valid(void)
{
	struct vaccel_config c;

	clear_env();
	setenv("VACCEL_PLUGINS", "/a.so:/b.so", 1);
	setenv("VACCEL_LOG_LEVEL", "4", 1);
	setenv("VACCEL_LOG_FILE", "/dev/stderr", 1);
	setenv("VACCEL_PROFILING_ENABLED", "1", 1);
	setenv("VACCEL_VERSION_IGNORE", "true", 1);
	CHECK_INT(vaccel_config_init_from_env(&c), VACCEL_OK);
	CHECK_STR(c.plugins, "/a.so:/b.so");
	CHECK_INT(c.log_level, VACCEL_LOG_DEBUG);
	CHECK_STR(c.log_file, "/dev/stderr");
	CHECK(c.profiling_enabled);
	CHECK(c.version_ignore);
	vaccel_config_release(&c);

	setenv("VACCEL_PROFILING_ENABLED", "0", 1);
	setenv("VACCEL_VERSION_IGNORE", "FALSE", 1);
	setenv("VACCEL_LOG_LEVEL", "5", 1);
	CHECK_INT(vaccel_config_init_from_env(&c), VACCEL_OK);
	CHECK(!c.profiling_enabled && !c.version_ignore);
	CHECK_INT(c.log_level, VACCEL_LOG_TRACE);
	vaccel_config_release(&c);

	setenv("VACCEL_PROFILING_ENABLED", "7", 1);
	CHECK_INT(vaccel_config_init_from_env(&c), VACCEL_OK);
	CHECK(c.profiling_enabled);
	vaccel_config_release(&c);
}

static void test_env_invalid_numbers(void)
{
	static const char *const bad_levels[] = { "abc", "0",  "6",  "3x",
						  "-1",	 "",   " 2", "99999999999999999999999" };
	static const char *const bad_flags[] = { "yes", "1x", "-1", "" };
	struct vaccel_config c;

	clear_env();
	for (size_t i = 0; i < sizeof(bad_levels) / sizeof(*bad_levels); i++) {
		setenv("VACCEL_LOG_LEVEL", bad_levels[i], 1);
		CHECK_INT(vaccel_config_init_from_env(&c), VACCEL_EINVAL);
	}
	clear_env();
	for (size_t i = 0; i < sizeof(bad_flags) / sizeof(*bad_flags); i++) {
		setenv("VACCEL_PROFILING_ENABLED", bad_flags[i], 1);
		CHECK_INT(vaccel_config_init_from_env(&c), VACCEL_EINVAL);
		unsetenv("VACCEL_PROFILING_ENABLED");
		setenv("VACCEL_VERSION_IGNORE", bad_flags[i], 1);
		CHECK_INT(vaccel_config_init_from_env(&c), VACCEL_EINVAL);
		unsetenv("VACCEL_VERSION_IGNORE");
	}
}

static void test_env_deprecated_names(void)
{
	struct vaccel_config c;
	char *err = NULL;

	clear_env();
	setenv("VACCEL_BACKENDS", "/old.so", 1);
	setenv("VACCEL_DEBUG_LEVEL", "3", 1);
	setenv("VACCEL_IGNORE_VERSION", "1", 1);
	CHECK_INT(from_env_capture(&c, &err), VACCEL_OK);
	CHECK_STR(c.plugins, "/old.so");
	CHECK_INT(c.log_level, VACCEL_LOG_INFO);
	CHECK(c.version_ignore);
	REQUIRE(err);
	CHECK(strstr(err, "Warning: VACCEL_BACKENDS is deprecated. Use "
			  "VACCEL_PLUGINS instead.\n"));
	CHECK(strstr(err, "Warning: VACCEL_DEBUG_LEVEL is deprecated. Use "
			  "VACCEL_LOG_LEVEL instead.\n"));
	CHECK(strstr(err, "Warning: VACCEL_IGNORE_VERSION is deprecated. Use "
			  "VACCEL_VERSION_IGNORE instead.\n"));
	free(err);
	vaccel_config_release(&c);

	/* The new names win, silently. */
	setenv("VACCEL_PLUGINS", "/new.so", 1);
	setenv("VACCEL_LOG_LEVEL", "2", 1);
	setenv("VACCEL_VERSION_IGNORE", "0", 1);
	CHECK_INT(from_env_capture(&c, &err), VACCEL_OK);
	CHECK_STR(c.plugins, "/new.so");
	CHECK_INT(c.log_level, VACCEL_LOG_WARN);
	CHECK(!c.version_ignore);
	REQUIRE(err);
	CHECK(!strstr(err, "deprecated"));
	free(err);
	vaccel_config_release(&c);
}

static void test_bootstrap_with_bad_env(void)
{
	struct vaccel_session s;

	clear_env();
	setenv("VACCEL_LOG_LEVEL", "nine", 1);
	CHECK_INT(vaccel_bootstrap(), VACCEL_EINVAL);
	CHECK(!vaccel_is_initialized());
	CHECK_INT(vaccel__bootstrap_status(), VACCEL_EINVAL);
	CHECK_INT(vaccel_session_init(&s, 0), VACCEL_EINVAL);

	clear_env();
	CHECK_INT(vaccel_bootstrap(), VACCEL_OK);
	CHECK(vaccel_is_initialized());
	CHECK_INT(vaccel__bootstrap_status(), VACCEL_OK);
	REQUIRE(vaccel_config() != NULL);
	CHECK_INT(vaccel_config()->log_level, VACCEL_LOG_ERROR);
	vaccel_cleanup();
	CHECK(vaccel_config() == NULL);
}

TEST_MAIN(test_init_copies, test_invalid_args, test_new_from_delete,
	  test_env_defaults, test_env_valid, test_env_invalid_numbers,
	  test_env_deprecated_names, test_bootstrap_with_bad_env)
