/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Shared libraries that plugins load on behalf of a caller: the library of
 * an EXEC call and the blobs of a LIB resource (exec_with_resource).
 *
 * Plugins open such libraries with vaccel_lib_open() or
 * vaccel_lib_open_blob() and find functions with vaccel_lib_symbol(),
 * instead of calling dlopen() and dlsym() themselves. That makes one place
 * where two rules hold for every plugin:
 *
 *  - A symbol resolves only to a function the library itself defines,
 *    never to one of its dependencies: "abort", "exit" or "system" named
 *    through a library that links libc are refused (VACCEL_EPERM), and so
 *    is a data symbol (it is not code).
 *  - The program that embeds vAccel may install a policy
 *    (vaccel_lib_policy_set()) that decides which libraries may be opened
 *    and which of their functions may run. vaccel-agent installs the policy
 *    of its --exec-allow flags (docs/security.md); an op whose plugin opens
 *    no library is never subject to it.
 *
 * Thread-safety: the functions may be called from several threads; the
 * policy must be installed before any of them runs (at start-up).
 */
#ifndef VACCEL_LIB_H
#define VACCEL_LIB_H

#include "blob.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Where the bytes of a library come from. */
enum vaccel_lib_source {
	/* A path the caller named (EXEC's library argument). */
	VACCEL_LIB_FROM_PATH,
	/* A blob of a resource (exec_with_resource); on an agent, bytes a
	 * client uploaded. */
	VACCEL_LIB_FROM_RESOURCE,
};

struct vaccel_lib_policy {
	/*
	 * May the library at `path` be opened? For VACCEL_LIB_FROM_PATH
	 * `path` is the caller's string; for VACCEL_LIB_FROM_RESOURCE it
	 * names a file holding exactly the bytes that will be loaded (the
	 * policy may read it, e.g. to hash it). Returns VACCEL_OK to open it,
	 * optionally pointing *open_path at another name of the same file
	 * for the loader (storage owned by the policy, valid while it is
	 * installed) and *cookie at whatever `symbol` needs later; or a
	 * VACCEL_E* code (VACCEL_EPERM) to refuse, having logged why.
	 * Required.
	 */
	int (*open)(void *ctx, enum vaccel_lib_source source, const char *path,
		    const char **open_path, const void **cookie);
	/*
	 * May function `symbol` of a library that `open` admitted with
	 * `cookie` run? VACCEL_OK, or a code (VACCEL_EPERM) after logging.
	 * NULL: every function the library defines may run.
	 */
	int (*symbol)(void *ctx, const void *cookie, const char *symbol);
	void *ctx;
};

/* Installs `policy` (copied), or removes the policy with NULL. Returns
 * VACCEL_EINVAL when policy->open is NULL. */
int vaccel_lib_policy_set(const struct vaccel_lib_policy *policy);

struct vaccel_lib;

/*
 * Opens the library at `path` with dlopen() flags `mode` (RTLD_NOW or
 * RTLD_LAZY, | RTLD_GLOBAL or RTLD_LOCAL), after the policy admitted it.
 * On success *lib is the caller's (vaccel_lib_close). Returns
 * VACCEL_EINVAL (NULL arguments), the policy's code, VACCEL_ENOENT when the
 * loader fails (logged with its message) or VACCEL_ENOMEM.
 */
int vaccel_lib_open(const char *path, int mode, struct vaccel_lib **lib);
/*
 * The same for a blob of a resource: a FILE blob is opened by its path; a
 * BUFFER blob is copied into an anonymous memory file that stays open with
 * the library (nothing is written to disk). `name` names the library in log
 * lines ("resource 3"). The blob is only read.
 */
int vaccel_lib_open_blob(struct vaccel_blob *blob, int mode, const char *name,
			 struct vaccel_lib **lib);
/*
 * The function `name` defined by the library itself. VACCEL_EPERM when the
 * name resolves only through one of the library's dependencies, names data
 * rather than code, or the policy refuses it; VACCEL_ENOSYS when no such
 * symbol exists. Each refusal is logged with the library and the symbol.
 */
int vaccel_lib_symbol(struct vaccel_lib *lib, const char *name, void **fn);
/* Closes the library (dlclose) and frees *lib. Harmless on NULL. */
void vaccel_lib_close(struct vaccel_lib *lib);

#ifdef __cplusplus
}
#endif

#endif /* VACCEL_LIB_H */
