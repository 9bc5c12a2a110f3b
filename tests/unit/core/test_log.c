// SPDX-License-Identifier: Apache-2.0
/* Logging to a file at each level, the line format and the fallback. */

#include "core_test.h"
#include <regex.h>

static char *dir;
static char log_path[4096];

static void setup(void)
{
	dir = make_tmpdir();
	snprintf(log_path, sizeof(log_path), "%s/vaccel.log", dir);
}

static void test_each_level_to_file(void)
{
	char *text;

	REQUIRE(boot(NULL, VACCEL_LOG_TRACE, log_path, false, false) == 0);
	vaccel_error("msg-error %d", 1);
	vaccel_warn("msg-warn %d", 2);
	vaccel_info("msg-info %d", 3);
	vaccel_debug("msg-debug %d", 4);
	vaccel_trace("msg-trace %d", 5);
	vaccel_cleanup();

	text = slurp(log_path);
	REQUIRE(text);
	CHECK(strstr(text, "<error> msg-error 1\n"));
	CHECK(strstr(text, "<warn> msg-warn 2\n"));
	CHECK(strstr(text, "<info> msg-info 3\n"));
	CHECK(strstr(text, "<debug> msg-debug 4\n"));
	CHECK(strstr(text, "<trace> msg-trace 5\n"));
	free(text);
}

static void test_line_format(void)
{
	regex_t re;
	char *text, *line;

	REQUIRE(boot(NULL, VACCEL_LOG_ERROR, log_path, false, false) == 0);
	vaccel_error("format-check");
	vaccel_cleanup();

	text = slurp(log_path);
	REQUIRE(text);
	line = strstr(text, "format-check");
	REQUIRE(line);
	while (line > text && line[-1] != '\n')
		line--;
	REQUIRE(regcomp(&re,
			"^[0-9]{4}\\.[0-9]{2}\\.[0-9]{2}-[0-9]{2}:[0-9]{2}:"
			"[0-9]{2}\\.[0-9]{3} - <error> format-check\n",
			REG_EXTENDED) == 0);
	CHECK(regexec(&re, line, 0, NULL, 0) == 0);
	regfree(&re);
	free(text);
}

static void test_level_filters(void)
{
	char *text;

	REQUIRE(boot(NULL, VACCEL_LOG_WARN, log_path, false, false) == 0);
	CHECK_INT(vaccel__log_level, VACCEL_LOG_WARN);
	vaccel_warn("shown-warn");
	vaccel_info("hidden-info");
	vaccel_debug("hidden-debug");
	vaccel_log_set_level(VACCEL_LOG_INFO);
	vaccel_info("shown-info");
	vaccel_log_set_level((vaccel_log_level_t)99);
	CHECK_INT(vaccel__log_level, VACCEL_LOG_TRACE);
	vaccel_log_set_level((vaccel_log_level_t)0);
	CHECK_INT(vaccel__log_level, VACCEL_LOG_ERROR);
	vaccel_cleanup();

	text = slurp(log_path);
	REQUIRE(text);
	CHECK(strstr(text, "shown-warn"));
	CHECK(strstr(text, "shown-info"));
	CHECK(!strstr(text, "hidden-info"));
	CHECK(!strstr(text, "hidden-debug"));
	free(text);
}

static void test_long_line_is_whole(void)
{
	char *big = malloc(5001), *text;

	REQUIRE(big);
	memset(big, 'x', 5000);
	big[5000] = '\0';
	REQUIRE(boot(NULL, VACCEL_LOG_ERROR, log_path, false, false) == 0);
	vaccel_error("long:%s:end", big);
	vaccel_cleanup();

	text = slurp(log_path);
	REQUIRE(text);
	CHECK(strstr(text, big) && strstr(text, ":end\n"));
	free(text);
	free(big);
}

static void test_bad_log_file_falls_back(void)
{
	/* An unopenable destination must not make bootstrap fail. */
	CHECK_INT(boot(NULL, VACCEL_LOG_ERROR, "/nonexistent-dir/x/vaccel.log",
		       false, false),
		  VACCEL_OK);
	CHECK(vaccel_is_initialized());
	vaccel_error("this line goes to stderr");
	CHECK_INT(vaccel_cleanup(), VACCEL_OK);
}

static void test_teardown(void)
{
	rm_tree(dir);
	free(dir);
}

TEST_MAIN(setup, test_each_level_to_file, test_line_format,
	  test_level_filters, test_long_line_is_whole,
	  test_bad_log_file_falls_back, test_teardown)
