// SPDX-License-Identifier: Apache-2.0
/*
 * A function for exec that holds its op open until the test lets it go:
 * waitfn(STRING fifo) opens the FIFO for reading (which blocks until the
 * test opens it for writing: from then on the test knows the op is
 * running) and returns once the test closes it. tenants_test uses it for
 * the per-tenant limit on running ops.
 */
#include <fcntl.h>
#include <unistd.h>
#include <vaccel.h>

__attribute__((visibility("default"))) int
waitfn(struct vaccel_arg *in, size_t nr_in, struct vaccel_arg *out,
       size_t nr_out);

int waitfn(struct vaccel_arg *in, size_t nr_in, struct vaccel_arg *out,
	   size_t nr_out)
{
	char b[64];
	int fd;

	(void)out;
	(void)nr_out;
	if (nr_in < 1 || in[0].size < 2 ||
	    ((const char *)in[0].buf)[in[0].size - 1] != '\0')
		return 1;
	fd = open(in[0].buf, O_RDONLY);
	if (fd < 0)
		return 1;
	while (read(fd, b, sizeof(b)) > 0)
		;
	close(fd);
	return 0;
}
