/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The torch plugin's settings (VACCEL_TORCH_DEVICE, _THREADS, _INPUT_SIZE,
 * _LABELS) and models given as memory buffers. Bootstrap is off so that
 * each case loads the real plugin itself, with the environment it sets.
 */
#include "testing.h"
#include "torch_common.h"

static const char *plugin_path(void)
{
	return tt_env("VACCEL_TEST_TORCH_PLUGIN");
}

static void test_bad_settings_fail_init(void)
{
	REQUIRE(plugin_path());
	REQUIRE(vaccel_bootstrap() == VACCEL_OK);

	setenv("VACCEL_TORCH_DEVICE", "quantum", 1);
	CHECK_INT(vaccel_plugin_load(plugin_path()), VACCEL_EINVAL);
	setenv("VACCEL_TORCH_DEVICE", "cpu", 1);
	setenv("VACCEL_TORCH_THREADS", "zero", 1);
	CHECK_INT(vaccel_plugin_load(plugin_path()), VACCEL_EINVAL);
	setenv("VACCEL_TORCH_THREADS", "-2", 1);
	CHECK_INT(vaccel_plugin_load(plugin_path()), VACCEL_EINVAL);
	CHECK_INT(vaccel_plugin_count(), 0);

	setenv("VACCEL_TORCH_THREADS", "3", 1);
	CHECK_INT(vaccel_plugin_load(plugin_path()), VACCEL_OK);
	CHECK_INT(vaccel_plugin_count(), 1);
}

static void test_model_from_memory(void)
{
	struct vaccel_session sess = { 0 };
	struct vaccel_resource *model = NULL;
	struct vaccel_torch_tensor *in = NULL, *out = NULL;
	static float x[3 * 32 * 32];
	int64_t dims[4] = { 1, 3, 32, 32 };
	char path[4096], *buf;
	size_t len = 0;

	REQUIRE(tt_data("tiny_cnn.pt", path, sizeof(path)));
	buf = tt_read(path, &len);
	REQUIRE(buf);
	REQUIRE(vaccel_session_init(&sess, VACCEL_PLUGIN_TORCH) == VACCEL_OK);
	CHECK_INT(vaccel_resource_from_buf(&model, buf, len,
					   VACCEL_RESOURCE_MODEL, "cnn.pt",
					   true),
		  VACCEL_OK);
	free(buf);
	REQUIRE(model);
	CHECK_INT(vaccel_resource_register(model, &sess), VACCEL_OK);
	CHECK_INT(vaccel_torch_tensor_new(&in, 4, dims, VACCEL_TORCH_FLOAT),
		  VACCEL_OK);
	CHECK_INT(vaccel_torch_tensor_set_data(in, x, sizeof(x)), VACCEL_OK);
	CHECK_INT(vaccel_torch_model_run(&sess, model, NULL, &in, 1, &out, 1),
		  VACCEL_OK);
	CHECK(out && out->size == 10 * sizeof(float));
	vaccel_torch_tensor_delete(out);
	vaccel_torch_tensor_delete(in);
	vaccel_resource_delete(model);
	vaccel_session_release(&sess);
}

static void test_classify_settings(void)
{
	struct vaccel_session sess = { 0 };
	struct vaccel_resource model = { 0 };
	const char *image = tt_env("VACCEL_TEST_IMAGE");
	unsigned char text[256], name[32];
	char path[4096], *img;
	size_t len = 0;

	REQUIRE(image && (img = tt_read(image, &len)));
	REQUIRE(tt_data("tiny_cnn.pt", path, sizeof(path)));
	REQUIRE(tt_open(&sess, &model, path) == VACCEL_OK);

	setenv("VACCEL_TORCH_INPUT_SIZE", "abc", 1);
	CHECK_INT(vaccel_image_classification(&sess, img, text, name, len,
					      sizeof(text), sizeof(name)),
		  VACCEL_EINVAL);
	/* The tiny CNN pools adaptively: any input size works. */
	setenv("VACCEL_TORCH_INPUT_SIZE", "48", 1);
	CHECK_INT(vaccel_image_classification(&sess, img, text, name, len,
					      sizeof(text), sizeof(name)),
		  VACCEL_OK);
	CHECK_STR((char *)name, "PLACEHOLDER");
	/* A too-short output is truncated, not overrun. */
	memset(text, 'x', sizeof(text));
	CHECK_INT(vaccel_image_classification(&sess, img, text, name, len, 4,
					      sizeof(name)),
		  VACCEL_OK);
	CHECK_INT(strlen((char *)text), 3);
	CHECK_INT(text[4], 'x');
	unsetenv("VACCEL_TORCH_INPUT_SIZE");

	setenv("VACCEL_TORCH_LABELS", "/nonexistent/labels.txt", 1);
	CHECK_INT(vaccel_image_classification(&sess, img, text, name, len,
					      sizeof(text), sizeof(name)),
		  VACCEL_EINVAL);
	free(img);
	tt_close(&sess, &model);
}

TEST_MAIN(test_bad_settings_fail_init, test_model_from_memory,
	  test_classify_settings)
