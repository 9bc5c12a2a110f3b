/* SPDX-License-Identifier: Apache-2.0 */
/*
 * vAccel's torch plugin against the native baseline (tools/torch-native):
 * the same image, preprocessed by the same code and run on the same thread
 * count, must give bit-identical output tensors, and
 * classify must answer the label of the native argmax.
 *
 * VACCEL_TEST_RESNET, when set, names a ResNet18 model to compare at
 * 224x224 as well; VACCEL_TEST_MAKE_MODELS (scripts/make-models.py) writes
 * it there first when it is missing.
 */
#include "child.h"
#include "preprocess.h"
#include "testing.h"
#include "torch_common.h"

#include <sys/wait.h>
#include <unistd.h>

/* Runs torch-native on `model` at `size`; its output lands in *out. */
static int run_native(const char *model, int size, char **out, size_t *len)
{
	const char *native = tt_env("VACCEL_TEST_TORCH_NATIVE");
	const char *image = tt_env("VACCEL_TEST_IMAGE");
	char dump[] = "/tmp/vaccel-torch-native-XXXXXX", sz[16];
	int fd, status;
	pid_t pid;

	if (!native || !image)
		return -1;
	fd = mkstemp(dump);
	if (fd < 0)
		return -1;
	close(fd);
	snprintf(sz, sizeof(sz), "%d", size);

	pid = test_fork();
	if (pid == 0) {
		/* Keep the child's report off the test's stdout. */
		if (!freopen("/dev/null", "w", stdout))
			_exit(127);
		execl(native, native, image, model, "1", "--size", sz, "--out",
		      dump, (char *)NULL);
		_exit(127);
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
	    WEXITSTATUS(status) != 0) {
		fprintf(stderr, "%s failed on %s\n", native, model);
		unlink(dump);
		return -1;
	}
	*out = tt_read(dump, len);
	unlink(dump);
	return *out ? 0 : -1;
}

/* The output of `model` on the test image through vAccel. */
static int run_vaccel(struct vaccel_session *sess,
		      struct vaccel_resource *model, int size,
		      struct vaccel_torch_tensor **out)
{
	const char *image = tt_env("VACCEL_TEST_IMAGE");
	struct vaccel_torch_tensor *in = NULL;
	int64_t dims[4] = { 1, 3, size, size };
	char *img, err[256];
	float *chw = NULL;
	size_t len = 0, n = 0;
	int ret = -1;

	img = image ? tt_read(image, &len) : NULL;
	if (!img)
		return -1;
	if (vtorch_preprocess(img, len, size, &chw, &n, err, sizeof(err))) {
		fprintf(stderr, "preprocess: %s\n", err);
		goto out;
	}
	if (vaccel_torch_tensor_new(&in, 4, dims, VACCEL_TORCH_FLOAT) ||
	    vaccel_torch_tensor_set_data(in, chw, n * sizeof(float)))
		goto out;
	ret = vaccel_torch_model_run(sess, model, NULL, &in, 1, out, 1);
out:
	vaccel_torch_tensor_delete(in);
	free(chw);
	free(img);
	return ret;
}

static void compare_model(const char *path, int size)
{
	struct vaccel_session sess = { 0 };
	struct vaccel_resource model = { 0 };
	struct vaccel_torch_tensor *out = NULL;
	char *native = NULL;
	size_t len = 0;

	REQUIRE(run_native(path, size, &native, &len) == 0);
	REQUIRE(tt_open(&sess, &model, path) == VACCEL_OK);
	CHECK_INT(run_vaccel(&sess, &model, size, &out), VACCEL_OK);
	if (out) {
		CHECK_INT(out->size, len);
		CHECK(out->size == len && memcmp(out->data, native, len) == 0);
	}
	vaccel_torch_tensor_delete(out);
	free(native);
	tt_close(&sess, &model);
}

static void test_tiny_cnn_bit_identical(void)
{
	char path[4096];

	REQUIRE(tt_data("tiny_cnn.pt", path, sizeof(path)));
	compare_model(path, 32);
}

/* Writes the ResNet18 model with scripts/make-models.py when it is not in
 * the cache yet (a few seconds, once). */
static void make_resnet(const char *path)
{
	const char *script = getenv("VACCEL_TEST_MAKE_MODELS");
	char cmd[8192], dir[4096];
	char *slash;

	if (!script || access(path, R_OK) == 0)
		return;
	snprintf(dir, sizeof(dir), "%s", path);
	slash = strrchr(dir, '/');
	if (!slash)
		return;
	*slash = '\0';
	snprintf(cmd, sizeof(cmd),
		 "/usr/bin/python3 '%s' --models resnet18 --out-dir '%s' >&2",
		 script, dir);
	if (system(cmd) != 0)
		fprintf(stderr, "%s failed\n", cmd);
}

static void test_resnet_bit_identical(void)
{
	const char *path = getenv("VACCEL_TEST_RESNET");

	if (path)
		make_resnet(path);
	if (!path || access(path, R_OK) != 0)
		SKIP("VACCEL_TEST_RESNET (%s) not readable",
		     path ? path : "unset");
	compare_model(path, 224);
}

/* Line `idx` of the labels file. */
static int label_line(long idx, char *out, size_t size)
{
	const char *labels = tt_env("VACCEL_TORCH_LABELS");
	FILE *f = labels ? fopen(labels, "r") : NULL;
	long i = 0;
	int ret = -1;

	if (!f)
		return -1;
	while (fgets(out, (int)size, f)) {
		if (i++ == idx) {
			out[strcspn(out, "\r\n")] = '\0';
			ret = 0;
			break;
		}
	}
	fclose(f);
	return ret;
}

static void test_classify_native_argmax(void)
{
	struct vaccel_session sess = { 0 };
	struct vaccel_resource model = { 0 };
	unsigned char text[256], name[64];
	char path[4096], want[256];
	const char *image = tt_env("VACCEL_TEST_IMAGE");
	char *native = NULL, *img;
	size_t len = 0, ilen = 0;
	long best = 0;

	REQUIRE(tt_data("tiny_cnn.pt", path, sizeof(path)));
	REQUIRE(image);
	/* The model declares input_size 32, so classify needs no setting. */
	REQUIRE(run_native(path, 32, &native, &len) == 0);
	REQUIRE(len == 10 * sizeof(float));
	for (long i = 1; i < 10; i++)
		if (((float *)native)[i] > ((float *)native)[best])
			best = i;
	free(native);
	REQUIRE(label_line(best, want, sizeof(want)) == 0);

	img = tt_read(image, &ilen);
	REQUIRE(img);
	REQUIRE(tt_open(&sess, &model, path) == VACCEL_OK);
	CHECK_INT(vaccel_image_classification(&sess, img, text, name, ilen,
					      sizeof(text), sizeof(name)),
		  VACCEL_OK);
	CHECK_STR((char *)text, want);

	/* Bytes that are no image. */
	CHECK_INT(vaccel_image_classification(&sess, "hello, not a jpeg", text,
					      name, 17, sizeof(text),
					      sizeof(name)),
		  VACCEL_EINVAL);
	/* A truncated JPEG. */
	CHECK_INT(vaccel_image_classification(&sess, img, text, name, 64,
					      sizeof(text), sizeof(name)),
		  VACCEL_EINVAL);
	free(img);
	tt_close(&sess, &model);
}

static void test_classify_without_model(void)
{
	struct vaccel_session sess = { 0 };
	unsigned char text[64], name[64];

	REQUIRE(vaccel_session_init(&sess, VACCEL_PLUGIN_TORCH) == VACCEL_OK);
	CHECK(vaccel_image_classification(&sess, "x", text, name, 1,
					  sizeof(text), sizeof(name)) !=
	      VACCEL_OK);
	vaccel_session_release(&sess);
}

TEST_MAIN(test_tiny_cnn_bit_identical, test_resnet_bit_identical,
	  test_classify_native_argmax, test_classify_without_model)
