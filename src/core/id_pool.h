/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Pools of object ids. Each kind of object (sessions, resources) has its
 * own pool with a fixed number of ids that may be live at once. Ids are
 * handed out in increasing order and a freed id is only reused after the
 * pool wraps around, so a stale id rarely names a new object.
 */
#ifndef VACCEL_CORE_ID_POOL_H
#define VACCEL_CORE_ID_POOL_H

#include "vaccel/id.h"
#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#define VACCEL_SESSIONS_MAX 1024
#define VACCEL_RESOURCES_MAX 2048

struct vaccel_id_pool {
	const char *kind;
	size_t max;
	/* One byte per id: non-zero while the id is live. */
	uint8_t *used;
	/* Index (id - 1) at which the next search starts. */
	size_t next;
	size_t nr_used;
	pthread_mutex_t lock;
};

/* Prepares a pool of `max` ids named `kind` (for log lines). */
int vaccel__id_pool_init(struct vaccel_id_pool *pool, const char *kind,
			 size_t max);
int vaccel__id_pool_release(struct vaccel_id_pool *pool);
/* Stores a fresh id in *id; VACCEL_EUSERS when all ids are live. */
int vaccel__id_pool_get(struct vaccel_id_pool *pool, vaccel_id_t *id);
/* Returns `id` to the pool; VACCEL_EINVAL if it was not live. */
int vaccel__id_pool_put(struct vaccel_id_pool *pool, vaccel_id_t id);

/* The process-wide pools, usable before bootstrap. */
extern struct vaccel_id_pool vaccel__session_ids;
extern struct vaccel_id_pool vaccel__resource_ids;

#endif /* VACCEL_CORE_ID_POOL_H */
