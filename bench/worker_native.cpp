// SPDX-License-Identifier: Apache-2.0
/*
 * bench-native: the benchmark worker of the Native mode. Runs the same
 * workloads as bench-vaccel directly with libtorch, timed the way
 * tools/torch-native times them (CLOCK_MONOTONIC around
 * from_blob + forward() + the output made contiguous on the CPU), on the
 * device and thread count the torch plugin would pick. Speaks the line
 * protocol of bench_worker.h.
 *
 * Native has no plugin boundary: its whole time counts as plugin time.
 */
#include "bench_worker.h"
#include "preprocess.h"

#include <ATen/Parallel.h>
#include <torch/cuda.h>
#include <torch/script.h>
#include <torch/version.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

namespace {

struct ctx {
	torch::Device device{ torch::kCPU };
	std::unique_ptr<torch::jit::Module> mod;
	std::vector<float> input;
	std::vector<char> img;
	std::vector<std::string> labels;
	std::string label;
	int size = 0;
	bool classify = false;
};

/* The same choice as the plugin makes (plugins/torch/model.cpp). */
torch::Device pick_device()
{
	const char *want = getenv("VACCEL_TORCH_DEVICE");

	if (want && *want)
		return torch::Device(std::string(want));
	return torch::cuda::is_available() ? torch::Device(torch::kCUDA) :
					     torch::Device(torch::kCPU);
}

/* Runs `fn`, turning a libtorch exception into -1 with its message. */
template <typename F> int guarded(char *err, size_t err_len, F fn)
{
	try {
		return fn();
	} catch (const c10::Error &e) {
		snprintf(err, err_len, "libtorch: %s",
			 e.what_without_backtrace());
	} catch (const std::exception &e) {
		snprintf(err, err_len, "%s", e.what());
	}
	return -1;
}

int load_model(ctx *c, const char *model, uint64_t *load_ns, char *err,
	       size_t err_len)
{
	return guarded(err, err_len, [&]() {
		uint64_t t0 = bw_now_ns();

		c->mod = std::make_unique<torch::jit::Module>(
			torch::jit::load(model, c->device));
		c->mod->eval();
		*load_ns = bw_now_ns() - t0;
		return 0;
	});
}

void unload(void *p)
{
	ctx *c = static_cast<ctx *>(p);

	c->mod.reset();
	c->input.clear();
	c->img.clear();
	c->classify = false;
}

int read_image(ctx *c, const char *image, char *err, size_t err_len)
{
	char *buf = nullptr;
	size_t len = 0;

	if (bw_read_file(image, &buf, &len, err, err_len))
		return -1;
	c->img.assign(buf, buf + len);
	free(buf);
	return 0;
}

int torch_setup(void *p, const char *model, int size, const char *image,
		uint64_t *load_ns, char *err, size_t err_len)
{
	ctx *c = static_cast<ctx *>(p);
	float *chw = nullptr;
	size_t n = 0;
	char perr[256];

	unload(c);
	if (read_image(c, image, err, err_len))
		return -1;
	if (vtorch_preprocess(c->img.data(), c->img.size(), size, &chw, &n,
			      perr, sizeof(perr))) {
		snprintf(err, err_len, "%s at %d: %s", image, size, perr);
		return -1;
	}
	c->input.assign(chw, chw + n);
	free(chw);
	c->size = size;
	if (load_model(c, model, load_ns, err, err_len)) {
		unload(c);
		return -1;
	}
	return 0;
}

/* The labels the plugin would answer with (VACCEL_TORCH_LABELS), read once
 * here as the plugin caches them. */
void read_labels(ctx *c)
{
	const char *path = getenv("VACCEL_TORCH_LABELS");
	std::string line;

	if (!c->labels.empty() || !path)
		return;
	std::ifstream in(path);
	while (std::getline(in, line))
		c->labels.push_back(line);
}

int classify_setup(void *p, const char *model, const char *image,
		   uint64_t *load_ns, char *err, size_t err_len)
{
	ctx *c = static_cast<ctx *>(p);

	unload(c);
	if (read_image(c, image, err, err_len))
		return -1;
	/* As the plugin: VACCEL_TORCH_INPUT_SIZE, else 224. */
	c->size = vtorch_input_size(0);
	if (c->size < 1) {
		snprintf(err, err_len, "bad VACCEL_TORCH_INPUT_SIZE");
		return -1;
	}
	read_labels(c);
	if (load_model(c, model, load_ns, err, err_len)) {
		unload(c);
		return -1;
	}
	c->classify = true;
	return 0;
}

torch::Tensor first_output(const c10::IValue &r)
{
	return r.isTuple() ? r.toTupleRef().elements()[0].toTensor() :
			     r.toTensor();
}

int iterate(void *p, struct bw_sample *s, char *err, size_t err_len)
{
	ctx *c = static_cast<ctx *>(p);

	if (!c->mod) {
		snprintf(err, err_len, "no workload loaded");
		return -1;
	}
	return guarded(err, err_len, [&]() {
		c10::InferenceMode guard;
		torch::Tensor out;
		float *chw = nullptr;
		char perr[256];
		size_t n = 0;
		uint64_t t0, t1;

		t0 = bw_now_ns();
		if (!c->classify) {
			auto x = torch::from_blob(c->input.data(),
						  { 1, 3, c->size, c->size },
						  torch::kFloat32);
			if (!c->device.is_cpu())
				x = x.to(c->device);
			out = first_output(c->mod->forward({ x }))
				      .to(torch::kCPU)
				      .contiguous();
		} else {
			if (vtorch_preprocess(c->img.data(), c->img.size(),
					      c->size, &chw, &n, perr,
					      sizeof(perr))) {
				snprintf(err, err_len, "%s", perr);
				return -1;
			}
			auto x = torch::from_blob(chw,
						  { 1, 3, c->size, c->size },
						  free, torch::kFloat32);
			if (!c->device.is_cpu())
				x = x.to(c->device);
			out = first_output(c->mod->forward({ x }));
			int64_t top = out.flatten().argmax().item<int64_t>();
			c->label = top >= 0 && (size_t)top < c->labels.size() ?
					   c->labels[(size_t)top] :
					   "?";
		}
		t1 = bw_now_ns();
		s->e2e = (int64_t)(t1 - t0);
		s->plugin = s->e2e;
		s->transport = -1;
		return 0;
	});
}

void info(void *p, char *buf, size_t len)
{
	ctx *c = static_cast<ctx *>(p);

	snprintf(buf, len, "device=%s threads=%d torch=%d.%d.%d",
		 c->device.str().c_str(), at::get_num_threads(),
		 TORCH_VERSION_MAJOR, TORCH_VERSION_MINOR, TORCH_VERSION_PATCH);
}

} /* namespace */

int main()
{
	static const struct bw_ops ops = {
		torch_setup, classify_setup, nullptr, iterate, unload, info,
	};
	ctx c;
	char err[256];

	int threads = vtorch_thread_count();
	if (threads < 1) {
		fprintf(stderr, "bench-native: bad VACCEL_TORCH_THREADS\n");
		return 1;
	}
	if (guarded(err, sizeof(err), [&]() {
		    at::set_num_threads(threads);
		    c.device = pick_device();
		    return 0;
	    })) {
		fprintf(stderr, "bench-native: %s\n", err);
		return 1;
	}
	return bw_main("bench-native", &ops, &c);
}
