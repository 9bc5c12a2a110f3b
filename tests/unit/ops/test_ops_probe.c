// SPDX-License-Identifier: Apache-2.0
/*
 * Ops against libvaccel-opsprobe.so, a plugin that fails on purpose after
 * allocating outputs (the core must free them and leave the caller's
 * array NULL) and whose genop hook reports the lists it received (they must
 * arrive unchanged, after the core's basic checks).
 */
#include "testing.h"
#include <stdint.h>
#include <vaccel.h>

struct probe_report {
	const void *read;
	const void *write;
	int nr_read;
	int nr_write;
};

static const char *test_file(void)
{
	const char *f = getenv("OPSTEST_FILE");

	return f ? f : "/etc/hostname";
}

static void test_failed_run_frees_outputs(void)
{
	struct vaccel_session sess = { 0 };
	struct vaccel_resource model = { 0 };
	struct vaccel_torch_tensor *outs[3] = { NULL, NULL, NULL };
	struct vaccel_torch_tensor *t = NULL, *out = NULL;
	struct vaccel_tf_tensor *tfouts[2] = { NULL, NULL };
	struct vaccel_tflite_tensor *tlouts[2] = { NULL, NULL };
	struct vaccel_tf_status st = { 0 };
	struct vaccel_tf_node node = { 0 };
	const int64_t dims[1] = { 4 };
	uint8_t lst = 0;

	REQUIRE(vaccel_session_init(&sess, 0) == VACCEL_OK);
	REQUIRE(vaccel_resource_init(&model, test_file(),
				     VACCEL_RESOURCE_MODEL) == VACCEL_OK);
	REQUIRE(vaccel_resource_register(&model, &sess) == VACCEL_OK);

	CHECK_INT(vaccel_torch_model_run(&sess, &model, NULL, NULL, 0, outs, 3),
		  VACCEL_EBACKEND);
	CHECK(!outs[0] && !outs[1] && !outs[2]);

	REQUIRE(vaccel_torch_tensor_allocate(&t, 1, dims, VACCEL_TORCH_FLOAT,
					     16) == VACCEL_OK);
	CHECK_INT(vaccel_torch_sgemm(&sess, &t, &t, &t, 1, 4, 1, &out),
		  VACCEL_EBACKEND);
	CHECK(out == NULL);
	vaccel_torch_tensor_delete(t);

	CHECK_INT(vaccel_tf_model_run(&sess, &model, NULL, NULL, NULL, 0,
				      &node, tfouts, 2, &st),
		  VACCEL_EBACKEND);
	CHECK(!tfouts[0] && !tfouts[1]);
	CHECK_INT(vaccel_tflite_model_run(&sess, &model, NULL, 0, tlouts, 2,
					  &lst),
		  VACCEL_EBACKEND);
	CHECK(!tlouts[0] && !tlouts[1]);

	/* Ops the probe does not implement, with no other plugin loaded. */
	CHECK_INT(vaccel_noop(&sess), VACCEL_ENOTSUP);
	CHECK_INT(vaccel_torch_model_load(&sess, &model), VACCEL_ENOTSUP);

	vaccel_resource_release(&model);
	vaccel_session_release(&sess);
}

static void test_genop_hook_gets_raw_lists(void)
{
	struct vaccel_session sess = { 0 };
	struct probe_report rep = { 0 };
	/* An op type no unpacker would accept: the hook must still see it. */
	uint8_t op = 200;
	struct vaccel_arg r[2] = { { .buf = &op, .size = 1,
				     .type = VACCEL_ARG_UINT8 },
				   { .buf = NULL, .size = 0 } };
	struct vaccel_arg w[1] = { { .buf = &rep, .size = sizeof(rep),
				     .type = VACCEL_ARG_RAW } };

	REQUIRE(vaccel_session_init(&sess, 0) == VACCEL_OK);
	CHECK_INT(vaccel_genop(&sess, r, 2, w, 1), VACCEL_OK);
	CHECK(rep.read == r);
	CHECK(rep.write == w);
	CHECK_INT(rep.nr_read, 2);
	CHECK_INT(rep.nr_write, 1);

	/* The core's checks still run before the hook. */
	memset(&rep, 0, sizeof(rep));
	CHECK_INT(vaccel_genop(&sess, r, 0, w, 1), VACCEL_EINVAL);
	r[1].size = 4;
	CHECK_INT(vaccel_genop(&sess, r, 2, w, 1), VACCEL_EINVAL);
	CHECK_INT(vaccel_genop(&sess, r, 1, NULL, 1), VACCEL_EINVAL);
	CHECK(rep.read == NULL);
	vaccel_session_release(&sess);
}

TEST_MAIN(test_failed_run_frees_outputs, test_genop_hook_gets_raw_lists)
