// SPDX-License-Identifier: Apache-2.0

#include "core_priv.h"
#include "vaccel/op.h"
#include "vaccel/prof.h"
#include <pthread.h>
#include <stdio.h>

/*
 * One profiling region per op type, named "vaccel_<op>_op" like upstream's.
 * Ops may run on many threads at once, so samples are added under a lock;
 * the lock is only taken when profiling is on, keeping the common path to
 * a single flag test.
 */
static struct vaccel_prof_region op_regions[VACCEL_OP_MAX];
static char op_names[VACCEL_OP_MAX][VACCEL_ENUM_STR_MAX + 16];
static pthread_mutex_t op_lock = PTHREAD_MUTEX_INITIALIZER;

void vaccel__op_prof_start(vaccel_op_type_t type, uint64_t *t0)
{
	if (!t0)
		return;
	*t0 = vaccel__prof_on ? vaccel_prof_get_tstamp() : 0;
	(void)type;
}

void vaccel__op_prof_stop(vaccel_op_type_t type, uint64_t t0)
{
	struct vaccel_prof_region *r;
	uint64_t now;

	if (!vaccel__prof_on || (int)type < 0 || type >= VACCEL_OP_MAX ||
	    t0 == 0)
		return;
	now = vaccel_prof_get_tstamp();

	pthread_mutex_lock(&op_lock);
	r = &op_regions[type];
	if (!r->name) {
		char base[VACCEL_ENUM_STR_MAX];

		vaccel_op_type_name(type, base, sizeof(base));
		snprintf(op_names[type], sizeof(op_names[type]), "vaccel_%s_op",
			 base);
		r->name = op_names[type];
		r->name_owned = false;
	}
	vaccel_prof_region_add_sample(r, t0, now - t0);
	pthread_mutex_unlock(&op_lock);
}

void vaccel__op_prof_print_all(void)
{
	pthread_mutex_lock(&op_lock);
	for (int i = 0; i < VACCEL_OP_MAX; i++)
		if (op_regions[i].nr_entries)
			vaccel_prof_region_print(&op_regions[i]);
	pthread_mutex_unlock(&op_lock);
}

void vaccel__op_prof_release_all(void)
{
	pthread_mutex_lock(&op_lock);
	vaccel_prof_regions_release(op_regions, VACCEL_OP_MAX);
	for (int i = 0; i < VACCEL_OP_MAX; i++)
		op_regions[i].name = NULL;
	pthread_mutex_unlock(&op_lock);
}

/* The op's region, for tests and for importing remote samples; NULL when
 * the op has not been profiled yet. */
const struct vaccel_prof_region *vaccel__op_prof_region(vaccel_op_type_t type)
{
	if ((int)type < 0 || type >= VACCEL_OP_MAX || !op_regions[type].name)
		return NULL;
	return &op_regions[type];
}
