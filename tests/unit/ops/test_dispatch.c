// SPDX-License-Identifier: Apache-2.0
/*
 * Dispatch through the real exec and noop plugins (VACCEL_PLUGINS =
 * exec:noop): exec runs functions from libopstest.so and maps its failures
 * to the documented codes, exec_with_resource loads a dependency before the
 * main library, ops exec lacks fall back to noop unless the session has a
 * hint, and the library caches follow VACCEL_EXEC_DLCLOSE_ENABLED (this
 * test runs once with it unset and once with it set to 1).
 */
#include "testing.h"
#include <stdbool.h>
#include <stdint.h>
#include <vaccel.h>

static const char *env(const char *name)
{
	const char *v = getenv(name);

	return v ? v : "";
}

static bool dlclose_on(void)
{
	const char *v = getenv("VACCEL_EXEC_DLCLOSE_ENABLED");

	return v && (strcmp(v, "1") == 0 || strcmp(v, "true") == 0);
}

#define I32(p) { .buf = (p), .size = 4, .type = VACCEL_ARG_INT32 }

static void test_exec(void)
{
	struct vaccel_session sess = { 0 };
	int32_t in = 21, out = 0;
	struct vaccel_arg r[1] = { I32(&in) }, w[1] = { I32(&out) };
	const char *lib = env("OPSTEST_LIB");

	REQUIRE(vaccel_session_init(&sess, 0) == VACCEL_OK);
	CHECK_INT(vaccel_exec(&sess, lib, "opstest_double", r, 1, w, 1),
		  VACCEL_OK);
	CHECK_INT(out, 42);
	CHECK_INT(vaccel_exec(&sess, "/nonexistent/libnope.so",
			      "opstest_double", r, 1, w, 1),
		  VACCEL_ENOENT);
	CHECK_INT(vaccel_exec(&sess, lib, "no_such_symbol", r, 1, w, 1),
		  VACCEL_ENOSYS);
	CHECK_INT(vaccel_exec(&sess, lib, "opstest_fail", r, 1, w, 1),
		  VACCEL_EBACKEND);
	/* The function itself rejects a wrong argument count. */
	CHECK_INT(vaccel_exec(&sess, lib, "opstest_double", r, 1, NULL, 0),
		  VACCEL_EBACKEND);
	vaccel_session_release(&sess);
}

/* With the cache on, the library's static counter keeps counting across
 * calls; with VACCEL_EXEC_DLCLOSE_ENABLED=1 every call reloads it. */
static void test_exec_cache(void)
{
	struct vaccel_session sess = { 0 };
	int32_t n1 = 0, n2 = 0;
	struct vaccel_arg w1[1] = { I32(&n1) }, w2[1] = { I32(&n2) };
	const char *lib = env("OPSTEST_LIB");

	REQUIRE(vaccel_session_init(&sess, 0) == VACCEL_OK);
	CHECK_INT(vaccel_exec(&sess, lib, "opstest_count", NULL, 0, w1, 1),
		  VACCEL_OK);
	CHECK_INT(vaccel_exec(&sess, lib, "opstest_count", NULL, 0, w2, 1),
		  VACCEL_OK);
	if (dlclose_on())
		CHECK_INT(n2, 1);
	else
		CHECK_INT(n2, n1 + 1);
	vaccel_session_release(&sess);
}

static int run_use_dep(struct vaccel_session *sess,
		       struct vaccel_resource *res, int32_t v[2])
{
	struct vaccel_arg w[1] = { { .buf = v, .size = 8,
				     .type = VACCEL_ARG_INT32_ARRAY } };

	return vaccel_exec_with_resource(sess, res, "opstest_use_dep", NULL, 0,
					 w, 1);
}

static void test_exec_with_resource(void)
{
	struct vaccel_session sess = { 0 }, sess2 = { 0 };
	struct vaccel_resource res = { 0 };
	const char *paths[2] = { env("OPSTEST_DEP_LIB"),
				 env("OPSTEST_MAIN_LIB") };
	int32_t v[2] = { 0, 0 };

	REQUIRE(vaccel_session_init(&sess, 0) == VACCEL_OK);
	REQUIRE(vaccel_session_init(&sess2, 0) == VACCEL_OK);
	REQUIRE(vaccel_resource_init_multi(&res, paths, 2,
					   VACCEL_RESOURCE_LIB) == VACCEL_OK);
	CHECK_INT(run_use_dep(&sess, &res, v), VACCEL_EPERM);
	REQUIRE(vaccel_resource_register(&res, &sess) == VACCEL_OK);
	REQUIRE(vaccel_resource_register(&res, &sess2) == VACCEL_OK);

	/* The dependency resolved: 21 * 2. */
	CHECK_INT(run_use_dep(&sess, &res, v), VACCEL_OK);
	CHECK_INT(v[0], 42);
	CHECK_INT(v[1], 1);
	CHECK_INT(run_use_dep(&sess2, &res, v), VACCEL_OK);
	CHECK_INT(v[1], 2);
	CHECK_INT(vaccel_exec_with_resource(&sess, &res, "missing", NULL, 0,
					    NULL, 0),
		  VACCEL_ENOSYS);

	/* Still held by sess2: the libraries stay loaded. */
	CHECK_INT(vaccel_resource_unregister(&res, &sess), VACCEL_OK);
	CHECK_INT(run_use_dep(&sess2, &res, v), VACCEL_OK);
	CHECK_INT(v[1], 3);
	/* Gone from every session: closed, so a new registration reloads the
	 * library and its counter starts again. */
	CHECK_INT(vaccel_resource_unregister(&res, &sess2), VACCEL_OK);
	CHECK_INT(vaccel_resource_register(&res, &sess), VACCEL_OK);
	CHECK_INT(run_use_dep(&sess, &res, v), VACCEL_OK);
	CHECK_INT(v[1], 1);

	vaccel_resource_release(&res);
	vaccel_session_release(&sess2);
	vaccel_session_release(&sess);
}

/* A LIB resource built from memory only has no file to dlopen. */
static void test_exec_with_memory_resource(void)
{
	struct vaccel_session sess = { 0 };
	struct vaccel_resource res = { 0 };
	int32_t in = 8, out = 0;
	struct vaccel_arg r[1] = { I32(&in) }, w[1] = { I32(&out) };
	unsigned char *buf;
	long size;
	FILE *f = fopen(env("OPSTEST_LIB"), "rb");

	REQUIRE(f);
	fseek(f, 0, SEEK_END);
	size = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc((size_t)size);
	if (!buf || fread(buf, 1, (size_t)size, f) != (size_t)size) {
		fclose(f);
		free(buf);
		REQUIRE(false);
	}
	fclose(f);

	REQUIRE(vaccel_session_init(&sess, 0) == VACCEL_OK);
	CHECK_INT(vaccel_resource_init_from_buf(&res, buf, (size_t)size,
						VACCEL_RESOURCE_LIB,
						"libopstest.so", true),
		  VACCEL_OK);
	free(buf);
	CHECK_INT(vaccel_resource_register(&res, &sess), VACCEL_OK);
	CHECK_INT(vaccel_exec_with_resource(&sess, &res, "opstest_double", r,
					    1, w, 1),
		  VACCEL_OK);
	CHECK_INT(out, 16);
	vaccel_resource_release(&res);
	vaccel_session_release(&sess);
}

static void test_fallback(void)
{
	struct vaccel_session sess = { 0 }, hinted = { 0 };
	float a[1] = { 2 }, b[1] = { 3 }, c[1] = { 7 };
	uint8_t op = VACCEL_OP_NOOP;
	struct vaccel_arg g[1] = { { .buf = &op, .size = 1,
				     .type = VACCEL_ARG_UINT8 } };

	/* exec is first in VACCEL_PLUGINS and has no sgemm: noop runs it. */
	REQUIRE(vaccel_session_init(&sess, 0) == VACCEL_OK);
	CHECK_STR(vaccel_plugin_name(sess.plugin), "exec");
	CHECK_INT(vaccel_noop(&sess), VACCEL_OK);
	CHECK_INT(vaccel_genop(&sess, g, 1, NULL, 0), VACCEL_OK);
	CHECK_INT(vaccel_sgemm(&sess, 1, 1, 1, 1, a, 1, b, 1, 0, c, 1),
		  VACCEL_OK);
	/* noop's sgemm, like upstream's, leaves C as it is. */
	CHECK(c[0] == 7);

	/* A hinted session falls back too: the hint chose the plugin, not
	 * which plugins may run its ops. */
	REQUIRE(vaccel_session_init(&hinted, VACCEL_PLUGIN_SOFTWARE) ==
		VACCEL_OK);
	CHECK_STR(vaccel_plugin_name(hinted.plugin), "exec");
	CHECK_INT(vaccel_sgemm(&hinted, 1, 1, 1, 1, a, 1, b, 1, 0, c, 1),
		  VACCEL_OK);
	CHECK_INT(vaccel_noop(&hinted), VACCEL_OK);
	vaccel_session_release(&hinted);
	vaccel_session_release(&sess);
}

TEST_MAIN(test_exec, test_exec_cache, test_exec_with_resource,
	  test_exec_with_memory_resource, test_fallback)
