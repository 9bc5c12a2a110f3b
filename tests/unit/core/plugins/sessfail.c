// SPDX-License-Identifier: Apache-2.0
/* An FPGA-typed plugin whose session_init always fails (for update tests). */

#include "counters.h"

static int sessfail_session_init(struct vaccel_session *sess, uint32_t flags)
{
	(void)flags;
	/* Scribbles on the session first, as a half-done init would. */
	sess->priv = &counters;
	sess->remote_id = 99;
	return VACCEL_EIO;
}

VACCEL_PLUGIN_DESCRIPTOR(.name = "sessfail", .version = "1.0",
			 .type = VACCEL_PLUGIN_FPGA, .init = tp_init,
			 .fini = tp_fini, .session_init = sessfail_session_init,
			 .session_release = tp_session_release,
			 .ops = { .noop = tp_noop });
