// SPDX-License-Identifier: Apache-2.0
/*
 * BLAS, minmax and FPGA ops of the noop plugin, with upstream's dummy
 * outputs: sgemm leaves C as it is; minmax copies the input to the output
 * and reports min -1.0 and max 10000.0; arraycopy copies; mmult fills the
 * result with 9.1; parallel gives a + b and 1.0; vadd gives a + b.
 */
#include "noop_plugin.h"
#include <string.h>

int noop_blas_sgemm(struct vaccel_session *sess, int64_t m, int64_t n,
		    int64_t k, float alpha, float *a, int64_t lda, float *b,
		    int64_t ldb, float beta, float *c, int64_t ldc)
{
	(void)a;
	(void)b;
	(void)c;
	vaccel_info("[noop] sgemm: session %lld m=%lld n=%lld k=%lld alpha=%f lda=%lld ldb=%lld beta=%f ldc=%lld",
		    (long long)sess->id, (long long)m, (long long)n,
		    (long long)k, alpha, (long long)lda, (long long)ldb, beta,
		    (long long)ldc);
	return VACCEL_OK;
}

/* Upstream's fixed bounds. */
#define NOOP_MIN (-1.0)
#define NOOP_MAX 10000.0

int noop_minmax(struct vaccel_session *sess, const double *indata, int ndata,
		int low_threshold, int high_threshold, double *outdata,
		double *min, double *max)
{
	vaccel_info("[noop] minmax: session %lld ndata=%d low=%d high=%d",
		    (long long)sess->id, ndata, low_threshold,
		    high_threshold);
	memmove(outdata, indata, (size_t)ndata * sizeof(*indata));
	*min = NOOP_MIN;
	*max = NOOP_MAX;
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
	for (size_t i = 0; i < len_a; i++)
		c_array[i] = 9.1f;
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
		mult_output[i] = 1.0f;
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
