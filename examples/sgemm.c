// SPDX-License-Identifier: Apache-2.0
/*
 * sgemm [iterations] [out_file] and sgemm_generic (same arguments):
 * C = 1.0 * A(m x k) * B(k x n) + 0.0 * C with small integer entries, so
 * the result is exact in float. Prints C[0] and C[last] as computed by the
 * plugin next to the values a plain C loop expects, and writes C to
 * out_file (one row per line) when given. EXAMPLE_GENERIC selects genop.
 */
#include "example_util.h"
#include <stdio.h>
#include <stdlib.h>
#include <vaccel.h>

#ifndef EXAMPLE_GENERIC
#define EXAMPLE_GENERIC 0
#endif

#define M 32
#define N 24
#define K 16

static int run(struct vaccel_session *sess, float *a, float *b, float *c)
{
	int64_t m = M, n = N, k = K, lda = K, ldb = N, ldc = N;
	float alpha = 1.0f, beta = 0.0f;

	if (!EXAMPLE_GENERIC)
		return vaccel_sgemm(sess, m, n, k, alpha, a, lda, b, ldb, beta,
				    c, ldc);

	uint8_t op = VACCEL_OP_BLAS_SGEMM;
	struct vaccel_arg read[11] = {
		{ .buf = &op, .size = 1, .type = VACCEL_ARG_UINT8 },
		{ .buf = &m, .size = 8, .type = VACCEL_ARG_INT64 },
		{ .buf = &n, .size = 8, .type = VACCEL_ARG_INT64 },
		{ .buf = &k, .size = 8, .type = VACCEL_ARG_INT64 },
		{ .buf = &alpha, .size = 4, .type = VACCEL_ARG_FLOAT32 },
		{ .buf = a, .size = M * K * sizeof(float),
		  .type = VACCEL_ARG_FLOAT32_ARRAY },
		{ .buf = &lda, .size = 8, .type = VACCEL_ARG_INT64 },
		{ .buf = b, .size = K * N * sizeof(float),
		  .type = VACCEL_ARG_FLOAT32_ARRAY },
		{ .buf = &ldb, .size = 8, .type = VACCEL_ARG_INT64 },
		{ .buf = &beta, .size = 4, .type = VACCEL_ARG_FLOAT32 },
		{ .buf = &ldc, .size = 8, .type = VACCEL_ARG_INT64 },
	};
	struct vaccel_arg write[1] = {
		{ .buf = c, .size = M * N * sizeof(float),
		  .type = VACCEL_ARG_FLOAT32_ARRAY },
	};
	return vaccel_genop(sess, read, 11, write, 1);
}

static int write_matrix(const char *path, const float *c)
{
	FILE *f = fopen(path, "w");

	if (!f) {
		perror(path);
		return 1;
	}
	for (int i = 0; i < M; i++)
		for (int j = 0; j < N; j++)
			fprintf(f, "%g%c", c[i * N + j], j + 1 < N ? ' ' : '\n');
	return fclose(f) ? 1 : 0;
}

int main(int argc, char **argv)
{
	static float a[M * K], b[K * N], c[M * N];
	struct vaccel_session sess = { 0 };
	float expect0 = 0, expect_last = 0;
	long iterations = 1;
	int ret;

	if (argc > 3) {
		fprintf(stderr, "Usage: %s [iterations] [out_file]\n", argv[0]);
		return 1;
	}
	if (argc >= 2 && (iterations = example_parse_count(argv[1],
							   "iterations")) < 0)
		return 1;

	for (int i = 0; i < M * K; i++)
		a[i] = (float)(i % 5 + 1);
	for (int i = 0; i < K * N; i++)
		b[i] = (float)(i % 3 + 1);
	for (int i = 0; i < M * N; i++)
		c[i] = -1.0f;
	for (int p = 0; p < K; p++) {
		expect0 += a[p] * b[p * N];
		expect_last += a[(M - 1) * K + p] * b[p * N + N - 1];
	}

	ret = vaccel_session_init(&sess, 0);
	if (ret) {
		fprintf(stderr, "Could not initialize session: %s\n",
			vaccel_strerror(ret));
		return 1;
	}
	printf("Initialized session with id: %lld\n", (long long)sess.id);

	for (long i = 0; i < iterations; i++) {
		uint64_t t0 = example_now_ns();

		ret = run(&sess, a, b, c);
		if (ret) {
			fprintf(stderr, "sgemm failed: %s\n",
				vaccel_strerror(ret));
			goto out;
		}
		example_print_iteration(i, iterations, example_now_ns() - t0);
	}
	printf("sgemm: C[0]=%g C[%d]=%g\n", c[0], M * N - 1, c[M * N - 1]);
	printf("expected: C[0]=%g C[%d]=%g\n", expect0, M * N - 1,
	       expect_last);
	if (argc == 3)
		ret = write_matrix(argv[2], c);
out:
	vaccel_session_release(&sess);
	return ret ? 1 : 0;
}
