/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The byte-oriented accessors of the arg-array API: RAW, STRING, BUFFER,
 * CUSTOM and serialized arguments. Adds borrow the caller's memory (except
 * serialized ones, which own the serializer's output), getters return
 * pointers into the array, setters copy into the existing argument's
 * buffer, whose size must match exactly.
 */
#include "arg_internal.h"
#include "vaccel.h"
#include <stdlib.h>
#include <string.h>

/* Adds a borrowed argument after the usual validation. */
static int add_borrowed(struct vaccel_arg_array *array, const char *func,
			vaccel_arg_type_t type, uint32_t custom_id, void *buf,
			size_t size)
{
	struct vaccel_arg arg;
	const char *why;

	if (!array) {
		vaccel_error("%s: NULL array", func);
		return VACCEL_EINVAL;
	}
	why = vaccel__arg_invalid_reason(buf, size, type);
	if (why) {
		vaccel_error("%s: invalid %s argument (%zu bytes): %s", func,
			     vaccel_arg_type_to_base_str(type), size, why);
		return VACCEL_EINVAL;
	}
	arg = (struct vaccel_arg){
		.buf = buf,
		.size = size,
		.type = type,
		.custom_type_id = custom_id,
		.owned = false,
	};
	return vaccel__arg_array_push(array, func, &arg);
}

/* Copies `size` bytes into the argument at the position, which must have
 * `type` (or any type) and exactly `size` bytes, then advances. */
static int set_bytes(struct vaccel_arg_array *array, const char *func,
		     vaccel_arg_type_t type, const void *buf, size_t size)
{
	struct vaccel_arg *arg;
	int ret;

	if (!buf && size > 0) {
		vaccel_error("%s: NULL buffer with %zu bytes", func, size);
		return VACCEL_EINVAL;
	}
	ret = vaccel__arg_array_expect(array, func, type,
				       VACCEL__ARG_SIZE_EXACT, size, &arg);
	if (ret)
		return ret;
	if (size)
		memcpy(arg->buf, buf, size);
	array->position++;
	return VACCEL_OK;
}

/* The getter twin of set_bytes: hands out the next argument's buffer and
 * size when it has `type` (VACCEL__ARG_ANY_TYPE: any) and advances. */
static int get_bytes(struct vaccel_arg_array *array, const char *func,
		     vaccel_arg_type_t type, void **buf, size_t *size)
{
	struct vaccel_arg *arg;
	int ret;

	if (!buf || !size) {
		vaccel_error("%s: NULL %s", func, !buf ? "buf" : "size");
		return VACCEL_EINVAL;
	}
	ret = vaccel__arg_array_expect(array, func, type, VACCEL__ARG_SIZE_ANY,
				       0, &arg);
	if (ret)
		return ret;
	*buf = arg->buf;
	*size = arg->size;
	array->position++;
	return VACCEL_OK;
}

/* Checks a CUSTOM or serialized argument's custom id. */
static int check_custom_id(const struct vaccel_arg_array *array,
			   const char *func, const struct vaccel_arg *arg,
			   uint32_t expected_id)
{
	if (arg->custom_type_id != expected_id) {
		vaccel_error("%s: arg %zu: expected custom id %u, got %u", func,
			     array->position, expected_id, arg->custom_type_id);
		return VACCEL_EINVAL;
	}
	return VACCEL_OK;
}

int vaccel_arg_array_add_raw(struct vaccel_arg_array *array, void *buf,
			     size_t size)
{
	return add_borrowed(array, __func__, VACCEL_ARG_RAW, 0, buf, size);
}

int vaccel_arg_array_add_string(struct vaccel_arg_array *array, char *str)
{
	if (!str) {
		vaccel_error("%s: NULL string", __func__);
		return VACCEL_EINVAL;
	}
	return add_borrowed(array, __func__, VACCEL_ARG_STRING, 0, str,
			    strlen(str) + 1);
}

int vaccel_arg_array_add_buffer(struct vaccel_arg_array *array, void *buf,
				size_t size)
{
	return add_borrowed(array, __func__, VACCEL_ARG_BUFFER, 0, buf, size);
}

int vaccel_arg_array_add_custom(struct vaccel_arg_array *array,
				uint32_t custom_id, void *buf, size_t size,
				vaccel_arg_type_validator_fn validator)
{
	if (validator && !validator(buf, size, custom_id)) {
		vaccel_error("%s: validator rejected custom id %u (%zu bytes)",
			     __func__, custom_id, size);
		return VACCEL_EINVAL;
	}
	return add_borrowed(array, __func__, VACCEL_ARG_CUSTOM, custom_id, buf,
			    size);
}

int vaccel_arg_array_add_serialized(struct vaccel_arg_array *array,
				    vaccel_arg_type_t type, uint32_t custom_id,
				    const void *data, size_t data_size,
				    vaccel_arg_serializer_fn serializer)
{
	struct vaccel_arg arg;
	const char *why;
	void *buf = NULL;
	size_t size = 0;
	int ret;

	if (!array || !serializer || (!data && data_size > 0)) {
		vaccel_error("%s: NULL %s", __func__,
			     !array ? "array" : !serializer ? "serializer" :
							      "data");
		return VACCEL_EINVAL;
	}
	ret = serializer(data, data_size, custom_id, &buf, &size);
	if (ret) {
		vaccel_error("%s: serializer for %s (custom id %u, %zu bytes) failed: %d",
			     __func__, vaccel_arg_type_to_base_str(type),
			     custom_id, data_size, ret);
		return ret;
	}
	why = vaccel__arg_invalid_reason(buf, size, type);
	if (why) {
		vaccel_error("%s: serializer produced an invalid %s argument (%zu bytes): %s",
			     __func__, vaccel_arg_type_to_base_str(type), size,
			     why);
		ret = VACCEL_EINVAL;
		goto free_buf;
	}
	arg = (struct vaccel_arg){
		.buf = buf,
		.size = size,
		.type = type,
		.custom_type_id = custom_id,
		.owned = buf != NULL,
	};
	ret = vaccel__arg_array_push(array, __func__, &arg);
	if (ret)
		goto free_buf;
	return VACCEL_OK;

free_buf:
	free(buf);
	return ret;
}

int vaccel_arg_array_get_raw(struct vaccel_arg_array *array, void **buf,
			     size_t *size)
{
	return get_bytes(array, __func__, VACCEL__ARG_ANY_TYPE, buf, size);
}

int vaccel_arg_array_get_string(struct vaccel_arg_array *array, char **str)
{
	struct vaccel_arg *arg;
	const char *why;
	int ret;

	if (!str) {
		vaccel_error("%s: NULL str", __func__);
		return VACCEL_EINVAL;
	}
	ret = vaccel__arg_array_expect(array, __func__, VACCEL_ARG_STRING,
				       VACCEL__ARG_SIZE_ANY, 0, &arg);
	if (ret)
		return ret;
	/* Arguments of a wrapped array (from a remote peer, say) were never
	 * validated, so check the terminator before handing out a C
	 * string. */
	why = vaccel__arg_invalid_reason(arg->buf, arg->size,
					 VACCEL_ARG_STRING);
	if (why) {
		vaccel_error("%s: arg %zu: invalid STRING (%zu bytes): %s",
			     __func__, array->position, arg->size, why);
		return VACCEL_EINVAL;
	}
	*str = arg->buf;
	array->position++;
	return VACCEL_OK;
}

int vaccel_arg_array_get_buffer(struct vaccel_arg_array *array, void **buf,
				size_t *size)
{
	return get_bytes(array, __func__, VACCEL_ARG_BUFFER, buf, size);
}

int vaccel_arg_array_get_custom(struct vaccel_arg_array *array,
				uint32_t expected_id, void **buf, size_t *size,
				vaccel_arg_type_validator_fn validator)
{
	struct vaccel_arg *arg;
	int ret;

	if (!buf || !size) {
		vaccel_error("%s: NULL %s", __func__, !buf ? "buf" : "size");
		return VACCEL_EINVAL;
	}
	ret = vaccel__arg_array_expect(array, __func__, VACCEL_ARG_CUSTOM,
				       VACCEL__ARG_SIZE_ANY, 0, &arg);
	if (ret)
		return ret;
	ret = check_custom_id(array, __func__, arg, expected_id);
	if (ret)
		return ret;
	if (validator && !validator(arg->buf, arg->size, expected_id)) {
		vaccel_error("%s: arg %zu: validator rejected custom id %u (%zu bytes)",
			     __func__, array->position, expected_id, arg->size);
		return VACCEL_EINVAL;
	}
	*buf = arg->buf;
	*size = arg->size;
	array->position++;
	return VACCEL_OK;
}

int vaccel_arg_array_get_serialized(struct vaccel_arg_array *array,
				    vaccel_arg_type_t expected_type,
				    uint32_t expected_custom_id, void *data,
				    size_t expected_size,
				    vaccel_arg_deserializer_fn deserializer)
{
	struct vaccel_arg *arg;
	int ret;

	if (!array || !deserializer || (!data && expected_size > 0)) {
		vaccel_error("%s: NULL %s", __func__,
			     !array	    ? "array" :
			     !deserializer ? "deserializer" :
					     "data");
		return VACCEL_EINVAL;
	}
	if ((unsigned int)expected_type >= VACCEL_ARG_MAX) {
		vaccel_error("%s: unknown expected type %d", __func__,
			     (int)expected_type);
		return VACCEL_EINVAL;
	}
	ret = vaccel__arg_array_expect(array, __func__, expected_type,
				       VACCEL__ARG_SIZE_ANY, 0, &arg);
	if (ret)
		return ret;
	ret = check_custom_id(array, __func__, arg, expected_custom_id);
	if (ret)
		return ret;
	ret = deserializer(arg->buf, arg->size, arg->custom_type_id,
			   expected_size, data);
	if (ret) {
		vaccel_error("%s: arg %zu: deserializer for %s (custom id %u, %zu bytes) failed: %d",
			     __func__, array->position,
			     vaccel_arg_type_to_base_str(expected_type),
			     expected_custom_id, arg->size, ret);
		return ret;
	}
	array->position++;
	return VACCEL_OK;
}

int vaccel_arg_array_set_raw(struct vaccel_arg_array *array, void *buf,
			     size_t size)
{
	/* RAW is the escape hatch: it writes into an argument of any type,
	 * as long as the size matches. */
	return set_bytes(array, __func__, VACCEL__ARG_ANY_TYPE, buf, size);
}

int vaccel_arg_array_set_string(struct vaccel_arg_array *array, char *str)
{
	if (!str) {
		vaccel_error("%s: NULL string", __func__);
		return VACCEL_EINVAL;
	}
	return set_bytes(array, __func__, VACCEL_ARG_STRING, str,
			 strlen(str) + 1);
}

int vaccel_arg_array_set_buffer(struct vaccel_arg_array *array, void *buf,
				size_t size)
{
	return set_bytes(array, __func__, VACCEL_ARG_BUFFER, buf, size);
}

int vaccel_arg_array_set_custom(struct vaccel_arg_array *array,
				uint32_t expected_id, void *buf, size_t size,
				vaccel_arg_type_validator_fn validator)
{
	struct vaccel_arg *arg;
	int ret;

	if (!buf && size > 0) {
		vaccel_error("%s: NULL buffer with %zu bytes", __func__, size);
		return VACCEL_EINVAL;
	}
	ret = vaccel__arg_array_expect(array, __func__, VACCEL_ARG_CUSTOM,
				       VACCEL__ARG_SIZE_EXACT, size, &arg);
	if (ret)
		return ret;
	ret = check_custom_id(array, __func__, arg, expected_id);
	if (ret)
		return ret;
	if (validator && !validator(buf, size, expected_id)) {
		vaccel_error("%s: arg %zu: validator rejected the new value for custom id %u (%zu bytes)",
			     __func__, array->position, expected_id, size);
		return VACCEL_EINVAL;
	}
	if (size)
		memcpy(arg->buf, buf, size);
	array->position++;
	return VACCEL_OK;
}

int vaccel_arg_array_set_serialized(struct vaccel_arg_array *array,
				    vaccel_arg_type_t expected_type,
				    uint32_t expected_custom_id, void *data,
				    size_t data_size,
				    vaccel_arg_serializer_fn serializer)
{
	struct vaccel_arg *arg;
	void *buf = NULL;
	size_t size = 0;
	int ret;

	if (!array || !serializer || (!data && data_size > 0)) {
		vaccel_error("%s: NULL %s", __func__,
			     !array	 ? "array" :
			     !serializer ? "serializer" :
					   "data");
		return VACCEL_EINVAL;
	}
	if ((unsigned int)expected_type >= VACCEL_ARG_MAX) {
		vaccel_error("%s: unknown expected type %d", __func__,
			     (int)expected_type);
		return VACCEL_EINVAL;
	}
	ret = serializer(data, data_size, expected_custom_id, &buf, &size);
	if (ret) {
		vaccel_error("%s: serializer for %s (custom id %u, %zu bytes) failed: %d",
			     __func__,
			     vaccel_arg_type_to_base_str(expected_type),
			     expected_custom_id, data_size, ret);
		return ret;
	}
	if (!buf && size > 0) {
		vaccel_error("%s: serializer returned a NULL buffer of %zu bytes",
			     __func__, size);
		ret = VACCEL_EINVAL;
		goto free_buf;
	}
	ret = vaccel__arg_array_expect(array, __func__, expected_type,
				       VACCEL__ARG_SIZE_EXACT, size, &arg);
	if (ret)
		goto free_buf;
	ret = check_custom_id(array, __func__, arg, expected_custom_id);
	if (ret)
		goto free_buf;
	if (size)
		memcpy(arg->buf, buf, size);
	array->position++;

free_buf:
	free(buf);
	return ret;
}
