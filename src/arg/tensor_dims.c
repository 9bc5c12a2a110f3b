/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Validation and copying of tensor dimension lists.
 */
#include "tensor_dims.h"
#include "tensor_check.h"
#include "vaccel.h"
#include <stdlib.h>
#include <string.h>

/* Reads dims[i] from a list of int32_t or int64_t. */
static int64_t dim_at(const void *dims, size_t dim_size, int64_t i)
{
	const char *p = (const char *)dims + (size_t)i * dim_size;
	int32_t d32;
	int64_t d64;

	if (dim_size == sizeof(d32)) {
		memcpy(&d32, p, sizeof(d32));
		return d32;
	}
	memcpy(&d64, p, sizeof(d64));
	return d64;
}

int vaccel__tensor_dims_copy(const char *func, int64_t nr_dims,
			     const void *dims, size_t dim_size, void **out)
{
	void *copy;
	size_t bytes;

	if (nr_dims < 0 || nr_dims > VACCEL__TENSOR_MAX_DIMS) {
		vaccel_error("%s: nr_dims %lld is outside [0, %d]", func,
			     (long long)nr_dims, VACCEL__TENSOR_MAX_DIMS);
		return VACCEL_EINVAL;
	}
	if (nr_dims == 0) {
		*out = NULL;
		return VACCEL_OK;
	}
	if (!dims) {
		vaccel_error("%s: NULL dims with nr_dims %lld", func,
			     (long long)nr_dims);
		return VACCEL_EINVAL;
	}
	for (int64_t i = 0; i < nr_dims; i++) {
		int64_t d = dim_at(dims, dim_size, i);

		if (d < 0) {
			vaccel_error("%s: dim %lld is negative (%lld)", func,
				     (long long)i, (long long)d);
			return VACCEL_EINVAL;
		}
	}
	/* nr_dims is at most VACCEL__TENSOR_MAX_DIMS: no overflow here. */
	bytes = (size_t)nr_dims * dim_size;
	copy = malloc(bytes);
	if (!copy) {
		vaccel_error("%s: cannot allocate %zu bytes of dims", func,
			     bytes);
		return VACCEL_ENOMEM;
	}
	memcpy(copy, dims, bytes);
	*out = copy;
	return VACCEL_OK;
}
