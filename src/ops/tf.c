// SPDX-License-Identifier: Apache-2.0
/*
 * TensorFlow model ops. Output tensors follow the torch rule: NULLed before
 * the plugin runs, owned by the caller on success, deleted by the core on
 * failure.
 */
#include "ops.h"

static int check_status(const struct vaccel_tf_status *status,
			const char *func)
{
	if (!status) {
		vaccel_error("%s: status is NULL", func);
		return VACCEL_EINVAL;
	}
	return VACCEL_OK;
}

int vaccel_tf_model_load(struct vaccel_session *sess,
			 struct vaccel_resource *model,
			 struct vaccel_tf_status *status)
{
	int ret;

	ret = vaccel__ops_check_model(sess, model, __func__);
	if (ret)
		return ret;
	ret = check_status(status, __func__);
	if (ret)
		return ret;

	VACCEL__OP_DISPATCH(ret, sess, VACCEL_OP_TF_MODEL_LOAD, tf_model_load,
			    sess, model, status);
	return ret;
}

int vaccel_tf_model_unload(struct vaccel_session *sess,
			   struct vaccel_resource *model,
			   struct vaccel_tf_status *status)
{
	int ret;

	ret = vaccel__ops_check_model(sess, model, __func__);
	if (ret)
		return ret;
	ret = check_status(status, __func__);
	if (ret)
		return ret;

	VACCEL__OP_DISPATCH(ret, sess, VACCEL_OP_TF_MODEL_UNLOAD,
			    tf_model_unload, sess, model, status);
	return ret;
}

static int check_tensors(struct vaccel_tf_tensor *const *tensors, int nr,
			 const char *what, const char *func)
{
	for (int i = 0; i < nr; i++) {
		const struct vaccel_tf_tensor *t = tensors[i];

		if (!t) {
			vaccel_error("%s: %s tensor %d is NULL", func, what, i);
			return VACCEL_EINVAL;
		}
		if (t->nr_dims < 0 || (t->nr_dims > 0 && !t->dims) ||
		    (t->size > 0 && !t->data)) {
			vaccel_error("%s: %s tensor %d is malformed (%d dims at %p, %zu bytes at %p)",
				     func, what, i, t->nr_dims,
				     (void *)t->dims, t->size, t->data);
			return VACCEL_EINVAL;
		}
	}
	return VACCEL_OK;
}

int vaccel_tf_model_run(struct vaccel_session *sess,
			struct vaccel_resource *model,
			const struct vaccel_tf_buffer *run_options,
			const struct vaccel_tf_node *in_nodes,
			struct vaccel_tf_tensor *const *in_tensors,
			int nr_inputs, const struct vaccel_tf_node *out_nodes,
			struct vaccel_tf_tensor **out_tensors, int nr_outputs,
			struct vaccel_tf_status *status)
{
	int ret;

	ret = vaccel__ops_check_model(sess, model, __func__);
	if (ret)
		return ret;
	ret = check_status(status, __func__);
	if (ret)
		return ret;
	if (run_options && run_options->size > 0 && !run_options->data) {
		vaccel_error("%s: run options of %zu bytes have no data",
			     __func__, run_options->size);
		return VACCEL_EINVAL;
	}
	if (nr_inputs < 0 || (nr_inputs > 0 && (!in_nodes || !in_tensors))) {
		vaccel_error("%s: bad inputs (nodes %p, tensors %p, %d entries)",
			     __func__, (const void *)in_nodes,
			     (const void *)in_tensors, nr_inputs);
		return VACCEL_EINVAL;
	}
	if (nr_outputs <= 0 || !out_nodes || !out_tensors) {
		vaccel_error("%s: bad outputs (nodes %p, tensors %p, %d entries)",
			     __func__, (const void *)out_nodes,
			     (void *)out_tensors, nr_outputs);
		return VACCEL_EINVAL;
	}
	ret = check_tensors(in_tensors, nr_inputs, "input", __func__);
	if (ret)
		return ret;
	for (int i = 0; i < nr_outputs; i++)
		out_tensors[i] = NULL;

	VACCEL__OP_DISPATCH(ret, sess, VACCEL_OP_TF_MODEL_RUN, tf_model_run,
			    sess, model, run_options, in_nodes, in_tensors,
			    nr_inputs, out_nodes, out_tensors, nr_outputs,
			    status);
	if (ret) {
		for (int i = 0; i < nr_outputs; i++) {
			if (out_tensors[i])
				vaccel_tf_tensor_delete(out_tensors[i]);
			out_tensors[i] = NULL;
		}
	}
	return ret;
}
