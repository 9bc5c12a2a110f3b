/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Counting a directory's entries, as the tests look at work directories,
 * upload directories and /proc/self/task.
 */
#ifndef VACCEL_TEST_DIR_ENTRIES_H
#define VACCEL_TEST_DIR_ENTRIES_H

#include <dirent.h>
#include <stdio.h>
#include <string.h>

/* The number of entries of `path` whose name starts with `prefix` ("":
 * any), -1 when it cannot be read. Hidden names (".", "..", the agent's
 * ".lock") count only for a prefix that starts with a dot. The last one
 * counted goes to `last` as "path/name" when `last` is not NULL ("" when
 * none, or when it does not fit `cap`). */
static inline int test_dir_entries(const char *path, const char *prefix,
				   char *last, size_t cap)
{
	DIR *d = opendir(path);
	struct dirent *e;
	size_t len = strlen(prefix);
	int n = 0;

	if (last && cap)
		last[0] = '\0';
	if (!d)
		return -1;
	while ((e = readdir(d))) {
		if (strncmp(e->d_name, prefix, len) != 0 ||
		    (e->d_name[0] == '.' && prefix[0] != '.'))
			continue;
		n++;
		if (last && cap &&
		    (size_t)snprintf(last, cap, "%s/%s", path, e->d_name) >= cap)
			last[0] = '\0';
	}
	closedir(d);
	return n;
}

#endif /* VACCEL_TEST_DIR_ENTRIES_H */
