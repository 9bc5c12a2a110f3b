/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The deprecated arg-list API (struct vaccel_arg_list, include/vaccel/arg.h)
 * on top of the arg-array functions. A list's storage is sized once, at
 * init, so each add is an arg-array add on a view of the list that never
 * needs to grow; ownership is the argument's own `owned` flag, mirrored in
 * `idcs_allocated_space` for the programs (the Go bindings) that read or
 * set that array themselves.
 */
#include "arg_internal.h"
#include "vaccel.h"
#include <stdlib.h>
#include <string.h>

struct vaccel_arg_list *vaccel_args_init(uint32_t size)
{
	struct vaccel_arg_list *args;

	if (size == 0) {
		vaccel_error("%s: a list needs at least one argument",
			     __func__);
		return NULL;
	}
	args = calloc(1, sizeof(*args));
	if (!args)
		goto fail;
	/* Zeroed: arguments nobody added are valid empty RAW ones. */
	args->list = calloc(size, sizeof(*args->list));
	args->idcs_allocated_space = calloc(size, sizeof(int));
	if (!args->list || !args->idcs_allocated_space)
		goto fail;
	args->size = size;
	return args;

fail:
	vaccel_error("%s: cannot allocate a list of %u arguments", __func__,
		     size);
	if (args) {
		free(args->list);
		free(args->idcs_allocated_space);
		free(args);
	}
	return NULL;
}

/* An arg-array view of the filled part of `args` with room for the rest,
 * so that one more add lands in list[curr_idx] without reallocating. */
static int list_view(struct vaccel_arg_list *args, const char *func,
		     struct vaccel_arg_array *view)
{
	if (!args || !args->list || !args->idcs_allocated_space) {
		vaccel_error("%s: invalid argument list", func);
		return VACCEL_EINVAL;
	}
	if (args->curr_idx < 0 || (uint32_t)args->curr_idx >= args->size) {
		vaccel_error("%s: the list of %u arguments is full", func,
			     args->size);
		return VACCEL_EINVAL;
	}
	*view = (struct vaccel_arg_array){
		.args = args->list,
		.count = (size_t)args->curr_idx,
		.capacity = args->size,
		.position = (size_t)args->curr_idx,
		.owned = true,
	};
	return VACCEL_OK;
}

/* Appends `arg` (taking its buffer if it is owned). */
static int list_push(struct vaccel_arg_list *args, const char *func,
		     const struct vaccel_arg *arg)
{
	struct vaccel_arg_array view;
	int ret = list_view(args, func, &view);

	if (ret)
		return ret;
	ret = vaccel__arg_array_push(&view, func, arg);
	if (ret)
		return ret;
	args->idcs_allocated_space[args->curr_idx] = arg->owned;
	args->curr_idx++;
	return VACCEL_OK;
}

/* Appends a RAW argument borrowing `buf`. */
static int list_borrow(struct vaccel_arg_list *args, const char *func,
		       void *buf, uint32_t size)
{
	struct vaccel_arg arg;
	int ret;

	if (!buf || size == 0) {
		vaccel_error("%s: %s", func,
			     !buf ? "NULL buffer" : "empty argument");
		return VACCEL_EINVAL;
	}
	ret = vaccel_arg_init_from_buf(&arg, buf, size, VACCEL_ARG_RAW, 0);
	if (ret)
		return ret;
	return list_push(args, func, &arg);
}

/* Appends an argument that owns `buf` (malloc'd), freeing it on failure. */
static int list_take(struct vaccel_arg_list *args, const char *func, void *buf,
		     uint32_t size, vaccel_arg_type_t type)
{
	struct vaccel_arg arg;
	int ret;

	ret = vaccel_arg_init_from_buf(&arg, buf, size, type, 0);
	if (ret == VACCEL_OK) {
		arg.owned = true;
		ret = list_push(args, func, &arg);
	}
	if (ret)
		free(buf);
	return ret;
}

int vaccel_add_serial_arg(struct vaccel_arg_list *args, void *buf,
			  uint32_t size)
{
	return list_borrow(args, __func__, buf, size);
}

int vaccel_expect_serial_arg(struct vaccel_arg_list *args, void *buf,
			     uint32_t size)
{
	return list_borrow(args, __func__, buf, size);
}

/* Upstream's serializer shape: the bytes of `buf` in a malloc'd block. */
typedef void *(*old_serializer_fn)(void *buf, uint32_t *size);

/* Runs `serializer` on `buf`; VACCEL_EINVAL (and nothing to free) when
 * either is NULL or it returns no bytes. */
static int serialize(const char *func, old_serializer_fn serializer,
		     void *buf, void **data, uint32_t *size)
{
	if (!buf || !serializer) {
		vaccel_error("%s: NULL %s", func,
			     !buf ? "buffer" : "serializer");
		return VACCEL_EINVAL;
	}
	*size = 0;
	*data = serializer(buf, size);
	if (!*data || *size == 0) {
		vaccel_error("%s: the serializer returned %s", func,
			     !*data ? "NULL" : "no bytes");
		free(*data);
		return VACCEL_EINVAL;
	}
	return VACCEL_OK;
}

int vaccel_add_nonserial_arg(struct vaccel_arg_list *args, void *buf,
			     uint32_t type,
			     void *(*serializer)(void *, uint32_t *))
{
	struct vaccel_arg_array view;
	uint32_t size;
	void *data;
	int ret;

	/* The list is checked first, so that a full one leaks nothing. */
	ret = list_view(args, __func__, &view);
	if (!ret)
		ret = serialize(__func__, serializer, buf, &data, &size);
	if (ret)
		return ret;
	return list_take(args, __func__, data, size, (vaccel_arg_type_t)type);
}

int vaccel_expect_nonserial_arg(struct vaccel_arg_list *args,
				uint32_t expected_size)
{
	struct vaccel_arg_array view;
	void *data;
	int ret;

	if (expected_size == 0) {
		vaccel_error("%s: empty argument", __func__);
		return VACCEL_EINVAL;
	}
	ret = list_view(args, __func__, &view);
	if (ret)
		return ret;
	data = calloc(1, expected_size);
	if (!data) {
		vaccel_error("%s: cannot allocate %u bytes", __func__,
			     expected_size);
		return VACCEL_ENOMEM;
	}
	return list_take(args, __func__, data, expected_size, VACCEL_ARG_RAW);
}

/* Points *arg at args[idx] through a view of args[0..idx], with the
 * arg-array getter's checks (a buffer behind a non-zero size). */
static int arg_at(struct vaccel_arg *args, int idx, const char *func,
		  struct vaccel_arg **arg)
{
	struct vaccel_arg_array view;

	if (!args || idx < 0) {
		vaccel_error("%s: %s", func,
			     !args ? "NULL args" : "negative index");
		return VACCEL_EINVAL;
	}
	vaccel_arg_array_wrap(&view, args, (size_t)idx + 1);
	view.position = (size_t)idx;
	return vaccel__arg_array_expect(&view, func, VACCEL__ARG_ANY_TYPE,
					VACCEL__ARG_SIZE_ANY, 0, arg);
}

void *vaccel_extract_serial_arg(struct vaccel_arg *args, int idx)
{
	struct vaccel_arg *arg;

	return arg_at(args, idx, __func__, &arg) ? NULL : arg->buf;
}

void *vaccel_extract_nonserial_arg(struct vaccel_arg *args, int idx,
				   void *(*deserializer)(void *, uint32_t))
{
	struct vaccel_arg *arg;

	if (!deserializer) {
		vaccel_error("%s: NULL deserializer", __func__);
		return NULL;
	}
	if (arg_at(args, idx, __func__, &arg))
		return NULL;
	if (arg->size > UINT32_MAX) {
		vaccel_error("%s: arg %d of %zu bytes is too large for a deserializer",
			     __func__, idx, arg->size);
		return NULL;
	}
	return deserializer(arg->buf, (uint32_t)arg->size);
}

int vaccel_write_serial_arg(struct vaccel_arg *args, int idx, void *buf)
{
	struct vaccel_arg *arg;
	int ret;

	if (!buf) {
		vaccel_error("%s: NULL buffer", __func__);
		return VACCEL_EINVAL;
	}
	ret = arg_at(args, idx, __func__, &arg);
	if (ret == VACCEL_OK && arg->size)
		memcpy(arg->buf, buf, arg->size);
	return ret;
}

int vaccel_write_nonserial_arg(struct vaccel_arg *args, int idx, void *buf,
			       void *(*serializer)(void *, uint32_t *))
{
	struct vaccel_arg *arg;
	uint32_t size;
	void *data;
	int ret;

	ret = arg_at(args, idx, __func__, &arg);
	if (!ret)
		ret = serialize(__func__, serializer, buf, &data, &size);
	if (ret)
		return ret;
	if (size > arg->size) {
		vaccel_error("%s: arg %d: %u serialized bytes do not fit its %zu bytes",
			     __func__, idx, size, arg->size);
		ret = VACCEL_EINVAL;
	} else {
		/* A shorter result fills the start of the argument, as
		 * upstream's does. */
		memcpy(arg->buf, data, size);
	}
	free(data);
	return ret;
}

int vaccel_delete_args(struct vaccel_arg_list *args)
{
	if (!args || !args->list || !args->idcs_allocated_space) {
		vaccel_error("%s: invalid argument list", __func__);
		return VACCEL_EINVAL;
	}
	for (uint32_t i = 0; i < args->size; i++) {
		/* A buffer a caller handed over by setting the flag is freed
		 * like one the list allocated. */
		if (args->idcs_allocated_space[i] == 1)
			args->list[i].owned = true;
		vaccel_arg_release(&args->list[i]);
	}
	free(args->list);
	free(args->idcs_allocated_space);
	free(args);
	return VACCEL_OK;
}
