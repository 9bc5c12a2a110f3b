// SPDX-License-Identifier: Apache-2.0

#include "core_priv.h"
#include "vaccel/config.h"
#include "vaccel/core.h"
#include "vaccel/error.h"
#include "vaccel/log.h"
#include "vaccel/plugin.h"
#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/*
 * Global runtime state. state_lock serializes bootstrap and cleanup; the
 * getters read atomics or data that only changes under the lock while no
 * session may be in use, so they never block.
 */
static pthread_mutex_t state_lock = PTHREAD_MUTEX_INITIALIZER;
static atomic_bool initialized;
static atomic_bool has_config;
static atomic_int bootstrap_status = VACCEL_OK;
static struct vaccel_config state_config;
static char state_rundir[PATH_MAX];
/* Why the last bootstrap failed: the failing step's own log line, kept so
 * that every later vaccel_session_init reports the root cause. */
static char bootstrap_reason[VACCEL_ERROR_MSG_MAX];

bool vaccel_is_initialized(void)
{
	return atomic_load(&initialized);
}

const char *vaccel_rundir(void)
{
	return state_rundir[0] ? state_rundir : NULL;
}

const struct vaccel_config *vaccel_config(void)
{
	return atomic_load(&has_config) ? &state_config : NULL;
}

bool vaccel__version_ignore(void)
{
	return atomic_load(&has_config) && state_config.version_ignore;
}

/* Records the outcome of a bootstrap; the caller holds state_lock and, on
 * failure, runs on the thread whose failing step logged the reason. */
static void set_status_locked(int ret)
{
	const char *why = vaccel_last_error_message();

	if (ret)
		snprintf(bootstrap_reason, sizeof(bootstrap_reason), "%s",
			 why[0] ? why : vaccel_strerror(ret));
	atomic_store(&bootstrap_status, ret);
}

void vaccel__bootstrap_log_failure(void)
{
	char why[VACCEL_ERROR_MSG_MAX];

	pthread_mutex_lock(&state_lock);
	snprintf(why, sizeof(why), "%s", bootstrap_reason);
	pthread_mutex_unlock(&state_lock);
	vaccel_error("vAccel bootstrap failed: %s", why);
}

int vaccel__bootstrap_status(void)
{
	return atomic_load(&bootstrap_status);
}

/* Tears down whatever bootstrap set up; the caller holds state_lock. A
 * session with an op in flight that may not be waited for (one of the
 * calling thread, or any at exit: see vaccel__session_stop_calls) keeps
 * everything set up, so that the op still finds its plugin, resources and
 * run directory: VACCEL_EBUSY. */
static int teardown_locked(bool wait)
{
	size_t kept = vaccel__sessions_release_all(wait);

	if (kept) {
		if (wait)
			vaccel_error("vAccel cleanup: %zu sessions have ops "
				     "running on this thread; vAccel stays "
				     "set up", kept);
		else
			vaccel_debug("vAccel cleanup at exit: %zu sessions "
				     "have ops running; vAccel is left set "
				     "up for the end of the process", kept);
		return VACCEL_EBUSY;
	}
	vaccel__resources_release_all();
	vaccel__plugins_unload_all();

	if (vaccel__prof_on)
		vaccel__op_prof_print_all();
	vaccel__op_prof_release_all();

	vaccel__rundir_destroy(state_rundir);
	state_rundir[0] = '\0';

	atomic_store(&initialized, false);
	atomic_store(&has_config, false);
	vaccel_config_release(&state_config);
	vaccel__prof_on = false;
	vaccel_log_shutdown();
	return VACCEL_OK;
}

/* A bootstrap replaces a running setup: it is torn down first, unless
 * that cannot be done now (VACCEL_EBUSY, logged: the setup stays). */
static int teardown_if_up_locked(void)
{
	return atomic_load(&initialized) ? teardown_locked(true) : VACCEL_OK;
}

/* Runs the bootstrap steps in order: config, log, rundir, plugins; the
 * caller tore down the previous setup. */
static int bootstrap_locked(struct vaccel_config *config)
{
	int ret;

	ret = vaccel_config_init_from(&state_config, config);
	if (ret)
		goto out;
	atomic_store(&has_config, true);
	vaccel__prof_on = state_config.profiling_enabled;

	vaccel_log_init();
	vaccel_config_print_debug(&state_config);

	ret = vaccel__rundir_create(state_rundir, sizeof(state_rundir));
	if (ret)
		goto fail;

	if (state_config.plugins && state_config.plugins[0]) {
		ret = vaccel_plugin_parse_and_load(state_config.plugins);
		if (ret)
			goto fail;
	}

	atomic_store(&initialized, true);
	vaccel_debug("vAccel %s initialized (run directory %s, %zu plugins)",
		     VACCEL_VERSION, state_rundir, vaccel_plugin_count());
	goto out;

fail:
	/* Remember the reason before the undo steps log anything; undo the
	 * steps that succeeded and keep the log open long enough for the
	 * caller to report the error. */
	set_status_locked(ret);
	vaccel__plugins_unload_all();
	vaccel__rundir_destroy(state_rundir);
	state_rundir[0] = '\0';
	atomic_store(&has_config, false);
	vaccel_config_release(&state_config);
	vaccel__prof_on = false;
	return ret;
out:
	set_status_locked(ret);
	return ret;
}

int vaccel_bootstrap_with_config(struct vaccel_config *config)
{
	int ret;

	if (!config) {
		vaccel_error("vaccel_bootstrap_with_config: config is NULL");
		return VACCEL_EINVAL;
	}

	pthread_mutex_lock(&state_lock);
	if (teardown_if_up_locked()) {
		pthread_mutex_unlock(&state_lock);
		return VACCEL_EBUSY;
	}
	ret = bootstrap_locked(config);
	pthread_mutex_unlock(&state_lock);
	if (ret)
		vaccel__bootstrap_log_failure();
	return ret;
}

int vaccel_bootstrap(void)
{
	struct vaccel_config config = { 0 };
	int ret;

	pthread_mutex_lock(&state_lock);
	if (teardown_if_up_locked()) {
		pthread_mutex_unlock(&state_lock);
		return VACCEL_EBUSY;
	}
	ret = vaccel_config_init_from_env(&config);
	if (ret)
		set_status_locked(ret);
	else
		ret = bootstrap_locked(&config);
	pthread_mutex_unlock(&state_lock);

	vaccel_config_release(&config);
	if (ret)
		vaccel__bootstrap_log_failure();
	return ret;
}

/* Cleans up; at exit it waits for nothing (see teardown_locked) and does
 * not even wait for the state lock, which a thread that cannot finish
 * (one blocked in an op, say) may hold. */
static int cleanup(bool at_exit)
{
	int ret = VACCEL_OK;

	if (!at_exit)
		pthread_mutex_lock(&state_lock);
	else if (pthread_mutex_trylock(&state_lock) != 0)
		return VACCEL_EBUSY;
	if (atomic_load(&initialized)) {
		vaccel_debug("Cleaning up vAccel");
		ret = teardown_locked(!at_exit);
	}
	pthread_mutex_unlock(&state_lock);
	return ret;
}

int vaccel_cleanup(void)
{
	return cleanup(false);
}

/* Only the exact value "0" disables an automatic step, as upstream. */
static bool env_disabled(const char *name)
{
	const char *val = getenv(name);

	return val && strcmp(val, "0") == 0;
}

/* Bootstraps when the library is loaded. A failure is only remembered
 * (vaccel__bootstrap_status) and logged: a library must not end the
 * program that loaded it. */
__attribute__((constructor)) static void vaccel__auto_bootstrap(void)
{
	if (env_disabled("VACCEL_BOOTSTRAP_ENABLED"))
		return;
	vaccel_bootstrap();
}

__attribute__((destructor)) static void vaccel__auto_cleanup(void)
{
	if (env_disabled("VACCEL_CLEANUP_ENABLED"))
		return;
	cleanup(true);
}
