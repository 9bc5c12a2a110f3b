/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Single arguments: type rules, validation and the init/release/new/delete
 * lifecycle of struct vaccel_arg.
 */
#include "arg_internal.h"
#include "vaccel.h"
#include <stdlib.h>
#include <string.h>

size_t vaccel_arg_type_elem_size(vaccel_arg_type_t type)
{
	switch (type) {
	case VACCEL_ARG_INT8:
	case VACCEL_ARG_INT8_ARRAY:
		return sizeof(int8_t);
	case VACCEL_ARG_INT16:
	case VACCEL_ARG_INT16_ARRAY:
		return sizeof(int16_t);
	case VACCEL_ARG_INT32:
	case VACCEL_ARG_INT32_ARRAY:
		return sizeof(int32_t);
	case VACCEL_ARG_INT64:
	case VACCEL_ARG_INT64_ARRAY:
		return sizeof(int64_t);
	case VACCEL_ARG_UINT8:
	case VACCEL_ARG_UINT8_ARRAY:
		return sizeof(uint8_t);
	case VACCEL_ARG_UINT16:
	case VACCEL_ARG_UINT16_ARRAY:
		return sizeof(uint16_t);
	case VACCEL_ARG_UINT32:
	case VACCEL_ARG_UINT32_ARRAY:
		return sizeof(uint32_t);
	case VACCEL_ARG_UINT64:
	case VACCEL_ARG_UINT64_ARRAY:
		return sizeof(uint64_t);
	case VACCEL_ARG_FLOAT32:
	case VACCEL_ARG_FLOAT32_ARRAY:
		return sizeof(float);
	case VACCEL_ARG_FLOAT64:
	case VACCEL_ARG_FLOAT64_ARRAY:
		return sizeof(double);
	case VACCEL_ARG_BOOL:
	case VACCEL_ARG_BOOL_ARRAY:
		return sizeof(bool);
	case VACCEL_ARG_CHAR:
	case VACCEL_ARG_CHAR_ARRAY:
		return sizeof(char);
	case VACCEL_ARG_UCHAR:
	case VACCEL_ARG_UCHAR_ARRAY:
		return sizeof(unsigned char);
	default:
		return 0;
	}
}

bool vaccel__arg_type_is_array(vaccel_arg_type_t type)
{
	/* The numeric types come in (scalar, array) pairs numbered from 1,
	 * so the array forms are exactly the even numeric values. */
	return vaccel_arg_type_elem_size(type) != 0 && type % 2 == 0;
}

static const char *string_invalid_reason(const char *buf, size_t size)
{
	const char *nul;

	if (!buf)
		return "a string needs a buffer";
	if (size == 0)
		return "a string needs at least its terminating NUL";
	nul = memchr(buf, '\0', size);
	if (!nul)
		return "the string is not NUL-terminated";
	/* A NUL before the last byte would make the C string shorter than
	 * the argument, so receivers that trust `size` and receivers that
	 * trust strlen() would disagree: reject it. */
	if (nul != buf + size - 1)
		return "the string has a NUL before its last byte";
	return NULL;
}

const char *vaccel__arg_invalid_reason(const void *buf, size_t size,
				       vaccel_arg_type_t type)
{
	size_t elem;

	if ((unsigned int)type >= VACCEL_ARG_MAX)
		return "unknown argument type";
	if (type == VACCEL_ARG_STRING)
		return string_invalid_reason(buf, size);
	if (size > 0 && !buf)
		return "NULL buffer with a non-zero size";

	elem = vaccel_arg_type_elem_size(type);
	if (elem == 0)
		return NULL; /* RAW, BUFFER and CUSTOM take any size. */

	if (!vaccel__arg_type_is_array(type))
		return size == elem ? NULL : "the size is not exactly one element";
	if (size % elem != 0)
		return "the size is not a whole number of elements";
	/* An empty array is allowed, but only as (NULL, 0): a non-NULL
	 * pointer with no elements usually means a forgotten count. */
	if (size == 0 && buf)
		return "an empty array must have a NULL buffer";
	return NULL;
}

int vaccel_arg_validate(const void *buf, size_t size, vaccel_arg_type_t type)
{
	const char *why = vaccel__arg_invalid_reason(buf, size, type);

	if (why) {
		vaccel_error("invalid %s argument (type %d, %zu bytes): %s",
			     vaccel_arg_type_to_base_str(type), (int)type, size,
			     why);
		return VACCEL_EINVAL;
	}
	return VACCEL_OK;
}

/* Fills `arg` after checking the value; copies `buf` when `copy`. */
static int arg_fill(struct vaccel_arg *arg, const char *func, void *buf,
		    size_t size, vaccel_arg_type_t type, uint32_t custom_id,
		    bool copy)
{
	const char *why;
	void *data = buf;

	if (!arg) {
		vaccel_error("%s: NULL arg", func);
		return VACCEL_EINVAL;
	}
	memset(arg, 0, sizeof(*arg));
	why = vaccel__arg_invalid_reason(buf, size, type);
	if (why) {
		vaccel_error("%s: invalid %s argument (type %d, %zu bytes): %s",
			     func, vaccel_arg_type_to_base_str(type), (int)type,
			     size, why);
		return VACCEL_EINVAL;
	}

	if (copy) {
		data = NULL;
		if (size > 0) {
			data = malloc(size);
			if (!data) {
				vaccel_error("%s: cannot allocate %zu bytes for a %s argument",
					     func, size,
					     vaccel_arg_type_to_base_str(type));
				return VACCEL_ENOMEM;
			}
			memcpy(data, buf, size);
		}
	}

	arg->buf = data;
	arg->size = size;
	arg->type = type;
	arg->custom_type_id = custom_id;
	arg->owned = copy && data != NULL;
	return VACCEL_OK;
}

int vaccel_arg_init(struct vaccel_arg *arg, const void *buf, size_t size,
		    vaccel_arg_type_t type, uint32_t custom_id)
{
	/* The cast only lets arg_fill() share code with the borrowing
	 * variant: a copied buffer is never written through. */
	return arg_fill(arg, __func__, (void *)buf, size, type, custom_id,
			true);
}

int vaccel_arg_init_from_buf(struct vaccel_arg *arg, void *buf, size_t size,
			     vaccel_arg_type_t type, uint32_t custom_id)
{
	return arg_fill(arg, __func__, buf, size, type, custom_id, false);
}

int vaccel_arg_release(struct vaccel_arg *arg)
{
	if (!arg) {
		vaccel_error("%s: NULL arg", __func__);
		return VACCEL_EINVAL;
	}
	if (arg->owned)
		free(arg->buf);
	memset(arg, 0, sizeof(*arg));
	return VACCEL_OK;
}

static int arg_alloc(struct vaccel_arg **out, const char *func, void *buf,
		     size_t size, vaccel_arg_type_t type, uint32_t custom_id,
		     bool copy)
{
	struct vaccel_arg *arg;
	int ret;

	if (!out) {
		vaccel_error("%s: NULL output pointer", func);
		return VACCEL_EINVAL;
	}
	*out = NULL;
	arg = malloc(sizeof(*arg));
	if (!arg) {
		vaccel_error("%s: cannot allocate an arg", func);
		return VACCEL_ENOMEM;
	}
	ret = arg_fill(arg, func, buf, size, type, custom_id, copy);
	if (ret) {
		free(arg);
		return ret;
	}
	*out = arg;
	return VACCEL_OK;
}

int vaccel_arg_new(struct vaccel_arg **arg, const void *buf, size_t size,
		   vaccel_arg_type_t type, uint32_t custom_id)
{
	return arg_alloc(arg, __func__, (void *)buf, size, type, custom_id,
			 true);
}

int vaccel_arg_from_buf(struct vaccel_arg **arg, void *buf, size_t size,
			vaccel_arg_type_t type, uint32_t custom_id)
{
	return arg_alloc(arg, __func__, buf, size, type, custom_id, false);
}

int vaccel_arg_delete(struct vaccel_arg *arg)
{
	if (!arg)
		return VACCEL_OK;
	vaccel_arg_release(arg);
	free(arg);
	return VACCEL_OK;
}
