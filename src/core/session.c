// SPDX-License-Identifier: Apache-2.0

#include "core_priv.h"
#include "id_pool.h"
#include "list.h"
#include "vaccel/error.h"
#include "vaccel/log.h"
#include "vaccel/plugin.h"
#include "vaccel/session.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* Live sessions, for lookups by id and for cleanup. */
static struct vaccel_list_entry sessions = { &sessions, &sessions };
static pthread_mutex_t sessions_lock = PTHREAD_MUTEX_INITIALIZER;

static void registry_add(struct vaccel_session *sess)
{
	pthread_mutex_lock(&sessions_lock);
	vaccel__list_add_tail(&sessions, &sess->entry);
	pthread_mutex_unlock(&sessions_lock);
}

/* Whether `sess` is the storage of a live session. */
static bool registry_has(const struct vaccel_session *sess)
{
	struct vaccel_list_entry *pos;
	bool found = false;

	pthread_mutex_lock(&sessions_lock);
	vaccel__list_for_each(pos, &sessions) {
		if (pos == &sess->entry) {
			found = true;
			break;
		}
	}
	pthread_mutex_unlock(&sessions_lock);
	return found;
}

static void registry_del(struct vaccel_session *sess)
{
	pthread_mutex_lock(&sessions_lock);
	vaccel__list_del(&sess->entry);
	pthread_mutex_unlock(&sessions_lock);
}

int vaccel_session_get_by_id(struct vaccel_session **sess, vaccel_id_t id)
{
	struct vaccel_list_entry *pos;
	int ret = VACCEL_ENOENT;

	if (!sess || id <= 0) {
		vaccel_error("vaccel_session_get_by_id: %s",
			     !sess ? "sess is NULL" : "invalid id");
		return VACCEL_EINVAL;
	}

	pthread_mutex_lock(&sessions_lock);
	vaccel__list_for_each(pos, &sessions) {
		struct vaccel_session *s =
			vaccel__container_of(pos, struct vaccel_session, entry);

		/* A session whose release has begun is already gone. */
		if (s->id == id && !atomic_load(&s->releasing)) {
			*sess = s;
			ret = VACCEL_OK;
			break;
		}
	}
	pthread_mutex_unlock(&sessions_lock);

	if (ret)
		vaccel_debug("No live session with id %lld", (long long)id);
	return ret;
}

/* Binds `sess` to `plugin`: transport flag and the plugin's session_init. */
static int bind_plugin(struct vaccel_session *sess,
		       struct vaccel_plugin *plugin, uint32_t flags)
{
	unsigned long seq;
	int ret;

	sess->plugin = plugin;
	sess->hint = flags;
	sess->is_virtio = plugin->d.type & VACCEL_PLUGIN_REMOTE;
	if (!plugin->d.session_init)
		return VACCEL_OK;

	seq = vaccel__last_error_seq();
	ret = plugin->d.session_init(sess,
				     flags & ~(uint32_t)VACCEL_PLUGIN_REMOTE);
	if (ret)
		vaccel__hook_failed(seq, ret,
				    "Session %lld: plugin %s session_init failed",
				    (long long)sess->id, plugin->d.name);
	return ret;
}

/* The plugin for `flags` (dispatch.c logs the rule, or why none fits). */
static int select_plugin(uint32_t flags, struct vaccel_plugin **plugin)
{
	*plugin = vaccel__plugin_select(flags);
	return *plugin ? VACCEL_OK : VACCEL_ENOTSUP;
}

int vaccel_session_init(struct vaccel_session *sess, uint32_t flags)
{
	struct vaccel_plugin *plugin;
	vaccel_id_t id;
	int ret, n;

	if (!sess) {
		vaccel_error("vaccel_session_init: sess is NULL");
		return VACCEL_EINVAL;
	}
	/* Initializing a live session's storage again would link it into
	 * the registry twice and lose the first session: refuse, leaving it
	 * as it is. */
	if (registry_has(sess)) {
		vaccel_error("vaccel_session_init: session %lld is live; "
			     "release it before initializing it again",
			     (long long)sess->id);
		return VACCEL_EBUSY;
	}
	/* A failed init leaves an inert session (id 0) that release and
	 * every op refuse, whatever the caller's storage held before. */
	memset(sess, 0, sizeof(*sess));
	ret = vaccel__bootstrap_status();
	if (ret) {
		vaccel__bootstrap_log_failure();
		return ret;
	}
	if (!vaccel_is_initialized()) {
		vaccel_error("Cannot create session: vAccel is not initialized "
			     "(call vaccel_bootstrap())");
		return VACCEL_ENOTSUP;
	}

	ret = select_plugin(flags, &plugin);
	if (ret)
		return ret;
	ret = vaccel__id_pool_get(&vaccel__session_ids, &id);
	if (ret)
		return ret;

	sess->id = id;
	for (int i = 0; i < VACCEL_RESOURCE_MAX; i++)
		vaccel__list_init(&sess->resources[i]);
	vaccel__list_init(&sess->entry);
	pthread_mutex_init(&sess->resources_lock, NULL);

	/* Only the path for now: most sessions never store files, so the
	 * directory is created on first use (vaccel__session_mkdir). */
	n = snprintf(sess->rundir, sizeof(sess->rundir), "%s/session.%lld",
		     vaccel_rundir(), (long long)id);
	if (n < 0 || (size_t)n >= sizeof(sess->rundir)) {
		vaccel_error("Session %lld: run directory path is too long",
			     (long long)id);
		ret = VACCEL_ENAMETOOLONG;
		goto free_id;
	}

	ret = bind_plugin(sess, plugin, flags);
	if (ret)
		goto remove_dir;

	registry_add(sess);
	vaccel_debug("New session %lld on plugin %s (flags 0x%x)",
		     (long long)id, plugin->d.name, flags);
	return VACCEL_OK;

remove_dir:
	vaccel__rundir_remove(sess->rundir);
free_id:
	pthread_mutex_destroy(&sess->resources_lock);
	vaccel__id_pool_put(&vaccel__session_ids, id);
	memset(sess, 0, sizeof(*sess));
	return ret;
}

/* Unregisters every resource still registered with `sess`. The session
 * lock is dropped around each unlink, which takes the resource lock first
 * (see the lock order in core_priv.h). Each round removes the first link
 * or finds that someone else removed it, so the loop ends. */
static void unregister_all(struct vaccel_session *sess)
{
	for (int t = 0; t < VACCEL_RESOURCE_MAX; t++) {
		for (;;) {
			struct vaccel_resource *res = NULL;

			pthread_mutex_lock(&sess->resources_lock);
			if (!vaccel__list_empty(&sess->resources[t]))
				res = vaccel__container_of(
					      sess->resources[t].next,
					      struct vaccel__res_link, in_sess)
					      ->res;
			pthread_mutex_unlock(&sess->resources_lock);
			if (!res)
				break;
			vaccel__resource_unlink(res, sess);
		}
	}
}

int vaccel__session_mkdir(struct vaccel_session *sess)
{
	int ret = vaccel__session_check(sess, __func__);

	if (ret)
		return ret;
	if (mkdir(sess->rundir, 0700) != 0 && errno != EEXIST) {
		ret = vaccel__errno_to_error(errno);
		vaccel_error("Session %lld: could not create %s: %s",
			     (long long)sess->id, sess->rundir,
			     strerror(errno));
		return ret;
	}
	return VACCEL_OK;
}

/* Releases `sess`; with `wait` false it does not wait for ops in flight
 * (VACCEL_EBUSY, nothing changed). */
static int session_release(struct vaccel_session *sess, bool wait)
{
	int ret = VACCEL_OK;

	if (!sess) {
		vaccel_error("vaccel_session_release: sess is NULL");
		return VACCEL_EINVAL;
	}
	if (sess->id <= 0) {
		vaccel_error("vaccel_session_release: session is not "
			     "initialized");
		return VACCEL_EINVAL;
	}
	ret = vaccel__session_stop_calls(sess, wait);
	if (ret)
		return ret;

	unregister_all(sess);

	if (sess->plugin && sess->plugin->d.session_release) {
		ret = sess->plugin->d.session_release(sess);
		if (ret)
			vaccel_warn("Session %lld: plugin %s session_release "
				    "failed: %s", (long long)sess->id,
				    sess->plugin->d.name, vaccel_strerror(ret));
	}

	registry_del(sess);
	vaccel__rundir_remove(sess->rundir);
	vaccel__id_pool_put(&vaccel__session_ids, sess->id);
	vaccel_debug("Released session %lld", (long long)sess->id);

	pthread_mutex_destroy(&sess->resources_lock);
	sess->id = 0;
	sess->remote_id = 0;
	sess->plugin = NULL;
	sess->priv = NULL;
	sess->rundir[0] = '\0';
	return ret;
}

int vaccel_session_release(struct vaccel_session *sess)
{
	return session_release(sess, true);
}

int vaccel_session_new(struct vaccel_session **sess, uint32_t flags)
{
	struct vaccel_session *s;
	int ret;

	if (!sess) {
		vaccel_error("vaccel_session_new: sess is NULL");
		return VACCEL_EINVAL;
	}
	*sess = NULL;
	s = malloc(sizeof(*s));
	if (!s) {
		vaccel_error("Could not allocate a session");
		return VACCEL_ENOMEM;
	}
	ret = vaccel_session_init(s, flags);
	if (ret) {
		free(s);
		return ret;
	}
	*sess = s;
	return VACCEL_OK;
}

int vaccel_session_delete(struct vaccel_session *sess)
{
	int ret = VACCEL_OK;

	if (!sess)
		return VACCEL_OK;
	/* A session already released (e.g. by vaccel_cleanup()) only needs
	 * its memory freed. */
	if (sess->id > 0)
		ret = vaccel_session_release(sess);
	free(sess);
	return ret;
}

/* The fields of a session that belong to the plugin it is bound to. */
struct binding {
	struct vaccel_plugin *plugin;
	unsigned int hint;
	bool is_virtio;
	vaccel_id_t remote_id;
	void *priv;
};

static struct binding binding_of(const struct vaccel_session *sess)
{
	return (struct binding){ sess->plugin, sess->hint, sess->is_virtio,
				 sess->remote_id, sess->priv };
}

static void binding_set(struct vaccel_session *sess, const struct binding *b)
{
	sess->plugin = b->plugin;
	sess->hint = b->hint;
	sess->is_virtio = b->is_virtio;
	sess->remote_id = b->remote_id;
	sess->priv = b->priv;
}

int vaccel_session_update(struct vaccel_session *sess, uint32_t flags)
{
	struct binding old_bind, new_bind;
	struct vaccel_plugin *plugin, *old;
	size_t nr = 0;
	int ret;

	ret = vaccel__session_check(sess, __func__);
	if (ret)
		return ret;

	pthread_mutex_lock(&sess->resources_lock);
	for (int t = 0; t < VACCEL_RESOURCE_MAX; t++)
		nr += sess->resource_counts[t];
	pthread_mutex_unlock(&sess->resources_lock);
	if (nr) {
		vaccel_error("Cannot update session %lld: %zu resources are "
			     "registered with it", (long long)sess->id, nr);
		return VACCEL_EBUSY;
	}

	ret = select_plugin(flags, &plugin);
	if (ret)
		return ret;

	old = sess->plugin;
	if (plugin == old) {
		if (old->d.session_update) {
			unsigned long seq = vaccel__last_error_seq();

			ret = old->d.session_update(
				sess, flags & ~(uint32_t)VACCEL_PLUGIN_REMOTE);
			if (ret) {
				vaccel__hook_failed(seq, ret,
						    "Session %lld: plugin %s session_update failed",
						    (long long)sess->id,
						    old->d.name);
				return ret;
			}
		}
		sess->hint = flags;
		return VACCEL_OK;
	}

	/* Moving to another plugin, all or nothing: the new plugin takes the
	 * session first (on fields of its own), and only then does the old
	 * one let go of it (on its fields again). */
	old_bind = binding_of(sess);
	sess->priv = NULL;
	sess->remote_id = 0;
	ret = bind_plugin(sess, plugin, flags);
	if (ret) {
		binding_set(sess, &old_bind);
		return ret;
	}
	new_bind = binding_of(sess);
	binding_set(sess, &old_bind);
	if (old->d.session_release) {
		ret = old->d.session_release(sess);
		if (ret)
			vaccel_warn("Session %lld: plugin %s session_release "
				    "failed: %s", (long long)sess->id,
				    old->d.name, vaccel_strerror(ret));
	}
	binding_set(sess, &new_bind);
	vaccel_debug("Session %lld moved from plugin %s to %s",
		     (long long)sess->id, old->d.name, plugin->d.name);
	return VACCEL_OK;
}

bool vaccel_session_has_resource(struct vaccel_session *sess,
				 struct vaccel_resource *res)
{
	struct vaccel_list_entry *pos;
	bool found = false;

	if (!sess || !res || sess->id <= 0 || res->id <= 0 ||
	    (int)res->type < 0 || res->type >= VACCEL_RESOURCE_MAX)
		return false;

	pthread_mutex_lock(&sess->resources_lock);
	vaccel__list_for_each(pos, &sess->resources[res->type]) {
		if (vaccel__container_of(pos, struct vaccel__res_link, in_sess)
			    ->res == res) {
			found = true;
			break;
		}
	}
	pthread_mutex_unlock(&sess->resources_lock);
	return found;
}

int vaccel_session_resource_by_id(struct vaccel_session *sess,
				  struct vaccel_resource **res, vaccel_id_t id)
{
	struct vaccel_list_entry *pos;
	int ret;

	ret = vaccel__session_check(sess, __func__);
	if (ret)
		return ret;
	if (!res || id <= 0) {
		vaccel_error("vaccel_session_resource_by_id: %s",
			     !res ? "res is NULL" : "invalid id");
		return VACCEL_EINVAL;
	}

	ret = VACCEL_ENOENT;
	pthread_mutex_lock(&sess->resources_lock);
	for (int t = 0; t < VACCEL_RESOURCE_MAX && ret; t++) {
		vaccel__list_for_each(pos, &sess->resources[t]) {
			struct vaccel__res_link *l = vaccel__container_of(
				pos, struct vaccel__res_link, in_sess);

			if (l->res->id == id) {
				*res = l->res;
				ret = VACCEL_OK;
				break;
			}
		}
	}
	pthread_mutex_unlock(&sess->resources_lock);

	if (ret)
		vaccel_debug("Session %lld has no resource %lld",
			     (long long)sess->id, (long long)id);
	return ret;
}

/* Checks the common arguments of the by-type lookups. */
static int check_type_args(struct vaccel_session *sess, const void *out,
			   vaccel_resource_type_t type, const char *func)
{
	int ret = vaccel__session_check(sess, func);

	if (ret)
		return ret;
	if (!out) {
		vaccel_error("%s: output pointer is NULL", func);
		return VACCEL_EINVAL;
	}
	if ((int)type < 0 || type >= VACCEL_RESOURCE_MAX) {
		vaccel_error("%s: invalid resource type %d", func, (int)type);
		return VACCEL_EINVAL;
	}
	return VACCEL_OK;
}

int vaccel_session_resource_by_type(struct vaccel_session *sess,
				    struct vaccel_resource **res,
				    vaccel_resource_type_t type)
{
	int ret = check_type_args(sess, res, type, __func__);

	if (ret)
		return ret;

	ret = VACCEL_ENOENT;
	pthread_mutex_lock(&sess->resources_lock);
	if (!vaccel__list_empty(&sess->resources[type])) {
		*res = vaccel__container_of(sess->resources[type].next,
					    struct vaccel__res_link, in_sess)
			       ->res;
		ret = VACCEL_OK;
	}
	pthread_mutex_unlock(&sess->resources_lock);

	if (ret)
		vaccel_debug("Session %lld has no %s resource",
			     (long long)sess->id,
			     vaccel_resource_type_to_str(type));
	return ret;
}

int vaccel_session_resources_by_type(struct vaccel_session *sess,
				     struct vaccel_resource ***resources,
				     size_t *nr_found,
				     vaccel_resource_type_t type)
{
	struct vaccel_resource **arr = NULL;
	struct vaccel_list_entry *pos;
	size_t n = 0;
	int ret = check_type_args(sess, resources, type, __func__);

	if (ret)
		return ret;
	if (!nr_found) {
		vaccel_error("%s: nr_found is NULL", __func__);
		return VACCEL_EINVAL;
	}

	pthread_mutex_lock(&sess->resources_lock);
	if (sess->resource_counts[type]) {
		arr = malloc(sess->resource_counts[type] * sizeof(*arr));
		if (!arr) {
			ret = VACCEL_ENOMEM;
		} else {
			vaccel__list_for_each(pos, &sess->resources[type])
				arr[n++] = vaccel__container_of(
						   pos, struct vaccel__res_link,
						   in_sess)
						   ->res;
		}
	}
	pthread_mutex_unlock(&sess->resources_lock);

	if (ret) {
		vaccel_error("Could not allocate the resource array of "
			     "session %lld", (long long)sess->id);
		return ret;
	}
	*resources = arr;
	*nr_found = n;
	return VACCEL_OK;
}

size_t vaccel__sessions_release_all(bool wait)
{
	struct vaccel_list_entry kept = { &kept, &kept };
	size_t nkept = 0;

	for (;;) {
		struct vaccel_session *sess = NULL;

		pthread_mutex_lock(&sessions_lock);
		if (!vaccel__list_empty(&sessions))
			sess = vaccel__container_of(sessions.next,
						    struct vaccel_session,
						    entry);
		pthread_mutex_unlock(&sessions_lock);
		if (!sess)
			break;
		vaccel_warn("Session %lld was not released; releasing it",
			    (long long)sess->id);
		/* A release that fails (a session already being released
		 * elsewhere, or one whose storage was reused) must not stall
		 * the loop: the entry leaves the registry either way. One
		 * with an op in flight is kept aside and put back. */
		switch (session_release(sess, wait)) {
		case VACCEL_OK:
			break;
		case VACCEL_EBUSY:
			pthread_mutex_lock(&sessions_lock);
			vaccel__list_del(&sess->entry);
			vaccel__list_add_tail(&kept, &sess->entry);
			pthread_mutex_unlock(&sessions_lock);
			nkept++;
			break;
		default:
			registry_del(sess);
		}
	}
	pthread_mutex_lock(&sessions_lock);
	while (!vaccel__list_empty(&kept)) {
		struct vaccel_list_entry *e = kept.next;

		vaccel__list_del(e);
		vaccel__list_add_tail(&sessions, e);
	}
	pthread_mutex_unlock(&sessions_lock);
	return nkept;
}
