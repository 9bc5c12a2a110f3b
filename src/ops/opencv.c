// SPDX-License-Identifier: Apache-2.0
/* vaccel_opencv_unpack: the OpenCV op, which only exists in list form. */
#include "ops.h"

int vaccel_opencv_unpack(struct vaccel_session *sess, struct vaccel_arg *read,
			 int nr_read, struct vaccel_arg *write, int nr_write)
{
	int ret;

	ret = vaccel__session_check(sess, __func__);
	if (ret)
		return ret;
	ret = vaccel__ops_check_args(read, nr_read, "read", __func__);
	if (ret)
		return ret;
	ret = vaccel__ops_check_args(write, nr_write, "write", __func__);
	if (ret)
		return ret;

	VACCEL__OP_DISPATCH(ret, sess, VACCEL_OP_OPENCV, opencv, sess, read,
			    nr_read, write, nr_write);
	return ret;
}

/* The lists pass through unchanged: their layout belongs to the plugin. */
int vaccel__opencv_genop_unpack(struct vaccel_session *sess,
				vaccel_op_type_t op, struct vaccel_arg *read,
				int nr_read, struct vaccel_arg *write,
				int nr_write)
{
	(void)op;
	return vaccel_opencv_unpack(sess, read, nr_read, write, nr_write);
}
