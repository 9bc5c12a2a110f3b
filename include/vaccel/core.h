/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Library lifecycle.
 *
 * When libvaccel is loaded, a constructor calls vaccel_bootstrap() unless
 * VACCEL_BOOTSTRAP_ENABLED is "0"; at unload a destructor calls
 * vaccel_cleanup() unless VACCEL_CLEANUP_ENABLED is "0". A failed automatic
 * bootstrap is logged and remembered: the library never calls exit(), and
 * the next vaccel_session_init() returns the bootstrap error.
 */
#ifndef VACCEL_CORE_H
#define VACCEL_CORE_H

#include "config.h"
#include <stdbool.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Initializes the runtime from the environment: log, run directory, plugins.
 * If already initialized, cleans up first. Returns the first error hit
 * (e.g. VACCEL_ENOENT for a plugin path that does not exist, VACCEL_ELIBBAD
 * for a library without a plugin descriptor), or VACCEL_EBUSY when the
 * current setup cannot be cleaned up (see vaccel_cleanup). */
int vaccel_bootstrap(void);
/* As vaccel_bootstrap() but with an explicit config (copied). */
int vaccel_bootstrap_with_config(struct vaccel_config *config);
/* Releases every live session and resource, unloads plugins, removes the
 * run directory; waits for the ops in flight on other threads. Safe to call
 * when not initialized. From inside an op it returns VACCEL_EBUSY and
 * keeps that op's session, the plugins and the run directory. */
int vaccel_cleanup(void);
bool vaccel_is_initialized(void);
/* This process's run directory, or NULL when not initialized. */
const char *vaccel_rundir(void);
/* The active config, or NULL when not initialized. */
const struct vaccel_config *vaccel_config(void);

#ifdef __cplusplus
}
#endif

#endif /* VACCEL_CORE_H */
