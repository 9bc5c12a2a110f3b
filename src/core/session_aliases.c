// SPDX-License-Identifier: Apache-2.0
/*
 * Upstream's old session names, kept for older programs: each warns once
 * per call, as upstream's do, and forwards to the current function.
 */

#include "vaccel/log.h"
#include "vaccel/session.h"

#define WARN_ALIAS(old, new) \
	vaccel_warn("%s() is deprecated. Please use %s() instead.", old, new)

int vaccel_sess_init(struct vaccel_session *sess, uint32_t flags)
{
	WARN_ALIAS("vaccel_sess_init", "vaccel_session_init");
	return vaccel_session_init(sess, flags);
}

int vaccel_sess_update(struct vaccel_session *sess, uint32_t flags)
{
	WARN_ALIAS("vaccel_sess_update", "vaccel_session_update");
	return vaccel_session_update(sess, flags);
}

int vaccel_sess_free(struct vaccel_session *sess)
{
	WARN_ALIAS("vaccel_sess_free", "vaccel_session_release");
	return vaccel_session_release(sess);
}

bool vaccel_sess_has_resource(struct vaccel_session *sess,
			      struct vaccel_resource *res)
{
	WARN_ALIAS("vaccel_sess_has_resource", "vaccel_session_has_resource");
	return vaccel_session_has_resource(sess, res);
}
