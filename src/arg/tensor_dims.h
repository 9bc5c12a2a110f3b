/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Dimension-list helpers shared by the torch, TF and TFLite tensor types.
 */
#ifndef VACCEL_ARG_TENSOR_DIMS_H
#define VACCEL_ARG_TENSOR_DIMS_H

#include <stddef.h>
#include <stdint.h>

/*
 * Checks a dims list (nr_dims in [0, VACCEL__TENSOR_MAX_DIMS], dims
 * non-NULL when nr_dims > 0, every dim >= 0) whose elements are
 * `dim_size` bytes wide (4 for int32_t, 8 for int64_t) and stores a
 * malloc'd copy in *out (NULL when nr_dims is 0). Logs one line prefixed
 * with `func` and returns VACCEL_EINVAL or VACCEL_ENOMEM on failure, with
 * *out untouched.
 */
int vaccel__tensor_dims_copy(const char *func, int64_t nr_dims,
			     const void *dims, size_t dim_size, void **out);

#endif /* VACCEL_ARG_TENSOR_DIMS_H */
