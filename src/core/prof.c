// SPDX-License-Identifier: Apache-2.0

#include "core_priv.h"
#include "vaccel/error.h"
#include "vaccel/log.h"
#include "vaccel/prof.h"
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define PROF_SAMPLES_INITIAL 1024

volatile bool vaccel__prof_on;

bool vaccel_prof_enabled(void)
{
	return vaccel__prof_on;
}

uint64_t vaccel_prof_get_tstamp(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

/* Makes room for one more sample, doubling from PROF_SAMPLES_INITIAL. */
static int grow(struct vaccel_prof_region *region)
{
	struct vaccel_prof_sample *s;
	size_t size;

	if (region->nr_entries < region->size)
		return VACCEL_OK;
	size = region->size ? region->size * 2 : PROF_SAMPLES_INITIAL;
	s = realloc(region->samples, size * sizeof(*s));
	if (!s) {
		vaccel_error("Profiling region %s: could not grow to %zu "
			     "samples", region->name ? region->name : "?",
			     size);
		return VACCEL_ENOMEM;
	}
	region->samples = s;
	region->size = size;
	return VACCEL_OK;
}

int vaccel_prof_region_add_sample(struct vaccel_prof_region *region,
				  uint64_t start, uint64_t time)
{
	int ret;

	if (!vaccel__prof_on)
		return VACCEL_OK;
	if (!region) {
		vaccel_error("vaccel_prof_region_add_sample: region is NULL");
		return VACCEL_EINVAL;
	}
	ret = grow(region);
	if (ret)
		return ret;
	region->samples[region->nr_entries].start = start;
	region->samples[region->nr_entries].time = time;
	region->nr_entries++;
	return VACCEL_OK;
}

int vaccel_prof_region_start(struct vaccel_prof_region *region)
{
	if (!vaccel__prof_on)
		return VACCEL_OK;
	if (!region) {
		vaccel_error("vaccel_prof_region_start: region is NULL");
		return VACCEL_EINVAL;
	}
	return vaccel_prof_region_add_sample(region, vaccel_prof_get_tstamp(),
					     0);
}

int vaccel_prof_region_stop(const struct vaccel_prof_region *region)
{
	struct vaccel_prof_sample *s;
	uint64_t now;

	if (!vaccel__prof_on)
		return VACCEL_OK;
	now = vaccel_prof_get_tstamp();
	if (!region || region->nr_entries == 0) {
		vaccel_error("vaccel_prof_region_stop: %s",
			     !region ? "region is NULL" :
				       "region was not started");
		return VACCEL_EINVAL;
	}
	/* The region header is const, the samples it points to are not:
	 * stop fills in the sample that start appended. */
	s = &region->samples[region->nr_entries - 1];
	s->time = now - s->start;
	return VACCEL_OK;
}

static uint64_t total_time(const struct vaccel_prof_region *region)
{
	uint64_t total = 0;

	for (size_t i = 0; i < region->nr_entries; i++)
		total += region->samples[i].time;
	return total;
}

int vaccel_prof_region_print(const struct vaccel_prof_region *region)
{
	if (!vaccel__prof_on)
		return VACCEL_OK;
	if (!region) {
		vaccel_error("vaccel_prof_region_print: region is NULL");
		return VACCEL_EINVAL;
	}
	vaccel_info("[prof] %s: total_time: %llu nsec nr_entries: %zu",
		    region->name ? region->name : "(unnamed)",
		    (unsigned long long)total_time(region),
		    region->nr_entries);
	return VACCEL_OK;
}

int vaccel_prof_region_init(struct vaccel_prof_region *region,
			    const char *name)
{
	char *copy;

	if (!region || !name) {
		vaccel_error("vaccel_prof_region_init: %s is NULL",
			     !region ? "region" : "name");
		return VACCEL_EINVAL;
	}
	/* The name is copied even while profiling is off so that release
	 * always knows what it owns. */
	copy = strdup(name);
	if (!copy) {
		vaccel_error("Could not copy profiling region name %s", name);
		return VACCEL_ENOMEM;
	}
	region->name = copy;
	region->name_owned = true;
	region->nr_entries = 0;
	region->samples = NULL;
	region->size = 0;
	return VACCEL_OK;
}

int vaccel_prof_region_release(struct vaccel_prof_region *region)
{
	if (!region) {
		vaccel_error("vaccel_prof_region_release: region is NULL");
		return VACCEL_EINVAL;
	}
	if (region->name_owned)
		free((char *)region->name);
	free(region->samples);
	region->name = NULL;
	region->name_owned = false;
	region->samples = NULL;
	region->nr_entries = 0;
	region->size = 0;
	return VACCEL_OK;
}

static struct vaccel_prof_region *
find_region(struct vaccel_prof_region *regions, int nregions, const char *name)
{
	for (int i = 0; i < nregions; i++)
		if (regions[i].name && strcmp(regions[i].name, name) == 0)
			return &regions[i];
	return NULL;
}

static int by_name(struct vaccel_prof_region *regions, int nregions,
		   const char *name, bool start)
{
	struct vaccel_prof_region *r;

	if (!vaccel__prof_on)
		return VACCEL_OK;
	if (!regions || nregions < 0 || !name) {
		vaccel_error("vaccel_prof_regions_%s_by_name: invalid arguments",
			     start ? "start" : "stop");
		return VACCEL_EINVAL;
	}
	r = find_region(regions, nregions, name);
	if (!r) {
		vaccel_error("No profiling region named %s", name);
		return VACCEL_EINVAL;
	}
	return start ? vaccel_prof_region_start(r) : vaccel_prof_region_stop(r);
}

int vaccel_prof_regions_start_by_name(struct vaccel_prof_region *regions,
				      int nregions, const char *name)
{
	return by_name(regions, nregions, name, true);
}

int vaccel_prof_regions_stop_by_name(struct vaccel_prof_region *regions,
				     int nregions, const char *name)
{
	return by_name(regions, nregions, name, false);
}

int vaccel_prof_regions_init(struct vaccel_prof_region *regions, int nregions)
{
	if (!regions || nregions < 0) {
		vaccel_error("vaccel_prof_regions_init: invalid arguments");
		return VACCEL_EINVAL;
	}
	/* Names were set by VACCEL_PROF_REGION_INIT; keep them. */
	for (int i = 0; i < nregions; i++) {
		regions[i].nr_entries = 0;
		regions[i].samples = NULL;
		regions[i].size = 0;
	}
	return VACCEL_OK;
}

int vaccel_prof_regions_release(struct vaccel_prof_region *regions,
				int nregions)
{
	if (!regions || nregions < 0) {
		vaccel_error("vaccel_prof_regions_release: invalid arguments");
		return VACCEL_EINVAL;
	}
	for (int i = 0; i < nregions; i++) {
		free(regions[i].samples);
		regions[i].samples = NULL;
		regions[i].nr_entries = 0;
		regions[i].size = 0;
		if (regions[i].name_owned) {
			free((char *)regions[i].name);
			regions[i].name = NULL;
			regions[i].name_owned = false;
		}
	}
	return VACCEL_OK;
}

int vaccel_prof_regions_print_all(struct vaccel_prof_region *regions,
				  int nregions)
{
	if (!vaccel__prof_on)
		return VACCEL_OK;
	if (!regions || nregions < 0) {
		vaccel_error("vaccel_prof_regions_print_all: invalid arguments");
		return VACCEL_EINVAL;
	}
	/* As upstream's: regions without samples print nothing. */
	for (int i = 0; i < nregions; i++)
		if (regions[i].nr_entries)
			vaccel_prof_region_print(&regions[i]);
	return VACCEL_OK;
}

/* Prints one region's line, NUL included, into buf (NULL to measure);
 * returns the bytes the line takes, its NUL counted. */
static size_t format_region(char *buf, size_t len,
			    const struct vaccel_prof_region *r)
{
	int n = snprintf(buf, len, "[prof] %s: total_time: %llu nsec "
			 "nr_entries: %zu", r->name ? r->name : "(unnamed)",
			 (unsigned long long)total_time(r), r->nr_entries);

	return n < 0 ? 0 : (size_t)n + 1;
}

/*
 * Upstream's contract: one NUL-terminated line per region that has samples,
 * the lines back to back; tbuf NULL asks for the bytes that takes; else the
 * number of regions given is returned. A caller's buffer (*tbuf set) gets at
 * most tbuf_len bytes, its last line cut but terminated.
 */
int vaccel_prof_regions_print_all_to_buf(char **tbuf, size_t tbuf_len,
					 struct vaccel_prof_region *regions,
					 int size)
{
	size_t need = 0, off = 0;
	char *buf;

	if (!vaccel__prof_on) {
		if (tbuf && *tbuf && tbuf_len)
			(*tbuf)[0] = '\0';
		return 0;
	}
	if (!regions || size < 0 || (tbuf && *tbuf && tbuf_len == 0)) {
		vaccel_error("vaccel_prof_regions_print_all_to_buf: invalid "
			     "arguments");
		return -VACCEL_EINVAL;
	}
	for (int i = 0; i < size; i++)
		if (regions[i].nr_entries)
			need += format_region(NULL, 0, &regions[i]);
	if (!tbuf)
		return need > INT_MAX ? -VACCEL_ERANGE : (int)need;

	buf = *tbuf;
	if (!buf) {
		tbuf_len = need ? need : 1;
		buf = malloc(tbuf_len);
		if (!buf) {
			vaccel_error("Could not allocate %zu bytes for the "
				     "profiling report", tbuf_len);
			return -VACCEL_ENOMEM;
		}
	}
	buf[0] = '\0';
	for (int i = 0; i < size && off < tbuf_len; i++) {
		if (!regions[i].nr_entries)
			continue;
		size_t n = format_region(buf + off, tbuf_len - off, &regions[i]);

		off += n < tbuf_len - off ? n : tbuf_len - off;
	}
	*tbuf = buf;
	return size;
}
