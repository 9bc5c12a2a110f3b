/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Typed operation arguments.
 *
 * A `struct vaccel_arg` is a (buffer, size, type) triple. Ops that take
 * argument lists (exec, genop) receive arrays of them. A `vaccel_arg_array`
 * builds and parses such lists with type and size checks: getters read
 * sequentially from `position` and fail with VACCEL_EINVAL (and a log line
 * naming the index, the expected and the actual type/size) when the next
 * argument does not match, or VACCEL_ERANGE past the end; a failed getter
 * never moves the position. Typed getters refuse RAW arguments; get_raw and
 * set_raw accept any type. Setters need the exact existing size.
 *
 * An empty numeric array is stored as (NULL, 0). A STRING's only NUL is its
 * last byte. An array made with wrap() is a fixed view of the caller's
 * arguments: adds fail with VACCEL_ENOSPC and clear/release leave the
 * caller's arguments alone. A zero-initialized array needs no init.
 *
 * Ownership (as upstream documents it): an arg whose `owned` is true frees
 * `buf` on release. Every add_*() (typed scalars and arrays, raw, string,
 * buffer, custom) borrows the caller's memory, so an op that writes an
 * argument writes into the caller's own variable, which must stay alive
 * while the array is used; only add_serialized() and vaccel_arg_init() /
 * vaccel_arg_new() own a copy. get_*() returns pointers into the array that
 * stay valid until the array is released or cleared.
 *
 * Not thread-safe: one array must not be used by two threads at once.
 */
#ifndef VACCEL_ARG_H
#define VACCEL_ARG_H

#include "utils/deprecated.h"
#include "utils/enum.h"
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define VACCEL_ARG_TYPE_LIST(X)            \
	X(VACCEL_ARG_RAW, 0)               \
	X(VACCEL_ARG_INT8, 1)              \
	X(VACCEL_ARG_INT8_ARRAY, 2)        \
	X(VACCEL_ARG_INT16, 3)             \
	X(VACCEL_ARG_INT16_ARRAY, 4)       \
	X(VACCEL_ARG_INT32, 5)             \
	X(VACCEL_ARG_INT32_ARRAY, 6)       \
	X(VACCEL_ARG_INT64, 7)             \
	X(VACCEL_ARG_INT64_ARRAY, 8)       \
	X(VACCEL_ARG_UINT8, 9)             \
	X(VACCEL_ARG_UINT8_ARRAY, 10)      \
	X(VACCEL_ARG_UINT16, 11)           \
	X(VACCEL_ARG_UINT16_ARRAY, 12)     \
	X(VACCEL_ARG_UINT32, 13)           \
	X(VACCEL_ARG_UINT32_ARRAY, 14)     \
	X(VACCEL_ARG_UINT64, 15)           \
	X(VACCEL_ARG_UINT64_ARRAY, 16)     \
	X(VACCEL_ARG_FLOAT32, 17)          \
	X(VACCEL_ARG_FLOAT32_ARRAY, 18)    \
	X(VACCEL_ARG_FLOAT64, 19)          \
	X(VACCEL_ARG_FLOAT64_ARRAY, 20)    \
	X(VACCEL_ARG_BOOL, 21)             \
	X(VACCEL_ARG_BOOL_ARRAY, 22)       \
	X(VACCEL_ARG_CHAR, 23)             \
	X(VACCEL_ARG_CHAR_ARRAY, 24)       \
	X(VACCEL_ARG_UCHAR, 25)            \
	X(VACCEL_ARG_UCHAR_ARRAY, 26)      \
	X(VACCEL_ARG_STRING, 27)           \
	X(VACCEL_ARG_BUFFER, 28)           \
	X(VACCEL_ARG_CUSTOM, 29)

VACCEL_ENUM_DEFINE(vaccel_arg_type, VACCEL_ARG_TYPE_LIST, VACCEL_ARG_MAX, 11)

/* Size in bytes of one element of a numeric type (its scalar or array form),
 * or 0 for RAW/STRING/BUFFER/CUSTOM and unknown types. */
size_t vaccel_arg_type_elem_size(vaccel_arg_type_t type);

/* Checks that `size` is valid for `type`: a scalar has exactly its element
 * size, an array a multiple of it, a STRING ends in its first NUL at
 * buf[size-1]. Returns VACCEL_OK or VACCEL_EINVAL (with a log line). */
int vaccel_arg_validate(const void *buf, size_t size, vaccel_arg_type_t type);

struct vaccel_arg {
	void *buf;
	size_t size;
	vaccel_arg_type_t type;
	uint32_t custom_type_id;
	bool owned;
};

/* Copies `size` bytes of `buf` into a new owned buffer. */
int vaccel_arg_init(struct vaccel_arg *arg, const void *buf, size_t size,
		    vaccel_arg_type_t type, uint32_t custom_id);
/* Borrows `buf`: the caller keeps ownership and must keep it alive. */
int vaccel_arg_init_from_buf(struct vaccel_arg *arg, void *buf, size_t size,
			     vaccel_arg_type_t type, uint32_t custom_id);
int vaccel_arg_release(struct vaccel_arg *arg);
int vaccel_arg_new(struct vaccel_arg **arg, const void *buf, size_t size,
		   vaccel_arg_type_t type, uint32_t custom_id);
int vaccel_arg_from_buf(struct vaccel_arg **arg, void *buf, size_t size,
			vaccel_arg_type_t type, uint32_t custom_id);
int vaccel_arg_delete(struct vaccel_arg *arg);

/* Callbacks for custom and serialized arguments. */
typedef bool (*vaccel_arg_type_validator_fn)(const void *buf, size_t size,
					     uint32_t custom_id);
typedef int (*vaccel_arg_serializer_fn)(const void *data, size_t data_size,
					uint32_t custom_id, void **buf,
					size_t *size);
typedef int (*vaccel_arg_deserializer_fn)(const void *buf, size_t size,
					  uint32_t custom_id, size_t data_size,
					  void *data);

struct vaccel_arg_array {
	struct vaccel_arg *args;
	size_t count;
	size_t capacity;
	size_t position;
	/* True when `args` was allocated by the array (false after wrap). */
	bool owned;
};

int vaccel_arg_array_init(struct vaccel_arg_array *array,
			  size_t initial_capacity);
/* Releases every owned argument and the storage. Harmless on a zeroed
 * array. */
int vaccel_arg_array_release(struct vaccel_arg_array *array);
int vaccel_arg_array_new(struct vaccel_arg_array **array,
			 size_t initial_capacity);
int vaccel_arg_array_delete(struct vaccel_arg_array *array);
/* Makes `array` a read/write view over the caller's `args` (not owned, not
 * growable). */
int vaccel_arg_array_wrap(struct vaccel_arg_array *array,
			  struct vaccel_arg *args, size_t count);
/* Releases the arguments and empties the array; keeps its storage. */
void vaccel_arg_array_clear(struct vaccel_arg_array *array);

int vaccel_arg_array_add_raw(struct vaccel_arg_array *array, void *buf,
			     size_t size);
int vaccel_arg_array_add_string(struct vaccel_arg_array *array, char *str);
int vaccel_arg_array_add_buffer(struct vaccel_arg_array *array, void *buf,
				size_t size);
/* Adds a CUSTOM argument (borrowed) after `validator` (if any) accepts it. */
int vaccel_arg_array_add_custom(struct vaccel_arg_array *array,
				uint32_t custom_id, void *buf, size_t size,
				vaccel_arg_type_validator_fn validator);
/* Serializes `data` with `serializer` and adds the result (owned). */
int vaccel_arg_array_add_serialized(struct vaccel_arg_array *array,
				    vaccel_arg_type_t type, uint32_t custom_id,
				    const void *data, size_t data_size,
				    vaccel_arg_serializer_fn serializer);
/* Appends src->args[start_idx, start_idx+count) to dest, copying the
 * buffers when `copy` is true and borrowing them otherwise. */
int vaccel_arg_array_add_range(struct vaccel_arg_array *dest,
			       const struct vaccel_arg_array *src,
			       size_t start_idx, size_t count, bool copy);
int vaccel_arg_array_add_remaining(struct vaccel_arg_array *dest,
				   const struct vaccel_arg_array *src,
				   bool copy);
int vaccel_arg_array_add_all(struct vaccel_arg_array *dest,
			     const struct vaccel_arg_array *src, bool copy);

int vaccel_arg_array_get_raw(struct vaccel_arg_array *array, void **buf,
			     size_t *size);
int vaccel_arg_array_get_string(struct vaccel_arg_array *array, char **str);
int vaccel_arg_array_get_buffer(struct vaccel_arg_array *array, void **buf,
				size_t *size);
int vaccel_arg_array_get_custom(struct vaccel_arg_array *array,
				uint32_t expected_id, void **buf, size_t *size,
				vaccel_arg_type_validator_fn validator);
int vaccel_arg_array_get_serialized(struct vaccel_arg_array *array,
				    vaccel_arg_type_t expected_type,
				    uint32_t expected_custom_id, void *data,
				    size_t expected_size,
				    vaccel_arg_deserializer_fn deserializer);

/* Setters write into the buffer of the argument at `position` (which must
 * have the expected type and exactly the right size) and advance. */
int vaccel_arg_array_set_raw(struct vaccel_arg_array *array, void *buf,
			     size_t size);
int vaccel_arg_array_set_string(struct vaccel_arg_array *array, char *str);
int vaccel_arg_array_set_buffer(struct vaccel_arg_array *array, void *buf,
				size_t size);
int vaccel_arg_array_set_custom(struct vaccel_arg_array *array,
				uint32_t expected_id, void *buf, size_t size,
				vaccel_arg_type_validator_fn validator);
int vaccel_arg_array_set_serialized(struct vaccel_arg_array *array,
				    vaccel_arg_type_t expected_type,
				    uint32_t expected_custom_id, void *data,
				    size_t data_size,
				    vaccel_arg_serializer_fn serializer);

/* Borrowed view of the arguments from `position` to the end. */
int vaccel_arg_array_get_remaining(struct vaccel_arg_array *array,
				   struct vaccel_arg **args, size_t *count);
size_t vaccel_arg_array_remaining_count(const struct vaccel_arg_array *array);
size_t vaccel_arg_array_position(const struct vaccel_arg_array *array);
void vaccel_arg_array_set_position(struct vaccel_arg_array *array,
				   size_t position);
void vaccel_arg_array_reset_position(struct vaccel_arg_array *array);
size_t vaccel_arg_array_count(const struct vaccel_arg_array *array);
struct vaccel_arg *vaccel_arg_array_raw(struct vaccel_arg_array *array);

/* X(name, c_type, ARG_TYPE_SUFFIX) for every numeric argument type. */
#define VACCEL_ARG_NUMERIC_TYPES(X)        \
	X(int8, int8_t, INT8)              \
	X(int16, int16_t, INT16)           \
	X(int32, int32_t, INT32)           \
	X(int64, int64_t, INT64)           \
	X(uint8, uint8_t, UINT8)           \
	X(uint16, uint16_t, UINT16)        \
	X(uint32, uint32_t, UINT32)        \
	X(uint64, uint64_t, UINT64)        \
	X(float, float, FLOAT32)           \
	X(double, double, FLOAT64)         \
	X(bool, bool, BOOL)                \
	X(char, char, CHAR)                \
	X(uchar, unsigned char, UCHAR)

/*
 * For every numeric type T (e.g. int32 / int32_t):
 *   add_T(array, T *value)            borrows one value (VACCEL_ARG_INT32)
 *   add_T_array(array, T *v, count)   borrows count values (INT32_ARRAY)
 *   get_T(array, T *value)            copies the next value out
 *   get_T_array(array, T **v, *count) points at the next array
 *   set_T(array, T *value)            overwrites the next value
 *   set_T_array(array, T *v, count)   overwrites the next array (same count)
 */
#define VACCEL__ARG_DECLARE(name, ctype, TYPE)                                \
	int vaccel_arg_array_add_##name(struct vaccel_arg_array *array,       \
					ctype *value);                        \
	int vaccel_arg_array_add_##name##_array(                              \
		struct vaccel_arg_array *array, ctype *values, size_t count); \
	int vaccel_arg_array_get_##name(struct vaccel_arg_array *array,       \
					ctype *value);                        \
	int vaccel_arg_array_get_##name##_array(                              \
		struct vaccel_arg_array *array, ctype **values,               \
		size_t *count);                                               \
	int vaccel_arg_array_set_##name(struct vaccel_arg_array *array,       \
					ctype *value);                        \
	int vaccel_arg_array_set_##name##_array(                              \
		struct vaccel_arg_array *array, ctype *values, size_t count);

VACCEL_ARG_NUMERIC_TYPES(VACCEL__ARG_DECLARE)
#undef VACCEL__ARG_DECLARE

/*
 * The deprecated arg-list API, kept for older programs and upstream's Go
 * bindings, built on the functions above. A list holds `size` arguments
 * (all allocated, zeroed, at init); each add or expect fills the next one
 * (`curr_idx`) and fails with VACCEL_EINVAL once the list is full. Pass
 * `list->list, list->size` to an op. `idcs_allocated_space[i]` is 1 when
 * argument i's buffer belongs to the list: vaccel_delete_args() frees it
 * (callers may set it for a malloc'd buffer they hand over, as the Go
 * bindings do). Serial arguments are RAW and borrow the caller's buffer.
 */
struct vaccel_arg_list {
	uint32_t size;
	struct vaccel_arg *list;
	int curr_idx;
	int *idcs_allocated_space;
};

/* A list of `size` (> 0) empty arguments, or NULL. */
VACCEL_DEPRECATED struct vaccel_arg_list *vaccel_args_init(uint32_t size);
/* Adds a RAW argument borrowing `buf` (non-NULL, size > 0). */
VACCEL_DEPRECATED int vaccel_add_serial_arg(struct vaccel_arg_list *args,
					    void *buf, uint32_t size);
/* Adds the bytes `serializer(buf, &size)` returns (malloc'd; the list owns
 * them), typed `type`. */
VACCEL_DEPRECATED int
vaccel_add_nonserial_arg(struct vaccel_arg_list *args, void *buf,
			 uint32_t type, void *(*serializer)(void *, uint32_t *));
/* Adds a RAW output argument borrowing `buf`: an op writes into it. */
VACCEL_DEPRECATED int vaccel_expect_serial_arg(struct vaccel_arg_list *args,
					       void *buf, uint32_t size);
/* Adds a RAW output argument of `expected_size` zeroed bytes the list
 * owns; read it after the op with vaccel_extract_nonserial_arg(). */
VACCEL_DEPRECATED int
vaccel_expect_nonserial_arg(struct vaccel_arg_list *args,
			    uint32_t expected_size);
/* args[idx].buf, or NULL for NULL args or a negative idx. */
VACCEL_DEPRECATED void *vaccel_extract_serial_arg(struct vaccel_arg *args,
						  int idx);
/* deserializer(args[idx].buf, args[idx].size), or NULL. */
VACCEL_DEPRECATED void *
vaccel_extract_nonserial_arg(struct vaccel_arg *args, int idx,
			     void *(*deserializer)(void *, uint32_t));
/* Copies args[idx].size bytes of `buf` into args[idx] (in a plugin or an
 * exec'd function). */
VACCEL_DEPRECATED int vaccel_write_serial_arg(struct vaccel_arg *args, int idx,
					      void *buf);
/* Serializes `buf` and copies the result into args[idx]; VACCEL_EINVAL if
 * it is larger than the argument. */
VACCEL_DEPRECATED int
vaccel_write_nonserial_arg(struct vaccel_arg *args, int idx, void *buf,
			   void *(*serializer)(void *, uint32_t *));
/* Frees the buffers the list owns, the arguments and the list. */
VACCEL_DEPRECATED int vaccel_delete_args(struct vaccel_arg_list *args);

#ifdef __cplusplus
}
#endif

#endif /* VACCEL_ARG_H */
