// SPDX-License-Identifier: Apache-2.0
/*
 * A transport-typed plugin. Its resource_register hook insists that every
 * file blob's bytes are already in memory (as a real transport needs) and
 * refuses DATA resources, so tests can see a hook failure undone.
 */

#include "counters.h"

static int remote_session_init(struct vaccel_session *sess, uint32_t flags)
{
	/* The core must strip the REMOTE bit before calling the hook. */
	if (flags & VACCEL_PLUGIN_REMOTE)
		return VACCEL_EINVAL;
	sess->remote_id = 4242;
	return tp_session_init(sess, flags);
}

static int remote_resource_register(struct vaccel_resource *res,
				    struct vaccel_session *sess)
{
	if (res->type == VACCEL_RESOURCE_DATA)
		return VACCEL_EREMOTEIO;
	for (size_t i = 0; i < res->nr_blobs; i++)
		if (!res->blobs[i]->data)
			return VACCEL_EINVAL;
	res->remote_id = 777;
	return tp_resource_register(res, sess);
}

VACCEL_PLUGIN_DESCRIPTOR(.name = "remote", .version = "1.0",
			 .type = VACCEL_PLUGIN_REMOTE | VACCEL_PLUGIN_CPU,
			 .init = tp_init, .fini = tp_fini,
			 .session_init = remote_session_init,
			 .session_release = tp_session_release,
			 .resource_register = remote_resource_register,
			 .ops = { .noop = tp_noop });
