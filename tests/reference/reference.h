/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The reference plugin's results, as plain functions. The plugin
 * (reference.c) computes every op with these on the side that runs it (for
 * the rpc tests: inside the agent); the tests call the same functions
 * directly, on their own inputs, without any vAccel code in between. So a
 * result that crossed the rpc plugin, the codec, a transport and the agent
 * is compared with a value computed from the arguments the caller passed,
 * and every argument changes it: a dropped, swapped or truncated argument
 * anywhere on the way shows up as a mismatch.
 *
 *   sgemm            C = alpha * A * B + beta * C (row-major, lda/ldb/ldc)
 *   minmax           out[i] = in[i] clamped to [low, high]; min, max of in
 *   fpga_arraycopy   out = in
 *   fpga_mmult       c[i] = sum over j of a[j] * b[(i + j) % len]
 *   fpga_parallel    add = a + b, mult = a * b
 *   fpga_vadd        c[i] = a[i] + b[i] (b counts as 0 past len_b)
 *   image ops        "<op>:<hash of the image bytes>/<len>" into each text
 *                    output, truncated to its size (NUL-terminated)
 *   exec, opencv     each write arg filled with the bytes of a hash of the
 *                    library and symbol names (exec), every read arg's
 *                    type and bytes, and the write arg's index
 *   exec_with_resource  the same, over the resource's blob bytes instead
 *                    of the library name
 *
 * Test inputs use small integers and halves, so every float sum is exact
 * and the two sides agree bit for bit whatever the compiler contracts.
 */
#ifndef VACCEL_TEST_REFERENCE_H
#define VACCEL_TEST_REFERENCE_H

#include "vaccel.h"
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#define REF_HASH_INIT 0xcbf29ce484222325ULL

/* FNV-1a, continued from `h`. */
static inline uint64_t ref_hash(uint64_t h, const void *data, size_t n)
{
	const unsigned char *p = data;

	for (size_t i = 0; i < n; i++) {
		h ^= p[i];
		h *= 0x100000001b3ULL;
	}
	return h;
}

static inline uint64_t ref_hash_str(uint64_t h, const char *s)
{
	return ref_hash(h, s, strlen(s) + 1);
}

static inline uint64_t ref_hash_args(uint64_t h, const struct vaccel_arg *a,
				     size_t nr)
{
	for (size_t i = 0; i < nr; i++) {
		uint32_t type = (uint32_t)a[i].type;

		h = ref_hash(h, &type, sizeof(type));
		h = ref_hash(h, a[i].buf, a[i].size);
	}
	return h;
}

/* Fills each write arg with the bytes of hash(h, index). */
static inline void ref_fill_args(uint64_t h, struct vaccel_arg *w, size_t nr)
{
	for (size_t i = 0; i < nr; i++) {
		uint64_t v = ref_hash(h, &i, sizeof(i));
		unsigned char *p = w[i].buf;

		for (size_t j = 0; j < w[i].size; j++)
			p[j] = (unsigned char)(v >> (8 * (j % 8)));
	}
}

static inline void ref_sgemm(int64_t m, int64_t n, int64_t k, float alpha,
			     const float *a, int64_t lda, const float *b,
			     int64_t ldb, float beta, float *c, int64_t ldc)
{
	for (int64_t i = 0; i < m; i++) {
		for (int64_t j = 0; j < n; j++) {
			float acc = 0.0f;

			for (int64_t p = 0; p < k; p++)
				acc += a[i * lda + p] * b[p * ldb + j];
			c[i * ldc + j] = alpha * acc + beta * c[i * ldc + j];
		}
	}
}

static inline void ref_minmax(const double *in, int ndata, int low, int high,
			      double *out, double *min, double *max)
{
	*min = in[0];
	*max = in[0];
	for (int i = 0; i < ndata; i++) {
		double v = in[i];

		if (v < *min)
			*min = v;
		if (v > *max)
			*max = v;
		out[i] = v < low ? low : v > high ? high : v;
	}
}

static inline void ref_mmult(const float *a, const float *b, float *c,
			     size_t len)
{
	for (size_t i = 0; i < len; i++) {
		float acc = 0.0f;

		for (size_t j = 0; j < len; j++)
			acc += a[j] * b[(i + j) % len];
		c[i] = acc;
	}
}

static inline void ref_parallel(const float *a, const float *b, float *add,
				float *mult, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		add[i] = a[i] + b[i];
		mult[i] = a[i] * b[i];
	}
}

static inline void ref_vadd(const float *a, const float *b, float *c,
			    size_t len_a, size_t len_b)
{
	for (size_t i = 0; i < len_a; i++)
		c[i] = a[i] + (i < len_b ? b[i] : 0.0f);
}

/* "<what>:<hash>/<len>" into out (size bytes, NUL-terminated). */
static inline void ref_image_text(const char *what, const void *img,
				  size_t len_img, unsigned char *out,
				  size_t size)
{
	uint64_t h = ref_hash(ref_hash_str(REF_HASH_INIT, what), img, len_img);

	if (size)
		snprintf((char *)out, size, "%s:%016llx/%zu", what,
			 (unsigned long long)h, len_img);
}

#endif /* VACCEL_TEST_REFERENCE_H */
