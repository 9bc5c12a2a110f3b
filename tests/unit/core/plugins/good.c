// SPDX-License-Identifier: Apache-2.0
/* A well-formed CPU plugin with every hook, noop and minmax. */

#include "counters.h"

/* Marks the result so a test can tell which plugin ran the op. */
static int good_minmax(struct vaccel_session *sess, const double *indata,
		       int ndata, int low_threshold, int high_threshold,
		       double *outdata, double *min, double *max)
{
	(void)sess;
	(void)indata;
	(void)ndata;
	(void)low_threshold;
	(void)high_threshold;
	(void)outdata;
	atomic_fetch_add(&counters.ops, 1);
	if (min)
		*min = 1.0;
	if (max)
		*max = 42.0;
	return VACCEL_OK;
}

VACCEL_PLUGIN_DESCRIPTOR(.name = "good", .version = "1.0",
			 .type = VACCEL_PLUGIN_CPU, .init = tp_init,
			 .fini = tp_fini, .session_init = tp_session_init,
			 .session_release = tp_session_release,
			 .resource_register = tp_resource_register,
			 .resource_unregister = tp_resource_unregister,
			 .ops = { .noop = tp_noop, .minmax = good_minmax });
