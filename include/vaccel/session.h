/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Sessions: a context in which ops run, bound to one plugin.
 *
 * `flags` = plugin type hint bits (VACCEL_PLUGIN_CPU, _GPU, _TORCH, ...)
 * optionally OR'ed with VACCEL_PLUGIN_REMOTE. At init the session picks:
 *   - with REMOTE: the first loaded transport plugin;
 *   - with a hint: the first loaded plugin whose type has a hinted bit;
 *   - otherwise: the first loaded non-transport plugin;
 *   - and when no local plugin matched: the first transport plugin, which
 *     forwards the flags to the agent so that the host picks its plugin.
 * When an op is called and the session's plugin does not implement it, the
 * next loaded plugin (in VACCEL_PLUGINS order) that implements it runs it,
 * unless the session was created with a hint or REMOTE (then the call
 * returns VACCEL_ENOTSUP). The debug log names the plugin that ran.
 *
 * Thread-safety: one session may be used by several threads at once; the
 * resource lists are locked. init/release of the same session must not race
 * with its use.
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
};

int vaccel_session_get_by_id(struct vaccel_session **sess, vaccel_id_t id);
/* Errors: VACCEL_EINVAL (NULL), VACCEL_ENOTSUP (no plugin matches the flags),
 * VACCEL_EUSERS (id pool exhausted), the bootstrap error if bootstrap
 * failed, or the plugin's session_init error. */
int vaccel_session_init(struct vaccel_session *sess, uint32_t flags);
/* Unregisters all resources, calls the plugin's session_release, frees. */
int vaccel_session_release(struct vaccel_session *sess);
int vaccel_session_new(struct vaccel_session **sess, uint32_t flags);
int vaccel_session_delete(struct vaccel_session *sess);
/* Re-selects the plugin with new flags; refused (VACCEL_EBUSY) while
 * resources are registered. Deprecated upstream, kept for compatibility. */
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

#ifdef __cplusplus
}
#endif

#endif /* VACCEL_SESSION_H */
