/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Single arguments: element sizes, validation rules and the
 * init/release/new/delete lifecycle.
 */
#include "testing.h"
#include "vaccel.h"

static void test_elem_size(void)
{
	CHECK_INT(vaccel_arg_type_elem_size(VACCEL_ARG_INT8), 1);
	CHECK_INT(vaccel_arg_type_elem_size(VACCEL_ARG_INT8_ARRAY), 1);
	CHECK_INT(vaccel_arg_type_elem_size(VACCEL_ARG_INT16), 2);
	CHECK_INT(vaccel_arg_type_elem_size(VACCEL_ARG_INT16_ARRAY), 2);
	CHECK_INT(vaccel_arg_type_elem_size(VACCEL_ARG_INT32), 4);
	CHECK_INT(vaccel_arg_type_elem_size(VACCEL_ARG_INT32_ARRAY), 4);
	CHECK_INT(vaccel_arg_type_elem_size(VACCEL_ARG_INT64), 8);
	CHECK_INT(vaccel_arg_type_elem_size(VACCEL_ARG_INT64_ARRAY), 8);
	CHECK_INT(vaccel_arg_type_elem_size(VACCEL_ARG_UINT8), 1);
	CHECK_INT(vaccel_arg_type_elem_size(VACCEL_ARG_UINT8_ARRAY), 1);
	CHECK_INT(vaccel_arg_type_elem_size(VACCEL_ARG_UINT16), 2);
	CHECK_INT(vaccel_arg_type_elem_size(VACCEL_ARG_UINT16_ARRAY), 2);
	CHECK_INT(vaccel_arg_type_elem_size(VACCEL_ARG_UINT32), 4);
	CHECK_INT(vaccel_arg_type_elem_size(VACCEL_ARG_UINT32_ARRAY), 4);
	CHECK_INT(vaccel_arg_type_elem_size(VACCEL_ARG_UINT64), 8);
	CHECK_INT(vaccel_arg_type_elem_size(VACCEL_ARG_UINT64_ARRAY), 8);
	CHECK_INT(vaccel_arg_type_elem_size(VACCEL_ARG_FLOAT32), 4);
	CHECK_INT(vaccel_arg_type_elem_size(VACCEL_ARG_FLOAT32_ARRAY), 4);
	CHECK_INT(vaccel_arg_type_elem_size(VACCEL_ARG_FLOAT64), 8);
	CHECK_INT(vaccel_arg_type_elem_size(VACCEL_ARG_FLOAT64_ARRAY), 8);
	CHECK_INT(vaccel_arg_type_elem_size(VACCEL_ARG_BOOL), sizeof(bool));
	CHECK_INT(vaccel_arg_type_elem_size(VACCEL_ARG_BOOL_ARRAY),
		  sizeof(bool));
	CHECK_INT(vaccel_arg_type_elem_size(VACCEL_ARG_CHAR), 1);
	CHECK_INT(vaccel_arg_type_elem_size(VACCEL_ARG_CHAR_ARRAY), 1);
	CHECK_INT(vaccel_arg_type_elem_size(VACCEL_ARG_UCHAR), 1);
	CHECK_INT(vaccel_arg_type_elem_size(VACCEL_ARG_UCHAR_ARRAY), 1);
	CHECK_INT(vaccel_arg_type_elem_size(VACCEL_ARG_RAW), 0);
	CHECK_INT(vaccel_arg_type_elem_size(VACCEL_ARG_STRING), 0);
	CHECK_INT(vaccel_arg_type_elem_size(VACCEL_ARG_BUFFER), 0);
	CHECK_INT(vaccel_arg_type_elem_size(VACCEL_ARG_CUSTOM), 0);
	CHECK_INT(vaccel_arg_type_elem_size(VACCEL_ARG_MAX), 0);
	CHECK_INT(vaccel_arg_type_elem_size((vaccel_arg_type_t)1000), 0);
}

/* Every scalar type accepts exactly one element and nothing else. */
static void test_validate_scalars(void)
{
	char buf[16] = { 0 };

	for (int t = VACCEL_ARG_INT8; t <= VACCEL_ARG_UCHAR_ARRAY; t += 2) {
		size_t elem = vaccel_arg_type_elem_size(t);

		CHECK_INT(vaccel_arg_validate(buf, elem, t), VACCEL_OK);
		CHECK_INT(vaccel_arg_validate(buf, elem + 1, t),
			  VACCEL_EINVAL);
		CHECK_INT(vaccel_arg_validate(buf, elem * 2, t),
			  VACCEL_EINVAL);
		CHECK_INT(vaccel_arg_validate(buf, 0, t), VACCEL_EINVAL);
		CHECK_INT(vaccel_arg_validate(NULL, elem, t), VACCEL_EINVAL);
		CHECK_INT(vaccel_arg_validate(NULL, 0, t), VACCEL_EINVAL);
	}
}

/* Arrays take whole elements; empty only as (NULL, 0). */
static void test_validate_arrays(void)
{
	char buf[64] = { 0 };

	for (int t = VACCEL_ARG_INT8_ARRAY; t <= VACCEL_ARG_UCHAR_ARRAY;
	     t += 2) {
		size_t elem = vaccel_arg_type_elem_size(t);

		CHECK_INT(vaccel_arg_validate(buf, elem, t), VACCEL_OK);
		CHECK_INT(vaccel_arg_validate(buf, elem * 5, t), VACCEL_OK);
		CHECK_INT(vaccel_arg_validate(NULL, 0, t), VACCEL_OK);
		CHECK_INT(vaccel_arg_validate(buf, 0, t), VACCEL_EINVAL);
		CHECK_INT(vaccel_arg_validate(NULL, elem, t), VACCEL_EINVAL);
		if (elem > 1) {
			CHECK_INT(vaccel_arg_validate(buf, elem + 1, t),
				  VACCEL_EINVAL);
			CHECK_INT(vaccel_arg_validate(buf, elem * 3 - 1, t),
				  VACCEL_EINVAL);
		}
	}
}

static void test_validate_string(void)
{
	CHECK_INT(vaccel_arg_validate("abc", 4, VACCEL_ARG_STRING), VACCEL_OK);
	CHECK_INT(vaccel_arg_validate("", 1, VACCEL_ARG_STRING), VACCEL_OK);
	/* No terminator within size. */
	CHECK_INT(vaccel_arg_validate("abc", 3, VACCEL_ARG_STRING),
		  VACCEL_EINVAL);
	/* A NUL before the last byte. */
	CHECK_INT(vaccel_arg_validate("a\0b", 4, VACCEL_ARG_STRING),
		  VACCEL_EINVAL);
	CHECK_INT(vaccel_arg_validate("abc", 0, VACCEL_ARG_STRING),
		  VACCEL_EINVAL);
	CHECK_INT(vaccel_arg_validate(NULL, 0, VACCEL_ARG_STRING),
		  VACCEL_EINVAL);
	CHECK_INT(vaccel_arg_validate(NULL, 4, VACCEL_ARG_STRING),
		  VACCEL_EINVAL);
}

static void test_validate_any_size(void)
{
	static const vaccel_arg_type_t types[] = {
		VACCEL_ARG_RAW, VACCEL_ARG_BUFFER, VACCEL_ARG_CUSTOM
	};
	char buf[7] = { 0 };

	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		CHECK_INT(vaccel_arg_validate(buf, 7, types[i]), VACCEL_OK);
		CHECK_INT(vaccel_arg_validate(buf, 1, types[i]), VACCEL_OK);
		CHECK_INT(vaccel_arg_validate(buf, 0, types[i]), VACCEL_OK);
		CHECK_INT(vaccel_arg_validate(NULL, 0, types[i]), VACCEL_OK);
		CHECK_INT(vaccel_arg_validate(NULL, 3, types[i]),
			  VACCEL_EINVAL);
	}
}

static void test_validate_unknown_type(void)
{
	char buf[8] = { 0 };

	CHECK_INT(vaccel_arg_validate(buf, 1, VACCEL_ARG_MAX), VACCEL_EINVAL);
	CHECK_INT(vaccel_arg_validate(buf, 1, (vaccel_arg_type_t)-1),
		  VACCEL_EINVAL);
	CHECK_INT(vaccel_arg_validate(buf, 1, (vaccel_arg_type_t)1000),
		  VACCEL_EINVAL);
}

static void test_init_copies(void)
{
	int32_t v = 17;
	struct vaccel_arg arg;

	REQUIRE(vaccel_arg_init(&arg, &v, sizeof(v), VACCEL_ARG_INT32, 0) ==
		VACCEL_OK);
	CHECK(arg.buf != &v);
	CHECK(arg.owned);
	CHECK_INT(arg.size, 4);
	CHECK_INT(arg.type, VACCEL_ARG_INT32);
	v = 99;
	CHECK_INT(*(int32_t *)arg.buf, 17);
	CHECK_INT(vaccel_arg_release(&arg), VACCEL_OK);
	CHECK(arg.buf == NULL);
	CHECK_INT(arg.size, 0);
	CHECK(!arg.owned);
	/* Releasing a released (zeroed) arg is harmless. */
	CHECK_INT(vaccel_arg_release(&arg), VACCEL_OK);
}

static void test_init_from_buf_borrows(void)
{
	char text[] = "hello";
	struct vaccel_arg arg;

	REQUIRE(vaccel_arg_init_from_buf(&arg, text, sizeof(text),
					 VACCEL_ARG_STRING, 0) == VACCEL_OK);
	CHECK(arg.buf == text);
	CHECK(!arg.owned);
	text[0] = 'j';
	CHECK_STR(arg.buf, "jello");
	/* Must not free the stack buffer (valgrind would flag it). */
	CHECK_INT(vaccel_arg_release(&arg), VACCEL_OK);
}

static void test_init_custom_id_and_empty(void)
{
	struct vaccel_arg arg;
	char blob[3] = { 1, 2, 3 };

	REQUIRE(vaccel_arg_init(&arg, blob, sizeof(blob), VACCEL_ARG_CUSTOM,
				77) == VACCEL_OK);
	CHECK_INT(arg.custom_type_id, 77);
	CHECK(memcmp(arg.buf, blob, 3) == 0);
	vaccel_arg_release(&arg);

	/* An empty RAW argument allocates nothing. */
	REQUIRE(vaccel_arg_init(&arg, NULL, 0, VACCEL_ARG_RAW, 0) ==
		VACCEL_OK);
	CHECK(arg.buf == NULL);
	CHECK(!arg.owned);
	vaccel_arg_release(&arg);

	REQUIRE(vaccel_arg_init(&arg, NULL, 0, VACCEL_ARG_FLOAT32_ARRAY, 0) ==
		VACCEL_OK);
	CHECK(arg.buf == NULL);
	CHECK_INT(arg.size, 0);
	vaccel_arg_release(&arg);
}

static void test_init_errors_leave_arg_empty(void)
{
	int64_t v = 5;
	struct vaccel_arg arg = { .buf = &v, .size = 123 };
	struct vaccel_arg *heap = (struct vaccel_arg *)&v;

	CHECK_INT(vaccel_arg_init(NULL, &v, sizeof(v), VACCEL_ARG_INT64, 0),
		  VACCEL_EINVAL);
	CHECK_INT(vaccel_arg_init_from_buf(NULL, &v, sizeof(v),
					   VACCEL_ARG_INT64, 0),
		  VACCEL_EINVAL);
	CHECK_INT(vaccel_arg_init(&arg, &v, 4, VACCEL_ARG_INT64, 0),
		  VACCEL_EINVAL);
	CHECK_INT(vaccel_arg_init_from_buf(&arg, &v, 4, VACCEL_ARG_INT64, 0),
		  VACCEL_EINVAL);
	CHECK_INT(vaccel_arg_init(&arg, &v, 8, VACCEL_ARG_MAX, 0),
		  VACCEL_EINVAL);
	CHECK_INT(vaccel_arg_init(&arg, "ab", 2, VACCEL_ARG_STRING, 0),
		  VACCEL_EINVAL);
	/* Whatever the struct held, a failed init leaves it empty, so that
	 * releasing it is harmless; a failed _new leaves NULL. */
	CHECK(arg.buf == NULL);
	CHECK_INT(arg.size, 0);
	CHECK_INT(vaccel_arg_release(&arg), VACCEL_OK);
	CHECK_INT(vaccel_arg_new(&heap, &v, 4, VACCEL_ARG_INT64, 0),
		  VACCEL_EINVAL);
	CHECK(heap == NULL);
	CHECK_INT(vaccel_arg_delete(heap), VACCEL_OK);
	CHECK_INT(vaccel_arg_release(NULL), VACCEL_EINVAL);
}

static void test_new_delete(void)
{
	double d = 2.5;
	struct vaccel_arg *a = NULL, *b = NULL;

	REQUIRE(vaccel_arg_new(&a, &d, sizeof(d), VACCEL_ARG_FLOAT64, 0) ==
		VACCEL_OK);
	REQUIRE(a != NULL);
	CHECK(a->owned);
	CHECK(a->buf != &d);
	d = 0;
	CHECK(*(double *)a->buf == 2.5);
	CHECK_INT(vaccel_arg_delete(a), VACCEL_OK);

	REQUIRE(vaccel_arg_from_buf(&b, &d, sizeof(d), VACCEL_ARG_FLOAT64,
				    0) == VACCEL_OK);
	CHECK(b->buf == &d);
	CHECK(!b->owned);
	CHECK_INT(vaccel_arg_delete(b), VACCEL_OK);

	CHECK_INT(vaccel_arg_delete(NULL), VACCEL_OK);
	CHECK_INT(vaccel_arg_new(NULL, &d, sizeof(d), VACCEL_ARG_FLOAT64, 0),
		  VACCEL_EINVAL);
	CHECK_INT(vaccel_arg_from_buf(NULL, &d, sizeof(d), VACCEL_ARG_FLOAT64,
				      0),
		  VACCEL_EINVAL);
	a = NULL;
	CHECK_INT(vaccel_arg_new(&a, &d, 3, VACCEL_ARG_FLOAT64, 0),
		  VACCEL_EINVAL);
	CHECK(a == NULL);
	CHECK_INT(vaccel_arg_from_buf(&a, NULL, 8, VACCEL_ARG_FLOAT64, 0),
		  VACCEL_EINVAL);
	CHECK(a == NULL);
}

TEST_MAIN(test_elem_size, test_validate_scalars, test_validate_arrays,
	  test_validate_string, test_validate_any_size,
	  test_validate_unknown_type, test_init_copies,
	  test_init_from_buf_borrows, test_init_custom_id_and_empty,
	  test_init_errors_leave_arg_empty, test_new_delete)
