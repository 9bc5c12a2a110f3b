/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The typed add/get/set functions of the arg-array API, six per numeric
 * type, generated from VACCEL_ARG_NUMERIC_TYPES. The macro bodies only
 * forward to the helpers below, so that every type shares one checked
 * implementation and the log lines read the same. Adds borrow the caller's
 * memory, scalars and arrays alike.
 */
#include "arg_internal.h"
#include "vaccel.h"
#include <string.h>

/* Borrows the caller's variable, as upstream does: an op that writes the
 * argument writes straight into it. */
static int add_scalar(struct vaccel_arg_array *array, const char *func,
		      vaccel_arg_type_t type, void *value, size_t size)
{
	struct vaccel_arg arg;
	int ret;

	if (!array || !value) {
		vaccel_error("%s: NULL %s", func, !array ? "array" : "value");
		return VACCEL_EINVAL;
	}
	ret = vaccel_arg_init_from_buf(&arg, value, size, type, 0);
	if (ret)
		return ret;
	return vaccel__arg_array_push(array, func, &arg);
}

/* Borrows `count` values of `elem` bytes each. */
static int add_vector(struct vaccel_arg_array *array, const char *func,
		      vaccel_arg_type_t type, void *values, size_t elem,
		      size_t count)
{
	struct vaccel_arg arg;
	size_t size;
	int ret;

	if (!array || (!values && count > 0)) {
		vaccel_error("%s: NULL %s", func, !array ? "array" : "values");
		return VACCEL_EINVAL;
	}
	if (__builtin_mul_overflow(count, elem, &size)) {
		vaccel_error("%s: %zu elements of %zu bytes overflow", func,
			     count, elem);
		return VACCEL_EINVAL;
	}
	/* An empty array is stored as (NULL, 0), the only empty form that
	 * vaccel_arg_validate() accepts, whatever pointer came with it. */
	ret = vaccel_arg_init_from_buf(&arg, count ? values : NULL, size, type,
				       0);
	if (ret)
		return ret;
	return vaccel__arg_array_push(array, func, &arg);
}

static int get_scalar(struct vaccel_arg_array *array, const char *func,
		      vaccel_arg_type_t type, void *value, size_t size)
{
	struct vaccel_arg *arg;
	int ret;

	if (!value) {
		vaccel_error("%s: NULL value", func);
		return VACCEL_EINVAL;
	}
	ret = vaccel__arg_array_expect(array, func, type,
				       VACCEL__ARG_SIZE_EXACT, size, &arg);
	if (ret)
		return ret;
	memcpy(value, arg->buf, size);
	array->position++;
	return VACCEL_OK;
}

static int get_vector(struct vaccel_arg_array *array, const char *func,
		      vaccel_arg_type_t type, void **values, size_t elem,
		      size_t *count)
{
	struct vaccel_arg *arg;
	int ret;

	if (!values || !count) {
		vaccel_error("%s: NULL %s", func, !values ? "values" : "count");
		return VACCEL_EINVAL;
	}
	ret = vaccel__arg_array_expect(array, func, type,
				       VACCEL__ARG_SIZE_MULTIPLE, elem, &arg);
	if (ret)
		return ret;
	*values = arg->size ? arg->buf : NULL;
	*count = arg->size / elem;
	array->position++;
	return VACCEL_OK;
}

static int set_scalar(struct vaccel_arg_array *array, const char *func,
		      vaccel_arg_type_t type, const void *value, size_t size)
{
	struct vaccel_arg *arg;
	int ret;

	if (!value) {
		vaccel_error("%s: NULL value", func);
		return VACCEL_EINVAL;
	}
	ret = vaccel__arg_array_expect(array, func, type,
				       VACCEL__ARG_SIZE_EXACT, size, &arg);
	if (ret)
		return ret;
	memcpy(arg->buf, value, size);
	array->position++;
	return VACCEL_OK;
}

static int set_vector(struct vaccel_arg_array *array, const char *func,
		      vaccel_arg_type_t type, const void *values, size_t elem,
		      size_t count)
{
	struct vaccel_arg *arg;
	size_t size;
	int ret;

	if (!values && count > 0) {
		vaccel_error("%s: NULL values", func);
		return VACCEL_EINVAL;
	}
	if (__builtin_mul_overflow(count, elem, &size)) {
		vaccel_error("%s: %zu elements of %zu bytes overflow", func,
			     count, elem);
		return VACCEL_EINVAL;
	}
	ret = vaccel__arg_array_expect(array, func, type,
				       VACCEL__ARG_SIZE_EXACT, size, &arg);
	if (ret)
		return ret;
	if (size)
		memcpy(arg->buf, values, size);
	array->position++;
	return VACCEL_OK;
}

#define VACCEL__ARG_DEFINE(name, ctype, TYPE)                                  \
	int vaccel_arg_array_add_##name(struct vaccel_arg_array *array,        \
					ctype *value)                          \
	{                                                                      \
		return add_scalar(array, __func__, VACCEL_ARG_##TYPE, value,   \
				  sizeof(ctype));                              \
	}                                                                      \
	int vaccel_arg_array_add_##name##_array(                               \
		struct vaccel_arg_array *array, ctype *values, size_t count)   \
	{                                                                      \
		return add_vector(array, __func__, VACCEL_ARG_##TYPE##_ARRAY,  \
				  values, sizeof(ctype), count);               \
	}                                                                      \
	int vaccel_arg_array_get_##name(struct vaccel_arg_array *array,        \
					ctype *value)                          \
	{                                                                      \
		return get_scalar(array, __func__, VACCEL_ARG_##TYPE, value,   \
				  sizeof(ctype));                              \
	}                                                                      \
	int vaccel_arg_array_get_##name##_array(                               \
		struct vaccel_arg_array *array, ctype **values, size_t *count) \
	{                                                                      \
		void *v = NULL;                                                \
		int ret = get_vector(array, __func__,                          \
				     VACCEL_ARG_##TYPE##_ARRAY,                \
				     values ? &v : NULL, sizeof(ctype),        \
				     count);                                   \
		/* A local void * avoids writing a ctype * through a         \
		 * void ** lvalue, which strict aliasing forbids. */         \
		if (ret == VACCEL_OK)                                          \
			*values = v;                                           \
		return ret;                                                    \
	}                                                                      \
	int vaccel_arg_array_set_##name(struct vaccel_arg_array *array,        \
					ctype *value)                          \
	{                                                                      \
		return set_scalar(array, __func__, VACCEL_ARG_##TYPE, value,   \
				  sizeof(ctype));                              \
	}                                                                      \
	int vaccel_arg_array_set_##name##_array(                               \
		struct vaccel_arg_array *array, ctype *values, size_t count)   \
	{                                                                      \
		return set_vector(array, __func__, VACCEL_ARG_##TYPE##_ARRAY,  \
				  values, sizeof(ctype), count);               \
	}

VACCEL_ARG_NUMERIC_TYPES(VACCEL__ARG_DEFINE)
#undef VACCEL__ARG_DEFINE
