// SPDX-License-Identifier: Apache-2.0
/* vaccel_sgemm and its genop form. */
#include "ops.h"

/* Checks that a rows x ld matrix of floats is addressable: both positive
 * and rows * ld * sizeof(float) fits in size_t. */
static int check_matrix(const float *p, int64_t rows, int64_t ld,
			const char *name, const char *func)
{
	uint64_t elems;

	if (!p) {
		vaccel_error("%s: matrix %s is NULL", func, name);
		return VACCEL_EINVAL;
	}
	if (__builtin_mul_overflow((uint64_t)rows, (uint64_t)ld, &elems) ||
	    elems > SIZE_MAX / sizeof(float)) {
		vaccel_error("%s: matrix %s of %lld x %lld floats overflows",
			     func, name, (long long)rows, (long long)ld);
		return VACCEL_EINVAL;
	}
	return VACCEL_OK;
}

int vaccel_sgemm(struct vaccel_session *sess, int64_t m, int64_t n, int64_t k,
		 float alpha, float *a, int64_t lda, float *b, int64_t ldb,
		 float beta, float *c, int64_t ldc)
{
	int ret;

	ret = vaccel__session_check(sess, __func__);
	if (ret)
		return ret;
	if (m <= 0 || n <= 0 || k <= 0) {
		vaccel_error("%s: dimensions m=%lld n=%lld k=%lld must be positive",
			     __func__, (long long)m, (long long)n,
			     (long long)k);
		return VACCEL_EINVAL;
	}
	if (lda < k || ldb < n || ldc < n) {
		vaccel_error("%s: leading dimensions lda=%lld ldb=%lld ldc=%lld are below k=%lld / n=%lld",
			     __func__, (long long)lda, (long long)ldb,
			     (long long)ldc, (long long)k, (long long)n);
		return VACCEL_EINVAL;
	}
	if (check_matrix(a, m, lda, "a", __func__) ||
	    check_matrix(b, k, ldb, "b", __func__) ||
	    check_matrix(c, m, ldc, "c", __func__))
		return VACCEL_EINVAL;

	VACCEL__OP_DISPATCH(ret, sess, VACCEL_OP_BLAS_SGEMM, blas_sgemm, sess,
			    m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
	return ret;
}

/* read: m, n, k, alpha, a, lda, b, ldb, beta, ldc; write: c. */
int vaccel__sgemm_unpack(struct vaccel_session *sess, vaccel_op_type_t op,
			 struct vaccel_arg *read, int nr_read,
			 struct vaccel_arg *write, int nr_write)
{
	int64_t m, n, k, lda, ldb, ldc;
	float alpha, beta;
	void *a, *b, *c;
	size_t na, nb, nc, count;

	if (vaccel__genop_check_count(nr_read, 10, "read", op) ||
	    vaccel__genop_check_count(nr_write, 1, "write", op))
		return VACCEL_EINVAL;
	if (vaccel__genop_get_int64(read, nr_read, 0, "m", &m) ||
	    vaccel__genop_get_int64(read, nr_read, 1, "n", &n) ||
	    vaccel__genop_get_int64(read, nr_read, 2, "k", &k) ||
	    vaccel__genop_get_float(read, nr_read, 3, "alpha", &alpha) ||
	    vaccel__genop_get_int64(read, nr_read, 5, "lda", &lda) ||
	    vaccel__genop_get_int64(read, nr_read, 7, "ldb", &ldb) ||
	    vaccel__genop_get_float(read, nr_read, 8, "beta", &beta) ||
	    vaccel__genop_get_int64(read, nr_read, 9, "ldc", &ldc))
		return VACCEL_EINVAL;

	/* The buffers must hold the whole matrices the dimensions describe,
	 * or the plugin would read or write past them. */
	if (vaccel__genop_elems(m, lda, sizeof(float), "a", &na) ||
	    vaccel__genop_elems(k, ldb, sizeof(float), "b", &nb) ||
	    vaccel__genop_elems(m, ldc, sizeof(float), "c", &nc))
		return VACCEL_EINVAL;
	if (vaccel__genop_get_array(read, nr_read, 4, "a",
				    VACCEL_ARG_FLOAT32_ARRAY, na, &a, &count) ||
	    vaccel__genop_get_array(read, nr_read, 6, "b",
				    VACCEL_ARG_FLOAT32_ARRAY, nb, &b, &count) ||
	    vaccel__genop_get_array(write, nr_write, 0, "c",
				    VACCEL_ARG_FLOAT32_ARRAY, nc, &c, &count))
		return VACCEL_EINVAL;

	return vaccel_sgemm(sess, m, n, k, alpha, a, lda, b, ldb, beta, c,
			    ldc);
}
