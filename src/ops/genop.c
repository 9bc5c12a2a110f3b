// SPDX-License-Identifier: Apache-2.0
/*
 * vaccel_genop: an op expressed as argument lists. Transport plugins get
 * the lists unchanged through their `genop` hook; otherwise the op type in
 * read[0] selects an unpacker that checks the layout and calls the typed
 * op, so that argument validation happens once, in the typed function.
 */
#include "ops.h"
#include <string.h>

/* Ops with no entry here (TF, TFLite, Torch) have no genop layout. */
static const vaccel__genop_unpack_fn unpackers[VACCEL_OP_MAX] = {
	[VACCEL_OP_NOOP] = vaccel__noop_unpack,
	[VACCEL_OP_EXEC] = vaccel__exec_unpack,
	[VACCEL_OP_EXEC_WITH_RESOURCE] = vaccel__exec_with_resource_unpack,
	[VACCEL_OP_IMAGE_CLASSIFY] = vaccel__image_unpack,
	[VACCEL_OP_IMAGE_DETECT] = vaccel__image_unpack,
	[VACCEL_OP_IMAGE_SEGMENT] = vaccel__image_unpack,
	[VACCEL_OP_IMAGE_POSE] = vaccel__image_unpack,
	[VACCEL_OP_IMAGE_DEPTH] = vaccel__image_unpack,
	[VACCEL_OP_BLAS_SGEMM] = vaccel__sgemm_unpack,
	[VACCEL_OP_FPGA_ARRAYCOPY] = vaccel__fpga_unpack,
	[VACCEL_OP_FPGA_MMULT] = vaccel__fpga_unpack,
	[VACCEL_OP_FPGA_PARALLEL] = vaccel__fpga_unpack,
	[VACCEL_OP_FPGA_VECTORADD] = vaccel__fpga_unpack,
	[VACCEL_OP_MINMAX] = vaccel__minmax_unpack,
	[VACCEL_OP_OPENCV] = vaccel__opencv_genop_unpack,
};

/*
 * Decodes the op type in `arg`: a 1-byte UINT8 (or RAW) as documented, or
 * a 4-byte native-endian integer (RAW, INT32, UINT32, or UINT8 as some
 * older wrappers label it) as programs written for older releases send it.
 */
static int op_type_decode(const struct vaccel_arg *arg, vaccel_op_type_t *op)
{
	long long value;

	if (arg->size == 1 &&
	    (arg->type == VACCEL_ARG_UINT8 || arg->type == VACCEL_ARG_RAW)) {
		uint8_t v;

		memcpy(&v, arg->buf, 1);
		value = v;
	} else if (arg->size == 4 &&
		   (arg->type == VACCEL_ARG_RAW ||
		    arg->type == VACCEL_ARG_INT32 ||
		    arg->type == VACCEL_ARG_UINT32 ||
		    arg->type == VACCEL_ARG_UINT8)) {
		int32_t v;

		memcpy(&v, arg->buf, 4);
		value = v;
	} else {
		vaccel_error("genop: op type arg has type %s and size %zu, expected UINT8 of size 1 or a 4-byte integer",
			     vaccel_arg_type_to_str(arg->type), arg->size);
		return VACCEL_EINVAL;
	}
	if (value < 0 || value >= VACCEL_OP_MAX) {
		vaccel_error("genop: unknown op type %lld", value);
		return VACCEL_EINVAL;
	}
	*op = (vaccel_op_type_t)value;
	return VACCEL_OK;
}

int vaccel_genop(struct vaccel_session *sess, struct vaccel_arg *read,
		 int nr_read, struct vaccel_arg *write, int nr_write)
{
	const struct vaccel_plugin_desc *desc;
	vaccel_op_type_t op;
	int ret;

	ret = vaccel__session_check(sess, __func__);
	if (ret)
		return ret;
	if (nr_read < 1) {
		vaccel_error("%s: needs at least the op type read arg, got %d",
			     __func__, nr_read);
		return VACCEL_EINVAL;
	}
	ret = vaccel__ops_check_args(read, nr_read, "read", __func__);
	if (ret)
		return ret;
	ret = vaccel__ops_check_args(write, nr_write, "write", __func__);
	if (ret)
		return ret;

	/* Transports forward the lists unparsed: the agent's core unpacks
	 * them on the other side. */
	desc = &sess->plugin->d;
	if (desc->genop) {
		vaccel_debug("%s: session %lld forwards genop to plugin %s",
			     __func__, (long long)sess->id, desc->name);
		ret = vaccel__session_enter(sess);
		if (ret)
			return ret;
		ret = desc->genop(sess, read, nr_read, write, nr_write);
		vaccel__session_leave(sess);
		return ret;
	}

	ret = op_type_decode(&read[0], &op);
	if (ret)
		return ret;
	if (!unpackers[op]) {
		vaccel_error("%s: %s has no generic form", __func__,
			     vaccel_op_type_to_str(op));
		return VACCEL_ENOTSUP;
	}
	vaccel_debug("%s: session %lld unpacks %s (%d read, %d write args)",
		     __func__, (long long)sess->id, vaccel_op_type_to_str(op),
		     nr_read - 1, nr_write);
	return unpackers[op](sess, op, nr_read > 1 ? &read[1] : NULL,
			     nr_read - 1, nr_write > 0 ? write : NULL,
			     nr_write);
}
