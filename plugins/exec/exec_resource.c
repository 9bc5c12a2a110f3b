// SPDX-License-Identifier: Apache-2.0
/*
 * Libraries of LIB resources for EXEC_WITH_RESOURCE. A resource's blobs are
 * loaded once, in order: every blob but the last is a dependency opened
 * RTLD_GLOBAL so that the later ones resolve against it, and the last one
 * is the library whose symbol runs. The handles are kept per resource id
 * (not in res->plugin_priv, which other plugins may use) until the resource
 * leaves its last session.
 */
#include "exec_plugin.h"
#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

struct res_entry {
	vaccel_id_t id;
	void **handles;
	/* Memory files backing BUFFER blobs (-1 for files on disk). They stay
	 * open while loaded: the loader matches libraries by path, so a reused
	 * /proc/self/fd/N name would return a stale library. */
	int *fds;
	size_t nr_handles;
	struct res_entry *next;
};

/* Open resource libraries, and those whose resource is gone but that
 * VACCEL_EXEC_DLCLOSE_ENABLED=0 keeps open until unload. */
static struct res_entry *open_res, *retired;
static pthread_mutex_t res_lock = PTHREAD_MUTEX_INITIALIZER;

static void close_handles(struct res_entry *e)
{
	/* Reverse order: the main library may need its dependencies. */
	for (size_t i = e->nr_handles; i > 0; i--) {
		dlclose(e->handles[i - 1]);
		if (e->fds[i - 1] >= 0)
			close(e->fds[i - 1]);
	}
	free(e->handles);
	free(e->fds);
	free(e);
}

/* A BUFFER blob has no file to dlopen: load it from an anonymous memory
 * file instead of writing it to disk. */
static void *open_from_memory(struct vaccel_blob *blob, int mode,
			      vaccel_id_t id, int *fd_out)
{
	char path[64];
	size_t size = 0, off = 0;
	uint8_t *data = vaccel_blob_data(blob, &size);
	void *handle = NULL;
	int fd;

	if (!data || size == 0) {
		vaccel_error("[exec] resource %lld: blob %s has no data",
			     (long long)id, blob->name ? blob->name : "?");
		return NULL;
	}
	fd = memfd_create(blob->name ? blob->name : "vaccel-exec", 0);
	if (fd < 0) {
		vaccel_error("[exec] resource %lld: memfd_create failed",
			     (long long)id);
		return NULL;
	}
	while (off < size) {
		ssize_t n = write(fd, data + off, size - off);

		if (n <= 0) {
			vaccel_error("[exec] resource %lld: cannot copy blob %s to memory file",
				     (long long)id, blob->name);
			goto out;
		}
		off += (size_t)n;
	}
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	handle = dlopen(path, mode);
	if (!handle) {
		const char *err = dlerror();

		vaccel_error("[exec] resource %lld: cannot load blob %s: %s",
			     (long long)id, blob->name, err ? err : "?");
	}
out:
	if (handle)
		*fd_out = fd;
	else
		close(fd);
	return handle;
}

static void *open_blob(struct vaccel_blob *blob, int mode, vaccel_id_t id,
		       int *fd)
{
	const char *path = vaccel_blob_path(blob);
	void *handle;

	*fd = -1;
	if (!path)
		return open_from_memory(blob, mode, id, fd);
	handle = dlopen(path, mode);
	if (!handle) {
		const char *err = dlerror();

		vaccel_error("[exec] resource %lld: cannot load %s: %s",
			     (long long)id, path, err ? err : "?");
	}
	return handle;
}

static int res_load(struct vaccel_resource *res, struct res_entry **out)
{
	struct res_entry *e;
	size_t i;

	if (res->nr_blobs == 0 || !res->blobs) {
		vaccel_error("[exec] resource %lld has no files",
			     (long long)res->id);
		return VACCEL_ENOENT;
	}
	e = calloc(1, sizeof(*e));
	if (!e)
		goto no_mem;
	e->handles = calloc(res->nr_blobs, sizeof(*e->handles));
	e->fds = calloc(res->nr_blobs, sizeof(*e->fds));
	if (!e->handles || !e->fds) {
		free(e->handles);
		free(e->fds);
		free(e);
		goto no_mem;
	}
	e->id = res->id;
	for (i = 0; i < res->nr_blobs; i++) {
		bool main_lib = i + 1 == res->nr_blobs;
		int mode = exec_cfg.dlopen_mode |
			   (main_lib ? RTLD_LOCAL : RTLD_GLOBAL);

		e->handles[i] = open_blob(res->blobs[i], mode, res->id,
					  &e->fds[i]);
		if (!e->handles[i]) {
			close_handles(e);
			return VACCEL_ENOENT;
		}
		e->nr_handles++;
	}
	*out = e;
	return VACCEL_OK;

no_mem:
	vaccel_error("[exec] resource %lld: no memory for %zu handles",
		     (long long)res->id, res->nr_blobs);
	return VACCEL_ENOMEM;
}

int exec_res_get(struct vaccel_resource *res, void **handle)
{
	struct res_entry *e;
	int ret = VACCEL_OK;

	pthread_mutex_lock(&res_lock);
	for (e = open_res; e; e = e->next)
		if (e->id == res->id)
			break;
	if (!e) {
		ret = res_load(res, &e);
		if (ret)
			goto out;
		e->next = open_res;
		open_res = e;
	}
	*handle = e->handles[e->nr_handles - 1];
out:
	pthread_mutex_unlock(&res_lock);
	return ret;
}

int exec_res_unregister(struct vaccel_resource *res,
			struct vaccel_session *sess)
{
	struct res_entry **pp, *e = NULL;

	(void)sess;
	if (vaccel_resource_refcount(res) > 0)
		return VACCEL_OK;

	pthread_mutex_lock(&res_lock);
	for (pp = &open_res; *pp; pp = &(*pp)->next) {
		if ((*pp)->id == res->id) {
			e = *pp;
			*pp = e->next;
			break;
		}
	}
	if (e && exec_cfg.dlclose == EXEC_DLCLOSE_OFF) {
		e->next = retired;
		retired = e;
		e = NULL;
	}
	pthread_mutex_unlock(&res_lock);

	if (e) {
		vaccel_debug("[exec] closing %zu libraries of resource %lld",
			     e->nr_handles, (long long)res->id);
		close_handles(e);
	}
	return VACCEL_OK;
}

void exec_res_close_all(void)
{
	struct res_entry *lists[2], *e, *next;

	pthread_mutex_lock(&res_lock);
	lists[0] = open_res;
	lists[1] = retired;
	open_res = retired = NULL;
	pthread_mutex_unlock(&res_lock);

	for (int l = 0; l < 2; l++) {
		for (e = lists[l]; e; e = next) {
			next = e->next;
			close_handles(e);
		}
	}
}
