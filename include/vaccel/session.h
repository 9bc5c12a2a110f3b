/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Sessions: a context in which ops run, bound to one plugin.
 *
 * `flags` = plugin type hint bits (VACCEL_PLUGIN_CPU, _GPU, _TORCH, ...)
 * optionally OR'ed with VACCEL_PLUGIN_REMOTE. At init the session picks,
 * as upstream does:
 *   - with REMOTE: the first loaded transport plugin (VACCEL_ENOTSUP when
 *     none is loaded);
 *   - with a hint: the first loaded plugin whose type has a hinted bit;
 *   - otherwise, and when no plugin matches the hint (a hint is a
 *     preference, not a requirement): the first loaded local plugin, or
 *     the only plugin when exactly one is loaded.
 * A transport plugin forwards the flags (without REMOTE) to its agent,
 * whose core picks the host plugin by the same rules. The debug log names
 * the rule that picked the plugin.
 * When an op is called and the session's local plugin does not implement
 * it, the next loaded local plugin (in VACCEL_PLUGINS order) that does
 * runs it, whatever the hint; the debug log names the plugin that ran.
 * Upstream has no such fallback and returns VACCEL_ENOTSUP. A session on
 * a transport plugin never falls back (its agent does, on the host).
 *
 * Thread-safety: one session may be used by several threads at once; the
 * resource lists are locked. An op in flight holds its session:
 * vaccel_session_release() (and vaccel_cleanup(), which releases every
 * session) waits until the session's calls in flight have returned, and an
 * op started once release has begun fails with VACCEL_EINVAL (so a plugin
 * must not release the session of the op it is running: that waits for
 * itself). Plugins are unloaded only after every session is released, so
 * the plugin an op runs on (the session's own or a fallback) stays loaded
 * for the whole call.
 * init and update of a session must not race with its use, and the storage
 * of a session must outlive every thread that uses it.
 */
#ifndef VACCEL_SESSION_H
#define VACCEL_SESSION_H

#include "id.h"
#include "list.h"
#include "resource.h"
#include <limits.h>
#if defined(__linux__) && !defined(PATH_MAX)
#include <linux/limits.h>
#endif
#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#ifndef __cplusplus
#include <stdatomic.h>
#endif

#ifdef __cplusplus
extern "C" {
#endif

struct vaccel_plugin;

struct vaccel_session {
	vaccel_id_t id;
	/* Id of the mirror session on the agent (transport plugins). */
	vaccel_id_t remote_id;
	unsigned int hint;
	/* True when the session runs on a transport (remote) plugin. */
	bool is_virtio;
	char rundir[PATH_MAX];
	struct vaccel_list_entry entry;
	struct vaccel_list_entry resources[VACCEL_RESOURCE_MAX];
	size_t resource_counts[VACCEL_RESOURCE_MAX];
	pthread_mutex_t resources_lock;
	struct vaccel_plugin *plugin;
	void *priv;
	/* The library's own bookkeeping, after upstream's fields: set once
	 * release has begun (ops then refuse the session). */
#ifdef __cplusplus
	unsigned int releasing; /* same size and alignment as atomic_uint */
#else
	atomic_uint releasing;
#endif
};

/* The live session with `id`, as a pointer to the session itself (its
 * owner's storage, not a copy). A session whose release has begun is no
 * longer found (VACCEL_ENOENT). Ops called through the pointer hold the
 * session as any op does (see above): a concurrent release waits for them
 * or makes them fail with VACCEL_EINVAL, never pulls state from under them.
 * Errors: VACCEL_EINVAL (NULL or id <= 0), VACCEL_ENOENT. */
int vaccel_session_get_by_id(struct vaccel_session **sess, vaccel_id_t id);
/* Errors: VACCEL_EINVAL (NULL), VACCEL_EBUSY (sess is a live session:
 * release it first; it is left untouched), VACCEL_ENOTSUP (no plugin
 * loaded, REMOTE without a transport plugin, or only transport plugins and
 * no REMOTE),
 * VACCEL_EUSERS (id pool exhausted), the bootstrap error if bootstrap
 * failed, or the plugin's session_init error. */
int vaccel_session_init(struct vaccel_session *sess, uint32_t flags);
/* Waits for the calls in flight, unregisters all resources, calls the
 * plugin's session_release and frees what the library allocated. Called
 * from inside an op on `sess` (on the same thread), it returns
 * VACCEL_EBUSY and changes nothing. */
int vaccel_session_release(struct vaccel_session *sess);
int vaccel_session_new(struct vaccel_session **sess, uint32_t flags);
int vaccel_session_delete(struct vaccel_session *sess);
/* Re-selects the plugin with new flags; refused (VACCEL_EBUSY) while
 * resources are registered. All or nothing: the new plugin takes the
 * session before the old one lets go of it, so a failure (the new plugin's
 * session_init error, VACCEL_ENOTSUP when no plugin matches) leaves the
 * session on its old plugin with its old flags. Deprecated upstream, kept
 * for compatibility. */
int vaccel_session_update(struct vaccel_session *sess, uint32_t flags);
bool vaccel_session_has_resource(struct vaccel_session *sess,
				 struct vaccel_resource *res);
int vaccel_session_resource_by_id(struct vaccel_session *sess,
				  struct vaccel_resource **res, vaccel_id_t id);
/* First resource of `type` registered with the session (VACCEL_ENOENT if
 * none). Image ops use the first MODEL resource this way. */
int vaccel_session_resource_by_type(struct vaccel_session *sess,
				    struct vaccel_resource **res,
				    vaccel_resource_type_t type);
/* A malloc'd array (caller frees it) of the session's resources of `type`. */
int vaccel_session_resources_by_type(struct vaccel_session *sess,
				     struct vaccel_resource ***resources,
				     size_t *nr_found,
				     vaccel_resource_type_t type);

/* Upstream's old names: init, update, release (free) and has_resource.
 * Each logs a deprecation warning and calls the current function. */
int vaccel_sess_init(struct vaccel_session *sess, uint32_t flags);
int vaccel_sess_update(struct vaccel_session *sess, uint32_t flags);
int vaccel_sess_free(struct vaccel_session *sess);
bool vaccel_sess_has_resource(struct vaccel_session *sess,
			      struct vaccel_resource *res);

#ifdef __cplusplus
}
#endif

#endif /* VACCEL_SESSION_H */
