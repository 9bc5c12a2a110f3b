// SPDX-License-Identifier: Apache-2.0
/*
 * libvaccel-mbench.so: a micro-benchmark plugin. Its EXEC busy-waits for
 * the number of milliseconds given in read[0], which gives a known op cost
 * for measuring transports and profiling end to end.
 */
#include <vaccel.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MBENCH_NAME "mbench"
#define MBENCH_MAX_MS 300000L

static struct vaccel_prof_region mbench_region =
	VACCEL_PROF_REGION_INIT("vaccel_mbench_plugin");

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

/* read[0] must be a STRING (or RAW) holding a decimal count of
 * milliseconds in 1..MBENCH_MAX_MS, NUL-terminated within its size. */
static int parse_ms(const struct vaccel_arg *read, size_t nr_read, long *ms)
{
	const char *s;
	char *end;

	if (nr_read < 1) {
		vaccel_error("[mbench] needs the time in ms as read arg 0");
		return VACCEL_EINVAL;
	}
	if ((read[0].type != VACCEL_ARG_STRING &&
	     read[0].type != VACCEL_ARG_RAW) ||
	    read[0].size == 0 || !read[0].buf ||
	    !memchr(read[0].buf, '\0', read[0].size)) {
		vaccel_error("[mbench] read arg 0 (type %s, %zu bytes) is not a string",
			     vaccel_arg_type_to_str(read[0].type),
			     read[0].size);
		return VACCEL_EINVAL;
	}
	s = read[0].buf;
	errno = 0;
	*ms = strtol(s, &end, 10);
	if (errno || end == s || *end != '\0' || *ms < 1 ||
	    *ms > MBENCH_MAX_MS) {
		vaccel_error("[mbench] time '%s' is not a number of ms in 1..%ld",
			     s, MBENCH_MAX_MS);
		return VACCEL_EINVAL;
	}
	return VACCEL_OK;
}

static int mbench_exec(struct vaccel_session *sess, const char *library,
		       const char *fn_symbol, struct vaccel_arg *read,
		       size_t nr_read, struct vaccel_arg *write,
		       size_t nr_write)
{
	uint64_t end;
	long ms;
	int ret;

	(void)write;
	(void)nr_write;
	if (strcmp(library, MBENCH_NAME) != 0 &&
	    strcmp(fn_symbol, MBENCH_NAME) != 0) {
		vaccel_error("[mbench] only runs \"%s\" (got %s from %s)",
			     MBENCH_NAME, fn_symbol, library);
		return VACCEL_ENOTSUP;
	}
	ret = parse_ms(read, nr_read, &ms);
	if (ret)
		return ret;

	vaccel_info("[mbench] session %lld: busy-waiting %ld ms",
		    (long long)sess->id, ms);
	vaccel_prof_region_start(&mbench_region);
	end = now_ns() + (uint64_t)ms * 1000000ULL;
	while (now_ns() < end)
		;
	vaccel_prof_region_stop(&mbench_region);
	return VACCEL_OK;
}

static int mbench_init(void)
{
	return VACCEL_OK;
}

static int mbench_fini(void)
{
	vaccel_prof_region_print(&mbench_region);
	vaccel_prof_region_release(&mbench_region);
	return VACCEL_OK;
}

VACCEL_PLUGIN_DESCRIPTOR(
	.name = "mbench", .version = VACCEL_VERSION,
	.type = VACCEL_PLUGIN_SOFTWARE | VACCEL_PLUGIN_GENERIC |
		VACCEL_PLUGIN_CPU,
	.init = mbench_init, .fini = mbench_fini,
	.ops = { .exec = mbench_exec });
