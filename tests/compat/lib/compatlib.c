// SPDX-License-Identifier: Apache-2.0
/*
 * libcompatlib.so: the functions the compat programs run through exec and
 * exec_with_resource, written as a user of upstream vAccel writes them
 * (only <vaccel.h>, arguments read and written in place). Each one's
 * result is simple enough for the calling program to compute itself.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <vaccel.h>

#define EXPORT __attribute__((visibility("default")))

/* read[0] INT32 -> write[0] INT32, doubled (upstream's mytestfunc). */
EXPORT int mytestfunc(struct vaccel_arg *read, size_t nr_read,
		      struct vaccel_arg *write, size_t nr_write)
{
	int32_t in;

	if (nr_read < 1 || nr_write < 1 || read[0].size != sizeof(in) ||
	    write[0].size != sizeof(in)) {
		fprintf(stderr, "mytestfunc: expects one INT32 in, one out\n");
		return 1;
	}
	memcpy(&in, read[0].buf, sizeof(in));
	in *= 2;
	memcpy(write[0].buf, &in, sizeof(in));
	return 0;
}

/* read[0] INT32_ARRAY -> write[0] INT32_ARRAY of the same length, each
 * element doubled. */
EXPORT int double_array(struct vaccel_arg *read, size_t nr_read,
			struct vaccel_arg *write, size_t nr_write)
{
	struct vaccel_arg_array in, out;
	int32_t *a, *b;
	size_t na, nb;

	if (nr_read < 1 || nr_write < 1)
		return 1;
	vaccel_arg_array_wrap(&in, read, nr_read);
	vaccel_arg_array_wrap(&out, write, nr_write);
	if (vaccel_arg_array_get_int32_array(&in, &a, &na) ||
	    vaccel_arg_array_get_int32_array(&out, &b, &nb) || na != nb)
		return 1;
	for (size_t i = 0; i < na; i++)
		b[i] = 2 * a[i];
	return 0;
}

/* write[0] INT64 += read[0] INT64: reads its write argument too, so the
 * result depends on what the caller put there. */
EXPORT int accumulate(struct vaccel_arg *read, size_t nr_read,
		      struct vaccel_arg *write, size_t nr_write)
{
	int64_t add, total;

	if (nr_read < 1 || nr_write < 1 || read[0].size != sizeof(add) ||
	    write[0].size != sizeof(total))
		return 1;
	memcpy(&add, read[0].buf, sizeof(add));
	memcpy(&total, write[0].buf, sizeof(total));
	total += add;
	memcpy(write[0].buf, &total, sizeof(total));
	return 0;
}

/* read[0] STRING -> write[0] BUFFER: the string in upper case, NUL
 * included; write[1] UINT64: its length. */
EXPORT int upper(struct vaccel_arg *read, size_t nr_read,
		 struct vaccel_arg *write, size_t nr_write)
{
	const char *s;
	char *out;
	uint64_t n;

	if (nr_read < 1 || nr_write < 2 || !read[0].buf || !read[0].size)
		return 1;
	s = read[0].buf;
	n = strlen(s);
	if (write[0].size < n + 1 || write[1].size != sizeof(n))
		return 1;
	out = write[0].buf;
	for (uint64_t i = 0; i <= n; i++)
		out[i] = (s[i] >= 'a' && s[i] <= 'z') ? s[i] - 'a' + 'A' : s[i];
	memcpy(write[1].buf, &n, sizeof(n));
	return 0;
}

/*
 * The serialized form the exec_serialized program uses: a little header
 * (uint32 count) followed by `count` int32 values. read[0] holds one such
 * record; write[0] receives {int32 sum, int32 values[count] doubled}.
 * Written with the deprecated arg-list helpers, as older exec'd functions
 * are.
 */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
EXPORT int sum_and_double(struct vaccel_arg *read, size_t nr_read,
			  struct vaccel_arg *write, size_t nr_write)
{
	const uint8_t *in;
	int32_t out[65], v;
	uint32_t n;

	if (nr_read < 1 || nr_write < 1)
		return 1;
	in = vaccel_extract_serial_arg(read, 0);
	if (!in || read[0].size < sizeof(n))
		return 1;
	memcpy(&n, in, sizeof(n));
	if (n > 64 || read[0].size != sizeof(n) + n * sizeof(int32_t) ||
	    write[0].size != (n + 1) * sizeof(int32_t))
		return 1;
	out[0] = 0;
	for (uint32_t i = 0; i < n; i++) {
		memcpy(&v, in + sizeof(n) + i * sizeof(v), sizeof(v));
		out[0] += v;
		out[i + 1] = 2 * v;
	}
	return vaccel_write_serial_arg(write, 0, out) ? 1 : 0;
}
#pragma GCC diagnostic pop
