/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The torch plugin through the public API: several inputs and outputs,
 * every dtype, concurrent runs, bad input, unloading on unregister and the
 * sgemm ops. Runs the real libvaccel-torch.so on the tiny models in
 * tests/data.
 */
#include "testing.h"
#include "torch_common.h"

#include <pthread.h>
#include <stdint.h>
#include <fcntl.h>
#include <unistd.h>

static struct vaccel_torch_tensor *tensor(int64_t nr_dims,
					  const int64_t *dims,
					  enum vaccel_torch_data_type type,
					  void *data, size_t size)
{
	struct vaccel_torch_tensor *t = NULL;

	if (vaccel_torch_tensor_new(&t, nr_dims, dims, type))
		return NULL;
	if (vaccel_torch_tensor_set_data(t, data, size)) {
		vaccel_torch_tensor_delete(t);
		return NULL;
	}
	return t;
}

static void test_two_inputs_two_outputs(void)
{
	struct vaccel_session sess = { 0 };
	struct vaccel_resource model = { 0 };
	struct vaccel_torch_tensor *in[2], *out[3] = { NULL, NULL, NULL };
	float a[6] = { 1, 2, 3, 4, 5, 6 }, b[6] = { 2, 2, 2, -1, -1, 0.5f };
	int64_t dims[2] = { 2, 3 };
	char path[4096];

	REQUIRE(tt_data("two_io.pt", path, sizeof(path)));
	REQUIRE(tt_open(&sess, &model, path) == VACCEL_OK);
	in[0] = tensor(2, dims, VACCEL_TORCH_FLOAT, a, sizeof(a));
	in[1] = tensor(2, dims, VACCEL_TORCH_FLOAT, b, sizeof(b));
	REQUIRE(in[0] && in[1]);

	CHECK_INT(vaccel_torch_model_load(&sess, &model), VACCEL_OK);
	CHECK_INT(vaccel_torch_model_run(&sess, &model, NULL, in, 2, out, 2),
		  VACCEL_OK);
	if (out[0] && out[1]) {
		const float *sum = out[0]->data, *prod = out[1]->data;

		CHECK_INT(out[0]->nr_dims, 2);
		CHECK_INT(out[0]->dims[0], 2);
		CHECK_INT(out[0]->dims[1], 3);
		CHECK_INT(out[1]->data_type, VACCEL_TORCH_FLOAT);
		CHECK_INT(out[1]->size, sizeof(a));
		for (int i = 0; i < 6; i++) {
			CHECK(sum[i] == a[i] + b[i]);
			CHECK(prod[i] == a[i] * b[i]);
		}
	} else {
		CHECK(!"no outputs");
	}
	vaccel_torch_tensor_delete(out[0]);
	vaccel_torch_tensor_delete(out[1]);
	out[0] = out[1] = NULL;

	/* Asking for fewer outputs than the model makes is fine, more is not
	 * and leaves nothing behind. */
	CHECK_INT(vaccel_torch_model_run(&sess, &model, NULL, in, 2, out, 1),
		  VACCEL_OK);
	CHECK(out[0] && ((float *)out[0]->data)[5] == 6.5f);
	vaccel_torch_tensor_delete(out[0]);
	out[0] = NULL;
	CHECK_INT(vaccel_torch_model_run(&sess, &model, NULL, in, 2, out, 3),
		  VACCEL_EINVAL);
	CHECK(!out[0] && !out[1] && !out[2]);

	/* One input for a two-input model: libtorch refuses. */
	CHECK_INT(vaccel_torch_model_run(&sess, &model, NULL, in, 1, out, 1),
		  VACCEL_EBACKEND);
	CHECK(!out[0]);

	vaccel_torch_tensor_delete(in[0]);
	vaccel_torch_tensor_delete(in[1]);
	tt_close(&sess, &model);
}

static void test_every_dtype(void)
{
	struct vaccel_session sess = { 0 };
	struct vaccel_resource model = { 0 };
	struct vaccel_torch_tensor *in[9] = { 0 }, *out[9] = { 0 };
	uint8_t u8[2] = { 255, 7 };
	int8_t i8[2] = { 127, -5 };
	int16_t i16[2] = { -300, 32000 };
	int32_t i32[2] = { -70000, 1 << 30 };
	int64_t i64[2] = { -1, (int64_t)1 << 40 };
	uint16_t f16[2] = { 0x3e00, 0xbc00 }; /* 1.5, -1.0 */
	float f32[2] = { 1.25f, -3.5f };
	double f64[2] = { 1e100, -0.125 };
	uint8_t b[2] = { 1, 0 };
	void *data[9] = { u8, i8, i16, i32, i64, f16, f32, f64, b };
	size_t esize[9] = { 1, 1, 2, 4, 8, 2, 4, 8, 1 };
	enum vaccel_torch_data_type types[9] = {
		VACCEL_TORCH_BYTE, VACCEL_TORCH_CHAR, VACCEL_TORCH_SHORT,
		VACCEL_TORCH_INT, VACCEL_TORCH_LONG, VACCEL_TORCH_HALF,
		VACCEL_TORCH_FLOAT, VACCEL_TORCH_DOUBLE, VACCEL_TORCH_BOOL,
	};
	int64_t dims[1] = { 2 };
	char path[4096];

	REQUIRE(tt_data("dtypes.pt", path, sizeof(path)));
	REQUIRE(tt_open(&sess, &model, path) == VACCEL_OK);
	for (int i = 0; i < 9; i++) {
		in[i] = tensor(1, dims, types[i], data[i], 2 * esize[i]);
		REQUIRE(in[i]);
	}

	CHECK_INT(vaccel_torch_model_run(&sess, &model, NULL, in, 9, out, 9),
		  VACCEL_OK);
	for (int i = 0; i < 9; i++) {
		REQUIRE(out[i]);
		CHECK_INT(out[i]->data_type, types[i]);
		CHECK_INT(out[i]->size, 2 * esize[i]);
		CHECK_INT(out[i]->nr_dims, 1);
	}
	CHECK_INT(((uint8_t *)out[0]->data)[0], 0);
	CHECK_INT(((uint8_t *)out[0]->data)[1], 8);
	CHECK_INT(((int8_t *)out[1]->data)[0], -128);
	CHECK_INT(((int16_t *)out[2]->data)[1], 32001);
	CHECK_INT(((int32_t *)out[3]->data)[0], -69999);
	CHECK_INT(((int64_t *)out[4]->data)[1], ((int64_t)1 << 40) + 1);
	CHECK_INT(((uint16_t *)out[5]->data)[0], 0x4200); /* 3.0 */
	CHECK_INT(((uint16_t *)out[5]->data)[1], 0xc000); /* -2.0 */
	CHECK(((float *)out[6]->data)[1] == -7.0f);
	CHECK(((double *)out[7]->data)[0] == 2e100);
	CHECK_INT(((uint8_t *)out[8]->data)[0], 0);
	CHECK_INT(((uint8_t *)out[8]->data)[1], 1);

	for (int i = 0; i < 9; i++) {
		vaccel_torch_tensor_delete(out[i]);
		vaccel_torch_tensor_delete(in[i]);
	}
	tt_close(&sess, &model);
}

/* The tiny CNN's input: a fixed pattern, not an image. */
static void cnn_input(float *x, size_t n, int seed)
{
	for (size_t i = 0; i < n; i++)
		x[i] = (float)((int)((i * 7919 + (size_t)seed * 104729) % 255) -
			       127) / 64.0f;
}

struct run_job {
	struct vaccel_session *sess;
	struct vaccel_resource *model;
	const float *expect[2];
	int failures;
};

static void *run_worker(void *arg)
{
	struct run_job *job = arg;
	float x[2][3 * 32 * 32];
	int64_t dims[4] = { 1, 3, 32, 32 };

	cnn_input(x[0], 3 * 32 * 32, 1);
	cnn_input(x[1], 3 * 32 * 32, 2);
	for (int it = 0; it < 25; it++) {
		int w = it % 2;
		struct vaccel_torch_tensor *in, *out = NULL;

		in = tensor(4, dims, VACCEL_TORCH_FLOAT, x[w], sizeof(x[w]));
		if (!in || vaccel_torch_model_run(job->sess, job->model, NULL,
						  &in, 1, &out, 1) ||
		    !out || out->size != 10 * sizeof(float) ||
		    memcmp(out->data, job->expect[w], out->size) != 0)
			job->failures++;
		vaccel_torch_tensor_delete(out);
		vaccel_torch_tensor_delete(in);
	}
	return NULL;
}

static void test_concurrent_runs(void)
{
	struct vaccel_session sess = { 0 };
	struct vaccel_resource model = { 0 };
	struct vaccel_torch_tensor *in = NULL, *ref[2] = { NULL, NULL };
	static float x[3 * 32 * 32];
	int64_t dims[4] = { 1, 3, 32, 32 };
	struct run_job jobs[4];
	pthread_t th[4];
	char path[4096];

	REQUIRE(tt_data("tiny_cnn.pt", path, sizeof(path)));
	REQUIRE(tt_open(&sess, &model, path) == VACCEL_OK);

	/* Reference outputs from single-threaded runs. */
	for (int w = 0; w < 2; w++) {
		cnn_input(x, 3 * 32 * 32, w + 1);
		in = tensor(4, dims, VACCEL_TORCH_FLOAT, x, sizeof(x));
		REQUIRE(in);
		CHECK_INT(vaccel_torch_model_run(&sess, &model, NULL, &in, 1,
						 &ref[w], 1),
			  VACCEL_OK);
		vaccel_torch_tensor_delete(in);
		REQUIRE(ref[w]);
	}
	/* Two different inputs give different scores, so a mixed-up result
	 * would be caught. */
	CHECK(memcmp(ref[0]->data, ref[1]->data, ref[0]->size) != 0);

	/* The model is not loaded yet when the threads start: they race to
	 * load it too. */
	vaccel_resource_unregister(&model, &sess);
	CHECK_INT(vaccel_resource_register(&model, &sess), VACCEL_OK);
	for (int i = 0; i < 4; i++) {
		jobs[i] = (struct run_job){ &sess, &model,
					    { ref[0]->data, ref[1]->data }, 0 };
		CHECK_INT(pthread_create(&th[i], NULL, run_worker, &jobs[i]), 0);
	}
	for (int i = 0; i < 4; i++) {
		pthread_join(th[i], NULL);
		CHECK_INT(jobs[i].failures, 0);
	}

	vaccel_torch_tensor_delete(ref[0]);
	vaccel_torch_tensor_delete(ref[1]);
	tt_close(&sess, &model);
}

static void test_bad_input(void)
{
	struct vaccel_session sess = { 0 };
	struct vaccel_resource model = { 0 }, data = { 0 }, bad = { 0 };
	struct vaccel_torch_tensor *in, *out = NULL;
	static float x[3 * 32 * 32];
	int32_t xi[3 * 32 * 32] = { 0 };
	int64_t dims4[4] = { 1, 3, 32, 32 }, dims3[3] = { 3, 32, 32 };
	int64_t dims_wrong[4] = { 1, 3, 16, 16 };
	char path[4096], junk[] = "/tmp/vaccel-torch-junk-XXXXXX";
	int fd;

	REQUIRE(tt_data("tiny_cnn.pt", path, sizeof(path)));
	REQUIRE(tt_open(&sess, &model, path) == VACCEL_OK);

	/* A corrupt model file. */
	fd = mkstemp(junk);
	REQUIRE(fd >= 0);
	CHECK(write(fd, "not a torchscript zip", 21) == 21);
	close(fd);
	CHECK_INT(vaccel_resource_init(&bad, junk, VACCEL_RESOURCE_MODEL),
		  VACCEL_OK);
	CHECK_INT(vaccel_resource_register(&bad, &sess), VACCEL_OK);
	CHECK_INT(vaccel_torch_model_load(&sess, &bad), VACCEL_EBACKEND);
	in = tensor(4, dims4, VACCEL_TORCH_FLOAT, x, sizeof(x));
	REQUIRE(in);
	CHECK_INT(vaccel_torch_model_run(&sess, &bad, NULL, &in, 1, &out, 1),
		  VACCEL_EBACKEND);
	CHECK(!out);
	vaccel_resource_release(&bad);

	/* The model file vanished after the resource was made. */
	fd = open(junk, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	close(fd);
	CHECK_INT(vaccel_resource_init(&bad, junk, VACCEL_RESOURCE_MODEL),
		  VACCEL_OK);
	unlink(junk);
	CHECK_INT(vaccel_resource_register(&bad, &sess), VACCEL_OK);
	CHECK_INT(vaccel_torch_model_load(&sess, &bad), VACCEL_EBACKEND);
	vaccel_resource_release(&bad);

	/* A DATA resource is not a model. */
	CHECK_INT(vaccel_resource_init(&data, path, VACCEL_RESOURCE_DATA),
		  VACCEL_OK);
	CHECK_INT(vaccel_resource_register(&data, &sess), VACCEL_OK);
	CHECK_INT(vaccel_torch_model_load(&sess, &data), VACCEL_EINVAL);
	CHECK_INT(vaccel_torch_model_run(&sess, &data, NULL, &in, 1, &out, 1),
		  VACCEL_EINVAL);
	vaccel_resource_release(&data);

	/* Wrong rank, wrong shape and wrong dtype reach libtorch, which
	 * refuses them. */
	vaccel_torch_tensor_delete(in);
	in = tensor(3, dims3, VACCEL_TORCH_FLOAT, x, sizeof(x));
	CHECK_INT(vaccel_torch_model_run(&sess, &model, NULL, &in, 1, &out, 1),
		  VACCEL_EBACKEND);
	vaccel_torch_tensor_delete(in);
	in = tensor(4, dims4, VACCEL_TORCH_INT, xi, sizeof(xi));
	CHECK_INT(vaccel_torch_model_run(&sess, &model, NULL, &in, 1, &out, 1),
		  VACCEL_EBACKEND);
	vaccel_torch_tensor_delete(in);
	in = tensor(4, dims4, VACCEL_TORCH_FLOAT, x, sizeof(x));
	/* The tiny CNN pools adaptively, so a 16x16 input is valid; a
	 * 2-channel one is not. */
	dims_wrong[1] = 2;
	vaccel_torch_tensor_delete(in);
	in = tensor(4, dims_wrong, VACCEL_TORCH_FLOAT, x,
		    2 * 16 * 16 * sizeof(float));
	CHECK_INT(vaccel_torch_model_run(&sess, &model, NULL, &in, 1, &out, 1),
		  VACCEL_EBACKEND);
	vaccel_torch_tensor_delete(in);

	/* Data that does not match the dims never reaches libtorch. */
	in = tensor(4, dims4, VACCEL_TORCH_FLOAT, x, sizeof(x) - 4);
	CHECK_INT(vaccel_torch_model_run(&sess, &model, NULL, &in, 1, &out, 1),
		  VACCEL_EINVAL);
	vaccel_torch_tensor_delete(in);
	CHECK(!out);

	/* And the model still works afterwards. */
	in = tensor(4, dims4, VACCEL_TORCH_FLOAT, x, sizeof(x));
	CHECK_INT(vaccel_torch_model_run(&sess, &model, NULL, &in, 1, &out, 1),
		  VACCEL_OK);
	vaccel_torch_tensor_delete(out);
	vaccel_torch_tensor_delete(in);
	tt_close(&sess, &model);
}

/*
 * Unregistering drops the cached module: after the file is replaced, a new
 * registration runs the new model, while a registered resource keeps
 * running the one it loaded.
 */
static void test_unregister_unloads(void)
{
	struct vaccel_session sess = { 0 };
	struct vaccel_resource model = { 0 };
	struct vaccel_torch_tensor *in = NULL, *out = NULL;
	static float x[3 * 32 * 32];
	int64_t dims[4] = { 1, 3, 32, 32 };
	char cnn[4096], two[4096], tmp[] = "/tmp/vaccel-torch-model-XXXXXX";
	int fd;

	REQUIRE(tt_data("tiny_cnn.pt", cnn, sizeof(cnn)));
	REQUIRE(tt_data("two_io.pt", two, sizeof(two)));
	fd = mkstemp(tmp);
	REQUIRE(fd >= 0);
	close(fd);
	REQUIRE(tt_copy_file(cnn, tmp) == 0);
	REQUIRE(tt_open(&sess, &model, tmp) == VACCEL_OK);
	in = tensor(4, dims, VACCEL_TORCH_FLOAT, x, sizeof(x));
	REQUIRE(in);

	CHECK_INT(vaccel_torch_model_load(&sess, &model), VACCEL_OK);
	CHECK(tt_copy_file(two, tmp) == 0);
	CHECK_INT(vaccel_torch_model_run(&sess, &model, NULL, &in, 1, &out, 1),
		  VACCEL_OK);
	CHECK(out && out->size == 10 * sizeof(float));
	vaccel_torch_tensor_delete(out);
	out = NULL;

	CHECK_INT(vaccel_resource_unregister(&model, &sess), VACCEL_OK);
	CHECK_INT(vaccel_resource_register(&model, &sess), VACCEL_OK);
	/* Now two_io.pt is what loads, and it wants two inputs. */
	CHECK_INT(vaccel_torch_model_run(&sess, &model, NULL, &in, 1, &out, 1),
		  VACCEL_EBACKEND);
	CHECK(!out);

	vaccel_torch_tensor_delete(in);
	tt_close(&sess, &model);
	unlink(tmp);
}

static void test_sgemm(void)
{
	struct vaccel_session sess = { 0 };
	enum { M = 3, N = 4, K = 5, LDA = 6, LDB = 5, LDC = 7 };
	float a[M * LDA], b[K * LDB], c[M * LDC], c0[M * LDC];
	float ta[M * K], tb[K * N], tc[M * N];
	int64_t da[2] = { M, K }, db[2] = { K, N }, dc[2] = { M, N };
	struct vaccel_torch_tensor *pa, *pb, *pc, *out = NULL;

	for (int i = 0; i < M * LDA; i++)
		a[i] = (float)(i % 7) - 3;
	for (int i = 0; i < K * LDB; i++)
		b[i] = (float)(i % 5) * 0.5f;
	for (int i = 0; i < M * LDC; i++)
		c[i] = c0[i] = (float)i;

	REQUIRE(vaccel_session_init(&sess, VACCEL_PLUGIN_TORCH) == VACCEL_OK);
	CHECK_INT(vaccel_sgemm(&sess, M, N, K, 2.0f, a, LDA, b, LDB, 0.5f, c,
			       LDC),
		  VACCEL_OK);
	for (int i = 0; i < M; i++) {
		for (int j = 0; j < LDC; j++) {
			float want = c0[i * LDC + j];

			/* Padding past n columns stays untouched. */
			if (j < N) {
				float s = 0;
				for (int p = 0; p < K; p++)
					s += a[i * LDA + p] * b[p * LDB + j];
				want = 2.0f * s + 0.5f * want;
			}
			CHECK(c[i * LDC + j] == want);
		}
	}
	CHECK_INT(vaccel_sgemm(&sess, M, N, K, 1.0f, a, 2, b, LDB, 0.0f, c,
			       LDC),
		  VACCEL_EINVAL);

	for (int i = 0; i < M * K; i++)
		ta[i] = (float)i;
	for (int i = 0; i < K * N; i++)
		tb[i] = 1.0f;
	for (int i = 0; i < M * N; i++)
		tc[i] = 100.0f;
	pa = tensor(2, da, VACCEL_TORCH_FLOAT, ta, sizeof(ta));
	pb = tensor(2, db, VACCEL_TORCH_FLOAT, tb, sizeof(tb));
	pc = tensor(2, dc, VACCEL_TORCH_FLOAT, tc, sizeof(tc));
	REQUIRE(pa && pb && pc);
	CHECK_INT(vaccel_torch_sgemm(&sess, &pa, &pb, &pc, M, N, K, &out),
		  VACCEL_OK);
	if (out) {
		const float *o = out->data;
		CHECK_INT(out->size, sizeof(tc));
		/* Row i of A sums to 5i*5 + 10; every B entry is 1. */
		for (int i = 0; i < M; i++)
			for (int j = 0; j < N; j++)
				CHECK(o[i * N + j] == 100.0f + 25.0f * i + 10.0f);
	} else {
		CHECK(!"no sgemm output");
	}
	vaccel_torch_tensor_delete(out);
	out = NULL;
	/* A is 3x5 but declared as 4x5: too little data. */
	CHECK(vaccel_torch_sgemm(&sess, &pa, &pb, &pc, M + 1, N, K, &out) ==
	      VACCEL_EINVAL);
	CHECK(!out);

	vaccel_torch_tensor_delete(pa);
	vaccel_torch_tensor_delete(pb);
	vaccel_torch_tensor_delete(pc);
	vaccel_session_release(&sess);
}

TEST_MAIN(test_two_inputs_two_outputs, test_every_dtype, test_concurrent_runs,
	  test_bad_input, test_unregister_unloads, test_sgemm)
