/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Image preprocessing for ImageNet-style classifiers, in plain C so that the
 * torch plugin, the native baseline (tools/torch-native) and the tests all feed a
 * model exactly the same floats.
 */
#ifndef VACCEL_TORCH_PREPROCESS_H
#define VACCEL_TORCH_PREPROCESS_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Input side used when neither VACCEL_TORCH_INPUT_SIZE nor the model says. */
#define VTORCH_DEFAULT_INPUT_SIZE 224
/* Largest accepted input side; keeps size * size * 3 far from overflow. */
#define VTORCH_MAX_INPUT_SIZE 8192

/*
 * Decodes JPEG/PNG/BMP/... bytes (stb_image), resizes the RGB image to
 * size x size with bilinear interpolation (half-pixel centres, as
 * torchvision's Resize without antialiasing), scales to [0, 1] and applies
 * the ImageNet mean/std. On success *out is a malloc'd 3 x size x size float
 * array in CHW order (the caller frees it) and *out_len its element count.
 * Returns 0, or -1 with a message in errbuf (not decodable, bad size, no
 * memory).
 */
int vtorch_preprocess(const void *img, size_t len_img, int size, float **out,
		      size_t *out_len, char *errbuf, size_t errbuf_size);

/*
 * The input side to use: VACCEL_TORCH_INPUT_SIZE when set (and valid), else
 * `model_size` when > 0, else VTORCH_DEFAULT_INPUT_SIZE. An invalid
 * environment value returns -1.
 */
int vtorch_input_size(int model_size);

/* The intra-op thread count: VACCEL_TORCH_THREADS when set (>= 1), else the
 * number of online CPUs. An invalid value returns -1. */
int vtorch_thread_count(void);

#ifdef __cplusplus
}
#endif

#endif /* VACCEL_TORCH_PREPROCESS_H */
