// SPDX-License-Identifier: Apache-2.0

#include "core_priv.h"
#include "vaccel/blob.h"
#include "vaccel/error.h"
#include "vaccel/log.h"
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

/* The last component of `path`, without modifying it. */
static const char *base_name(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash ? slash + 1 : path;
}

int vaccel_blob_init(struct vaccel_blob *blob, const char *path)
{
	struct stat st;

	if (blob)
		memset(blob, 0, sizeof(*blob));
	if (!blob || !path || !*path) {
		vaccel_error("vaccel_blob_init: %s",
			     !blob ? "blob is NULL" : "path is NULL or empty");
		return VACCEL_EINVAL;
	}
	if (stat(path, &st) != 0) {
		int err = errno;

		vaccel_error("Blob file %s: %s", path, strerror(err));
		return vaccel__errno_to_error(err);
	}
	if (!S_ISREG(st.st_mode)) {
		vaccel_error("Blob file %s is not a regular file", path);
		return VACCEL_EINVAL;
	}

	blob->path = strdup(path);
	blob->name = strdup(base_name(path));
	if (!blob->path || !blob->name) {
		vaccel_error("Could not allocate blob for %s", path);
		free(blob->path);
		free(blob->name);
		memset(blob, 0, sizeof(*blob));
		return VACCEL_ENOMEM;
	}
	blob->type = VACCEL_BLOB_FILE;
	blob->size = (size_t)st.st_size;
	return VACCEL_OK;
}

/* Writes all of buf to fd. */
static int write_all(int fd, const uint8_t *buf, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, buf, len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Writes data to a temp file in dir and renames it to final, so readers
 * never see a half-written file. */
static int write_file_atomic(const char *dir, const char *final,
			     const uint8_t *data, size_t size)
{
	char tmp[PATH_MAX];
	int fd, n, ret = VACCEL_OK;

	n = snprintf(tmp, sizeof(tmp), "%s/.vaccel-tmp-XXXXXX", dir);
	if (n < 0 || (size_t)n >= sizeof(tmp)) {
		vaccel_error("Temp file path in %s is too long", dir);
		return VACCEL_ENAMETOOLONG;
	}
	fd = mkstemp(tmp);
	if (fd < 0) {
		ret = vaccel__errno_to_error(errno);
		vaccel_error("Could not create a temp file in %s: %s", dir,
			     strerror(errno));
		return ret;
	}
	if (write_all(fd, data, size) != 0) {
		ret = vaccel__errno_to_error(errno);
		vaccel_error("Could not write %zu bytes to %s: %s", size, tmp,
			     strerror(errno));
		close(fd);
		goto unlink_tmp;
	}
	if (close(fd) != 0) {
		ret = vaccel__errno_to_error(errno);
		vaccel_error("Could not close %s: %s", tmp, strerror(errno));
		goto unlink_tmp;
	}
	if (rename(tmp, final) != 0) {
		ret = vaccel__errno_to_error(errno);
		vaccel_error("Could not rename %s to %s: %s", tmp, final,
			     strerror(errno));
		goto unlink_tmp;
	}
	return VACCEL_OK;

unlink_tmp:
	unlink(tmp);
	return ret;
}

/* Picks the final path of a persisted blob; with `randomize` a unique name
 * is reserved by creating it. */
static int final_path(const char *dir, const char *filename, bool randomize,
		      char *out, size_t size)
{
	int n, fd;

	n = randomize ? snprintf(out, size, "%s/%s.XXXXXX", dir, filename) :
			snprintf(out, size, "%s/%s", dir, filename);
	if (n < 0 || (size_t)n >= size) {
		vaccel_error("Path of %s in %s is too long", filename, dir);
		return VACCEL_ENAMETOOLONG;
	}
	if (!randomize)
		return VACCEL_OK;

	fd = mkstemp(out);
	if (fd < 0) {
		int err = errno;

		vaccel_error("Could not create a file for %s in %s: %s",
			     filename, dir, strerror(err));
		return vaccel__errno_to_error(err);
	}
	close(fd);
	return VACCEL_OK;
}

int vaccel_blob_persist(struct vaccel_blob *blob, const char *dir,
			const char *filename, bool randomize)
{
	char path[PATH_MAX];
	char *new_path, *new_name;
	int ret;

	if (!blob || !dir || !filename || !*filename) {
		vaccel_error("vaccel_blob_persist: %s is NULL or empty",
			     !blob ? "blob" : !dir ? "dir" : "filename");
		return VACCEL_EINVAL;
	}
	if (strchr(filename, '/')) {
		vaccel_error("vaccel_blob_persist: filename %s contains '/'",
			     filename);
		return VACCEL_EINVAL;
	}
	if (!blob->data || blob->size == 0) {
		vaccel_error("vaccel_blob_persist: blob %s has no data",
			     blob->name ? blob->name : "(unnamed)");
		return VACCEL_EINVAL;
	}

	ret = final_path(dir, filename, randomize, path, sizeof(path));
	if (ret)
		return ret;
	ret = write_file_atomic(dir, path, blob->data, blob->size);
	if (ret)
		goto remove_reserved;

	new_path = strdup(path);
	new_name = strdup(base_name(path));
	if (!new_path || !new_name) {
		vaccel_error("Could not allocate blob path %s", path);
		free(new_path);
		free(new_name);
		unlink(path);
		return VACCEL_ENOMEM;
	}

	/* Replace any earlier persisted copy. */
	if (blob->path && blob->path_owned)
		unlink(blob->path);
	free(blob->path);
	free(blob->name);
	blob->path = new_path;
	blob->name = new_name;
	blob->path_owned = true;
	blob->type = VACCEL_BLOB_FILE;
	return VACCEL_OK;

remove_reserved:
	if (randomize)
		unlink(path);
	return ret;
}

int vaccel_blob_init_from_buf(struct vaccel_blob *blob, const uint8_t *buf,
			      size_t size, bool own, const char *filename,
			      const char *dir, bool randomize)
{
	int ret;

	if (blob)
		memset(blob, 0, sizeof(*blob));
	if (!blob || !buf || size == 0) {
		vaccel_error("vaccel_blob_init_from_buf: %s",
			     !blob ? "blob is NULL" :
			     !buf  ? "buf is NULL" :
				     "size is 0");
		return VACCEL_EINVAL;
	}
	if (dir && (!filename || !*filename)) {
		vaccel_error("vaccel_blob_init_from_buf: a filename is needed "
			     "to persist into %s", dir);
		return VACCEL_EINVAL;
	}

	blob->name = strdup(filename ? filename : "buffer");
	if (!blob->name) {
		vaccel_error("Could not allocate blob name");
		return VACCEL_ENOMEM;
	}
	blob->type = VACCEL_BLOB_BUFFER;
	/* A borrowed buffer is only read, never written or freed. */
	blob->data = (uint8_t *)buf;
	blob->size = size;
	blob->data_owned = own;

	if (dir) {
		ret = vaccel_blob_persist(blob, dir, filename, randomize);
		if (ret) {
			/* Ownership of buf moves only on success. */
			free(blob->name);
			memset(blob, 0, sizeof(*blob));
			return ret;
		}
	}
	return VACCEL_OK;
}

int vaccel_blob_release(struct vaccel_blob *blob)
{
	if (!blob) {
		vaccel_error("vaccel_blob_release: blob is NULL");
		return VACCEL_EINVAL;
	}

	if (blob->data && blob->data_owned) {
		if (blob->type == VACCEL_BLOB_MAPPED)
			munmap(blob->data, blob->size);
		else
			free(blob->data);
	}
	if (blob->path && blob->path_owned && unlink(blob->path) != 0 &&
	    errno != ENOENT)
		vaccel_warn("Could not remove blob file %s: %s", blob->path,
			    strerror(errno));
	free(blob->path);
	free(blob->name);
	memset(blob, 0, sizeof(*blob));
	return VACCEL_OK;
}

int vaccel_blob_new(struct vaccel_blob **blob, const char *path)
{
	struct vaccel_blob *b;
	int ret;

	if (!blob) {
		vaccel_error("vaccel_blob_new: blob is NULL");
		return VACCEL_EINVAL;
	}
	*blob = NULL;
	b = malloc(sizeof(*b));
	if (!b) {
		vaccel_error("Could not allocate a blob for %s",
			     path ? path : "(null)");
		return VACCEL_ENOMEM;
	}
	ret = vaccel_blob_init(b, path);
	if (ret) {
		free(b);
		return ret;
	}
	*blob = b;
	return VACCEL_OK;
}

int vaccel_blob_from_buf(struct vaccel_blob **blob, const uint8_t *buf,
			 size_t size, bool own, const char *filename,
			 const char *dir, bool randomize)
{
	struct vaccel_blob *b;
	int ret;

	if (!blob) {
		vaccel_error("vaccel_blob_from_buf: blob is NULL");
		return VACCEL_EINVAL;
	}
	*blob = NULL;
	b = malloc(sizeof(*b));
	if (!b) {
		vaccel_error("Could not allocate a blob of %zu bytes", size);
		return VACCEL_ENOMEM;
	}
	ret = vaccel_blob_init_from_buf(b, buf, size, own, filename, dir,
					randomize);
	if (ret) {
		free(b);
		return ret;
	}
	*blob = b;
	return VACCEL_OK;
}

int vaccel_blob_delete(struct vaccel_blob *blob)
{
	if (!blob)
		return VACCEL_OK;
	vaccel_blob_release(blob);
	free(blob);
	return VACCEL_OK;
}

/* Reads the whole of the blob's file into a new buffer. */
static int read_file(struct vaccel_blob *blob)
{
	struct stat st;
	uint8_t *data;
	size_t done = 0;
	int fd, ret = VACCEL_OK;

	fd = open(blob->path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) != 0) {
		ret = vaccel__errno_to_error(errno);
		vaccel_error("Could not open blob file %s: %s", blob->path,
			     strerror(errno));
		if (fd >= 0)
			close(fd);
		return ret;
	}

	/* malloc(0) may return NULL; an empty file still gets a buffer. */
	data = malloc(st.st_size ? (size_t)st.st_size : 1);
	if (!data) {
		vaccel_error("Could not allocate %lld bytes for blob file %s",
			     (long long)st.st_size, blob->path);
		close(fd);
		return VACCEL_ENOMEM;
	}
	while (done < (size_t)st.st_size) {
		ssize_t n = read(fd, data + done, (size_t)st.st_size - done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			ret = n < 0 ? vaccel__errno_to_error(errno) : VACCEL_EIO;
			vaccel_error("Could not read blob file %s (%zu of %lld "
				     "bytes read)", blob->path, done,
				     (long long)st.st_size);
			free(data);
			close(fd);
			return ret;
		}
		done += (size_t)n;
	}
	close(fd);

	blob->data = data;
	blob->data_owned = true;
	blob->size = done;
	return VACCEL_OK;
}

/* Maps the blob's file read-only. */
static int map_file(struct vaccel_blob *blob)
{
	struct stat st;
	void *p;
	int fd, ret;

	fd = open(blob->path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) != 0 || st.st_size == 0) {
		ret = fd >= 0 && st.st_size == 0 ?
			      VACCEL_EINVAL :
			      vaccel__errno_to_error(errno);
		vaccel_error("Could not map blob file %s: %s", blob->path,
			     ret == VACCEL_EINVAL ? "file is empty" :
						    strerror(errno));
		if (fd >= 0)
			close(fd);
		return ret;
	}
	p = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (p == MAP_FAILED) {
		ret = vaccel__errno_to_error(errno);
		vaccel_error("Could not map blob file %s: %s", blob->path,
			     strerror(errno));
		return ret;
	}
	blob->data = p;
	blob->data_owned = true;
	blob->size = (size_t)st.st_size;
	return VACCEL_OK;
}

int vaccel_blob_read(struct vaccel_blob *blob)
{
	if (!vaccel_blob_valid(blob)) {
		vaccel_error("vaccel_blob_read: invalid blob");
		return VACCEL_EINVAL;
	}
	if (blob->data)
		return VACCEL_OK;

	switch (blob->type) {
	case VACCEL_BLOB_FILE:
		return read_file(blob);
	case VACCEL_BLOB_MAPPED:
		return map_file(blob);
	default:
		/* A valid BUFFER blob always has data. */
		return VACCEL_OK;
	}
}

uint8_t *vaccel_blob_data(struct vaccel_blob *blob, size_t *size)
{
	if (!blob || !size) {
		vaccel_error("vaccel_blob_data: %s is NULL",
			     !blob ? "blob" : "size");
		return NULL;
	}
	if (vaccel_blob_read(blob))
		return NULL;
	*size = blob->size;
	return blob->data;
}

const char *vaccel_blob_path(struct vaccel_blob *blob)
{
	if (!blob) {
		vaccel_error("vaccel_blob_path: blob is NULL");
		return NULL;
	}
	return blob->path;
}

bool vaccel_blob_valid(const struct vaccel_blob *blob)
{
	if (!blob || !blob->name || (int)blob->type < 0 ||
	    blob->type >= VACCEL_BLOB_MAX)
		return false;
	if (blob->type == VACCEL_BLOB_BUFFER)
		return blob->data && blob->size > 0;
	return blob->path != NULL;
}
