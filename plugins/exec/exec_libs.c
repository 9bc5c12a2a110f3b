// SPDX-License-Identifier: Apache-2.0
/*
 * Library cache of EXEC: one dlopen handle per library path, so that
 * repeated calls do not pay for dlopen and the library keeps its state
 * between calls. The list is short (one entry per distinct library), so a
 * locked linked list is enough.
 */
#include "exec_plugin.h"
#include <dlfcn.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

struct lib_entry {
	char *path;
	void *handle;
	struct lib_entry *next;
};

static struct lib_entry *libs;
static pthread_mutex_t libs_lock = PTHREAD_MUTEX_INITIALIZER;

static int lib_open(const char *path, void **handle)
{
	*handle = dlopen(path, exec_cfg.dlopen_mode);
	if (!*handle) {
		const char *err = dlerror();

		vaccel_error("[exec] cannot load %s: %s", path,
			     err ? err : "unknown error");
		return VACCEL_ENOENT;
	}
	return VACCEL_OK;
}

int exec_lib_get(const char *path, void **handle)
{
	struct lib_entry *e;
	int ret = VACCEL_OK;

	if (exec_cfg.dlclose == EXEC_DLCLOSE_ON)
		return lib_open(path, handle);

	pthread_mutex_lock(&libs_lock);
	for (e = libs; e; e = e->next) {
		if (strcmp(e->path, path) == 0) {
			*handle = e->handle;
			goto out;
		}
	}
	e = calloc(1, sizeof(*e));
	if (!e) {
		vaccel_error("[exec] no memory to cache %s", path);
		ret = VACCEL_ENOMEM;
		goto out;
	}
	e->path = strdup(path);
	if (!e->path) {
		vaccel_error("[exec] no memory to cache %s", path);
		ret = VACCEL_ENOMEM;
		goto free_entry;
	}
	ret = lib_open(path, &e->handle);
	if (ret)
		goto free_path;
	e->next = libs;
	libs = e;
	*handle = e->handle;
	goto out;

free_path:
	free(e->path);
free_entry:
	free(e);
out:
	pthread_mutex_unlock(&libs_lock);
	return ret;
}

void exec_lib_put(void *handle)
{
	if (exec_cfg.dlclose == EXEC_DLCLOSE_ON)
		dlclose(handle);
}

void exec_libs_close_all(void)
{
	struct lib_entry *e, *next;

	pthread_mutex_lock(&libs_lock);
	for (e = libs; e; e = next) {
		next = e->next;
		dlclose(e->handle);
		free(e->path);
		free(e);
	}
	libs = NULL;
	pthread_mutex_unlock(&libs_lock);
}
