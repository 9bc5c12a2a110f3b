// SPDX-License-Identifier: Apache-2.0

#include "core_priv.h"
#include "id_pool.h"
#include "list.h"
#include "resource_path.h"
#include "vaccel/error.h"
#include "vaccel/log.h"
#include "vaccel/plugin.h"
#include "vaccel/resource.h"
#include "vaccel/session.h"
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Live resources, for lookups by id or type and for cleanup. */
static struct vaccel_list_entry resources = { &resources, &resources };
static pthread_mutex_t resources_lock = PTHREAD_MUTEX_INITIALIZER;
/* Guards lazy creation of run directories. Separate from sessions_lock
 * because plugins may ask for the directory from a resource_register hook,
 * which runs with sessions_lock held. */
static pthread_mutex_t rundir_lock = PTHREAD_MUTEX_INITIALIZER;

static bool type_valid(vaccel_resource_type_t type)
{
	return (int)type >= 0 && type < VACCEL_RESOURCE_MAX;
}

/* --- registry --------------------------------------------------------- */

/* The first live resource for which match(r, key) holds, or NULL. */
static struct vaccel_resource *
find_live(bool (*match)(const struct vaccel_resource *r, const void *key),
	  const void *key)
{
	struct vaccel_resource *found = NULL;
	struct vaccel_list_entry *pos;

	pthread_mutex_lock(&resources_lock);
	vaccel__list_for_each(pos, &resources) {
		struct vaccel_resource *r =
			vaccel__container_of(pos, struct vaccel_resource, entry);

		if (match(r, key)) {
			found = r;
			break;
		}
	}
	pthread_mutex_unlock(&resources_lock);
	return found;
}

static bool has_id(const struct vaccel_resource *r, const void *key)
{
	return r->id == *(const vaccel_id_t *)key;
}

static bool has_type(const struct vaccel_resource *r, const void *key)
{
	return r->type == *(const vaccel_resource_type_t *)key;
}

int vaccel_resource_get_by_id(struct vaccel_resource **res, vaccel_id_t id)
{
	struct vaccel_resource *r;

	if (!res || id <= 0) {
		vaccel_error("vaccel_resource_get_by_id: %s",
			     !res ? "res is NULL" : "invalid id");
		return VACCEL_EINVAL;
	}
	r = find_live(has_id, &id);
	if (!r) {
		vaccel_debug("No live resource with id %lld", (long long)id);
		return VACCEL_ENOENT;
	}
	*res = r;
	return VACCEL_OK;
}

int vaccel_resource_get_by_type(struct vaccel_resource **res,
				vaccel_resource_type_t type)
{
	struct vaccel_resource *r;

	if (!res || !type_valid(type)) {
		vaccel_error("vaccel_resource_get_by_type: %s",
			     !res ? "res is NULL" : "invalid type");
		return VACCEL_EINVAL;
	}
	r = find_live(has_type, &type);
	if (!r) {
		vaccel_debug("No live %s resource",
			     vaccel_resource_type_to_str(type));
		return VACCEL_ENOENT;
	}
	*res = r;
	return VACCEL_OK;
}

int vaccel_resource_get_all_by_type(struct vaccel_resource ***res,
				    size_t *nr_found,
				    vaccel_resource_type_t type)
{
	struct vaccel_resource **arr = NULL, **tmp;
	struct vaccel_list_entry *pos;
	size_t n = 0, cap = 0;
	int ret = VACCEL_OK;

	if (!res || !nr_found || !type_valid(type)) {
		vaccel_error("vaccel_resource_get_all_by_type: invalid %s",
			     !res ? "res" : !nr_found ? "nr_found" : "type");
		return VACCEL_EINVAL;
	}
	pthread_mutex_lock(&resources_lock);
	vaccel__list_for_each(pos, &resources) {
		struct vaccel_resource *r =
			vaccel__container_of(pos, struct vaccel_resource, entry);

		if (r->type != type)
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 8;
			tmp = realloc(arr, cap * sizeof(*arr));
			if (!tmp) {
				ret = VACCEL_ENOMEM;
				break;
			}
			arr = tmp;
		}
		arr[n++] = r;
	}
	pthread_mutex_unlock(&resources_lock);

	if (ret) {
		vaccel_error("Could not allocate the list of %s resources",
			     vaccel_resource_type_to_str(type));
		free(arr);
		return ret;
	}
	*res = arr;
	*nr_found = n;
	return VACCEL_OK;
}

long int vaccel_resource_refcount(const struct vaccel_resource *res)
{
	if (!res) {
		vaccel_error("vaccel_resource_refcount: res is NULL");
		return -VACCEL_EINVAL;
	}
	return (long int)atomic_load(
		&((struct vaccel_resource *)res)->refcount);
}

/* --- init / release --------------------------------------------------- */

/* Frees blobs and paths of a resource being built or released. */
static void free_contents(struct vaccel_resource *res)
{
	for (size_t i = 0; i < res->nr_blobs; i++)
		vaccel_blob_delete(res->blobs[i]);
	free(res->blobs);
	for (size_t i = 0; i < res->nr_paths; i++)
		free(res->paths[i]);
	free(res->paths);
	res->blobs = NULL;
	res->nr_blobs = 0;
	res->paths = NULL;
	res->nr_paths = 0;
}

static bool is_storage(const struct vaccel_resource *r, const void *key)
{
	return r == key;
}

/* The first step of every init: whatever the caller's storage held, a
 * failed init leaves an inert resource (id 0) that release and the ops
 * refuse. The storage of a live resource is refused and left as it is:
 * zeroing it would leave its links in the registry and its sessions
 * pointing at garbage. */
static int clear(struct vaccel_resource *res)
{
	if (!res)
		return VACCEL_OK;
	if (find_live(is_storage, res)) {
		vaccel_error("Resource %lld is live; release it before "
			     "initializing it again", (long long)res->id);
		return VACCEL_EBUSY;
	}
	memset(res, 0, sizeof(*res));
	return VACCEL_OK;
}

/* Zeroes `res` and gives it an id, locks and empty lists. Contents are
 * added by the caller, which then calls publish() or abandon(). */
static int prepare(struct vaccel_resource *res, vaccel_resource_type_t type)
{
	vaccel_id_t id;
	int ret;

	ret = vaccel__id_pool_get(&vaccel__resource_ids, &id);
	if (ret)
		return ret;
	memset(res, 0, sizeof(*res));
	res->id = id;
	res->type = type;
	vaccel__list_init(&res->entry);
	vaccel__list_init(&res->sessions);
	pthread_mutex_init(&res->sessions_lock, NULL);
	atomic_init(&res->refcount, 0);
	return VACCEL_OK;
}

static void abandon(struct vaccel_resource *res)
{
	free_contents(res);
	if (res->rundir) {
		vaccel__rundir_remove(res->rundir);
		free(res->rundir);
	}
	pthread_mutex_destroy(&res->sessions_lock);
	vaccel__id_pool_put(&vaccel__resource_ids, res->id);
	memset(res, 0, sizeof(*res));
}

static void publish(struct vaccel_resource *res)
{
	pthread_mutex_lock(&resources_lock);
	vaccel__list_add_tail(&resources, &res->entry);
	pthread_mutex_unlock(&resources_lock);
	vaccel_debug("New %s resource %lld with %zu blobs",
		     vaccel_resource_type_to_str(res->type),
		     (long long)res->id, res->nr_blobs);
}

static int alloc_arrays(struct vaccel_resource *res, size_t nr_paths,
			size_t nr_blobs)
{
	if (nr_paths) {
		res->paths = calloc(nr_paths, sizeof(*res->paths));
		if (!res->paths)
			goto fail;
	}
	res->blobs = calloc(nr_blobs, sizeof(*res->blobs));
	if (!res->blobs)
		goto fail;
	return VACCEL_OK;
fail:
	vaccel_error("Resource %lld: could not allocate %zu paths / %zu blobs",
		     (long long)res->id, nr_paths, nr_blobs);
	return VACCEL_ENOMEM;
}

static int add_path(struct vaccel_resource *res, const char *path)
{
	res->paths[res->nr_paths] = strdup(path);
	if (!res->paths[res->nr_paths]) {
		vaccel_error("Resource %lld: could not copy path %s",
			     (long long)res->id, path);
		return VACCEL_ENOMEM;
	}
	res->nr_paths++;
	return VACCEL_OK;
}

static int add_file_blob(struct vaccel_resource *res, const char *path)
{
	int ret = vaccel_blob_new(&res->blobs[res->nr_blobs], path);

	if (ret)
		return ret;
	res->nr_blobs++;
	return VACCEL_OK;
}

static int fill_from_dir(struct vaccel_resource *res, const char *dir)
{
	char **files = NULL;
	size_t nr = 0;
	int ret;

	ret = vaccel__path_list_dir(dir, &files, &nr);
	if (ret)
		return ret;
	ret = alloc_arrays(res, 1, nr);
	if (!ret)
		ret = add_path(res, dir);
	for (size_t i = 0; i < nr && !ret; i++)
		ret = add_file_blob(res, files[i]);

	for (size_t i = 0; i < nr; i++)
		free(files[i]);
	free(files);
	return ret;
}

/*
 * The resource of `nr_paths` local paths, all of one kind: files (one blob
 * each), or one directory (one blob per regular file in it, as upstream
 * takes a directory such as a TensorFlow SavedModel). `func` names the
 * public caller in log lines.
 */
static int init_paths(const char *func, struct vaccel_resource *res,
		      const char **paths, size_t nr_paths,
		      vaccel_resource_type_t type)
{
	vaccel_path_type_t kind = VACCEL_PATH_LOCAL_FILE, path_type;
	const char *local;
	int ret;

	ret = clear(res);
	if (ret)
		return ret;
	if (!res || !paths || nr_paths == 0 || !type_valid(type)) {
		vaccel_error("%s: invalid %s", func,
			     !res ? "res" :
			     !paths || !nr_paths ? "path" : "type");
		return VACCEL_EINVAL;
	}
	for (size_t i = 0; i < nr_paths; i++) {
		if (!paths[i]) {
			vaccel_error("%s: path %zu is NULL", func, i);
			return VACCEL_EINVAL;
		}
		ret = vaccel__path_classify(paths[i], &local, &path_type);
		if (ret)
			return ret;
		if (i == 0)
			kind = path_type;
		if (path_type != kind || (kind == VACCEL_PATH_LOCAL_DIR && i)) {
			vaccel_error("%s: %s: a resource is either files or one directory",
				     func, paths[i]);
			return VACCEL_EINVAL;
		}
	}

	ret = prepare(res, type);
	if (ret)
		return ret;
	res->path_type = kind;
	if (kind == VACCEL_PATH_LOCAL_DIR) {
		vaccel__path_classify(paths[0], &local, &path_type);
		ret = fill_from_dir(res, local);
	} else {
		ret = alloc_arrays(res, nr_paths, nr_paths);
		for (size_t i = 0; i < nr_paths && !ret; i++) {
			vaccel__path_classify(paths[i], &local, &path_type);
			ret = add_path(res, local);
			if (!ret)
				ret = add_file_blob(res, local);
		}
	}
	if (ret) {
		abandon(res);
		return ret;
	}
	publish(res);
	return VACCEL_OK;
}

int vaccel_resource_init(struct vaccel_resource *res, const char *path,
			 vaccel_resource_type_t type)
{
	return init_paths(__func__, res, path ? &path : NULL, 1, type);
}

int vaccel_resource_init_multi(struct vaccel_resource *res, const char **paths,
			       size_t nr_paths, vaccel_resource_type_t type)
{
	return init_paths(__func__, res, paths, nr_paths, type);
}

/* Creates the resource's run directory if it does not exist yet. */
static int ensure_rundir(struct vaccel_resource *res)
{
	char path[PATH_MAX], name[64];
	int ret = VACCEL_OK;

	pthread_mutex_lock(&rundir_lock);
	if (!res->rundir) {
		snprintf(name, sizeof(name), "resource.%lld",
			 (long long)res->id);
		ret = vaccel__rundir_create_child(name, path, sizeof(path));
		if (!ret) {
			res->rundir = strdup(path);
			if (!res->rundir) {
				vaccel_error("Resource %lld: could not copy "
					     "run directory path",
					     (long long)res->id);
				vaccel__rundir_remove(path);
				ret = VACCEL_ENOMEM;
			}
		}
	}
	pthread_mutex_unlock(&rundir_lock);
	return ret;
}

int vaccel_resource_init_from_buf(struct vaccel_resource *res, const void *buf,
				  size_t nr_bytes, vaccel_resource_type_t type,
				  const char *filename, bool mem_only)
{
	uint8_t *copy;
	int ret;

	ret = clear(res);
	if (ret)
		return ret;
	if (!res || !buf || nr_bytes == 0 || !type_valid(type)) {
		vaccel_error("vaccel_resource_init_from_buf: invalid %s",
			     !res ? "res" : !buf ? "buf" :
			     !nr_bytes ? "size (0)" : "type");
		return VACCEL_EINVAL;
	}
	if (!mem_only && (!filename || !*filename || strchr(filename, '/'))) {
		vaccel_error("vaccel_resource_init_from_buf: a plain filename "
			     "is needed to persist the buffer (got %s)",
			     filename ? filename : "NULL");
		return VACCEL_EINVAL;
	}

	ret = prepare(res, type);
	if (ret)
		return ret;
	res->path_type = VACCEL_PATH_LOCAL_FILE;
	ret = alloc_arrays(res, mem_only ? 0 : 1, 1);
	if (ret)
		goto abandon;

	copy = malloc(nr_bytes);
	if (!copy) {
		vaccel_error("Resource %lld: could not copy %zu bytes",
			     (long long)res->id, nr_bytes);
		ret = VACCEL_ENOMEM;
		goto abandon;
	}
	memcpy(copy, buf, nr_bytes);

	if (!mem_only) {
		ret = ensure_rundir(res);
		if (ret) {
			free(copy);
			goto abandon;
		}
	}
	ret = vaccel_blob_from_buf(&res->blobs[0], copy, nr_bytes, true,
				   filename, mem_only ? NULL : res->rundir,
				   false);
	if (ret) {
		free(copy);
		goto abandon;
	}
	res->nr_blobs = 1;
	if (!mem_only) {
		ret = add_path(res, res->blobs[0]->path);
		if (ret)
			goto abandon;
	}
	publish(res);
	return VACCEL_OK;

abandon:
	abandon(res);
	return ret;
}

/* Copies one blob: files by path, buffers by value. */
static int copy_blob(const struct vaccel_blob *src, struct vaccel_blob **dst)
{
	uint8_t *copy;
	int ret;

	if (src->type != VACCEL_BLOB_BUFFER)
		return vaccel_blob_new(dst, src->path);

	copy = malloc(src->size);
	if (!copy) {
		vaccel_error("Could not copy blob %s (%zu bytes)", src->name,
			     src->size);
		return VACCEL_ENOMEM;
	}
	memcpy(copy, src->data, src->size);
	ret = vaccel_blob_from_buf(dst, copy, src->size, true, src->name,
				   NULL, false);
	if (ret)
		free(copy);
	return ret;
}

int vaccel_resource_init_from_blobs(struct vaccel_resource *res,
				    const struct vaccel_blob **blobs,
				    size_t nr_blobs,
				    vaccel_resource_type_t type)
{
	size_t nr_files = 0;
	int ret;

	ret = clear(res);
	if (ret)
		return ret;
	if (!res || !blobs || nr_blobs == 0 || !type_valid(type)) {
		vaccel_error("vaccel_resource_init_from_blobs: invalid %s",
			     !res ? "res" :
			     !blobs || !nr_blobs ? "blobs" : "type");
		return VACCEL_EINVAL;
	}
	for (size_t i = 0; i < nr_blobs; i++) {
		if (!vaccel_blob_valid(blobs[i])) {
			vaccel_error("vaccel_resource_init_from_blobs: blob %zu "
				     "is invalid", i);
			return VACCEL_EINVAL;
		}
		if (blobs[i]->type != VACCEL_BLOB_BUFFER)
			nr_files++;
	}

	ret = prepare(res, type);
	if (ret)
		return ret;
	res->path_type = VACCEL_PATH_LOCAL_FILE;
	ret = alloc_arrays(res, nr_files, nr_blobs);
	for (size_t i = 0; i < nr_blobs && !ret; i++) {
		ret = copy_blob(blobs[i], &res->blobs[i]);
		if (ret)
			break;
		res->nr_blobs++;
		if (blobs[i]->type != VACCEL_BLOB_BUFFER)
			ret = add_path(res, blobs[i]->path);
	}
	if (ret) {
		abandon(res);
		return ret;
	}
	publish(res);
	return VACCEL_OK;
}

/* The first session the resource is registered with, or NULL. */
static struct vaccel_session *first_session(struct vaccel_resource *res)
{
	struct vaccel_session *sess = NULL;

	pthread_mutex_lock(&res->sessions_lock);
	if (!vaccel__list_empty(&res->sessions))
		sess = vaccel__container_of(res->sessions.next,
					    struct vaccel__res_link, in_res)
			       ->sess;
	pthread_mutex_unlock(&res->sessions_lock);
	return sess;
}

int vaccel_resource_release(struct vaccel_resource *res)
{
	struct vaccel_session *sess;

	if (!res) {
		vaccel_error("vaccel_resource_release: res is NULL");
		return VACCEL_EINVAL;
	}
	if (res->id <= 0) {
		vaccel_error("vaccel_resource_release: resource is not "
			     "initialized");
		return VACCEL_EINVAL;
	}

	while ((sess = first_session(res)))
		vaccel__resource_unlink(res, sess);

	pthread_mutex_lock(&resources_lock);
	vaccel__list_del(&res->entry);
	pthread_mutex_unlock(&resources_lock);

	vaccel_debug("Released resource %lld", (long long)res->id);
	abandon(res);
	return VACCEL_OK;
}

/* Allocates a resource into *res and runs init_call on it (as r_); frees
 * the allocation when init fails. */
#define RESOURCE_NEW(res, init_call)                                       \
	do {                                                               \
		struct vaccel_resource *r_;                                \
		int ret_;                                                  \
		if (!(res)) {                                              \
			vaccel_error("%s: res is NULL", __func__);         \
			return VACCEL_EINVAL;                              \
		}                                                          \
		*(res) = NULL;                                             \
		r_ = malloc(sizeof(*r_));                                  \
		if (!r_) {                                                 \
			vaccel_error("%s: could not allocate a resource",  \
				     __func__);                            \
			return VACCEL_ENOMEM;                              \
		}                                                          \
		ret_ = init_call;                                          \
		if (ret_) {                                                \
			free(r_);                                          \
			return ret_;                                       \
		}                                                          \
		*(res) = r_;                                               \
		return VACCEL_OK;                                          \
	} while (0)

int vaccel_resource_new(struct vaccel_resource **res, const char *path,
			vaccel_resource_type_t type)
{
	RESOURCE_NEW(res, vaccel_resource_init(r_, path, type));
}

int vaccel_resource_multi_new(struct vaccel_resource **res, const char **paths,
			      size_t nr_paths, vaccel_resource_type_t type)
{
	RESOURCE_NEW(res, vaccel_resource_init_multi(r_, paths, nr_paths, type));
}

int vaccel_resource_from_buf(struct vaccel_resource **res, const void *buf,
			     size_t nr_bytes, vaccel_resource_type_t type,
			     const char *filename, bool mem_only)
{
	RESOURCE_NEW(res, vaccel_resource_init_from_buf(r_, buf, nr_bytes, type,
							filename, mem_only));
}

int vaccel_resource_from_blobs(struct vaccel_resource **res,
			       const struct vaccel_blob **blobs,
			       size_t nr_blobs, vaccel_resource_type_t type)
{
	RESOURCE_NEW(res, vaccel_resource_init_from_blobs(r_, blobs, nr_blobs,
							  type));
}

int vaccel_resource_delete(struct vaccel_resource *res)
{
	int ret = VACCEL_OK;

	if (!res)
		return VACCEL_OK;
	/* Already released (e.g. by vaccel_cleanup()): only free it. */
	if (res->id > 0)
		ret = vaccel_resource_release(res);
	free(res);
	return ret;
}

/* --- registration ----------------------------------------------------- */

/* The link of res with sess; the caller holds res->sessions_lock. */
static struct vaccel__res_link *find_link(struct vaccel_resource *res,
					  struct vaccel_session *sess)
{
	struct vaccel_list_entry *pos;

	vaccel__list_for_each(pos, &res->sessions) {
		struct vaccel__res_link *l = vaccel__container_of(
			pos, struct vaccel__res_link, in_res);

		if (l->sess == sess)
			return l;
	}
	return NULL;
}

static void detach(struct vaccel__res_link *l)
{
	struct vaccel_session *sess = l->sess;

	vaccel__list_del(&l->in_res);
	pthread_mutex_lock(&sess->resources_lock);
	vaccel__list_del(&l->in_sess);
	sess->resource_counts[l->res->type]--;
	pthread_mutex_unlock(&sess->resources_lock);
	atomic_fetch_sub(&l->res->refcount, 1);
	free(l);
}

/* Transport plugins send file contents, so have them in memory. */
static int load_blob_data(struct vaccel_resource *res)
{
	for (size_t i = 0; i < res->nr_blobs; i++) {
		int ret = vaccel_blob_read(res->blobs[i]);

		if (ret) {
			vaccel_error("Resource %lld: could not read blob %s "
				     "for a remote session",
				     (long long)res->id, res->blobs[i]->name);
			return ret;
		}
	}
	return VACCEL_OK;
}

static int check_pair(struct vaccel_resource *res, struct vaccel_session *sess,
		      const char *func)
{
	int ret = vaccel__session_check(sess, func);

	if (ret)
		return ret;
	if (!res || res->id <= 0 || !type_valid(res->type)) {
		vaccel_error("%s: resource is %s", func,
			     !res ? "NULL" : "not initialized");
		return VACCEL_EINVAL;
	}
	return VACCEL_OK;
}

int vaccel_resource_register(struct vaccel_resource *res,
			     struct vaccel_session *sess)
{
	struct vaccel__res_link *l;
	int ret;

	ret = check_pair(res, sess, __func__);
	if (ret)
		return ret;

	pthread_mutex_lock(&res->sessions_lock);
	if (find_link(res, sess)) {
		vaccel_warn("Resource %lld is already registered with session "
			    "%lld", (long long)res->id, (long long)sess->id);
		ret = VACCEL_OK;
		goto unlock;
	}
	if (sess->is_virtio) {
		ret = load_blob_data(res);
		if (ret)
			goto unlock;
	}

	l = malloc(sizeof(*l));
	if (!l) {
		vaccel_error("Could not register resource %lld with session "
			     "%lld: out of memory", (long long)res->id,
			     (long long)sess->id);
		ret = VACCEL_ENOMEM;
		goto unlock;
	}
	l->res = res;
	l->sess = sess;
	vaccel__list_add_tail(&res->sessions, &l->in_res);
	pthread_mutex_lock(&sess->resources_lock);
	vaccel__list_add_tail(&sess->resources[res->type], &l->in_sess);
	sess->resource_counts[res->type]++;
	pthread_mutex_unlock(&sess->resources_lock);
	atomic_fetch_add(&res->refcount, 1);

	/* The hook runs attached so that it sees the registration, e.g.
	 * through vaccel_session_has_resource(). */
	if (sess->plugin->d.resource_register) {
		unsigned long seq = vaccel__last_error_seq();

		ret = sess->plugin->d.resource_register(res, sess);
		if (ret) {
			vaccel__hook_failed(seq, ret,
					    "Plugin %s could not register resource %lld with session %lld",
					    sess->plugin->d.name,
					    (long long)res->id,
					    (long long)sess->id);
			detach(l);
			goto unlock;
		}
	}
	vaccel_debug("Registered resource %lld with session %lld",
		     (long long)res->id, (long long)sess->id);

unlock:
	pthread_mutex_unlock(&res->sessions_lock);
	return ret;
}

int vaccel__resource_unlink(struct vaccel_resource *res,
			    struct vaccel_session *sess)
{
	struct vaccel__res_link *l;

	pthread_mutex_lock(&res->sessions_lock);
	l = find_link(res, sess);
	if (l)
		detach(l);
	pthread_mutex_unlock(&res->sessions_lock);
	if (!l)
		return VACCEL_EPERM;

	vaccel__plugins_resource_unregister(res, sess);
	vaccel_debug("Unregistered resource %lld from session %lld",
		     (long long)res->id, (long long)sess->id);
	return VACCEL_OK;
}

int vaccel_resource_unregister(struct vaccel_resource *res,
			       struct vaccel_session *sess)
{
	int ret;

	ret = check_pair(res, sess, __func__);
	if (ret)
		return ret;

	ret = vaccel__resource_unlink(res, sess);
	if (ret)
		vaccel_error("Resource %lld is not registered with session "
			     "%lld", (long long)res->id, (long long)sess->id);
	return ret;
}

int vaccel_resource_sync(struct vaccel_resource *res,
			 struct vaccel_session *sess)
{
	int ret = check_pair(res, sess, __func__);
	unsigned long seq;

	if (ret)
		return ret;
	if (!vaccel_session_has_resource(sess, res)) {
		vaccel_error("Cannot sync resource %lld: not registered with "
			     "session %lld", (long long)res->id,
			     (long long)sess->id);
		return VACCEL_EPERM;
	}
	/* A local plugin works on the caller's own memory: nothing to pull. */
	if (!sess->plugin->d.resource_sync)
		return VACCEL_OK;

	seq = vaccel__last_error_seq();
	ret = sess->plugin->d.resource_sync(res, sess);
	if (ret)
		vaccel__hook_failed(seq, ret,
				    "Plugin %s could not sync resource %lld",
				    sess->plugin->d.name, (long long)res->id);
	return ret;
}

int vaccel_resource_directory(struct vaccel_resource *res, char *out_path,
			      size_t out_path_size, char **alloc_path)
{
	size_t len;
	int ret;

	if (!res || res->id <= 0) {
		vaccel_error("vaccel_resource_directory: resource is %s",
			     !res ? "NULL" : "not initialized");
		return VACCEL_EINVAL;
	}
	if ((!out_path || out_path_size == 0) && !alloc_path) {
		vaccel_error("vaccel_resource_directory: no output buffer");
		return VACCEL_EINVAL;
	}

	ret = ensure_rundir(res);
	if (ret)
		return ret;

	len = strlen(res->rundir);
	if (out_path && len < out_path_size) {
		memcpy(out_path, res->rundir, len + 1);
		if (alloc_path)
			*alloc_path = NULL;
		return VACCEL_OK;
	}
	if (!alloc_path) {
		vaccel_error("Resource %lld: directory path needs %zu bytes, "
			     "buffer has %zu", (long long)res->id, len + 1,
			     out_path_size);
		return VACCEL_ENAMETOOLONG;
	}
	*alloc_path = strdup(res->rundir);
	if (!*alloc_path) {
		vaccel_error("Resource %lld: could not copy directory path",
			     (long long)res->id);
		return VACCEL_ENOMEM;
	}
	return VACCEL_OK;
}

void vaccel__resources_release_all(void)
{
	for (;;) {
		struct vaccel_resource *res = NULL;

		pthread_mutex_lock(&resources_lock);
		if (!vaccel__list_empty(&resources))
			res = vaccel__container_of(resources.next,
						   struct vaccel_resource,
						   entry);
		pthread_mutex_unlock(&resources_lock);
		if (!res)
			break;
		vaccel_warn("Resource %lld was not released; releasing it",
			    (long long)res->id);
		vaccel_resource_release(res);
	}
}
