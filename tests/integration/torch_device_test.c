/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The torch plugin picks its device on the first op, not at load: loading
 * it starts no thread (the agent loads plugins in its supervisor and forks
 * workers from it, and CUDA or a thread pool started before a fork is lost
 * to the child), and a forced CUDA device that is not there fails the op
 * with VACCEL_ENODEV. Bootstrap is off so that this test loads the plugin
 * itself, with the environment it sets.
 */
#include "testing.h"
#include "torch_common.h"

#include "dir_entries.h"

static int thread_count(void)
{
	return test_dir_entries("/proc/self/task", "", NULL, 0);
}

static void test_load_starts_no_thread(void)
{
	const char *plugin = tt_env("VACCEL_TEST_TORCH_PLUGIN");
	int before;

	REQUIRE(plugin);
	REQUIRE(vaccel_bootstrap() == VACCEL_OK);
	before = thread_count();
	REQUIRE(before > 0);
	/* Forced CUDA: only syntax is checked at load, whatever the host. */
	setenv("VACCEL_TORCH_DEVICE", "cuda", 1);
	CHECK_INT(vaccel_plugin_load(plugin), VACCEL_OK);
	CHECK_INT(thread_count(), before);
}

static void test_forced_cuda_fails_first_op(void)
{
	const char *has_cuda = tt_env("VACCEL_TEST_TORCH_HAS_CUDA");
	struct vaccel_session sess = { 0 };
	struct vaccel_resource model = { 0 };
	char path[4096];

	if (has_cuda && strcmp(has_cuda, "1") == 0)
		SKIP("this libtorch has CUDA: a forced cuda device may be there");
	REQUIRE(tt_data("tiny_cnn.pt", path, sizeof(path)));
	REQUIRE(tt_open(&sess, &model, path) == VACCEL_OK);
	CHECK_INT(vaccel_torch_model_load(&sess, &model), VACCEL_ENODEV);
	/* The answer is kept: the next op fails the same way. */
	CHECK_INT(vaccel_torch_model_load(&sess, &model), VACCEL_ENODEV);
	tt_close(&sess, &model);
}

TEST_MAIN(test_load_starts_no_thread, test_forced_cuda_fails_first_op)
