// SPDX-License-Identifier: Apache-2.0
/*
 * TorchScript model ops.
 *
 * Output ownership: the entry points set every outputs[i] to NULL before
 * the plugin runs. On success the caller owns the tensors the plugin
 * allocated and frees them with vaccel_torch_tensor_delete(). On failure
 * the core deletes whatever the plugin left in outputs[] and NULLs it
 * again, so a caller never frees anything after an error and a plugin that
 * fails half way through never leaks.
 */
#include "ops.h"
#include "../arg/tensor_check.h"
#include <stdio.h>

static int check_inputs(struct vaccel_torch_tensor *const *inputs,
			int nr_inputs, const char *func)
{
	if (nr_inputs < 0 || (nr_inputs > 0 && !inputs)) {
		vaccel_error("%s: bad inputs (array %p, %d entries)", func,
			     (const void *)inputs, nr_inputs);
		return VACCEL_EINVAL;
	}
	for (int i = 0; i < nr_inputs; i++) {
		char what[96];

		snprintf(what, sizeof(what), "%s: input %d", func, i);
		if (vaccel__torch_tensor_check(inputs[i], what))
			return VACCEL_EINVAL;
	}
	return VACCEL_OK;
}

static void drop_outputs(struct vaccel_torch_tensor **outputs, int nr_outputs)
{
	for (int i = 0; i < nr_outputs; i++) {
		if (outputs[i]) {
			vaccel_torch_tensor_delete(outputs[i]);
			outputs[i] = NULL;
		}
	}
}

int vaccel_torch_model_load(struct vaccel_session *sess,
			    struct vaccel_resource *model)
{
	int ret;

	ret = vaccel__ops_check_model(sess, model, __func__);
	if (ret)
		return ret;

	VACCEL__OP_DISPATCH(ret, sess, VACCEL_OP_TORCH_MODEL_LOAD,
			    torch_model_load, sess, model);
	return ret;
}

int vaccel_torch_model_run(struct vaccel_session *sess,
			   struct vaccel_resource *model,
			   const struct vaccel_torch_buffer *run_options,
			   struct vaccel_torch_tensor *const *inputs,
			   int nr_inputs, struct vaccel_torch_tensor **outputs,
			   int nr_outputs)
{
	int ret;

	ret = vaccel__ops_check_model(sess, model, __func__);
	if (ret)
		return ret;
	if (run_options && run_options->size > 0 && !run_options->data) {
		vaccel_error("%s: run options of %zu bytes have no data",
			     __func__, run_options->size);
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

	VACCEL__OP_DISPATCH(ret, sess, VACCEL_OP_TORCH_MODEL_RUN,
			    torch_model_run, sess, model, run_options, inputs,
			    nr_inputs, outputs, nr_outputs);
	if (ret)
		drop_outputs(outputs, nr_outputs);
	return ret;
}

int vaccel_torch_jitload_forward(struct vaccel_session *sess,
				 struct vaccel_resource *model,
				 const struct vaccel_torch_buffer *run_options,
				 struct vaccel_torch_tensor **in_tensor,
				 int nr_read,
				 struct vaccel_torch_tensor **out_tensor,
				 int nr_write)
{
	return vaccel_torch_model_run(sess, model, run_options, in_tensor,
				      nr_read, out_tensor, nr_write);
}

int vaccel_torch_sgemm(struct vaccel_session *sess,
		       struct vaccel_torch_tensor **a,
		       struct vaccel_torch_tensor **b,
		       struct vaccel_torch_tensor **c, int m, int n, int k,
		       struct vaccel_torch_tensor **out)
{
	int ret;

	ret = vaccel__session_check(sess, __func__);
	if (ret)
		return ret;
	if (!a || !b || !c || !out || !*a || !*b || !*c) {
		vaccel_error("%s: NULL tensor among a, b, c, out", __func__);
		return VACCEL_EINVAL;
	}
	if (m <= 0 || n <= 0 || k <= 0) {
		vaccel_error("%s: dimensions m=%d n=%d k=%d must be positive",
			     __func__, m, n, k);
		return VACCEL_EINVAL;
	}
	if (vaccel__torch_tensor_check(*a, "vaccel_torch_sgemm: a") ||
	    vaccel__torch_tensor_check(*b, "vaccel_torch_sgemm: b") ||
	    vaccel__torch_tensor_check(*c, "vaccel_torch_sgemm: c"))
		return VACCEL_EINVAL;
	*out = NULL;

	VACCEL__OP_DISPATCH(ret, sess, VACCEL_OP_TORCH_SGEMM, torch_sgemm,
			    sess, a, b, c, m, n, k, out);
	if (ret)
		drop_outputs(out, 1);
	return ret;
}
