// SPDX-License-Identifier: Apache-2.0
/* Bootstrap, re-bootstrap and cleanup; the run directory's life. Runs with
 * VACCEL_BOOTSTRAP_ENABLED=0 so that it starts uninitialized. */

#include "core_test.h"

static void test_starts_uninitialized(void)
{
	struct vaccel_session s;

	CHECK(!vaccel_is_initialized());
	CHECK(vaccel_rundir() == NULL);
	CHECK(vaccel_config() == NULL);
	CHECK_INT(vaccel__bootstrap_status(), VACCEL_OK);
	CHECK_INT(vaccel_session_init(&s, 0), VACCEL_ENOTSUP);
	/* Cleanup when nothing is initialized is harmless. */
	CHECK_INT(vaccel_cleanup(), VACCEL_OK);
	CHECK_INT(vaccel_bootstrap_with_config(NULL), VACCEL_EINVAL);
}

static void test_bootstrap_cleanup_twice(void)
{
	struct stat st;
	char first[4096];

	CHECK_INT(boot(NULL, VACCEL_LOG_ERROR, NULL, false, false), VACCEL_OK);
	CHECK(vaccel_is_initialized());
	REQUIRE(vaccel_rundir());
	snprintf(first, sizeof(first), "%s", vaccel_rundir());
	REQUIRE(stat(first, &st) == 0);
	CHECK(S_ISDIR(st.st_mode));
	CHECK_INT(st.st_mode & 0777, 0700);
	CHECK(strstr(first, "/vaccel") != NULL);

	/* Bootstrapping again starts over with a fresh run directory. */
	CHECK_INT(boot(NULL, VACCEL_LOG_ERROR, NULL, false, false), VACCEL_OK);
	REQUIRE(vaccel_rundir());
	CHECK(strcmp(first, vaccel_rundir()) != 0);
	CHECK(!exists(first));
	snprintf(first, sizeof(first), "%s", vaccel_rundir());

	CHECK_INT(vaccel_cleanup(), VACCEL_OK);
	CHECK(!vaccel_is_initialized());
	CHECK(vaccel_rundir() == NULL);
	CHECK(!exists(first));
	CHECK_INT(vaccel_cleanup(), VACCEL_OK);

	CHECK_INT(vaccel_bootstrap(), VACCEL_OK);
	CHECK(vaccel_is_initialized());
	CHECK_INT(vaccel_cleanup(), VACCEL_OK);
}

static void test_plugins_loaded_and_unloaded(void)
{
	struct tp_counters *c;

	CHECK_INT(boot(tp_list("GOOD", "GPU", NULL), VACCEL_LOG_ERROR, NULL,
		       false, false),
		  VACCEL_OK);
	CHECK_INT(vaccel_plugin_count(), 2);
	c = tp_get("GOOD");
	REQUIRE(c);
	CHECK_INT(atomic_load(&c->inits), 1);
	CHECK_STR(vaccel_plugin_name(vaccel__plugins_first()), "good");
	CHECK_INT(vaccel_cleanup(), VACCEL_OK);
	CHECK_INT(vaccel_plugin_count(), 0);
	/* fini ran and the library is gone. */
	CHECK(tp_get("GOOD") == NULL);
}

static void test_failed_bootstrap_is_remembered(void)
{
	struct vaccel_session s;

	CHECK_INT(boot(tp_list("GOOD", "NODESC", NULL), VACCEL_LOG_ERROR, NULL,
		       false, false),
		  VACCEL_ELIBBAD);
	CHECK(!vaccel_is_initialized());
	CHECK(vaccel_rundir() == NULL);
	/* The plugins loaded before the bad one were unloaded again. */
	CHECK_INT(vaccel_plugin_count(), 0);
	CHECK_INT(vaccel__bootstrap_status(), VACCEL_ELIBBAD);
	CHECK_INT(vaccel_session_init(&s, 0), VACCEL_ELIBBAD);

	CHECK_INT(boot("/nonexistent/libvaccel-none.so", VACCEL_LOG_ERROR,
		       NULL, false, false),
		  VACCEL_ENOENT);
	CHECK_INT(vaccel_session_init(&s, 0), VACCEL_ENOENT);

	/* A good bootstrap clears the remembered error. */
	CHECK_INT(boot(tp_path("GOOD"), VACCEL_LOG_ERROR, NULL, false, false),
		  VACCEL_OK);
	CHECK_INT(vaccel__bootstrap_status(), VACCEL_OK);
	CHECK_INT(vaccel_session_init(&s, 0), VACCEL_OK);
	CHECK_INT(vaccel_session_release(&s), VACCEL_OK);
	vaccel_cleanup();
}

static void test_cleanup_releases_leaks(void)
{
	struct vaccel_session s, *h = NULL;
	struct vaccel_resource r, *hr = NULL;
	char sdir[4096];
	static const char data[] = "leaked";

	REQUIRE(boot(tp_path("GOOD"), VACCEL_LOG_ERROR, NULL, false, false) ==
		VACCEL_OK);
	REQUIRE(vaccel_session_init(&s, 0) == VACCEL_OK);
	REQUIRE(vaccel_session_new(&h, 0) == VACCEL_OK);
	REQUIRE(vaccel_resource_init_from_buf(&r, data, sizeof(data),
					      VACCEL_RESOURCE_DATA, "d.bin",
					      false) == VACCEL_OK);
	REQUIRE(vaccel_resource_from_buf(&hr, data, sizeof(data),
					 VACCEL_RESOURCE_DATA, NULL,
					 true) == VACCEL_OK);
	REQUIRE(vaccel_resource_register(&r, &s) == VACCEL_OK);
	REQUIRE(vaccel__session_mkdir(&s) == VACCEL_OK);
	snprintf(sdir, sizeof(sdir), "%s", s.rundir);
	CHECK(is_dir(sdir));

	CHECK_INT(vaccel_cleanup(), VACCEL_OK);
	CHECK_INT(s.id, 0);
	CHECK_INT(h->id, 0);
	CHECK_INT(r.id, 0);
	CHECK_INT(hr->id, 0);
	CHECK(!exists(sdir));
	/* The caller's memory is still the caller's to free. */
	CHECK_INT(vaccel_session_delete(h), VACCEL_OK);
	CHECK_INT(vaccel_resource_delete(hr), VACCEL_OK);
	/* Releasing again is refused but harmless. */
	CHECK_INT(vaccel_session_release(&s), VACCEL_EINVAL);
	CHECK_INT(vaccel_resource_release(&r), VACCEL_EINVAL);
}

TEST_MAIN(test_starts_uninitialized, test_bootstrap_cleanup_twice,
	  test_plugins_loaded_and_unloaded,
	  test_failed_bootstrap_is_remembered, test_cleanup_releases_leaks)
