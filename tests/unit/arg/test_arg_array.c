/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Argument arrays: lifecycle and growth, string/buffer/raw/custom and
 * serialized arguments, bulk appends (copy vs borrow), wrapped views,
 * clearing, positions and NULL handling.
 */
#include "testing.h"
#include "vaccel.h"
#include <stdint.h>

static void test_lifecycle_and_growth(void)
{
	/* Adds borrow: every argument needs a variable of its own. */
	static int32_t vals[100000];
	struct vaccel_arg_array a;
	struct vaccel_arg_array *p = NULL;
	int32_t v;

	for (v = 0; v < 100000; v++)
		vals[v] = v;
	REQUIRE(vaccel_arg_array_init(&a, 0) == VACCEL_OK);
	CHECK_INT(a.capacity, 0);
	CHECK(a.owned);
	v = 0;
	CHECK_INT(vaccel_arg_array_add_int32(&a, &vals[v]), VACCEL_OK);
	CHECK_INT(a.capacity, 4);
	for (v = 1; v < 5; v++)
		CHECK_INT(vaccel_arg_array_add_int32(&a, &vals[v]), VACCEL_OK);
	CHECK_INT(a.capacity, 8);
	for (; v < 100000; v++)
		if (vaccel_arg_array_add_int32(&a, &vals[v]) != VACCEL_OK)
			break;
	CHECK_INT(vaccel_arg_array_count(&a), 100000);
	CHECK_INT(a.capacity, 131072);
	for (int32_t i = 0; i < 100000; i++) {
		int32_t got = -1;

		if (vaccel_arg_array_get_int32(&a, &got) != VACCEL_OK ||
		    got != i) {
			CHECK_INT(got, i);
			break;
		}
	}
	CHECK_INT(vaccel_arg_array_remaining_count(&a), 0);
	CHECK_INT(vaccel_arg_array_release(&a), VACCEL_OK);
	CHECK(a.args == NULL);
	CHECK_INT(a.count, 0);
	/* Released twice, and a released array is usable again. */
	CHECK_INT(vaccel_arg_array_release(&a), VACCEL_OK);
	CHECK_INT(vaccel_arg_array_add_int32(&a, &v), VACCEL_OK);
	CHECK_INT(vaccel_arg_array_release(&a), VACCEL_OK);

	REQUIRE(vaccel_arg_array_new(&p, 16) == VACCEL_OK);
	CHECK_INT(p->capacity, 16);
	CHECK_INT(vaccel_arg_array_add_int32(p, &v), VACCEL_OK);
	CHECK_INT(vaccel_arg_array_delete(p), VACCEL_OK);
	CHECK_INT(vaccel_arg_array_delete(NULL), VACCEL_OK);
}

static void test_lifecycle_errors(void)
{
	struct vaccel_arg_array a;
	struct vaccel_arg_array *p = NULL;

	CHECK_INT(vaccel_arg_array_init(NULL, 4), VACCEL_EINVAL);
	CHECK_INT(vaccel_arg_array_release(NULL), VACCEL_EINVAL);
	CHECK_INT(vaccel_arg_array_new(NULL, 4), VACCEL_EINVAL);
	/* A capacity whose byte size overflows. */
	CHECK_INT(vaccel_arg_array_init(&a, SIZE_MAX), VACCEL_ENOMEM);
	CHECK_INT(vaccel_arg_array_new(&p, SIZE_MAX / 2), VACCEL_ENOMEM);
	CHECK(p == NULL);
	vaccel_arg_array_clear(NULL);
	vaccel_arg_array_set_position(NULL, 1);
	vaccel_arg_array_reset_position(NULL);
	CHECK_INT(vaccel_arg_array_count(NULL), 0);
	CHECK_INT(vaccel_arg_array_position(NULL), 0);
	CHECK_INT(vaccel_arg_array_remaining_count(NULL), 0);
	CHECK(vaccel_arg_array_raw(NULL) == NULL);
}

/* A zero-initialised array needs no init call. */
static void test_zeroed_array(void)
{
	struct vaccel_arg_array a = { 0 };
	uint64_t v = 7, got = 0;

	CHECK_INT(vaccel_arg_array_get_uint64(&a, &got), VACCEL_ERANGE);
	CHECK_INT(vaccel_arg_array_add_uint64(&a, &v), VACCEL_OK);
	CHECK_INT(vaccel_arg_array_get_uint64(&a, &got), VACCEL_OK);
	CHECK_INT(got, 7);
	vaccel_arg_array_release(&a);
}

static void test_string(void)
{
	struct vaccel_arg_array a;
	char name[] = "resnet";
	char other[] = "vgg16x";
	char shorter[] = "vgg";
	char *got = NULL;

	REQUIRE(vaccel_arg_array_init(&a, 1) == VACCEL_OK);
	CHECK_INT(vaccel_arg_array_add_string(&a, name), VACCEL_OK);
	CHECK_INT(a.args[0].size, 7);
	CHECK_INT(a.args[0].type, VACCEL_ARG_STRING);
	/* Borrowed: the caller's edit shows. */
	name[0] = 'R';
	CHECK_INT(vaccel_arg_array_get_string(&a, &got), VACCEL_OK);
	CHECK(got == name);
	CHECK_STR(got, "Resnet");

	vaccel_arg_array_reset_position(&a);
	CHECK_INT(vaccel_arg_array_set_string(&a, shorter), VACCEL_EINVAL);
	CHECK_INT(vaccel_arg_array_position(&a), 0);
	CHECK_INT(vaccel_arg_array_set_string(&a, other), VACCEL_OK);
	CHECK_STR(name, "vgg16x");
	CHECK_INT(vaccel_arg_array_set_string(&a, other), VACCEL_ERANGE);

	CHECK_INT(vaccel_arg_array_add_string(&a, NULL), VACCEL_EINVAL);
	CHECK_INT(vaccel_arg_array_add_string(NULL, name), VACCEL_EINVAL);
	CHECK_INT(vaccel_arg_array_set_string(&a, NULL), VACCEL_EINVAL);
	CHECK_INT(vaccel_arg_array_get_string(&a, NULL), VACCEL_EINVAL);
	CHECK_INT(vaccel_arg_array_get_string(NULL, &got), VACCEL_EINVAL);
	vaccel_arg_array_release(&a);
}

/* Strings in a wrapped list were never validated: the getter checks. */
static void test_string_invalid_in_view(void)
{
	char no_nul[3] = { 'a', 'b', 'c' };
	char early_nul[4] = { 'a', '\0', 'c', '\0' };
	struct vaccel_arg args[3] = {
		{ .buf = no_nul, .size = 3, .type = VACCEL_ARG_STRING },
		{ .buf = early_nul, .size = 4, .type = VACCEL_ARG_STRING },
		{ .buf = NULL, .size = 0, .type = VACCEL_ARG_STRING },
	};
	struct vaccel_arg_array a;
	char *got = NULL;

	REQUIRE(vaccel_arg_array_wrap(&a, args, 3) == VACCEL_OK);
	CHECK_INT(vaccel_arg_array_get_string(&a, &got), VACCEL_EINVAL);
	vaccel_arg_array_set_position(&a, 1);
	CHECK_INT(vaccel_arg_array_get_string(&a, &got), VACCEL_EINVAL);
	vaccel_arg_array_set_position(&a, 2);
	CHECK_INT(vaccel_arg_array_get_string(&a, &got), VACCEL_EINVAL);
	CHECK_INT(vaccel_arg_array_position(&a), 2);
	CHECK(got == NULL);
	vaccel_arg_array_release(&a);
}

static void test_buffer_and_raw(void)
{
	struct vaccel_arg_array a;
	unsigned char img[16];
	unsigned char repl[16];
	int16_t s16 = 300, out16 = 0;
	void *buf = NULL;
	size_t size = 0;

	for (int i = 0; i < 16; i++) {
		img[i] = (unsigned char)i;
		repl[i] = (unsigned char)(100 + i);
	}
	REQUIRE(vaccel_arg_array_init(&a, 0) == VACCEL_OK);
	CHECK_INT(vaccel_arg_array_add_buffer(&a, img, sizeof(img)),
		  VACCEL_OK);
	CHECK_INT(vaccel_arg_array_add_raw(&a, img, 5), VACCEL_OK);
	CHECK_INT(vaccel_arg_array_add_int16(&a, &s16), VACCEL_OK);
	CHECK_INT(vaccel_arg_array_add_buffer(&a, NULL, 0), VACCEL_OK);
	CHECK_INT(vaccel_arg_array_add_buffer(&a, NULL, 4), VACCEL_EINVAL);
	CHECK_INT(vaccel_arg_array_add_raw(&a, NULL, 4), VACCEL_EINVAL);
	CHECK_INT(vaccel_arg_array_count(&a), 4);

	CHECK_INT(vaccel_arg_array_get_buffer(&a, &buf, &size), VACCEL_OK);
	CHECK(buf == img);
	CHECK_INT(size, 16);
	/* Typed getters refuse RAW, BUFFER refuses RAW, get_raw takes it. */
	CHECK_INT(vaccel_arg_array_get_buffer(&a, &buf, &size),
		  VACCEL_EINVAL);
	CHECK_INT(vaccel_arg_array_get_raw(&a, &buf, &size), VACCEL_OK);
	CHECK(buf == img);
	CHECK_INT(size, 5);
	/* get_raw accepts any type. */
	CHECK_INT(vaccel_arg_array_get_raw(&a, &buf, &size), VACCEL_OK);
	CHECK_INT(size, 2);
	CHECK_INT(*(int16_t *)buf, 300);
	CHECK_INT(vaccel_arg_array_get_buffer(&a, &buf, &size), VACCEL_OK);
	CHECK(buf == NULL);
	CHECK_INT(size, 0);
	CHECK_INT(vaccel_arg_array_get_raw(&a, &buf, &size), VACCEL_ERANGE);

	/* Setters: exact size only. */
	vaccel_arg_array_reset_position(&a);
	CHECK_INT(vaccel_arg_array_set_buffer(&a, repl, 15), VACCEL_EINVAL);
	CHECK_INT(vaccel_arg_array_set_buffer(&a, repl, 16), VACCEL_OK);
	CHECK(memcmp(img, repl, 16) == 0);
	CHECK_INT(vaccel_arg_array_set_buffer(&a, repl, 5), VACCEL_EINVAL);
	CHECK_INT(vaccel_arg_array_set_raw(&a, "ABCDE", 5), VACCEL_OK);
	CHECK(memcmp(img, "ABCDE", 5) == 0);
	s16 = -2;
	CHECK_INT(vaccel_arg_array_set_raw(&a, &s16, 1), VACCEL_EINVAL);
	CHECK_INT(vaccel_arg_array_set_raw(&a, &s16, 2), VACCEL_OK);
	vaccel_arg_array_set_position(&a, 2);
	CHECK_INT(vaccel_arg_array_get_int16(&a, &out16), VACCEL_OK);
	CHECK_INT(out16, -2);
	CHECK_INT(vaccel_arg_array_set_raw(&a, NULL, 3), VACCEL_EINVAL);

	CHECK_INT(vaccel_arg_array_get_buffer(&a, NULL, &size), VACCEL_EINVAL);
	CHECK_INT(vaccel_arg_array_get_buffer(&a, &buf, NULL), VACCEL_EINVAL);
	CHECK_INT(vaccel_arg_array_get_raw(&a, NULL, &size), VACCEL_EINVAL);
	CHECK_INT(vaccel_arg_array_get_raw(NULL, &buf, &size), VACCEL_EINVAL);
	CHECK_INT(vaccel_arg_array_add_raw(NULL, img, 1), VACCEL_EINVAL);
	CHECK_INT(vaccel_arg_array_add_buffer(NULL, img, 1), VACCEL_EINVAL);
	CHECK_INT(vaccel_arg_array_set_buffer(NULL, img, 1), VACCEL_EINVAL);
	vaccel_arg_array_release(&a);
}

struct point {
	int32_t x, y;
};

#define POINT_ID 42u

/* Accepts exactly one struct point under POINT_ID. */
static bool point_validator(const void *buf, size_t size, uint32_t id)
{
	return buf && size == sizeof(struct point) && id == POINT_ID;
}

static void test_custom(void)
{
	struct vaccel_arg_array a;
	struct point pt = { 1, 2 }, np = { 3, 4 };
	int32_t small = 5;
	void *buf = NULL;
	size_t size = 0;

	REQUIRE(vaccel_arg_array_init(&a, 0) == VACCEL_OK);
	CHECK_INT(vaccel_arg_array_add_custom(&a, POINT_ID, &pt, sizeof(pt),
					      point_validator),
		  VACCEL_OK);
	CHECK_INT(a.args[0].custom_type_id, POINT_ID);
	CHECK_INT(vaccel_arg_array_add_custom(&a, POINT_ID, &small,
					      sizeof(small), point_validator),
		  VACCEL_EINVAL);
	CHECK_INT(vaccel_arg_array_add_custom(&a, 7, &pt, sizeof(pt),
					      point_validator),
		  VACCEL_EINVAL);
	CHECK_INT(vaccel_arg_array_count(&a), 1);
	/* Without a validator any value goes. */
	CHECK_INT(vaccel_arg_array_add_custom(&a, 7, &small, sizeof(small),
					      NULL),
		  VACCEL_OK);

	CHECK_INT(vaccel_arg_array_get_custom(&a, 9, &buf, &size, NULL),
		  VACCEL_EINVAL);
	CHECK_INT(vaccel_arg_array_position(&a), 0);
	CHECK_INT(vaccel_arg_array_get_custom(&a, POINT_ID, &buf, &size,
					      point_validator),
		  VACCEL_OK);
	CHECK(buf == &pt);
	CHECK_INT(size, sizeof(pt));
	/* The second arg has id 7: the point validator rejects it. */
	CHECK_INT(vaccel_arg_array_get_custom(&a, 7, &buf, &size,
					      point_validator),
		  VACCEL_EINVAL);
	CHECK_INT(vaccel_arg_array_position(&a), 1);
	CHECK_INT(vaccel_arg_array_get_custom(&a, 7, &buf, &size, NULL),
		  VACCEL_OK);
	CHECK(buf == &small);

	vaccel_arg_array_reset_position(&a);
	CHECK_INT(vaccel_arg_array_set_custom(&a, 7, &np, sizeof(np), NULL),
		  VACCEL_EINVAL);
	CHECK_INT(vaccel_arg_array_set_custom(&a, POINT_ID, &small,
					      sizeof(small), NULL),
		  VACCEL_EINVAL);
	CHECK_INT(vaccel_arg_array_set_custom(&a, POINT_ID, &np, sizeof(np),
					      point_validator),
		  VACCEL_OK);
	CHECK_INT(pt.x, 3);
	CHECK_INT(pt.y, 4);
	CHECK_INT(vaccel_arg_array_get_custom(&a, 7, NULL, &size, NULL),
		  VACCEL_EINVAL);
	CHECK_INT(vaccel_arg_array_add_custom(NULL, 7, &np, sizeof(np), NULL),
		  VACCEL_EINVAL);
	/* Not CUSTOM at all. */
	CHECK_INT(vaccel_arg_array_add_int32(&a, &small), VACCEL_OK);
	vaccel_arg_array_set_position(&a, 2);
	CHECK_INT(vaccel_arg_array_get_custom(&a, 0, &buf, &size, NULL),
		  VACCEL_EINVAL);
	vaccel_arg_array_release(&a);
}

/*
 * A real serializer pair: a point becomes the text "x,y" plus its NUL
 * (so it can travel as a STRING too), and back.
 */
static int point_serialize(const void *data, size_t data_size, uint32_t id,
			   void **buf, size_t *size)
{
	const struct point *p = data;
	char tmp[32];
	int n;

	if (data_size != sizeof(*p) || id != POINT_ID)
		return VACCEL_EINVAL;
	n = snprintf(tmp, sizeof(tmp), "%d,%d", (int)p->x, (int)p->y);
	*buf = strdup(tmp);
	if (!*buf)
		return VACCEL_ENOMEM;
	*size = (size_t)n + 1;
	return VACCEL_OK;
}

static int point_deserialize(const void *buf, size_t size, uint32_t id,
			     size_t data_size, void *data)
{
	struct point *p = data;
	int x, y;

	if (data_size != sizeof(*p) || id != POINT_ID || size == 0 ||
	    ((const char *)buf)[size - 1] != '\0')
		return VACCEL_EINVAL;
	if (sscanf(buf, "%d,%d", &x, &y) != 2)
		return VACCEL_EINVAL;
	p->x = x;
	p->y = y;
	return VACCEL_OK;
}

/* Claims success but returns bytes that are no valid STRING. */
static int bad_serialize(const void *data, size_t data_size, uint32_t id,
			 void **buf, size_t *size)
{
	(void)data;
	(void)data_size;
	(void)id;
	*buf = malloc(3);
	if (!*buf)
		return VACCEL_ENOMEM;
	memcpy(*buf, "abc", 3);
	*size = 3;
	return VACCEL_OK;
}

static void test_serialized(void)
{
	struct vaccel_arg_array a;
	struct point in = { -7, 123 }, out = { 0, 0 }, upd = { 99, -5 };
	struct point upd_long = { 1000, 1000 };
	char *str = NULL;

	REQUIRE(vaccel_arg_array_init(&a, 0) == VACCEL_OK);
	CHECK_INT(vaccel_arg_array_add_serialized(&a, VACCEL_ARG_CUSTOM,
						  POINT_ID, &in, sizeof(in),
						  point_serialize),
		  VACCEL_OK);
	CHECK_INT(vaccel_arg_array_add_serialized(&a, VACCEL_ARG_STRING,
						  POINT_ID, &in, sizeof(in),
						  point_serialize),
		  VACCEL_OK);
	CHECK(a.args[0].owned);
	CHECK_INT(a.args[0].size, strlen("-7,123") + 1);
	/* Serializer failures and bad output add nothing and leak nothing. */
	CHECK_INT(vaccel_arg_array_add_serialized(&a, VACCEL_ARG_CUSTOM, 1,
						  &in, sizeof(in),
						  point_serialize),
		  VACCEL_EINVAL);
	CHECK_INT(vaccel_arg_array_add_serialized(&a, VACCEL_ARG_STRING,
						  POINT_ID, &in, sizeof(in),
						  bad_serialize),
		  VACCEL_EINVAL);
	CHECK_INT(vaccel_arg_array_add_serialized(&a, VACCEL_ARG_INT32,
						  POINT_ID, &in, sizeof(in),
						  point_serialize),
		  VACCEL_EINVAL);
	CHECK_INT(vaccel_arg_array_add_serialized(&a, VACCEL_ARG_CUSTOM,
						  POINT_ID, &in, sizeof(in),
						  NULL),
		  VACCEL_EINVAL);
	CHECK_INT(vaccel_arg_array_count(&a), 2);

	/* Wrong expectations leave the position alone. */
	CHECK_INT(vaccel_arg_array_get_serialized(&a, VACCEL_ARG_BUFFER,
						  POINT_ID, &out, sizeof(out),
						  point_deserialize),
		  VACCEL_EINVAL);
	CHECK_INT(vaccel_arg_array_get_serialized(&a, VACCEL_ARG_CUSTOM, 3,
						  &out, sizeof(out),
						  point_deserialize),
		  VACCEL_EINVAL);
	CHECK_INT(vaccel_arg_array_get_serialized(&a, VACCEL_ARG_CUSTOM,
						  POINT_ID, &out, 3,
						  point_deserialize),
		  VACCEL_EINVAL);
	CHECK_INT(vaccel_arg_array_position(&a), 0);
	CHECK_INT(vaccel_arg_array_get_serialized(&a, VACCEL_ARG_CUSTOM,
						  POINT_ID, &out, sizeof(out),
						  point_deserialize),
		  VACCEL_OK);
	CHECK_INT(out.x, -7);
	CHECK_INT(out.y, 123);
	CHECK_INT(vaccel_arg_array_get_string(&a, &str), VACCEL_OK);
	CHECK_STR(str, "-7,123");

	/* set_serialized needs the same serialized size: "99,-5" is one
	 * byte shorter than "-7,123" and is refused, "10,-99" fits. */
	vaccel_arg_array_reset_position(&a);
	CHECK_INT(vaccel_arg_array_set_serialized(&a, VACCEL_ARG_CUSTOM,
						  POINT_ID, &upd, sizeof(upd),
						  point_serialize),
		  VACCEL_EINVAL);
	CHECK_INT(vaccel_arg_array_position(&a), 0);
	upd_long.x = 10;
	upd_long.y = -99;
	CHECK_INT(vaccel_arg_array_set_serialized(&a, VACCEL_ARG_CUSTOM,
						  POINT_ID, &upd_long,
						  sizeof(upd_long),
						  point_serialize),
		  VACCEL_OK);
	vaccel_arg_array_reset_position(&a);
	CHECK_INT(vaccel_arg_array_get_serialized(&a, VACCEL_ARG_CUSTOM,
						  POINT_ID, &out, sizeof(out),
						  point_deserialize),
		  VACCEL_OK);
	CHECK_INT(out.x, 10);
	CHECK_INT(out.y, -99);
	CHECK_INT(vaccel_arg_array_get_serialized(&a, VACCEL_ARG_STRING,
						  POINT_ID, NULL, sizeof(out),
						  point_deserialize),
		  VACCEL_EINVAL);
	CHECK_INT(vaccel_arg_array_get_serialized(&a, VACCEL_ARG_STRING,
						  POINT_ID, &out, sizeof(out),
						  NULL),
		  VACCEL_EINVAL);
	CHECK_INT(vaccel_arg_array_set_serialized(&a, VACCEL_ARG_STRING,
						  POINT_ID, &upd, sizeof(upd),
						  NULL),
		  VACCEL_EINVAL);
	CHECK_INT(vaccel_arg_array_get_serialized(NULL, VACCEL_ARG_STRING,
						  POINT_ID, &out, sizeof(out),
						  point_deserialize),
		  VACCEL_EINVAL);
	CHECK_INT(vaccel_arg_array_add_serialized(NULL, VACCEL_ARG_STRING,
						  POINT_ID, &in, sizeof(in),
						  point_serialize),
		  VACCEL_EINVAL);
	vaccel_arg_array_release(&a);
}

/* Builds src = [INT32 borrowing *ten (10), INT32_ARRAY borrowing vals,
 * STRING borrowing text]. */
static int make_source(struct vaccel_arg_array *src, int32_t *ten,
		       int32_t *vals, char *text)
{
	*ten = 10;
	if (vaccel_arg_array_init(src, 0) ||
	    vaccel_arg_array_add_int32(src, ten) ||
	    vaccel_arg_array_add_int32_array(src, vals, 3) ||
	    vaccel_arg_array_add_string(src, text))
		return -1;
	return 0;
}

static void test_add_range_copy_vs_borrow(void)
{
	struct vaccel_arg_array src, copy, borrow;
	int32_t ten, vals[3] = { 1, 2, 3 }, eleven = 11, got = 0, *gotv = NULL;
	char text[] = "abc";
	char *str = NULL;
	size_t n = 0;

	REQUIRE(make_source(&src, &ten, vals, text) == 0);
	REQUIRE(vaccel_arg_array_init(&copy, 0) == VACCEL_OK);
	REQUIRE(vaccel_arg_array_init(&borrow, 0) == VACCEL_OK);
	CHECK_INT(vaccel_arg_array_add_all(&copy, &src, true), VACCEL_OK);
	CHECK_INT(vaccel_arg_array_add_all(&borrow, &src, false), VACCEL_OK);
	CHECK_INT(vaccel_arg_array_count(&copy), 3);
	CHECK_INT(vaccel_arg_array_count(&borrow), 3);
	for (int i = 0; i < 3; i++) {
		CHECK(copy.args[i].owned);
		CHECK(!borrow.args[i].owned);
		CHECK(borrow.args[i].buf == src.args[i].buf);
		CHECK(copy.args[i].buf != src.args[i].buf);
		CHECK_INT(copy.args[i].type, src.args[i].type);
	}

	/* Mutate every source buffer (the setter writes into ten). */
	CHECK_INT(vaccel_arg_array_set_int32(&src, &eleven), VACCEL_OK);
	CHECK_INT(ten, 11);
	vals[0] = 100;
	text[0] = 'X';

	CHECK_INT(vaccel_arg_array_get_int32(&copy, &got), VACCEL_OK);
	CHECK_INT(got, 10);
	CHECK_INT(vaccel_arg_array_get_int32_array(&copy, &gotv, &n),
		  VACCEL_OK);
	CHECK_INT(gotv[0], 1);
	CHECK_INT(vaccel_arg_array_get_string(&copy, &str), VACCEL_OK);
	CHECK_STR(str, "abc");

	CHECK_INT(vaccel_arg_array_get_int32(&borrow, &got), VACCEL_OK);
	CHECK_INT(got, 11);
	CHECK_INT(vaccel_arg_array_get_int32_array(&borrow, &gotv, &n),
		  VACCEL_OK);
	CHECK_INT(gotv[0], 100);
	CHECK_INT(vaccel_arg_array_get_string(&borrow, &str), VACCEL_OK);
	CHECK_STR(str, "Xbc");

	/* The copy outlives the source. */
	vaccel_arg_array_release(&borrow);
	vaccel_arg_array_release(&src);
	vaccel_arg_array_reset_position(&copy);
	CHECK_INT(vaccel_arg_array_get_int32(&copy, &got), VACCEL_OK);
	CHECK_INT(got, 10);
	vaccel_arg_array_release(&copy);
}

static void test_add_range_bounds_and_remaining(void)
{
	struct vaccel_arg_array src, dst;
	int32_t ten, vals[3] = { 1, 2, 3 }, got = 0, *gotv = NULL;
	char text[] = "abc";
	char *str = NULL;
	size_t n = 0;

	REQUIRE(make_source(&src, &ten, vals, text) == 0);
	REQUIRE(vaccel_arg_array_init(&dst, 0) == VACCEL_OK);
	CHECK_INT(vaccel_arg_array_add_range(&dst, &src, 4, 0, true),
		  VACCEL_ERANGE);
	CHECK_INT(vaccel_arg_array_add_range(&dst, &src, 1, 3, true),
		  VACCEL_ERANGE);
	CHECK_INT(vaccel_arg_array_add_range(&dst, &src, 2, SIZE_MAX, false),
		  VACCEL_ERANGE);
	CHECK_INT(vaccel_arg_array_add_range(NULL, &src, 0, 1, true),
		  VACCEL_EINVAL);
	CHECK_INT(vaccel_arg_array_add_range(&dst, NULL, 0, 1, true),
		  VACCEL_EINVAL);
	CHECK_INT(vaccel_arg_array_add_all(&dst, NULL, true), VACCEL_EINVAL);
	CHECK_INT(vaccel_arg_array_add_remaining(&dst, NULL, true),
		  VACCEL_EINVAL);
	CHECK_INT(vaccel_arg_array_add_all(NULL, &src, true), VACCEL_EINVAL);
	CHECK_INT(vaccel_arg_array_count(&dst), 0);
	CHECK_INT(vaccel_arg_array_add_range(&dst, &src, 3, 0, true),
		  VACCEL_OK);
	CHECK_INT(vaccel_arg_array_count(&dst), 0);

	CHECK_INT(vaccel_arg_array_add_range(&dst, &src, 1, 1, true),
		  VACCEL_OK);
	CHECK_INT(vaccel_arg_array_get_int32_array(&dst, &gotv, &n),
		  VACCEL_OK);
	CHECK_INT(n, 3);

	/* Remaining = from the source's position. */
	CHECK_INT(vaccel_arg_array_get_int32(&src, &got), VACCEL_OK);
	CHECK_INT(vaccel_arg_array_add_remaining(&dst, &src, false),
		  VACCEL_OK);
	CHECK_INT(vaccel_arg_array_count(&dst), 3);
	CHECK_INT(vaccel_arg_array_get_int32_array(&dst, &gotv, &n),
		  VACCEL_OK);
	CHECK(gotv == vals);
	CHECK_INT(vaccel_arg_array_get_string(&dst, &str), VACCEL_OK);
	CHECK(str == text);
	/* A source read to the end adds nothing. */
	vaccel_arg_array_set_position(&src, 3);
	CHECK_INT(vaccel_arg_array_add_remaining(&dst, &src, true), VACCEL_OK);
	CHECK_INT(vaccel_arg_array_count(&dst), 3);

	/* Appending an array to itself. */
	CHECK_INT(vaccel_arg_array_add_all(&src, &src, false), VACCEL_OK);
	CHECK_INT(vaccel_arg_array_count(&src), 6);
	CHECK(src.args[4].buf == vals);
	CHECK_INT(vaccel_arg_array_add_all(&src, &src, true), VACCEL_OK);
	CHECK_INT(vaccel_arg_array_count(&src), 12);
	vaccel_arg_array_set_position(&src, 11);
	CHECK_INT(vaccel_arg_array_get_string(&src, &str), VACCEL_OK);
	CHECK_STR(str, "abc");
	CHECK(str != text);

	vaccel_arg_array_release(&dst);
	vaccel_arg_array_release(&src);
}

/* A bad argument in the middle of a range rolls the whole append back. */
static void test_add_range_rollback(void)
{
	int32_t a = 1, b = 2;
	char bad[3] = { 1, 2, 3 };
	struct vaccel_arg args[3] = {
		{ .buf = &a, .size = 4, .type = VACCEL_ARG_INT32 },
		{ .buf = &b, .size = 4, .type = VACCEL_ARG_INT32 },
		{ .buf = bad, .size = 3, .type = VACCEL_ARG_INT32 },
	};
	struct vaccel_arg_array src, dst;
	int32_t got = 0;

	REQUIRE(vaccel_arg_array_wrap(&src, args, 3) == VACCEL_OK);
	REQUIRE(vaccel_arg_array_init(&dst, 1) == VACCEL_OK);
	CHECK_INT(vaccel_arg_array_add_int32(&dst, &b), VACCEL_OK);
	CHECK_INT(vaccel_arg_array_add_all(&dst, &src, true), VACCEL_EINVAL);
	CHECK_INT(vaccel_arg_array_count(&dst), 1);
	CHECK_INT(vaccel_arg_array_add_all(&dst, &src, false), VACCEL_EINVAL);
	CHECK_INT(vaccel_arg_array_count(&dst), 1);
	CHECK_INT(vaccel_arg_array_add_range(&dst, &src, 0, 2, true),
		  VACCEL_OK);
	CHECK_INT(vaccel_arg_array_count(&dst), 3);
	vaccel_arg_array_set_position(&dst, 2);
	CHECK_INT(vaccel_arg_array_get_int32(&dst, &got), VACCEL_OK);
	CHECK_INT(got, 2);
	vaccel_arg_array_release(&dst);
	vaccel_arg_array_release(&src);
}

static void test_get_remaining_and_positions(void)
{
	struct vaccel_arg_array a;
	struct vaccel_arg *rest = NULL;
	int8_t v = 1;
	size_t n = 0;

	REQUIRE(vaccel_arg_array_init(&a, 0) == VACCEL_OK);
	for (int i = 0; i < 4; i++)
		CHECK_INT(vaccel_arg_array_add_int8(&a, &v), VACCEL_OK);
	CHECK_INT(vaccel_arg_array_get_int8(&a, &v), VACCEL_OK);
	CHECK_INT(vaccel_arg_array_get_remaining(&a, &rest, &n), VACCEL_OK);
	CHECK(rest == &a.args[1]);
	CHECK_INT(n, 3);
	/* get_remaining only looks. */
	CHECK_INT(vaccel_arg_array_position(&a), 1);
	CHECK_INT(vaccel_arg_array_remaining_count(&a), 3);
	CHECK(vaccel_arg_array_raw(&a) == a.args);

	vaccel_arg_array_set_position(&a, 4);
	CHECK_INT(vaccel_arg_array_position(&a), 4);
	CHECK_INT(vaccel_arg_array_get_remaining(&a, &rest, &n), VACCEL_OK);
	CHECK(rest == NULL);
	CHECK_INT(n, 0);
	CHECK_INT(vaccel_arg_array_get_int8(&a, &v), VACCEL_ERANGE);
	/* Beyond the end is refused and leaves the position alone. */
	vaccel_arg_array_set_position(&a, 5);
	CHECK_INT(vaccel_arg_array_position(&a), 4);
	vaccel_arg_array_reset_position(&a);
	CHECK_INT(vaccel_arg_array_position(&a), 0);
	CHECK_INT(vaccel_arg_array_count(&a), 4);

	CHECK_INT(vaccel_arg_array_get_remaining(NULL, &rest, &n),
		  VACCEL_EINVAL);
	CHECK_INT(vaccel_arg_array_get_remaining(&a, NULL, &n),
		  VACCEL_EINVAL);
	CHECK_INT(vaccel_arg_array_get_remaining(&a, &rest, NULL),
		  VACCEL_EINVAL);
	/* A position corrupted past the end is reported, not read. */
	a.position = 9;
	CHECK_INT(vaccel_arg_array_get_remaining(&a, &rest, &n),
		  VACCEL_ERANGE);
	CHECK_INT(vaccel_arg_array_remaining_count(&a), 0);
	vaccel_arg_array_release(&a);
}

static void test_wrap(void)
{
	struct vaccel_arg args[2];
	struct vaccel_arg_array view, src;
	float f = 1.5f, nf = 2.5f, got = 0;
	double d = 3.0;

	REQUIRE(vaccel_arg_init(&args[0], &f, sizeof(f), VACCEL_ARG_FLOAT32,
				0) == VACCEL_OK);
	REQUIRE(vaccel_arg_init_from_buf(&args[1], &d, sizeof(d),
					 VACCEL_ARG_FLOAT64, 0) == VACCEL_OK);
	REQUIRE(vaccel_arg_array_wrap(&view, args, 2) == VACCEL_OK);
	CHECK(!view.owned);
	CHECK_INT(vaccel_arg_array_count(&view), 2);
	CHECK_INT(vaccel_arg_array_get_float(&view, &got), VACCEL_OK);
	CHECK(got == 1.5f);
	/* Writes land in the caller's arguments. */
	vaccel_arg_array_reset_position(&view);
	CHECK_INT(vaccel_arg_array_set_float(&view, &nf), VACCEL_OK);
	CHECK(*(float *)args[0].buf == 2.5f);

	/* Fixed size: every kind of add fails with ENOSPC. */
	CHECK_INT(vaccel_arg_array_add_float(&view, &f), VACCEL_ENOSPC);
	CHECK_INT(vaccel_arg_array_add_float_array(&view, &f, 1),
		  VACCEL_ENOSPC);
	CHECK_INT(vaccel_arg_array_add_string(&view, "x"), VACCEL_ENOSPC);
	REQUIRE(vaccel_arg_array_init(&src, 0) == VACCEL_OK);
	CHECK_INT(vaccel_arg_array_add_float(&src, &f), VACCEL_OK);
	CHECK_INT(vaccel_arg_array_add_all(&view, &src, true), VACCEL_ENOSPC);
	CHECK_INT(vaccel_arg_array_count(&view), 2);
	CHECK(view.args == args);

	/* The view can be the source of a copy. */
	CHECK_INT(vaccel_arg_array_add_all(&src, &view, true), VACCEL_OK);
	CHECK_INT(vaccel_arg_array_count(&src), 3);
	vaccel_arg_array_release(&src);

	/* Clearing and releasing a view leave the caller's args alone. */
	vaccel_arg_array_clear(&view);
	CHECK_INT(vaccel_arg_array_count(&view), 0);
	CHECK_INT(vaccel_arg_array_add_float(&view, &f), VACCEL_ENOSPC);
	CHECK(args[0].owned);
	CHECK_INT(vaccel_arg_array_release(&view), VACCEL_OK);
	CHECK(*(float *)args[0].buf == 2.5f);
	CHECK(args[1].buf == &d);
	vaccel_arg_release(&args[0]);
	vaccel_arg_release(&args[1]);

	CHECK_INT(vaccel_arg_array_wrap(NULL, args, 2), VACCEL_EINVAL);
	CHECK_INT(vaccel_arg_array_wrap(&view, NULL, 2), VACCEL_EINVAL);
}

static void test_clear_and_reuse(void)
{
	struct vaccel_arg_array a;
	uint16_t v = 9, got = 0;
	char text[] = "keep";
	size_t cap;

	REQUIRE(vaccel_arg_array_init(&a, 0) == VACCEL_OK);
	for (int i = 0; i < 10; i++)
		CHECK_INT(vaccel_arg_array_add_uint16(&a, &v), VACCEL_OK);
	CHECK_INT(vaccel_arg_array_add_string(&a, text), VACCEL_OK);
	CHECK_INT(vaccel_arg_array_get_uint16(&a, &got), VACCEL_OK);
	cap = a.capacity;
	vaccel_arg_array_clear(&a);
	CHECK_INT(vaccel_arg_array_count(&a), 0);
	CHECK_INT(vaccel_arg_array_position(&a), 0);
	CHECK_INT(a.capacity, cap);
	CHECK_INT(vaccel_arg_array_get_uint16(&a, &got), VACCEL_ERANGE);
	/* Borrowed memory is untouched by clear. */
	CHECK_STR(text, "keep");

	v = 31;
	CHECK_INT(vaccel_arg_array_add_uint16(&a, &v), VACCEL_OK);
	CHECK_INT(vaccel_arg_array_get_uint16(&a, &got), VACCEL_OK);
	CHECK_INT(got, 31);
	vaccel_arg_array_release(&a);
}

TEST_MAIN(test_lifecycle_and_growth, test_lifecycle_errors,
	  test_zeroed_array, test_string, test_string_invalid_in_view,
	  test_buffer_and_raw, test_custom, test_serialized,
	  test_add_range_copy_vs_borrow, test_add_range_bounds_and_remaining,
	  test_add_range_rollback, test_get_remaining_and_positions,
	  test_wrap, test_clear_and_reuse)
