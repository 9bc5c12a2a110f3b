// SPDX-License-Identifier: Apache-2.0
/*
 * libvaccel-opsprobe.so: a test plugin that misbehaves on purpose. Its
 * model runs allocate outputs and then fail, to show that the core frees
 * them; its genop hook reports what it received, to show that the lists
 * reach a plugin hook unchanged.
 */
#include <string.h>
#include <vaccel.h>

/* What the genop hook writes into write[0]. */
struct probe_report {
	const void *read;
	const void *write;
	int nr_read;
	int nr_write;
};

static int probe_torch_run(struct vaccel_session *sess,
			   struct vaccel_resource *model,
			   const struct vaccel_torch_buffer *run_options,
			   struct vaccel_torch_tensor *const *inputs,
			   int nr_inputs, struct vaccel_torch_tensor **outputs,
			   int nr_outputs)
{
	const int64_t dims[1] = { 4 };

	(void)sess;
	(void)model;
	(void)run_options;
	(void)inputs;
	(void)nr_inputs;
	/* Half of the outputs, then a failure. */
	for (int i = 0; i < nr_outputs / 2 + 1 && i < nr_outputs; i++)
		vaccel_torch_tensor_allocate(&outputs[i], 1, dims,
					     VACCEL_TORCH_FLOAT, 16);
	return VACCEL_EBACKEND;
}

static int probe_torch_sgemm(struct vaccel_session *sess,
			     struct vaccel_torch_tensor **a,
			     struct vaccel_torch_tensor **b,
			     struct vaccel_torch_tensor **c, int m, int n,
			     int k, struct vaccel_torch_tensor **out)
{
	const int64_t dims[2] = { m, n };

	(void)sess;
	(void)a;
	(void)b;
	(void)c;
	(void)k;
	vaccel_torch_tensor_allocate(out, 2, dims, VACCEL_TORCH_FLOAT,
				     (size_t)m * (size_t)n * 4);
	return VACCEL_EBACKEND;
}

static int probe_tf_run(struct vaccel_session *sess,
			struct vaccel_resource *model,
			const struct vaccel_tf_buffer *run_options,
			const struct vaccel_tf_node *in_nodes,
			struct vaccel_tf_tensor *const *in_tensors,
			int nr_inputs, const struct vaccel_tf_node *out_nodes,
			struct vaccel_tf_tensor **out_tensors, int nr_outputs,
			struct vaccel_tf_status *status)
{
	const int64_t dims[1] = { 4 };

	(void)sess;
	(void)model;
	(void)run_options;
	(void)in_nodes;
	(void)in_tensors;
	(void)nr_inputs;
	(void)out_nodes;
	(void)status;
	for (int i = 0; i < nr_outputs; i++)
		vaccel_tf_tensor_allocate(&out_tensors[i], 1, dims,
					  VACCEL_TF_FLOAT, 16);
	return VACCEL_EBACKEND;
}

static int probe_tflite_run(struct vaccel_session *sess,
			    struct vaccel_resource *model,
			    struct vaccel_tflite_tensor *const *inputs,
			    int nr_inputs,
			    struct vaccel_tflite_tensor **outputs,
			    int nr_outputs, uint8_t *status)
{
	const int32_t dims[1] = { 4 };

	(void)sess;
	(void)model;
	(void)inputs;
	(void)nr_inputs;
	(void)status;
	for (int i = 0; i < nr_outputs; i++)
		vaccel_tflite_tensor_allocate(&outputs[i], 1, dims,
					      VACCEL_TFLITE_FLOAT32, 16);
	return VACCEL_EBACKEND;
}

static int probe_genop(struct vaccel_session *sess, struct vaccel_arg *read,
		       int nr_read, struct vaccel_arg *write, int nr_write)
{
	struct probe_report r = { read, write, nr_read, nr_write };

	(void)sess;
	if (nr_write < 1 || write[0].size != sizeof(r))
		return VACCEL_EINVAL;
	memcpy(write[0].buf, &r, sizeof(r));
	return VACCEL_OK;
}

static int probe_init(void)
{
	return VACCEL_OK;
}

static int probe_fini(void)
{
	return VACCEL_OK;
}

VACCEL_PLUGIN_DESCRIPTOR(
	.name = "opsprobe", .version = VACCEL_VERSION,
	.type = VACCEL_PLUGIN_DEBUG, .init = probe_init, .fini = probe_fini,
	.genop = probe_genop,
	.ops = {
		.torch_model_run = probe_torch_run,
		.torch_sgemm = probe_torch_sgemm,
		.tf_model_run = probe_tf_run,
		.tflite_model_run = probe_tflite_run,
	});
