/* SPDX-License-Identifier: Apache-2.0 */
/*
 * IMAGE_CLASSIFY, TORCH_SGEMM and BLAS_SGEMM.
 */
#include "model.hpp"
#include "preprocess.h"

#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <mutex>
#include <string>

#ifndef VACCEL_TORCH_DEFAULT_LABELS
#define VACCEL_TORCH_DEFAULT_LABELS "/usr/local/share/vaccel/labels/imagenet.txt"
#endif

namespace {

/* The labels file, read once and reread only when VACCEL_TORCH_LABELS
 * changes. */
std::mutex labels_lock;
std::string labels_path;
std::vector<std::string> labels;

/* Copies label `idx` into `out`; VACCEL_EINVAL when the file cannot be read
 * or has no line `idx`. */
int label_of(int64_t idx, std::string &out)
{
	const char *env = getenv("VACCEL_TORCH_LABELS");
	std::string path = (env && *env) ? env : VACCEL_TORCH_DEFAULT_LABELS;
	std::lock_guard<std::mutex> g(labels_lock);

	if (path != labels_path) {
		std::ifstream in(path);
		std::vector<std::string> fresh;
		std::string line;

		if (!in) {
			vaccel_error("[torch] cannot read labels file %s (set VACCEL_TORCH_LABELS)",
				     path.c_str());
			return VACCEL_EINVAL;
		}
		while (std::getline(in, line)) {
			if (!line.empty() && line.back() == '\r')
				line.pop_back();
			fresh.push_back(line);
		}
		labels.swap(fresh);
		labels_path = path;
	}
	if (idx < 0 || (size_t)idx >= labels.size()) {
		vaccel_error("[torch] class %" PRId64 " has no label in %s (%zu lines)",
			     idx, labels_path.c_str(), labels.size());
		return VACCEL_EINVAL;
	}
	out = labels[(size_t)idx];
	return VACCEL_OK;
}

/* The model's own input side: an int attribute `input_size` if present. */
int model_input_size(const torch::jit::Module &mod)
{
	if (mod.hasattr("input_size")) {
		auto v = mod.attr("input_size");
		if (v.isInt())
			return (int)v.toInt();
	}
	return 0;
}

void copy_out(unsigned char *dst, size_t len, const char *src)
{
	if (dst && len)
		snprintf(reinterpret_cast<char *>(dst), len, "%s", src);
}

/* Checks that tensor `t` (named `name`) is FLOAT with at least `n` elements. */
int check_float(const struct vaccel_torch_tensor *const *t, const char *name,
		int64_t n)
{
	if (!t || !t[0] || !t[0]->data) {
		vaccel_error("[torch] sgemm: tensor %s is missing", name);
		return VACCEL_EINVAL;
	}
	if (t[0]->data_type != VACCEL_TORCH_FLOAT ||
	    t[0]->size < (size_t)n * sizeof(float)) {
		vaccel_error("[torch] sgemm: tensor %s must be FLOAT with %" PRId64 " elements (dtype %d, %zu bytes)",
			     name, n, (int)t[0]->data_type, t[0]->size);
		return VACCEL_EINVAL;
	}
	return VACCEL_OK;
}

} /* namespace */

extern "C" int vtorch_image_classification(struct vaccel_session *sess,
					   const void *img,
					   unsigned char *out_text,
					   unsigned char *out_imgname,
					   size_t len_img, size_t len_out_text,
					   size_t len_out_imgname)
{
	struct vaccel_resource *model = nullptr;
	int ret;

	if (!sess || !img || !len_img || !out_text || !len_out_text) {
		vaccel_error("[torch] classify: bad arguments (session %p, image %p of %zu bytes, out_text %p of %zu)",
			     (void *)sess, img, len_img, (void *)out_text,
			     len_out_text);
		return VACCEL_EINVAL;
	}
	ret = vaccel_session_resource_by_type(sess, &model,
					      VACCEL_RESOURCE_MODEL);
	if (ret || !model) {
		vaccel_error("[torch] classify: session %" PRId64 " has no MODEL resource registered",
			     (int64_t)sess->id);
		return ret ? ret : VACCEL_ENOENT;
	}

	return vtorch_guard("classify", [&]() -> int {
		std::shared_ptr<torch::jit::Module> mod;
		std::vector<torch::Tensor> outs;
		std::string label;
		char err[256];
		float *chw = nullptr;
		size_t n = 0;
		int size;

		int r = vtorch_op_setup();

		if (!r)
			r = vtorch_module_get(model, mod);
		if (r)
			return r;
		size = vtorch_input_size(model_input_size(*mod));
		if (size < 0) {
			vaccel_error("[torch] VACCEL_TORCH_INPUT_SIZE=%s is not in 1..%d",
				     getenv("VACCEL_TORCH_INPUT_SIZE"),
				     VTORCH_MAX_INPUT_SIZE);
			return VACCEL_EINVAL;
		}
		if (vtorch_preprocess(img, len_img, size, &chw, &n, err,
				      sizeof(err))) {
			vaccel_error("[torch] classify: %s", err);
			return VACCEL_EINVAL;
		}
		/* The tensor owns the buffer from here on, even on a throw. */
		auto input = torch::from_blob(chw, { 1, 3, size, size }, free,
					      torch::kFloat32);

		c10::InferenceMode guard;
		try {
			auto x = vtorch_device().is_cpu() ?
					 input :
					 input.to(vtorch_device());
			r = vtorch_flatten_outputs(mod->forward({ x }), outs);
		} catch (const c10::Error &e) {
			vtorch_log_exception(e, "[torch] classify: forward() of model resource %" PRId64 " at %dx%d failed",
					     (int64_t)model->id, size, size);
			return VACCEL_EBACKEND;
		} catch (const std::runtime_error &e) {
			vtorch_log_exception(e, "[torch] classify: forward() of model resource %" PRId64 " at %dx%d failed",
					     (int64_t)model->id, size, size);
			return VACCEL_EBACKEND;
		}
		if (r)
			return r;
		if (outs.empty() || outs[0].numel() == 0) {
			vaccel_error("[torch] classify: model resource %" PRId64 " gave no scores",
				     (int64_t)model->id);
			return VACCEL_EBACKEND;
		}
		int64_t top = outs[0].flatten().argmax().item<int64_t>();
		r = label_of(top, label);
		if (r)
			return r;
		copy_out(out_text, len_out_text, label.c_str());
		/* Classification makes no image; upstream answers this. */
		copy_out(out_imgname, len_out_imgname, "PLACEHOLDER");
		return VACCEL_OK;
	});
}

extern "C" int vtorch_sgemm(struct vaccel_session *sess,
			    struct vaccel_torch_tensor **a,
			    struct vaccel_torch_tensor **b,
			    struct vaccel_torch_tensor **c, int m, int n,
			    int k, struct vaccel_torch_tensor **out)
{
	int ret;

	if (!sess || !out || m < 1 || n < 1 || k < 1) {
		vaccel_error("[torch] sgemm: bad arguments (session %p, out %p, m %d n %d k %d)",
			     (void *)sess, (void *)out, m, n, k);
		return VACCEL_EINVAL;
	}
	ret = check_float(a, "A", (int64_t)m * k);
	if (!ret)
		ret = check_float(b, "B", (int64_t)k * n);
	if (!ret)
		ret = check_float(c, "C", (int64_t)m * n);
	if (ret)
		return ret;

	return vtorch_guard("sgemm", [&]() -> int {
		int r = vtorch_op_setup();

		if (r)
			return r;
		c10::InferenceMode guard;
		auto ta = torch::from_blob(a[0]->data, { m, k }, torch::kFloat32);
		auto tb = torch::from_blob(b[0]->data, { k, n }, torch::kFloat32);
		auto tc = torch::from_blob(c[0]->data, { m, n }, torch::kFloat32);

		out[0] = nullptr;
		return vtorch_tensor_to_vaccel(torch::addmm(tc, ta, tb),
					       &out[0]);
	});
}

extern "C" int vtorch_blas_sgemm(struct vaccel_session *sess, int64_t m,
				 int64_t n, int64_t k, float alpha, float *a,
				 int64_t lda, float *b, int64_t ldb, float beta,
				 float *c, int64_t ldc)
{
	if (!sess || !a || !b || !c || m < 1 || n < 1 || k < 1 || lda < k ||
	    ldb < n || ldc < n) {
		vaccel_error("[torch] blas_sgemm: bad arguments (m %" PRId64 " n %" PRId64 " k %" PRId64 " lda %" PRId64 " ldb %" PRId64 " ldc %" PRId64 ")",
			     m, n, k, lda, ldb, ldc);
		return VACCEL_EINVAL;
	}

	return vtorch_guard("blas_sgemm", [&]() -> int {
		int r = vtorch_op_setup();

		if (r)
			return r;
		c10::InferenceMode guard;
		/* Row-major with leading dimensions: strided views, no copy. */
		auto ta = torch::from_blob(a, { m, k }, { lda, 1 },
					   torch::kFloat32);
		auto tb = torch::from_blob(b, { k, n }, { ldb, 1 },
					   torch::kFloat32);
		auto tc = torch::from_blob(c, { m, n }, { ldc, 1 },
					   torch::kFloat32);

		/* addmm ignores C (even NaNs in it) when beta is 0, as BLAS
		 * does. */
		tc.copy_(torch::addmm(tc, ta, tb, beta, alpha));
		return VACCEL_OK;
	});
}
