/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The noop plugin's op implementations, split by op family. Every op logs
 * its arguments at info level and returns deterministic dummy outputs,
 * except the no-op itself, which must stay silent to measure dispatch.
 */
#ifndef VACCEL_NOOP_PLUGIN_H
#define VACCEL_NOOP_PLUGIN_H

#include <vaccel.h>

int noop_exec(struct vaccel_session *sess, const char *library,
	      const char *fn_symbol, struct vaccel_arg *read, size_t nr_read,
	      struct vaccel_arg *write, size_t nr_write);
int noop_exec_with_resource(struct vaccel_session *sess,
			    struct vaccel_resource *resource,
			    const char *fn_symbol, struct vaccel_arg *read,
			    size_t nr_read, struct vaccel_arg *write,
			    size_t nr_write);
int noop_opencv(struct vaccel_session *sess, struct vaccel_arg *read,
		int nr_read, struct vaccel_arg *write, int nr_write);

int noop_image_classification(struct vaccel_session *sess, const void *img,
			      unsigned char *out_text,
			      unsigned char *out_imgname, size_t len_img,
			      size_t len_out_text, size_t len_out_imgname);
int noop_image_detection(struct vaccel_session *sess, const void *img,
			 unsigned char *out_imgname, size_t len_img,
			 size_t len_out_imgname);
int noop_image_segmentation(struct vaccel_session *sess, const void *img,
			    unsigned char *out_imgname, size_t len_img,
			    size_t len_out_imgname);
int noop_image_pose(struct vaccel_session *sess, const void *img,
		    unsigned char *out_imgname, size_t len_img,
		    size_t len_out_imgname);
int noop_image_depth(struct vaccel_session *sess, const void *img,
		     unsigned char *out_imgname, size_t len_img,
		     size_t len_out_imgname);

int noop_blas_sgemm(struct vaccel_session *sess, int64_t m, int64_t n,
		    int64_t k, float alpha, float *a, int64_t lda, float *b,
		    int64_t ldb, float beta, float *c, int64_t ldc);
int noop_minmax(struct vaccel_session *sess, const double *indata, int ndata,
		int low_threshold, int high_threshold, double *outdata,
		double *min, double *max);
int noop_fpga_arraycopy(struct vaccel_session *sess, int array[],
			int out_array[], size_t len_array);
int noop_fpga_mmult(struct vaccel_session *sess, float a_array[],
		    float b_array[], float c_array[], size_t len_a);
int noop_fpga_parallel(struct vaccel_session *sess, float a_array[],
		       float b_array[], float add_output[],
		       float mult_output[], size_t len_a);
int noop_fpga_vadd(struct vaccel_session *sess, float a[], float b[],
		   float c[], size_t len_a, size_t len_b);

int noop_tf_model_load(struct vaccel_session *sess,
		       struct vaccel_resource *model,
		       struct vaccel_tf_status *status);
int noop_tf_model_unload(struct vaccel_session *sess,
			 struct vaccel_resource *model,
			 struct vaccel_tf_status *status);
int noop_tf_model_run(struct vaccel_session *sess,
		      struct vaccel_resource *model,
		      const struct vaccel_tf_buffer *run_options,
		      const struct vaccel_tf_node *in_nodes,
		      struct vaccel_tf_tensor *const *in_tensors,
		      int nr_inputs, const struct vaccel_tf_node *out_nodes,
		      struct vaccel_tf_tensor **out_tensors, int nr_outputs,
		      struct vaccel_tf_status *status);
int noop_tflite_model_load(struct vaccel_session *sess,
			   struct vaccel_resource *model);
int noop_tflite_model_unload(struct vaccel_session *sess,
			     struct vaccel_resource *model);
int noop_tflite_model_run(struct vaccel_session *sess,
			  struct vaccel_resource *model,
			  struct vaccel_tflite_tensor *const *inputs,
			  int nr_inputs, struct vaccel_tflite_tensor **outputs,
			  int nr_outputs, uint8_t *status);
int noop_torch_model_load(struct vaccel_session *sess,
			  struct vaccel_resource *model);
int noop_torch_model_run(struct vaccel_session *sess,
			 struct vaccel_resource *model,
			 const struct vaccel_torch_buffer *run_options,
			 struct vaccel_torch_tensor *const *inputs,
			 int nr_inputs, struct vaccel_torch_tensor **outputs,
			 int nr_outputs);
int noop_torch_sgemm(struct vaccel_session *sess,
		     struct vaccel_torch_tensor **a,
		     struct vaccel_torch_tensor **b,
		     struct vaccel_torch_tensor **c, int m, int n, int k,
		     struct vaccel_torch_tensor **out);

#endif /* VACCEL_NOOP_PLUGIN_H */
