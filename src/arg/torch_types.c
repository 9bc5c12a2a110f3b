/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Torch buffers and tensors (the data types of vaccel/ops/torch.h), and
 * the tensor consistency check used by the torch op and plugins.
 */
#include "tensor_check.h"
#include "vaccel.h"

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

/* Every dtype with an element size; the others cannot be interpreted. */
static bool torch_type_known(enum vaccel_torch_data_type type)
{
	return vaccel_torch_data_type_size(type) != 0;
}

/* vaccel_torch_buffer_* and vaccel_torch_tensor_*: the lifecycle shared with
 * TF and TFLite, stated once in tensor_template.h. */
#define TENSOR_PREFIX torch
#define TENSOR_NR_DIMS_T int64_t
#define TENSOR_DIM_T int64_t
#define TENSOR_DTYPE_T enum vaccel_torch_data_type
#define TENSOR_DTYPE_KNOWN torch_type_known
#define TENSOR_DTYPE_NAME "torch"
#define TENSOR_BUFFER_DATA_T char
#include "tensor_template.h"

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
