/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Resources: models, libraries and data that ops use, made of one or more
 * blobs.
 *
 * Lifecycle: init (from a path, several paths, a directory, a buffer or
 * blobs) -> register with one or more sessions -> use in ops -> unregister
 * -> release. The refcount is the number of sessions the resource is
 * registered with. Releasing a registered resource unregisters it from every
 * session first. Each resource gets a run directory
 * <vaccel rundir>/resource.<id>, created on first use and removed on release.
 *
 * Thread-safety: register/unregister/release may be called from several
 * threads; the global registry and each resource's session list are locked.
 */
#ifndef VACCEL_RESOURCE_H
#define VACCEL_RESOURCE_H

#include "blob.h"
#include "id.h"
#include "list.h"
#include "utils/enum.h"
#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#ifndef __cplusplus
#include <stdatomic.h>
#endif

#ifdef __cplusplus
extern "C" {
#endif

#define VACCEL_RESOURCE_TYPE_LIST(X) \
	X(VACCEL_RESOURCE_LIB, 0)    \
	X(VACCEL_RESOURCE_DATA, 1)   \
	X(VACCEL_RESOURCE_MODEL, 2)

VACCEL_ENUM_DEFINE(vaccel_resource_type, VACCEL_RESOURCE_TYPE_LIST,
		   VACCEL_RESOURCE_MAX, 16)

#define VACCEL_PATH_TYPE_LIST(X)      \
	X(VACCEL_PATH_LOCAL_FILE, 0)  \
	X(VACCEL_PATH_LOCAL_DIR, 1)   \
	X(VACCEL_PATH_REMOTE_FILE, 2)

VACCEL_ENUM_DEFINE(vaccel_path_type, VACCEL_PATH_TYPE_LIST, VACCEL_PATH_MAX,
		   12)

struct vaccel_session;

struct vaccel_resource {
	vaccel_id_t id;
	/* Id of the mirror resource on the agent (transport plugins). */
	vaccel_id_t remote_id;
	vaccel_resource_type_t type;
	vaccel_path_type_t path_type;
	char **paths;
	size_t nr_paths;
	char *rundir;
	struct vaccel_blob **blobs;
	size_t nr_blobs;
	struct vaccel_list_entry entry;
	struct vaccel_list_entry sessions;
	pthread_mutex_t sessions_lock;
#ifdef __cplusplus
	/* Same size and alignment as atomic_uint; use vaccel_resource_refcount(). */
	unsigned int refcount;
#else
	atomic_uint refcount;
#endif
	void *plugin_priv;
};

int vaccel_resource_get_by_id(struct vaccel_resource **res, vaccel_id_t id);
/* First live resource of `type`. */
int vaccel_resource_get_by_type(struct vaccel_resource **res,
				vaccel_resource_type_t type);
/* A malloc'd array of every live resource of `type` (caller frees the array,
 * not the resources). */
int vaccel_resource_get_all_by_type(struct vaccel_resource ***res,
				    size_t *nr_found,
				    vaccel_resource_type_t type);
/* Number of sessions the resource is registered with, or -VACCEL_EINVAL. */
long int vaccel_resource_refcount(const struct vaccel_resource *res);

/* Every init below refuses the storage of a live resource (initialized and
 * not released) with VACCEL_EBUSY, leaving it untouched. */
/* From one path: a file, a directory (one blob per regular file in it), or
 * a "file://" URL. Paths are checked to exist. */
int vaccel_resource_init(struct vaccel_resource *res, const char *path,
			 vaccel_resource_type_t type);
/* From several paths of one kind: files (one blob each), or a single
 * directory (as _init takes one). For LIB resources used by
 * exec_with_resource, list dependencies first and the main library last.
 * VACCEL_EINVAL when files and a directory are mixed or several
 * directories are given. */
int vaccel_resource_init_multi(struct vaccel_resource *res, const char **paths,
			       size_t nr_paths, vaccel_resource_type_t type);
/* From memory: the bytes are copied. With `mem_only` they stay in memory
 * (a BUFFER blob); otherwise they are also written to
 * <resource rundir>/<filename>. */
int vaccel_resource_init_from_buf(struct vaccel_resource *res, const void *buf,
				  size_t nr_bytes, vaccel_resource_type_t type,
				  const char *filename, bool mem_only);
/* From existing blobs (copied). */
int vaccel_resource_init_from_blobs(struct vaccel_resource *res,
				    const struct vaccel_blob **blobs,
				    size_t nr_blobs,
				    vaccel_resource_type_t type);
/* Unregisters from all sessions, frees everything, removes the rundir. */
int vaccel_resource_release(struct vaccel_resource *res);

int vaccel_resource_new(struct vaccel_resource **res, const char *path,
			vaccel_resource_type_t type);
int vaccel_resource_multi_new(struct vaccel_resource **res, const char **paths,
			      size_t nr_paths, vaccel_resource_type_t type);
int vaccel_resource_from_buf(struct vaccel_resource **res, const void *buf,
			     size_t nr_bytes, vaccel_resource_type_t type,
			     const char *filename, bool mem_only);
int vaccel_resource_from_blobs(struct vaccel_resource **res,
			       const struct vaccel_blob **blobs,
			       size_t nr_blobs, vaccel_resource_type_t type);
int vaccel_resource_delete(struct vaccel_resource *res);

/* Attaches the resource to the session (and, for sessions on a transport
 * plugin, uploads it). Registering twice with the same session warns and
 * returns VACCEL_OK. */
int vaccel_resource_register(struct vaccel_resource *res,
			     struct vaccel_session *sess);
/* Detaches; VACCEL_EPERM if it was not registered with the session. */
int vaccel_resource_unregister(struct vaccel_resource *res,
			       struct vaccel_session *sess);
/* Pulls the current contents of a BUFFER resource back from the plugin. */
int vaccel_resource_sync(struct vaccel_resource *res,
			 struct vaccel_session *sess);
/* The resource's run directory (created if needed), copied into out_path
 * when it fits, else malloc'd into *alloc_path. */
int vaccel_resource_directory(struct vaccel_resource *res, char *out_path,
			      size_t out_path_size, char **alloc_path);

#ifdef __cplusplus
}
#endif

#endif /* VACCEL_RESOURCE_H */
