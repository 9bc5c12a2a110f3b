// SPDX-License-Identifier: Apache-2.0
/*
 * Typed ops packed into the genop layout (include/vaccel/ops/genop.h) and
 * forwarded as one OP message each.
 */
#include "rpc_plugin.h"

#include <stdlib.h>
#include <string.h>

#define ARG(t, p, n) ((struct rpc_arg){ (t), 0, 0, (n), (p), 0 })
#define OPARG(op) ARG(VACCEL_ARG_UINT8, &(op), 1)

int rpcc_noop(struct vaccel_session *sess)
{
	uint8_t op = VACCEL_OP_NOOP;
	struct rpc_arg rd[] = { OPARG(op) };

	return rpcc_op(sess, rd, 1, NULL, 0);
}

/* exec and exec_with_resource: three fixed read args, then the user's. */
static int exec_common(struct vaccel_session *sess, uint8_t op,
		       struct rpc_arg first, const char *fn_symbol,
		       struct vaccel_arg *read, size_t nr_read,
		       struct vaccel_arg *write, size_t nr_write)
{
	struct rpc_arg *rd, *wr;
	int ret;

	if (nr_read > RPC_MAX_ARGS - 3 || nr_write > RPC_MAX_ARGS) {
		vaccel_error("rpc: exec with %zu read / %zu write args exceeds %u",
			     nr_read, nr_write, RPC_MAX_ARGS);
		return VACCEL_EINVAL;
	}
	rd = calloc(nr_read + 3 + nr_write, sizeof(*rd));
	if (!rd) {
		vaccel_error("rpc: cannot allocate exec args");
		return VACCEL_ENOMEM;
	}
	wr = rd + nr_read + 3;
	rd[0] = OPARG(op);
	rd[1] = first;
	rd[2] = ARG(VACCEL_ARG_STRING, fn_symbol, strlen(fn_symbol) + 1);
	for (size_t i = 0; i < nr_read; i++)
		rd[i + 3] = (struct rpc_arg){ (uint32_t)read[i].type, 0,
					      read[i].custom_type_id,
					      read[i].size, read[i].buf, 0 };
	for (size_t i = 0; i < nr_write; i++)
		wr[i] = (struct rpc_arg){ (uint32_t)write[i].type, 0,
					  write[i].custom_type_id,
					  write[i].size, write[i].buf, 0 };
	ret = rpcc_op(sess, rd, (uint32_t)nr_read + 3, wr, (uint32_t)nr_write);
	free(rd);
	return ret;
}

int rpcc_exec(struct vaccel_session *sess, const char *library,
		const char *fn_symbol, struct vaccel_arg *read, size_t nr_read,
		struct vaccel_arg *write, size_t nr_write)
{
	return exec_common(sess, VACCEL_OP_EXEC,
			   ARG(VACCEL_ARG_STRING, library, strlen(library) + 1),
			   fn_symbol, read, nr_read, write, nr_write);
}

int rpcc_exec_with_resource(struct vaccel_session *sess,
			      struct vaccel_resource *resource,
			      const char *fn_symbol, struct vaccel_arg *read,
			      size_t nr_read, struct vaccel_arg *write,
			      size_t nr_write)
{
	struct rpcc_res *r;
	int64_t remote = 0;

	pthread_mutex_lock(&rpcc.lock);
	r = rpcc_res_find(resource->id);
	if (r && r->gen == rpcc.gen)
		remote = r->remote;
	pthread_mutex_unlock(&rpcc.lock);
	if (!remote) {
		vaccel_error("rpc: resource %lld is not registered with the agent",
			     (long long)resource->id);
		return VACCEL_EPERM;
	}
	return exec_common(sess, VACCEL_OP_EXEC_WITH_RESOURCE,
			   ARG(VACCEL_ARG_INT64, &remote, sizeof(remote)),
			   fn_symbol, read, nr_read, write, nr_write);
}

int rpcc_image_classification(struct vaccel_session *sess, const void *img,
				unsigned char *out_text,
				unsigned char *out_imgname, size_t len_img,
				size_t len_out_text, size_t len_out_imgname)
{
	uint8_t op = VACCEL_OP_IMAGE_CLASSIFY;
	struct rpc_arg rd[] = { OPARG(op), ARG(VACCEL_ARG_BUFFER, img,
					       len_img) };
	struct rpc_arg wr[] = {
		ARG(VACCEL_ARG_UCHAR_ARRAY, out_text, len_out_text),
		ARG(VACCEL_ARG_UCHAR_ARRAY, out_imgname, len_out_imgname),
	};

	return rpcc_op(sess, rd, 2, wr, 2);
}

static int image_one(struct vaccel_session *sess, uint8_t op, const void *img,
		     unsigned char *out_imgname, size_t len_img,
		     size_t len_out_imgname)
{
	struct rpc_arg rd[] = { OPARG(op), ARG(VACCEL_ARG_BUFFER, img,
					       len_img) };
	struct rpc_arg wr[] = {
		ARG(VACCEL_ARG_UCHAR_ARRAY, out_imgname, len_out_imgname),
	};

	return rpcc_op(sess, rd, 2, wr, 1);
}

#define IMAGE_OP(fn, OP)                                                      \
	int rpcc_##fn(struct vaccel_session *sess, const void *img,           \
		      unsigned char *out_imgname, size_t len_img,             \
		      size_t len_out_imgname)                                 \
	{                                                                     \
		return image_one(sess, OP, img, out_imgname, len_img,         \
				 len_out_imgname);                            \
	}

IMAGE_OP(image_detection, VACCEL_OP_IMAGE_DETECT)
IMAGE_OP(image_segmentation, VACCEL_OP_IMAGE_SEGMENT)
IMAGE_OP(image_pose, VACCEL_OP_IMAGE_POSE)
IMAGE_OP(image_depth, VACCEL_OP_IMAGE_DEPTH)

int rpcc_blas_sgemm(struct vaccel_session *sess, int64_t m, int64_t n,
		      int64_t k, float alpha, float *a, int64_t lda, float *b,
		      int64_t ldb, float beta, float *c, int64_t ldc)
{
	uint8_t op = VACCEL_OP_BLAS_SGEMM;
	/* The core validated the dimensions against overflow already. */
	size_t sa = (size_t)m * (size_t)lda * sizeof(float);
	size_t sb = (size_t)k * (size_t)ldb * sizeof(float);
	size_t sc = (size_t)m * (size_t)ldc * sizeof(float);
	struct rpc_arg rd[] = {
		OPARG(op),
		ARG(VACCEL_ARG_INT64, &m, 8),
		ARG(VACCEL_ARG_INT64, &n, 8),
		ARG(VACCEL_ARG_INT64, &k, 8),
		ARG(VACCEL_ARG_FLOAT32, &alpha, 4),
		ARG(VACCEL_ARG_FLOAT32_ARRAY, a, sa),
		ARG(VACCEL_ARG_INT64, &lda, 8),
		ARG(VACCEL_ARG_FLOAT32_ARRAY, b, sb),
		ARG(VACCEL_ARG_INT64, &ldb, 8),
		ARG(VACCEL_ARG_FLOAT32, &beta, 4),
		ARG(VACCEL_ARG_INT64, &ldc, 8),
	};
	struct rpc_arg wr[] = { ARG(VACCEL_ARG_FLOAT32_ARRAY, c, sc) };

	return rpcc_op(sess, rd, 11, wr, 1);
}

int rpcc_fpga_arraycopy(struct vaccel_session *sess, int array[],
			  int out_array[], size_t len_array)
{
	uint8_t op = VACCEL_OP_FPGA_ARRAYCOPY;
	struct rpc_arg rd[] = { OPARG(op), ARG(VACCEL_ARG_INT32_ARRAY, array,
					       len_array * sizeof(int)) };
	struct rpc_arg wr[] = { ARG(VACCEL_ARG_INT32_ARRAY, out_array,
				    len_array * sizeof(int)) };

	return rpcc_op(sess, rd, 2, wr, 1);
}

int rpcc_fpga_mmult(struct vaccel_session *sess, float a_array[],
		      float b_array[], float c_array[], size_t len_a)
{
	uint8_t op = VACCEL_OP_FPGA_MMULT;
	size_t s = len_a * sizeof(float);
	struct rpc_arg rd[] = { OPARG(op),
				ARG(VACCEL_ARG_FLOAT32_ARRAY, a_array, s),
				ARG(VACCEL_ARG_FLOAT32_ARRAY, b_array, s) };
	struct rpc_arg wr[] = { ARG(VACCEL_ARG_FLOAT32_ARRAY, c_array, s) };

	return rpcc_op(sess, rd, 3, wr, 1);
}

int rpcc_fpga_parallel(struct vaccel_session *sess, float a_array[],
			 float b_array[], float add_output[],
			 float mult_output[], size_t len_a)
{
	uint8_t op = VACCEL_OP_FPGA_PARALLEL;
	size_t s = len_a * sizeof(float);
	struct rpc_arg rd[] = { OPARG(op),
				ARG(VACCEL_ARG_FLOAT32_ARRAY, a_array, s),
				ARG(VACCEL_ARG_FLOAT32_ARRAY, b_array, s) };
	struct rpc_arg wr[] = { ARG(VACCEL_ARG_FLOAT32_ARRAY, add_output, s),
				ARG(VACCEL_ARG_FLOAT32_ARRAY, mult_output, s) };

	return rpcc_op(sess, rd, 3, wr, 2);
}

int rpcc_fpga_vadd(struct vaccel_session *sess, float a[], float b[],
		     float c[], size_t len_a, size_t len_b)
{
	uint8_t op = VACCEL_OP_FPGA_VECTORADD;
	struct rpc_arg rd[] = {
		OPARG(op),
		ARG(VACCEL_ARG_FLOAT32_ARRAY, a, len_a * sizeof(float)),
		ARG(VACCEL_ARG_FLOAT32_ARRAY, b, len_b * sizeof(float)),
	};
	struct rpc_arg wr[] = { ARG(VACCEL_ARG_FLOAT32_ARRAY, c,
				    len_a * sizeof(float)) };

	return rpcc_op(sess, rd, 3, wr, 1);
}

int rpcc_minmax(struct vaccel_session *sess, const double *indata,
		  int ndata, int low_threshold, int high_threshold,
		  double *outdata, double *min, double *max)
{
	uint8_t op = VACCEL_OP_MINMAX;
	int32_t nd = ndata, lo = low_threshold, hi = high_threshold;
	size_t s = (size_t)ndata * sizeof(double);
	struct rpc_arg rd[] = { OPARG(op),
				ARG(VACCEL_ARG_FLOAT64_ARRAY, indata, s),
				ARG(VACCEL_ARG_INT32, &nd, 4),
				ARG(VACCEL_ARG_INT32, &lo, 4),
				ARG(VACCEL_ARG_INT32, &hi, 4) };
	struct rpc_arg wr[] = { ARG(VACCEL_ARG_FLOAT64_ARRAY, outdata, s),
				ARG(VACCEL_ARG_FLOAT64, min, 8),
				ARG(VACCEL_ARG_FLOAT64, max, 8) };

	return rpcc_op(sess, rd, 5, wr, 3);
}

int rpcc_opencv(struct vaccel_session *sess, struct vaccel_arg *read,
		  int nr_read, struct vaccel_arg *write, int nr_write)
{
	uint8_t op = VACCEL_OP_OPENCV;
	struct vaccel_arg *all;
	int ret;

	if (nr_read < 0 || nr_write < 0 || nr_read >= (int)RPC_MAX_ARGS) {
		vaccel_error("rpc: opencv with %d read / %d write args",
			     nr_read, nr_write);
		return VACCEL_EINVAL;
	}
	all = calloc((size_t)nr_read + 1, sizeof(*all));
	if (!all) {
		vaccel_error("rpc: cannot allocate opencv args");
		return VACCEL_ENOMEM;
	}
	all[0] = (struct vaccel_arg){ &op, 1, VACCEL_ARG_UINT8, 0, false };
	for (int i = 0; i < nr_read; i++)
		all[i + 1] = read[i];
	ret = rpcc_genop(sess, all, nr_read + 1, write, nr_write);
	free(all);
	return ret;
}
