// SPDX-License-Identifier: Apache-2.0
/*
 * Libraries opened for a caller (vaccel/lib.h): a symbol resolves only to
 * a function the library itself defines (not libc's abort/printf, which the
 * library depends on, not a data symbol, not a missing name); a policy sees
 * every open with its source, may refuse it or substitute the path, and
 * decides which functions run; BUFFER blobs load from memory.
 */
#include "testing.h"
#include <dlfcn.h>
#include <fcntl.h>
#include <stdbool.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <vaccel.h>

static const char *fixture;

static int open_count, last_source;
static char last_path[4096];
/* Leave the path alone instead of pointing every name at the fixture. */
static bool pol_open_keeps_path;

static int pol_open(void *ctx, enum vaccel_lib_source source,
		    const char *path, const char **open_path,
		    const void **cookie)
{
	open_count++;
	last_source = (int)source;
	snprintf(last_path, sizeof(last_path), "%s", path);
	if (strstr(path, "refuse-me"))
		return VACCEL_EPERM;
	/* Any other name stands for the fixture. */
	if (!pol_open_keeps_path)
		*open_path = fixture;
	*cookie = ctx;
	return VACCEL_OK;
}

static int pol_symbol(void *ctx, const void *cookie, const char *symbol)
{
	CHECK(cookie == ctx);
	return strcmp(symbol, "fixture_fn") ? VACCEL_EPERM : VACCEL_OK;
}

typedef int (*fixture_fn_t)(int);

static int call(struct vaccel_lib *lib, int x)
{
	void *sym = NULL;
	fixture_fn_t fn;

	if (vaccel_lib_symbol(lib, "fixture_fn", &sym))
		return -1;
	memcpy(&fn, &sym, sizeof(fn));
	return fn(x);
}

static void test_own_symbols_only(void)
{
	struct vaccel_lib *lib = NULL;
	void *sym = NULL;

	REQUIRE(vaccel_lib_open(fixture, RTLD_NOW, &lib) == VACCEL_OK);
	CHECK_INT(call(lib, 5), 15);
	/* libc's, reachable through the library's dependencies. */
	CHECK_INT(vaccel_lib_symbol(lib, "abort", &sym), VACCEL_EPERM);
	CHECK_INT(vaccel_lib_symbol(lib, "printf", &sym), VACCEL_EPERM);
	CHECK_INT(vaccel_lib_symbol(lib, "system", &sym), VACCEL_EPERM);
	CHECK(strstr(vaccel_last_error_message(), "does not define it"));
	/* Data is not code. */
	CHECK_INT(vaccel_lib_symbol(lib, "fixture_data", &sym), VACCEL_EPERM);
	CHECK(strstr(vaccel_last_error_message(), "not a function"));
	CHECK_INT(vaccel_lib_symbol(lib, "no_such_symbol", &sym),
		  VACCEL_ENOSYS);
	CHECK(sym == NULL);
	vaccel_lib_close(lib);
	vaccel_lib_close(NULL);
	CHECK_INT(vaccel_lib_open("/nonexistent/lib.so", RTLD_NOW, &lib),
		  VACCEL_ENOENT);
	CHECK_INT(vaccel_lib_open(NULL, RTLD_NOW, &lib), VACCEL_EINVAL);
	CHECK_INT(vaccel_lib_open(fixture, RTLD_NOW, NULL), VACCEL_EINVAL);
}

static void test_policy(void)
{
	struct vaccel_lib_policy p = { pol_open, pol_symbol, &open_count };
	struct vaccel_lib_policy bad = { NULL, NULL, NULL };
	struct vaccel_lib *lib = NULL;
	void *sym = NULL;

	CHECK_INT(vaccel_lib_policy_set(&bad), VACCEL_EINVAL);
	REQUIRE(vaccel_lib_policy_set(&p) == VACCEL_OK);
	CHECK_INT(vaccel_lib_open("/refuse-me.so", RTLD_NOW, &lib),
		  VACCEL_EPERM);
	CHECK_INT(last_source, VACCEL_LIB_FROM_PATH);
	/* The policy names what the loader opens. */
	REQUIRE(vaccel_lib_open("any-name", RTLD_NOW, &lib) == VACCEL_OK);
	CHECK_STR(last_path, "any-name");
	CHECK_INT(call(lib, 2), 6);
	CHECK_INT(vaccel_lib_symbol(lib, "fixture_data", &sym), VACCEL_EPERM);
	vaccel_lib_close(lib);
	CHECK_INT(open_count, 2);
	REQUIRE(vaccel_lib_policy_set(NULL) == VACCEL_OK);
	CHECK_INT(vaccel_lib_open("any-name", RTLD_NOW, &lib), VACCEL_ENOENT);
}

static void test_blobs(void)
{
	struct vaccel_lib_policy p = { pol_open, NULL, NULL };
	struct vaccel_blob *file = NULL, *mem = NULL;
	struct vaccel_lib *a = NULL, *b = NULL;
	uint8_t *bytes;
	struct stat st;
	int fd;

	REQUIRE(stat(fixture, &st) == 0);
	bytes = malloc((size_t)st.st_size);
	REQUIRE(bytes);
	fd = open(fixture, O_RDONLY);
	REQUIRE(fd >= 0);
	REQUIRE(read(fd, bytes, (size_t)st.st_size) == st.st_size);
	close(fd);
	REQUIRE(vaccel_blob_new(&file, fixture) == VACCEL_OK);
	REQUIRE(vaccel_blob_from_buf(&mem, bytes, (size_t)st.st_size, true,
				     "fixture.so", NULL, false) == VACCEL_OK);
	REQUIRE(vaccel_lib_open_blob(file, RTLD_NOW, "file blob", &a) ==
		VACCEL_OK);
	CHECK_INT(call(a, 1), 3);
	REQUIRE(vaccel_lib_policy_set(&p) == VACCEL_OK);
	/* A BUFFER blob reaches the policy as a file it can read. */
	open_count = 0;
	pol_open_keeps_path = true;
	REQUIRE(vaccel_lib_open_blob(mem, RTLD_NOW, "memory blob", &b) ==
		VACCEL_OK);
	CHECK_INT(open_count, 1);
	CHECK_INT(last_source, VACCEL_LIB_FROM_RESOURCE);
	CHECK(strncmp(last_path, "/proc/self/fd/", 14) == 0);
	CHECK_INT(call(b, 4), 12);
	pol_open_keeps_path = false;
	vaccel_lib_policy_set(NULL);
	vaccel_lib_close(b);
	vaccel_lib_close(a);
	vaccel_blob_delete(mem);
	vaccel_blob_delete(file);
}

static void test_setup(void)
{
	fixture = getenv("VACCEL_TEST_LIB_FIXTURE");
	REQUIRE(fixture);
}

TEST_MAIN(test_setup, test_own_symbols_only, test_policy, test_blobs)
