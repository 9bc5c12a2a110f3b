// SPDX-License-Identifier: Apache-2.0
/*
 * The main library of a two-blob LIB resource. It is linked without its
 * dependency, so opstest_dep_value only resolves if the exec plugin loaded
 * the dependency first with RTLD_GLOBAL.
 */
#include <string.h>
#include <vaccel.h>

int opstest_dep_value(void);

__attribute__((visibility("default"))) int
opstest_use_dep(struct vaccel_arg *read, size_t nr_read,
		struct vaccel_arg *write, size_t nr_write);

static int32_t calls;

int opstest_use_dep(struct vaccel_arg *read, size_t nr_read,
		    struct vaccel_arg *write, size_t nr_write)
{
	int32_t v[2];

	(void)read;
	(void)nr_read;
	if (nr_write != 1 || write[0].size != sizeof(v))
		return 1;
	calls++;
	v[0] = opstest_dep_value() * 2;
	v[1] = calls;
	memcpy(write[0].buf, v, sizeof(v));
	return 0;
}
