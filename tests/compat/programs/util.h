/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Small helpers the compat programs share, as upstream's examples share
 * theirs: reading a file into memory and printing a float vector.
 */
#ifndef COMPAT_UTIL_H
#define COMPAT_UTIL_H

#include <stdio.h>
#include <stdlib.h>

/* The whole file in a malloc'd buffer (the caller frees it), or NULL. */
static inline unsigned char *util_read_file(const char *path, size_t *len)
{
	unsigned char *buf = NULL;
	FILE *f = fopen(path, "rb");
	long n;

	if (!f)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) > 0 &&
	    fseek(f, 0, SEEK_SET) == 0) {
		buf = malloc((size_t)n);
		if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
			free(buf);
			buf = NULL;
		}
		*len = (size_t)n;
	}
	fclose(f);
	return buf;
}

/* "<what>: v0 v1 ..." with %g. */
static inline void util_print_floats(const char *what, const float *v,
				     size_t n)
{
	printf("%s:", what);
	for (size_t i = 0; i < n; i++)
		printf(" %g", (double)v[i]);
	printf("\n");
}

#endif /* COMPAT_UTIL_H */
