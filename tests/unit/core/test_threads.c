// SPDX-License-Identifier: Apache-2.0
/*
 * Eight threads create sessions, register and unregister shared resources
 * and release, all at once. Must run clean under ThreadSanitizer.
 */

#include "core_test.h"
#include <pthread.h>

#define NR_THREADS 8
#define NR_ROUNDS 40
#define NR_SHARED 4

static struct vaccel_resource shared[NR_SHARED];
static atomic_int failures;

static void fail(const char *what, int ret)
{
	fprintf(stderr, "thread failure: %s: %s\n", what, vaccel_strerror(ret));
	atomic_fetch_add(&failures, 1);
}

static void *worker(void *arg)
{
	uint64_t t0;

	(void)arg;
	for (int round = 0; round < NR_ROUNDS; round++) {
		struct vaccel_session *s = NULL;
		struct vaccel_resource *found = NULL;
		const struct vaccel_plugin *used;
		int ret;

		ret = vaccel_session_new(&s, 0);
		if (ret) {
			fail("session_new", ret);
			continue;
		}
		for (int i = 0; i < NR_SHARED; i++) {
			ret = vaccel_resource_register(&shared[i], s);
			if (ret)
				fail("register", ret);
			if (!vaccel_session_has_resource(s, &shared[i]))
				fail("has_resource", VACCEL_ENOENT);
		}
		ret = vaccel_session_resource_by_type(s, &found,
						      VACCEL_RESOURCE_MODEL);
		if (ret || found != &shared[0])
			fail("resource_by_type", ret ? ret : VACCEL_EINVAL);

		vaccel__op_prof_start(VACCEL_OP_NOOP, &t0);
		if (!vaccel__session_op(s, VACCEL_OP_NOOP, &used))
			fail("session_op", VACCEL_ENOTSUP);
		vaccel__op_prof_stop(VACCEL_OP_NOOP, t0);

		/* Unregister half; release drops the rest. */
		for (int i = 0; i < NR_SHARED; i += 2) {
			ret = vaccel_resource_unregister(&shared[i], s);
			if (ret)
				fail("unregister", ret);
		}
		vaccel_debug("thread round %d done", round);
		ret = vaccel_session_delete(s);
		if (ret)
			fail("session_delete", ret);
	}
	return NULL;
}

static void test_many_threads(void)
{
	static const char bytes[] = "shared";
	pthread_t t[NR_THREADS];
	struct tp_counters *c;

	REQUIRE(boot(tp_path("GOOD"), VACCEL_LOG_ERROR, "/dev/null", true,
		     false) == 0);
	c = tp_get("GOOD");
	REQUIRE(c);
	for (int i = 0; i < NR_SHARED; i++)
		REQUIRE(vaccel_resource_init_from_buf(
				&shared[i], bytes, sizeof(bytes),
				i == 0 ? VACCEL_RESOURCE_MODEL :
					 VACCEL_RESOURCE_DATA,
				"shared.bin", i % 2 == 0) == 0);

	for (int i = 0; i < NR_THREADS; i++)
		REQUIRE(pthread_create(&t[i], NULL, worker, NULL) == 0);
	for (int i = 0; i < NR_THREADS; i++)
		pthread_join(t[i], NULL);

	CHECK_INT(atomic_load(&failures), 0);
	CHECK_INT(atomic_load(&c->session_inits), NR_THREADS * NR_ROUNDS);
	CHECK_INT(atomic_load(&c->session_releases), NR_THREADS * NR_ROUNDS);
	CHECK_INT(atomic_load(&c->registers),
		  NR_THREADS * NR_ROUNDS * NR_SHARED);
	CHECK_INT(atomic_load(&c->unregisters),
		  NR_THREADS * NR_ROUNDS * NR_SHARED);
	for (int i = 0; i < NR_SHARED; i++) {
		CHECK_INT(vaccel_resource_refcount(&shared[i]), 0);
		CHECK_INT(vaccel_resource_release(&shared[i]), VACCEL_OK);
	}
	vaccel_cleanup();
}

TEST_MAIN(test_many_threads)
