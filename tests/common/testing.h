/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A tiny test harness. Each test is a function; CHECK* record failures and
 * continue; REQUIRE* record and return from the test; SKIP(reason...)
 * marks the test skipped and returns (a test that failed before it skipped
 * still counts as failed). TEST_MAIN runs the tests, prints
 * "N passed, N failed, N skipped" and exits 1 when a test failed, 77 (the
 * skip status of meson and automake) when every test skipped, 0 otherwise.
 * Each skip also prints "SKIP <test>: <reason>" on stdout, which is how
 * scripts/check-skips.py finds the skips inside a test that passed.
 *
 *   static void test_foo(void) { CHECK_INT(1 + 1, 2); }
 *   static void test_bar(void) { if (!have_bar()) SKIP("no bar here"); }
 *   TEST_MAIN(test_foo, test_bar)
 *
 * With VACCEL_TEST_FAIL_FAST set, the first CHECK or REQUIRE fails and the
 * process exits at once, skipping every stop and cleanup of the tests: how
 * tests/common/no_orphans.py shows that the children a test started
 * (tests/common/child.h) end with it.
 */
#ifndef VACCEL_TESTING_H
#define VACCEL_TESTING_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int test__failures;   /* failures inside the current test */
static int test__skipping;   /* the current test called SKIP */
static const char *test__name;
static int test__passed, test__failed, test__skipped;

static inline int test__fail_fast(void)
{
	static int on = -1;

	if (on < 0)
		on = getenv("VACCEL_TEST_FAIL_FAST") != NULL;
	if (on) {
		fprintf(stderr, "VACCEL_TEST_FAIL_FAST: failing on purpose in %s\n",
			test__name);
		exit(1);
	}
	return 0;
}

#define SKIP(...)                                                        \
	do {                                                             \
		printf("SKIP %s: ", test__name);                         \
		printf(__VA_ARGS__);                                     \
		printf("\n");                                            \
		fflush(stdout);                                          \
		test__skipping = 1;                                      \
		return;                                                  \
	} while (0)

#define CHECK(cond)                                                      \
	do {                                                             \
		if (test__fail_fast() || !(cond)) {                     \
			fprintf(stderr, "%s:%d: CHECK failed: %s\n",     \
				__FILE__, __LINE__, #cond);              \
			test__failures++;                                \
		}                                                        \
	} while (0)

#define REQUIRE(cond)                                                    \
	do {                                                             \
		if (test__fail_fast() || !(cond)) {                     \
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
	test__skipping = 0;
	test__name = name;
	fn();
	if (test__failures) {
		test__failed++;
		fprintf(stderr, "FAIL %s\n", name);
	} else if (test__skipping) {
		test__skipped++;
		fprintf(stderr, "skip %s\n", name);
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
		printf("%d passed, %d failed, %d skipped\n", test__passed,\
		       test__failed, test__skipped);                      \
		if (test__failed)                                         \
			return 1;                                         \
		return test__skipped && !test__passed ? 77 : 0;           \
	}

#endif /* VACCEL_TESTING_H */
