/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The generated typed accessors: one round-trip test per numeric type
 * (generated from the same X-macro as the API), plus type and size
 * mismatch checks across types.
 */
#include "testing.h"
#include "vaccel.h"

#define NVALS 5

/* Values that differ per index and stay distinct for bool (0/1). */
#define VAL(ctype, i) ((ctype)((i) % 2 ? (i) + 1 : 0))

/*
 * For one type: add a copied scalar, a borrowed array and another scalar;
 * check that the copy is independent and the borrow is not; read them back;
 * hit the end; write through the setters; check the NULL and mismatch
 * errors; and an empty array.
 */
#define ROUND_TRIP_TEST(name, ctype, TYPE)                                     \
	static void test_##name(void)                                          \
	{                                                                      \
		struct vaccel_arg_array a;                                     \
		ctype one = VAL(ctype, 1), two = VAL(ctype, 3), got = VAL(ctype, 0); \
		ctype vals[NVALS], nvals[NVALS], *gotv = NULL;                 \
		size_t n = 0;                                                  \
		for (int i = 0; i < NVALS; i++) {                              \
			vals[i] = VAL(ctype, i);                               \
			nvals[i] = VAL(ctype, i + 1);                          \
		}                                                              \
		REQUIRE(vaccel_arg_array_init(&a, 0) == VACCEL_OK);            \
		CHECK_INT(vaccel_arg_array_add_##name(&a, &one), VACCEL_OK);   \
		CHECK_INT(vaccel_arg_array_add_##name##_array(&a, vals,        \
							      NVALS),          \
			  VACCEL_OK);                                          \
		CHECK_INT(vaccel_arg_array_add_##name(&a, &two), VACCEL_OK);   \
		REQUIRE(vaccel_arg_array_count(&a) == 3);                      \
		CHECK_INT(a.args[0].type, VACCEL_ARG_##TYPE);                  \
		CHECK_INT(a.args[1].type, VACCEL_ARG_##TYPE##_ARRAY);          \
		CHECK_INT(a.args[1].size, sizeof(ctype) * NVALS);              \
		/* Both are borrowed: the args read the caller's variables. */ \
		CHECK(a.args[0].buf == &one && !a.args[0].owned);              \
		one = VAL(ctype, 2);                                           \
		vals[4] = VAL(ctype, 7);                                       \
		CHECK_INT(vaccel_arg_array_get_##name(&a, &got), VACCEL_OK);   \
		CHECK(got == VAL(ctype, 2));                                   \
		CHECK_INT(vaccel_arg_array_get_##name##_array(&a, &gotv, &n),  \
			  VACCEL_OK);                                          \
		CHECK(gotv == vals);                                           \
		CHECK_INT(n, NVALS);                                           \
		CHECK(gotv[4] == VAL(ctype, 7));                               \
		CHECK_INT(vaccel_arg_array_get_##name(&a, &got), VACCEL_OK);   \
		CHECK(got == two);                                             \
		/* Past the end: ERANGE, position kept. */                     \
		CHECK_INT(vaccel_arg_array_get_##name(&a, &got),               \
			  VACCEL_ERANGE);                                      \
		CHECK_INT(vaccel_arg_array_get_##name##_array(&a, &gotv, &n),  \
			  VACCEL_ERANGE);                                      \
		CHECK_INT(vaccel_arg_array_position(&a), 3);                   \
		/* Scalar vs array mismatch: EINVAL, position kept. */         \
		vaccel_arg_array_reset_position(&a);                           \
		CHECK_INT(vaccel_arg_array_get_##name##_array(&a, &gotv, &n),  \
			  VACCEL_EINVAL);                                      \
		CHECK_INT(vaccel_arg_array_position(&a), 0);                   \
		CHECK_INT(vaccel_arg_array_set_##name##_array(&a, nvals,       \
							      NVALS),          \
			  VACCEL_EINVAL);                                      \
		CHECK_INT(vaccel_arg_array_position(&a), 0);                   \
		/* Setters write into the args, so into one and vals. */       \
		CHECK_INT(vaccel_arg_array_set_##name(&a, &two), VACCEL_OK);   \
		CHECK(one == two);                                             \
		CHECK_INT(vaccel_arg_array_set_##name##_array(&a, nvals,       \
							      NVALS - 1),      \
			  VACCEL_EINVAL);                                      \
		CHECK_INT(vaccel_arg_array_position(&a), 1);                   \
		CHECK_INT(vaccel_arg_array_set_##name##_array(&a, nvals,       \
							      NVALS),          \
			  VACCEL_OK);                                          \
		CHECK(memcmp(vals, nvals, sizeof(vals)) == 0);                 \
		CHECK_INT(vaccel_arg_array_set_##name(&a, &one), VACCEL_OK);   \
		CHECK_INT(vaccel_arg_array_set_##name(&a, &one),               \
			  VACCEL_ERANGE);                                      \
		vaccel_arg_array_reset_position(&a);                           \
		CHECK_INT(vaccel_arg_array_get_##name(&a, &got), VACCEL_OK);   \
		CHECK(got == two);                                             \
		vaccel_arg_array_set_position(&a, 2);                          \
		CHECK_INT(vaccel_arg_array_get_##name(&a, &got), VACCEL_OK);   \
		CHECK(got == one);                                             \
		/* NULL arguments. */                                          \
		CHECK_INT(vaccel_arg_array_add_##name(NULL, &one),             \
			  VACCEL_EINVAL);                                      \
		CHECK_INT(vaccel_arg_array_add_##name(&a, NULL),               \
			  VACCEL_EINVAL);                                      \
		CHECK_INT(vaccel_arg_array_add_##name##_array(NULL, vals, 1),  \
			  VACCEL_EINVAL);                                      \
		CHECK_INT(vaccel_arg_array_add_##name##_array(&a, NULL, 1),    \
			  VACCEL_EINVAL);                                      \
		CHECK_INT(vaccel_arg_array_count(&a), 3);                      \
		vaccel_arg_array_reset_position(&a);                           \
		CHECK_INT(vaccel_arg_array_get_##name(NULL, &got),             \
			  VACCEL_EINVAL);                                      \
		CHECK_INT(vaccel_arg_array_get_##name(&a, NULL),               \
			  VACCEL_EINVAL);                                      \
		CHECK_INT(vaccel_arg_array_set_##name(&a, NULL),               \
			  VACCEL_EINVAL);                                      \
		CHECK_INT(vaccel_arg_array_set_##name(NULL, &one),             \
			  VACCEL_EINVAL);                                      \
		vaccel_arg_array_set_position(&a, 1);                          \
		CHECK_INT(vaccel_arg_array_get_##name##_array(&a, NULL, &n),   \
			  VACCEL_EINVAL);                                      \
		CHECK_INT(vaccel_arg_array_get_##name##_array(&a, &gotv,       \
							      NULL),           \
			  VACCEL_EINVAL);                                      \
		CHECK_INT(vaccel_arg_array_get_##name##_array(NULL, &gotv,     \
							      &n),             \
			  VACCEL_EINVAL);                                      \
		CHECK_INT(vaccel_arg_array_set_##name##_array(&a, NULL,        \
							      NVALS),          \
			  VACCEL_EINVAL);                                      \
		CHECK_INT(vaccel_arg_array_position(&a), 1);                   \
		/* An empty array reads back as (NULL, 0). */                  \
		vaccel_arg_array_clear(&a);                                    \
		CHECK_INT(vaccel_arg_array_add_##name##_array(&a, vals, 0),    \
			  VACCEL_OK);                                          \
		CHECK(a.args[0].buf == NULL);                                  \
		gotv = vals;                                                   \
		n = 99;                                                        \
		CHECK_INT(vaccel_arg_array_get_##name##_array(&a, &gotv, &n),  \
			  VACCEL_OK);                                          \
		CHECK(gotv == NULL);                                           \
		CHECK_INT(n, 0);                                               \
		vaccel_arg_array_reset_position(&a);                           \
		CHECK_INT(vaccel_arg_array_set_##name##_array(&a, NULL, 0),    \
			  VACCEL_OK);                                          \
		CHECK_INT(vaccel_arg_array_release(&a), VACCEL_OK);            \
	}

VACCEL_ARG_NUMERIC_TYPES(ROUND_TRIP_TEST)

/* Same size, different type: rejected both ways, position unchanged. */
static void test_type_mismatch(void)
{
	struct vaccel_arg_array a;
	int32_t i32 = 1;
	float f32 = 2.0f;
	double f64 = 3.0;
	int64_t i64 = 0;
	uint32_t u32 = 0;
	uint8_t u8 = 5;
	int8_t i8 = 0;
	char c = 0;

	REQUIRE(vaccel_arg_array_init(&a, 2) == VACCEL_OK);
	CHECK_INT(vaccel_arg_array_add_int32(&a, &i32), VACCEL_OK);
	CHECK_INT(vaccel_arg_array_add_float(&a, &f32), VACCEL_OK);
	CHECK_INT(vaccel_arg_array_add_double(&a, &f64), VACCEL_OK);
	CHECK_INT(vaccel_arg_array_add_uint8(&a, &u8), VACCEL_OK);

	CHECK_INT(vaccel_arg_array_get_float(&a, &f32), VACCEL_EINVAL);
	CHECK_INT(vaccel_arg_array_get_uint32(&a, &u32), VACCEL_EINVAL);
	CHECK_INT(vaccel_arg_array_set_float(&a, &f32), VACCEL_EINVAL);
	CHECK_INT(vaccel_arg_array_position(&a), 0);
	CHECK_INT(vaccel_arg_array_get_int32(&a, &i32), VACCEL_OK);

	CHECK_INT(vaccel_arg_array_get_int32(&a, &i32), VACCEL_EINVAL);
	CHECK_INT(vaccel_arg_array_position(&a), 1);
	CHECK_INT(vaccel_arg_array_get_float(&a, &f32), VACCEL_OK);

	CHECK_INT(vaccel_arg_array_get_int64(&a, &i64), VACCEL_EINVAL);
	CHECK_INT(vaccel_arg_array_get_float(&a, &f32), VACCEL_EINVAL);
	CHECK_INT(vaccel_arg_array_position(&a), 2);
	CHECK_INT(vaccel_arg_array_get_double(&a, &f64), VACCEL_OK);
	CHECK(f64 == 3.0);

	CHECK_INT(vaccel_arg_array_get_int8(&a, &i8), VACCEL_EINVAL);
	CHECK_INT(vaccel_arg_array_get_char(&a, &c), VACCEL_EINVAL);
	CHECK_INT(vaccel_arg_array_get_uint8(&a, &u8), VACCEL_OK);
	CHECK_INT(u8, 5);
	vaccel_arg_array_release(&a);
}

/* Right type, wrong size (built by hand, as a peer could send it); and
 * RAW arguments that typed getters refuse but get_raw accepts. */
static void test_size_mismatch_and_raw(void)
{
	int64_t big = 0x1122334455667788LL;
	int32_t i32 = 42, out = 0, *outv = NULL;
	char three[3] = { 1, 2, 3 };
	struct vaccel_arg args[4] = {
		{ .buf = &big, .size = 8, .type = VACCEL_ARG_INT32 },
		{ .buf = three, .size = 3, .type = VACCEL_ARG_INT32_ARRAY },
		{ .buf = &i32, .size = 4, .type = VACCEL_ARG_RAW },
		{ .buf = NULL, .size = 4, .type = VACCEL_ARG_INT32 },
	};
	struct vaccel_arg_array a;
	void *raw = NULL;
	size_t n = 0;

	REQUIRE(vaccel_arg_array_wrap(&a, args, 4) == VACCEL_OK);
	CHECK_INT(vaccel_arg_array_get_int32(&a, &out), VACCEL_EINVAL);
	CHECK_INT(vaccel_arg_array_set_int32(&a, &i32), VACCEL_EINVAL);
	CHECK_INT(big, 0x1122334455667788LL);
	CHECK_INT(vaccel_arg_array_get_int64(&a, (int64_t *)&big),
		  VACCEL_EINVAL);
	CHECK_INT(vaccel_arg_array_position(&a), 0);
	vaccel_arg_array_set_position(&a, 1);
	CHECK_INT(vaccel_arg_array_get_int32_array(&a, &outv, &n),
		  VACCEL_EINVAL);
	CHECK_INT(vaccel_arg_array_position(&a), 1);
	vaccel_arg_array_set_position(&a, 2);
	CHECK_INT(vaccel_arg_array_get_int32(&a, &out), VACCEL_EINVAL);
	CHECK_INT(vaccel_arg_array_get_uint32(&a, (uint32_t *)&out),
		  VACCEL_EINVAL);
	CHECK_INT(vaccel_arg_array_position(&a), 2);
	CHECK_INT(vaccel_arg_array_get_raw(&a, &raw, &n), VACCEL_OK);
	CHECK(raw == &i32);
	CHECK_INT(n, 4);
	/* A typed argument whose buffer is NULL is refused, not read. */
	CHECK_INT(vaccel_arg_array_get_int32(&a, &out), VACCEL_EINVAL);
	CHECK_INT(vaccel_arg_array_position(&a), 3);
	vaccel_arg_array_release(&a);
}

#define TEST_NAME(name, ctype, TYPE) test_##name,
/* One more expansion level, so that TEST_MAIN prints the generated names
 * rather than the X-macro call. */
#define EXPANDED_TEST_MAIN(...) TEST_MAIN(__VA_ARGS__)

EXPANDED_TEST_MAIN(VACCEL_ARG_NUMERIC_TYPES(TEST_NAME) test_type_mismatch,
		   test_size_mismatch_and_raw)
