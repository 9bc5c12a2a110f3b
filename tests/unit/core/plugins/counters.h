/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Hook counters shared by the test plugins. Each plugin exports
 * tp_counters() so that a test can read them through
 * dlopen(RTLD_NOLOAD) + dlsym; the counters are atomic because the thread
 * test calls the hooks from many threads.
 */
#ifndef TP_COUNTERS_H
#define TP_COUNTERS_H

#include "tp_counters.h"
#include "vaccel.h"

static struct tp_counters counters;

VACCEL_PLUGIN_EXPORT struct tp_counters *tp_counters(void);
VACCEL_PLUGIN_EXPORT struct tp_counters *tp_counters(void)
{
	return &counters;
}

static inline int tp_init(void)
{
	atomic_fetch_add(&counters.inits, 1);
	return VACCEL_OK;
}

static inline int tp_fini(void)
{
	atomic_fetch_add(&counters.finis, 1);
	return VACCEL_OK;
}

static inline int tp_session_init(struct vaccel_session *sess, uint32_t flags)
{
	(void)flags;
	sess->priv = &counters;
	atomic_fetch_add(&counters.session_inits, 1);
	return VACCEL_OK;
}

static inline int tp_session_release(struct vaccel_session *sess)
{
	(void)sess;
	atomic_fetch_add(&counters.session_releases, 1);
	return VACCEL_OK;
}

static inline int tp_resource_register(struct vaccel_resource *res,
				struct vaccel_session *sess)
{
	(void)res;
	(void)sess;
	atomic_fetch_add(&counters.registers, 1);
	return VACCEL_OK;
}

static inline int tp_resource_unregister(struct vaccel_resource *res,
				  struct vaccel_session *sess)
{
	(void)res;
	(void)sess;
	atomic_fetch_add(&counters.unregisters, 1);
	return VACCEL_OK;
}

static inline int tp_noop(struct vaccel_session *sess)
{
	(void)sess;
	atomic_fetch_add(&counters.ops, 1);
	return VACCEL_OK;
}

#endif /* TP_COUNTERS_H */
