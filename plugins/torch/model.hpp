/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Internals shared by the plugin's two C++ files: the model cache, the
 * device, tensor conversion and the exception guard.
 */
#ifndef VACCEL_TORCH_MODEL_HPP
#define VACCEL_TORCH_MODEL_HPP

#include "torch_plugin.h"

#include <torch/script.h>

#include <exception>
#include <memory>
#include <new>
#include <string>
#include <vector>

/* Where models and inputs live (chosen on the first op, see
 * vtorch_op_setup). */
torch::Device vtorch_device();

/*
 * The loaded module of `model`, loading and caching it on first use. The
 * shared_ptr keeps the module alive for the caller even if another thread
 * unregisters the resource meanwhile. Returns VACCEL_OK, VACCEL_EINVAL (not a
 * MODEL resource, no file in it) or VACCEL_EBACKEND (libtorch could not load
 * it), logging the reason. May throw; call it inside vtorch_guard().
 */
int vtorch_module_get(struct vaccel_resource *model,
		      std::shared_ptr<torch::jit::Module> &out);

/* Every op calls this first: on the process's first op it picks the device
 * (VACCEL_ENODEV when a forced CUDA device is not there, logged), and it
 * gives the calling thread the configured intra-op thread count (libtorch
 * keeps it per thread with OpenMP); cheap after the first call. */
int vtorch_op_setup();

/* Checks a caller tensor (dtype, dims, size = product(dims) * element size,
 * data) and logs what is wrong with input `idx`. */
int vtorch_tensor_check(const struct vaccel_torch_tensor *t, int idx);

/* A tensor viewing the caller's data (no copy), on the plugin's device. */
torch::Tensor vtorch_tensor_from_vaccel(const struct vaccel_torch_tensor *t);

/* A new vAccel tensor (owned data) holding a copy of `t`, moved to the CPU
 * and made contiguous. Returns VACCEL_EBACKEND for dtypes vAccel lacks. */
int vtorch_tensor_to_vaccel(const torch::Tensor &t,
			    struct vaccel_torch_tensor **out);

/* The tensors of a forward() result: a tensor, or a tuple/list of them. */
int vtorch_flatten_outputs(const c10::IValue &v,
			   std::vector<torch::Tensor> &out);

/* error.cpp: the line of a libtorch error text that says what went wrong
 * (after TorchScript's tracebacks, else the first line). */
std::string vtorch_reason(const std::string &text);

/* Logs "<context>: <reason>" at error level (so it becomes the caller's
 * last error message) and libtorch's whole text, tracebacks included, at
 * debug level. `fmt` formats the context ("[torch] forward() of ..."). */
void vtorch_log_exception(const std::exception &e, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/*
 * Runs `fn` (returning a VACCEL_* code) and turns any exception into
 * VACCEL_EBACKEND (VACCEL_ENOMEM for bad_alloc) with libtorch's reason in
 * the log, so that no exception crosses into C.
 */
template <typename Fn> static inline int vtorch_guard(const char *what, Fn &&fn)
{
	try {
		return fn();
	} catch (const std::bad_alloc &e) {
		vaccel_error("[torch] %s: out of memory", what);
		return VACCEL_ENOMEM;
	} catch (const std::exception &e) {
		vtorch_log_exception(e, "[torch] %s", what);
	} catch (...) {
		vaccel_error("[torch] %s: unknown exception", what);
	}
	return VACCEL_EBACKEND;
}

#endif /* VACCEL_TORCH_MODEL_HPP */
