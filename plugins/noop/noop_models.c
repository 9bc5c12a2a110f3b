// SPDX-License-Identifier: Apache-2.0
/*
 * TensorFlow, TFLite and Torch model ops of the noop plugin. Loads succeed
 * without reading the model; runs allocate one FLOAT [1, 10] output per
 * requested output, element i holding i * 0.1. The core deletes the
 * outputs if a run fails half way, so these functions only allocate.
 */
#include "noop_plugin.h"

#define NOOP_OUT_LEN 10

static void fill_dummy(float *data)
{
	for (int i = 0; i < NOOP_OUT_LEN; i++)
		data[i] = (float)i * 0.1f;
}

int noop_tf_model_load(struct vaccel_session *sess,
		       struct vaccel_resource *model,
		       struct vaccel_tf_status *status)
{
	vaccel_info("[noop] tf_model_load: session %lld model %lld",
		    (long long)sess->id, (long long)model->id);
	return vaccel_tf_status_init(status, 0, "Operation handled by noop plugin");
}

int noop_tf_model_unload(struct vaccel_session *sess,
			 struct vaccel_resource *model,
			 struct vaccel_tf_status *status)
{
	vaccel_info("[noop] tf_model_unload: session %lld model %lld",
		    (long long)sess->id, (long long)model->id);
	return vaccel_tf_status_init(status, 0, "Operation handled by noop plugin");
}

int noop_tf_model_run(struct vaccel_session *sess,
		      struct vaccel_resource *model,
		      const struct vaccel_tf_buffer *run_options,
		      const struct vaccel_tf_node *in_nodes,
		      struct vaccel_tf_tensor *const *in_tensors,
		      int nr_inputs, const struct vaccel_tf_node *out_nodes,
		      struct vaccel_tf_tensor **out_tensors, int nr_outputs,
		      struct vaccel_tf_status *status)
{
	const int64_t dims[2] = { 1, NOOP_OUT_LEN };
	int ret;

	(void)run_options;
	(void)in_nodes;
	(void)in_tensors;
	(void)out_nodes;
	vaccel_info("[noop] tf_model_run: session %lld model %lld, %d inputs, %d outputs",
		    (long long)sess->id, (long long)model->id, nr_inputs,
		    nr_outputs);
	for (int i = 0; i < nr_outputs; i++) {
		ret = vaccel_tf_tensor_allocate(&out_tensors[i], 2, dims,
						VACCEL_TF_FLOAT,
						NOOP_OUT_LEN * sizeof(float));
		if (ret)
			return ret;
		fill_dummy(out_tensors[i]->data);
	}
	return vaccel_tf_status_init(status, 0, "Operation handled by noop plugin");
}

int noop_tflite_model_load(struct vaccel_session *sess,
			   struct vaccel_resource *model)
{
	vaccel_info("[noop] tflite_model_load: session %lld model %lld",
		    (long long)sess->id, (long long)model->id);
	return VACCEL_OK;
}

int noop_tflite_model_unload(struct vaccel_session *sess,
			     struct vaccel_resource *model)
{
	vaccel_info("[noop] tflite_model_unload: session %lld model %lld",
		    (long long)sess->id, (long long)model->id);
	return VACCEL_OK;
}

int noop_tflite_model_run(struct vaccel_session *sess,
			  struct vaccel_resource *model,
			  struct vaccel_tflite_tensor *const *inputs,
			  int nr_inputs, struct vaccel_tflite_tensor **outputs,
			  int nr_outputs, uint8_t *status)
{
	const int32_t dims[2] = { 1, NOOP_OUT_LEN };
	int ret;

	(void)inputs;
	vaccel_info("[noop] tflite_model_run: session %lld model %lld, %d inputs, %d outputs",
		    (long long)sess->id, (long long)model->id, nr_inputs,
		    nr_outputs);
	for (int i = 0; i < nr_outputs; i++) {
		ret = vaccel_tflite_tensor_allocate(
			&outputs[i], 2, dims, VACCEL_TFLITE_FLOAT32,
			NOOP_OUT_LEN * sizeof(float));
		if (ret)
			return ret;
		fill_dummy(outputs[i]->data);
	}
	*status = 0;
	return VACCEL_OK;
}

int noop_torch_model_load(struct vaccel_session *sess,
			  struct vaccel_resource *model)
{
	vaccel_info("[noop] torch_model_load: session %lld model %lld",
		    (long long)sess->id, (long long)model->id);
	return VACCEL_OK;
}

int noop_torch_model_run(struct vaccel_session *sess,
			 struct vaccel_resource *model,
			 const struct vaccel_torch_buffer *run_options,
			 struct vaccel_torch_tensor *const *inputs,
			 int nr_inputs, struct vaccel_torch_tensor **outputs,
			 int nr_outputs)
{
	const int64_t dims[2] = { 1, NOOP_OUT_LEN };
	int ret;

	(void)run_options;
	(void)inputs;
	vaccel_info("[noop] torch_model_run: session %lld model %lld, %d inputs, %d outputs",
		    (long long)sess->id, (long long)model->id, nr_inputs,
		    nr_outputs);
	for (int i = 0; i < nr_outputs; i++) {
		ret = vaccel_torch_tensor_allocate(&outputs[i], 2, dims,
						   VACCEL_TORCH_FLOAT,
						   NOOP_OUT_LEN * sizeof(float));
		if (ret)
			return ret;
		fill_dummy(outputs[i]->data);
	}
	return VACCEL_OK;
}

/* A zeroed FLOAT [m, n] result. */
int noop_torch_sgemm(struct vaccel_session *sess,
		     struct vaccel_torch_tensor **a,
		     struct vaccel_torch_tensor **b,
		     struct vaccel_torch_tensor **c, int m, int n, int k,
		     struct vaccel_torch_tensor **out)
{
	const int64_t dims[2] = { m, n };

	(void)a;
	(void)b;
	(void)c;
	vaccel_info("[noop] torch_sgemm: session %lld m=%d n=%d k=%d",
		    (long long)sess->id, m, n, k);
	return vaccel_torch_tensor_allocate(out, 2, dims, VACCEL_TORCH_FLOAT,
					    (size_t)m * (size_t)n *
						    sizeof(float));
}
