/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Blobs: the files (or memory buffers) that make up a resource.
 *
 * A FILE blob names a file on disk and may also hold its bytes in `data`
 * once read; a BUFFER blob holds bytes in memory only; a MAPPED blob's data
 * is an mmap of its file. `path_owned`/`data_owned` say whether release
 * frees (and, for persisted files, unlinks) them.
 */
#ifndef VACCEL_BLOB_H
#define VACCEL_BLOB_H

#include "utils/enum.h"
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define VACCEL_BLOB_TYPE_LIST(X)  \
	X(VACCEL_BLOB_FILE, 0)    \
	X(VACCEL_BLOB_BUFFER, 1)  \
	X(VACCEL_BLOB_MAPPED, 2)

VACCEL_ENUM_DEFINE(vaccel_blob_type, VACCEL_BLOB_TYPE_LIST, VACCEL_BLOB_MAX,
		   12)

struct vaccel_blob {
	vaccel_blob_type_t type;
	char *name;
	char *path;
	bool path_owned;
	uint8_t *data;
	bool data_owned;
	size_t size;
};

/* Writes the blob's data to dir/filename (a random suffix is added when
 * `randomize`), turning a BUFFER blob into a FILE blob whose file is removed
 * on release. */
int vaccel_blob_persist(struct vaccel_blob *blob, const char *dir,
			const char *filename, bool randomize);
/* A FILE blob for an existing regular file; nothing is read yet. */
int vaccel_blob_init(struct vaccel_blob *blob, const char *path);
/* A blob over `buf`. `own` = take ownership of buf (freed on release);
 * otherwise buf is borrowed. With `dir` set the data is also persisted as a
 * file in dir (see vaccel_blob_persist). */
int vaccel_blob_init_from_buf(struct vaccel_blob *blob, const uint8_t *buf,
			      size_t size, bool own, const char *filename,
			      const char *dir, bool randomize);
int vaccel_blob_release(struct vaccel_blob *blob);
int vaccel_blob_new(struct vaccel_blob **blob, const char *path);
int vaccel_blob_from_buf(struct vaccel_blob **blob, const uint8_t *buf,
			 size_t size, bool own, const char *filename,
			 const char *dir, bool randomize);
int vaccel_blob_delete(struct vaccel_blob *blob);
/* Reads a FILE blob's contents into memory (MAPPED: maps it). */
int vaccel_blob_read(struct vaccel_blob *blob);
/* The blob's bytes (reading them first if needed), or NULL on error. */
uint8_t *vaccel_blob_data(struct vaccel_blob *blob, size_t *size);
const char *vaccel_blob_path(struct vaccel_blob *blob);
bool vaccel_blob_valid(const struct vaccel_blob *blob);

#ifdef __cplusplus
}
#endif

#endif /* VACCEL_BLOB_H */
