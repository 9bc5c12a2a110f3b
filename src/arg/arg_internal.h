/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Helpers shared by the files of src/arg. Nothing here is installed or
 * meant for other modules.
 */
#ifndef VACCEL_ARG_INTERNAL_H
#define VACCEL_ARG_INTERNAL_H

#include "vaccel.h"
#include <stdbool.h>
#include <stddef.h>

/*
 * Returns NULL when (buf, size) is a valid value of `type` (the rules of
 * vaccel_arg_validate()), else a static phrase saying why it is not. It
 * logs nothing, so that each caller can log once with its own context.
 */
const char *vaccel__arg_invalid_reason(const void *buf, size_t size,
				       vaccel_arg_type_t type);

/* True for the *_ARRAY numeric types. */
bool vaccel__arg_type_is_array(vaccel_arg_type_t type);

/* How an argument's size must relate to the size a caller expects. */
enum vaccel__arg_size_rule {
	/* Exactly the given number of bytes. */
	VACCEL__ARG_SIZE_EXACT,
	/* A whole number of elements of the given size (zero included). */
	VACCEL__ARG_SIZE_MULTIPLE,
	/* Any size. */
	VACCEL__ARG_SIZE_ANY,
};

/* Pass as the expected type to accept an argument of any type. */
#define VACCEL__ARG_ANY_TYPE VACCEL_ARG_MAX

/*
 * Points *arg at the argument at `array->position` after checking that it
 * exists (VACCEL_ERANGE otherwise), has type `type` (unless
 * VACCEL__ARG_ANY_TYPE) and a size that obeys `rule` against `size`, and has
 * a buffer when its size is non-zero (VACCEL_EINVAL otherwise). Logs one
 * line prefixed with `func` on failure. Never moves the position.
 */
int vaccel__arg_array_expect(struct vaccel_arg_array *array, const char *func,
			     vaccel_arg_type_t type,
			     enum vaccel__arg_size_rule rule, size_t size,
			     struct vaccel_arg **arg);

/*
 * Appends a copy of the struct `arg` (not of its buffer) to `array`,
 * growing the storage when needed. The array takes over `arg->buf` if
 * `arg->owned`, but only on success. Returns VACCEL_ENOSPC for a wrapped
 * (fixed-size) array and VACCEL_ENOMEM when growing fails, with a log line
 * prefixed with `func`.
 */
int vaccel__arg_array_push(struct vaccel_arg_array *array, const char *func,
			   const struct vaccel_arg *arg);

/*
 * Makes room for `extra` more arguments without adding any, so that the
 * next `extra` pushes cannot fail. Same errors as vaccel__arg_array_push().
 */
int vaccel__arg_array_reserve(struct vaccel_arg_array *array,
			      const char *func, size_t extra);

#endif /* VACCEL_ARG_INTERNAL_H */
