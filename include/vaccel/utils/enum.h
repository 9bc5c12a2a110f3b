/* SPDX-License-Identifier: Apache-2.0 */
/*
 * X-macro helpers for public enums.
 *
 * Every public enum is written once as a list macro
 *   #define MY_LIST(X) X(VACCEL_FOO_A, 0) X(VACCEL_FOO_B, 1)
 * and expanded with VACCEL_ENUM_DEFINE(my_enum, MY_LIST, VACCEL_FOO_MAX) into:
 *   - the typedef `my_enum_t` with a trailing VACCEL_FOO_MAX member,
 *   - `my_enum_to_str(v)`       -> "VACCEL_FOO_A"
 *   - `my_enum_to_base_str(v)`  -> "A" (the part after the prefix)
 *   - `my_enum_name(v, buf, n)` -> "a" written into buf (lowercase, through
 *     vaccel_str_to_lower(); truncated to n - 1 characters), returns buf,
 *     or NULL when buf is NULL or n is 0.
 * Out-of-range values map to "UNKNOWN"/"unknown".
 * The helpers are static inline, as upstream's are: no library symbols.
 */
#ifndef VACCEL_UTILS_ENUM_H
#define VACCEL_UTILS_ENUM_H

#include "str.h"
#include <stddef.h>
#include <string.h>

#ifdef __cplusplus
extern "C" {
#endif

#define VACCEL_ENUM_STR_MAX 128

#define VACCEL__ENUM_MEMBER(name, value) name = (value),
#define VACCEL__ENUM_CASE(name, value) \
	case name:                     \
		return #name;

/* Defines the enum type and its string helpers. `prefix_len` is the length
 * of the common prefix stripped by the _to_base_str() helper. */
#define VACCEL_ENUM_DEFINE(tname, LIST, max_name, prefix_len)                \
	typedef enum { LIST(VACCEL__ENUM_MEMBER) max_name } tname##_t;       \
	static inline const char *tname##_to_str(int value)                  \
	{                                                                    \
		switch (value) {                                             \
			LIST(VACCEL__ENUM_CASE)                              \
		default:                                                     \
			return "UNKNOWN";                                    \
		}                                                            \
	}                                                                    \
	static inline const char *tname##_to_base_str(int value)             \
	{                                                                    \
		const char *s = tname##_to_str(value);                       \
		return strcmp(s, "UNKNOWN") == 0 ? s : s + (prefix_len);     \
	}                                                                    \
	static inline char *tname##_name(int value, char *buf, size_t size)  \
	{                                                                    \
		if (!buf || size == 0)                                       \
			return NULL;                                         \
		vaccel_str_to_lower(tname##_to_base_str(value), buf, size,   \
				    NULL);                                   \
		return buf;                                                  \
	}

#ifdef __cplusplus
}
#endif

#endif /* VACCEL_UTILS_ENUM_H */
