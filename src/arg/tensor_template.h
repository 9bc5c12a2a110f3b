/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The lifecycle of a tensor type and of its buffer type, written once for
 * torch, TF and TFLite. Their structs in include/vaccel/ops/ are public and
 * share the data/size/owned fields, but differ in the types of nr_dims,
 * dims and data_type; C cannot abstract over field types without macros, so
 * this file is a template: a *_types.c file defines the parameters below
 * and includes it once.
 *
 *   TENSOR_PREFIX         torch, tf or tflite: the functions defined are
 *                         vaccel_<prefix>_tensor_{init,release,new,allocate,
 *                         delete,set_data,take_data}
 *   TENSOR_NR_DIMS_T      the type of the nr_dims field
 *   TENSOR_DIM_T          the element type of the dims field
 *   TENSOR_DTYPE_T        the type of the data_type field
 *   TENSOR_DTYPE_KNOWN    a function (TENSOR_DTYPE_T) -> bool that accepts
 *                         the data types a tensor may be created with
 *   TENSOR_DTYPE_NAME     the framework's name in the unknown-type error
 *                         ("torch", "TF", "TFLite")
 *   TENSOR_BUFFER_DATA_T  optional: the type of vaccel_<prefix>_buffer.data;
 *                         when defined, vaccel_<prefix>_buffer_{init,
 *                         release,new,delete,take_data} are defined too
 *
 * Every parameter is undefined at the end. There is no include guard on
 * purpose; the static helpers it defines mean it can be included at most
 * once per file.
 */

#if !defined(TENSOR_PREFIX) || !defined(TENSOR_NR_DIMS_T) ||       \
	!defined(TENSOR_DIM_T) || !defined(TENSOR_DTYPE_T) ||      \
	!defined(TENSOR_DTYPE_KNOWN) || !defined(TENSOR_DTYPE_NAME)
#error "tensor_template.h: define every TENSOR_* parameter first"
#endif

#include "tensor_dims.h"
#include "vaccel.h"
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#define TENSOR_CAT_(a, b, c) a##b##c
#define TENSOR_CAT(a, b, c) TENSOR_CAT_(a, b, c)
/* vaccel_<prefix>_tensor_<name> and vaccel_<prefix>_buffer_<name>. */
#define TENSOR_FN(name) TENSOR_CAT(vaccel_, TENSOR_PREFIX, _tensor_##name)
#define TENSOR_BUFFER_FN(name) \
	TENSOR_CAT(vaccel_, TENSOR_PREFIX, _buffer_##name)
#define TENSOR_T struct TENSOR_CAT(vaccel_, TENSOR_PREFIX, _tensor)
#define TENSOR_BUFFER_T struct TENSOR_CAT(vaccel_, TENSOR_PREFIX, _buffer)

#ifdef TENSOR_BUFFER_DATA_T

int TENSOR_BUFFER_FN(init)(TENSOR_BUFFER_T *buffer, TENSOR_BUFFER_DATA_T *data,
			   size_t size)
{
	if (buffer)
		memset(buffer, 0, sizeof(*buffer));
	if (!buffer || (!data && size > 0)) {
		vaccel_error("%s: NULL %s", __func__,
			     !buffer ? "buffer" : "data with a non-zero size");
		return VACCEL_EINVAL;
	}
	buffer->data = data;
	buffer->size = size;
	return VACCEL_OK;
}

int TENSOR_BUFFER_FN(release)(TENSOR_BUFFER_T *buffer)
{
	if (!buffer) {
		vaccel_error("%s: NULL buffer", __func__);
		return VACCEL_EINVAL;
	}
	free(buffer->data);
	buffer->data = NULL;
	buffer->size = 0;
	return VACCEL_OK;
}

int TENSOR_BUFFER_FN(new)(TENSOR_BUFFER_T **buffer, TENSOR_BUFFER_DATA_T *data,
			  size_t size)
{
	TENSOR_BUFFER_T *b;
	int ret;

	if (!buffer) {
		vaccel_error("%s: NULL output pointer", __func__);
		return VACCEL_EINVAL;
	}
	*buffer = NULL;
	b = malloc(sizeof(*b));
	if (!b) {
		vaccel_error("%s: cannot allocate a buffer", __func__);
		return VACCEL_ENOMEM;
	}
	ret = TENSOR_BUFFER_FN(init)(b, data, size);
	if (ret) {
		free(b);
		return ret;
	}
	*buffer = b;
	return VACCEL_OK;
}

int TENSOR_BUFFER_FN(delete)(TENSOR_BUFFER_T *buffer)
{
	if (!buffer)
		return VACCEL_OK;
	TENSOR_BUFFER_FN(release)(buffer);
	free(buffer);
	return VACCEL_OK;
}

int TENSOR_BUFFER_FN(take_data)(TENSOR_BUFFER_T *buffer, void **data,
				size_t *size)
{
	if (!buffer || !data || !size) {
		vaccel_error("%s: NULL %s", __func__,
			     !buffer ? "buffer" : !data ? "data" : "size");
		return VACCEL_EINVAL;
	}
	*data = buffer->data;
	*size = buffer->size;
	buffer->data = NULL;
	buffer->size = 0;
	return VACCEL_OK;
}

#endif /* TENSOR_BUFFER_DATA_T */

/* Initializes *tensor with a copy of dims and no data. `func` names the
 * public caller in the log line. On failure *tensor is left empty (no
 * dims, no data), so releasing it is harmless. */
static int tensor_fill(TENSOR_T *tensor, const char *func,
		       TENSOR_NR_DIMS_T nr_dims, const TENSOR_DIM_T *dims,
		       TENSOR_DTYPE_T type)
{
	void *copy;
	int ret;

	if (!tensor) {
		vaccel_error("%s: NULL tensor", func);
		return VACCEL_EINVAL;
	}
	memset(tensor, 0, sizeof(*tensor));
	if (!TENSOR_DTYPE_KNOWN(type)) {
		vaccel_error("%s: unknown " TENSOR_DTYPE_NAME " data type %d",
			     func, (int)type);
		return VACCEL_EINVAL;
	}
	ret = vaccel__tensor_dims_copy(func, nr_dims, dims, sizeof(*dims),
				       &copy);
	if (ret)
		return ret;

	tensor->nr_dims = nr_dims;
	tensor->dims = copy;
	tensor->data_type = type;
	return VACCEL_OK;
}

int TENSOR_FN(init)(TENSOR_T *tensor, TENSOR_NR_DIMS_T nr_dims,
		    const TENSOR_DIM_T *dims, TENSOR_DTYPE_T type)
{
	return tensor_fill(tensor, __func__, nr_dims, dims, type);
}

int TENSOR_FN(release)(TENSOR_T *tensor)
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

/* A new heap tensor (see tensor_fill) with `total_size` bytes of zeroed,
 * owned data when total_size > 0. */
static int tensor_alloc(TENSOR_T **out, const char *func,
			TENSOR_NR_DIMS_T nr_dims, const TENSOR_DIM_T *dims,
			TENSOR_DTYPE_T type, size_t total_size)
{
	TENSOR_T *t;
	int ret;

	if (!out) {
		vaccel_error("%s: NULL output pointer", func);
		return VACCEL_EINVAL;
	}
	*out = NULL;
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
	TENSOR_FN(release)(t);
free_tensor:
	free(t);
	return ret;
}

int TENSOR_FN(new)(TENSOR_T **tensor, TENSOR_NR_DIMS_T nr_dims,
		   const TENSOR_DIM_T *dims, TENSOR_DTYPE_T type)
{
	return tensor_alloc(tensor, __func__, nr_dims, dims, type, 0);
}

int TENSOR_FN(allocate)(TENSOR_T **tensor, TENSOR_NR_DIMS_T nr_dims,
			const TENSOR_DIM_T *dims, TENSOR_DTYPE_T type,
			size_t total_size)
{
	return tensor_alloc(tensor, __func__, nr_dims, dims, type, total_size);
}

int TENSOR_FN(delete)(TENSOR_T *tensor)
{
	if (!tensor)
		return VACCEL_OK;
	TENSOR_FN(release)(tensor);
	free(tensor);
	return VACCEL_OK;
}

int TENSOR_FN(set_data)(TENSOR_T *tensor, void *data, size_t size)
{
	if (!tensor || (!data && size > 0)) {
		vaccel_error("%s: NULL %s", __func__,
			     !tensor ? "tensor" : "data with a non-zero size");
		return VACCEL_EINVAL;
	}
	/* Re-pointing a tensor at the data it already holds keeps it and its
	 * ownership and only updates the size: freeing it first would leave
	 * the tensor dangling. */
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

int TENSOR_FN(take_data)(TENSOR_T *tensor, void **data, size_t *size)
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

#undef TENSOR_BUFFER_T
#undef TENSOR_T
#undef TENSOR_BUFFER_FN
#undef TENSOR_FN
#undef TENSOR_CAT
#undef TENSOR_CAT_
#undef TENSOR_BUFFER_DATA_T
#undef TENSOR_DTYPE_NAME
#undef TENSOR_DTYPE_KNOWN
#undef TENSOR_DTYPE_T
#undef TENSOR_DIM_T
#undef TENSOR_NR_DIMS_T
#undef TENSOR_PREFIX
