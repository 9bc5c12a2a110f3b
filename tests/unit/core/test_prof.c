// SPDX-License-Identifier: Apache-2.0
/* Profiling regions with profiling disabled and enabled. */

#include "core_test.h"
#include "core_priv.h"
#include <time.h>

static char *dir;
static char log_path[4200];

static void pause_us(long us)
{
	struct timespec ts = { 0, us * 1000 };

	nanosleep(&ts, NULL);
}

static void test_disabled_is_noop(void)
{
	struct vaccel_prof_region r;
	char buf[64] = "junk", *pbuf = buf;
	uint64_t t0 = 123;

	REQUIRE(boot(NULL, VACCEL_LOG_ERROR, NULL, false, false) == 0);
	CHECK(!vaccel_prof_enabled());
	CHECK_INT(vaccel_prof_region_init(&r, "off"), VACCEL_OK);
	CHECK_INT(vaccel_prof_region_start(&r), VACCEL_OK);
	CHECK_INT(vaccel_prof_region_stop(&r), VACCEL_OK);
	CHECK_INT(vaccel_prof_region_add_sample(&r, 1, 2), VACCEL_OK);
	CHECK_INT(r.nr_entries, 0);
	CHECK(r.samples == NULL);
	CHECK_INT(vaccel_prof_region_print(&r), VACCEL_OK);
	CHECK_INT(vaccel_prof_regions_print_all_to_buf(&pbuf, sizeof(buf), &r,
						       1),
		  0);
	CHECK_STR(buf, "");
	vaccel__op_prof_start(VACCEL_OP_NOOP, &t0);
	CHECK_INT(t0, 0);
	vaccel__op_prof_stop(VACCEL_OP_NOOP, t0);
	CHECK(vaccel__op_prof_region(VACCEL_OP_NOOP) == NULL);
	CHECK_INT(vaccel_prof_region_release(&r), VACCEL_OK);
	vaccel_cleanup();
}

static void test_enabled_regions(void)
{
	struct vaccel_prof_region r;

	REQUIRE(boot(NULL, VACCEL_LOG_ERROR, NULL, true, false) == 0);
	CHECK(vaccel_prof_enabled());
	REQUIRE(vaccel_prof_region_init(&r, "work") == 0);
	CHECK_INT(vaccel_prof_region_stop(&r), VACCEL_EINVAL);
	for (int i = 0; i < 3; i++) {
		CHECK_INT(vaccel_prof_region_start(&r), VACCEL_OK);
		pause_us(200);
		CHECK_INT(vaccel_prof_region_stop(&r), VACCEL_OK);
	}
	CHECK_INT(r.nr_entries, 3);
	CHECK_INT(r.size, 1024);
	for (size_t i = 0; i < r.nr_entries; i++)
		CHECK(r.samples[i].time >= 200000);
	CHECK(r.samples[1].start > r.samples[0].start);

	/* Samples grow past the initial 1024. */
	for (int i = 0; i < 3000; i++)
		vaccel_prof_region_add_sample(&r, (uint64_t)i, 1);
	CHECK_INT(r.nr_entries, 3003);
	CHECK(r.size >= 3003);
	CHECK_INT(vaccel_prof_region_print(&r), VACCEL_OK);
	vaccel_prof_region_release(&r);
	CHECK(r.samples == NULL && r.name == NULL);
	CHECK_INT(vaccel_prof_region_start(NULL), VACCEL_EINVAL);
}

static void test_by_name_and_buf(void)
{
	struct vaccel_prof_region regs[] = { VACCEL_PROF_REGION_INIT("a"),
					     VACCEL_PROF_REGION_INIT("b") };
	char *out = NULL, small[16];
	char *psmall = small;
	int n;

	CHECK_INT(vaccel_prof_regions_init(regs, 2), VACCEL_OK);
	CHECK_INT(vaccel_prof_regions_start_by_name(regs, 2, "b"), VACCEL_OK);
	CHECK_INT(vaccel_prof_regions_stop_by_name(regs, 2, "b"), VACCEL_OK);
	CHECK_INT(vaccel_prof_regions_start_by_name(regs, 2, "zz"),
		  VACCEL_EINVAL);
	CHECK_INT(regs[0].nr_entries, 0);
	CHECK_INT(regs[1].nr_entries, 1);
	vaccel_prof_region_add_sample(&regs[0], 10, 500);

	/* Upstream's contract: NULL asks for the size, lines are NUL-
	 * terminated back to back, the region count is returned. */
	const char *la = "[prof] a: total_time: 500 nsec nr_entries: 1";
	int need = vaccel_prof_regions_print_all_to_buf(NULL, 0, regs, 2);

	CHECK(need > (int)strlen(la) + 1 + 30);
	n = vaccel_prof_regions_print_all_to_buf(&out, 0, regs, 2);
	REQUIRE(out);
	CHECK_INT(n, 2);
	CHECK_STR(out, la);
	CHECK(strncmp(out + strlen(la) + 1, "[prof] b: total_time: ", 22) == 0);
	CHECK_INT(strlen(la) + 1 + strlen(out + strlen(la) + 1) + 1, need);
	free(out);

	n = vaccel_prof_regions_print_all_to_buf(&psmall, sizeof(small), regs,
						 2);
	CHECK_INT(n, 2);
	CHECK_INT(strlen(small), sizeof(small) - 1);
	CHECK(strncmp(small, "[prof] a: total", 15) == 0);

	/* A region without samples is not printed. */
	struct vaccel_prof_region empty = VACCEL_PROF_REGION_INIT("none");

	out = NULL;
	CHECK_INT(vaccel_prof_regions_print_all_to_buf(NULL, 0, &empty, 1), 0);
	CHECK_INT(vaccel_prof_regions_print_all_to_buf(&out, 0, &empty, 1), 1);
	REQUIRE(out);
	CHECK_STR(out, "");
	free(out);
	CHECK_INT(vaccel_prof_regions_print_all_to_buf(&out, 0, NULL, 1),
		  -VACCEL_EINVAL);
	CHECK_INT(vaccel_prof_regions_print_all(regs, 2), VACCEL_OK);
	CHECK_INT(vaccel_prof_regions_release(regs, 2), VACCEL_OK);
	CHECK_STR(regs[0].name, "a");
	CHECK(regs[0].samples == NULL);
}

static void test_op_regions_printed_at_cleanup(void)
{
	const struct vaccel_prof_region *r;
	uint64_t t0;
	char *text;

	dir = make_tmpdir();
	REQUIRE(dir);
	snprintf(log_path, sizeof(log_path), "%s/prof.log", dir);
	REQUIRE(boot(NULL, VACCEL_LOG_INFO, log_path, true, false) == 0);
	for (int i = 0; i < 2; i++) {
		vaccel__op_prof_start(VACCEL_OP_NOOP, &t0);
		CHECK(t0 > 0);
		vaccel__op_prof_stop(VACCEL_OP_NOOP, t0);
	}
	vaccel__op_prof_start(VACCEL_OP_IMAGE_CLASSIFY, &t0);
	vaccel__op_prof_stop(VACCEL_OP_IMAGE_CLASSIFY, t0);

	r = vaccel__op_prof_region(VACCEL_OP_NOOP);
	REQUIRE(r);
	CHECK_STR(r->name, "vaccel_noop_op");
	CHECK_INT(r->nr_entries, 2);
	r = vaccel__op_prof_region(VACCEL_OP_IMAGE_CLASSIFY);
	REQUIRE(r);
	CHECK_STR(r->name, "vaccel_image_classify_op");
	CHECK(vaccel__op_prof_region(VACCEL_OP_MINMAX) == NULL);

	vaccel_cleanup();
	CHECK(vaccel__op_prof_region(VACCEL_OP_NOOP) == NULL);
	text = slurp(log_path);
	REQUIRE(text);
	CHECK(strstr(text, "<info> [prof] vaccel_noop_op: total_time: "));
	CHECK(strstr(text, " nsec nr_entries: 2\n"));
	CHECK(strstr(text, "[prof] vaccel_image_classify_op: "));
	CHECK(!strstr(text, "vaccel_minmax_op"));
	free(text);
	rm_tree(dir);
	free(dir);
}

TEST_MAIN(test_disabled_is_noop, test_enabled_regions, test_by_name_and_buf,
	  test_op_regions_printed_at_cleanup)
