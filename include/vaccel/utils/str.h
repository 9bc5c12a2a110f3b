/* SPDX-License-Identifier: Apache-2.0 */
/*
 * String helpers of the public API.
 */
#ifndef VACCEL_UTILS_STR_H
#define VACCEL_UTILS_STR_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Lowercases `str` (ASCII letters only). With `alloc_lower` non-NULL the
 * result is a new malloc'd string in *alloc_lower, which the caller frees,
 * and `lower`/`size` are ignored; otherwise it is written into `lower`,
 * truncated to `size - 1` characters and always NUL-terminated (`lower` may
 * be `str` itself). Returns VACCEL_OK, VACCEL_EINVAL (NULL `str`, or no
 * output: neither `alloc_lower` nor `lower` with `size > 0`) or
 * VACCEL_ENOMEM. Thread-safe.
 */
int vaccel_str_to_lower(const char *str, char *lower, size_t size,
			char **alloc_lower);

#ifdef __cplusplus
}
#endif

#endif /* VACCEL_UTILS_STR_H */
