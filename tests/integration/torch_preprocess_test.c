// SPDX-License-Identifier: Apache-2.0
/*
 * The torch plugin's preprocessing (plugins/torch/preprocess.c, shared by
 * the plugin, torch-native and the examples) against torchvision's own
 * transforms (to_tensor, bilinear resize without antialias, ImageNet
 * normalize) computed by /usr/bin/python3 (torch_preprocess_golden.py) on a
 * lossless image, when downscaling, upscaling and at the image's own
 * width. Both sides compute in float32 in different orders, so values may
 * differ in the last bits only: the bound is 1e-4 on values of magnitude
 * about 2 (a wrong mean or std, channel order or sampling grid moves values
 * by 1e-2 or more).
 */
#include "preprocess.h"
#include "testing.h"
#include "torch_common.h"

#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char dir[] = "/tmp/vaccel-preprocess-XXXXXX";
static const int sizes[] = { 8, 37, 96 };
static bool have_golden;

static void test_setup(void)
{
	const char *script = tt_env("VACCEL_TEST_GOLDEN_SCRIPT");
	char cmd[1024];

	REQUIRE(script && mkdtemp(dir));
	if (access("/usr/bin/python3", X_OK) != 0)
		SKIP("/usr/bin/python3 (with torchvision) is not installed");
	snprintf(cmd, sizeof(cmd), "/usr/bin/python3 '%s' '%s' %d %d %d >&2",
		 script, dir, sizes[0], sizes[1], sizes[2]);
	REQUIRE(system(cmd) == 0);
	have_golden = true;
}

static void test_matches_torchvision(void)
{
	char path[256], err[128];
	size_t png_len = 0;
	void *png;

	REQUIRE(have_golden);
	snprintf(path, sizeof(path), "%s/image.png", dir);
	png = tt_read(path, &png_len);
	REQUIRE(png);
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		size_t n = 0, golden_len = 0;
		float *got = NULL, *want;
		double worst = 0;

		snprintf(path, sizeof(path), "%s/golden-%d.f32", dir, sizes[i]);
		want = (float *)tt_read(path, &golden_len);
		REQUIRE(want);
		CHECK_INT(vtorch_preprocess(png, png_len, sizes[i], &got, &n,
					    err, sizeof(err)),
			  0);
		CHECK_INT(n * sizeof(float), golden_len);
		for (size_t k = 0; got && k < n && k * 4 < golden_len; k++)
			worst = fmax(worst, fabs((double)got[k] - want[k]));
		printf("size %d: max |ours - torchvision| = %.3g\n", sizes[i],
		       worst);
		CHECK(worst < 1e-4);
		free(got);
		free(want);
	}
	free(png);
}

static void test_cleanup(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	CHECK(system(cmd) == 0);
}

TEST_MAIN(test_setup, test_matches_torchvision, test_cleanup)
