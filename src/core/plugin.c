// SPDX-License-Identifier: Apache-2.0

#include "core_priv.h"
#include "vaccel/error.h"
#include "vaccel/log.h"
#include "vaccel/plugin.h"
#include "vaccel/version.h"
#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/*
 * The loaded plugins in load order. list_lock guards the list itself and
 * is held for reading while anyone walks it; load_lock serializes whole
 * loads (and unloads), so that a plugin's init() can run without holding
 * list_lock and may itself call the API.
 */
static struct vaccel_plugin *plugins_head;
static size_t plugins_count;
static pthread_rwlock_t list_lock = PTHREAD_RWLOCK_INITIALIZER;
static pthread_mutex_t load_lock = PTHREAD_MUTEX_INITIALIZER;

void vaccel__plugins_rdlock(void)
{
	pthread_rwlock_rdlock(&list_lock);
}

void vaccel__plugins_unlock(void)
{
	pthread_rwlock_unlock(&list_lock);
}

struct vaccel_plugin *vaccel__plugins_first_locked(void)
{
	return plugins_head;
}

struct vaccel_plugin *vaccel__plugins_first(void)
{
	struct vaccel_plugin *p;

	pthread_rwlock_rdlock(&list_lock);
	p = plugins_head;
	pthread_rwlock_unlock(&list_lock);
	return p;
}

size_t vaccel_plugin_count(void)
{
	size_t n;

	pthread_rwlock_rdlock(&list_lock);
	n = plugins_count;
	pthread_rwlock_unlock(&list_lock);
	return n;
}

const char *vaccel_plugin_name(const struct vaccel_plugin *plugin)
{
	return plugin ? plugin->d.name : NULL;
}

const struct vaccel_plugin_desc *
vaccel_plugin_descriptor_of(const struct vaccel_plugin *plugin)
{
	return plugin ? &plugin->d : NULL;
}

/* Parses "[v]MAJOR.MINOR[...]"; returns false when it does not start so. */
static bool parse_version(const char *s, long *major, long *minor)
{
	char *end;

	if (*s == 'v')
		s++;
	if (*s < '0' || *s > '9')
		return false;
	*major = strtol(s, &end, 10);
	if (*end != '.' || end[1] < '0' || end[1] > '9')
		return false;
	*minor = strtol(end + 1, &end, 10);
	return true;
}

/* The version checks of plugin.h, after the ABI check passed. */
static int check_descriptor(const struct vaccel_plugin_desc *d,
			    const char *lib)
{
	long major, minor;

	if (!d->name || !d->version || !d->vaccel_version) {
		vaccel_error("Plugin %s: descriptor lacks %s", lib,
			     !d->name    ? "a name" :
			     !d->version ? "a version" :
					   "the vaccel_version it was built with");
		return VACCEL_EINVAL;
	}

	if (vaccel__version_ignore()) {
		vaccel_debug("Plugin %s: version check skipped "
			     "(VACCEL_VERSION_IGNORE)", d->name);
		return VACCEL_OK;
	}
	if (!parse_version(d->vaccel_version, &major, &minor)) {
		vaccel_error("Plugin %s: unparsable vaccel_version \"%s\"",
			     d->name, d->vaccel_version);
		return VACCEL_ELIBBAD;
	}
	if (major != VACCEL_VERSION_MAJOR) {
		vaccel_error("Plugin %s was built for vAccel %s, incompatible "
			     "with this vAccel %s (major version differs)",
			     d->name, d->vaccel_version, VACCEL_VERSION);
		return VACCEL_ELIBBAD;
	}
	if (minor != VACCEL_VERSION_MINOR)
		vaccel_warn("Plugin %s was built for vAccel %s, this is %s: "
			    "it may be incompatible", d->name,
			    d->vaccel_version, VACCEL_VERSION);
	return VACCEL_OK;
}

static struct vaccel_plugin *find_by_name_locked(const char *name)
{
	for (struct vaccel_plugin *p = plugins_head; p; p = p->next)
		if (strcmp(p->d.name, name) == 0)
			return p;
	return NULL;
}

/* dlopens `lib`, telling a missing file from a bad one. */
static int open_library(const char *lib, void **handle)
{
	struct stat st;
	const char *err;

	if (strchr(lib, '/') && stat(lib, &st) != 0) {
		vaccel_error("Plugin %s: %s", lib, strerror(errno));
		return errno == ENOENT ? VACCEL_ENOENT :
					 vaccel__errno_to_error(errno);
	}

	dlerror();
	*handle = dlopen(lib, RTLD_NOW | RTLD_LOCAL);
	if (*handle)
		return VACCEL_OK;

	err = dlerror();
	vaccel_error("Could not load plugin %s: %s", lib,
		     err ? err : "unknown dlopen error");
	/* A soname that the loader cannot find is a missing entry; anything
	 * else that exists but will not load is a bad library. */
	if (!strchr(lib, '/') && err && strstr(err, "No such file"))
		return VACCEL_ENOENT;
	return VACCEL_ELIBBAD;
}

/* Reads the descriptor symbol into a zeroed copy, checking the ABI. */
static int read_descriptor(void *handle, const char *lib,
			   struct vaccel_plugin_desc *out)
{
	const struct vaccel_plugin_desc *d;
	size_t n;

	dlerror();
	d = dlsym(handle, VACCEL_PLUGIN_DESCRIPTOR_SYMBOL);
	if (!d) {
		const char *err = dlerror();

		vaccel_error("Plugin %s has no %s symbol: %s", lib,
			     VACCEL_PLUGIN_DESCRIPTOR_SYMBOL,
			     err ? err : "symbol is NULL");
		return VACCEL_ELIBBAD;
	}
	if (d->abi_major != VACCEL_PLUGIN_ABI_MAJOR) {
		vaccel_error("Plugin %s has plugin ABI %u.%u, this vAccel "
			     "supports %u.x", lib, d->abi_major, d->abi_minor,
			     VACCEL_PLUGIN_ABI_MAJOR);
		return VACCEL_ELIBBAD;
	}
	/* A descriptor too small to hold even the identity fields cannot
	 * come from any version of the macro. */
	if (d->size < offsetof(struct vaccel_plugin_desc, type)) {
		vaccel_error("Plugin %s: descriptor size %u is too small", lib,
			     d->size);
		return VACCEL_ELIBBAD;
	}

	memset(out, 0, sizeof(*out));
	n = d->size < sizeof(*out) ? d->size : sizeof(*out);
	memcpy(out, d, n);
	return VACCEL_OK;
}

int vaccel_plugin_load(const char *lib)
{
	struct vaccel_plugin *plugin, **tail;
	void *handle = NULL;
	int ret;

	if (!lib || !*lib) {
		vaccel_error("vaccel_plugin_load: library path is %s",
			     lib ? "empty" : "NULL");
		return VACCEL_EINVAL;
	}

	plugin = calloc(1, sizeof(*plugin));
	if (!plugin) {
		vaccel_error("Could not allocate plugin %s", lib);
		return VACCEL_ENOMEM;
	}
	plugin->path = strdup(lib);
	if (!plugin->path) {
		vaccel_error("Could not allocate plugin %s", lib);
		ret = VACCEL_ENOMEM;
		goto free_plugin;
	}

	pthread_mutex_lock(&load_lock);

	ret = open_library(lib, &handle);
	if (ret)
		goto unlock;
	ret = read_descriptor(handle, lib, &plugin->d);
	if (ret)
		goto close;
	ret = check_descriptor(&plugin->d, lib);
	if (ret)
		goto close;

	/* Loads are serialized by load_lock, so the name stays unique
	 * between this check and the insertion below. */
	pthread_rwlock_rdlock(&list_lock);
	if (find_by_name_locked(plugin->d.name))
		ret = VACCEL_EEXIST;
	pthread_rwlock_unlock(&list_lock);
	if (ret) {
		vaccel_error("Plugin %s: a plugin named %s is already loaded",
			     lib, plugin->d.name);
		goto close;
	}

	if (plugin->d.init) {
		unsigned long seq = vaccel__last_error_seq();

		ret = plugin->d.init();
		if (ret) {
			vaccel__hook_failed(seq, ret, "Plugin %s (%s): init failed",
					    lib, plugin->d.name);
			goto close;
		}
	}

	plugin->dl_handle = handle;
	pthread_rwlock_wrlock(&list_lock);
	for (tail = &plugins_head; *tail; tail = &(*tail)->next)
		;
	plugin->index = plugins_count++;
	*tail = plugin;
	pthread_rwlock_unlock(&list_lock);
	pthread_mutex_unlock(&load_lock);

	vaccel_debug("Loaded plugin %s %s (type 0x%x) from %s",
		     plugin->d.name, plugin->d.version, plugin->d.type, lib);
	return VACCEL_OK;

close:
	dlclose(handle);
unlock:
	pthread_mutex_unlock(&load_lock);
	free(plugin->path);
free_plugin:
	free(plugin);
	return ret;
}

int vaccel_plugin_parse_and_load(const char *lib_str)
{
	char *copy, *tok, *save = NULL;
	int ret = VACCEL_OK;

	if (!lib_str) {
		vaccel_error("vaccel_plugin_parse_and_load: list is NULL");
		return VACCEL_EINVAL;
	}
	copy = strdup(lib_str);
	if (!copy) {
		vaccel_error("Could not copy plugin list %s", lib_str);
		return VACCEL_ENOMEM;
	}

	for (tok = strtok_r(copy, ":", &save); tok;
	     tok = strtok_r(NULL, ":", &save)) {
		ret = vaccel_plugin_load(tok);
		if (ret)
			break;
	}
	free(copy);
	return ret;
}

int vaccel__plugins_unload_all(void)
{
	struct vaccel_plugin *p, *next;

	pthread_mutex_lock(&load_lock);
	pthread_rwlock_wrlock(&list_lock);
	p = plugins_head;
	plugins_head = NULL;
	plugins_count = 0;
	pthread_rwlock_unlock(&list_lock);

	for (; p; p = next) {
		next = p->next;
		if (p->d.fini) {
			int ret = p->d.fini();

			if (ret)
				vaccel_warn("Plugin %s: fini failed: %s",
					    p->d.name, vaccel_strerror(ret));
		}
		vaccel_debug("Unloaded plugin %s", p->d.name);
		dlclose(p->dl_handle);
		free(p->path);
		free(p);
	}
	pthread_mutex_unlock(&load_lock);
	return VACCEL_OK;
}

void vaccel__plugins_resource_unregister(struct vaccel_resource *res,
					 struct vaccel_session *sess)
{
	pthread_rwlock_rdlock(&list_lock);
	for (struct vaccel_plugin *p = plugins_head; p; p = p->next) {
		int ret;

		if (!p->d.resource_unregister)
			continue;
		ret = p->d.resource_unregister(res, sess);
		if (ret)
			vaccel_warn("Plugin %s: resource_unregister of resource "
				    "%lld from session %lld failed: %s",
				    p->d.name, (long long)res->id,
				    (long long)sess->id, vaccel_strerror(ret));
	}
	pthread_rwlock_unlock(&list_lock);
}
