// SPDX-License-Identifier: Apache-2.0
/* Sessions: init/release/new/delete/get_by_id/update and plugin choice. */

#include "core_test.h"
#include "id_pool.h"

static void test_null_args(void)
{
	struct vaccel_session *p = NULL, s;

	memset(&s, 0, sizeof(s));
	CHECK_INT(vaccel_session_init(NULL, 0), VACCEL_EINVAL);
	CHECK_INT(vaccel_session_release(NULL), VACCEL_EINVAL);
	CHECK_INT(vaccel_session_release(&s), VACCEL_EINVAL);
	CHECK_INT(vaccel_session_new(NULL, 0), VACCEL_EINVAL);
	CHECK_INT(vaccel_session_delete(NULL), VACCEL_OK);
	CHECK_INT(vaccel_session_get_by_id(NULL, 1), VACCEL_EINVAL);
	CHECK_INT(vaccel_session_get_by_id(&p, 0), VACCEL_EINVAL);
	CHECK_INT(vaccel_session_update(NULL, 0), VACCEL_EINVAL);
	CHECK_INT(vaccel_session_update(&s, 0), VACCEL_EINVAL);
	CHECK(!vaccel_session_has_resource(NULL, NULL));
	CHECK_INT(vaccel_session_resource_by_type(&s, NULL, 0), VACCEL_EINVAL);
	CHECK_INT(vaccel__session_check(NULL, "t"), VACCEL_EINVAL);
	CHECK_INT(vaccel__session_check(&s, "t"), VACCEL_EINVAL);
}

static void test_no_plugins(void)
{
	struct vaccel_session s;

	REQUIRE(boot(NULL, VACCEL_LOG_ERROR, NULL, false, false) == 0);
	CHECK_INT(vaccel_session_init(&s, 0), VACCEL_ENOTSUP);
	vaccel_cleanup();
}

static void test_init_release(void)
{
	struct vaccel_session s, *found = NULL;
	struct tp_counters *c = tp_get("GOOD");
	char expect[4096], dir[4096];
	vaccel_id_t id;

	REQUIRE(c);
	int inits = atomic_load(&c->session_inits);
	int releases = atomic_load(&c->session_releases);

	REQUIRE(vaccel_session_init(&s, 0) == VACCEL_OK);
	CHECK(s.id > 0);
	CHECK_STR(vaccel_plugin_name(s.plugin), "good");
	CHECK(!s.is_virtio);
	CHECK_INT(s.hint, 0);
	CHECK(s.priv == c);
	CHECK_INT(atomic_load(&c->session_inits), inits + 1);
	snprintf(expect, sizeof(expect), "%s/session.%lld", vaccel_rundir(),
		 (long long)s.id);
	CHECK_STR(s.rundir, expect);
	/* The directory is created on first use only. */
	CHECK(!exists(s.rundir));
	CHECK_INT(vaccel__session_mkdir(&s), VACCEL_OK);
	CHECK(is_dir(s.rundir));
	CHECK_INT(vaccel__session_mkdir(&s), VACCEL_OK);
	CHECK_INT(vaccel__session_mkdir(NULL), VACCEL_EINVAL);
	CHECK_INT(vaccel__session_check(&s, "t"), VACCEL_OK);

	CHECK_INT(vaccel_session_get_by_id(&found, s.id), VACCEL_OK);
	CHECK(found == &s);

	id = s.id;
	snprintf(dir, sizeof(dir), "%s", s.rundir);
	CHECK_INT(vaccel_session_release(&s), VACCEL_OK);
	CHECK_INT(s.id, 0);
	CHECK(!exists(dir));
	CHECK_INT(atomic_load(&c->session_releases), releases + 1);
	CHECK_INT(vaccel_session_get_by_id(&found, id), VACCEL_ENOENT);
	CHECK_INT(vaccel_session_release(&s), VACCEL_EINVAL);

	/* Ids keep increasing rather than reusing the freed one. */
	REQUIRE(vaccel_session_init(&s, 0) == VACCEL_OK);
	CHECK(s.id > id);

	/* Initializing a live session again is refused and leaves it as it
	 * was: released once, the registry holds nothing of it (before the
	 * check, the second init linked it twice and cleanup never ended). */
	id = s.id;
	CHECK_INT(vaccel_session_init(&s, 0), VACCEL_EBUSY);
	CHECK_INT(s.id, id);
	CHECK_INT(vaccel_session_get_by_id(&found, id), VACCEL_OK);
	CHECK(found == &s);
	CHECK_INT(vaccel_session_release(&s), VACCEL_OK);
	CHECK_INT(vaccel_session_get_by_id(&found, id), VACCEL_ENOENT);
	/* Released storage may be initialized again. */
	REQUIRE(vaccel_session_init(&s, 0) == VACCEL_OK);
	vaccel_session_release(&s);
}

static void test_new_delete(void)
{
	struct vaccel_session *a = NULL, *b = NULL;

	CHECK_INT(vaccel_session_new(&a, 0), VACCEL_OK);
	CHECK_INT(vaccel_session_new(&b, VACCEL_PLUGIN_GPU), VACCEL_OK);
	REQUIRE(a && b);
	CHECK(a->id != b->id);
	CHECK_STR(vaccel_plugin_name(b->plugin), "gpu");
	CHECK_INT(b->hint, VACCEL_PLUGIN_GPU);
	CHECK_INT(vaccel_session_delete(a), VACCEL_OK);
	CHECK_INT(vaccel_session_delete(b), VACCEL_OK);
}

static void test_selection(void)
{
	struct vaccel_session s;

	CHECK_INT(vaccel_session_init(&s, VACCEL_PLUGIN_GPU | VACCEL_PLUGIN_CPU),
		  VACCEL_OK);
	/* The first loaded plugin with any hinted bit wins. */
	CHECK_STR(vaccel_plugin_name(s.plugin), "good");
	vaccel_session_release(&s);

	/* A hint nothing matches is a preference: the first local plugin. */
	CHECK_INT(vaccel_session_init(&s, VACCEL_PLUGIN_FPGA), VACCEL_OK);
	CHECK_STR(vaccel_plugin_name(s.plugin), "good");
	CHECK_INT(s.hint, VACCEL_PLUGIN_FPGA);
	vaccel_session_release(&s);

	/* REMOTE needs a transport plugin. */
	CHECK_INT(vaccel_session_init(&s, VACCEL_PLUGIN_REMOTE),
		  VACCEL_ENOTSUP);
}

static void test_update(void)
{
	struct vaccel_session s;
	struct vaccel_resource r;
	static const char data[] = "x";

	REQUIRE(vaccel_session_init(&s, 0) == VACCEL_OK);
	CHECK_INT(vaccel_session_update(&s, VACCEL_PLUGIN_GPU), VACCEL_OK);
	CHECK_STR(vaccel_plugin_name(s.plugin), "gpu");
	CHECK_INT(s.hint, VACCEL_PLUGIN_GPU);
	CHECK_INT(vaccel_session_update(&s, VACCEL_PLUGIN_REMOTE),
		  VACCEL_ENOTSUP);
	CHECK_STR(vaccel_plugin_name(s.plugin), "gpu");
	CHECK_INT(vaccel_session_update(&s, VACCEL_PLUGIN_FPGA), VACCEL_OK);
	CHECK_STR(vaccel_plugin_name(s.plugin), "good");
	CHECK_INT(vaccel_session_update(&s, VACCEL_PLUGIN_GPU), VACCEL_OK);

	REQUIRE(vaccel_resource_init_from_buf(&r, data, 1, VACCEL_RESOURCE_DATA,
					      NULL, true) == VACCEL_OK);
	REQUIRE(vaccel_resource_register(&r, &s) == VACCEL_OK);
	CHECK_INT(vaccel_session_update(&s, 0), VACCEL_EBUSY);
	CHECK_STR(vaccel_plugin_name(s.plugin), "gpu");
	vaccel_resource_unregister(&r, &s);
	CHECK_INT(vaccel_session_update(&s, 0), VACCEL_OK);
	CHECK_STR(vaccel_plugin_name(s.plugin), "good");
	vaccel_resource_release(&r);
	vaccel_session_release(&s);
}

static void test_resource_lookups(void)
{
	struct vaccel_session s;
	struct vaccel_resource m1, m2, d, *found = NULL, **all = NULL;
	size_t n = 0;
	static const char data[] = "abc";

	REQUIRE(vaccel_session_init(&s, 0) == VACCEL_OK);
	REQUIRE(vaccel_resource_init_from_buf(&m1, data, 3,
					      VACCEL_RESOURCE_MODEL, NULL,
					      true) == 0);
	REQUIRE(vaccel_resource_init_from_buf(&m2, data, 3,
					      VACCEL_RESOURCE_MODEL, NULL,
					      true) == 0);
	REQUIRE(vaccel_resource_init_from_buf(&d, data, 3, VACCEL_RESOURCE_DATA,
					      NULL, true) == 0);
	CHECK_INT(vaccel_session_resource_by_type(&s, &found,
						  VACCEL_RESOURCE_MODEL),
		  VACCEL_ENOENT);
	vaccel_resource_register(&m1, &s);
	vaccel_resource_register(&m2, &s);
	vaccel_resource_register(&d, &s);

	CHECK_INT(vaccel_session_resource_by_type(&s, &found,
						  VACCEL_RESOURCE_MODEL),
		  VACCEL_OK);
	CHECK(found == &m1);
	CHECK_INT(vaccel_session_resource_by_id(&s, &found, d.id), VACCEL_OK);
	CHECK(found == &d);
	CHECK_INT(vaccel_session_resource_by_id(&s, &found, 99999),
		  VACCEL_ENOENT);
	CHECK_INT(vaccel_session_resources_by_type(&s, &all, &n,
						   VACCEL_RESOURCE_MODEL),
		  VACCEL_OK);
	CHECK_INT(n, 2);
	CHECK(all && all[0] == &m1 && all[1] == &m2);
	free(all);
	CHECK_INT(vaccel_session_resources_by_type(&s, &all, &n,
						   VACCEL_RESOURCE_LIB),
		  VACCEL_OK);
	CHECK_INT(n, 0);
	CHECK_INT(vaccel_session_resources_by_type(&s, &all, &n,
						   (vaccel_resource_type_t)7),
		  VACCEL_EINVAL);
	CHECK_INT(s.resource_counts[VACCEL_RESOURCE_MODEL], 2);

	/* Release unregisters everything still attached. */
	CHECK_INT(vaccel_session_release(&s), VACCEL_OK);
	CHECK_INT(vaccel_resource_refcount(&m1), 0);
	CHECK_INT(vaccel_resource_refcount(&d), 0);
	vaccel_resource_release(&m1);
	vaccel_resource_release(&m2);
	vaccel_resource_release(&d);
}

static void test_id_exhaustion(void)
{
	struct vaccel_session s;
	vaccel_id_t ids[VACCEL_SESSIONS_MAX];
	size_t n = 0;

	/* Take every free id straight from the pool. */
	while (n < VACCEL_SESSIONS_MAX &&
	       vaccel__id_pool_get(&vaccel__session_ids, &ids[n]) == 0)
		n++;
	CHECK(n > 0);
	CHECK_INT(vaccel_session_init(&s, 0), VACCEL_EUSERS);
	for (size_t i = 0; i < n; i++)
		vaccel__id_pool_put(&vaccel__session_ids, ids[i]);
	CHECK_INT(vaccel_session_init(&s, 0), VACCEL_OK);
	vaccel_session_release(&s);
}

/* A resource the caller broke while it was registered (its id zeroed)
 * cannot be unregistered through the API; releasing the session still
 * drops the registration and returns. */
static void test_release_unlinks_broken_resource(void)
{
	struct vaccel_session s;
	struct vaccel_resource r;
	static const char data[] = "x";
	vaccel_id_t id;

	REQUIRE(vaccel_session_init(&s, 0) == VACCEL_OK);
	REQUIRE(vaccel_resource_init_from_buf(&r, data, 1, VACCEL_RESOURCE_DATA,
					      NULL, true) == VACCEL_OK);
	REQUIRE(vaccel_resource_register(&r, &s) == VACCEL_OK);
	id = r.id;
	r.id = 0;
	CHECK_INT(vaccel_resource_unregister(&r, &s), VACCEL_EINVAL);
	CHECK_INT(vaccel_session_release(&s), VACCEL_OK);
	r.id = id;
	CHECK_INT(vaccel_resource_refcount(&r), 0);
	CHECK_INT(vaccel_resource_release(&r), VACCEL_OK);
}

static void setup(void)
{
	REQUIRE(boot(tp_list("GOOD", "GPU", NULL), VACCEL_LOG_ERROR, NULL,
		     false, false) == VACCEL_OK);
}

/* An update whose new plugin refuses the session leaves it exactly as it
 * was: same plugin, flags and plugin state, still usable, and the old
 * plugin never let go of it. A successful move releases the old plugin's
 * session once, after the new plugin took it. */
static void test_update_all_or_nothing(void)
{
	struct vaccel_session s;
	struct tp_counters *good, *remote;
	int releases, ops;

	REQUIRE(vaccel_cleanup() == VACCEL_OK);
	REQUIRE(boot(tp_list("GOOD", "SESSFAIL", "REMOTE"), VACCEL_LOG_ERROR,
		     NULL, false, false) == VACCEL_OK);
	good = tp_get("GOOD");
	remote = tp_get("REMOTE");
	REQUIRE(good && remote);
	REQUIRE(vaccel_session_init(&s, 0) == VACCEL_OK);
	REQUIRE(s.priv == good);
	releases = atomic_load(&good->session_releases);
	ops = atomic_load(&good->ops);

	CHECK_INT(vaccel_session_update(&s, VACCEL_PLUGIN_FPGA), VACCEL_EIO);
	CHECK_STR(vaccel_plugin_name(s.plugin), "good");
	CHECK_INT(s.hint, 0);
	CHECK(s.priv == good);
	CHECK_INT(s.remote_id, 0);
	CHECK(!s.is_virtio);
	CHECK_INT(atomic_load(&good->session_releases), releases);
	CHECK_INT(vaccel_noop(&s), VACCEL_OK);
	CHECK_INT(atomic_load(&good->ops), ops + 1);

	CHECK_INT(vaccel_session_update(&s, VACCEL_PLUGIN_REMOTE), VACCEL_OK);
	CHECK_STR(vaccel_plugin_name(s.plugin), "remote");
	CHECK_INT(s.remote_id, 4242);
	CHECK(s.is_virtio);
	CHECK(s.priv == remote);
	CHECK_INT(atomic_load(&good->session_releases), releases + 1);

	releases = atomic_load(&remote->session_releases);
	CHECK_INT(vaccel_session_update(&s, 0), VACCEL_OK);
	CHECK_STR(vaccel_plugin_name(s.plugin), "good");
	CHECK_INT(s.remote_id, 0);
	CHECK(!s.is_virtio);
	CHECK(s.priv == good);
	CHECK_INT(atomic_load(&remote->session_releases), releases + 1);
	CHECK_INT(vaccel_session_release(&s), VACCEL_OK);
}

static void teardown(void)
{
	CHECK_INT(vaccel_cleanup(), VACCEL_OK);
}

TEST_MAIN(test_null_args, test_no_plugins, setup, test_init_release,
	  test_new_delete, test_selection, test_update, test_resource_lookups,
	  test_id_exhaustion, test_release_unlinks_broken_resource,
	  test_update_all_or_nothing, teardown)
