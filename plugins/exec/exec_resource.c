// SPDX-License-Identifier: Apache-2.0
/*
 * Libraries of LIB resources for EXEC_WITH_RESOURCE. A resource's blobs are
 * loaded once, in order, through vaccel_lib_open_blob (so the embedding
 * program's library policy sees every one): every blob but the last is a
 * dependency opened RTLD_GLOBAL so that the later ones resolve against it,
 * and the last one is the library whose symbol runs. The libraries are kept
 * per resource id (not in res->plugin_priv, which other plugins may use)
 * until the resource leaves its last session.
 */
#include "exec_plugin.h"
#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

struct res_entry {
	vaccel_id_t id;
	struct vaccel_lib **libs;
	size_t nr_libs;
	struct res_entry *next;
};

/* Open resource libraries, and those whose resource is gone but that
 * VACCEL_EXEC_DLCLOSE_ENABLED=0 keeps open until unload. */
static struct res_entry *open_res, *retired;
static pthread_mutex_t res_lock = PTHREAD_MUTEX_INITIALIZER;

static void close_libs(struct res_entry *e)
{
	/* Reverse order: the main library may need its dependencies. */
	for (size_t i = e->nr_libs; i > 0; i--)
		vaccel_lib_close(e->libs[i - 1]);
	free(e->libs);
	free(e);
}

static int res_load(struct vaccel_resource *res, struct res_entry **out)
{
	struct res_entry *e;
	char name[48];
	int ret;

	if (res->nr_blobs == 0 || !res->blobs) {
		vaccel_error("[exec] resource %lld has no files",
			     (long long)res->id);
		return VACCEL_ENOENT;
	}
	e = calloc(1, sizeof(*e));
	if (e)
		e->libs = calloc(res->nr_blobs, sizeof(*e->libs));
	if (!e || !e->libs) {
		free(e);
		vaccel_error("[exec] resource %lld: no memory for %zu libraries",
			     (long long)res->id, res->nr_blobs);
		return VACCEL_ENOMEM;
	}
	e->id = res->id;
	for (size_t i = 0; i < res->nr_blobs; i++) {
		bool main_lib = i + 1 == res->nr_blobs;
		int mode = exec_cfg.dlopen_mode |
			   (main_lib ? RTLD_LOCAL : RTLD_GLOBAL);

		snprintf(name, sizeof(name), "resource %lld blob %zu",
			 (long long)res->id, i);
		ret = vaccel_lib_open_blob(res->blobs[i], mode, name,
					   &e->libs[i]);
		if (ret) {
			close_libs(e);
			return ret;
		}
		e->nr_libs++;
	}
	*out = e;
	return VACCEL_OK;
}

int exec_res_get(struct vaccel_resource *res, struct vaccel_lib **lib)
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
	*lib = e->libs[e->nr_libs - 1];
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
			     e->nr_libs, (long long)res->id);
		close_libs(e);
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
			close_libs(e);
		}
	}
}
