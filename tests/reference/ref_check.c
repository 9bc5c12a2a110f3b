// SPDX-License-Identifier: Apache-2.0
#include "ref_check.h"
#include "reference.h"
#include <stdio.h>
#include <stdlib.h>

#define ARG(p, n, t) ((struct vaccel_arg){ (void *)(p), (n), (t), 0, false })
#define OP(v) ARG(&(v), 1, VACCEL_ARG_UINT8)

struct run {
	ref_report_fn report;
	int failed;
};

static void result(struct run *r, const char *check, int ret, bool same)
{
	char detail[64] = "";

	if (ret)
		snprintf(detail, sizeof(detail), "returned %d (%s)", ret,
			 vaccel_strerror(ret));
	else if (!same)
		snprintf(detail, sizeof(detail), "result differs from the reference");
	if (ret || !same)
		r->failed++;
	r->report(check, !ret && same, detail);
}

static bool same_mem(const void *a, const void *b, size_t n)
{
	return memcmp(a, b, n) == 0;
}

static void check_sgemm(struct vaccel_session *s, struct run *r)
{
	enum { M = 3, N = 4, K = 5, LDA = 6, LDB = 5, LDC = 7 };
	int64_t m = M, n = N, k = K, lda = LDA, ldb = LDB, ldc = LDC;
	float a[M * LDA], b[K * LDB], c[M * LDC], want[M * LDC];
	float alpha = 1.5f, beta = 0.5f;
	uint8_t op = VACCEL_OP_BLAS_SGEMM;

	for (int i = 0; i < M * LDA; i++)
		a[i] = (float)(i % 7) - 3.0f;
	for (int i = 0; i < K * LDB; i++)
		b[i] = (float)(i % 5) * 0.5f;
	for (int g = 0; g < 2; g++) {
		int ret;

		/* C is an input too (beta != 0), padding past n included. */
		for (int i = 0; i < M * LDC; i++)
			c[i] = want[i] = (float)(i % 3) + 1.0f + (float)g;
		ref_sgemm(m, n, k, alpha, a, lda, b, ldb, beta, want, ldc);
		if (!g) {
			ret = vaccel_sgemm(s, m, n, k, alpha, a, lda, b, ldb,
					   beta, c, ldc);
		} else {
			struct vaccel_arg rd[] = {
				OP(op),
				ARG(&m, 8, VACCEL_ARG_INT64),
				ARG(&n, 8, VACCEL_ARG_INT64),
				ARG(&k, 8, VACCEL_ARG_INT64),
				ARG(&alpha, 4, VACCEL_ARG_FLOAT32),
				ARG(a, sizeof(a), VACCEL_ARG_FLOAT32_ARRAY),
				ARG(&lda, 8, VACCEL_ARG_INT64),
				ARG(b, sizeof(b), VACCEL_ARG_FLOAT32_ARRAY),
				ARG(&ldb, 8, VACCEL_ARG_INT64),
				ARG(&beta, 4, VACCEL_ARG_FLOAT32),
				ARG(&ldc, 8, VACCEL_ARG_INT64),
			};
			struct vaccel_arg wr[] = {
				ARG(c, sizeof(c), VACCEL_ARG_FLOAT32_ARRAY),
			};

			ret = vaccel_genop(s, rd, 11, wr, 1);
		}
		result(r, g ? "sgemm (genop)" : "sgemm", ret,
		       same_mem(c, want, sizeof(c)));
	}
}

static void check_minmax(struct vaccel_session *s, struct run *r)
{
	enum { LEN = 64 };
	double in[LEN], out[LEN], want[LEN], mn, mx, wmn, wmx;
	int32_t ndata = 50, low = -3, high = 40;
	uint8_t op = VACCEL_OP_MINMAX;

	for (int i = 0; i < LEN; i++)
		in[i] = (double)((i * 37) % 101) - 20.5;
	ref_minmax(in, ndata, low, high, want, &wmn, &wmx);
	for (int g = 0; g < 2; g++) {
		int ret;

		memset(out, 0, sizeof(out));
		mn = mx = 0;
		if (!g) {
			ret = vaccel_minmax(s, in, ndata, low, high, out, &mn,
					    &mx);
		} else {
			struct vaccel_arg rd[] = {
				OP(op),
				ARG(in, sizeof(in), VACCEL_ARG_FLOAT64_ARRAY),
				ARG(&ndata, 4, VACCEL_ARG_INT32),
				ARG(&low, 4, VACCEL_ARG_INT32),
				ARG(&high, 4, VACCEL_ARG_INT32),
			};
			struct vaccel_arg wr[] = {
				ARG(out, sizeof(out), VACCEL_ARG_FLOAT64_ARRAY),
				ARG(&mn, 8, VACCEL_ARG_FLOAT64),
				ARG(&mx, 8, VACCEL_ARG_FLOAT64),
			};

			ret = vaccel_genop(s, rd, 5, wr, 3);
		}
		result(r, g ? "minmax (genop)" : "minmax", ret,
		       same_mem(out, want, (size_t)ndata * sizeof(double)) &&
			       mn == wmn && mx == wmx);
	}
}

static const struct {
	const char *name;
	uint8_t op;
	int (*fn)(struct vaccel_session *, const void *, unsigned char *,
		  size_t, size_t);
} image_ops[] = {
	{ "detect", VACCEL_OP_IMAGE_DETECT, vaccel_image_detection },
	{ "segment", VACCEL_OP_IMAGE_SEGMENT, vaccel_image_segmentation },
	{ "pose", VACCEL_OP_IMAGE_POSE, vaccel_image_pose },
	{ "depth", VACCEL_OP_IMAGE_DEPTH, vaccel_image_depth },
};

static void check_image(struct vaccel_session *s, struct run *r)
{
	unsigned char img[300], text[96], name[80], wtext[96], wname[80];
	uint8_t op = VACCEL_OP_IMAGE_CLASSIFY;
	char check[48];

	for (size_t i = 0; i < sizeof(img); i++)
		img[i] = (unsigned char)(i * 7 + 3);
	ref_image_text("classify", img, sizeof(img), wtext, sizeof(wtext));
	ref_image_text("classify-name", img, sizeof(img), wname,
		       sizeof(wname));
	for (int g = 0; g < 2; g++) {
		int ret;

		memset(text, 0, sizeof(text));
		memset(name, 0, sizeof(name));
		if (!g) {
			ret = vaccel_image_classification(s, img, text, name,
							  sizeof(img),
							  sizeof(text),
							  sizeof(name));
		} else {
			struct vaccel_arg rd[] = {
				OP(op), ARG(img, sizeof(img), VACCEL_ARG_BUFFER)
			};
			struct vaccel_arg wr[] = {
				ARG(text, sizeof(text), VACCEL_ARG_UCHAR_ARRAY),
				ARG(name, sizeof(name), VACCEL_ARG_UCHAR_ARRAY),
			};

			ret = vaccel_genop(s, rd, 2, wr, 2);
		}
		result(r, g ? "classify (genop)" : "classify", ret,
		       !strcmp((char *)text, (char *)wtext) &&
			       !strcmp((char *)name, (char *)wname));
	}

	for (size_t i = 0; i < sizeof(image_ops) / sizeof(image_ops[0]); i++) {
		/* A shorter output: the text is cut at its size. */
		size_t len = 20 + 5 * i;

		ref_image_text(image_ops[i].name, img, sizeof(img) - i, wname,
			       len);
		for (int g = 0; g < 2; g++) {
			int ret;

			memset(name, 0, sizeof(name));
			if (!g) {
				ret = image_ops[i].fn(s, img, name,
						      sizeof(img) - i, len);
			} else {
				struct vaccel_arg rd[] = {
					OP(image_ops[i].op),
					ARG(img, sizeof(img) - i,
					    VACCEL_ARG_BUFFER),
				};
				struct vaccel_arg wr[] = {
					ARG(name, len, VACCEL_ARG_UCHAR_ARRAY),
				};

				ret = vaccel_genop(s, rd, 2, wr, 1);
			}
			snprintf(check, sizeof(check), "%s%s",
				 image_ops[i].name, g ? " (genop)" : "");
			result(r, check, ret,
			       !strcmp((char *)name, (char *)wname));
		}
	}
}

static void check_fpga(struct vaccel_session *s, struct run *r)
{
	enum { LEN = 16, LEN_B = 11, NI = 33 };
	int in[NI], out[NI];
	float a[LEN], b[LEN], c[LEN], d[LEN], wc[LEN], wd[LEN];
	uint8_t op;

	for (int i = 0; i < NI; i++)
		in[i] = i * i - 100;
	for (int i = 0; i < LEN; i++) {
		a[i] = (float)(i % 5) - 1.5f;
		b[i] = (float)((i * 3) % 7) * 0.5f;
	}
	for (int g = 0; g < 2; g++) {
		int ret;

		memset(out, 0, sizeof(out));
		op = VACCEL_OP_FPGA_ARRAYCOPY;
		if (!g) {
			ret = vaccel_fpga_arraycopy(s, in, out, NI);
		} else {
			struct vaccel_arg rd[] = {
				OP(op), ARG(in, sizeof(in), VACCEL_ARG_INT32_ARRAY)
			};
			struct vaccel_arg wr[] = {
				ARG(out, sizeof(out), VACCEL_ARG_INT32_ARRAY)
			};

			ret = vaccel_genop(s, rd, 2, wr, 1);
		}
		result(r, g ? "fpga_arraycopy (genop)" : "fpga_arraycopy", ret,
		       same_mem(in, out, sizeof(in)));

		memset(c, 0, sizeof(c));
		ref_mmult(a, b, wc, LEN);
		op = VACCEL_OP_FPGA_MMULT;
		if (!g) {
			ret = vaccel_fpga_mmult(s, a, b, c, LEN);
		} else {
			struct vaccel_arg rd[] = {
				OP(op),
				ARG(a, sizeof(a), VACCEL_ARG_FLOAT32_ARRAY),
				ARG(b, sizeof(b), VACCEL_ARG_FLOAT32_ARRAY),
			};
			struct vaccel_arg wr[] = {
				ARG(c, sizeof(c), VACCEL_ARG_FLOAT32_ARRAY)
			};

			ret = vaccel_genop(s, rd, 3, wr, 1);
		}
		result(r, g ? "fpga_mmult (genop)" : "fpga_mmult", ret,
		       same_mem(c, wc, sizeof(c)));

		memset(c, 0, sizeof(c));
		memset(d, 0, sizeof(d));
		ref_parallel(a, b, wc, wd, LEN);
		op = VACCEL_OP_FPGA_PARALLEL;
		if (!g) {
			ret = vaccel_fpga_parallel(s, a, b, c, d, LEN);
		} else {
			struct vaccel_arg rd[] = {
				OP(op),
				ARG(a, sizeof(a), VACCEL_ARG_FLOAT32_ARRAY),
				ARG(b, sizeof(b), VACCEL_ARG_FLOAT32_ARRAY),
			};
			struct vaccel_arg wr[] = {
				ARG(c, sizeof(c), VACCEL_ARG_FLOAT32_ARRAY),
				ARG(d, sizeof(d), VACCEL_ARG_FLOAT32_ARRAY),
			};

			ret = vaccel_genop(s, rd, 3, wr, 2);
		}
		result(r, g ? "fpga_parallel (genop)" : "fpga_parallel", ret,
		       same_mem(c, wc, sizeof(c)) && same_mem(d, wd, sizeof(d)));

		memset(c, 0, sizeof(c));
		ref_vadd(a, b, wc, LEN, LEN_B);
		op = VACCEL_OP_FPGA_VECTORADD;
		if (!g) {
			ret = vaccel_fpga_vadd(s, a, b, c, LEN, LEN_B);
		} else {
			struct vaccel_arg rd[] = {
				OP(op),
				ARG(a, sizeof(a), VACCEL_ARG_FLOAT32_ARRAY),
				ARG(b, LEN_B * sizeof(float),
				    VACCEL_ARG_FLOAT32_ARRAY),
			};
			struct vaccel_arg wr[] = {
				ARG(c, sizeof(c), VACCEL_ARG_FLOAT32_ARRAY)
			};

			ret = vaccel_genop(s, rd, 3, wr, 1);
		}
		result(r, g ? "fpga_vadd (genop)" : "fpga_vadd", ret,
		       same_mem(c, wc, sizeof(c)));
	}
}

/* opencv, exec and exec_with_resource: hashes of every read arg (and the
 * names) spread over the write args. */
static void check_hashing_ops(struct vaccel_session *s, const char *lib,
			      const char *res_file, struct run *r)
{
	int32_t x = -12345;
	char word[] = "vAccel reference", sym[] = "ref_symbol";
	char libcopy[1024];
	unsigned char w0[24], w1[5], v0[24], v1[5];
	struct vaccel_arg user[] = { ARG(&x, 4, VACCEL_ARG_INT32),
				     ARG(word, sizeof(word), VACCEL_ARG_STRING) };
	struct vaccel_arg wr[] = { ARG(w0, sizeof(w0), VACCEL_ARG_RAW),
				   ARG(w1, sizeof(w1), VACCEL_ARG_RAW) };
	struct vaccel_arg want[] = { ARG(v0, sizeof(v0), VACCEL_ARG_RAW),
				     ARG(v1, sizeof(v1), VACCEL_ARG_RAW) };
	struct vaccel_resource res;
	uint64_t h;
	int ret;

	snprintf(libcopy, sizeof(libcopy), "%s", lib);
	for (int g = 0; g < 2; g++) {
		uint8_t op = VACCEL_OP_OPENCV;
		struct vaccel_arg rd[] = { OP(op), user[0], user[1] };

		memset(w0, 0, sizeof(w0));
		memset(w1, 0, sizeof(w1));
		ref_fill_args(ref_hash_args(REF_HASH_INIT, user, 2), want, 2);
		ret = g ? vaccel_genop(s, rd, 3, wr, 2) :
			  vaccel_opencv_unpack(s, user, 2, wr, 2);
		result(r, g ? "opencv (genop)" : "opencv", ret,
		       same_mem(w0, v0, sizeof(w0)) &&
			       same_mem(w1, v1, sizeof(w1)));
	}

	h = ref_hash_str(ref_hash_str(REF_HASH_INIT, lib), sym);
	ref_fill_args(ref_hash_args(h, user, 2), want, 2);
	for (int g = 0; g < 2; g++) {
		uint8_t op = VACCEL_OP_EXEC;
		struct vaccel_arg rd[] = {
			OP(op),
			ARG(libcopy, strlen(libcopy) + 1, VACCEL_ARG_STRING),
			ARG(sym, sizeof(sym), VACCEL_ARG_STRING),
			user[0], user[1],
		};

		memset(w0, 0, sizeof(w0));
		memset(w1, 0, sizeof(w1));
		ret = g ? vaccel_genop(s, rd, 5, wr, 2) :
			  vaccel_exec(s, lib, sym, user, 2, wr, 2);
		result(r, g ? "exec (genop)" : "exec", ret,
		       same_mem(w0, v0, sizeof(w0)) &&
			       same_mem(w1, v1, sizeof(w1)));
	}

	/* The plugin hashes the resource's bytes where it runs: the upload
	 * must have carried the whole file. Ids are taken in order in each
	 * process, so some are used up first: the local id must not equal
	 * the agent's by chance, or a client sending the wrong one would go
	 * unnoticed. */
	for (int i = 0; i < 100; i++) {
		struct vaccel_resource spent;

		if (vaccel_resource_init_from_buf(&spent, "x", 1,
						  VACCEL_RESOURCE_DATA, NULL,
						  true) == VACCEL_OK)
			vaccel_resource_release(&spent);
	}
	ret = vaccel_resource_init(&res, res_file, VACCEL_RESOURCE_LIB);
	if (!ret)
		ret = vaccel_resource_register(&res, s);
	if (ret) {
		result(r, "exec_with_resource", ret, false);
		return;
	}
	h = REF_HASH_INIT;
	for (size_t i = 0; i < res.nr_blobs; i++) {
		size_t size = 0;
		const uint8_t *data = vaccel_blob_data(res.blobs[i], &size);

		h = data ? ref_hash(h, data, size) : 0;
	}
	ref_fill_args(ref_hash_args(ref_hash_str(h, sym), user, 2), want, 2);
	for (int g = 0; g < 2; g++) {
		uint8_t op = VACCEL_OP_EXEC_WITH_RESOURCE;
		int64_t id = res.id;
		struct vaccel_arg rd[] = {
			OP(op), ARG(&id, 8, VACCEL_ARG_INT64),
			ARG(sym, sizeof(sym), VACCEL_ARG_STRING),
			user[0], user[1],
		};

		memset(w0, 0, sizeof(w0));
		memset(w1, 0, sizeof(w1));
		ret = g ? vaccel_genop(s, rd, 5, wr, 2) :
			  vaccel_exec_with_resource(s, &res, sym, user, 2, wr,
						    2);
		result(r, g ? "exec_with_resource (genop)" :
			      "exec_with_resource",
		       ret,
		       same_mem(w0, v0, sizeof(w0)) &&
			       same_mem(w1, v1, sizeof(w1)));
	}
	vaccel_resource_unregister(&res, s);
	vaccel_resource_release(&res);
}

int ref_check_ops(struct vaccel_session *sess, const char *exec_lib,
		  const char *res_file, ref_report_fn report)
{
	struct run r = { report, 0 };
	uint8_t op = VACCEL_OP_NOOP;
	struct vaccel_arg rd = OP(op);

	result(&r, "noop", vaccel_noop(sess), true);
	result(&r, "noop (genop)", vaccel_genop(sess, &rd, 1, NULL, 0), true);
	check_sgemm(sess, &r);
	check_minmax(sess, &r);
	check_image(sess, &r);
	check_fpga(sess, &r);
	check_hashing_ops(sess, exec_lib, res_file, &r);
	return r.failed;
}
