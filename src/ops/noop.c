// SPDX-License-Identifier: Apache-2.0
/*
 * vaccel_noop: the cheapest possible dispatch, used to measure the overhead
 * of the op path itself. Keep it free of anything but the session check,
 * the inline lookup and the disabled log/profiling branches.
 */
#include "ops.h"

int vaccel_noop(struct vaccel_session *sess)
{
	int ret;

	ret = vaccel__session_check(sess, __func__);
	if (__builtin_expect(ret != VACCEL_OK, 0))
		return ret;

	VACCEL__OP_DISPATCH(ret, sess, VACCEL_OP_NOOP, noop, sess);
	return ret;
}

int vaccel__noop_unpack(struct vaccel_session *sess, vaccel_op_type_t op,
			struct vaccel_arg *read, int nr_read,
			struct vaccel_arg *write, int nr_write)
{
	(void)read;
	(void)write;

	if (vaccel__genop_check_count(nr_read, 0, "read", op) ||
	    vaccel__genop_check_count(nr_write, 0, "write", op))
		return VACCEL_EINVAL;
	return vaccel_noop(sess);
}
