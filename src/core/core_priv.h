/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Declarations shared between the files of src/core only (the contract
 * with src/arg and src/ops is internal.h).
 */
#ifndef VACCEL_CORE_PRIV_H
#define VACCEL_CORE_PRIV_H

#include "internal.h"
#include "list.h"
#include "vaccel/prof.h"
#include <stdbool.h>
#include <stddef.h>

/* error.c: maps an errno value to the VACCEL_E* code of the same name, or
 * VACCEL_EIO when there is none. */
int vaccel__errno_to_error(int err);
/* error.c: makes msg (len bytes, not NUL-terminated) the calling thread's
 * last error message (vaccel_last_error_message), cut to fit. The log
 * calls it for every error-level line, so the failure site that logs is
 * the one place that sets it. */
void vaccel__last_error_set(const char *msg, size_t len);
/* How many last error messages this thread has had: taken before a plugin
 * hook runs, it tells whether the plugin gave a reason. */
unsigned long vaccel__last_error_seq(void);
/* Reports that a plugin hook failed with `code`; `fmt` says which hook of
 * which plugin for which object. When the plugin logged its reason since
 * `seq`, that reason stays the last error (the root cause) and this
 * context goes to debug level; otherwise the context and the code's
 * description are the error line. */
void vaccel__hook_failed(unsigned long seq, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* rundir.c */
/* Creates this process's run directory into buf (PATH_MAX bytes). */
int vaccel__rundir_create(char *buf, size_t size);
/* Creates <vaccel rundir>/<name> (mode 0700) into buf; EEXIST is fine. */
int vaccel__rundir_create_child(const char *name, char *buf, size_t size);
/* Removes a directory tree; failures only warn. */
void vaccel__rundir_remove(const char *path);
/* Unlocks and removes this process's run directory; in a forked child of
 * the process that created it, only lets go of it. */
void vaccel__rundir_destroy(const char *path);

/*
 * One registration of a resource with a session. Registration is M:N, so
 * each pair gets a link that sits both on the session's per-type resource
 * list (sess->resources_lock) and on the resource's session list
 * (res->sessions_lock). Lock order: res->sessions_lock, then
 * sess->resources_lock.
 */
struct vaccel__res_link {
	struct vaccel_list_entry in_sess;
	struct vaccel_list_entry in_res;
	struct vaccel_resource *res;
	struct vaccel_session *sess;
};

/* session.c: the registry of live sessions. */
/* Releases every live session, warning about each one, except those with
 * an op in flight that the release may not wait for (see
 * vaccel__session_stop_calls): they stay registered, and their number is
 * returned. */
size_t vaccel__sessions_release_all(bool wait);

/* resource.c: the registry of live resources. */
void vaccel__resources_release_all(void);
/* Removes the registration of `res` with `sess` and tells the plugins,
 * without checking either (both are live: the callers are the release
 * paths of one of them). VACCEL_EPERM when they are not linked. */
int vaccel__resource_unlink(struct vaccel_resource *res,
			    struct vaccel_session *sess);

/* plugin.c */
/* Locks the plugin list for reading while a caller walks it. */
void vaccel__plugins_rdlock(void);
void vaccel__plugins_unlock(void);
/* Head of the plugin list; the caller holds the read lock. */
struct vaccel_plugin *vaccel__plugins_first_locked(void);

/* dispatch.c: the plugin a new session with `flags` runs on (the rules of
 * session.h), or NULL. Logs the rule that chose it at debug level, or why
 * none fits as an error. */
struct vaccel_plugin *vaccel__plugin_select(uint32_t flags);

/* log.c */
/* Name of a level as printed between angle brackets ("debug"). */
const char *vaccel__log_level_name(vaccel_log_level_t level);

/* prof.c / op_prof.c */
void vaccel__op_prof_print_all(void);
void vaccel__op_prof_release_all(void);
const struct vaccel_prof_region *vaccel__op_prof_region(vaccel_op_type_t type);

/* bootstrap.c */
/* True when the active config asks to skip plugin version checks. */
bool vaccel__version_ignore(void);

#endif /* VACCEL_CORE_PRIV_H */
