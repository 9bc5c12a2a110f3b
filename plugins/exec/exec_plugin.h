/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Internals of the exec plugin: its configuration, the per-path library
 * cache used by EXEC and the per-resource handle cache used by
 * EXEC_WITH_RESOURCE.
 */
#ifndef VACCEL_EXEC_PLUGIN_H
#define VACCEL_EXEC_PLUGIN_H

#include <vaccel.h>

/* How VACCEL_EXEC_DLCLOSE_ENABLED was set. */
enum exec_dlclose {
	/* Unset: EXEC keeps libraries open until unload; resource libraries
	 * close when the resource is unregistered from its last session. */
	EXEC_DLCLOSE_DEFAULT,
	/* True: EXEC closes a library right after the call; resource
	 * libraries close at unregister as by default. */
	EXEC_DLCLOSE_ON,
	/* False: nothing is closed before the plugin unloads. */
	EXEC_DLCLOSE_OFF,
};

struct exec_config {
	/* RTLD_NOW or RTLD_LAZY, from VACCEL_EXEC_DLOPEN_MODE. */
	int dlopen_mode;
	enum exec_dlclose dlclose;
};

extern struct exec_config exec_cfg;

/* Reads the environment into exec_cfg, warning about invalid values. */
void exec_config_load(void);

/* Looks up `symbol` among the functions `lib` defines (vaccel_lib_symbol:
 * VACCEL_ENOSYS if missing, VACCEL_EPERM if refused) and runs it;
 * VACCEL_EBACKEND if it returns non-zero. */
int exec_call(struct vaccel_lib *lib, const char *symbol,
	      struct vaccel_arg *read, size_t nr_read,
	      struct vaccel_arg *write, size_t nr_write);

/* Opens `path` through vaccel_lib_open (or returns its cached library):
 * the policy's code, or VACCEL_ENOENT with the loader's message. */
int exec_lib_get(const char *path, struct vaccel_lib **lib);
/* Called after the call: closes the library when caching is off. */
void exec_lib_put(struct vaccel_lib *lib);
/* Closes every cached library. */
void exec_libs_close_all(void);

/* The main library of a LIB resource, loading its blobs on first use
 * (dependencies RTLD_GLOBAL first, main library last). */
int exec_res_get(struct vaccel_resource *res, struct vaccel_lib **lib);
/* resource_unregister hook: closes the resource's libraries once no
 * session holds it any more. */
int exec_res_unregister(struct vaccel_resource *res,
			struct vaccel_session *sess);
/* Closes every resource library still open. */
void exec_res_close_all(void);

#endif /* VACCEL_EXEC_PLUGIN_H */
