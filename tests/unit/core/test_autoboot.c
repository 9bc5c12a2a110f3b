// SPDX-License-Identifier: Apache-2.0
/*
 * The constructor bootstraps from the environment. Registered twice:
 * AUTOBOOT_EXPECT=ok with VACCEL_PLUGINS naming a good plugin, and
 * AUTOBOOT_EXPECT=fail with a missing one, where the library must keep the
 * process alive and make vaccel_session_init() report the error. The
 * destructor cleans up (no explicit vaccel_cleanup()).
 */

#include "core_test.h"

static bool expect_ok(void)
{
	const char *e = getenv("AUTOBOOT_EXPECT");

	return e && strcmp(e, "ok") == 0;
}

static void test_auto_bootstrap(void)
{
	/* Static: the destructor releases it after main() returns. */
	static struct vaccel_session s;
	const char *log = getenv("VACCEL_LOG_FILE");
	long before = log ? file_size(log) : -1;
	char *text;

	if (expect_ok()) {
		CHECK(vaccel_is_initialized());
		CHECK_INT(vaccel_plugin_count(), 1);
		CHECK_INT(vaccel_session_init(&s, 0), VACCEL_OK);
		CHECK_STR(vaccel_plugin_name(s.plugin), "good");
		/* Left for the destructor to release, with a warning. */
		return;
	}

	CHECK(!vaccel_is_initialized());
	CHECK_INT(vaccel__bootstrap_status(), VACCEL_ENOENT);
	CHECK_INT(vaccel_session_init(&s, 0), VACCEL_ENOENT);
	REQUIRE(log);
	text = slurp(log);
	REQUIRE(text);
	/* The line names the root cause the plugin loader gave. */
	CHECK(before >= 0 &&
	      strstr(text + before,
		     "vAccel bootstrap failed: Plugin /nonexistent/libvaccel-missing.so: No such file or directory"));
	CHECK(strstr(vaccel_last_error_message(),
		     "/nonexistent/libvaccel-missing.so"));
	free(text);
}

TEST_MAIN(test_auto_bootstrap)
