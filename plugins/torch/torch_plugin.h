/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The torch plugin's C face: the functions the descriptor (plugin.c) points
 * at. They are implemented in C++ (model.cpp, ops.cpp), carry exactly the
 * signatures of the descriptor hooks and struct vaccel_plugin_ops, and never
 * let a C++ exception escape. All are hidden (-fvisibility=hidden); only
 * vaccel_plugin_descriptor is exported.
 */
#ifndef VACCEL_TORCH_PLUGIN_H
#define VACCEL_TORCH_PLUGIN_H

#include <vaccel.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Picks the device and thread count (VACCEL_TORCH_DEVICE,
 * VACCEL_TORCH_THREADS); fails with VACCEL_ENODEV when a forced CUDA device
 * is not there and VACCEL_EINVAL on a malformed setting. */
int vtorch_init(void);
/* Drops every cached model. */
int vtorch_fini(void);

/* Drops the cached model of `res` once no session holds it any more. */
int vtorch_resource_unregister(struct vaccel_resource *res,
			       struct vaccel_session *sess);

int vtorch_model_load(struct vaccel_session *sess,
		      struct vaccel_resource *model);
int vtorch_model_run(struct vaccel_session *sess,
		     struct vaccel_resource *model,
		     const struct vaccel_torch_buffer *run_options,
		     struct vaccel_torch_tensor *const *inputs, int nr_inputs,
		     struct vaccel_torch_tensor **outputs, int nr_outputs);
int vtorch_image_classification(struct vaccel_session *sess, const void *img,
				unsigned char *out_text,
				unsigned char *out_imgname, size_t len_img,
				size_t len_out_text, size_t len_out_imgname);
int vtorch_sgemm(struct vaccel_session *sess, struct vaccel_torch_tensor **a,
		 struct vaccel_torch_tensor **b,
		 struct vaccel_torch_tensor **c, int m, int n, int k,
		 struct vaccel_torch_tensor **out);
int vtorch_blas_sgemm(struct vaccel_session *sess, int64_t m, int64_t n,
		      int64_t k, float alpha, float *a, int64_t lda, float *b,
		      int64_t ldb, float beta, float *c, int64_t ldc);

#ifdef __cplusplus
}
#endif

#endif /* VACCEL_TORCH_PLUGIN_H */
