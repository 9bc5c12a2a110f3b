// SPDX-License-Identifier: Apache-2.0
/* Error names and descriptions cover every code. */

#include "testing.h"
#include "vaccel.h"

static void test_every_code_has_strings(void)
{
#define X(name, value, desc)                                   \
	CHECK_STR(vaccel_strerror(name), desc);                \
	CHECK_STR(vaccel_strerror(-(name)), desc);             \
	CHECK_STR(vaccel_error_name(name), #name);             \
	CHECK_STR(vaccel_error_name(-(name)), #name);          \
	CHECK(strcmp(vaccel_strerror(name), "unknown error") != 0);
	VACCEL_ERROR_LIST(X)
#undef X
}

static void test_values_follow_errno(void)
{
	CHECK_INT(VACCEL_OK, 0);
	CHECK_INT(VACCEL_EINVAL, EINVAL);
	CHECK_INT(VACCEL_ESESS, ECONNRESET);
	CHECK_INT(VACCEL_EBACKEND, EPROTO);
	CHECK_INT(VACCEL_EUSERS, EUSERS);
}

static void test_unknown_code(void)
{
	CHECK_STR(vaccel_strerror(99999), "unknown error");
	CHECK_STR(vaccel_error_name(99999), "VACCEL_E?");
	CHECK(vaccel_strerror(-99999) != NULL);
}

TEST_MAIN(test_every_code_has_strings, test_values_follow_errno,
	  test_unknown_code)
