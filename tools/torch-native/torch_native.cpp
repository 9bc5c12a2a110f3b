// SPDX-License-Identifier: Apache-2.0
/*
 * torch-native: the benchmark's Native mode. Runs a TorchScript model
 * directly with libtorch on the same preprocessed image, on the same device
 * and with the same thread count as the vAccel torch plugin, and times each
 * forward() the way the torch_inference example times each
 * vaccel_torch_model_run() call.
 *
 *   torch-native <image> <model> [iterations] [--size N] [--out FILE]
 *
 * Prints one "run <i>: <ms> ms" line per iteration, then the mean, and the
 * top-1 class index. --out writes the last output tensor's raw bytes (float32,
 * host byte order) for bit-comparison with what vAccel returns.
 */
#include "preprocess.h"

#include <ATen/Parallel.h>
#include <torch/cuda.h>
#include <torch/script.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

namespace {

double now_ms()
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

int usage(const char *prog)
{
	fprintf(stderr,
		"usage: %s <image> <model> [iterations] [--size N] [--out FILE]\n",
		prog);
	return 2;
}

bool read_file(const char *path, std::vector<char> &out)
{
	std::ifstream in(path, std::ios::binary);

	if (!in)
		return false;
	out.assign(std::istreambuf_iterator<char>(in),
		   std::istreambuf_iterator<char>());
	return true;
}

/* The same choice as the plugin makes (see plugins/torch/model.cpp). */
torch::Device pick_device()
{
	const char *want = getenv("VACCEL_TORCH_DEVICE");

	if (want && *want)
		return torch::Device(std::string(want));
	return torch::cuda::is_available() ? torch::Device(torch::kCUDA) :
					     torch::Device(torch::kCPU);
}

int run(int argc, char **argv)
{
	const char *image = nullptr, *model = nullptr, *out_path = nullptr;
	long iterations = 1;
	int size = 0, npos = 0;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--size") == 0 && i + 1 < argc) {
			size = atoi(argv[++i]);
		} else if (strcmp(argv[i], "--out") == 0 && i + 1 < argc) {
			out_path = argv[++i];
		} else if (argv[i][0] == '-' && argv[i][1]) {
			return usage(argv[0]);
		} else if (npos == 0) {
			image = argv[i];
			npos++;
		} else if (npos == 1) {
			model = argv[i];
			npos++;
		} else if (npos == 2) {
			iterations = strtol(argv[i], nullptr, 10);
			npos++;
		} else {
			return usage(argv[0]);
		}
	}
	if (!image || !model || iterations < 1)
		return usage(argv[0]);

	size = vtorch_input_size(size);
	int threads = vtorch_thread_count();
	if (size < 1 || threads < 1) {
		fprintf(stderr, "bad VACCEL_TORCH_INPUT_SIZE or VACCEL_TORCH_THREADS\n");
		return 1;
	}
	at::set_num_threads(threads);
	torch::Device device = pick_device();

	std::vector<char> bytes;
	if (!read_file(image, bytes)) {
		fprintf(stderr, "cannot read %s: %s\n", image, strerror(errno));
		return 1;
	}
	float *chw = nullptr;
	size_t n = 0;
	char err[256];
	if (vtorch_preprocess(bytes.data(), bytes.size(), size, &chw, &n, err,
			      sizeof(err))) {
		fprintf(stderr, "%s: %s\n", image, err);
		return 1;
	}
	std::vector<float> input(chw, chw + n);
	free(chw);

	torch::jit::Module mod = torch::jit::load(model, device);
	mod.eval();
	printf("model %s on %s, %dx%d input, %d threads\n", model,
	       device.str().c_str(), size, size, threads);

	c10::InferenceMode guard;
	torch::Tensor out;
	double total = 0;
	for (long it = 0; it < iterations; it++) {
		double t0 = now_ms();
		auto x = torch::from_blob(input.data(), { 1, 3, size, size },
					  torch::kFloat32);
		if (!device.is_cpu())
			x = x.to(device);
		auto r = mod.forward({ x });
		out = (r.isTuple() ? r.toTupleRef().elements()[0].toTensor() :
				     r.toTensor())
			      .to(torch::kCPU)
			      .contiguous();
		double dt = now_ms() - t0;
		total += dt;
		printf("run %ld: %.3f ms\n", it + 1, dt);
	}
	printf("mean: %.3f ms over %ld runs\n", total / (double)iterations,
	       iterations);
	printf("top-1: %lld\n",
	       (long long)out.flatten().argmax().item<int64_t>());

	if (out_path) {
		FILE *f = fopen(out_path, "wb");
		if (!f || fwrite(out.data_ptr(), 1, out.nbytes(), f) !=
				  out.nbytes()) {
			fprintf(stderr, "cannot write %s\n", out_path);
			if (f)
				fclose(f);
			return 1;
		}
		fclose(f);
	}
	return 0;
}

} /* namespace */

int main(int argc, char **argv)
{
	try {
		return run(argc, argv);
	} catch (const c10::Error &e) {
		fprintf(stderr, "libtorch: %s\n", e.what_without_backtrace());
	} catch (const std::exception &e) {
		fprintf(stderr, "error: %s\n", e.what());
	}
	return 1;
}
