/* SPDX-License-Identifier: Apache-2.0 */
/* Small helpers shared by the example programs. */
#ifndef VACCEL_EXAMPLE_UTIL_H
#define VACCEL_EXAMPLE_UTIL_H

#include <stddef.h>
#include <stdint.h>

/* Reads a whole file into a malloc'd buffer (caller frees). Returns 0 or
 * an errno-style code after printing why to stderr. */
int example_read_file(const char *path, unsigned char **buf, size_t *len);

/* Parses a positive decimal count (iterations, sizes) or prints an error
 * naming `what` and returns -1. */
long example_parse_count(const char *s, const char *what);

/* CLOCK_MONOTONIC in nanoseconds. */
uint64_t example_now_ns(void);

/* Prints the time of one iteration when there is more than one. */
void example_print_iteration(long i, long iterations, uint64_t ns);

#endif /* VACCEL_EXAMPLE_UTIL_H */
