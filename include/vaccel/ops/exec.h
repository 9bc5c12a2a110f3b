/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Run a function from a shared library on the plugin's side. The function
 * must have the type vaccel_exec_fn. Read args are inputs; write args are
 * outputs whose buffers the function fills (sizes fixed by the caller).
 * Errors: VACCEL_EINVAL (bad arguments), VACCEL_ENOENT (library cannot be
 * opened), VACCEL_ENOSYS (symbol missing), VACCEL_EBACKEND (function
 * returned non-zero), VACCEL_EPERM (resource not registered with session).
 */
#ifndef VACCEL_OPS_EXEC_H
#define VACCEL_OPS_EXEC_H

#include "../arg.h"
#include "../resource.h"
#include "../session.h"
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef int (*vaccel_exec_fn)(struct vaccel_arg *read, size_t nr_read,
			      struct vaccel_arg *write, size_t nr_write);

int vaccel_exec(struct vaccel_session *sess, const char *library,
		const char *fn_symbol, struct vaccel_arg *read, size_t nr_read,
		struct vaccel_arg *write, size_t nr_write);

/* As vaccel_exec, with the library taken from a LIB resource registered
 * with the session: its blobs are loaded in order (dependencies first) and
 * the symbol is looked up in the last one. */
int vaccel_exec_with_resource(struct vaccel_session *sess,
			      struct vaccel_resource *resource,
			      const char *fn_symbol, struct vaccel_arg *read,
			      size_t nr_read, struct vaccel_arg *write,
			      size_t nr_write);

#ifdef __cplusplus
}
#endif

#endif /* VACCEL_OPS_EXEC_H */
