// SPDX-License-Identifier: Apache-2.0
/*
 * libvaccel-exec.so: runs a vaccel_exec_fn from a shared library, given by
 * path (EXEC) or as a LIB resource (EXEC_WITH_RESOURCE).
 */
#include "exec_plugin.h"
#include <dlfcn.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

struct exec_config exec_cfg = { .dlopen_mode = RTLD_NOW,
				.dlclose = EXEC_DLCLOSE_DEFAULT };

void exec_config_load(void)
{
	const char *mode = getenv("VACCEL_EXEC_DLOPEN_MODE");
	const char *dlc = getenv("VACCEL_EXEC_DLCLOSE_ENABLED");

	exec_cfg.dlopen_mode = RTLD_NOW;
	if (mode && strcasecmp(mode, "lazy") == 0)
		exec_cfg.dlopen_mode = RTLD_LAZY;
	else if (mode && strcasecmp(mode, "now") != 0)
		vaccel_warn("[exec] VACCEL_EXEC_DLOPEN_MODE=%s is not lazy or now; using now",
			    mode);

	if (!dlc) {
		dlc = getenv("VACCEL_EXEC_DLCLOSE");
		if (dlc)
			vaccel_warn("[exec] VACCEL_EXEC_DLCLOSE is deprecated. Use VACCEL_EXEC_DLCLOSE_ENABLED instead.");
	}
	exec_cfg.dlclose = EXEC_DLCLOSE_DEFAULT;
	if (dlc && (strcmp(dlc, "1") == 0 || strcasecmp(dlc, "true") == 0))
		exec_cfg.dlclose = EXEC_DLCLOSE_ON;
	else if (dlc &&
		 (strcmp(dlc, "0") == 0 || strcasecmp(dlc, "false") == 0))
		exec_cfg.dlclose = EXEC_DLCLOSE_OFF;
	else if (dlc)
		vaccel_warn("[exec] VACCEL_EXEC_DLCLOSE_ENABLED=%s is not 0/1/true/false; using the default",
			    dlc);
}

int exec_call(struct vaccel_lib *lib, const char *symbol,
	      struct vaccel_arg *read, size_t nr_read,
	      struct vaccel_arg *write, size_t nr_write)
{
	vaccel_exec_fn fn;
	void *sym;
	int ret;

	ret = vaccel_lib_symbol(lib, symbol, &sym);
	if (ret)
		return ret;
	/* POSIX guarantees that a data pointer from dlsym converts to a
	 * function pointer; the copy keeps ISO C quiet about it. */
	memcpy(&fn, &sym, sizeof(fn));
	ret = fn(read, nr_read, write, nr_write);
	if (ret) {
		vaccel_error("[exec] %s returned %d", symbol, ret);
		return VACCEL_EBACKEND;
	}
	return VACCEL_OK;
}

static int exec_noop(struct vaccel_session *sess)
{
	vaccel_debug("[exec] noop: session %lld", (long long)sess->id);
	return VACCEL_OK;
}

static int exec_exec(struct vaccel_session *sess, const char *library,
		     const char *fn_symbol, struct vaccel_arg *read,
		     size_t nr_read, struct vaccel_arg *write, size_t nr_write)
{
	struct vaccel_lib *lib;
	int ret;

	vaccel_debug("[exec] session %lld: %s from %s", (long long)sess->id,
		     fn_symbol, library);
	ret = exec_lib_get(library, &lib);
	if (ret)
		return ret;
	ret = exec_call(lib, fn_symbol, read, nr_read, write, nr_write);
	exec_lib_put(lib);
	return ret;
}

static int exec_exec_with_resource(struct vaccel_session *sess,
				   struct vaccel_resource *resource,
				   const char *fn_symbol,
				   struct vaccel_arg *read, size_t nr_read,
				   struct vaccel_arg *write, size_t nr_write)
{
	struct vaccel_lib *lib;
	int ret;

	vaccel_debug("[exec] session %lld: %s from resource %lld",
		     (long long)sess->id, fn_symbol, (long long)resource->id);
	ret = exec_res_get(resource, &lib);
	if (ret)
		return ret;
	return exec_call(lib, fn_symbol, read, nr_read, write, nr_write);
}

static int exec_init(void)
{
	exec_config_load();
	vaccel_debug("[exec] loaded (dlopen mode %s, dlclose %d)",
		     exec_cfg.dlopen_mode == RTLD_LAZY ? "lazy" : "now",
		     (int)exec_cfg.dlclose);
	return VACCEL_OK;
}

static int exec_fini(void)
{
	exec_res_close_all();
	exec_libs_close_all();
	return VACCEL_OK;
}

VACCEL_PLUGIN_DESCRIPTOR(
	.name = "exec", .version = VACCEL_VERSION,
	.type = VACCEL_PLUGIN_SOFTWARE | VACCEL_PLUGIN_GENERIC |
		VACCEL_PLUGIN_CPU,
	.init = exec_init, .fini = exec_fini,
	.resource_unregister = exec_res_unregister,
	.ops = {
		.noop = exec_noop,
		.exec = exec_exec,
		.exec_with_resource = exec_exec_with_resource,
	});
