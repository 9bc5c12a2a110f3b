/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The deprecated arg-list API: filling, ownership (the list's own buffers
 * and ones a caller hands over through idcs_allocated_space, as the Go
 * bindings do), full lists, bad serializers and out-of-range writes.
 */
#include "testing.h"
#include "vaccel.h"
#include <stdint.h>
#include <stdlib.h>

#pragma GCC diagnostic ignored "-Wdeprecated-declarations"

static void *ser_copy(void *buf, uint32_t *size)
{
	int32_t *out = malloc(2 * sizeof(int32_t));

	if (out) {
		out[0] = *(int32_t *)buf;
		out[1] = -out[0];
	}
	*size = 2 * sizeof(int32_t);
	return out;
}

static void *ser_null(void *buf, uint32_t *size)
{
	(void)buf;
	*size = 4;
	return NULL;
}

static void *ser_empty(void *buf, uint32_t *size)
{
	(void)buf;
	*size = 0;
	return malloc(1);
}

static void *ser_big(void *buf, uint32_t *size)
{
	(void)buf;
	*size = 64;
	return calloc(1, 64);
}

static void *deser_first(void *buf, uint32_t size)
{
	int32_t *v = malloc(sizeof(*v));

	if (v && size >= sizeof(*v))
		*v = *(int32_t *)buf;
	return v;
}

static void test_fill_and_extract(void)
{
	struct vaccel_arg_list *l = vaccel_args_init(4);
	int32_t in = 7, out = 0, *p;
	char *handed;

	REQUIRE(l);
	CHECK_INT(l->size, 4);
	CHECK_INT(l->curr_idx, 0);
	/* Unfilled arguments are valid empty RAW ones. */
	CHECK(l->list[3].buf == NULL && l->list[3].size == 0);

	CHECK_INT(vaccel_add_serial_arg(l, &in, sizeof(in)), VACCEL_OK);
	CHECK(l->list[0].buf == &in && !l->list[0].owned);
	CHECK_INT(l->list[0].type, VACCEL_ARG_RAW);
	CHECK_INT(l->idcs_allocated_space[0], 0);

	CHECK_INT(vaccel_add_nonserial_arg(l, &in, VACCEL_ARG_INT32_ARRAY,
					   ser_copy),
		  VACCEL_OK);
	CHECK(l->list[1].owned);
	CHECK_INT(l->list[1].type, VACCEL_ARG_INT32_ARRAY);
	CHECK_INT(l->list[1].size, 8);
	CHECK_INT(l->idcs_allocated_space[1], 1);
	p = vaccel_extract_serial_arg(l->list, 1);
	REQUIRE(p);
	CHECK_INT(p[1], -7);
	p = vaccel_extract_nonserial_arg(l->list, 1, deser_first);
	REQUIRE(p);
	CHECK_INT(*p, 7);
	free(p);

	CHECK_INT(vaccel_expect_serial_arg(l, &out, sizeof(out)), VACCEL_OK);
	CHECK_INT(vaccel_write_serial_arg(l->list, 2, &in), VACCEL_OK);
	CHECK_INT(out, 7);

	/* A caller hands over a malloc'd buffer the way Go's AddStringArg
	 * does: add it serial, then flag it; delete_args frees it (the
	 * sanitizer and valgrind runs catch a leak or a double free). */
	handed = malloc(6);
	REQUIRE(handed);
	memcpy(handed, "hello", 6);
	CHECK_INT(vaccel_add_serial_arg(l, handed, 6), VACCEL_OK);
	l->idcs_allocated_space[l->curr_idx - 1] = 1;

	/* Full. */
	CHECK_INT(vaccel_add_serial_arg(l, &in, sizeof(in)), VACCEL_EINVAL);
	CHECK_INT(vaccel_add_nonserial_arg(l, &in, 0, ser_copy),
		  VACCEL_EINVAL);
	CHECK_INT(vaccel_expect_nonserial_arg(l, 4), VACCEL_EINVAL);
	CHECK_INT(l->curr_idx, 4);
	CHECK_INT(vaccel_delete_args(l), VACCEL_OK);
}

static void test_expect_nonserial(void)
{
	struct vaccel_arg_list *l = vaccel_args_init(1);
	int32_t v = 3, *got;

	REQUIRE(l);
	CHECK_INT(vaccel_expect_nonserial_arg(l, 0), VACCEL_EINVAL);
	CHECK_INT(vaccel_expect_nonserial_arg(l, 8), VACCEL_OK);
	got = vaccel_extract_serial_arg(l->list, 0);
	REQUIRE(got);
	CHECK(got[0] == 0 && got[1] == 0);
	/* What an exec'd function does with it. */
	CHECK_INT(vaccel_write_nonserial_arg(l->list, 0, &v, ser_copy),
		  VACCEL_OK);
	CHECK(got[0] == 3 && got[1] == -3);
	/* Too large for the argument: refused, nothing written. */
	CHECK_INT(vaccel_write_nonserial_arg(l->list, 0, &v, ser_big),
		  VACCEL_EINVAL);
	CHECK(got[0] == 3);
	CHECK_INT(vaccel_write_nonserial_arg(l->list, 0, &v, ser_null),
		  VACCEL_EINVAL);
	CHECK_INT(vaccel_write_nonserial_arg(l->list, 0, NULL, ser_copy),
		  VACCEL_EINVAL);
	CHECK_INT(vaccel_delete_args(l), VACCEL_OK);
}

static void test_bad_input(void)
{
	struct vaccel_arg_list *l = vaccel_args_init(2);
	int32_t in = 1;

	CHECK(vaccel_args_init(0) == NULL);
	REQUIRE(l);
	CHECK_INT(vaccel_add_serial_arg(NULL, &in, 4), VACCEL_EINVAL);
	CHECK_INT(vaccel_add_serial_arg(l, NULL, 4), VACCEL_EINVAL);
	CHECK_INT(vaccel_add_serial_arg(l, &in, 0), VACCEL_EINVAL);
	CHECK_INT(vaccel_expect_serial_arg(l, NULL, 4), VACCEL_EINVAL);
	CHECK_INT(vaccel_add_nonserial_arg(l, &in, 0, NULL), VACCEL_EINVAL);
	CHECK_INT(vaccel_add_nonserial_arg(l, &in, 0, ser_null),
		  VACCEL_EINVAL);
	CHECK_INT(vaccel_add_nonserial_arg(l, &in, 0, ser_empty),
		  VACCEL_EINVAL);
	/* A type the bytes do not fit is refused and the bytes freed. */
	CHECK_INT(vaccel_add_nonserial_arg(l, &in, VACCEL_ARG_INT16,
					   ser_copy),
		  VACCEL_EINVAL);
	CHECK_INT(vaccel_add_nonserial_arg(l, &in, 999, ser_copy),
		  VACCEL_EINVAL);
	CHECK_INT(l->curr_idx, 0);
	CHECK(vaccel_extract_serial_arg(NULL, 0) == NULL);
	CHECK(vaccel_extract_serial_arg(l->list, -1) == NULL);
	CHECK(vaccel_extract_nonserial_arg(l->list, 0, NULL) == NULL);
	CHECK_INT(vaccel_write_serial_arg(l->list, -1, &in), VACCEL_EINVAL);
	CHECK_INT(vaccel_write_serial_arg(l->list, 0, NULL), VACCEL_EINVAL);
	CHECK_INT(vaccel_delete_args(NULL), VACCEL_EINVAL);
	CHECK_INT(vaccel_delete_args(l), VACCEL_OK);
}

TEST_MAIN(test_fill_and_extract, test_expect_nonserial, test_bad_input)
