// SPDX-License-Identifier: Apache-2.0
/*
 * TensorFlow Lite model ops. Output tensors follow the torch rule: NULLed
 * before the plugin runs, owned by the caller on success, deleted by the
 * core on failure.
 */
#include "ops.h"

int vaccel_tflite_model_load(struct vaccel_session *sess,
			     struct vaccel_resource *model)
{
	int ret;

	ret = vaccel__ops_check_model(sess, model, __func__);
	if (ret)
		return ret;

	VACCEL__OP_DISPATCH(ret, sess, VACCEL_OP_TFLITE_MODEL_LOAD,
			    tflite_model_load, sess, model);
	return ret;
}

int vaccel_tflite_model_unload(struct vaccel_session *sess,
			       struct vaccel_resource *model)
{
	int ret;

	ret = vaccel__ops_check_model(sess, model, __func__);
	if (ret)
		return ret;

	VACCEL__OP_DISPATCH(ret, sess, VACCEL_OP_TFLITE_MODEL_UNLOAD,
			    tflite_model_unload, sess, model);
	return ret;
}

static int check_inputs(struct vaccel_tflite_tensor *const *inputs,
			int nr_inputs, const char *func)
{
	if (nr_inputs < 0 || (nr_inputs > 0 && !inputs)) {
		vaccel_error("%s: bad inputs (array %p, %d entries)", func,
			     (const void *)inputs, nr_inputs);
		return VACCEL_EINVAL;
	}
	for (int i = 0; i < nr_inputs; i++) {
		const struct vaccel_tflite_tensor *t = inputs[i];

		if (!t) {
			vaccel_error("%s: input tensor %d is NULL", func, i);
			return VACCEL_EINVAL;
		}
		if (t->nr_dims < 0 || (t->nr_dims > 0 && !t->dims) ||
		    (t->size > 0 && !t->data)) {
			vaccel_error("%s: input tensor %d is malformed (%d dims at %p, %zu bytes at %p)",
				     func, i, t->nr_dims, (void *)t->dims,
				     t->size, t->data);
			return VACCEL_EINVAL;
		}
	}
	return VACCEL_OK;
}

int vaccel_tflite_model_run(struct vaccel_session *sess,
			    struct vaccel_resource *model,
			    struct vaccel_tflite_tensor *const *inputs,
			    int nr_inputs,
			    struct vaccel_tflite_tensor **outputs,
			    int nr_outputs, uint8_t *status)
{
	int ret;

	ret = vaccel__ops_check_model(sess, model, __func__);
	if (ret)
		return ret;
	if (!status) {
		vaccel_error("%s: status is NULL", __func__);
		return VACCEL_EINVAL;
	}
	ret = check_inputs(inputs, nr_inputs, __func__);
	if (ret)
		return ret;
	if (!outputs || nr_outputs <= 0) {
		vaccel_error("%s: bad outputs (array %p, %d entries)", __func__,
			     (void *)outputs, nr_outputs);
		return VACCEL_EINVAL;
	}
	for (int i = 0; i < nr_outputs; i++)
		outputs[i] = NULL;

	VACCEL__OP_DISPATCH(ret, sess, VACCEL_OP_TFLITE_MODEL_RUN,
			    tflite_model_run, sess, model, inputs, nr_inputs,
			    outputs, nr_outputs, status);
	if (ret) {
		for (int i = 0; i < nr_outputs; i++) {
			if (outputs[i])
				vaccel_tflite_tensor_delete(outputs[i]);
			outputs[i] = NULL;
		}
	}
	return ret;
}
