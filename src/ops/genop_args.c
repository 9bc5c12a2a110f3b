// SPDX-License-Identifier: Apache-2.0
/*
 * Checked readers for genop argument lists. Genop lists may come from an
 * untrusted guest through the agent, so every index, type and size is
 * checked here before a value or buffer is used.
 */
#include "ops.h"
#include <string.h>

int vaccel__ops_check_args(const struct vaccel_arg *args, long long nr,
			   const char *what, const char *func)
{
	if (nr < 0) {
		vaccel_error("%s: negative number of %s args (%lld)", func,
			     what, nr);
		return VACCEL_EINVAL;
	}
	if (nr > 0 && !args) {
		vaccel_error("%s: %lld %s args but the array is NULL", func,
			     nr, what);
		return VACCEL_EINVAL;
	}
	for (long long i = 0; i < nr; i++) {
		if (args[i].size > 0 && !args[i].buf) {
			vaccel_error("%s: %s arg %lld has size %zu but a NULL buffer",
				     func, what, i, args[i].size);
			return VACCEL_EINVAL;
		}
	}
	return VACCEL_OK;
}

/* Element size of the scalar/array types genop layouts use. */
static size_t elem_size(vaccel_arg_type_t type)
{
	switch (type) {
	case VACCEL_ARG_INT32:
	case VACCEL_ARG_INT32_ARRAY:
	case VACCEL_ARG_FLOAT32:
	case VACCEL_ARG_FLOAT32_ARRAY:
		return 4;
	case VACCEL_ARG_INT64:
	case VACCEL_ARG_INT64_ARRAY:
	case VACCEL_ARG_FLOAT64:
	case VACCEL_ARG_FLOAT64_ARRAY:
		return 8;
	case VACCEL_ARG_UCHAR_ARRAY:
	case VACCEL_ARG_UINT8_ARRAY:
	case VACCEL_ARG_BUFFER:
		return 1;
	default:
		return 0;
	}
}

/* Finds args[idx] and checks its type: the expected one or RAW. */
static const struct vaccel_arg *get_arg(const struct vaccel_arg *args, int nr,
					int idx, const char *what,
					vaccel_arg_type_t type)
{
	const struct vaccel_arg *arg;

	if (idx < 0 || idx >= nr || !args) {
		vaccel_error("genop: missing %s arg %d (list has %d)", what,
			     idx, nr);
		return NULL;
	}
	arg = &args[idx];
	if (arg->type != type && arg->type != VACCEL_ARG_RAW) {
		vaccel_error("genop: %s arg %d has type %s, expected %s", what,
			     idx, vaccel_arg_type_to_str(arg->type),
			     vaccel_arg_type_to_str(type));
		return NULL;
	}
	if (arg->size > 0 && !arg->buf) {
		vaccel_error("genop: %s arg %d has size %zu but a NULL buffer",
			     what, idx, arg->size);
		return NULL;
	}
	return arg;
}

static int get_scalar(const struct vaccel_arg *args, int nr, int idx,
		      const char *what, vaccel_arg_type_t type, void *out)
{
	const struct vaccel_arg *arg = get_arg(args, nr, idx, what, type);
	size_t size = elem_size(type);

	if (!arg)
		return VACCEL_EINVAL;
	if (arg->size != size) {
		vaccel_error("genop: %s arg %d (%s) has size %zu, expected %zu",
			     what, idx, vaccel_arg_type_to_str(type),
			     arg->size, size);
		return VACCEL_EINVAL;
	}
	memcpy(out, arg->buf, size);
	return VACCEL_OK;
}

int vaccel__genop_get_int64(const struct vaccel_arg *args, int nr, int idx,
			    const char *what, int64_t *value)
{
	return get_scalar(args, nr, idx, what, VACCEL_ARG_INT64, value);
}

int vaccel__genop_get_int32(const struct vaccel_arg *args, int nr, int idx,
			    const char *what, int32_t *value)
{
	return get_scalar(args, nr, idx, what, VACCEL_ARG_INT32, value);
}

int vaccel__genop_get_float(const struct vaccel_arg *args, int nr, int idx,
			    const char *what, float *value)
{
	return get_scalar(args, nr, idx, what, VACCEL_ARG_FLOAT32, value);
}

int vaccel__genop_get_string(const struct vaccel_arg *args, int nr, int idx,
			     const char *what, const char **str)
{
	const struct vaccel_arg *arg =
		get_arg(args, nr, idx, what, VACCEL_ARG_STRING);
	const char *nul;

	if (!arg)
		return VACCEL_EINVAL;
	/* A string must end in its first NUL, at the last byte: anything else
	 * would let a reader run past the buffer or see a truncated name. */
	nul = arg->size ? memchr(arg->buf, '\0', arg->size) : NULL;
	if (!nul || nul != (const char *)arg->buf + arg->size - 1) {
		vaccel_error("genop: %s arg %d (size %zu) is not a NUL-terminated string",
			     what, idx, arg->size);
		return VACCEL_EINVAL;
	}
	*str = arg->buf;
	return VACCEL_OK;
}

int vaccel__genop_get_array(const struct vaccel_arg *args, int nr, int idx,
			    const char *what, vaccel_arg_type_t type,
			    size_t min_count, void **buf, size_t *count)
{
	const struct vaccel_arg *arg = get_arg(args, nr, idx, what, type);
	size_t size = elem_size(type);

	if (!arg)
		return VACCEL_EINVAL;
	if (size == 0 || arg->size % size != 0) {
		vaccel_error("genop: %s arg %d (%s) has size %zu, not a multiple of %zu",
			     what, idx, vaccel_arg_type_to_str(type),
			     arg->size, size);
		return VACCEL_EINVAL;
	}
	if (arg->size / size < min_count || arg->size == 0) {
		vaccel_error("genop: %s arg %d (%s) holds %zu elements, needs %zu",
			     what, idx, vaccel_arg_type_to_str(type),
			     arg->size / size, min_count ? min_count : 1);
		return VACCEL_EINVAL;
	}
	*buf = arg->buf;
	*count = arg->size / size;
	return VACCEL_OK;
}

int vaccel__genop_check_count(int nr, int expected, const char *what,
			      vaccel_op_type_t op)
{
	if (nr != expected) {
		vaccel_error("genop: %s takes %d %s args, got %d",
			     vaccel_op_type_to_str(op), expected, what, nr);
		return VACCEL_EINVAL;
	}
	return VACCEL_OK;
}

int vaccel__genop_elems(int64_t rows, int64_t ld, size_t elem,
			const char *what, size_t *count)
{
	size_t n;

	if (rows <= 0 || ld <= 0) {
		vaccel_error("genop: %s dimensions %lld x %lld are not positive",
			     what, (long long)rows, (long long)ld);
		return VACCEL_EINVAL;
	}
	if (__builtin_mul_overflow((uint64_t)rows, (uint64_t)ld, &n) ||
	    n > SIZE_MAX / elem) {
		vaccel_error("genop: %s dimensions %lld x %lld overflow", what,
			     (long long)rows, (long long)ld);
		return VACCEL_EINVAL;
	}
	*count = n;
	return VACCEL_OK;
}
