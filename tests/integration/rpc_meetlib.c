// SPDX-License-Identifier: Apache-2.0
/*
 * Functions for exec that rpc_threads_test runs on the agent from many
 * threads of one client:
 *
 * triple(INT32 x) -> INT32 3x + 1: a result that belongs to its call.
 * meet(STRING dir, INT32 k) -> INT32 arrivals seen: leaves a file in dir
 *   and returns once k calls have left theirs, or once dir/release exists.
 *   k calls return only if k of them were inside the agent at the same
 *   time, which is how the test proves concurrency without a clock. It
 *   gives up (returns 1) after a minute, so that a broken run fails
 *   instead of hanging.
 * die() -> aborts the process it runs in: the agent's worker dies with
 *   the calls of its connection in flight.
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <vaccel.h>

__attribute__((visibility("default"))) int
triple(struct vaccel_arg *in, size_t nr_in, struct vaccel_arg *out,
       size_t nr_out);
__attribute__((visibility("default"))) int
meet(struct vaccel_arg *in, size_t nr_in, struct vaccel_arg *out,
     size_t nr_out);
__attribute__((visibility("default"))) int
die(struct vaccel_arg *in, size_t nr_in, struct vaccel_arg *out,
    size_t nr_out);

int triple(struct vaccel_arg *in, size_t nr_in, struct vaccel_arg *out,
	   size_t nr_out)
{
	int32_t x;

	if (nr_in < 1 || nr_out < 1 || in[0].size != 4 || out[0].size != 4)
		return 1;
	memcpy(&x, in[0].buf, 4);
	x = 3 * x + 1;
	memcpy(out[0].buf, &x, 4);
	return 0;
}

/* Files named a.* in dir; -1 when release is there. */
static int arrivals(const char *dir)
{
	struct dirent *e;
	DIR *d = opendir(dir);
	int n = 0;

	if (!d)
		return 0;
	while ((e = readdir(d))) {
		if (!strcmp(e->d_name, "release")) {
			n = -1;
			break;
		}
		if (!strncmp(e->d_name, "a.", 2))
			n++;
	}
	closedir(d);
	return n;
}

int meet(struct vaccel_arg *in, size_t nr_in, struct vaccel_arg *out,
	 size_t nr_out)
{
	const struct timespec pause = { 0, 1000000 };
	char path[4096];
	int32_t k, n = 0;
	int fd;

	if (nr_in < 2 || in[0].size < 2 || in[1].size != 4 ||
	    ((const char *)in[0].buf)[in[0].size - 1])
		return 1;
	memcpy(&k, in[1].buf, 4);
	snprintf(path, sizeof(path), "%s/a.XXXXXX", (const char *)in[0].buf);
	fd = mkstemp(path);
	if (fd < 0)
		return 1;
	close(fd);
	for (int i = 0; i < 60000; i++) {
		n = arrivals(in[0].buf);
		if (n < 0 || n >= k)
			break;
		nanosleep(&pause, NULL);
	}
	if (nr_out >= 1 && out[0].size == 4)
		memcpy(out[0].buf, &n, 4);
	return n < 0 || n >= k ? 0 : 1;
}

int die(struct vaccel_arg *in, size_t nr_in, struct vaccel_arg *out,
	size_t nr_out)
{
	(void)in;
	(void)nr_in;
	(void)out;
	(void)nr_out;
	abort();
}
