// SPDX-License-Identifier: Apache-2.0
/*
 * vaccel_last_error_message(): the reason of the calling thread's most
 * recent failure, set by error-level log lines only, per thread, cut to
 * its buffer, and the root cause of a failed bootstrap.
 */

#include "core_test.h"
#include <pthread.h>

static void test_empty_before_any_failure(void)
{
	const char *msg = vaccel_last_error_message();

	REQUIRE(msg);
	CHECK_STR(msg, "");
}

static void test_failure_sets_its_reason(void)
{
	CHECK_INT(vaccel_session_init(NULL, 0), VACCEL_EINVAL);
	CHECK_STR(vaccel_last_error_message(),
		  "vaccel_session_init: sess is NULL");
}

static void test_only_error_lines_set_it(void)
{
	vaccel_error("first reason %d", 1);
	vaccel_warn("a warning");
	vaccel_info("some info");
	CHECK_STR(vaccel_last_error_message(), "first reason 1");
	vaccel_error("second reason");
	CHECK_STR(vaccel_last_error_message(), "second reason");
}

static void *other_thread(void *arg)
{
	char *seen = arg;

	snprintf(seen, 64, "%s", vaccel_last_error_message());
	vaccel_error("reason of the other thread");
	return NULL;
}

static void test_each_thread_has_its_own(void)
{
	char seen[64] = "unset";
	pthread_t t;

	vaccel_error("reason of the main thread");
	REQUIRE(pthread_create(&t, NULL, other_thread, seen) == 0);
	pthread_join(t, NULL);
	CHECK_STR(seen, "");
	CHECK_STR(vaccel_last_error_message(), "reason of the main thread");
}

static void test_long_reason_is_cut(void)
{
	static char big[3 * VACCEL_ERROR_MSG_MAX];

	memset(big, 'x', sizeof(big) - 1);
	vaccel_error("%s", big);
	CHECK_INT(strlen(vaccel_last_error_message()),
		  VACCEL_ERROR_MSG_MAX - 1);
}

static void test_bootstrap_failure_names_root_cause(void)
{
	const char *missing = "/nonexistent/libvaccel-missing.so";
	struct vaccel_session sess;

	CHECK_INT(boot(missing, VACCEL_LOG_ERROR, NULL, false, false),
		  VACCEL_ENOENT);
	vaccel_error("something unrelated");
	CHECK_INT(vaccel_session_init(&sess, 0), VACCEL_ENOENT);
	CHECK(strstr(vaccel_last_error_message(), "vAccel bootstrap failed: "));
	CHECK(strstr(vaccel_last_error_message(), missing));
	CHECK_INT(sess.id, 0);
	CHECK_INT(vaccel_session_release(&sess), VACCEL_EINVAL);
	vaccel_cleanup();
}

TEST_MAIN(test_empty_before_any_failure, test_failure_sets_its_reason,
	  test_only_error_lines_set_it, test_each_thread_has_its_own,
	  test_long_reason_is_cut, test_bootstrap_failure_names_root_cause)
