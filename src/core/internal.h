/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Internal interfaces of libvaccel shared between src/core, src/arg and
 * src/ops. Nothing here is installed.
 */
#ifndef VACCEL_CORE_INTERNAL_H
#define VACCEL_CORE_INTERNAL_H

#include "vaccel.h"
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>

/* A loaded plugin. `d` is a copy of the plugin's descriptor, zero-filled
 * past the size an older (smaller) descriptor declared, so hook and op
 * lookups never read beyond what the plugin provided. */
struct vaccel_plugin {
	void *dl_handle;
	struct vaccel_plugin_desc d;
	char *path;
	/* Position in load order (0 = first = highest priority). */
	size_t index;
	struct vaccel_plugin *next;
};

/* Byte offset of each op's member in struct vaccel_plugin_ops, indexed by
 * vaccel_op_type_t. */
extern const size_t vaccel__op_offsets[VACCEL_OP_MAX];

/* The plugin's function for `type`, or NULL. */
static inline void *vaccel__plugin_op(const struct vaccel_plugin *plugin,
				      vaccel_op_type_t type)
{
	void *fn;
	const char *base = (const char *)&plugin->d.ops;
	__builtin_memcpy(&fn, base + vaccel__op_offsets[type], sizeof(fn));
	return fn;
}

/*
 * Finds the function that runs op `type` for `sess`: the session's plugin's
 * own, else (when the session has no hint and no REMOTE flag) the first
 * loaded plugin implementing it. Sets *used to the plugin that will run it.
 * Returns NULL, with an error log line naming the op and the session's
 * plugin, when none does.
 * Slow path only: call vaccel__session_op() from op entry points.
 */
void *vaccel__op_find_fallback(struct vaccel_session *sess,
			       vaccel_op_type_t type,
			       const struct vaccel_plugin **used);

static inline void *vaccel__session_op(struct vaccel_session *sess,
				       vaccel_op_type_t type,
				       const struct vaccel_plugin **used)
{
	void *fn = vaccel__plugin_op(sess->plugin, type);
	if (__builtin_expect(fn != NULL, 1)) {
		*used = sess->plugin;
		return fn;
	}
	return vaccel__op_find_fallback(sess, type, used);
}

/* Validates a session pointer passed to a public function: non-NULL,
 * initialized (id > 0) and bound to a plugin. Logs and returns
 * VACCEL_EINVAL otherwise. `func` names the caller for the log line. */
int vaccel__session_check(const struct vaccel_session *sess,
			  const char *func);

/* Creates the session's run directory (sess->rundir) if it does not exist
 * yet; sessions only get the path at init. Removed on release. */
int vaccel__session_mkdir(struct vaccel_session *sess);

/* Validates that `res` is non-NULL, of `type`, and registered with `sess`.
 * Returns VACCEL_EINVAL (NULL / wrong type) or VACCEL_EPERM (not
 * registered), with a log line. */
int vaccel__session_check_resource(struct vaccel_session *sess,
				   struct vaccel_resource *res,
				   vaccel_resource_type_t type,
				   const char *func);

/* Profiling: true when VACCEL_PROFILING_ENABLED. Read directly by hot paths. */
extern volatile bool vaccel__prof_on;

/* Per-op profiling regions owned by the core, printed at cleanup. */
void vaccel__op_prof_start(vaccel_op_type_t type, uint64_t *t0);
void vaccel__op_prof_stop(vaccel_op_type_t type, uint64_t t0);

/* Debug line naming the plugin that runs an op (only at debug level). */
#define VACCEL__LOG_DISPATCH(type, plugin)                                  \
	vaccel_debug("%s runs on plugin %s", vaccel_op_type_to_str(type), \
		     (plugin)->d.name)

/* Calls resource_unregister on every loaded plugin that defines it. */
void vaccel__plugins_resource_unregister(struct vaccel_resource *res,
					 struct vaccel_session *sess);

/* Plugin registry (plugin.c). */
int vaccel__plugins_unload_all(void);
struct vaccel_plugin *vaccel__plugins_first(void);

/* Error from the last (auto-)bootstrap, VACCEL_OK if it succeeded. */
int vaccel__bootstrap_status(void);

#endif /* VACCEL_CORE_INTERNAL_H */
