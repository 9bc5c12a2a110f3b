// SPDX-License-Identifier: Apache-2.0
/*
 * Libraries that plugins open for a caller (see vaccel/lib.h): every open
 * passes the installed policy, and a symbol resolves only to a function the
 * library itself defines.
 */
#include "core_priv.h"
#include "vaccel/error.h"
#include "vaccel/lib.h"
#include "vaccel/log.h"

#include <dlfcn.h>
#include <elf.h>
#include <link.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

struct vaccel_lib {
	void *handle;
	/* The link map of the library itself: a symbol must live in it. */
	struct link_map *map;
	/* The memory file behind a BUFFER blob (-1 otherwise). It stays open
	 * while the library is loaded: the loader matches libraries by path,
	 * so a reused /proc/self/fd/N name would return a stale library. */
	int fd;
	const void *cookie;
	char name[256];
};

static struct vaccel_lib_policy policy;
static bool policy_on;

int vaccel_lib_policy_set(const struct vaccel_lib_policy *p)
{
	if (!p) {
		policy_on = false;
		memset(&policy, 0, sizeof(policy));
		return VACCEL_OK;
	}
	if (!p->open) {
		vaccel_error("vaccel_lib_policy_set: the policy has no open callback");
		return VACCEL_EINVAL;
	}
	policy = *p;
	policy_on = true;
	return VACCEL_OK;
}

/* Asks the policy, then loads `path` (or the name the policy gave). */
static int lib_load(enum vaccel_lib_source source, const char *path, int mode,
		    const char *name, int fd, struct vaccel_lib **out)
{
	const char *open_path = path;
	const void *cookie = NULL;
	struct vaccel_lib *lib;
	int ret;

	if (policy_on) {
		ret = policy.open(policy.ctx, source, path, &open_path, &cookie);
		if (ret)
			return ret;
		if (!open_path)
			open_path = path;
	}
	lib = calloc(1, sizeof(*lib));
	if (!lib) {
		vaccel_error("Cannot allocate the library handle of %s", name);
		return VACCEL_ENOMEM;
	}
	lib->handle = dlopen(open_path, mode);
	if (!lib->handle) {
		const char *err = dlerror();

		vaccel_error("Cannot load %s: %s", name,
			     err ? err : "unknown error");
		free(lib);
		return VACCEL_ENOENT;
	}
	if (dlinfo(lib->handle, RTLD_DI_LINKMAP, &lib->map) != 0) {
		vaccel_error("Cannot inspect %s after loading it", name);
		dlclose(lib->handle);
		free(lib);
		return VACCEL_ENOENT;
	}
	lib->fd = fd;
	lib->cookie = cookie;
	snprintf(lib->name, sizeof(lib->name), "%s", name);
	*out = lib;
	return VACCEL_OK;
}

int vaccel_lib_open(const char *path, int mode, struct vaccel_lib **lib)
{
	if (!path || !*path || !lib) {
		vaccel_error("vaccel_lib_open: invalid %s",
			     !lib ? "lib" : "path");
		return VACCEL_EINVAL;
	}
	return lib_load(VACCEL_LIB_FROM_PATH, path, mode, path, -1, lib);
}

/* Copies a BUFFER blob into an anonymous memory file; returns its fd. */
static int blob_to_memfd(struct vaccel_blob *blob, const char *name)
{
	size_t size = 0, off = 0;
	uint8_t *data = vaccel_blob_data(blob, &size);
	int fd;

	if (!data || size == 0) {
		vaccel_error("Cannot load %s: blob %s has no data", name,
			     blob->name ? blob->name : "?");
		return -1;
	}
	fd = memfd_create(blob->name ? blob->name : "vaccel-lib", MFD_CLOEXEC);
	if (fd < 0) {
		vaccel_error("Cannot load %s: memfd_create failed", name);
		return -1;
	}
	while (off < size) {
		ssize_t n = write(fd, data + off, size - off);

		if (n <= 0) {
			vaccel_error("Cannot load %s: copying blob %s to a memory file failed",
				     name, blob->name ? blob->name : "?");
			close(fd);
			return -1;
		}
		off += (size_t)n;
	}
	return fd;
}

int vaccel_lib_open_blob(struct vaccel_blob *blob, int mode, const char *name,
			 struct vaccel_lib **lib)
{
	const char *path;
	char fd_path[64];
	int fd, ret;

	if (!blob || !name || !lib) {
		vaccel_error("vaccel_lib_open_blob: invalid %s",
			     !blob ? "blob" : !name ? "name" : "lib");
		return VACCEL_EINVAL;
	}
	path = vaccel_blob_path(blob);
	if (path)
		return lib_load(VACCEL_LIB_FROM_RESOURCE, path, mode, name, -1,
				lib);
	fd = blob_to_memfd(blob, name);
	if (fd < 0)
		return VACCEL_EIO;
	snprintf(fd_path, sizeof(fd_path), "/proc/self/fd/%d", fd);
	ret = lib_load(VACCEL_LIB_FROM_RESOURCE, fd_path, mode, name, fd, lib);
	if (ret)
		close(fd);
	return ret;
}

int vaccel_lib_symbol(struct vaccel_lib *lib, const char *name, void **fn)
{
	const ElfW(Sym) *sym = NULL;
	struct link_map *owner = NULL;
	Dl_info info;
	void *addr;
	int type;

	if (!lib || !name || !fn) {
		vaccel_error("vaccel_lib_symbol: invalid %s",
			     !lib ? "lib" : !name ? "name" : "fn");
		return VACCEL_EINVAL;
	}
	dlerror();
	addr = dlsym(lib->handle, name);
	if (!addr) {
		const char *err = dlerror();

		vaccel_error("symbol %s not found in %s: %s", name, lib->name,
			     err ? err : "NULL symbol");
		return VACCEL_ENOSYS;
	}
	/* dlsym() also searches the library's dependencies; only the
	 * library's own definitions may run. */
	if (!dladdr1(addr, &info, (void **)&owner, RTLD_DL_LINKMAP) ||
	    owner != lib->map) {
		vaccel_error("Symbol %s refused: %s does not define it (one of its dependencies does)",
			     name, lib->name);
		return VACCEL_EPERM;
	}
	if (!dladdr1(addr, &info, (void **)&sym, RTLD_DL_SYMENT) || !sym) {
		vaccel_error("Symbol %s of %s refused: no symbol table entry",
			     name, lib->name);
		return VACCEL_EPERM;
	}
	/* st_info has the same layout in ELF32 and ELF64. */
	type = ELF32_ST_TYPE(sym->st_info);
	if (type != STT_FUNC && type != STT_GNU_IFUNC) {
		vaccel_error("Symbol %s of %s refused: it is not a function",
			     name, lib->name);
		return VACCEL_EPERM;
	}
	if (policy_on && policy.symbol) {
		int ret = policy.symbol(policy.ctx, lib->cookie, name);

		if (ret)
			return ret;
	}
	*fn = addr;
	return VACCEL_OK;
}

void vaccel_lib_close(struct vaccel_lib *lib)
{
	if (!lib)
		return;
	dlclose(lib->handle);
	if (lib->fd >= 0)
		close(lib->fd);
	free(lib);
}
