// SPDX-License-Identifier: Apache-2.0
/*
 * libvaccel-mixedlib.so: the library the mixed-architecture test runs with
 * exec and exec_with_resource, built for the architecture that runs the
 * ops (the agent's). mixed_echo reports what arrived, so that a field the
 * transport changed shows in the result:
 *
 *   write[0]  for each read arg: u32 type, u32 custom_type_id, u64 size
 *             (little-endian), then its bytes; zeros after the last one
 *   write[k]  (k >= 1) the bytes of read[k-1], each XORed with 0x5a + k,
 *             repeated to fill write[k]
 *
 * It returns 1 (the op fails with VACCEL_EBACKEND) when write[0] is too
 * small or a write arg has no read arg to echo.
 */
#include <stdint.h>
#include <string.h>
#include <vaccel.h>

__attribute__((visibility("default"))) int
mixed_echo(struct vaccel_arg *read, size_t nr_read, struct vaccel_arg *write,
	   size_t nr_write);

static void put_le(uint8_t *p, uint64_t v, int n)
{
	for (int i = 0; i < n; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

int mixed_echo(struct vaccel_arg *read, size_t nr_read,
	       struct vaccel_arg *write, size_t nr_write)
{
	uint8_t *rec;
	size_t used = 0;

	if (nr_write < 1 || nr_write > nr_read + 1 || !write[0].buf)
		return 1;
	rec = write[0].buf;
	memset(rec, 0, write[0].size);
	for (size_t i = 0; i < nr_read; i++) {
		if (write[0].size - used < 16 + read[i].size)
			return 1;
		put_le(rec + used, (uint64_t)read[i].type, 4);
		put_le(rec + used + 4, read[i].custom_type_id, 4);
		put_le(rec + used + 8, (uint64_t)read[i].size, 8);
		if (read[i].size)
			memcpy(rec + used + 16, read[i].buf, read[i].size);
		used += 16 + read[i].size;
	}
	for (size_t k = 1; k < nr_write; k++) {
		const uint8_t *src = read[k - 1].buf;
		uint8_t *dst = write[k].buf;
		size_t n = read[k - 1].size;

		if (!dst || (write[k].size && (!src || !n)))
			return 1;
		for (size_t j = 0; j < write[k].size; j++)
			dst[j] = src[j % n] ^ (uint8_t)(0x5a + k);
	}
	return 0;
}
