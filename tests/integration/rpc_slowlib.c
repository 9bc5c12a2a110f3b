// SPDX-License-Identifier: Apache-2.0
/*
 * A function for exec that takes a while: sleeps read[0] (INT32) ms and
 * writes 1 into write[0]. Lets tests kill a client mid-call and check that
 * one slow call does not stall other clients.
 */
#include <stdint.h>
#include <string.h>
#include <time.h>
#include <vaccel.h>

__attribute__((visibility("default"))) int
slowfn(struct vaccel_arg *read, size_t nr_read, struct vaccel_arg *write,
       size_t nr_write);

int slowfn(struct vaccel_arg *read, size_t nr_read, struct vaccel_arg *write,
	   size_t nr_write)
{
	int32_t ms, one = 1;
	struct timespec ts;

	if (nr_read < 1 || read[0].size != sizeof(ms))
		return 1;
	memcpy(&ms, read[0].buf, sizeof(ms));
	ts.tv_sec = ms / 1000;
	ts.tv_nsec = (long)(ms % 1000) * 1000000L;
	nanosleep(&ts, NULL);
	if (nr_write >= 1 && write[0].size == sizeof(one))
		memcpy(write[0].buf, &one, sizeof(one));
	return 0;
}
