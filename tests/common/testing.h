/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A tiny test harness. Each test is a function; CHECK* record failures and
 * continue; REQUIRE* record and return from the test. test_run() runs one
 * test and TEST_MAIN prints "N passed, N failed" and sets the exit code.
 *
 *   static void test_foo(void) { CHECK_INT(1 + 1, 2); }
 *   TEST_MAIN(test_foo, test_bar)
 */
#ifndef VACCEL_TESTING_H
#define VACCEL_TESTING_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int test__failures;   /* failures inside the current test */
static int test__passed, test__failed;

#define CHECK(cond)                                                      \
	do {                                                             \
		if (!(cond)) {                                           \
			fprintf(stderr, "%s:%d: CHECK failed: %s\n",     \
				__FILE__, __LINE__, #cond);              \
			test__failures++;                                \
		}                                                        \
	} while (0)

#define REQUIRE(cond)                                                    \
	do {                                                             \
		if (!(cond)) {                                           \
			fprintf(stderr, "%s:%d: REQUIRE failed: %s\n",   \
				__FILE__, __LINE__, #cond);              \
			test__failures++;                                \
			return;                                          \
		}                                                        \
	} while (0)

#define CHECK_INT(a, b)                                                       \
	do {                                                                  \
		long long test__a = (long long)(a), test__b = (long long)(b); \
		if (test__a != test__b) {                                     \
			fprintf(stderr, "%s:%d: CHECK_INT failed: %s == %s "  \
				"(%lld != %lld)\n", __FILE__, __LINE__, #a,   \
				#b, test__a, test__b);                        \
			test__failures++;                                     \
		}                                                             \
	} while (0)

#define CHECK_STR(a, b)                                                      \
	do {                                                                 \
		const char *test__a = (a), *test__b = (b);                   \
		if (!test__a || !test__b || strcmp(test__a, test__b) != 0) { \
			fprintf(stderr, "%s:%d: CHECK_STR failed: %s == %s " \
				"(\"%s\" != \"%s\")\n", __FILE__, __LINE__,  \
				#a, #b, test__a ? test__a : "(null)",        \
				test__b ? test__b : "(null)");               \
			test__failures++;                                    \
		}                                                            \
	} while (0)

static inline void test__run(void (*fn)(void), const char *name)
{
	test__failures = 0;
	fn();
	if (test__failures) {
		test__failed++;
		fprintf(stderr, "FAIL %s\n", name);
	} else {
		test__passed++;
		fprintf(stderr, "ok   %s\n", name);
	}
}


/* Runs every listed test function (names printed as they run). */
#define TEST_MAIN(...)                                                    \
	int main(void)                                                    \
	{                                                                 \
		void (*test__fns[])(void) = { __VA_ARGS__ };              \
		const char *test__names = #__VA_ARGS__;                   \
		char test__buf[4096];                                     \
		char *test__save = NULL, *test__tok;                      \
		size_t test__i = 0;                                       \
		snprintf(test__buf, sizeof(test__buf), "%s", test__names);\
		for (test__tok = strtok_r(test__buf, ", \n\t", &test__save); \
		     test__tok && test__i < sizeof(test__fns) / sizeof(test__fns[0]); \
		     test__tok = strtok_r(NULL, ", \n\t", &test__save))   \
			test__run(test__fns[test__i++], test__tok);       \
		printf("%d passed, %d failed\n", test__passed,            \
		       test__failed);                                     \
		return test__failed ? 1 : 0;                              \
	}

#endif /* VACCEL_TESTING_H */
