// SPDX-License-Identifier: Apache-2.0
/*
 * libmytestlib.so: the library the exec examples run. mytestfunc reads one
 * INT32 and writes it doubled, so a caller can check that the call really
 * happened on the plugin's side.
 */
#include <stdio.h>
#include <string.h>
#include <vaccel.h>

__attribute__((visibility("default"))) int
mytestfunc(struct vaccel_arg *read, size_t nr_read, struct vaccel_arg *write,
	   size_t nr_write);

int mytestfunc(struct vaccel_arg *read, size_t nr_read,
	       struct vaccel_arg *write, size_t nr_write)
{
	int32_t in, out;

	if (nr_read < 1 || nr_write < 1 || read[0].size != sizeof(in) ||
	    write[0].size != sizeof(out) || !read[0].buf || !write[0].buf) {
		fprintf(stderr, "mytestfunc: expects one INT32 read and one INT32 write arg\n");
		return 1;
	}
	memcpy(&in, read[0].buf, sizeof(in));
	/* Wraps instead of overflowing for large inputs. */
	out = (int32_t)((uint32_t)in * 2u);
	memcpy(write[0].buf, &out, sizeof(out));
	return 0;
}
