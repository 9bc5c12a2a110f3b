// SPDX-License-Identifier: Apache-2.0
/* vaccel_minmax and its genop form. */
#include "ops.h"

int vaccel_minmax(struct vaccel_session *sess, const double *indata, int ndata,
		  int low_threshold, int high_threshold, double *outdata,
		  double *min, double *max)
{
	int ret;

	ret = vaccel__session_check(sess, __func__);
	if (ret)
		return ret;
	if (!indata || !outdata || !min || !max) {
		vaccel_error("%s: NULL buffer (indata %p, outdata %p, min %p, max %p)",
			     __func__, (const void *)indata, (void *)outdata,
			     (void *)min, (void *)max);
		return VACCEL_EINVAL;
	}
	if (ndata <= 0) {
		vaccel_error("%s: ndata %d must be positive", __func__, ndata);
		return VACCEL_EINVAL;
	}
	if (low_threshold > high_threshold) {
		vaccel_error("%s: low threshold %d is above high threshold %d",
			     __func__, low_threshold, high_threshold);
		return VACCEL_EINVAL;
	}

	VACCEL__OP_DISPATCH(ret, sess, VACCEL_OP_MINMAX, minmax, sess, indata,
			    ndata, low_threshold, high_threshold, outdata, min,
			    max);
	return ret;
}

/* read: in, ndata, low, high; write: out, min, max. */
int vaccel__minmax_unpack(struct vaccel_session *sess, vaccel_op_type_t op,
			  struct vaccel_arg *read, int nr_read,
			  struct vaccel_arg *write, int nr_write)
{
	int32_t ndata, low, high;
	void *in, *out, *min, *max;
	size_t count;

	if (vaccel__genop_check_count(nr_read, 4, "read", op) ||
	    vaccel__genop_check_count(nr_write, 3, "write", op))
		return VACCEL_EINVAL;
	if (vaccel__genop_get_int32(read, nr_read, 1, "ndata", &ndata) ||
	    vaccel__genop_get_int32(read, nr_read, 2, "low", &low) ||
	    vaccel__genop_get_int32(read, nr_read, 3, "high", &high))
		return VACCEL_EINVAL;
	if (ndata <= 0) {
		vaccel_error("genop: minmax ndata %d must be positive", ndata);
		return VACCEL_EINVAL;
	}
	/* Both arrays must hold ndata doubles; min and max exactly one. */
	if (vaccel__genop_get_array(read, nr_read, 0, "indata",
				    VACCEL_ARG_FLOAT64_ARRAY, (size_t)ndata,
				    &in, &count) ||
	    vaccel__genop_get_array(write, nr_write, 0, "outdata",
				    VACCEL_ARG_FLOAT64_ARRAY, (size_t)ndata,
				    &out, &count))
		return VACCEL_EINVAL;
	if (write[1].size != sizeof(double) || write[2].size != sizeof(double) ||
	    (write[1].type != VACCEL_ARG_FLOAT64 &&
	     write[1].type != VACCEL_ARG_RAW) ||
	    (write[2].type != VACCEL_ARG_FLOAT64 &&
	     write[2].type != VACCEL_ARG_RAW)) {
		vaccel_error("genop: minmax min/max write args must be FLOAT64 of size %zu (got %s/%zu, %s/%zu)",
			     sizeof(double),
			     vaccel_arg_type_to_str(write[1].type),
			     write[1].size,
			     vaccel_arg_type_to_str(write[2].type),
			     write[2].size);
		return VACCEL_EINVAL;
	}
	min = write[1].buf;
	max = write[2].buf;

	return vaccel_minmax(sess, in, ndata, low, high, out, min, max);
}
