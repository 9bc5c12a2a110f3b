/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Profiling regions. All functions are cheap no-ops returning VACCEL_OK
 * unless profiling is enabled (VACCEL_PROFILING_ENABLED=1). A region keeps
 * one sample (start, duration in ns, CLOCK_MONOTONIC) per start/stop pair.
 *
 * Printing format (info level):
 *   [prof] <name>: total_time: <ns> nsec nr_entries: <n>
 *
 * Not thread-safe: one region must not be started/stopped from two threads.
 */
#ifndef VACCEL_PROF_H
#define VACCEL_PROF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

struct vaccel_prof_sample {
	uint64_t start;
	uint64_t time;
};

struct vaccel_prof_region {
	const char *name;
	bool name_owned;
	size_t nr_entries;
	struct vaccel_prof_sample *samples;
	size_t size;
};

#define VACCEL_PROF_REGION_INIT(name) { (name), false, 0, NULL, 0 }

bool vaccel_prof_enabled(void);
int vaccel_prof_region_start(struct vaccel_prof_region *region);
int vaccel_prof_region_stop(const struct vaccel_prof_region *region);
int vaccel_prof_region_print(const struct vaccel_prof_region *region);
/* Copies `name`. */
int vaccel_prof_region_init(struct vaccel_prof_region *region,
			    const char *name);
int vaccel_prof_region_release(struct vaccel_prof_region *region);
int vaccel_prof_regions_start_by_name(struct vaccel_prof_region *regions,
				      int nregions, const char *name);
int vaccel_prof_regions_stop_by_name(struct vaccel_prof_region *regions,
				     int nregions, const char *name);
int vaccel_prof_regions_init(struct vaccel_prof_region *regions, int nregions);
int vaccel_prof_regions_release(struct vaccel_prof_region *regions,
				int nregions);
int vaccel_prof_regions_print_all(struct vaccel_prof_region *regions,
				  int nregions);
/* Prints one NUL-terminated line per region that has samples, the lines
 * back to back, as upstream does. tbuf NULL: returns the bytes that takes.
 * Else into *tbuf: malloc'd (the caller frees it) when *tbuf is NULL,
 * otherwise the caller's buffer of tbuf_len bytes (the last line cut to fit,
 * still terminated); returns the number of regions given. 0 when profiling
 * is disabled, a negative VACCEL_E* code on error. */
int vaccel_prof_regions_print_all_to_buf(char **tbuf, size_t tbuf_len,
					 struct vaccel_prof_region *regions,
					 int size);

/* Adds an externally measured sample (used to import samples that a remote
 * agent measured). */
int vaccel_prof_region_add_sample(struct vaccel_prof_region *region,
				  uint64_t start, uint64_t time);

/* Nanoseconds of CLOCK_MONOTONIC. */
uint64_t vaccel_prof_get_tstamp(void);

#ifdef __cplusplus
}
#endif

#endif /* VACCEL_PROF_H */
