// SPDX-License-Identifier: Apache-2.0
/*
 * A CPU plugin whose noop and minmax block until the test lets them go, so
 * that a test can release the session or unload the plugin while an op is
 * in flight. session_release and fini count a violation when they run
 * while an op is still running; a blocked op also returns when a violation
 * happened, so that a broken core fails the test instead of hanging it.
 * Built with -z nodelete: a core that unloads it mid-op leaves its code
 * mapped and the test reports the violation instead of crashing.
 */

#include "blocker.h"
#include "counters.h"
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

static struct blocker_state state;

VACCEL_PLUGIN_EXPORT struct blocker_state *blocker_state(void);
VACCEL_PLUGIN_EXPORT struct blocker_state *blocker_state(void)
{
	return &state;
}

static int block(struct vaccel_session *sess)
{
	const struct timespec ms = { 0, 1000000 };

	atomic_fetch_add(&state.in_op, 1);
	atomic_fetch_add(&state.entered, 1);
	if (atomic_load(&state.exit_code) > 0)
		exit(atomic_load(&state.exit_code));
	if (atomic_load(&state.inside)) {
		atomic_store(&state.release_ret, vaccel_session_release(sess));
		atomic_store(&state.cleanup_ret, vaccel_cleanup());
		atomic_store(&state.go, 1);
	}
	while (!atomic_load(&state.go) && !atomic_load(&state.violations))
		nanosleep(&ms, NULL);
	atomic_fetch_sub(&state.in_op, 1);
	atomic_fetch_add(&counters.ops, 1);
	return VACCEL_OK;
}

static void check_idle(void)
{
	if (atomic_load(&state.in_op)) {
		if (atomic_load(&state.violation_exit) > 0)
			_exit(atomic_load(&state.violation_exit));
		atomic_fetch_add(&state.violations, 1);
	}
}

static int blocker_noop(struct vaccel_session *sess)
{
	return block(sess);
}

static int blocker_minmax(struct vaccel_session *sess, const double *indata,
			  int ndata, int low_threshold, int high_threshold,
			  double *outdata, double *min, double *max)
{
	(void)indata;
	(void)ndata;
	(void)low_threshold;
	(void)high_threshold;
	(void)outdata;
	*min = -1.0;
	*max = 1.0;
	return block(sess);
}

static int blocker_session_release(struct vaccel_session *sess)
{
	check_idle();
	return tp_session_release(sess);
}

static int blocker_fini(void)
{
	check_idle();
	return tp_fini();
}

VACCEL_PLUGIN_DESCRIPTOR(.name = "blocker", .version = "1.0",
			 .type = VACCEL_PLUGIN_CPU, .init = tp_init,
			 .fini = blocker_fini, .session_init = tp_session_init,
			 .session_release = blocker_session_release,
			 .ops = { .noop = blocker_noop,
				  .minmax = blocker_minmax });
