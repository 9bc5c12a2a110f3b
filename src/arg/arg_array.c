/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Argument arrays: lifecycle, storage growth, wrapping, the read position
 * and bulk appends (add_range/remaining/all).
 *
 * An array is in one of three states:
 *   - growable and owned (after init/new, or a zeroed struct): `owned` is
 *     true or `args` is NULL; adds grow the storage;
 *   - a wrapped view (after wrap): `owned` is false and `args` points at
 *     the caller's arguments; the view never frees them and never grows,
 *     so adds fail with VACCEL_ENOSPC;
 *   - released: zeroed, which is the same as a fresh growable array.
 */
#include "arg_internal.h"
#include "vaccel.h"
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* The first allocation of an array created with no initial capacity. */
#define ARG_ARRAY_MIN_CAPACITY 4

static bool is_view(const struct vaccel_arg_array *array)
{
	return !array->owned && array->args;
}

int vaccel_arg_array_init(struct vaccel_arg_array *array,
			  size_t initial_capacity)
{
	if (!array) {
		vaccel_error("%s: NULL array", __func__);
		return VACCEL_EINVAL;
	}
	memset(array, 0, sizeof(*array));
	/* Checked here rather than left to calloc() so that sanitizer
	 * builds, whose allocators abort on such requests, see an error. */
	if (initial_capacity > SIZE_MAX / sizeof(*array->args)) {
		vaccel_error("%s: %zu arguments do not fit in memory", __func__,
			     initial_capacity);
		return VACCEL_ENOMEM;
	}
	if (initial_capacity > 0) {
		array->args = calloc(initial_capacity, sizeof(*array->args));
		if (!array->args) {
			vaccel_error("%s: cannot allocate %zu arguments",
				     __func__, initial_capacity);
			return VACCEL_ENOMEM;
		}
	}
	array->capacity = initial_capacity;
	array->owned = true;
	return VACCEL_OK;
}

/* Releases the arguments in [from, count) and drops them from the array. */
static void release_tail(struct vaccel_arg_array *array, size_t from)
{
	for (size_t i = from; i < array->count; i++)
		vaccel_arg_release(&array->args[i]);
	array->count = from;
	if (array->position > from)
		array->position = from;
}

int vaccel_arg_array_release(struct vaccel_arg_array *array)
{
	if (!array) {
		vaccel_error("%s: NULL array", __func__);
		return VACCEL_EINVAL;
	}
	/* A view's arguments and storage belong to whoever wrapped them. */
	if (!is_view(array)) {
		release_tail(array, 0);
		free(array->args);
	}
	memset(array, 0, sizeof(*array));
	return VACCEL_OK;
}

int vaccel_arg_array_new(struct vaccel_arg_array **array,
			 size_t initial_capacity)
{
	struct vaccel_arg_array *a;
	int ret;

	if (!array) {
		vaccel_error("%s: NULL output pointer", __func__);
		return VACCEL_EINVAL;
	}
	*array = NULL;
	a = malloc(sizeof(*a));
	if (!a) {
		vaccel_error("%s: cannot allocate an array", __func__);
		return VACCEL_ENOMEM;
	}
	ret = vaccel_arg_array_init(a, initial_capacity);
	if (ret) {
		free(a);
		return ret;
	}
	*array = a;
	return VACCEL_OK;
}

int vaccel_arg_array_delete(struct vaccel_arg_array *array)
{
	if (!array)
		return VACCEL_OK;
	vaccel_arg_array_release(array);
	free(array);
	return VACCEL_OK;
}

int vaccel_arg_array_wrap(struct vaccel_arg_array *array,
			  struct vaccel_arg *args, size_t count)
{
	if (!array || !args) {
		vaccel_error("%s: NULL %s", __func__, !array ? "array" : "args");
		return VACCEL_EINVAL;
	}
	array->args = args;
	array->count = count;
	array->capacity = count;
	array->position = 0;
	array->owned = false;
	return VACCEL_OK;
}

void vaccel_arg_array_clear(struct vaccel_arg_array *array)
{
	if (!array) {
		vaccel_error("%s: NULL array", __func__);
		return;
	}
	/* A view only forgets the caller's arguments; it cannot release
	 * them, since it never owned them. */
	if (is_view(array)) {
		array->count = 0;
		array->position = 0;
		return;
	}
	release_tail(array, 0);
	array->position = 0;
}

int vaccel__arg_array_reserve(struct vaccel_arg_array *array,
			      const char *func, size_t extra)
{
	struct vaccel_arg *args;
	size_t needed, cap;

	if (extra == 0)
		return VACCEL_OK;
	if (is_view(array)) {
		vaccel_error("%s: the array is a wrapped view of %zu arguments and cannot grow",
			     func, array->capacity);
		return VACCEL_ENOSPC;
	}
	if (__builtin_add_overflow(array->count, extra, &needed)) {
		vaccel_error("%s: %zu + %zu arguments overflow", func,
			     array->count, extra);
		return VACCEL_ENOMEM;
	}
	if (needed <= array->capacity)
		return VACCEL_OK;

	/* Doubling keeps appends amortised O(1); near SIZE_MAX we ask for
	 * exactly what is needed and let the size check below decide. */
	cap = array->capacity ? array->capacity : ARG_ARRAY_MIN_CAPACITY;
	while (cap < needed)
		cap = cap > SIZE_MAX / 2 ? needed : cap * 2;
	if (cap > SIZE_MAX / sizeof(*args)) {
		vaccel_error("%s: %zu arguments do not fit in memory", func,
			     cap);
		return VACCEL_ENOMEM;
	}
	args = realloc(array->args, cap * sizeof(*args));
	if (!args) {
		vaccel_error("%s: cannot grow the array to %zu arguments", func,
			     cap);
		return VACCEL_ENOMEM;
	}
	memset(args + array->capacity, 0,
	       (cap - array->capacity) * sizeof(*args));
	array->args = args;
	array->capacity = cap;
	array->owned = true;
	return VACCEL_OK;
}

int vaccel__arg_array_push(struct vaccel_arg_array *array, const char *func,
			   const struct vaccel_arg *arg)
{
	int ret = vaccel__arg_array_reserve(array, func, 1);

	if (ret)
		return ret;
	array->args[array->count++] = *arg;
	return VACCEL_OK;
}

int vaccel__arg_array_expect(struct vaccel_arg_array *array, const char *func,
			     vaccel_arg_type_t type,
			     enum vaccel__arg_size_rule rule, size_t size,
			     struct vaccel_arg **out)
{
	struct vaccel_arg *arg;
	size_t pos;
	bool size_ok;

	if (!array) {
		vaccel_error("%s: NULL array", func);
		return VACCEL_EINVAL;
	}
	pos = array->position;
	if (pos >= array->count) {
		vaccel_error("%s: arg %zu: past the end of the array (%zu arguments)",
			     func, pos, array->count);
		return VACCEL_ERANGE;
	}
	if (!array->args) {
		vaccel_error("%s: array of %zu arguments has no storage", func,
			     array->count);
		return VACCEL_EINVAL;
	}
	arg = &array->args[pos];

	switch (rule) {
	case VACCEL__ARG_SIZE_EXACT:
		size_ok = arg->size == size;
		break;
	case VACCEL__ARG_SIZE_MULTIPLE:
		size_ok = size != 0 && arg->size % size == 0;
		break;
	default:
		size_ok = true;
		break;
	}

	if ((type != VACCEL__ARG_ANY_TYPE && arg->type != type) || !size_ok) {
		const char *want = type == VACCEL__ARG_ANY_TYPE ?
					   "any type" :
					   vaccel_arg_type_to_base_str(type);
		const char *got = vaccel_arg_type_to_base_str(arg->type);

		if (rule == VACCEL__ARG_SIZE_EXACT)
			vaccel_error("%s: arg %zu: expected %s (%zu bytes), got %s (%zu bytes)",
				     func, pos, want, size, got, arg->size);
		else if (rule == VACCEL__ARG_SIZE_MULTIPLE)
			vaccel_error("%s: arg %zu: expected %s (multiple of %zu bytes), got %s (%zu bytes)",
				     func, pos, want, size, got, arg->size);
		else
			vaccel_error("%s: arg %zu: expected %s, got %s (%zu bytes)",
				     func, pos, want, got, arg->size);
		return VACCEL_EINVAL;
	}
	if (arg->size > 0 && !arg->buf) {
		vaccel_error("%s: arg %zu: %s of %zu bytes has a NULL buffer",
			     func, pos, vaccel_arg_type_to_base_str(arg->type),
			     arg->size);
		return VACCEL_EINVAL;
	}
	*out = arg;
	return VACCEL_OK;
}

static int add_range(const char *func, struct vaccel_arg_array *dest,
		     const struct vaccel_arg_array *src, size_t start,
		     size_t count, bool copy)
{
	size_t first;
	int ret;

	if (!dest || !src) {
		vaccel_error("%s: NULL %s array", func, !dest ? "dest" : "src");
		return VACCEL_EINVAL;
	}
	if (start > src->count || count > src->count - start) {
		vaccel_error("%s: range [%zu, %zu + %zu) is outside the source's %zu arguments",
			     func, start, start, count, src->count);
		return VACCEL_ERANGE;
	}
	/* Reserving first means the loop below can only fail on a bad or
	 * uncopyable argument, and that `src->args` (which moves when dest
	 * and src are the same array) is read only after it settled. */
	ret = vaccel__arg_array_reserve(dest, func, count);
	if (ret)
		return ret;

	first = dest->count;
	for (size_t i = 0; i < count; i++) {
		const struct vaccel_arg *a = &src->args[start + i];
		struct vaccel_arg arg;

		if (copy)
			ret = vaccel_arg_init(&arg, a->buf, a->size, a->type,
					      a->custom_type_id);
		else
			ret = vaccel_arg_init_from_buf(&arg, a->buf, a->size,
						       a->type,
						       a->custom_type_id);
		if (ret) {
			vaccel_error("%s: cannot %s source arg %zu", func,
				     copy ? "copy" : "borrow", start + i);
			/* Undo the partial append: a failed call leaves
			 * dest as it was. */
			release_tail(dest, first);
			return ret;
		}
		dest->args[dest->count++] = arg;
	}
	return VACCEL_OK;
}

int vaccel_arg_array_add_range(struct vaccel_arg_array *dest,
			       const struct vaccel_arg_array *src,
			       size_t start_idx, size_t count, bool copy)
{
	return add_range(__func__, dest, src, start_idx, count, copy);
}

int vaccel_arg_array_add_remaining(struct vaccel_arg_array *dest,
				   const struct vaccel_arg_array *src,
				   bool copy)
{
	if (!src) {
		vaccel_error("%s: NULL src array", __func__);
		return VACCEL_EINVAL;
	}
	if (src->position > src->count) {
		vaccel_error("%s: source position %zu is past its %zu arguments",
			     __func__, src->position, src->count);
		return VACCEL_ERANGE;
	}
	return add_range(__func__, dest, src, src->position,
			 src->count - src->position, copy);
}

int vaccel_arg_array_add_all(struct vaccel_arg_array *dest,
			     const struct vaccel_arg_array *src, bool copy)
{
	if (!src) {
		vaccel_error("%s: NULL src array", __func__);
		return VACCEL_EINVAL;
	}
	return add_range(__func__, dest, src, 0, src->count, copy);
}

int vaccel_arg_array_get_remaining(struct vaccel_arg_array *array,
				   struct vaccel_arg **args, size_t *count)
{
	if (!array || !args || !count) {
		vaccel_error("%s: NULL %s", __func__,
			     !array ? "array" : !args ? "args" : "count");
		return VACCEL_EINVAL;
	}
	if (array->position > array->count) {
		vaccel_error("%s: position %zu is past the %zu arguments",
			     __func__, array->position, array->count);
		return VACCEL_ERANGE;
	}
	*count = array->count - array->position;
	*args = *count ? array->args + array->position : NULL;
	return VACCEL_OK;
}

size_t vaccel_arg_array_remaining_count(const struct vaccel_arg_array *array)
{
	if (!array || array->position >= array->count)
		return 0;
	return array->count - array->position;
}

size_t vaccel_arg_array_position(const struct vaccel_arg_array *array)
{
	return array ? array->position : 0;
}

void vaccel_arg_array_set_position(struct vaccel_arg_array *array,
				   size_t position)
{
	if (!array) {
		vaccel_error("%s: NULL array", __func__);
		return;
	}
	/* Position == count is the valid "everything read" state. */
	if (position > array->count) {
		vaccel_error("%s: position %zu is past the %zu arguments; left at %zu",
			     __func__, position, array->count,
			     array->position);
		return;
	}
	array->position = position;
}

void vaccel_arg_array_reset_position(struct vaccel_arg_array *array)
{
	if (!array) {
		vaccel_error("%s: NULL array", __func__);
		return;
	}
	array->position = 0;
}

size_t vaccel_arg_array_count(const struct vaccel_arg_array *array)
{
	return array ? array->count : 0;
}

struct vaccel_arg *vaccel_arg_array_raw(struct vaccel_arg_array *array)
{
	return array ? array->args : NULL;
}
