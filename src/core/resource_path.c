// SPDX-License-Identifier: Apache-2.0

#include "core_priv.h"
#include "resource_path.h"
#include "vaccel/error.h"
#include "vaccel/log.h"
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define FILE_SCHEME "file://"

static const char *const remote_schemes[] = { "http://", "https://",
					       "ftp://" };

int vaccel__path_classify(const char *path, const char **local,
			  vaccel_path_type_t *type)
{
	struct stat st;

	for (size_t i = 0; i < sizeof(remote_schemes) / sizeof(*remote_schemes);
	     i++) {
		if (strncmp(path, remote_schemes[i],
			    strlen(remote_schemes[i])) == 0) {
			/* Fetching URLs needs an HTTP client this build does
			 * not have; a transport plugin forwards the file. */
			vaccel_error("Resource path %s: remote URLs are not "
				     "supported by this build", path);
			return VACCEL_ENOTSUP;
		}
	}
	if (strncmp(path, FILE_SCHEME, strlen(FILE_SCHEME)) == 0)
		path += strlen(FILE_SCHEME);
	else if (strstr(path, "://")) {
		vaccel_error("Resource path %s: unknown URL scheme", path);
		return VACCEL_EINVAL;
	}
	if (!*path) {
		vaccel_error("Resource path is empty");
		return VACCEL_EINVAL;
	}

	if (stat(path, &st) != 0) {
		int err = errno;

		vaccel_error("Resource path %s: %s", path, strerror(err));
		return vaccel__errno_to_error(err);
	}
	if (S_ISDIR(st.st_mode)) {
		*type = VACCEL_PATH_LOCAL_DIR;
	} else if (S_ISREG(st.st_mode)) {
		*type = VACCEL_PATH_LOCAL_FILE;
	} else {
		vaccel_error("Resource path %s is neither a regular file nor "
			     "a directory", path);
		return VACCEL_EINVAL;
	}
	*local = path;
	return VACCEL_OK;
}

static int only_regular_files(const struct dirent *d)
{
	return d->d_type == DT_REG || d->d_type == DT_UNKNOWN ||
	       d->d_type == DT_LNK;
}

int vaccel__path_list_dir(const char *dir, char ***files, size_t *nr_files)
{
	struct dirent **ents = NULL;
	char **out = NULL;
	size_t n = 0;
	int nr, ret = VACCEL_OK;

	nr = scandir(dir, &ents, only_regular_files, alphasort);
	if (nr < 0) {
		int err = errno;

		vaccel_error("Could not list directory %s: %s", dir,
			     strerror(err));
		return vaccel__errno_to_error(err);
	}

	out = calloc((size_t)nr + 1, sizeof(*out));
	if (!out) {
		vaccel_error("Could not allocate the file list of %s", dir);
		ret = VACCEL_ENOMEM;
		goto free_ents;
	}
	for (int i = 0; i < nr; i++) {
		struct stat st;
		char *p;

		if (asprintf(&p, "%s/%s", dir, ents[i]->d_name) < 0) {
			vaccel_error("Could not allocate a path in %s", dir);
			ret = VACCEL_ENOMEM;
			goto free_out;
		}
		/* d_type may be unknown or a link; keep what stat says is a
		 * regular file. */
		if (stat(p, &st) != 0 || !S_ISREG(st.st_mode)) {
			free(p);
			continue;
		}
		out[n++] = p;
	}
	if (n == 0) {
		vaccel_error("Directory %s has no regular files", dir);
		ret = VACCEL_EINVAL;
		goto free_out;
	}
	*files = out;
	*nr_files = n;
	goto free_ents;

free_out:
	for (size_t i = 0; i < n; i++)
		free(out[i]);
	free(out);
free_ents:
	for (int i = 0; i < nr; i++)
		free(ents[i]);
	free(ents);
	return ret;
}
