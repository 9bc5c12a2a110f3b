// SPDX-License-Identifier: Apache-2.0
/*
 * TensorFlow, TFLite and Torch model ops of the noop plugin. Loads succeed
 * without reading the model; runs echo their inputs, as upstream's do:
 * output i is a new tensor with the dims, type and data of input i. There
 * is nothing to echo past the last input, so asking for more outputs than
 * inputs is an error. The core deletes the outputs if a run fails half
 * way, so these functions only allocate.
 */
#include "noop_plugin.h"
#include <string.h>

static int check_echo(const char *op, int nr_inputs, int nr_outputs)
{
	if (nr_outputs > nr_inputs) {
		vaccel_error("[noop] %s: %d outputs asked for, but the noop plugin only echoes its %d inputs",
			     op, nr_outputs, nr_inputs);
		return VACCEL_EINVAL;
	}
	return VACCEL_OK;
}

/* Copies the input's data into a freshly allocated echo. */
static void echo_data(void *out, const void *in, size_t size)
{
	if (size)
		memcpy(out, in, size);
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
	int ret;

	(void)run_options;
	(void)in_nodes;
	(void)out_nodes;
	vaccel_info("[noop] tf_model_run: session %lld model %lld, %d inputs, %d outputs",
		    (long long)sess->id, (long long)model->id, nr_inputs,
		    nr_outputs);
	ret = check_echo("tf_model_run", nr_inputs, nr_outputs);
	if (ret)
		return ret;
	for (int i = 0; i < nr_outputs; i++) {
		const struct vaccel_tf_tensor *in = in_tensors[i];

		ret = vaccel_tf_tensor_allocate(&out_tensors[i], in->nr_dims,
						in->dims, in->data_type,
						in->size);
		if (ret)
			return ret;
		echo_data(out_tensors[i]->data, in->data, in->size);
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
	int ret;

	vaccel_info("[noop] tflite_model_run: session %lld model %lld, %d inputs, %d outputs",
		    (long long)sess->id, (long long)model->id, nr_inputs,
		    nr_outputs);
	ret = check_echo("tflite_model_run", nr_inputs, nr_outputs);
	if (ret)
		return ret;
	for (int i = 0; i < nr_outputs; i++) {
		const struct vaccel_tflite_tensor *in = inputs[i];

		ret = vaccel_tflite_tensor_allocate(&outputs[i], in->nr_dims,
						    in->dims, in->data_type,
						    in->size);
		if (ret)
			return ret;
		echo_data(outputs[i]->data, in->data, in->size);
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
	int ret;

	(void)run_options;
	vaccel_info("[noop] torch_model_run: session %lld model %lld, %d inputs, %d outputs",
		    (long long)sess->id, (long long)model->id, nr_inputs,
		    nr_outputs);
	ret = check_echo("torch_model_run", nr_inputs, nr_outputs);
	if (ret)
		return ret;
	for (int i = 0; i < nr_outputs; i++) {
		const struct vaccel_torch_tensor *in = inputs[i];

		ret = vaccel_torch_tensor_allocate(&outputs[i], in->nr_dims,
						   in->dims, in->data_type,
						   in->size);
		if (ret)
			return ret;
		echo_data(outputs[i]->data, in->data, in->size);
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
