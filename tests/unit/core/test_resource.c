// SPDX-License-Identifier: Apache-2.0
/* Resources: every way to create one, registration, refcounts, hooks. */

#include "core_test.h"

static char *dir;
static char file_a[4200], file_b[4200], sub[4200];

static void setup(void)
{
	char p[4400];

	REQUIRE(boot(tp_list("GOOD", "NOOPONLY", "REMOTE"), VACCEL_LOG_ERROR,
		     NULL, false, false) == VACCEL_OK);
	dir = make_tmpdir();
	REQUIRE(dir);
	snprintf(file_a, sizeof(file_a), "%s/a.bin", dir);
	snprintf(file_b, sizeof(file_b), "%s/b.bin", dir);
	snprintf(sub, sizeof(sub), "%s/model", dir);
	REQUIRE(spit(file_a, "AAAA") == 0);
	REQUIRE(spit(file_b, "BB") == 0);
	REQUIRE(mkdir(sub, 0700) == 0);
	/* Created out of order; the resource must list them by name. */
	snprintf(p, sizeof(p), "%s/3.txt", sub);
	spit(p, "three");
	snprintf(p, sizeof(p), "%s/1.txt", sub);
	spit(p, "one");
	snprintf(p, sizeof(p), "%s/2.txt", sub);
	spit(p, "two");
	snprintf(p, sizeof(p), "%s/nested", sub);
	mkdir(p, 0700);
}

static void test_from_file(void)
{
	struct vaccel_resource r;
	char url[4300];

	CHECK_INT(vaccel_resource_init(&r, file_a, VACCEL_RESOURCE_MODEL),
		  VACCEL_OK);
	CHECK(r.id > 0);
	CHECK_INT(r.type, VACCEL_RESOURCE_MODEL);
	CHECK_INT(r.path_type, VACCEL_PATH_LOCAL_FILE);
	CHECK_INT(r.nr_paths, 1);
	CHECK_STR(r.paths[0], file_a);
	REQUIRE(r.nr_blobs == 1);
	CHECK_INT(r.blobs[0]->type, VACCEL_BLOB_FILE);
	CHECK_STR(r.blobs[0]->name, "a.bin");
	CHECK_INT(r.blobs[0]->size, 4);
	/* Nothing is read before a transport needs it. */
	CHECK(r.blobs[0]->data == NULL);
	CHECK_INT(vaccel_resource_refcount(&r), 0);
	CHECK_INT(vaccel_resource_release(&r), VACCEL_OK);
	CHECK_INT(r.id, 0);

	snprintf(url, sizeof(url), "file://%s", file_b);
	CHECK_INT(vaccel_resource_init(&r, url, VACCEL_RESOURCE_DATA),
		  VACCEL_OK);
	CHECK_STR(r.paths[0], file_b);
	vaccel_resource_release(&r);
}

static void test_bad_paths(void)
{
	struct vaccel_resource r;
	char missing[4300];

	snprintf(missing, sizeof(missing), "%s/missing", dir);
	CHECK_INT(vaccel_resource_init(&r, missing, VACCEL_RESOURCE_DATA),
		  VACCEL_ENOENT);
	CHECK_INT(vaccel_resource_init(&r, "https://example.com/m.pt",
				       VACCEL_RESOURCE_MODEL),
		  VACCEL_ENOTSUP);
	CHECK_INT(vaccel_resource_init(&r, "ftp://example.com/m.pt",
				       VACCEL_RESOURCE_MODEL),
		  VACCEL_ENOTSUP);
	CHECK_INT(vaccel_resource_init(&r, "gopher://x/y",
				       VACCEL_RESOURCE_MODEL),
		  VACCEL_EINVAL);
	CHECK_INT(vaccel_resource_init(&r, "/dev/null", VACCEL_RESOURCE_DATA),
		  VACCEL_EINVAL);
	CHECK_INT(vaccel_resource_init(NULL, file_a, VACCEL_RESOURCE_DATA),
		  VACCEL_EINVAL);
	CHECK_INT(vaccel_resource_init(&r, NULL, VACCEL_RESOURCE_DATA),
		  VACCEL_EINVAL);
	CHECK_INT(vaccel_resource_init(&r, file_a, VACCEL_RESOURCE_MAX),
		  VACCEL_EINVAL);
}

static void test_from_directory(void)
{
	struct vaccel_resource r;

	CHECK_INT(vaccel_resource_init(&r, sub, VACCEL_RESOURCE_MODEL),
		  VACCEL_OK);
	CHECK_INT(r.path_type, VACCEL_PATH_LOCAL_DIR);
	CHECK_INT(r.nr_paths, 1);
	CHECK_STR(r.paths[0], sub);
	REQUIRE(r.nr_blobs == 3);
	CHECK_STR(r.blobs[0]->name, "1.txt");
	CHECK_STR(r.blobs[1]->name, "2.txt");
	CHECK_STR(r.blobs[2]->name, "3.txt");
	vaccel_resource_release(&r);
}

static void test_multi(void)
{
	struct vaccel_resource r, *h = NULL;
	const char *paths[] = { file_b, file_a };
	const char *with_dir[] = { file_a, sub };
	const char *just_dir[] = { sub };
	const char *two_dirs[] = { sub, sub };

	CHECK_INT(vaccel_resource_init_multi(&r, paths, 2, VACCEL_RESOURCE_LIB),
		  VACCEL_OK);
	CHECK_INT(r.nr_paths, 2);
	REQUIRE(r.nr_blobs == 2);
	/* Order is kept: dependencies first, main library last. */
	CHECK_STR(r.blobs[0]->name, "b.bin");
	CHECK_STR(r.blobs[1]->name, "a.bin");
	vaccel_resource_release(&r);

	/* A directory stands for the files in it, as with _init. */
	CHECK_INT(vaccel_resource_init_multi(&r, just_dir, 1,
					     VACCEL_RESOURCE_MODEL),
		  VACCEL_OK);
	CHECK_INT(r.path_type, VACCEL_PATH_LOCAL_DIR);
	CHECK_INT(r.nr_paths, 1);
	CHECK_STR(r.paths[0], sub);
	REQUIRE(r.nr_blobs == 3);
	CHECK_STR(r.blobs[0]->name, "1.txt");
	CHECK_STR(r.blobs[2]->name, "3.txt");
	vaccel_resource_release(&r);
	CHECK_INT(vaccel_resource_multi_new(&h, just_dir, 1,
					    VACCEL_RESOURCE_MODEL),
		  VACCEL_OK);
	CHECK_INT(h->nr_blobs, 3);
	CHECK_INT(vaccel_resource_delete(h), VACCEL_OK);
	/* Files and directories do not mix; one directory at most. */
	CHECK_INT(vaccel_resource_init_multi(&r, with_dir, 2,
					     VACCEL_RESOURCE_LIB),
		  VACCEL_EINVAL);
	CHECK_INT(vaccel_resource_init_multi(&r, two_dirs, 2,
					     VACCEL_RESOURCE_MODEL),
		  VACCEL_EINVAL);
	CHECK_INT(vaccel_resource_init_multi(&r, paths, 0, VACCEL_RESOURCE_LIB),
		  VACCEL_EINVAL);
	CHECK_INT(vaccel_resource_multi_new(&h, paths, 2, VACCEL_RESOURCE_LIB),
		  VACCEL_OK);
	CHECK_INT(vaccel_resource_delete(h), VACCEL_OK);
}

static void test_from_buf(void)
{
	struct vaccel_resource r;
	char buf[] = "model bytes";
	char expect[4300], rdir[4300];
	char *text;

	CHECK_INT(vaccel_resource_init_from_buf(&r, buf, sizeof(buf),
						VACCEL_RESOURCE_MODEL, "m.bin",
						true),
		  VACCEL_OK);
	REQUIRE(r.nr_blobs == 1);
	CHECK_INT(r.blobs[0]->type, VACCEL_BLOB_BUFFER);
	CHECK(r.blobs[0]->data != (uint8_t *)buf);
	CHECK(memcmp(r.blobs[0]->data, buf, sizeof(buf)) == 0);
	CHECK(r.blobs[0]->path == NULL);
	CHECK(r.rundir == NULL);
	vaccel_resource_release(&r);

	CHECK_INT(vaccel_resource_init_from_buf(&r, buf, sizeof(buf),
						VACCEL_RESOURCE_MODEL, "m.bin",
						false),
		  VACCEL_OK);
	REQUIRE(r.nr_blobs == 1 && r.rundir);
	snprintf(expect, sizeof(expect), "%s/resource.%lld/m.bin",
		 vaccel_rundir(), (long long)r.id);
	CHECK_STR(r.blobs[0]->path, expect);
	CHECK_INT(r.blobs[0]->type, VACCEL_BLOB_FILE);
	CHECK_INT(r.nr_paths, 1);
	text = slurp(expect);
	CHECK(text && strcmp(text, "model bytes") == 0);
	free(text);
	snprintf(rdir, sizeof(rdir), "%s", r.rundir);
	vaccel_resource_release(&r);
	CHECK(!exists(expect));
	CHECK(!exists(rdir));

	CHECK_INT(vaccel_resource_init_from_buf(&r, buf, 0,
						VACCEL_RESOURCE_MODEL, "m", true),
		  VACCEL_EINVAL);
	CHECK_INT(vaccel_resource_init_from_buf(&r, buf, 3,
						VACCEL_RESOURCE_MODEL, NULL,
						false),
		  VACCEL_EINVAL);
	CHECK_INT(vaccel_resource_init_from_buf(&r, buf, 3,
						VACCEL_RESOURCE_MODEL, "../x",
						false),
		  VACCEL_EINVAL);
}

static void test_from_blobs(void)
{
	struct vaccel_resource r;
	struct vaccel_blob fb, bb;
	const struct vaccel_blob *blobs[] = { &fb, &bb };
	uint8_t bytes[] = { 1, 2, 3 };

	REQUIRE(vaccel_blob_init(&fb, file_a) == 0);
	REQUIRE(vaccel_blob_init_from_buf(&bb, bytes, 3, false, "raw", NULL,
					  false) == 0);
	CHECK_INT(vaccel_resource_init_from_blobs(&r, blobs, 2,
						  VACCEL_RESOURCE_DATA),
		  VACCEL_OK);
	REQUIRE(r.nr_blobs == 2);
	CHECK_STR(r.blobs[0]->path, file_a);
	CHECK_INT(r.blobs[1]->type, VACCEL_BLOB_BUFFER);
	CHECK(r.blobs[1]->data != bytes);
	CHECK(memcmp(r.blobs[1]->data, bytes, 3) == 0);
	CHECK_INT(r.nr_paths, 1);
	vaccel_resource_release(&r);
	vaccel_blob_release(&fb);
	vaccel_blob_release(&bb);

	CHECK_INT(vaccel_resource_init_from_blobs(&r, blobs, 0,
						  VACCEL_RESOURCE_DATA),
		  VACCEL_EINVAL);
}

static void test_register_two_sessions(void)
{
	struct vaccel_session s1, s2;
	struct vaccel_resource r;
	struct tp_counters *good = tp_get("GOOD"), *noop = tp_get("NOOPONLY");

	REQUIRE(good && noop);
	REQUIRE(vaccel_session_init(&s1, 0) == 0);
	REQUIRE(vaccel_session_init(&s2, 0) == 0);
	REQUIRE(vaccel_resource_init(&r, file_a, VACCEL_RESOURCE_MODEL) == 0);
	int regs = atomic_load(&good->registers);
	int g_unregs = atomic_load(&good->unregisters);
	int n_unregs = atomic_load(&noop->unregisters);

	CHECK_INT(vaccel_resource_register(&r, &s1), VACCEL_OK);
	CHECK_INT(vaccel_resource_register(&r, &s2), VACCEL_OK);
	CHECK_INT(vaccel_resource_refcount(&r), 2);
	CHECK_INT(atomic_load(&good->registers), regs + 2);
	CHECK(vaccel_session_has_resource(&s1, &r));
	CHECK(vaccel_session_has_resource(&s2, &r));

	/* Registering twice warns and changes nothing. */
	CHECK_INT(vaccel_resource_register(&r, &s1), VACCEL_OK);
	CHECK_INT(vaccel_resource_refcount(&r), 2);
	CHECK_INT(s1.resource_counts[VACCEL_RESOURCE_MODEL], 1);

	CHECK_INT(vaccel_resource_unregister(&r, &s1), VACCEL_OK);
	CHECK_INT(vaccel_resource_refcount(&r), 1);
	CHECK(!vaccel_session_has_resource(&s1, &r));
	/* Every plugin's resource_unregister hook ran once. */
	CHECK_INT(atomic_load(&good->unregisters), g_unregs + 1);
	CHECK_INT(atomic_load(&noop->unregisters), n_unregs + 1);
	CHECK_INT(vaccel_resource_unregister(&r, &s1), VACCEL_EPERM);

	/* Every init refuses the storage of this live, registered resource
	 * and leaves it as it was (zeroing it left the registry and s2
	 * pointing at garbage, and cleanup crashed). */
	vaccel_id_t id = r.id;
	const char *one[1] = { file_b };

	CHECK_INT(vaccel_resource_init(&r, file_b, VACCEL_RESOURCE_DATA),
		  VACCEL_EBUSY);
	CHECK_INT(vaccel_resource_init_multi(&r, one, 1, VACCEL_RESOURCE_DATA),
		  VACCEL_EBUSY);
	CHECK_INT(vaccel_resource_init_from_buf(&r, "x", 1,
						VACCEL_RESOURCE_DATA, NULL,
						true),
		  VACCEL_EBUSY);
	CHECK_INT(r.id, id);
	CHECK_INT(r.type, VACCEL_RESOURCE_MODEL);
	CHECK_INT(vaccel_resource_refcount(&r), 1);
	CHECK(vaccel_session_has_resource(&s2, &r));

	/* Releasing a registered resource unregisters it first. */
	CHECK_INT(vaccel_resource_release(&r), VACCEL_OK);
	CHECK(!vaccel_session_has_resource(&s2, &r));
	CHECK_INT(s2.resource_counts[VACCEL_RESOURCE_MODEL], 0);
	CHECK_INT(atomic_load(&good->unregisters), g_unregs + 2);

	vaccel_session_release(&s1);
	vaccel_session_release(&s2);
}

static void test_register_bad_args(void)
{
	struct vaccel_session s, z;
	struct vaccel_resource r;

	memset(&z, 0, sizeof(z));
	REQUIRE(vaccel_session_init(&s, 0) == 0);
	REQUIRE(vaccel_resource_init(&r, file_a, VACCEL_RESOURCE_MODEL) == 0);
	CHECK_INT(vaccel_resource_register(NULL, &s), VACCEL_EINVAL);
	CHECK_INT(vaccel_resource_register(&r, NULL), VACCEL_EINVAL);
	CHECK_INT(vaccel_resource_register(&r, &z), VACCEL_EINVAL);
	CHECK_INT(vaccel_resource_unregister(&r, NULL), VACCEL_EINVAL);
	CHECK_INT(vaccel_resource_unregister(&r, &s), VACCEL_EPERM);
	CHECK_INT(vaccel_resource_sync(&r, &s), VACCEL_EPERM);
	CHECK_INT(vaccel_resource_refcount(NULL), -VACCEL_EINVAL);
	CHECK_INT(vaccel_resource_release(NULL), VACCEL_EINVAL);
	CHECK_INT(vaccel_resource_delete(NULL), VACCEL_OK);
	vaccel_resource_release(&r);
	vaccel_session_release(&s);
}

static void test_check_resource(void)
{
	struct vaccel_session s;
	struct vaccel_resource r;

	REQUIRE(vaccel_session_init(&s, 0) == 0);
	REQUIRE(vaccel_resource_init(&r, file_a, VACCEL_RESOURCE_MODEL) == 0);
	CHECK_INT(vaccel__session_check_resource(&s, &r, VACCEL_RESOURCE_MODEL,
						 "t"),
		  VACCEL_EPERM);
	vaccel_resource_register(&r, &s);
	CHECK_INT(vaccel__session_check_resource(&s, &r, VACCEL_RESOURCE_MODEL,
						 "t"),
		  VACCEL_OK);
	CHECK_INT(vaccel__session_check_resource(&s, &r, VACCEL_RESOURCE_LIB,
						 "t"),
		  VACCEL_EINVAL);
	CHECK_INT(vaccel__session_check_resource(&s, NULL,
						 VACCEL_RESOURCE_MODEL, "t"),
		  VACCEL_EINVAL);
	CHECK_INT(vaccel__session_check_resource(NULL, &r,
						 VACCEL_RESOURCE_MODEL, "t"),
		  VACCEL_EINVAL);
	CHECK_INT(vaccel_resource_sync(&r, &s), VACCEL_OK);
	vaccel_resource_release(&r);
	vaccel_session_release(&s);
}

static void test_remote_session(void)
{
	struct vaccel_session s;
	struct vaccel_resource r, d;

	REQUIRE(vaccel_session_init(&s, VACCEL_PLUGIN_REMOTE) == 0);
	CHECK_STR(vaccel_plugin_name(s.plugin), "remote");
	CHECK(s.is_virtio);
	CHECK_INT(s.remote_id, 4242);

	/* For a transport the file bytes are loaded before the hook. */
	REQUIRE(vaccel_resource_init(&r, sub, VACCEL_RESOURCE_MODEL) == 0);
	CHECK_INT(vaccel_resource_register(&r, &s), VACCEL_OK);
	CHECK_INT(r.remote_id, 777);
	REQUIRE(r.blobs[0]->data);
	CHECK(memcmp(r.blobs[0]->data, "one", 3) == 0);

	/* A failing hook leaves the resource unregistered. */
	REQUIRE(vaccel_resource_init(&d, file_b, VACCEL_RESOURCE_DATA) == 0);
	CHECK_INT(vaccel_resource_register(&d, &s), VACCEL_EREMOTEIO);
	CHECK_INT(vaccel_resource_refcount(&d), 0);
	CHECK(!vaccel_session_has_resource(&s, &d));

	vaccel_resource_release(&d);
	vaccel_resource_release(&r);
	vaccel_session_release(&s);
}

static void test_directory(void)
{
	struct vaccel_resource r;
	char out[4300], tiny[4], *alloc = NULL;

	REQUIRE(vaccel_resource_init(&r, file_a, VACCEL_RESOURCE_DATA) == 0);
	CHECK(r.rundir == NULL);
	CHECK_INT(vaccel_resource_directory(&r, out, sizeof(out), &alloc),
		  VACCEL_OK);
	CHECK(alloc == NULL);
	CHECK(is_dir(out));
	CHECK(strstr(out, "/resource.") != NULL);
	CHECK_INT(vaccel_resource_directory(&r, tiny, sizeof(tiny), &alloc),
		  VACCEL_OK);
	CHECK(alloc && strcmp(alloc, out) == 0);
	free(alloc);
	CHECK_INT(vaccel_resource_directory(&r, tiny, sizeof(tiny), NULL),
		  VACCEL_ENAMETOOLONG);
	CHECK_INT(vaccel_resource_directory(&r, NULL, 0, NULL), VACCEL_EINVAL);
	CHECK_INT(vaccel_resource_directory(NULL, out, sizeof(out), NULL),
		  VACCEL_EINVAL);
	vaccel_resource_release(&r);
	CHECK(!exists(out));
}

static void test_global_lookups(void)
{
	struct vaccel_resource a, b, *found = NULL, **all = NULL;
	size_t n = 0;

	REQUIRE(vaccel_resource_init(&a, file_a, VACCEL_RESOURCE_LIB) == 0);
	REQUIRE(vaccel_resource_init(&b, file_b, VACCEL_RESOURCE_LIB) == 0);
	CHECK_INT(vaccel_resource_get_by_id(&found, b.id), VACCEL_OK);
	CHECK(found == &b);
	CHECK_INT(vaccel_resource_get_by_type(&found, VACCEL_RESOURCE_LIB),
		  VACCEL_OK);
	CHECK(found == &a);
	CHECK_INT(vaccel_resource_get_all_by_type(&all, &n,
						  VACCEL_RESOURCE_LIB),
		  VACCEL_OK);
	CHECK_INT(n, 2);
	free(all);
	CHECK_INT(vaccel_resource_get_by_type(&found, VACCEL_RESOURCE_MODEL),
		  VACCEL_ENOENT);
	vaccel_id_t aid = a.id;

	vaccel_resource_release(&a);
	CHECK_INT(vaccel_resource_get_by_id(&found, aid), VACCEL_ENOENT);
	vaccel_resource_release(&b);
}

static void test_teardown(void)
{
	CHECK_INT(vaccel_cleanup(), VACCEL_OK);
	rm_tree(dir);
	free(dir);
}

TEST_MAIN(setup, test_from_file, test_bad_paths, test_from_directory,
	  test_multi, test_from_buf, test_from_blobs,
	  test_register_two_sessions, test_register_bad_args,
	  test_check_resource, test_remote_session, test_directory,
	  test_global_lookups, test_teardown)
