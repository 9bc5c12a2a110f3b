// SPDX-License-Identifier: Apache-2.0
/*
 * sgemm: C = alpha * A * B + beta * C for a 3 x 5 by 5 x 4 product, through
 * vaccel_sgemm and through genop, compared with the product the program
 * computes itself. The values are small integers (and alpha, beta halves),
 * so every result is exact in float and the comparison is equality.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <vaccel.h>

#define M 3
#define N 4
#define K 5

static int failures;

static void reference(const float *a, const float *b, const float *c0,
		      float alpha, float beta, float *out)
{
	for (int i = 0; i < M; i++)
		for (int j = 0; j < N; j++) {
			float acc = 0;

			for (int p = 0; p < K; p++)
				acc += a[i * K + p] * b[p * N + j];
			out[i * N + j] = alpha * acc + beta * c0[i * N + j];
		}
}

static void show(const char *what, int ret, const float *c, const float *want)
{
	int same = 1;

	if (ret) {
		printf("%s: error %d\n", what, ret);
		failures++;
		return;
	}
	printf("%s:", what);
	for (int i = 0; i < M * N; i++) {
		printf(" %g", (double)c[i]);
		same &= c[i] == want[i];
	}
	printf(" %s\n", same ? "ok" : "WRONG");
	failures += !same;
}

int main(void)
{
	struct vaccel_session sess;
	float a[M * K], b[K * N], c0[M * N], c[M * N], want[M * N];
	float alpha = 1.5f, beta = 0.5f;
	int64_t m = M, n = N, k = K, lda = K, ldb = N, ldc = N;
	uint8_t op = VACCEL_OP_BLAS_SGEMM;
	struct vaccel_arg_array r, w;
	int ret;

	for (int i = 0; i < M * K; i++)
		a[i] = (float)(i % 7 - 3);
	for (int i = 0; i < K * N; i++)
		b[i] = (float)(i % 5 + 1);
	for (int i = 0; i < M * N; i++)
		c0[i] = (float)(2 * i);
	reference(a, b, c0, alpha, beta, want);

	ret = vaccel_session_init(&sess, 0);
	if (ret) {
		fprintf(stderr, "Could not initialize session: %d\n", ret);
		return 1;
	}
	memcpy(c, c0, sizeof(c));
	ret = vaccel_sgemm(&sess, M, N, K, alpha, a, K, b, N, beta, c, N);
	show("sgemm", ret, c, want);

	memcpy(c, c0, sizeof(c));
	vaccel_arg_array_init(&r, 11);
	vaccel_arg_array_init(&w, 1);
	vaccel_arg_array_add_uint8(&r, &op);
	vaccel_arg_array_add_int64(&r, &m);
	vaccel_arg_array_add_int64(&r, &n);
	vaccel_arg_array_add_int64(&r, &k);
	vaccel_arg_array_add_float(&r, &alpha);
	vaccel_arg_array_add_float_array(&r, a, M * K);
	vaccel_arg_array_add_int64(&r, &lda);
	vaccel_arg_array_add_float_array(&r, b, K * N);
	vaccel_arg_array_add_int64(&r, &ldb);
	vaccel_arg_array_add_float(&r, &beta);
	vaccel_arg_array_add_int64(&r, &ldc);
	vaccel_arg_array_add_float_array(&w, c, M * N);
	ret = vaccel_genop(&sess, r.args, (int)r.count, w.args, (int)w.count);
	show("genop sgemm", ret, c, want);
	vaccel_arg_array_release(&r);
	vaccel_arg_array_release(&w);

	vaccel_session_release(&sess);
	return failures ? 1 : 0;
}
