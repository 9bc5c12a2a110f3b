// SPDX-License-Identifier: Apache-2.0
/*
 * libvaccel-reference.so: the tests' computing reference plugin. Every op
 * it implements produces a result that depends on every argument
 * (reference.h says how), so that the rpc, genop and VM tests compare what
 * came back with values they compute themselves. Tests only: not
 * installed. Typed FPGA (no other plugin here is) and DEBUG: a session
 * hinted VACCEL_PLUGIN_FPGA reaches it wherever it sits in the plugin list,
 * and nothing else picks it unless it comes first.
 */
#include "reference.h"

static int ref_noop(struct vaccel_session *sess)
{
	(void)sess;
	return VACCEL_OK;
}

static int ref_exec(struct vaccel_session *sess, const char *library,
		    const char *fn_symbol, struct vaccel_arg *read,
		    size_t nr_read, struct vaccel_arg *write, size_t nr_write)
{
	uint64_t h = ref_hash_str(REF_HASH_INIT, library);

	(void)sess;
	h = ref_hash_args(ref_hash_str(h, fn_symbol), read, nr_read);
	ref_fill_args(h, write, nr_write);
	return VACCEL_OK;
}

static int ref_exec_with_resource(struct vaccel_session *sess,
				  struct vaccel_resource *resource,
				  const char *fn_symbol,
				  struct vaccel_arg *read, size_t nr_read,
				  struct vaccel_arg *write, size_t nr_write)
{
	uint64_t h = REF_HASH_INIT;

	(void)sess;
	for (size_t i = 0; i < resource->nr_blobs; i++) {
		size_t size = 0;
		const uint8_t *data = vaccel_blob_data(resource->blobs[i],
						       &size);

		if (!data) {
			vaccel_error("[reference] resource %lld: blob %zu "
				     "unreadable", (long long)resource->id, i);
			return VACCEL_EIO;
		}
		h = ref_hash(h, data, size);
	}
	h = ref_hash_args(ref_hash_str(h, fn_symbol), read, nr_read);
	ref_fill_args(h, write, nr_write);
	return VACCEL_OK;
}

static int ref_classify(struct vaccel_session *sess, const void *img,
			unsigned char *out_text, unsigned char *out_imgname,
			size_t len_img, size_t len_out_text,
			size_t len_out_imgname)
{
	(void)sess;
	ref_image_text("classify", img, len_img, out_text, len_out_text);
	ref_image_text("classify-name", img, len_img, out_imgname,
		       len_out_imgname);
	return VACCEL_OK;
}

/* The four image ops with one output, each under its own name. */
#define REF_IMAGE_OP(fn, what)                                               \
	static int fn(struct vaccel_session *sess, const void *img,          \
		      unsigned char *out_imgname, size_t len_img,            \
		      size_t len_out_imgname)                                \
	{                                                                    \
		(void)sess;                                                  \
		ref_image_text(what, img, len_img, out_imgname,              \
			       len_out_imgname);                             \
		return VACCEL_OK;                                            \
	}
REF_IMAGE_OP(ref_detect, "detect")
REF_IMAGE_OP(ref_segment, "segment")
REF_IMAGE_OP(ref_pose, "pose")
REF_IMAGE_OP(ref_depth, "depth")

static int ref_blas_sgemm(struct vaccel_session *sess, int64_t m, int64_t n,
			  int64_t k, float alpha, float *a, int64_t lda,
			  float *b, int64_t ldb, float beta, float *c,
			  int64_t ldc)
{
	(void)sess;
	ref_sgemm(m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
	return VACCEL_OK;
}

static int ref_arraycopy(struct vaccel_session *sess, int array[],
			 int out_array[], size_t len_array)
{
	(void)sess;
	memcpy(out_array, array, len_array * sizeof(int));
	return VACCEL_OK;
}

static int ref_fpga_mmult(struct vaccel_session *sess, float a_array[],
			  float b_array[], float c_array[], size_t len_a)
{
	(void)sess;
	ref_mmult(a_array, b_array, c_array, len_a);
	return VACCEL_OK;
}

static int ref_fpga_parallel(struct vaccel_session *sess, float a_array[],
			     float b_array[], float add_output[],
			     float mult_output[], size_t len_a)
{
	(void)sess;
	ref_parallel(a_array, b_array, add_output, mult_output, len_a);
	return VACCEL_OK;
}

static int ref_fpga_vadd(struct vaccel_session *sess, float a[], float b[],
			 float c[], size_t len_a, size_t len_b)
{
	(void)sess;
	ref_vadd(a, b, c, len_a, len_b);
	return VACCEL_OK;
}

static int ref_minmax_op(struct vaccel_session *sess, const double *indata,
			 int ndata, int low_threshold, int high_threshold,
			 double *outdata, double *min, double *max)
{
	(void)sess;
	ref_minmax(indata, ndata, low_threshold, high_threshold, outdata, min,
		   max);
	return VACCEL_OK;
}

static int ref_opencv(struct vaccel_session *sess, struct vaccel_arg *read,
		      int nr_read, struct vaccel_arg *write, int nr_write)
{
	(void)sess;
	ref_fill_args(ref_hash_args(REF_HASH_INIT, read, (size_t)nr_read),
		      write, (size_t)nr_write);
	return VACCEL_OK;
}

VACCEL_PLUGIN_DESCRIPTOR(
	.name = "reference", .version = VACCEL_VERSION,
	.type = VACCEL_PLUGIN_FPGA | VACCEL_PLUGIN_DEBUG,
	.ops = {
		.noop = ref_noop,
		.exec = ref_exec,
		.exec_with_resource = ref_exec_with_resource,
		.image_classification = ref_classify,
		.image_detection = ref_detect,
		.image_segmentation = ref_segment,
		.image_pose = ref_pose,
		.image_depth = ref_depth,
		.blas_sgemm = ref_blas_sgemm,
		.fpga_arraycopy = ref_arraycopy,
		.fpga_mmult = ref_fpga_mmult,
		.fpga_parallel = ref_fpga_parallel,
		.fpga_vadd = ref_fpga_vadd,
		.minmax = ref_minmax_op,
		.opencv = ref_opencv,
	});
