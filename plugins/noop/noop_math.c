// SPDX-License-Identifier: Apache-2.0
/*
 * BLAS, minmax and FPGA ops of the noop plugin. sgemm computes nothing and
 * zeroes the m x n result, so a caller sees that the plugin ran and gets
 * the same output every time; minmax and the element-wise FPGA ops are
 * cheap enough to compute for real.
 */
#include "noop_plugin.h"
#include <string.h>

int noop_blas_sgemm(struct vaccel_session *sess, int64_t m, int64_t n,
		    int64_t k, float alpha, float *a, int64_t lda, float *b,
		    int64_t ldb, float beta, float *c, int64_t ldc)
{
	(void)a;
	(void)b;
	vaccel_info("[noop] sgemm: session %lld m=%lld n=%lld k=%lld alpha=%f lda=%lld ldb=%lld beta=%f ldc=%lld",
		    (long long)sess->id, (long long)m, (long long)n,
		    (long long)k, alpha, (long long)lda, (long long)ldb, beta,
		    (long long)ldc);
	for (int64_t i = 0; i < m; i++)
		memset(&c[i * ldc], 0, (size_t)n * sizeof(float));
	return VACCEL_OK;
}

int noop_minmax(struct vaccel_session *sess, const double *indata, int ndata,
		int low_threshold, int high_threshold, double *outdata,
		double *min, double *max)
{
	double lo = indata[0], hi = indata[0];

	vaccel_info("[noop] minmax: session %lld ndata=%d low=%d high=%d",
		    (long long)sess->id, ndata, low_threshold,
		    high_threshold);
	for (int i = 0; i < ndata; i++) {
		double v = indata[i];

		if (v < lo)
			lo = v;
		if (v > hi)
			hi = v;
		if (v < low_threshold)
			v = low_threshold;
		if (v > high_threshold)
			v = high_threshold;
		outdata[i] = v;
	}
	*min = lo;
	*max = hi;
	return VACCEL_OK;
}

int noop_fpga_arraycopy(struct vaccel_session *sess, int array[],
			int out_array[], size_t len_array)
{
	vaccel_info("[noop] fpga_arraycopy: session %lld len=%zu",
		    (long long)sess->id, len_array);
	memcpy(out_array, array, len_array * sizeof(int));
	return VACCEL_OK;
}

int noop_fpga_mmult(struct vaccel_session *sess, float a_array[],
		    float b_array[], float c_array[], size_t len_a)
{
	(void)a_array;
	(void)b_array;
	vaccel_info("[noop] fpga_mmult: session %lld len=%zu",
		    (long long)sess->id, len_a);
	memset(c_array, 0, len_a * sizeof(float));
	return VACCEL_OK;
}

int noop_fpga_parallel(struct vaccel_session *sess, float a_array[],
		       float b_array[], float add_output[],
		       float mult_output[], size_t len_a)
{
	vaccel_info("[noop] fpga_parallel: session %lld len=%zu",
		    (long long)sess->id, len_a);
	for (size_t i = 0; i < len_a; i++) {
		add_output[i] = a_array[i] + b_array[i];
		mult_output[i] = a_array[i] * b_array[i];
	}
	return VACCEL_OK;
}

/* c holds len_a elements; a shorter b counts as zeros past its end. */
int noop_fpga_vadd(struct vaccel_session *sess, float a[], float b[],
		   float c[], size_t len_a, size_t len_b)
{
	vaccel_info("[noop] fpga_vadd: session %lld len_a=%zu len_b=%zu",
		    (long long)sess->id, len_a, len_b);
	for (size_t i = 0; i < len_a; i++)
		c[i] = a[i] + (i < len_b ? b[i] : 0.0f);
	return VACCEL_OK;
}
