/* SPDX-License-Identifier: Apache-2.0 */
#include "preprocess.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <stb/stb_image.h>

static const float mean[3] = { 0.485f, 0.456f, 0.406f };
static const float stdev[3] = { 0.229f, 0.224f, 0.225f };

static void seterr(char *errbuf, size_t errbuf_size, const char *fmt, ...)
{
	va_list ap;

	if (!errbuf || !errbuf_size)
		return;
	va_start(ap, fmt);
	vsnprintf(errbuf, errbuf_size, fmt, ap);
	va_end(ap);
}

/* Parses a positive int from the environment: 0 when unset, -1 when bad. */
static int env_positive(const char *name, long max)
{
	const char *s = getenv(name);
	char *end;
	long v;

	if (!s || !*s)
		return 0;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || *end || v < 1 || v > max)
		return -1;
	return (int)v;
}

int vtorch_input_size(int model_size)
{
	int v = env_positive("VACCEL_TORCH_INPUT_SIZE", VTORCH_MAX_INPUT_SIZE);

	if (v != 0)
		return v;
	if (model_size > 0 && model_size <= VTORCH_MAX_INPUT_SIZE)
		return model_size;
	return VTORCH_DEFAULT_INPUT_SIZE;
}

int vtorch_thread_count(void)
{
	int v = env_positive("VACCEL_TORCH_THREADS", 4096);
	long n;

	if (v != 0)
		return v;
	n = sysconf(_SC_NPROCESSORS_ONLN);
	return n > 0 ? (int)n : 1;
}

/*
 * Bilinear sampling with half-pixel centres: destination pixel d maps to
 * source coordinate (d + 0.5) * scale - 0.5, clamped to the image, which is
 * what torch's interpolate(mode="bilinear", align_corners=False) does.
 */
static void resize_normalize(const unsigned char *rgb, int w, int h, int size,
			     float *out)
{
	const float sx = (float)w / (float)size;
	const float sy = (float)h / (float)size;
	const size_t plane = (size_t)size * (size_t)size;

	for (int y = 0; y < size; y++) {
		float fy = ((float)y + 0.5f) * sy - 0.5f;
		int y0, y1;
		float wy;

		if (fy < 0.0f)
			fy = 0.0f;
		y0 = (int)fy;
		if (y0 > h - 1)
			y0 = h - 1;
		y1 = y0 < h - 1 ? y0 + 1 : y0;
		wy = fy - (float)y0;

		for (int x = 0; x < size; x++) {
			float fx = ((float)x + 0.5f) * sx - 0.5f;
			int x0, x1;
			float wx;

			if (fx < 0.0f)
				fx = 0.0f;
			x0 = (int)fx;
			if (x0 > w - 1)
				x0 = w - 1;
			x1 = x0 < w - 1 ? x0 + 1 : x0;
			wx = fx - (float)x0;

			for (int c = 0; c < 3; c++) {
				float p00 = rgb[((size_t)y0 * w + x0) * 3 + c];
				float p01 = rgb[((size_t)y0 * w + x1) * 3 + c];
				float p10 = rgb[((size_t)y1 * w + x0) * 3 + c];
				float p11 = rgb[((size_t)y1 * w + x1) * 3 + c];
				float top = p00 + (p01 - p00) * wx;
				float bot = p10 + (p11 - p10) * wx;
				float v = (top + (bot - top) * wy) / 255.0f;

				out[c * plane + (size_t)y * size + x] =
					(v - mean[c]) / stdev[c];
			}
		}
	}
}

int vtorch_preprocess(const void *img, size_t len_img, int size, float **out,
		      size_t *out_len, char *errbuf, size_t errbuf_size)
{
	unsigned char *rgb;
	float *buf;
	size_t n;
	int w, h, comp;

	if (!img || !len_img || !out || !out_len) {
		seterr(errbuf, errbuf_size, "no image or no output given");
		return -1;
	}
	if (len_img > INT_MAX) {
		seterr(errbuf, errbuf_size, "image of %zu bytes is too large",
		       len_img);
		return -1;
	}
	if (size < 1 || size > VTORCH_MAX_INPUT_SIZE) {
		seterr(errbuf, errbuf_size, "input size %d out of 1..%d", size,
		       VTORCH_MAX_INPUT_SIZE);
		return -1;
	}

	/* stb reports its reason through a static string; fine for a log. */
	rgb = stbi_load_from_memory(img, (int)len_img, &w, &h, &comp, 3);
	if (!rgb) {
		seterr(errbuf, errbuf_size,
		       "cannot decode %zu bytes as an image: %s", len_img,
		       stbi_failure_reason());
		return -1;
	}

	n = 3 * (size_t)size * (size_t)size;
	buf = malloc(n * sizeof(*buf));
	if (!buf) {
		seterr(errbuf, errbuf_size, "no memory for %zu floats", n);
		stbi_image_free(rgb);
		return -1;
	}
	resize_normalize(rgb, w, h, size, buf);
	stbi_image_free(rgb);

	*out = buf;
	*out_len = n;
	return 0;
}
