// SPDX-License-Identifier: Apache-2.0
/* vaccel_str_to_lower and the enum name helpers built on it. */

#include "core_test.h"

static void test_to_lower(void)
{
	char buf[16], one[1], text[] = "ABC def-XYZ";
	char *alloc = NULL;

	CHECK_INT(vaccel_str_to_lower("Hello World", buf, sizeof(buf), NULL),
		  VACCEL_OK);
	CHECK_STR(buf, "hello world");
	/* Truncated to size - 1, always terminated. */
	CHECK_INT(vaccel_str_to_lower("ABCDEFGHIJKLMNOPQRST", buf, 5, NULL),
		  VACCEL_OK);
	CHECK_STR(buf, "abcd");
	CHECK_INT(vaccel_str_to_lower("XY", one, sizeof(one), NULL),
		  VACCEL_OK);
	CHECK_STR(one, "");
	/* In place. */
	CHECK_INT(vaccel_str_to_lower(text, text, sizeof(text), NULL),
		  VACCEL_OK);
	CHECK_STR(text, "abc def-xyz");
	/* Allocated: lower and size are ignored. */
	CHECK_INT(vaccel_str_to_lower("MiXeD", NULL, 0, &alloc), VACCEL_OK);
	REQUIRE(alloc);
	CHECK_STR(alloc, "mixed");
	free(alloc);

	CHECK_INT(vaccel_str_to_lower(NULL, buf, sizeof(buf), NULL),
		  VACCEL_EINVAL);
	CHECK_INT(vaccel_str_to_lower("x", NULL, 4, NULL), VACCEL_EINVAL);
	CHECK_INT(vaccel_str_to_lower("x", buf, 0, NULL), VACCEL_EINVAL);
}

static void test_enum_names(void)
{
	char buf[VACCEL_ENUM_STR_MAX], small[4];

	CHECK_STR(vaccel_op_type_name(VACCEL_OP_IMAGE_CLASSIFY, buf,
				      sizeof(buf)),
		  "image_classify");
	CHECK_STR(vaccel_op_type_to_lower(VACCEL_OP_MINMAX, buf, sizeof(buf)),
		  "minmax");
	CHECK_STR(vaccel_op_type_name(VACCEL_OP_EXEC, small, sizeof(small)),
		  "exe");
	CHECK(vaccel_op_type_name(VACCEL_OP_EXEC, NULL, 4) == NULL);
	CHECK(vaccel_op_type_name(VACCEL_OP_EXEC, buf, 0) == NULL);
	CHECK_STR(vaccel_op_type_name(999, buf, sizeof(buf)), "unknown");
	CHECK_STR(vaccel_log_level_to_str(VACCEL_LOG_INFO), "VACCEL_LOG_INFO");
	CHECK_STR(vaccel_log_level_to_base_str(VACCEL_LOG_TRACE), "TRACE");
	CHECK_STR(vaccel_plugin_type_to_str(VACCEL_PLUGIN_GENERIC),
		  "VACCEL_PLUGIN_GENERIC");
	CHECK_STR(vaccel_plugin_type_name(VACCEL_PLUGIN_TENSORFLOW, buf,
					  sizeof(buf)),
		  "tensorflow");
	/* A combination of bits is no single name. */
	CHECK_STR(vaccel_plugin_type_to_base_str(VACCEL_PLUGIN_CPU |
						 VACCEL_PLUGIN_GPU),
		  "UNKNOWN");
	CHECK_INT(VACCEL_PLUGIN_MAX, 0x10000);
	CHECK_INT(VACCEL_LOG_MAX, 6);
}

TEST_MAIN(test_to_lower, test_enum_names)
