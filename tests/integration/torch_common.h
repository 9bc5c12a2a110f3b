/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Helpers shared by the torch plugin's integration tests. Paths come from
 * the environment meson sets (see tests/integration/meson.build):
 *   VACCEL_TEST_TORCH_DATA   tests/data (the tiny models)
 *   VACCEL_TEST_IMAGE        a JPEG to classify
 *   VACCEL_TEST_TORCH_NATIVE the torch-native baseline binary
 */
#ifndef VACCEL_TEST_TORCH_COMMON_H
#define VACCEL_TEST_TORCH_COMMON_H

#include <vaccel.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static inline const char *tt_env(const char *name)
{
	const char *v = getenv(name);

	if (!v || !*v) {
		fprintf(stderr, "%s is not set\n", name);
		return NULL;
	}
	return v;
}

/* "<VACCEL_TEST_TORCH_DATA>/<name>" into buf. */
static inline const char *tt_data(const char *name, char *buf, size_t size)
{
	const char *dir = tt_env("VACCEL_TEST_TORCH_DATA");

	if (!dir)
		return NULL;
	snprintf(buf, size, "%s/%s", dir, name);
	return buf;
}

/* Reads a whole file into a malloc'd buffer. */
static inline char *tt_read(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	long n;

	if (!f)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) > 0 &&
	    fseek(f, 0, SEEK_SET) == 0) {
		buf = malloc((size_t)n);
		if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
			free(buf);
			buf = NULL;
		}
		*len = (size_t)n;
	}
	fclose(f);
	return buf;
}

static inline int tt_copy_file(const char *from, const char *to)
{
	size_t len = 0;
	char *buf = tt_read(from, &len);
	FILE *f;
	int ret = -1;

	if (!buf)
		return -1;
	f = fopen(to, "wb");
	if (f && fwrite(buf, 1, len, f) == len)
		ret = 0;
	if (f && fclose(f))
		ret = -1;
	free(buf);
	return ret;
}

/* A session on the torch plugin with `model_path` registered as a MODEL. */
static inline int tt_open(struct vaccel_session *sess,
			  struct vaccel_resource *model,
			  const char *model_path)
{
	int ret = vaccel_session_init(sess, VACCEL_PLUGIN_TORCH);

	if (ret)
		return ret;
	ret = vaccel_resource_init(model, model_path, VACCEL_RESOURCE_MODEL);
	if (ret) {
		vaccel_session_release(sess);
		return ret;
	}
	ret = vaccel_resource_register(model, sess);
	if (ret) {
		vaccel_resource_release(model);
		vaccel_session_release(sess);
	}
	return ret;
}

static inline void tt_close(struct vaccel_session *sess,
			    struct vaccel_resource *model)
{
	vaccel_resource_release(model);
	vaccel_session_release(sess);
}

/* The tiny CNN's input (tests/data/tiny_cnn.pt): 1x3x32x32 floats filled
 * into x (3 * 32 * 32 of them), as a tensor that borrows x; NULL when out
 * of memory. */
static inline struct vaccel_torch_tensor *tt_cnn_input(float *x)
{
	int64_t dims[4] = { 1, 3, 32, 32 };
	struct vaccel_torch_tensor *t;

	for (int i = 0; i < 3 * 32 * 32; i++)
		x[i] = (float)((i * 13) % 17) / 17.0f;
	if (vaccel_torch_tensor_new(&t, 4, dims, VACCEL_TORCH_FLOAT))
		return NULL;
	vaccel_torch_tensor_set_data(t, x, 3 * 32 * 32 * sizeof(float));
	return t;
}

#endif /* VACCEL_TEST_TORCH_COMMON_H */
