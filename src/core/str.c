// SPDX-License-Identifier: Apache-2.0
/* String helpers of the public API (include/vaccel/utils/str.h). */

#include "vaccel/error.h"
#include "vaccel/log.h"
#include "vaccel/utils/str.h"
#include <stdlib.h>
#include <string.h>

static char ascii_lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

int vaccel_str_to_lower(const char *str, char *lower, size_t size,
			char **alloc_lower)
{
	size_t len;

	if (!str || (!alloc_lower && (!lower || size == 0))) {
		vaccel_error("vaccel_str_to_lower: %s",
			     !str ? "str is NULL" : "no output buffer");
		return VACCEL_EINVAL;
	}
	len = strlen(str);
	if (alloc_lower) {
		*alloc_lower = malloc(len + 1);
		if (!*alloc_lower) {
			vaccel_error("vaccel_str_to_lower: cannot allocate %zu bytes",
				     len + 1);
			return VACCEL_ENOMEM;
		}
		lower = *alloc_lower;
	} else if (len >= size) {
		len = size - 1;
	}
	/* Byte by byte, so that lower == str (in place) works too. */
	for (size_t i = 0; i < len; i++)
		lower[i] = ascii_lower(str[i]);
	lower[len] = '\0';
	return VACCEL_OK;
}
