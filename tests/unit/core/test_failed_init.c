// SPDX-License-Identifier: Apache-2.0
/*
 * A failed constructor leaves an inert object, whatever the caller's
 * storage held before (here: bytes that look like a live session or
 * resource): release and ops refuse it with VACCEL_EINVAL and never touch
 * what was there. Under valgrind or ASan a read of the old contents would
 * show up.
 */

#include "core_test.h"

/* Storage that looks initialized: a positive id and wild pointers. */
static void scribble(void *p, size_t n)
{
	memset(p, 0x5a, n);
}

/* `call` (an init of `res`, scribbled first) fails with `code` and leaves
 * an inert resource. */
#define CHECK_INERT_RESOURCE(res, call, code)          \
	do {                                           \
		scribble(&(res), sizeof(res));         \
		CHECK_INT((call), (code));             \
		CHECK_INT((res).id, 0);                \
	} while (0)

static void test_session_init_without_plugins(void)
{
	struct vaccel_session sess;

	REQUIRE(boot(NULL, VACCEL_LOG_ERROR, NULL, false, false) == 0);
	scribble(&sess, sizeof(sess));
	CHECK_INT(vaccel_session_init(&sess, 0), VACCEL_ENOTSUP);
	CHECK_INT(sess.id, 0);
	CHECK(sess.plugin == NULL);
	CHECK_INT(vaccel_noop(&sess), VACCEL_EINVAL);
	CHECK_INT(vaccel_session_release(&sess), VACCEL_EINVAL);
	vaccel_cleanup();
}

static void test_session_init_after_failed_bootstrap(void)
{
	struct vaccel_session sess, *heap;

	CHECK(boot("/nonexistent/libvaccel-none.so", VACCEL_LOG_ERROR, NULL,
		   false, false) != 0);
	scribble(&sess, sizeof(sess));
	CHECK_INT(vaccel_session_init(&sess, 0), VACCEL_ENOENT);
	CHECK_INT(sess.id, 0);
	CHECK_INT(vaccel_session_release(&sess), VACCEL_EINVAL);
	heap = (struct vaccel_session *)&sess;
	CHECK_INT(vaccel_session_new(&heap, 0), VACCEL_ENOENT);
	CHECK(heap == NULL);
	vaccel_cleanup();
}

static void test_resource_inits(void)
{
	struct vaccel_resource res, *heap;
	struct vaccel_session sess;
	const char *paths[] = { "/nonexistent/a", NULL };
	const struct vaccel_blob *blobs[] = { NULL };

	REQUIRE(boot(tp_path("GOOD"), VACCEL_LOG_ERROR, NULL, false, false) ==
		0);
	REQUIRE(vaccel_session_init(&sess, 0) == VACCEL_OK);

	CHECK_INERT_RESOURCE(res, vaccel_resource_init(&res,
						       "/nonexistent/model.pt",
						       VACCEL_RESOURCE_MODEL),
			     VACCEL_ENOENT);
	CHECK_INT(vaccel_resource_register(&res, &sess), VACCEL_EINVAL);
	CHECK_INT(vaccel_resource_release(&res), VACCEL_EINVAL);

	CHECK_INERT_RESOURCE(res, vaccel_resource_init(&res, NULL,
						       VACCEL_RESOURCE_MODEL),
			     VACCEL_EINVAL);
	CHECK_INERT_RESOURCE(res, vaccel_resource_init_multi(&res, paths, 1,
							     VACCEL_RESOURCE_DATA),
			     VACCEL_ENOENT);
	CHECK_INERT_RESOURCE(res, vaccel_resource_init_from_buf(&res, "x", 0,
								VACCEL_RESOURCE_DATA,
								"x", true),
			     VACCEL_EINVAL);
	CHECK_INERT_RESOURCE(res, vaccel_resource_init_from_blobs(&res, blobs, 1,
								  VACCEL_RESOURCE_DATA),
			     VACCEL_EINVAL);
	CHECK_INT(vaccel_resource_release(&res), VACCEL_EINVAL);

	heap = &res;
	CHECK_INT(vaccel_resource_new(&heap, "/nonexistent/model.pt",
				      VACCEL_RESOURCE_MODEL),
		  VACCEL_ENOENT);
	CHECK(heap == NULL);
	CHECK_INT(vaccel_resource_delete(heap), VACCEL_OK);

	vaccel_session_release(&sess);
	vaccel_cleanup();
}

static void test_blob_inits(void)
{
	struct vaccel_blob blob, *heap;

	scribble(&blob, sizeof(blob));
	CHECK(vaccel_blob_init(&blob, "/nonexistent/blob") != VACCEL_OK);
	CHECK(blob.path == NULL && blob.name == NULL && blob.data == NULL);
	scribble(&blob, sizeof(blob));
	CHECK_INT(vaccel_blob_init_from_buf(&blob, NULL, 4, false, "b", NULL,
					    false),
		  VACCEL_EINVAL);
	CHECK(blob.path == NULL && blob.name == NULL && blob.data == NULL);
	heap = &blob;
	CHECK(vaccel_blob_new(&heap, "/nonexistent/blob") != VACCEL_OK);
	CHECK(heap == NULL);
}

TEST_MAIN(test_session_init_without_plugins,
	  test_session_init_after_failed_bootstrap, test_resource_inits,
	  test_blob_inits)
