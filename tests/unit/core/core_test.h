/* SPDX-License-Identifier: Apache-2.0 */
/* Helpers shared by the core unit tests. */
#ifndef CORE_TEST_H
#define CORE_TEST_H

#include "internal.h"
#include "plugins/tp_counters.h"
#include "testing.h"
#include "vaccel.h"
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Path of a test plugin from the environment meson sets (TP_GOOD, ...). */
static inline const char *tp_path(const char *name)
{
	char var[64];
	const char *p;

	snprintf(var, sizeof(var), "TP_%s", name);
	p = getenv(var);
	if (!p) {
		fprintf(stderr, "missing env %s\n", var);
		exit(2);
	}
	return p;
}

/* The counters of a loaded test plugin (NULL when it is not loaded). */
static inline struct tp_counters *tp_get(const char *name)
{
	struct tp_counters *(*fn)(void);
	struct tp_counters *c = NULL;
	void *h = dlopen(tp_path(name), RTLD_NOW | RTLD_NOLOAD);

	if (!h)
		return NULL;
	*(void **)&fn = dlsym(h, "tp_counters");
	if (fn)
		c = fn();
	dlclose(h);
	return c;
}

/* Bootstraps with an explicit config. */
static inline int boot(const char *plugins, vaccel_log_level_t level,
		       const char *log_file, bool prof, bool ignore)
{
	struct vaccel_config config;
	int ret = vaccel_config_init(&config, plugins, level, log_file, prof,
				     ignore);

	if (ret)
		return ret;
	ret = vaccel_bootstrap_with_config(&config);
	vaccel_config_release(&config);
	return ret;
}

/* "a:b:c" from test plugin names, in a static buffer. */
static inline const char *tp_list(const char *a, const char *b, const char *c)
{
	static char buf[4096];

	snprintf(buf, sizeof(buf), "%s%s%s%s%s", tp_path(a), b ? ":" : "",
		 b ? tp_path(b) : "", c ? ":" : "", c ? tp_path(c) : "");
	return buf;
}

static inline bool is_dir(const char *path)
{
	struct stat st;

	return path && stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

static inline bool exists(const char *path)
{
	struct stat st;

	return path && lstat(path, &st) == 0;
}

/* The whole file as a NUL-terminated malloc'd string, or NULL. */
static inline char *slurp(const char *path)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	long n;

	if (!f)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 &&
	    fseek(f, 0, SEEK_SET) == 0) {
		buf = malloc((size_t)n + 1);
		if (buf) {
			size_t got = fread(buf, 1, (size_t)n, f);
			buf[got] = '\0';
		}
	}
	fclose(f);
	return buf;
}

static inline int spit(const char *path, const char *content)
{
	FILE *f = fopen(path, "wb");

	if (!f)
		return -1;
	fputs(content, f);
	return fclose(f);
}

/* A fresh private directory under TMPDIR or /tmp (static buffer per call
 * site is the caller's business: the result is malloc'd). */
static inline char *make_tmpdir(void)
{
	const char *tmp = getenv("TMPDIR");
	char *p;

	if (asprintf(&p, "%s/vaccel-core-test-XXXXXX",
		     tmp && *tmp ? tmp : "/tmp") < 0)
		return NULL;
	if (!mkdtemp(p)) {
		free(p);
		return NULL;
	}
	return p;
}

/* Removes a directory made by make_tmpdir() and the files in it. */
static inline void rm_tree(const char *dir)
{
	char cmd[4200];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", dir);
}

/* Byte length of a file, -1 if missing. */
static inline long file_size(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 ? (long)st.st_size : -1;
}

#endif /* CORE_TEST_H */
