/* SPDX-License-Identifier: Apache-2.0 */
/*
 * TensorFlow Lite tensors (the data type of vaccel/ops/tflite.h).
 */
#include "tensor_dims.h"
#include "vaccel.h"
#include <stdlib.h>
#include <string.h>

/* NOTYPE is rejected: a tensor without a type cannot be interpreted. */
static bool tflite_type_known(enum vaccel_tflite_data_type type)
{
	return type >= VACCEL_TFLITE_FLOAT32 && type <= VACCEL_TFLITE_INT4;
}

static int tensor_fill(struct vaccel_tflite_tensor *tensor, const char *func,
		       int nr_dims, const int32_t *dims,
		       enum vaccel_tflite_data_type type)
{
	void *copy;
	int ret;

	if (!tensor) {
		vaccel_error("%s: NULL tensor", func);
		return VACCEL_EINVAL;
	}
	if (!tflite_type_known(type)) {
		vaccel_error("%s: unknown TFLite data type %d", func, (int)type);
		return VACCEL_EINVAL;
	}
	ret = vaccel__tensor_dims_copy(func, nr_dims, dims, sizeof(*dims),
				       &copy);
	if (ret)
		return ret;

	tensor->data = NULL;
	tensor->size = 0;
	tensor->owned = false;
	tensor->nr_dims = nr_dims;
	tensor->dims = copy;
	tensor->data_type = type;
	return VACCEL_OK;
}

int vaccel_tflite_tensor_init(struct vaccel_tflite_tensor *tensor, int nr_dims,
			  const int32_t *dims, enum vaccel_tflite_data_type type)
{
	return tensor_fill(tensor, __func__, nr_dims, dims, type);
}

int vaccel_tflite_tensor_release(struct vaccel_tflite_tensor *tensor)
{
	if (!tensor) {
		vaccel_error("%s: NULL tensor", __func__);
		return VACCEL_EINVAL;
	}
	if (tensor->owned)
		free(tensor->data);
	free(tensor->dims);
	memset(tensor, 0, sizeof(*tensor));
	return VACCEL_OK;
}

static int tensor_alloc(struct vaccel_tflite_tensor **out, const char *func,
			int nr_dims, const int32_t *dims,
			enum vaccel_tflite_data_type type, size_t total_size)
{
	struct vaccel_tflite_tensor *t;
	int ret;

	if (!out) {
		vaccel_error("%s: NULL output pointer", func);
		return VACCEL_EINVAL;
	}
	t = calloc(1, sizeof(*t));
	if (!t) {
		vaccel_error("%s: cannot allocate a tensor", func);
		return VACCEL_ENOMEM;
	}
	ret = tensor_fill(t, func, nr_dims, dims, type);
	if (ret)
		goto free_tensor;
	if (total_size > 0) {
		t->data = calloc(1, total_size);
		if (!t->data) {
			vaccel_error("%s: cannot allocate %zu bytes of tensor data",
				     func, total_size);
			ret = VACCEL_ENOMEM;
			goto release_tensor;
		}
		t->size = total_size;
		t->owned = true;
	}
	*out = t;
	return VACCEL_OK;

release_tensor:
	vaccel_tflite_tensor_release(t);
free_tensor:
	free(t);
	return ret;
}

int vaccel_tflite_tensor_new(struct vaccel_tflite_tensor **tensor, int nr_dims,
			 const int32_t *dims, enum vaccel_tflite_data_type type)
{
	return tensor_alloc(tensor, __func__, nr_dims, dims, type, 0);
}

int vaccel_tflite_tensor_allocate(struct vaccel_tflite_tensor **tensor, int nr_dims,
			      const int32_t *dims,
			      enum vaccel_tflite_data_type type, size_t total_size)
{
	return tensor_alloc(tensor, __func__, nr_dims, dims, type, total_size);
}

int vaccel_tflite_tensor_delete(struct vaccel_tflite_tensor *tensor)
{
	if (!tensor)
		return VACCEL_OK;
	vaccel_tflite_tensor_release(tensor);
	free(tensor);
	return VACCEL_OK;
}

int vaccel_tflite_tensor_set_data(struct vaccel_tflite_tensor *tensor, void *data,
			      size_t size)
{
	if (!tensor || (!data && size > 0)) {
		vaccel_error("%s: NULL %s", __func__,
			     !tensor ? "tensor" : "data with a non-zero size");
		return VACCEL_EINVAL;
	}
	/* Same pointer: keep it (and its ownership), only the size moves. */
	if (data == tensor->data) {
		tensor->size = size;
		return VACCEL_OK;
	}
	if (tensor->owned)
		free(tensor->data);
	tensor->data = data;
	tensor->size = size;
	tensor->owned = false;
	return VACCEL_OK;
}

int vaccel_tflite_tensor_take_data(struct vaccel_tflite_tensor *tensor, void **data,
			       size_t *size)
{
	if (!tensor || !data || !size) {
		vaccel_error("%s: NULL %s", __func__,
			     !tensor ? "tensor" : !data ? "data" : "size");
		return VACCEL_EINVAL;
	}
	*data = tensor->data;
	*size = tensor->size;
	tensor->data = NULL;
	tensor->size = 0;
	tensor->owned = false;
	return VACCEL_OK;
}
