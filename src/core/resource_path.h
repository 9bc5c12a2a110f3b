/* SPDX-License-Identifier: Apache-2.0 */
/* Resource path parsing (resource_path.c). */
#ifndef VACCEL_CORE_RESOURCE_PATH_H
#define VACCEL_CORE_RESOURCE_PATH_H

#include "vaccel/resource.h"
#include <stddef.h>

/*
 * Classifies `path`: a plain path or a file:// URL naming an existing file
 * or directory. *local points into `path` past any scheme. Errors, each
 * logged: VACCEL_ENOTSUP (http/https/ftp URLs), VACCEL_EINVAL (other
 * schemes, empty, neither file nor directory), VACCEL_ENOENT (missing).
 */
int vaccel__path_classify(const char *path, const char **local,
			  vaccel_path_type_t *type);

/* The regular files in `dir`, as malloc'd "dir/name" strings sorted by
 * name (a malloc'd array). VACCEL_EINVAL when there are none. */
int vaccel__path_list_dir(const char *dir, char ***files, size_t *nr_files);

#endif /* VACCEL_CORE_RESOURCE_PATH_H */
