// SPDX-License-Identifier: Apache-2.0
/*
 * Functions the exec plugin runs in the ops tests: a doubler, one that
 * fails, and a call counter whose static state shows whether the library
 * stayed loaded between calls.
 */
#include <string.h>
#include <vaccel.h>

#define EXPORT __attribute__((visibility("default")))

EXPORT int opstest_double(struct vaccel_arg *read, size_t nr_read,
			  struct vaccel_arg *write, size_t nr_write);
EXPORT int opstest_fail(struct vaccel_arg *read, size_t nr_read,
			struct vaccel_arg *write, size_t nr_write);
EXPORT int opstest_count(struct vaccel_arg *read, size_t nr_read,
			 struct vaccel_arg *write, size_t nr_write);

int opstest_double(struct vaccel_arg *read, size_t nr_read,
		   struct vaccel_arg *write, size_t nr_write)
{
	int32_t v;

	if (nr_read != 1 || nr_write != 1 || read[0].size != 4 ||
	    write[0].size != 4)
		return 1;
	memcpy(&v, read[0].buf, 4);
	v *= 2;
	memcpy(write[0].buf, &v, 4);
	return 0;
}

int opstest_fail(struct vaccel_arg *read, size_t nr_read,
		 struct vaccel_arg *write, size_t nr_write)
{
	(void)read;
	(void)nr_read;
	(void)write;
	(void)nr_write;
	return 3;
}

static int32_t calls;

int opstest_count(struct vaccel_arg *read, size_t nr_read,
		  struct vaccel_arg *write, size_t nr_write)
{
	(void)read;
	(void)nr_read;
	if (nr_write != 1 || write[0].size != 4)
		return 1;
	calls++;
	memcpy(write[0].buf, &calls, 4);
	return 0;
}
