// SPDX-License-Identifier: Apache-2.0
/* Id pools: start at 1, increase, reuse only after wrapping, exhaust. */

#include "core_test.h"
#include "id_pool.h"
#include <pthread.h>

static void test_sequence_and_exhaustion(void)
{
	struct vaccel_id_pool pool;
	vaccel_id_t id;

	REQUIRE(vaccel__id_pool_init(&pool, "test", 4) == VACCEL_OK);
	for (vaccel_id_t want = 1; want <= 4; want++) {
		CHECK_INT(vaccel__id_pool_get(&pool, &id), VACCEL_OK);
		CHECK_INT(id, want);
	}
	CHECK_INT(vaccel__id_pool_get(&pool, &id), VACCEL_EUSERS);
	CHECK_INT(vaccel__id_pool_put(&pool, 2), VACCEL_OK);
	CHECK_INT(vaccel__id_pool_get(&pool, &id), VACCEL_OK);
	CHECK_INT(id, 2);
	CHECK_INT(vaccel__id_pool_put(&pool, 0), VACCEL_EINVAL);
	CHECK_INT(vaccel__id_pool_put(&pool, 5), VACCEL_EINVAL);
	CHECK_INT(vaccel__id_pool_put(&pool, 1), VACCEL_OK);
	CHECK_INT(vaccel__id_pool_put(&pool, 1), VACCEL_EINVAL);
	vaccel__id_pool_release(&pool);
}

static void test_no_early_reuse(void)
{
	struct vaccel_id_pool pool;
	vaccel_id_t a, b, c;

	REQUIRE(vaccel__id_pool_init(&pool, "test", 8) == VACCEL_OK);
	vaccel__id_pool_get(&pool, &a);
	vaccel__id_pool_get(&pool, &b);
	CHECK_INT(vaccel__id_pool_put(&pool, a), VACCEL_OK);
	CHECK_INT(vaccel__id_pool_get(&pool, &c), VACCEL_OK);
	/* 1 is free again, but the next id is still 3. */
	CHECK_INT(c, 3);
	for (int i = 0; i < 5; i++)
		vaccel__id_pool_get(&pool, &c);
	CHECK_INT(c, 8);
	/* Wrapped: now the freed 1 comes back. */
	CHECK_INT(vaccel__id_pool_get(&pool, &c), VACCEL_OK);
	CHECK_INT(c, 1);
	vaccel__id_pool_release(&pool);
}

static void test_bad_args(void)
{
	struct vaccel_id_pool pool;
	vaccel_id_t id;

	CHECK_INT(vaccel__id_pool_init(NULL, "x", 1), VACCEL_EINVAL);
	CHECK_INT(vaccel__id_pool_init(&pool, "x", 0), VACCEL_EINVAL);
	CHECK_INT(vaccel__id_pool_get(NULL, &id), VACCEL_EINVAL);
}

static struct vaccel_id_pool shared;

static void *grab(void *arg)
{
	vaccel_id_t *ids = arg;

	for (int i = 0; i < 100; i++)
		if (vaccel__id_pool_get(&shared, &ids[i]))
			ids[i] = -1;
	return NULL;
}

static void test_threads_get_unique_ids(void)
{
	static vaccel_id_t ids[4][100];
	static unsigned char seen[401];
	pthread_t t[4];

	REQUIRE(vaccel__id_pool_init(&shared, "threads", 400) == VACCEL_OK);
	for (int i = 0; i < 4; i++)
		pthread_create(&t[i], NULL, grab, ids[i]);
	for (int i = 0; i < 4; i++)
		pthread_join(t[i], NULL);
	for (int i = 0; i < 4; i++)
		for (int j = 0; j < 100; j++) {
			REQUIRE(ids[i][j] >= 1 && ids[i][j] <= 400);
			CHECK(!seen[ids[i][j]]);
			seen[ids[i][j]] = 1;
		}
	vaccel_id_t id;
	CHECK_INT(vaccel__id_pool_get(&shared, &id), VACCEL_EUSERS);
	vaccel__id_pool_release(&shared);
}

TEST_MAIN(test_sequence_and_exhaustion, test_no_early_reuse, test_bad_args,
	  test_threads_get_unique_ids)
