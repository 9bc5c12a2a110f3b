// SPDX-License-Identifier: Apache-2.0
/* Legacy FPGA demo ops and their genop forms. */
#include "ops.h"

/* Lengths are element counts; plugins index with int, so cap them. */
static int check_len(size_t len, const char *what, const char *func)
{
	if (len == 0 || len > INT32_MAX) {
		vaccel_error("%s: %s %zu is out of range", func, what, len);
		return VACCEL_EINVAL;
	}
	return VACCEL_OK;
}

static int null_buf(const char *func, const char *names)
{
	vaccel_error("%s: NULL buffer among %s", func, names);
	return VACCEL_EINVAL;
}

int vaccel_fpga_arraycopy(struct vaccel_session *sess, int array[],
			  int out_array[], size_t len_array)
{
	int ret;

	ret = vaccel__session_check(sess, __func__);
	if (ret)
		return ret;
	if (!array || !out_array)
		return null_buf(__func__, "array, out_array");
	ret = check_len(len_array, "len_array", __func__);
	if (ret)
		return ret;

	VACCEL__OP_DISPATCH(ret, sess, VACCEL_OP_FPGA_ARRAYCOPY,
			    fpga_arraycopy, sess, array, out_array, len_array);
	return ret;
}

int vaccel_fpga_mmult(struct vaccel_session *sess, float a_array[],
		      float b_array[], float c_array[], size_t len_a)
{
	int ret;

	ret = vaccel__session_check(sess, __func__);
	if (ret)
		return ret;
	if (!a_array || !b_array || !c_array)
		return null_buf(__func__, "a_array, b_array, c_array");
	ret = check_len(len_a, "len_a", __func__);
	if (ret)
		return ret;

	VACCEL__OP_DISPATCH(ret, sess, VACCEL_OP_FPGA_MMULT, fpga_mmult, sess,
			    a_array, b_array, c_array, len_a);
	return ret;
}

int vaccel_fpga_parallel(struct vaccel_session *sess, float a_array[],
			 float b_array[], float add_output[],
			 float mult_output[], size_t len_a)
{
	int ret;

	ret = vaccel__session_check(sess, __func__);
	if (ret)
		return ret;
	if (!a_array || !b_array || !add_output || !mult_output)
		return null_buf(__func__,
				"a_array, b_array, add_output, mult_output");
	ret = check_len(len_a, "len_a", __func__);
	if (ret)
		return ret;

	VACCEL__OP_DISPATCH(ret, sess, VACCEL_OP_FPGA_PARALLEL, fpga_parallel,
			    sess, a_array, b_array, add_output, mult_output,
			    len_a);
	return ret;
}

int vaccel_fpga_vadd(struct vaccel_session *sess, float a[], float b[],
		     float c[], size_t len_a, size_t len_b)
{
	int ret;

	ret = vaccel__session_check(sess, __func__);
	if (ret)
		return ret;
	if (!a || !b || !c)
		return null_buf(__func__, "a, b, c");
	if (check_len(len_a, "len_a", __func__) ||
	    check_len(len_b, "len_b", __func__))
		return VACCEL_EINVAL;

	VACCEL__OP_DISPATCH(ret, sess, VACCEL_OP_FPGA_VECTORADD, fpga_vadd,
			    sess, a, b, c, len_a, len_b);
	return ret;
}

/*
 * Layouts (element counts are taken from the first input):
 *   ARRAYCOPY  read [INT32_ARRAY a]          write [INT32_ARRAY out >= a]
 *   MMULT      read [FLOAT32_ARRAY a, b = a] write [FLOAT32_ARRAY c >= a]
 *   PARALLEL   read [a, b = a]               write [add >= a, mult >= a]
 *   VECTORADD  read [a, b]                   write [c >= a]
 */
int vaccel__fpga_unpack(struct vaccel_session *sess, vaccel_op_type_t op,
			struct vaccel_arg *read, int nr_read,
			struct vaccel_arg *write, int nr_write)
{
	void *a, *b, *c, *d;
	size_t na, nb, count;

	if (op == VACCEL_OP_FPGA_ARRAYCOPY) {
		if (vaccel__genop_check_count(nr_read, 1, "read", op) ||
		    vaccel__genop_check_count(nr_write, 1, "write", op) ||
		    vaccel__genop_get_array(read, nr_read, 0, "array",
					    VACCEL_ARG_INT32_ARRAY, 1, &a,
					    &na) ||
		    vaccel__genop_get_array(write, nr_write, 0, "out_array",
					    VACCEL_ARG_INT32_ARRAY, na, &c,
					    &count))
			return VACCEL_EINVAL;
		return vaccel_fpga_arraycopy(sess, a, c, na);
	}

	if (vaccel__genop_check_count(nr_read, 2, "read", op) ||
	    vaccel__genop_check_count(nr_write,
				      op == VACCEL_OP_FPGA_PARALLEL ? 2 : 1,
				      "write", op) ||
	    vaccel__genop_get_array(read, nr_read, 0, "a",
				    VACCEL_ARG_FLOAT32_ARRAY, 1, &a, &na))
		return VACCEL_EINVAL;
	/* Only vector add takes inputs of different lengths. */
	if (vaccel__genop_get_array(read, nr_read, 1, "b",
				    VACCEL_ARG_FLOAT32_ARRAY,
				    op == VACCEL_OP_FPGA_VECTORADD ? 1 : na,
				    &b, &nb))
		return VACCEL_EINVAL;

	switch (op) {
	case VACCEL_OP_FPGA_MMULT:
		if (vaccel__genop_get_array(write, nr_write, 0, "c",
					    VACCEL_ARG_FLOAT32_ARRAY, na, &c,
					    &count))
			return VACCEL_EINVAL;
		return vaccel_fpga_mmult(sess, a, b, c, na);
	case VACCEL_OP_FPGA_PARALLEL:
		if (vaccel__genop_get_array(write, nr_write, 0, "add_output",
					    VACCEL_ARG_FLOAT32_ARRAY, na, &c,
					    &count) ||
		    vaccel__genop_get_array(write, nr_write, 1, "mult_output",
					    VACCEL_ARG_FLOAT32_ARRAY, na, &d,
					    &count))
			return VACCEL_EINVAL;
		return vaccel_fpga_parallel(sess, a, b, c, d, na);
	case VACCEL_OP_FPGA_VECTORADD:
		if (vaccel__genop_get_array(write, nr_write, 0, "c",
					    VACCEL_ARG_FLOAT32_ARRAY, na, &c,
					    &count))
			return VACCEL_EINVAL;
		return vaccel_fpga_vadd(sess, a, b, c, na, nb);
	default:
		vaccel_error("genop: %s is not an FPGA op",
			     vaccel_op_type_to_str(op));
		return VACCEL_EINVAL;
	}
}
