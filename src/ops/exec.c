// SPDX-License-Identifier: Apache-2.0
/* vaccel_exec and vaccel_exec_with_resource, and their genop forms. */
#include "ops.h"

/* Common checks of the function name and both argument lists. */
static int check_exec_args(const char *fn_symbol, struct vaccel_arg *read,
			   size_t nr_read, struct vaccel_arg *write,
			   size_t nr_write, const char *func)
{
	int ret;

	if (!fn_symbol || !fn_symbol[0]) {
		vaccel_error("%s: no function symbol given", func);
		return VACCEL_EINVAL;
	}
	if (nr_read > INT32_MAX || nr_write > INT32_MAX) {
		vaccel_error("%s: too many args (%zu read, %zu write)", func,
			     nr_read, nr_write);
		return VACCEL_EINVAL;
	}
	ret = vaccel__ops_check_args(read, (long long)nr_read, "read", func);
	if (ret)
		return ret;
	return vaccel__ops_check_args(write, (long long)nr_write, "write",
				      func);
}

int vaccel_exec(struct vaccel_session *sess, const char *library,
		const char *fn_symbol, struct vaccel_arg *read, size_t nr_read,
		struct vaccel_arg *write, size_t nr_write)
{
	int ret;

	ret = vaccel__session_check(sess, __func__);
	if (ret)
		return ret;
	if (!library || !library[0]) {
		vaccel_error("%s: no library given", __func__);
		return VACCEL_EINVAL;
	}
	ret = check_exec_args(fn_symbol, read, nr_read, write, nr_write,
			      __func__);
	if (ret)
		return ret;

	vaccel_debug("%s: session %lld runs %s from %s (%zu read, %zu write args)",
		     __func__, (long long)sess->id, fn_symbol, library,
		     nr_read, nr_write);
	VACCEL__OP_DISPATCH(ret, sess, VACCEL_OP_EXEC, exec, sess, library,
			    fn_symbol, read, nr_read, write, nr_write);
	return ret;
}

int vaccel_exec_with_resource(struct vaccel_session *sess,
			      struct vaccel_resource *resource,
			      const char *fn_symbol, struct vaccel_arg *read,
			      size_t nr_read, struct vaccel_arg *write,
			      size_t nr_write)
{
	int ret;

	ret = vaccel__session_check(sess, __func__);
	if (ret)
		return ret;
	ret = vaccel__session_check_resource(sess, resource,
					     VACCEL_RESOURCE_LIB, __func__);
	if (ret)
		return ret;
	ret = check_exec_args(fn_symbol, read, nr_read, write, nr_write,
			      __func__);
	if (ret)
		return ret;

	vaccel_debug("%s: session %lld runs %s from resource %lld",
		     __func__, (long long)sess->id, fn_symbol,
		     (long long)resource->id);
	VACCEL__OP_DISPATCH(ret, sess, VACCEL_OP_EXEC_WITH_RESOURCE,
			    exec_with_resource, sess, resource, fn_symbol,
			    read, nr_read, write, nr_write);
	return ret;
}

int vaccel__exec_unpack(struct vaccel_session *sess, vaccel_op_type_t op,
			struct vaccel_arg *read, int nr_read,
			struct vaccel_arg *write, int nr_write)
{
	const char *library, *symbol;
	(void)op;

	if (vaccel__genop_get_string(read, nr_read, 0, "library", &library) ||
	    vaccel__genop_get_string(read, nr_read, 1, "symbol", &symbol))
		return VACCEL_EINVAL;
	return vaccel_exec(sess, library, symbol,
			   nr_read > 2 ? &read[2] : NULL, (size_t)nr_read - 2,
			   write, (size_t)nr_write);
}

int vaccel__exec_with_resource_unpack(struct vaccel_session *sess,
				      vaccel_op_type_t op,
				      struct vaccel_arg *read, int nr_read,
				      struct vaccel_arg *write, int nr_write)
{
	struct vaccel_resource *res = NULL;
	const char *symbol;
	int64_t id;
	int ret;
	(void)op;

	if (vaccel__genop_get_int64(read, nr_read, 0, "resource id", &id) ||
	    vaccel__genop_get_string(read, nr_read, 1, "symbol", &symbol))
		return VACCEL_EINVAL;
	ret = vaccel_resource_get_by_id(&res, id);
	if (ret || !res) {
		vaccel_error("genop: no resource with id %lld", (long long)id);
		return ret ? ret : VACCEL_EINVAL;
	}
	return vaccel_exec_with_resource(sess, res, symbol,
					 nr_read > 2 ? &read[2] : NULL,
					 (size_t)nr_read - 2, write,
					 (size_t)nr_write);
}
