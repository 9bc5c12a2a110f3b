// SPDX-License-Identifier: Apache-2.0
/* Plugin loading: every refusal with its code and log line. */

#include "core_test.h"

static char *dir;
static char log_path[4200];
static long log_mark;

static void setup(void)
{
	dir = make_tmpdir();
	REQUIRE(dir);
	snprintf(log_path, sizeof(log_path), "%s/plugin.log", dir);
	REQUIRE(boot(NULL, VACCEL_LOG_WARN, log_path, false, false) == 0);
}

/* True when the log gained a line containing `what` since the last call. */
static bool logged(const char *what)
{
	char *text = slurp(log_path);
	bool found;

	if (!text)
		return false;
	found = strstr(text + log_mark, what) != NULL;
	log_mark = (long)strlen(text);
	free(text);
	return found;
}

static void test_bad_plugins(void)
{
	char text_file[4300];

	CHECK_INT(vaccel_plugin_load(tp_path("NODESC")), VACCEL_ELIBBAD);
	CHECK(logged("has no vaccel_plugin_descriptor symbol"));
	CHECK_INT(vaccel_plugin_load(tp_path("BADABI")), VACCEL_ELIBBAD);
	CHECK(logged("plugin ABI 2.0"));
	CHECK_INT(vaccel_plugin_load(tp_path("BADMAJOR")), VACCEL_ELIBBAD);
	CHECK(logged("built for vAccel 99.0.0"));
	CHECK_INT(vaccel_plugin_load(tp_path("INITFAIL")), VACCEL_ENODEV);
	CHECK(logged("init failed: no such device"));
	CHECK_INT(vaccel_plugin_load(tp_path("NONAME")), VACCEL_EINVAL);
	CHECK(logged("descriptor lacks a name"));
	CHECK_INT(vaccel_plugin_load("/nonexistent/libvaccel-x.so"),
		  VACCEL_ENOENT);
	CHECK(logged("/nonexistent/libvaccel-x.so: No such file"));
	CHECK_INT(vaccel_plugin_load("libvaccel-no-such-soname.so"),
		  VACCEL_ENOENT);
	snprintf(text_file, sizeof(text_file), "%s/not-elf.so", dir);
	spit(text_file, "this is not a shared object\n");
	CHECK_INT(vaccel_plugin_load(text_file), VACCEL_ELIBBAD);
	CHECK(logged("Could not load plugin"));
	CHECK_INT(vaccel_plugin_load(NULL), VACCEL_EINVAL);
	CHECK_INT(vaccel_plugin_load(""), VACCEL_EINVAL);
	CHECK_INT(vaccel_plugin_parse_and_load(NULL), VACCEL_EINVAL);
	/* None of them stayed loaded. */
	CHECK_INT(vaccel_plugin_count(), 0);
	CHECK(tp_get("INITFAIL") == NULL);
}

static void test_good_plugin(void)
{
	const struct vaccel_plugin_desc *d;
	struct vaccel_plugin *p;

	CHECK_INT(vaccel_plugin_load(tp_path("GOOD")), VACCEL_OK);
	CHECK_INT(vaccel_plugin_count(), 1);
	p = vaccel__plugins_first();
	REQUIRE(p);
	CHECK_STR(vaccel_plugin_name(p), "good");
	d = vaccel_plugin_descriptor_of(p);
	REQUIRE(d);
	CHECK_INT(d->type, VACCEL_PLUGIN_CPU);
	CHECK_STR(d->version, "1.0");
	CHECK_INT(d->abi_major, VACCEL_PLUGIN_ABI_MAJOR);
	CHECK(d->ops.noop != NULL && d->ops.minmax != NULL);
	CHECK(d->ops.exec == NULL);
	CHECK(vaccel_plugin_name(NULL) == NULL);
	CHECK(vaccel_plugin_descriptor_of(NULL) == NULL);

	CHECK_INT(vaccel_plugin_load(tp_path("GOOD")), VACCEL_EEXIST);
	CHECK(logged("a plugin named good is already loaded"));
	CHECK_INT(vaccel_plugin_count(), 1);
}

static void test_parse_and_load_stops_at_error(void)
{
	char list[8192];

	snprintf(list, sizeof(list), "%s:/nonexistent.so:%s", tp_path("GPU"),
		 tp_path("NOOPONLY"));
	CHECK_INT(vaccel_plugin_parse_and_load(list), VACCEL_ENOENT);
	CHECK_INT(vaccel_plugin_count(), 2);
	CHECK(tp_get("GPU") != NULL);
	CHECK(tp_get("NOOPONLY") == NULL);
	/* Load order is kept. */
	CHECK_INT(vaccel__plugins_first()->next->index, 1);
	CHECK_STR(vaccel_plugin_name(vaccel__plugins_first()->next), "gpu");
}

static void test_version_ignore(void)
{
	REQUIRE(boot(NULL, VACCEL_LOG_WARN, log_path, false, true) == 0);
	CHECK_INT(vaccel_plugin_count(), 0);
	CHECK_INT(vaccel_plugin_load(tp_path("BADMAJOR")), VACCEL_OK);
	CHECK_INT(vaccel_plugin_count(), 1);
	/* The ABI check is never skipped. */
	CHECK_INT(vaccel_plugin_load(tp_path("BADABI")), VACCEL_ELIBBAD);
}

static void test_teardown(void)
{
	vaccel_cleanup();
	CHECK_INT(vaccel_plugin_count(), 0);
	rm_tree(dir);
	free(dir);
}

TEST_MAIN(setup, test_bad_plugins, test_good_plugin,
	  test_parse_and_load_stops_at_error, test_version_ignore,
	  test_teardown)
