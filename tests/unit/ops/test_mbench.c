// SPDX-License-Identifier: Apache-2.0
/*
 * The mbench plugin (VACCEL_PLUGINS = libvaccel-mbench.so): it only runs
 * "mbench", validates the time string strictly and busy-waits at least the
 * requested time.
 */
#include "testing.h"
#include <time.h>
#include <vaccel.h>

#define STR(s) { .buf = (s), .size = sizeof(s), .type = VACCEL_ARG_STRING }

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static void test_runs_mbench(void)
{
	struct vaccel_session sess = { 0 };
	char ms[] = "20";
	struct vaccel_arg r[1] = { STR(ms) };
	uint64_t t0;

	REQUIRE(vaccel_session_init(&sess, 0) == VACCEL_OK);
	t0 = now_ns();
	CHECK_INT(vaccel_exec(&sess, "/any/lib.so", "mbench", r, 1, NULL, 0),
		  VACCEL_OK);
	CHECK(now_ns() - t0 >= 20000000ULL);
	CHECK_INT(vaccel_exec(&sess, "mbench", "anything", r, 1, NULL, 0),
		  VACCEL_OK);
	CHECK_INT(vaccel_exec(&sess, "lib.so", "other", r, 1, NULL, 0),
		  VACCEL_ENOTSUP);
	/* mbench implements nothing else, and no other plugin is loaded. */
	CHECK_INT(vaccel_noop(&sess), VACCEL_ENOTSUP);
	vaccel_session_release(&sess);
}

static void test_bad_time(void)
{
	struct vaccel_session sess = { 0 };
	char zero[] = "0", big[] = "300001", neg[] = "-5", word[] = "abc";
	char trail[] = "10ms", empty[] = "", nonul[2] = { '1', '0' };
	int32_t num = 10;
	struct vaccel_arg bad[] = {
		STR(zero), STR(big), STR(neg), STR(word), STR(trail),
		STR(empty),
		{ .buf = nonul, .size = 2, .type = VACCEL_ARG_STRING },
		{ .buf = &num, .size = 4, .type = VACCEL_ARG_INT32 },
	};

	REQUIRE(vaccel_session_init(&sess, 0) == VACCEL_OK);
	CHECK_INT(vaccel_exec(&sess, "x", "mbench", NULL, 0, NULL, 0),
		  VACCEL_EINVAL);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		CHECK_INT(vaccel_exec(&sess, "x", "mbench", &bad[i], 1, NULL,
				      0),
			  VACCEL_EINVAL);
	vaccel_session_release(&sess);
}

TEST_MAIN(test_runs_mbench, test_bad_time)
