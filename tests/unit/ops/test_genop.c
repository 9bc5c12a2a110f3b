// SPDX-License-Identifier: Apache-2.0
/*
 * vaccel_genop unpacking against the real noop plugin: malformed lists
 * (missing args, wrong types and sizes, overflowing dimensions, NULL
 * buffers, bad op types) are refused with VACCEL_EINVAL and never crash;
 * well-formed lists, including RAW-typed args and 4-byte op types, reach
 * the typed op.
 */
#include "testing.h"
#include <stdint.h>
#include <vaccel.h>

static struct vaccel_session sess;

#define ARG(p, sz, t) { .buf = (p), .size = (sz), .type = (t) }

static int open_sess(void)
{
	memset(&sess, 0, sizeof(sess));
	return vaccel_session_init(&sess, 0);
}

static void test_op_type(void)
{
	uint8_t op8 = VACCEL_OP_NOOP, bad8 = VACCEL_OP_MAX, big8 = 255;
	int32_t op32 = VACCEL_OP_NOOP, neg32 = -1, big32 = 1 << 20;
	uint16_t op16 = VACCEL_OP_NOOP;
	struct vaccel_arg r[1];

	REQUIRE(open_sess() == VACCEL_OK);
	CHECK_INT(vaccel_genop(&sess, NULL, 0, NULL, 0), VACCEL_EINVAL);
	CHECK_INT(vaccel_genop(&sess, NULL, 1, NULL, 0), VACCEL_EINVAL);
	CHECK_INT(vaccel_genop(&sess, r, -1, NULL, 0), VACCEL_EINVAL);

	r[0] = (struct vaccel_arg)ARG(&op8, 1, VACCEL_ARG_UINT8);
	CHECK_INT(vaccel_genop(&sess, r, 1, NULL, 0), VACCEL_OK);
	CHECK_INT(vaccel_genop(&sess, r, 1, NULL, -1), VACCEL_EINVAL);
	CHECK_INT(vaccel_genop(&sess, r, 1, NULL, 1), VACCEL_EINVAL);
	r[0] = (struct vaccel_arg)ARG(&op8, 1, VACCEL_ARG_RAW);
	CHECK_INT(vaccel_genop(&sess, r, 1, NULL, 0), VACCEL_OK);
	/* Older programs pass the op type as a native int. */
	r[0] = (struct vaccel_arg)ARG(&op32, 4, VACCEL_ARG_RAW);
	CHECK_INT(vaccel_genop(&sess, r, 1, NULL, 0), VACCEL_OK);
	r[0] = (struct vaccel_arg)ARG(&op32, 4, VACCEL_ARG_INT32);
	CHECK_INT(vaccel_genop(&sess, r, 1, NULL, 0), VACCEL_OK);

	r[0] = (struct vaccel_arg)ARG(&op16, 2, VACCEL_ARG_RAW);
	CHECK_INT(vaccel_genop(&sess, r, 1, NULL, 0), VACCEL_EINVAL);
	r[0] = (struct vaccel_arg)ARG(&op8, 1, VACCEL_ARG_STRING);
	CHECK_INT(vaccel_genop(&sess, r, 1, NULL, 0), VACCEL_EINVAL);
	r[0] = (struct vaccel_arg)ARG(NULL, 1, VACCEL_ARG_UINT8);
	CHECK_INT(vaccel_genop(&sess, r, 1, NULL, 0), VACCEL_EINVAL);
	r[0] = (struct vaccel_arg)ARG(&bad8, 1, VACCEL_ARG_UINT8);
	CHECK_INT(vaccel_genop(&sess, r, 1, NULL, 0), VACCEL_EINVAL);
	r[0] = (struct vaccel_arg)ARG(&big8, 1, VACCEL_ARG_UINT8);
	CHECK_INT(vaccel_genop(&sess, r, 1, NULL, 0), VACCEL_EINVAL);
	r[0] = (struct vaccel_arg)ARG(&neg32, 4, VACCEL_ARG_INT32);
	CHECK_INT(vaccel_genop(&sess, r, 1, NULL, 0), VACCEL_EINVAL);
	r[0] = (struct vaccel_arg)ARG(&big32, 4, VACCEL_ARG_RAW);
	CHECK_INT(vaccel_genop(&sess, r, 1, NULL, 0), VACCEL_EINVAL);
	vaccel_session_release(&sess);
}

static void test_no_generic_form(void)
{
	const uint8_t ops[] = { VACCEL_OP_TF_MODEL_LOAD,
				VACCEL_OP_TF_MODEL_UNLOAD,
				VACCEL_OP_TF_MODEL_RUN,
				VACCEL_OP_TFLITE_MODEL_LOAD,
				VACCEL_OP_TFLITE_MODEL_UNLOAD,
				VACCEL_OP_TFLITE_MODEL_RUN,
				VACCEL_OP_TORCH_MODEL_LOAD,
				VACCEL_OP_TORCH_MODEL_RUN,
				VACCEL_OP_TORCH_SGEMM };
	uint8_t op;
	struct vaccel_arg r[1] = { ARG(&op, 1, VACCEL_ARG_UINT8) };

	REQUIRE(open_sess() == VACCEL_OK);
	for (size_t i = 0; i < sizeof(ops); i++) {
		op = ops[i];
		CHECK_INT(vaccel_genop(&sess, r, 1, NULL, 0), VACCEL_ENOTSUP);
	}
	vaccel_session_release(&sess);
}

static void test_noop_layout(void)
{
	uint8_t op = VACCEL_OP_NOOP;
	int32_t x = 1;
	struct vaccel_arg r[2] = { ARG(&op, 1, VACCEL_ARG_UINT8),
				   ARG(&x, 4, VACCEL_ARG_INT32) };

	REQUIRE(open_sess() == VACCEL_OK);
	CHECK_INT(vaccel_genop(&sess, r, 2, NULL, 0), VACCEL_EINVAL);
	CHECK_INT(vaccel_genop(&sess, r, 1, &r[1], 1), VACCEL_EINVAL);
	vaccel_session_release(&sess);
}

/* A well-formed sgemm list: 2x2 result from 2x3 and 3x2 inputs. */
struct sgemm_list {
	uint8_t op;
	int64_t m, n, k, lda, ldb, ldc;
	float alpha, beta;
	float a[6], b[6], c[4];
	struct vaccel_arg r[11], w[1];
};

static void sgemm_list_init(struct sgemm_list *l, vaccel_arg_type_t ti64,
			    vaccel_arg_type_t tf, vaccel_arg_type_t tarr)
{
	*l = (struct sgemm_list){ .op = VACCEL_OP_BLAS_SGEMM, .m = 2, .n = 2,
				  .k = 3, .lda = 3, .ldb = 2, .ldc = 2,
				  .alpha = 1, .beta = 0 };
	for (int i = 0; i < 4; i++)
		l->c[i] = 5;
	l->r[0] = (struct vaccel_arg)ARG(&l->op, 1, VACCEL_ARG_UINT8);
	l->r[1] = (struct vaccel_arg)ARG(&l->m, 8, ti64);
	l->r[2] = (struct vaccel_arg)ARG(&l->n, 8, ti64);
	l->r[3] = (struct vaccel_arg)ARG(&l->k, 8, ti64);
	l->r[4] = (struct vaccel_arg)ARG(&l->alpha, 4, tf);
	l->r[5] = (struct vaccel_arg)ARG(l->a, sizeof(l->a), tarr);
	l->r[6] = (struct vaccel_arg)ARG(&l->lda, 8, ti64);
	l->r[7] = (struct vaccel_arg)ARG(l->b, sizeof(l->b), tarr);
	l->r[8] = (struct vaccel_arg)ARG(&l->ldb, 8, ti64);
	l->r[9] = (struct vaccel_arg)ARG(&l->beta, 4, tf);
	l->r[10] = (struct vaccel_arg)ARG(&l->ldc, 8, ti64);
	l->w[0] = (struct vaccel_arg)ARG(l->c, sizeof(l->c), tarr);
}

static void test_sgemm_layout(void)
{
	struct sgemm_list l;

	REQUIRE(open_sess() == VACCEL_OK);
	sgemm_list_init(&l, VACCEL_ARG_INT64, VACCEL_ARG_FLOAT32,
			VACCEL_ARG_FLOAT32_ARRAY);
	CHECK_INT(vaccel_genop(&sess, l.r, 11, l.w, 1), VACCEL_OK);
	/* noop's sgemm, like upstream's, leaves C as it is. */
	CHECK(l.c[0] == 5 && l.c[3] == 5);

	/* RAW is accepted wherever the size fits the expected type. */
	sgemm_list_init(&l, VACCEL_ARG_RAW, VACCEL_ARG_RAW, VACCEL_ARG_RAW);
	CHECK_INT(vaccel_genop(&sess, l.r, 11, l.w, 1), VACCEL_OK);

	/* Too few / too many args. */
	sgemm_list_init(&l, VACCEL_ARG_INT64, VACCEL_ARG_FLOAT32,
			VACCEL_ARG_FLOAT32_ARRAY);
	CHECK_INT(vaccel_genop(&sess, l.r, 10, l.w, 1), VACCEL_EINVAL);
	CHECK_INT(vaccel_genop(&sess, l.r, 11, l.w, 0), VACCEL_EINVAL);
	CHECK_INT(vaccel_genop(&sess, l.r, 1, l.w, 1), VACCEL_EINVAL);

	/* Wrong type. */
	l.r[1].type = VACCEL_ARG_INT32;
	CHECK_INT(vaccel_genop(&sess, l.r, 11, l.w, 1), VACCEL_EINVAL);
	sgemm_list_init(&l, VACCEL_ARG_INT64, VACCEL_ARG_FLOAT32,
			VACCEL_ARG_FLOAT32_ARRAY);
	l.r[5].type = VACCEL_ARG_FLOAT64_ARRAY;
	CHECK_INT(vaccel_genop(&sess, l.r, 11, l.w, 1), VACCEL_EINVAL);

	/* Wrong scalar size, and a RAW arg whose size does not fit. */
	sgemm_list_init(&l, VACCEL_ARG_INT64, VACCEL_ARG_FLOAT32,
			VACCEL_ARG_FLOAT32_ARRAY);
	l.r[2].size = 4;
	CHECK_INT(vaccel_genop(&sess, l.r, 11, l.w, 1), VACCEL_EINVAL);
	sgemm_list_init(&l, VACCEL_ARG_RAW, VACCEL_ARG_RAW, VACCEL_ARG_RAW);
	l.r[4].size = 8;
	CHECK_INT(vaccel_genop(&sess, l.r, 11, l.w, 1), VACCEL_EINVAL);

	/* Arrays smaller than the dimensions say, or not whole floats. */
	sgemm_list_init(&l, VACCEL_ARG_INT64, VACCEL_ARG_FLOAT32,
			VACCEL_ARG_FLOAT32_ARRAY);
	l.r[5].size = 5 * sizeof(float);
	CHECK_INT(vaccel_genop(&sess, l.r, 11, l.w, 1), VACCEL_EINVAL);
	l.r[5].size = sizeof(l.a) - 1;
	CHECK_INT(vaccel_genop(&sess, l.r, 11, l.w, 1), VACCEL_EINVAL);
	sgemm_list_init(&l, VACCEL_ARG_INT64, VACCEL_ARG_FLOAT32,
			VACCEL_ARG_FLOAT32_ARRAY);
	l.w[0].size = 3 * sizeof(float);
	CHECK_INT(vaccel_genop(&sess, l.r, 11, l.w, 1), VACCEL_EINVAL);
	sgemm_list_init(&l, VACCEL_ARG_INT64, VACCEL_ARG_FLOAT32,
			VACCEL_ARG_FLOAT32_ARRAY);
	l.m = 3;
	CHECK_INT(vaccel_genop(&sess, l.r, 11, l.w, 1), VACCEL_EINVAL);

	/* Dimensions whose products overflow, or are not positive. */
	sgemm_list_init(&l, VACCEL_ARG_INT64, VACCEL_ARG_FLOAT32,
			VACCEL_ARG_FLOAT32_ARRAY);
	l.m = INT64_MAX;
	l.lda = 4;
	CHECK_INT(vaccel_genop(&sess, l.r, 11, l.w, 1), VACCEL_EINVAL);
	sgemm_list_init(&l, VACCEL_ARG_INT64, VACCEL_ARG_FLOAT32,
			VACCEL_ARG_FLOAT32_ARRAY);
	l.k = (int64_t)1 << 62;
	l.lda = (int64_t)1 << 62;
	CHECK_INT(vaccel_genop(&sess, l.r, 11, l.w, 1), VACCEL_EINVAL);
	sgemm_list_init(&l, VACCEL_ARG_INT64, VACCEL_ARG_FLOAT32,
			VACCEL_ARG_FLOAT32_ARRAY);
	l.ldc = -2;
	CHECK_INT(vaccel_genop(&sess, l.r, 11, l.w, 1), VACCEL_EINVAL);

	/* A NULL buffer with a size. */
	sgemm_list_init(&l, VACCEL_ARG_INT64, VACCEL_ARG_FLOAT32,
			VACCEL_ARG_FLOAT32_ARRAY);
	l.r[7].buf = NULL;
	CHECK_INT(vaccel_genop(&sess, l.r, 11, l.w, 1), VACCEL_EINVAL);
	sgemm_list_init(&l, VACCEL_ARG_INT64, VACCEL_ARG_FLOAT32,
			VACCEL_ARG_FLOAT32_ARRAY);
	l.w[0].buf = NULL;
	CHECK_INT(vaccel_genop(&sess, l.r, 11, l.w, 1), VACCEL_EINVAL);
	CHECK(l.c[0] == 5);
	vaccel_session_release(&sess);
}

static void test_image_layout(void)
{
	uint8_t op = VACCEL_OP_IMAGE_CLASSIFY, img[16] = { 0 };
	unsigned char text[64] = { 0 }, name[64] = { 0 };
	struct vaccel_arg r[2] = { ARG(&op, 1, VACCEL_ARG_UINT8),
				   ARG(img, 16, VACCEL_ARG_BUFFER) };
	struct vaccel_arg w[2] = { ARG(text, 64, VACCEL_ARG_UCHAR_ARRAY),
				   ARG(name, 64, VACCEL_ARG_UCHAR_ARRAY) };

	REQUIRE(open_sess() == VACCEL_OK);
	CHECK_INT(vaccel_genop(&sess, r, 2, w, 2), VACCEL_OK);
	CHECK_STR((char *)text, "This is a dummy classification tag!");
	CHECK_STR((char *)name, "This is a dummy imgname!");
	CHECK_INT(vaccel_genop(&sess, r, 2, w, 1), VACCEL_EINVAL);
	CHECK_INT(vaccel_genop(&sess, r, 1, w, 2), VACCEL_EINVAL);
	w[1].type = VACCEL_ARG_INT32_ARRAY;
	CHECK_INT(vaccel_genop(&sess, r, 2, w, 2), VACCEL_EINVAL);
	w[1].type = VACCEL_ARG_RAW;
	CHECK_INT(vaccel_genop(&sess, r, 2, w, 2), VACCEL_OK);
	w[1].size = 0;
	CHECK_INT(vaccel_genop(&sess, r, 2, w, 2), VACCEL_EINVAL);
	w[1].size = 64;
	r[1].size = 0;
	CHECK_INT(vaccel_genop(&sess, r, 2, w, 2), VACCEL_EINVAL);
	r[1].size = 16;
	r[1].type = VACCEL_ARG_STRING;
	CHECK_INT(vaccel_genop(&sess, r, 2, w, 2), VACCEL_EINVAL);
	r[1].type = VACCEL_ARG_BUFFER;

	for (uint8_t o = VACCEL_OP_IMAGE_DETECT; o <= VACCEL_OP_IMAGE_DEPTH;
	     o++) {
		op = o;
		memset(name, 0, sizeof(name));
		CHECK_INT(vaccel_genop(&sess, r, 2, &w[1], 1), VACCEL_OK);
		CHECK_STR((char *)name, "This is a dummy imgname!");
		CHECK_INT(vaccel_genop(&sess, r, 2, w, 2), VACCEL_EINVAL);
	}
	vaccel_session_release(&sess);
}

static void test_exec_layout(void)
{
	uint8_t op = VACCEL_OP_EXEC;
	char lib[] = "libx.so", sym[] = "fn", nonul[2] = { 'a', 'b' };
	char inner[4] = { 'a', 0, 'b', 0 };
	int32_t in = 9, out = 0;
	struct vaccel_arg r[4] = { ARG(&op, 1, VACCEL_ARG_UINT8),
				   ARG(lib, sizeof(lib), VACCEL_ARG_STRING),
				   ARG(sym, sizeof(sym), VACCEL_ARG_STRING),
				   ARG(&in, 4, VACCEL_ARG_INT32) };
	struct vaccel_arg w[1] = { ARG(&out, 4, VACCEL_ARG_INT32) };

	REQUIRE(open_sess() == VACCEL_OK);
	CHECK_INT(vaccel_genop(&sess, r, 4, w, 1), VACCEL_OK);
	CHECK_INT(out, 9);
	CHECK_INT(vaccel_genop(&sess, r, 3, NULL, 0), VACCEL_OK);
	CHECK_INT(vaccel_genop(&sess, r, 2, w, 1), VACCEL_EINVAL);
	r[2] = (struct vaccel_arg)ARG(nonul, 2, VACCEL_ARG_STRING);
	CHECK_INT(vaccel_genop(&sess, r, 4, w, 1), VACCEL_EINVAL);
	r[2] = (struct vaccel_arg)ARG(inner, 4, VACCEL_ARG_STRING);
	CHECK_INT(vaccel_genop(&sess, r, 4, w, 1), VACCEL_EINVAL);
	r[2] = (struct vaccel_arg)ARG(sym, 0, VACCEL_ARG_STRING);
	CHECK_INT(vaccel_genop(&sess, r, 4, w, 1), VACCEL_EINVAL);
	r[2] = (struct vaccel_arg)ARG(sym, sizeof(sym), VACCEL_ARG_RAW);
	CHECK_INT(vaccel_genop(&sess, r, 4, w, 1), VACCEL_OK);
	r[3].buf = NULL;
	CHECK_INT(vaccel_genop(&sess, r, 4, w, 1), VACCEL_EINVAL);
	vaccel_session_release(&sess);
}

static void test_exec_with_resource_layout(void)
{
	uint8_t op = VACCEL_OP_EXEC_WITH_RESOURCE;
	struct vaccel_resource res = { 0 };
	char sym[] = "fn";
	int64_t id = 0;
	int32_t in = 4, out = 0;
	struct vaccel_arg r[4] = { ARG(&op, 1, VACCEL_ARG_UINT8),
				   ARG(&id, 8, VACCEL_ARG_INT64),
				   ARG(sym, sizeof(sym), VACCEL_ARG_STRING),
				   ARG(&in, 4, VACCEL_ARG_INT32) };
	struct vaccel_arg w[1] = { ARG(&out, 4, VACCEL_ARG_INT32) };
	const char *file = getenv("OPSTEST_FILE");

	REQUIRE(open_sess() == VACCEL_OK);
	REQUIRE(vaccel_resource_init(&res, file ? file : "/etc/hostname",
				     VACCEL_RESOURCE_LIB) == VACCEL_OK);
	id = res.id;
	/* Known resource, not registered with this session. */
	CHECK_INT(vaccel_genop(&sess, r, 4, w, 1), VACCEL_EPERM);
	REQUIRE(vaccel_resource_register(&res, &sess) == VACCEL_OK);
	CHECK_INT(vaccel_genop(&sess, r, 4, w, 1), VACCEL_OK);
	CHECK_INT(out, 4);
	id = res.id + 1000;
	CHECK(vaccel_genop(&sess, r, 4, w, 1) != VACCEL_OK);
	id = res.id;
	r[1].size = 4;
	CHECK_INT(vaccel_genop(&sess, r, 4, w, 1), VACCEL_EINVAL);
	r[1].size = 8;
	CHECK_INT(vaccel_genop(&sess, r, 2, w, 1), VACCEL_EINVAL);
	vaccel_resource_release(&res);
	vaccel_session_release(&sess);
}

static void test_minmax_layout(void)
{
	uint8_t op = VACCEL_OP_MINMAX;
	double in[4] = { 4, -1, 9, 2 }, out[4], mn = 0, mx = 0;
	int32_t n = 4, lo = 0, hi = 5;
	struct vaccel_arg r[5] = { ARG(&op, 1, VACCEL_ARG_UINT8),
				   ARG(in, sizeof(in), VACCEL_ARG_FLOAT64_ARRAY),
				   ARG(&n, 4, VACCEL_ARG_INT32),
				   ARG(&lo, 4, VACCEL_ARG_INT32),
				   ARG(&hi, 4, VACCEL_ARG_INT32) };
	struct vaccel_arg w[3] = { ARG(out, sizeof(out),
				       VACCEL_ARG_FLOAT64_ARRAY),
				   ARG(&mn, 8, VACCEL_ARG_FLOAT64),
				   ARG(&mx, 8, VACCEL_ARG_FLOAT64) };

	REQUIRE(open_sess() == VACCEL_OK);
	CHECK_INT(vaccel_genop(&sess, r, 5, w, 3), VACCEL_OK);
	/* noop's (upstream's) minmax: out = in, min -1, max 10000. */
	CHECK(mn == -1 && mx == 10000 && out[2] == 9);
	CHECK_INT(vaccel_genop(&sess, r, 5, w, 2), VACCEL_EINVAL);
	n = 5;
	CHECK_INT(vaccel_genop(&sess, r, 5, w, 3), VACCEL_EINVAL);
	n = -1;
	CHECK_INT(vaccel_genop(&sess, r, 5, w, 3), VACCEL_EINVAL);
	n = INT32_MAX;
	CHECK_INT(vaccel_genop(&sess, r, 5, w, 3), VACCEL_EINVAL);
	n = 4;
	w[0].size = 3 * sizeof(double);
	CHECK_INT(vaccel_genop(&sess, r, 5, w, 3), VACCEL_EINVAL);
	w[0].size = sizeof(out);
	w[1].size = 4;
	CHECK_INT(vaccel_genop(&sess, r, 5, w, 3), VACCEL_EINVAL);
	w[1].size = 8;
	w[2].type = VACCEL_ARG_INT64;
	CHECK_INT(vaccel_genop(&sess, r, 5, w, 3), VACCEL_EINVAL);
	vaccel_session_release(&sess);
}

static void test_fpga_layout(void)
{
	uint8_t op = VACCEL_OP_FPGA_ARRAYCOPY;
	int32_t ia[3] = { 1, 2, 3 }, ib[3] = { 0 };
	float a[3] = { 1, 2, 3 }, b[3] = { 1, 1, 1 }, c[3] = { 0 },
	      d[3] = { 0 };
	struct vaccel_arg r[3] = { ARG(&op, 1, VACCEL_ARG_UINT8),
				   ARG(ia, 12, VACCEL_ARG_INT32_ARRAY) };
	struct vaccel_arg w[2] = { ARG(ib, 12, VACCEL_ARG_INT32_ARRAY) };

	REQUIRE(open_sess() == VACCEL_OK);
	CHECK_INT(vaccel_genop(&sess, r, 2, w, 1), VACCEL_OK);
	CHECK(ib[2] == 3);
	w[0].size = 8;
	CHECK_INT(vaccel_genop(&sess, r, 2, w, 1), VACCEL_EINVAL);
	w[0].size = 12;
	r[1].type = VACCEL_ARG_FLOAT32_ARRAY;
	CHECK_INT(vaccel_genop(&sess, r, 2, w, 1), VACCEL_EINVAL);

	r[1] = (struct vaccel_arg)ARG(a, 12, VACCEL_ARG_FLOAT32_ARRAY);
	r[2] = (struct vaccel_arg)ARG(b, 12, VACCEL_ARG_FLOAT32_ARRAY);
	w[0] = (struct vaccel_arg)ARG(c, 12, VACCEL_ARG_FLOAT32_ARRAY);
	w[1] = (struct vaccel_arg)ARG(d, 12, VACCEL_ARG_FLOAT32_ARRAY);
	op = VACCEL_OP_FPGA_PARALLEL;
	CHECK_INT(vaccel_genop(&sess, r, 3, w, 2), VACCEL_OK);
	CHECK(c[2] == 4 && d[2] == 1);
	CHECK_INT(vaccel_genop(&sess, r, 3, w, 1), VACCEL_EINVAL);
	op = VACCEL_OP_FPGA_VECTORADD;
	CHECK_INT(vaccel_genop(&sess, r, 3, w, 1), VACCEL_OK);
	CHECK(c[0] == 2);
	r[2].size = 8;
	CHECK_INT(vaccel_genop(&sess, r, 3, w, 1), VACCEL_OK);
	CHECK(c[2] == 3);
	op = VACCEL_OP_FPGA_MMULT;
	/* mmult needs b as long as a. */
	CHECK_INT(vaccel_genop(&sess, r, 3, w, 1), VACCEL_EINVAL);
	r[2].size = 12;
	CHECK_INT(vaccel_genop(&sess, r, 3, w, 1), VACCEL_OK);
	CHECK(c[0] == 9.1f && c[2] == 9.1f);
	w[0].size = 4;
	CHECK_INT(vaccel_genop(&sess, r, 3, w, 1), VACCEL_EINVAL);
	vaccel_session_release(&sess);
}

static void test_opencv_layout(void)
{
	uint8_t op = VACCEL_OP_OPENCV;
	char in[3] = "hi", out[3] = { 0 };
	struct vaccel_arg r[2] = { ARG(&op, 1, VACCEL_ARG_UINT8),
				   ARG(in, 3, VACCEL_ARG_RAW) };
	struct vaccel_arg w[1] = { ARG(out, 3, VACCEL_ARG_RAW) };

	REQUIRE(open_sess() == VACCEL_OK);
	CHECK_INT(vaccel_genop(&sess, r, 2, w, 1), VACCEL_OK);
	CHECK_STR(out, "hi");
	vaccel_session_release(&sess);
}

TEST_MAIN(test_op_type, test_no_generic_form, test_noop_layout,
	  test_sgemm_layout, test_image_layout, test_exec_layout,
	  test_exec_with_resource_layout, test_minmax_layout,
	  test_fpga_layout, test_opencv_layout)
