// SPDX-License-Identifier: Apache-2.0
/*
 * profiling: times noop calls in profiling regions and reads the report
 * the way upstream's API hands it out (run with VACCEL_PROFILING_ENABLED=1):
 * vaccel_prof_regions_print_all_to_buf(NULL, ...) gives the size, a call
 * with a NULL *buf allocates it and returns the number of regions, and the
 * report holds one NUL-terminated line per region that has samples. The
 * program checks those rules itself (WRONG otherwise) and prints each
 * line's name and sample count.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <vaccel.h>

int main(void)
{
	struct vaccel_prof_region regions[3] = {
		VACCEL_PROF_REGION_INIT("session"),
		VACCEL_PROF_REGION_INIT("noop"),
		VACCEL_PROF_REGION_INIT("unused"),
	};
	struct vaccel_session sess;
	char *buf = NULL;
	int need, ret, lines = 0;

	if (!vaccel_prof_enabled()) {
		printf("WRONG: profiling is not enabled\n");
		return 1;
	}
	vaccel_prof_regions_start_by_name(regions, 3, "session");
	ret = vaccel_session_init(&sess, 0);
	vaccel_prof_regions_stop_by_name(regions, 3, "session");
	if (ret) {
		printf("WRONG: session_init: %d\n", ret);
		return 1;
	}
	for (int i = 0; i < 4; i++) {
		vaccel_prof_regions_start_by_name(regions, 3, "noop");
		ret = vaccel_noop(&sess);
		vaccel_prof_regions_stop_by_name(regions, 3, "noop");
		if (ret)
			printf("WRONG: noop: %d\n", ret);
	}
	vaccel_session_release(&sess);

	need = vaccel_prof_regions_print_all_to_buf(NULL, 0, regions, 3);
	ret = vaccel_prof_regions_print_all_to_buf(&buf, (size_t)need,
						   regions, 3);
	printf("print_all_to_buf: %d regions\n", ret);
	if (ret != 3 || !buf || need <= 0) {
		printf("WRONG: size %d, buffer %p\n", need, (void *)buf);
		free(buf);
		return 1;
	}
	int off = 0;

	for (; off < need; lines++) {
		char name[32];
		size_t entries;
		unsigned long long ns;
		const char *line = buf + off;

		if (sscanf(line, "[prof] %31[^:]: total_time: %llu nsec "
			   "nr_entries: %zu", name, &ns, &entries) != 3)
			printf("WRONG: line '%s'\n", line);
		else
			printf("line: %s %zu entries\n", name, entries);
		off += (int)strlen(line) + 1;
	}
	/* The size query counted exactly the lines and their NULs. */
	if (off != need || buf[need - 1] != '\0')
		printf("WRONG: the lines take %d bytes, the size query said %d\n",
		       off, need);
	printf("%d lines\n", lines);
	free(buf);
	vaccel_prof_regions_release(regions, 3);
	return 0;
}
