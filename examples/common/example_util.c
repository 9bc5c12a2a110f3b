// SPDX-License-Identifier: Apache-2.0
#include "example_util.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

int example_read_file(const char *path, unsigned char **buf, size_t *len)
{
	unsigned char *data = NULL;
	long size;
	FILE *f;
	int ret = 0;

	f = fopen(path, "rb");
	if (!f) {
		ret = errno;
		fprintf(stderr, "Could not open %s: %s\n", path, strerror(ret));
		return ret;
	}
	if (fseek(f, 0, SEEK_END) != 0 || (size = ftell(f)) < 0 ||
	    fseek(f, 0, SEEK_SET) != 0) {
		ret = EIO;
		fprintf(stderr, "Could not size %s\n", path);
		goto out;
	}
	data = malloc(size ? (size_t)size : 1);
	if (!data) {
		ret = ENOMEM;
		fprintf(stderr, "No memory for %ld bytes of %s\n", size, path);
		goto out;
	}
	if (fread(data, 1, (size_t)size, f) != (size_t)size) {
		ret = EIO;
		fprintf(stderr, "Could not read %s\n", path);
		free(data);
		goto out;
	}
	*buf = data;
	*len = (size_t)size;
out:
	fclose(f);
	return ret;
}

long example_parse_count(const char *s, const char *what)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end != '\0' || v <= 0) {
		fprintf(stderr, "Invalid %s: '%s' (expected a positive number)\n",
			what, s);
		return -1;
	}
	return v;
}

uint64_t example_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

void example_print_iteration(long i, long iterations, uint64_t ns)
{
	if (iterations > 1)
		printf("iteration %ld: %.3f us\n", i + 1, (double)ns / 1000.0);
}
