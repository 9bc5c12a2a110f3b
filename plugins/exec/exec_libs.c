// SPDX-License-Identifier: Apache-2.0
/*
 * Library cache of EXEC: one library per path, so that repeated calls do
 * not pay for loading and the library keeps its state between calls. The
 * list is short (one entry per distinct library), so a locked linked list
 * is enough. Libraries are opened through vaccel_lib_open, so the
 * embedding program's library policy decides what may be loaded.
 */
#include "exec_plugin.h"
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

struct lib_entry {
	char *path;
	struct vaccel_lib *lib;
	struct lib_entry *next;
};

static struct lib_entry *libs;
static pthread_mutex_t libs_lock = PTHREAD_MUTEX_INITIALIZER;

int exec_lib_get(const char *path, struct vaccel_lib **lib)
{
	struct lib_entry *e;
	int ret = VACCEL_OK;

	if (exec_cfg.dlclose == EXEC_DLCLOSE_ON)
		return vaccel_lib_open(path, exec_cfg.dlopen_mode, lib);

	pthread_mutex_lock(&libs_lock);
	for (e = libs; e; e = e->next) {
		if (strcmp(e->path, path) == 0) {
			*lib = e->lib;
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
	ret = vaccel_lib_open(path, exec_cfg.dlopen_mode, &e->lib);
	if (ret)
		goto free_path;
	e->next = libs;
	libs = e;
	*lib = e->lib;
	goto out;

free_path:
	free(e->path);
free_entry:
	free(e);
out:
	pthread_mutex_unlock(&libs_lock);
	return ret;
}

void exec_lib_put(struct vaccel_lib *lib)
{
	if (exec_cfg.dlclose == EXEC_DLCLOSE_ON)
		vaccel_lib_close(lib);
}

void exec_libs_close_all(void)
{
	struct lib_entry *e, *next;

	pthread_mutex_lock(&libs_lock);
	for (e = libs; e; e = next) {
		next = e->next;
		vaccel_lib_close(e->lib);
		free(e->path);
		free(e);
	}
	libs = NULL;
	pthread_mutex_unlock(&libs_lock);
}
