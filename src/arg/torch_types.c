/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Torch buffers and tensors (the data types of vaccel/ops/torch.h), and
 * the tensor consistency check used by the torch op and plugins.
 */
#include "tensor_check.h"
#include "tensor_dims.h"
#include "vaccel.h"
#include <stdlib.h>
#include <string.h>

size_t vaccel_torch_data_type_size(enum vaccel_torch_data_type type)
{
	switch (type) {
	case VACCEL_TORCH_BYTE:
	case VACCEL_TORCH_CHAR:
	case VACCEL_TORCH_BOOL:
		return 1;
	case VACCEL_TORCH_SHORT:
	case VACCEL_TORCH_HALF:
		return 2;
	case VACCEL_TORCH_INT:
	case VACCEL_TORCH_FLOAT:
		return 4;
	case VACCEL_TORCH_LONG:
	case VACCEL_TORCH_DOUBLE:
		return 8;
	default:
		return 0;
	}
}

int vaccel_torch_buffer_init(struct vaccel_torch_buffer *buffer, char *data,
			     size_t size)
{
	if (!buffer || (!data && size > 0)) {
		vaccel_error("%s: NULL %s", __func__,
			     !buffer ? "buffer" : "data with a non-zero size");
		return VACCEL_EINVAL;
	}
	buffer->data = data;
	buffer->size = size;
	return VACCEL_OK;
}

int vaccel_torch_buffer_release(struct vaccel_torch_buffer *buffer)
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

int vaccel_torch_buffer_new(struct vaccel_torch_buffer **buffer, char *data,
			    size_t size)
{
	struct vaccel_torch_buffer *b;
	int ret;

	if (!buffer) {
		vaccel_error("%s: NULL output pointer", __func__);
		return VACCEL_EINVAL;
	}
	b = malloc(sizeof(*b));
	if (!b) {
		vaccel_error("%s: cannot allocate a buffer", __func__);
		return VACCEL_ENOMEM;
	}
	ret = vaccel_torch_buffer_init(b, data, size);
	if (ret) {
		free(b);
		return ret;
	}
	*buffer = b;
	return VACCEL_OK;
}

int vaccel_torch_buffer_delete(struct vaccel_torch_buffer *buffer)
{
	if (!buffer)
		return VACCEL_OK;
	vaccel_torch_buffer_release(buffer);
	free(buffer);
	return VACCEL_OK;
}

int vaccel_torch_buffer_take_data(struct vaccel_torch_buffer *buffer,
				  void **data, size_t *size)
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

static int tensor_fill(struct vaccel_torch_tensor *tensor, const char *func,
		       int64_t nr_dims, const int64_t *dims,
		       enum vaccel_torch_data_type type)
{
	void *copy;
	int ret;

	if (!tensor) {
		vaccel_error("%s: NULL tensor", func);
		return VACCEL_EINVAL;
	}
	if (vaccel_torch_data_type_size(type) == 0) {
		vaccel_error("%s: unknown torch data type %d", func, (int)type);
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

int vaccel_torch_tensor_init(struct vaccel_torch_tensor *tensor,
			     int64_t nr_dims, const int64_t *dims,
			     enum vaccel_torch_data_type type)
{
	return tensor_fill(tensor, __func__, nr_dims, dims, type);
}

int vaccel_torch_tensor_release(struct vaccel_torch_tensor *tensor)
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

static int tensor_alloc(struct vaccel_torch_tensor **out, const char *func,
			int64_t nr_dims, const int64_t *dims,
			enum vaccel_torch_data_type type, size_t total_size)
{
	struct vaccel_torch_tensor *t;
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
	vaccel_torch_tensor_release(t);
free_tensor:
	free(t);
	return ret;
}

int vaccel_torch_tensor_new(struct vaccel_torch_tensor **tensor,
			    int64_t nr_dims, const int64_t *dims,
			    enum vaccel_torch_data_type type)
{
	return tensor_alloc(tensor, __func__, nr_dims, dims, type, 0);
}

int vaccel_torch_tensor_allocate(struct vaccel_torch_tensor **tensor,
				 int64_t nr_dims, const int64_t *dims,
				 enum vaccel_torch_data_type type,
				 size_t total_size)
{
	return tensor_alloc(tensor, __func__, nr_dims, dims, type, total_size);
}

int vaccel_torch_tensor_delete(struct vaccel_torch_tensor *tensor)
{
	if (!tensor)
		return VACCEL_OK;
	vaccel_torch_tensor_release(tensor);
	free(tensor);
	return VACCEL_OK;
}

int vaccel_torch_tensor_set_data(struct vaccel_torch_tensor *tensor,
				 void *data, size_t size)
{
	if (!tensor || (!data && size > 0)) {
		vaccel_error("%s: NULL %s", __func__,
			     !tensor ? "tensor" : "data with a non-zero size");
		return VACCEL_EINVAL;
	}
	/* Re-pointing a tensor at the data it already holds only updates
	 * the size: freeing it first would leave the tensor dangling. */
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

int vaccel_torch_tensor_take_data(struct vaccel_torch_tensor *tensor,
				  void **data, size_t *size)
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

int vaccel__torch_tensor_check(const struct vaccel_torch_tensor *t,
			       const char *what)
{
	size_t elem, need;

	if (!what)
		what = "tensor";
	if (!t) {
		vaccel_error("%s: NULL tensor", what);
		return VACCEL_EINVAL;
	}
	elem = vaccel_torch_data_type_size(t->data_type);
	if (elem == 0) {
		vaccel_error("%s: unknown torch data type %d", what,
			     (int)t->data_type);
		return VACCEL_EINVAL;
	}
	if (t->nr_dims < 0 || t->nr_dims > VACCEL__TENSOR_MAX_DIMS) {
		vaccel_error("%s: nr_dims %lld is outside [0, %d]", what,
			     (long long)t->nr_dims, VACCEL__TENSOR_MAX_DIMS);
		return VACCEL_EINVAL;
	}
	if (t->nr_dims > 0 && !t->dims) {
		vaccel_error("%s: NULL dims with nr_dims %lld", what,
			     (long long)t->nr_dims);
		return VACCEL_EINVAL;
	}

	need = elem;
	for (int64_t i = 0; i < t->nr_dims; i++) {
		int64_t d = t->dims[i];

		if (d < 0) {
			vaccel_error("%s: dim %lld is negative (%lld)", what,
				     (long long)i, (long long)d);
			return VACCEL_EINVAL;
		}
		/* A hostile or corrupt shape must not wrap around to a small
		 * size that happens to match `size`. */
		if ((uint64_t)d > SIZE_MAX ||
		    __builtin_mul_overflow(need, (size_t)d, &need)) {
			vaccel_error("%s: the byte size of dims (%lld dims of %zu-byte elements) overflows",
				     what, (long long)t->nr_dims, elem);
			return VACCEL_EINVAL;
		}
	}
	if (need != t->size) {
		vaccel_error("%s: size is %zu bytes but %lld dims of %zu-byte elements need %zu",
			     what, t->size, (long long)t->nr_dims, elem, need);
		return VACCEL_EINVAL;
	}
	if (t->size > 0 && !t->data) {
		vaccel_error("%s: NULL data for %zu bytes", what, t->size);
		return VACCEL_EINVAL;
	}
	return VACCEL_OK;
}
