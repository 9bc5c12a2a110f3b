// SPDX-License-Identifier: Apache-2.0
/*
 * A plugin with minmax only, built once per TP_NAME / TP_MAX / TP_TYPE
 * (mm1 and mm2 software, mmr a transport): its max output names the plugin
 * that ran, for the fallback order tests.
 */

#include "counters.h"

static int mm_minmax(struct vaccel_session *sess, const double *indata,
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
	*min = 0.0;
	*max = TP_MAX;
	return VACCEL_OK;
}

VACCEL_PLUGIN_DESCRIPTOR(.name = TP_NAME, .version = "1.0",
			 .type = TP_TYPE, .init = tp_init,
			 .fini = tp_fini, .ops = { .minmax = mm_minmax });
