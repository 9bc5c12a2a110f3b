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
 * own, else (when that plugin is a local one, whatever the session's hint)
 * the first other loaded local plugin implementing it. Sets *used to the
 * plugin that will run it.
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

/*
 * Calls in flight (calls.c). An op enters its session before it looks up
 * the plugin function and leaves it after the call: the entry is a store
 * into the calling thread's own record, and vaccel_session_release() waits
 * until no thread's record holds the session (vaccel__session_stop_calls).
 * Records nest up to VACCEL__CALLS_MAX ops per thread.
 */
#define VACCEL__CALLS_MAX 16

struct vaccel__calls {
	_Atomic(struct vaccel_session *) sess[VACCEL__CALLS_MAX];
	unsigned int depth; /* only its own thread touches it */
	struct vaccel__calls *next;
};

extern __thread struct vaccel__calls *vaccel__my_calls
	__attribute__((tls_model("initial-exec")));
/* True where membarrier(2) is unavailable: readers fence themselves. */
extern bool vaccel__calls_fence;

int vaccel__session_enter_slow(struct vaccel_session *sess);
/* The error of an op refused because its session is being released. */
int vaccel__session_gone(const struct vaccel_session *sess);
/* Marks `sess` as being released (VACCEL_EINVAL if it already was) and
 * waits until no call is in flight on it. It never waits for a call of
 * the calling thread itself, nor for any call when `wait` is false (at
 * exit): it returns VACCEL_EBUSY then and leaves the session as it was. */
int vaccel__session_stop_calls(struct vaccel_session *sess, bool wait);

static inline void vaccel__session_leave(struct vaccel_session *sess)
{
	struct vaccel__calls *c = vaccel__my_calls;

	(void)sess;
	c->depth--;
	atomic_store_explicit(&c->sess[c->depth], NULL, memory_order_release);
}

/* Enters a call on `sess`: VACCEL_OK, to be paired with
 * vaccel__session_leave(), or an error with a log line (the session is
 * being released, or ops nest too deep). */
static inline int vaccel__session_enter(struct vaccel_session *sess)
{
	struct vaccel__calls *c = vaccel__my_calls;

	if (__builtin_expect(!c || c->depth >= VACCEL__CALLS_MAX, 0))
		return vaccel__session_enter_slow(sess);
	atomic_store_explicit(&c->sess[c->depth], sess, memory_order_relaxed);
	c->depth++;
	/* The store above must be visible before the flag is read: release
	 * forces that with membarrier(2), or readers fence here. */
	if (__builtin_expect(vaccel__calls_fence, 0))
		atomic_thread_fence(memory_order_seq_cst);
	else
		atomic_signal_fence(memory_order_seq_cst);
	if (__builtin_expect(atomic_load_explicit(&sess->releasing,
						  memory_order_relaxed) != 0,
			     0)) {
		vaccel__session_leave(sess);
		return vaccel__session_gone(sess);
	}
	return VACCEL_OK;
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
/* Logs "vAccel bootstrap failed: <reason>" with the reason the failing
 * bootstrap step gave, which so becomes the caller's last error message. */
void vaccel__bootstrap_log_failure(void);

#endif /* VACCEL_CORE_INTERNAL_H */
