// SPDX-License-Identifier: Apache-2.0
/*
 * Argument validation of every public op, run against the real noop plugin
 * (VACCEL_PLUGINS set by meson): bad sessions, NULL buffers, bad sizes and
 * resources are refused with the documented code before any plugin runs,
 * and valid calls reach the plugin and return its dummy results.
 */
#include "testing.h"
#include <stdint.h>
#include <vaccel.h>

static const char *test_file(void)
{
	const char *f = getenv("OPSTEST_FILE");

	return f ? f : "/etc/hostname";
}

static int sess_open(struct vaccel_session *sess)
{
	memset(sess, 0, sizeof(*sess));
	return vaccel_session_init(sess, 0);
}

/* Calls every op with `sess`, expecting `want` from each. */
static void check_all_ops(struct vaccel_session *sess, int want)
{
	unsigned char img[4] = { 1, 2, 3, 4 }, out[16];
	float fa[4] = { 0 }, fb[4] = { 0 }, fc[4] = { 0 }, fd[4] = { 0 };
	int ia[4] = { 0 }, ib[4] = { 0 };
	double din[2] = { 1, 2 }, dout[2], mn, mx;
	int32_t v = 1;
	struct vaccel_arg arg = { .buf = &v, .size = 4,
				  .type = VACCEL_ARG_INT32 };
	struct vaccel_resource res = { 0 };
	struct vaccel_tf_status st = { 0 };
	struct vaccel_torch_tensor *outs[1];
	struct vaccel_tf_tensor *tfouts[1];
	struct vaccel_tflite_tensor *tlouts[1];
	struct vaccel_tf_node node = { 0 };
	uint8_t tlst;

	CHECK_INT(vaccel_noop(sess), want);
	CHECK_INT(vaccel_exec(sess, "lib.so", "fn", &arg, 1, &arg, 1), want);
	CHECK_INT(vaccel_exec_with_resource(sess, &res, "fn", NULL, 0, NULL,
					    0),
		  want);
	CHECK_INT(vaccel_genop(sess, &arg, 1, NULL, 0), want);
	CHECK_INT(vaccel_image_classification(sess, img, out, out, 4, 16, 16),
		  want);
	CHECK_INT(vaccel_image_detection(sess, img, out, 4, 16), want);
	CHECK_INT(vaccel_image_segmentation(sess, img, out, 4, 16), want);
	CHECK_INT(vaccel_image_pose(sess, img, out, 4, 16), want);
	CHECK_INT(vaccel_image_depth(sess, img, out, 4, 16), want);
	CHECK_INT(vaccel_sgemm(sess, 2, 2, 2, 1, fa, 2, fb, 2, 0, fc, 2),
		  want);
	CHECK_INT(vaccel_minmax(sess, din, 2, 0, 5, dout, &mn, &mx), want);
	CHECK_INT(vaccel_fpga_arraycopy(sess, ia, ib, 4), want);
	CHECK_INT(vaccel_fpga_mmult(sess, fa, fb, fc, 4), want);
	CHECK_INT(vaccel_fpga_parallel(sess, fa, fb, fc, fd, 4), want);
	CHECK_INT(vaccel_fpga_vadd(sess, fa, fb, fc, 4, 4), want);
	CHECK_INT(vaccel_opencv_unpack(sess, &arg, 1, &arg, 1), want);
	CHECK_INT(vaccel_tf_model_load(sess, &res, &st), want);
	CHECK_INT(vaccel_tf_model_unload(sess, &res, &st), want);
	CHECK_INT(vaccel_tf_model_run(sess, &res, NULL, NULL, NULL, 0, &node,
				      tfouts, 1, &st),
		  want);
	CHECK_INT(vaccel_tflite_model_load(sess, &res), want);
	CHECK_INT(vaccel_tflite_model_unload(sess, &res), want);
	CHECK_INT(vaccel_tflite_model_run(sess, &res, NULL, 0, tlouts, 1,
					  &tlst),
		  want);
	CHECK_INT(vaccel_torch_model_load(sess, &res), want);
	CHECK_INT(vaccel_torch_model_run(sess, &res, NULL, NULL, 0, outs, 1),
		  want);
	CHECK_INT(vaccel_torch_jitload_forward(sess, &res, NULL, NULL, 0, outs,
					       1),
		  want);
}

static void test_null_session(void)
{
	check_all_ops(NULL, VACCEL_EINVAL);
}

static void test_uninitialized_session(void)
{
	struct vaccel_session sess;

	memset(&sess, 0, sizeof(sess));
	check_all_ops(&sess, VACCEL_EINVAL);
}

static void test_released_session(void)
{
	struct vaccel_session sess;

	REQUIRE(sess_open(&sess) == VACCEL_OK);
	REQUIRE(vaccel_session_release(&sess) == VACCEL_OK);
	check_all_ops(&sess, VACCEL_EINVAL);
}

static void test_noop(void)
{
	struct vaccel_session sess;

	REQUIRE(sess_open(&sess) == VACCEL_OK);
	CHECK_INT(vaccel_noop(&sess), VACCEL_OK);
	vaccel_session_release(&sess);
}

static void test_exec_args(void)
{
	struct vaccel_session sess;
	int32_t in = 7, out = 0;
	struct vaccel_arg r = { .buf = &in, .size = 4,
				.type = VACCEL_ARG_INT32 };
	struct vaccel_arg w = { .buf = &out, .size = 4,
				.type = VACCEL_ARG_INT32 };
	struct vaccel_arg nullbuf = { .buf = NULL, .size = 4 };

	REQUIRE(sess_open(&sess) == VACCEL_OK);
	CHECK_INT(vaccel_exec(&sess, NULL, "fn", &r, 1, &w, 1), VACCEL_EINVAL);
	CHECK_INT(vaccel_exec(&sess, "", "fn", &r, 1, &w, 1), VACCEL_EINVAL);
	CHECK_INT(vaccel_exec(&sess, "lib", NULL, &r, 1, &w, 1),
		  VACCEL_EINVAL);
	CHECK_INT(vaccel_exec(&sess, "lib", "", &r, 1, &w, 1), VACCEL_EINVAL);
	CHECK_INT(vaccel_exec(&sess, "lib", "fn", NULL, 1, &w, 1),
		  VACCEL_EINVAL);
	CHECK_INT(vaccel_exec(&sess, "lib", "fn", &r, 1, NULL, 1),
		  VACCEL_EINVAL);
	CHECK_INT(vaccel_exec(&sess, "lib", "fn", &nullbuf, 1, &w, 1),
		  VACCEL_EINVAL);
	CHECK_INT(vaccel_exec(&sess, "lib", "fn", &r, 1, &nullbuf, 1),
		  VACCEL_EINVAL);
	CHECK_INT(vaccel_exec(&sess, "lib", "fn", &r, SIZE_MAX, &w, 1),
		  VACCEL_EINVAL);
	CHECK_INT(out, 0);
	/* The noop plugin echoes read args into write args. */
	CHECK_INT(vaccel_exec(&sess, "lib", "fn", &r, 1, &w, 1), VACCEL_OK);
	CHECK_INT(out, 7);
	CHECK_INT(vaccel_exec(&sess, "lib", "fn", NULL, 0, NULL, 0),
		  VACCEL_OK);
	vaccel_session_release(&sess);
}

static void test_exec_with_resource_args(void)
{
	struct vaccel_session sess;
	struct vaccel_resource lib = { 0 }, model = { 0 };
	int32_t in = 5, out = 0;
	struct vaccel_arg r = { .buf = &in, .size = 4 };
	struct vaccel_arg w = { .buf = &out, .size = 4 };

	REQUIRE(sess_open(&sess) == VACCEL_OK);
	REQUIRE(vaccel_resource_init(&lib, test_file(), VACCEL_RESOURCE_LIB) ==
		VACCEL_OK);
	REQUIRE(vaccel_resource_init(&model, test_file(),
				     VACCEL_RESOURCE_MODEL) == VACCEL_OK);
	CHECK_INT(vaccel_exec_with_resource(&sess, NULL, "fn", &r, 1, &w, 1),
		  VACCEL_EINVAL);
	/* Not registered with the session. */
	CHECK_INT(vaccel_exec_with_resource(&sess, &lib, "fn", &r, 1, &w, 1),
		  VACCEL_EPERM);
	CHECK_INT(vaccel_resource_register(&lib, &sess), VACCEL_OK);
	CHECK_INT(vaccel_resource_register(&model, &sess), VACCEL_OK);
	/* Registered but of the wrong type. */
	CHECK_INT(vaccel_exec_with_resource(&sess, &model, "fn", &r, 1, &w, 1),
		  VACCEL_EINVAL);
	CHECK_INT(vaccel_exec_with_resource(&sess, &lib, NULL, &r, 1, &w, 1),
		  VACCEL_EINVAL);
	CHECK_INT(vaccel_exec_with_resource(&sess, &lib, "fn", NULL, 1, &w, 1),
		  VACCEL_EINVAL);
	CHECK_INT(out, 0);
	CHECK_INT(vaccel_exec_with_resource(&sess, &lib, "fn", &r, 1, &w, 1),
		  VACCEL_OK);
	CHECK_INT(out, 5);
	vaccel_resource_release(&lib);
	vaccel_resource_release(&model);
	vaccel_session_release(&sess);
}

static void test_image_args(void)
{
	struct vaccel_session sess;
	unsigned char img[8] = { 0 }, text[64], name[64], small[8];

	REQUIRE(sess_open(&sess) == VACCEL_OK);
	CHECK_INT(vaccel_image_classification(&sess, NULL, text, name, 8, 64,
					      64),
		  VACCEL_EINVAL);
	CHECK_INT(vaccel_image_classification(&sess, img, text, name, 0, 64,
					      64),
		  VACCEL_EINVAL);
	CHECK_INT(vaccel_image_classification(&sess, img, NULL, name, 8, 64,
					      64),
		  VACCEL_EINVAL);
	CHECK_INT(vaccel_image_classification(&sess, img, text, NULL, 8, 64,
					      64),
		  VACCEL_EINVAL);
	CHECK_INT(vaccel_image_classification(&sess, img, text, name, 8, 0,
					      64),
		  VACCEL_EINVAL);
	CHECK_INT(vaccel_image_classification(&sess, img, text, name, 8, 64,
					      0),
		  VACCEL_EINVAL);
	CHECK_INT(vaccel_image_detection(&sess, NULL, name, 8, 64),
		  VACCEL_EINVAL);
	CHECK_INT(vaccel_image_segmentation(&sess, img, name, 0, 64),
		  VACCEL_EINVAL);
	CHECK_INT(vaccel_image_pose(&sess, img, NULL, 8, 64), VACCEL_EINVAL);
	CHECK_INT(vaccel_image_depth(&sess, img, name, 8, 0), VACCEL_EINVAL);

	CHECK_INT(vaccel_image_classification(&sess, img, text, name, 8, 64,
					      64),
		  VACCEL_OK);
	CHECK_STR((char *)text, "This is a dummy classification tag!");
	CHECK_STR((char *)name, "This is a dummy imgname!");
	/* Outputs are truncated to the buffers and stay NUL-terminated. */
	CHECK_INT(vaccel_image_classification(&sess, img, small, name, 8,
					      sizeof(small), 64),
		  VACCEL_OK);
	CHECK_STR((char *)small, "This is");
	CHECK_INT(vaccel_image_depth(&sess, img, small, 8, 4), VACCEL_OK);
	CHECK_STR((char *)small, "Thi");
	vaccel_session_release(&sess);
}

static void test_sgemm_args(void)
{
	struct vaccel_session sess;
	float a[6] = { 1, 2, 3, 4, 5, 6 }, b[6] = { 1, 1, 1, 1, 1, 1 };
	float c[4] = { 9, 9, 9, 9 };
	const int64_t big = INT64_MAX / 2;

	REQUIRE(sess_open(&sess) == VACCEL_OK);
	CHECK_INT(vaccel_sgemm(&sess, 0, 2, 3, 1, a, 3, b, 2, 0, c, 2),
		  VACCEL_EINVAL);
	CHECK_INT(vaccel_sgemm(&sess, 2, -1, 3, 1, a, 3, b, 2, 0, c, 2),
		  VACCEL_EINVAL);
	CHECK_INT(vaccel_sgemm(&sess, 2, 2, 0, 1, a, 3, b, 2, 0, c, 2),
		  VACCEL_EINVAL);
	CHECK_INT(vaccel_sgemm(&sess, 2, 2, 3, 1, a, 2, b, 2, 0, c, 2),
		  VACCEL_EINVAL);
	CHECK_INT(vaccel_sgemm(&sess, 2, 2, 3, 1, a, 3, b, 1, 0, c, 2),
		  VACCEL_EINVAL);
	CHECK_INT(vaccel_sgemm(&sess, 2, 2, 3, 1, a, 3, b, 2, 0, c, 1),
		  VACCEL_EINVAL);
	CHECK_INT(vaccel_sgemm(&sess, 2, 2, 3, 1, NULL, 3, b, 2, 0, c, 2),
		  VACCEL_EINVAL);
	CHECK_INT(vaccel_sgemm(&sess, 2, 2, 3, 1, a, 3, NULL, 2, 0, c, 2),
		  VACCEL_EINVAL);
	CHECK_INT(vaccel_sgemm(&sess, 2, 2, 3, 1, a, 3, b, 2, 0, NULL, 2),
		  VACCEL_EINVAL);
	/* Element counts that overflow size_t must be refused. */
	CHECK_INT(vaccel_sgemm(&sess, big, 2, 3, 1, a, big, b, 2, 0, c, 2),
		  VACCEL_EINVAL);
	CHECK_INT(vaccel_sgemm(&sess, 2, 2, big, 1, a, big, b, 2, 0, c, 2),
		  VACCEL_EINVAL);
	/* 2^62 floats are more bytes than size_t holds. */
	CHECK_INT(vaccel_sgemm(&sess, (int64_t)1 << 62, 1, 1, 1, a, 1, b, 1,
			       0, c, 1),
		  VACCEL_EINVAL);
	CHECK(c[0] == 9);
	/* noop's sgemm, like upstream's, leaves C as it is. */
	CHECK_INT(vaccel_sgemm(&sess, 2, 2, 3, 1, a, 3, b, 2, 0, c, 2),
		  VACCEL_OK);
	CHECK(c[0] == 9 && c[3] == 9);
	vaccel_session_release(&sess);
}

static void test_minmax_args(void)
{
	struct vaccel_session sess;
	double in[5] = { 3, -2, 50, 7, 1 }, out[5], mn = 0, mx = 0;

	REQUIRE(sess_open(&sess) == VACCEL_OK);
	CHECK_INT(vaccel_minmax(&sess, NULL, 5, 0, 10, out, &mn, &mx),
		  VACCEL_EINVAL);
	CHECK_INT(vaccel_minmax(&sess, in, 5, 0, 10, NULL, &mn, &mx),
		  VACCEL_EINVAL);
	CHECK_INT(vaccel_minmax(&sess, in, 5, 0, 10, out, NULL, &mx),
		  VACCEL_EINVAL);
	CHECK_INT(vaccel_minmax(&sess, in, 5, 0, 10, out, &mn, NULL),
		  VACCEL_EINVAL);
	CHECK_INT(vaccel_minmax(&sess, in, 0, 0, 10, out, &mn, &mx),
		  VACCEL_EINVAL);
	CHECK_INT(vaccel_minmax(&sess, in, -3, 0, 10, out, &mn, &mx),
		  VACCEL_EINVAL);
	CHECK_INT(vaccel_minmax(&sess, in, 5, 10, 0, out, &mn, &mx),
		  VACCEL_EINVAL);
	CHECK_INT(vaccel_minmax(&sess, in, 5, 0, 10, out, &mn, &mx),
		  VACCEL_OK);
	/* noop's (upstream's) minmax: out = in, min -1, max 10000. */
	CHECK(mn == -1 && mx == 10000);
	CHECK(out[1] == -2 && out[2] == 50 && out[3] == 7);
	vaccel_session_release(&sess);
}

static void test_fpga_args(void)
{
	struct vaccel_session sess;
	int ia[3] = { 1, 2, 3 }, ib[3] = { 0 };
	float a[3] = { 1, 2, 3 }, b[3] = { 4, 5, 6 }, c[3], d[3];

	REQUIRE(sess_open(&sess) == VACCEL_OK);
	CHECK_INT(vaccel_fpga_arraycopy(&sess, NULL, ib, 3), VACCEL_EINVAL);
	CHECK_INT(vaccel_fpga_arraycopy(&sess, ia, NULL, 3), VACCEL_EINVAL);
	CHECK_INT(vaccel_fpga_arraycopy(&sess, ia, ib, 0), VACCEL_EINVAL);
	CHECK_INT(vaccel_fpga_mmult(&sess, a, NULL, c, 3), VACCEL_EINVAL);
	CHECK_INT(vaccel_fpga_mmult(&sess, a, b, c, 0), VACCEL_EINVAL);
	CHECK_INT(vaccel_fpga_parallel(&sess, a, b, c, NULL, 3),
		  VACCEL_EINVAL);
	CHECK_INT(vaccel_fpga_parallel(&sess, a, b, c, d, SIZE_MAX),
		  VACCEL_EINVAL);
	CHECK_INT(vaccel_fpga_vadd(&sess, a, b, NULL, 3, 3), VACCEL_EINVAL);
	CHECK_INT(vaccel_fpga_vadd(&sess, a, b, c, 3, 0), VACCEL_EINVAL);

	CHECK_INT(vaccel_fpga_arraycopy(&sess, ia, ib, 3), VACCEL_OK);
	CHECK(ib[0] == 1 && ib[2] == 3);
	CHECK_INT(vaccel_fpga_parallel(&sess, a, b, c, d, 3), VACCEL_OK);
	CHECK(c[2] == 9 && d[2] == 1);
	CHECK_INT(vaccel_fpga_vadd(&sess, a, b, c, 3, 2), VACCEL_OK);
	CHECK(c[0] == 5 && c[1] == 7 && c[2] == 3);
	CHECK_INT(vaccel_fpga_mmult(&sess, a, b, c, 3), VACCEL_OK);
	CHECK(c[0] == 9.1f && c[2] == 9.1f);
	vaccel_session_release(&sess);
}

static void test_opencv_args(void)
{
	struct vaccel_session sess;
	char in[4] = "abc", out[4] = { 0 };
	struct vaccel_arg r = { .buf = in, .size = 4 };
	struct vaccel_arg w = { .buf = out, .size = 4 };
	struct vaccel_arg bad = { .buf = NULL, .size = 1 };

	REQUIRE(sess_open(&sess) == VACCEL_OK);
	CHECK_INT(vaccel_opencv_unpack(&sess, &r, -1, &w, 1), VACCEL_EINVAL);
	CHECK_INT(vaccel_opencv_unpack(&sess, &r, 1, &w, -1), VACCEL_EINVAL);
	CHECK_INT(vaccel_opencv_unpack(&sess, NULL, 1, &w, 1), VACCEL_EINVAL);
	CHECK_INT(vaccel_opencv_unpack(&sess, &r, 1, NULL, 1), VACCEL_EINVAL);
	CHECK_INT(vaccel_opencv_unpack(&sess, &bad, 1, &w, 1), VACCEL_EINVAL);
	CHECK_INT(vaccel_opencv_unpack(&sess, &r, 1, &w, 1), VACCEL_OK);
	CHECK_STR(out, "abc");
	vaccel_session_release(&sess);
}

static void test_torch_args(void)
{
	struct vaccel_session sess;
	struct vaccel_resource model = { 0 }, lib = { 0 }, other = { 0 };
	struct vaccel_torch_tensor *in = NULL, *outs[2] = { NULL, NULL };
	struct vaccel_torch_tensor bad = { 0 }, *badp = &bad;
	struct vaccel_torch_tensor *ta = NULL, *tout = NULL;
	const int64_t dims[2] = { 1, 4 };
	float *data;

	REQUIRE(sess_open(&sess) == VACCEL_OK);
	REQUIRE(vaccel_resource_init(&model, test_file(),
				     VACCEL_RESOURCE_MODEL) == VACCEL_OK);
	REQUIRE(vaccel_resource_init(&other, test_file(),
				     VACCEL_RESOURCE_MODEL) == VACCEL_OK);
	REQUIRE(vaccel_resource_init(&lib, test_file(), VACCEL_RESOURCE_LIB) ==
		VACCEL_OK);
	REQUIRE(vaccel_resource_register(&model, &sess) == VACCEL_OK);
	REQUIRE(vaccel_resource_register(&lib, &sess) == VACCEL_OK);
	REQUIRE(vaccel_torch_tensor_allocate(&in, 2, dims, VACCEL_TORCH_FLOAT,
					     16) == VACCEL_OK);

	CHECK_INT(vaccel_torch_model_load(&sess, NULL), VACCEL_EINVAL);
	CHECK_INT(vaccel_torch_model_load(&sess, &lib), VACCEL_EINVAL);
	CHECK_INT(vaccel_torch_model_load(&sess, &other), VACCEL_EPERM);
	CHECK_INT(vaccel_torch_model_load(&sess, &model), VACCEL_OK);

	CHECK_INT(vaccel_torch_model_run(&sess, &other, NULL, &in, 1, outs, 1),
		  VACCEL_EPERM);
	CHECK_INT(vaccel_torch_model_run(&sess, &model, NULL, &in, 1, NULL, 1),
		  VACCEL_EINVAL);
	CHECK_INT(vaccel_torch_model_run(&sess, &model, NULL, &in, 1, outs, 0),
		  VACCEL_EINVAL);
	CHECK_INT(vaccel_torch_model_run(&sess, &model, NULL, NULL, 1, outs,
					 1),
		  VACCEL_EINVAL);
	CHECK_INT(vaccel_torch_model_run(&sess, &model, NULL, &in, -1, outs,
					 1),
		  VACCEL_EINVAL);
	/* A tensor whose size disagrees with its dims. */
	bad.nr_dims = 2;
	bad.dims = (int64_t *)dims;
	bad.data_type = VACCEL_TORCH_FLOAT;
	bad.data = in->data;
	bad.size = 12;
	CHECK_INT(vaccel_torch_model_run(&sess, &model, NULL, &badp, 1, outs,
					 1),
		  VACCEL_EINVAL);
	CHECK(outs[0] == NULL);

	/* noop echoes its inputs (as upstream's does), so it has no second
	 * output to give. */
	CHECK_INT(vaccel_torch_model_run(&sess, &model, NULL, &in, 1, outs, 2),
		  VACCEL_EINVAL);
	CHECK(outs[0] == NULL && outs[1] == NULL);
	data = in->data;
	for (int i = 0; i < 4; i++)
		data[i] = 0.5f * (float)i;
	CHECK_INT(vaccel_torch_model_run(&sess, &model, NULL, &in, 1, outs, 1),
		  VACCEL_OK);
	REQUIRE(outs[0]);
	CHECK(outs[0] != in && outs[0]->data != in->data);
	CHECK_INT(outs[0]->data_type, VACCEL_TORCH_FLOAT);
	CHECK_INT(outs[0]->nr_dims, 2);
	CHECK_INT(outs[0]->dims[1], 4);
	CHECK_INT(outs[0]->size, 16);
	data = outs[0]->data;
	CHECK(data[0] == 0.0f && data[3] == 1.5f);
	vaccel_torch_tensor_delete(outs[0]);

	CHECK_INT(vaccel_torch_jitload_forward(&sess, &model, NULL, &in, 1,
					       outs, 1),
		  VACCEL_OK);
	vaccel_torch_tensor_delete(outs[0]);

	ta = in;
	CHECK_INT(vaccel_torch_sgemm(&sess, &ta, &ta, NULL, 1, 4, 1, &tout),
		  VACCEL_EINVAL);
	CHECK_INT(vaccel_torch_sgemm(&sess, &ta, &ta, &ta, 0, 4, 1, &tout),
		  VACCEL_EINVAL);
	CHECK_INT(vaccel_torch_sgemm(&sess, &ta, &ta, &badp, 1, 4, 1, &tout),
		  VACCEL_EINVAL);
	CHECK_INT(vaccel_torch_sgemm(&sess, &ta, &ta, &ta, 1, 4, 1, NULL),
		  VACCEL_EINVAL);
	CHECK_INT(vaccel_torch_sgemm(&sess, &ta, &ta, &ta, 1, 4, 1, &tout),
		  VACCEL_OK);
	REQUIRE(tout);
	CHECK_INT(tout->size, 16);
	vaccel_torch_tensor_delete(tout);

	vaccel_torch_tensor_delete(in);
	vaccel_resource_release(&model);
	vaccel_resource_release(&other);
	vaccel_resource_release(&lib);
	vaccel_session_release(&sess);
}

static void test_tf_args(void)
{
	struct vaccel_session sess;
	struct vaccel_resource model = { 0 };
	struct vaccel_tf_status st = { 0 };
	struct vaccel_tf_node node = { 0 };
	struct vaccel_tf_tensor *outs[2] = { NULL, NULL }, *tin = NULL;
	struct vaccel_tflite_tensor *louts[1] = { NULL }, *lin = NULL;
	const int64_t tdims[1] = { 3 };
	const int32_t ldims[2] = { 1, 2 };
	uint8_t lst = 7;

	REQUIRE(sess_open(&sess) == VACCEL_OK);
	REQUIRE(vaccel_resource_init(&model, test_file(),
				     VACCEL_RESOURCE_MODEL) == VACCEL_OK);
	CHECK_INT(vaccel_tf_model_load(&sess, &model, &st), VACCEL_EPERM);
	CHECK_INT(vaccel_tflite_model_load(&sess, &model), VACCEL_EPERM);
	REQUIRE(vaccel_resource_register(&model, &sess) == VACCEL_OK);

	CHECK_INT(vaccel_tf_model_load(&sess, &model, NULL), VACCEL_EINVAL);
	CHECK_INT(vaccel_tf_model_load(&sess, &model, &st), VACCEL_OK);
	vaccel_tf_status_release(&st);
	CHECK_INT(vaccel_tf_model_run(&sess, &model, NULL, NULL, NULL, 1,
				      &node, outs, 1, &st),
		  VACCEL_EINVAL);
	CHECK_INT(vaccel_tf_model_run(&sess, &model, NULL, NULL, NULL, 0,
				      &node, outs, 0, &st),
		  VACCEL_EINVAL);
	CHECK_INT(vaccel_tf_model_run(&sess, &model, NULL, NULL, NULL, 0,
				      NULL, outs, 1, &st),
		  VACCEL_EINVAL);
	/* Outputs echo inputs: none to echo, no output. */
	CHECK_INT(vaccel_tf_model_run(&sess, &model, NULL, NULL, NULL, 0,
				      &node, outs, 2, &st),
		  VACCEL_EINVAL);
	REQUIRE(vaccel_tf_tensor_allocate(&tin, 1, tdims, VACCEL_TF_INT32,
					  12) == VACCEL_OK);
	((int32_t *)tin->data)[2] = 42;
	CHECK_INT(vaccel_tf_model_run(&sess, &model, NULL, &node, &tin, 1,
				      &node, outs, 1, &st),
		  VACCEL_OK);
	REQUIRE(outs[0]);
	CHECK_INT(outs[0]->data_type, VACCEL_TF_INT32);
	CHECK_INT(outs[0]->nr_dims, 1);
	CHECK_INT(outs[0]->dims[0], 3);
	CHECK_INT(outs[0]->size, 12);
	CHECK_INT(((int32_t *)outs[0]->data)[2], 42);
	CHECK_STR(st.message, "Operation handled by noop plugin");
	vaccel_tf_tensor_delete(outs[0]);
	vaccel_tf_tensor_delete(tin);
	vaccel_tf_status_release(&st);
	CHECK_INT(vaccel_tf_model_unload(&sess, &model, &st), VACCEL_OK);
	vaccel_tf_status_release(&st);

	CHECK_INT(vaccel_tflite_model_run(&sess, &model, NULL, 0, louts, 1,
					  NULL),
		  VACCEL_EINVAL);
	CHECK_INT(vaccel_tflite_model_run(&sess, &model, NULL, 0, NULL, 1,
					  &lst),
		  VACCEL_EINVAL);
	CHECK_INT(vaccel_tflite_model_run(&sess, &model, NULL, 0, louts, 1,
					  &lst),
		  VACCEL_EINVAL);
	REQUIRE(vaccel_tflite_tensor_allocate(&lin, 2, ldims,
					      VACCEL_TFLITE_FLOAT32,
					      8) == VACCEL_OK);
	((float *)lin->data)[1] = 2.5f;
	CHECK_INT(vaccel_tflite_model_run(&sess, &model, &lin, 1, louts, 1,
					  &lst),
		  VACCEL_OK);
	CHECK_INT(lst, 0);
	REQUIRE(louts[0]);
	CHECK_INT(louts[0]->nr_dims, 2);
	CHECK_INT(louts[0]->dims[1], 2);
	CHECK_INT(louts[0]->size, 8);
	CHECK(((float *)louts[0]->data)[1] == 2.5f);
	vaccel_tflite_tensor_delete(louts[0]);
	vaccel_tflite_tensor_delete(lin);
	CHECK_INT(vaccel_tflite_model_unload(&sess, &model), VACCEL_OK);

	vaccel_resource_release(&model);
	vaccel_session_release(&sess);
}

TEST_MAIN(test_null_session, test_uninitialized_session,
	  test_released_session, test_noop, test_exec_args,
	  test_exec_with_resource_args, test_image_args, test_sgemm_args,
	  test_minmax_args, test_fpga_args, test_opencv_args, test_torch_args,
	  test_tf_args)
