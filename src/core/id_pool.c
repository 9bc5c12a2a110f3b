// SPDX-License-Identifier: Apache-2.0

#include "id_pool.h"
#include "vaccel/error.h"
#include "vaccel/log.h"
#include <stdlib.h>
#include <string.h>

/* The global pools are statically sized so that they work without any
 * initialization call, from the first constructor on. */
static uint8_t session_used[VACCEL_SESSIONS_MAX];
static uint8_t resource_used[VACCEL_RESOURCES_MAX];

struct vaccel_id_pool vaccel__session_ids = {
	.kind = "session",
	.max = VACCEL_SESSIONS_MAX,
	.used = session_used,
	.lock = PTHREAD_MUTEX_INITIALIZER,
};

struct vaccel_id_pool vaccel__resource_ids = {
	.kind = "resource",
	.max = VACCEL_RESOURCES_MAX,
	.used = resource_used,
	.lock = PTHREAD_MUTEX_INITIALIZER,
};

int vaccel__id_pool_init(struct vaccel_id_pool *pool, const char *kind,
			 size_t max)
{
	if (!pool || !kind || max == 0) {
		vaccel_error("Invalid id pool arguments (kind %s, max %zu)",
			     kind ? kind : "(null)", max);
		return VACCEL_EINVAL;
	}

	pool->used = calloc(max, 1);
	if (!pool->used) {
		vaccel_error("Could not allocate a %s id pool of %zu ids",
			     kind, max);
		return VACCEL_ENOMEM;
	}
	pool->kind = kind;
	pool->max = max;
	pool->next = 0;
	pool->nr_used = 0;
	pthread_mutex_init(&pool->lock, NULL);
	return VACCEL_OK;
}

int vaccel__id_pool_release(struct vaccel_id_pool *pool)
{
	if (!pool || !pool->used)
		return VACCEL_EINVAL;

	pthread_mutex_destroy(&pool->lock);
	free(pool->used);
	pool->used = NULL;
	pool->max = 0;
	pool->nr_used = 0;
	return VACCEL_OK;
}

int vaccel__id_pool_get(struct vaccel_id_pool *pool, vaccel_id_t *id)
{
	int ret = VACCEL_EUSERS;

	if (!pool || !id || !pool->used)
		return VACCEL_EINVAL;

	pthread_mutex_lock(&pool->lock);
	if (pool->nr_used < pool->max) {
		/* Search forward from the cursor so ids keep increasing until
		 * the end of the pool, then wrap to the lowest free one. */
		for (size_t n = 0; n < pool->max; n++) {
			size_t i = (pool->next + n) % pool->max;

			if (pool->used[i])
				continue;
			pool->used[i] = 1;
			pool->nr_used++;
			pool->next = (i + 1) % pool->max;
			*id = (vaccel_id_t)i + 1;
			ret = VACCEL_OK;
			break;
		}
	}
	pthread_mutex_unlock(&pool->lock);

	if (ret)
		vaccel_error("No free %s id: all %zu are in use", pool->kind,
			     pool->max);
	return ret;
}

int vaccel__id_pool_put(struct vaccel_id_pool *pool, vaccel_id_t id)
{
	int ret = VACCEL_OK;

	if (!pool || !pool->used)
		return VACCEL_EINVAL;

	pthread_mutex_lock(&pool->lock);
	if (id < 1 || (size_t)id > pool->max || !pool->used[id - 1]) {
		ret = VACCEL_EINVAL;
	} else {
		pool->used[id - 1] = 0;
		pool->nr_used--;
	}
	pthread_mutex_unlock(&pool->lock);

	if (ret)
		vaccel_error("Cannot free %s id %lld: it is not in use",
			     pool->kind, (long long)id);
	return ret;
}
