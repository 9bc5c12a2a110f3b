/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Plugin lifecycle, the model cache and TORCH_MODEL_LOAD / TORCH_MODEL_RUN.
 */
#include "model.hpp"
#include "preprocess.h"

#include <ATen/Parallel.h>
#include <torch/cuda.h>

#include <cinttypes>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <sstream>
#include <string>
#include <unordered_map>

#include <unistd.h>

namespace {

/* Models keyed by resource id. Runs copy the shared_ptr out under the lock
 * and run without it, so unloading never pulls a module from under them. */
std::mutex cache_lock;
std::unordered_map<vaccel_id_t, std::shared_ptr<torch::jit::Module>> cache;

/*
 * At exit the loader runs this plugin's static destructors (and libtorch's,
 * which it depends on) before libvaccel's cleanup calls vtorch_fini() and
 * the resource hooks. So the cache is emptied here, while libtorch is still
 * alive, and the hooks check `cache_open` (a trivial bool that stays
 * readable) instead of touching destroyed objects. Declared after the map
 * so that it is destroyed before it.
 */
bool cache_open = true;
struct cache_closer {
	~cache_closer()
	{
		std::lock_guard<std::mutex> g(cache_lock);
		cache.clear();
		cache_open = false;
	}
} closer;

torch::Device device(torch::kCPU);
int nr_threads = 1;

/* Largest rank accepted for an input tensor. */
constexpr int64_t max_dims = 64;

struct dtype_map {
	enum vaccel_torch_data_type v;
	c10::ScalarType t;
	size_t size;
};

const dtype_map dtypes[] = {
	{ VACCEL_TORCH_BYTE, torch::kUInt8, 1 },
	{ VACCEL_TORCH_CHAR, torch::kInt8, 1 },
	{ VACCEL_TORCH_SHORT, torch::kInt16, 2 },
	{ VACCEL_TORCH_INT, torch::kInt32, 4 },
	{ VACCEL_TORCH_LONG, torch::kInt64, 8 },
	{ VACCEL_TORCH_HALF, torch::kHalf, 2 },
	{ VACCEL_TORCH_FLOAT, torch::kFloat32, 4 },
	{ VACCEL_TORCH_DOUBLE, torch::kFloat64, 8 },
	{ VACCEL_TORCH_BOOL, torch::kBool, 1 },
};

const dtype_map *dtype_by_vaccel(int v)
{
	for (const auto &d : dtypes)
		if (d.v == v)
			return &d;
	return nullptr;
}

const dtype_map *dtype_by_torch(c10::ScalarType t)
{
	for (const auto &d : dtypes)
		if (d.t == t)
			return &d;
	return nullptr;
}

/* The device asked for by VACCEL_TORCH_DEVICE, checked for syntax only at
 * init (parsing a device name touches no driver). */
bool device_forced;
torch::Device wanted(torch::kCPU);

int parse_device()
{
	const char *want = getenv("VACCEL_TORCH_DEVICE");

	device_forced = want && *want;
	if (!device_forced)
		return VACCEL_OK;
	try {
		wanted = torch::Device(std::string(want));
	} catch (const std::exception &e) {
		vaccel_error("[torch] VACCEL_TORCH_DEVICE=%s is not a device (cpu, cuda, cuda:N)",
			     want);
		return VACCEL_EINVAL;
	}
	if (!wanted.is_cpu() && !wanted.is_cuda()) {
		vaccel_error("[torch] VACCEL_TORCH_DEVICE=%s: only cpu and cuda are supported",
			     want);
		return VACCEL_ENOTSUP;
	}
	return VACCEL_OK;
}

/*
 * Picks the device, on the first op: the forced one, else CUDA when this
 * libtorch has it and a GPU is present, else the CPU. It runs on first use
 * and not in init() because asking whether CUDA is there initialises the
 * CUDA driver, and a process that forks after that (the agent's supervisor
 * loads plugins, then forks workers) leaves its children without CUDA.
 */
int resolve_device()
{
	if (device_forced && wanted.is_cuda() && !torch::cuda::is_available()) {
		vaccel_error("[torch] VACCEL_TORCH_DEVICE=%s but this libtorch has no CUDA or no GPU is present",
			     getenv("VACCEL_TORCH_DEVICE"));
		return VACCEL_ENODEV;
	}
	if (device_forced)
		device = wanted;
	else if (torch::cuda::is_available())
		device = torch::Device(torch::kCUDA);
	else
		device = torch::Device(torch::kCPU);
	vaccel_info("[torch] running on %s, %d intra-op threads (pid %d)",
		    device.str().c_str(), nr_threads, (int)getpid());
	return VACCEL_OK;
}

/* The blob holding the TorchScript file: the first one named *.pt or *.pth,
 * else the first blob. */
struct vaccel_blob *model_blob(struct vaccel_resource *res)
{
	for (size_t i = 0; i < res->nr_blobs; i++) {
		const char *n = res->blobs[i] ? res->blobs[i]->name : nullptr;
		size_t len = n ? strlen(n) : 0;

		if ((len > 3 && strcmp(n + len - 3, ".pt") == 0) ||
		    (len > 4 && strcmp(n + len - 4, ".pth") == 0))
			return res->blobs[i];
	}
	return res->nr_blobs ? res->blobs[0] : nullptr;
}

int load_module(struct vaccel_resource *res, torch::jit::Module &mod)
{
	struct vaccel_blob *blob = model_blob(res);
	const char *path;

	if (!blob) {
		vaccel_error("[torch] model resource %" PRId64 " has no file",
			     (int64_t)res->id);
		return VACCEL_EINVAL;
	}

	/* A file blob is loaded from disk; a memory-only blob from its bytes. */
	path = vaccel_blob_path(blob);
	try {
		if (path) {
			mod = torch::jit::load(path, device);
		} else {
			size_t size = 0;
			uint8_t *data = vaccel_blob_data(blob, &size);

			if (!data || !size) {
				vaccel_error("[torch] model resource %" PRId64 " has an empty blob",
					     (int64_t)res->id);
				return VACCEL_EINVAL;
			}
			std::istringstream in(std::string(
				reinterpret_cast<const char *>(data), size));
			mod = torch::jit::load(in, device);
		}
	} catch (const c10::Error &e) {
		vtorch_log_exception(e, "[torch] cannot load model of resource %" PRId64 " from %s",
				     (int64_t)res->id, path ? path : "memory");
		return VACCEL_EBACKEND;
	}
	mod.eval();
	vaccel_debug("[torch] loaded model of resource %" PRId64 " from %s on %s",
		     (int64_t)res->id, path ? path : "memory",
		     device.str().c_str());
	return VACCEL_OK;
}

} /* namespace */

torch::Device vtorch_device()
{
	return device;
}

int vtorch_op_setup()
{
	static std::once_flag once;
	static int device_ret;
	static thread_local bool done;

	std::call_once(once, []() { device_ret = resolve_device(); });
	if (device_ret)
		return device_ret;
	if (!done) {
		at::set_num_threads(nr_threads);
		done = true;
	}
	return VACCEL_OK;
}

int vtorch_module_get(struct vaccel_resource *model,
		      std::shared_ptr<torch::jit::Module> &out)
{
	int ret;

	if (!model || model->type != VACCEL_RESOURCE_MODEL) {
		vaccel_error("[torch] resource %" PRId64 " is not a MODEL resource",
			     model ? (int64_t)model->id : 0);
		return VACCEL_EINVAL;
	}
	if (!cache_open) {
		vaccel_error("[torch] plugin is shutting down");
		return VACCEL_EBACKEND;
	}
	{
		std::lock_guard<std::mutex> g(cache_lock);
		auto it = cache.find(model->id);
		if (it != cache.end()) {
			out = it->second;
			return VACCEL_OK;
		}
	}

	/* Load without the lock: a big model takes seconds and other models
	 * must stay usable. When two threads race, the first insert wins and
	 * the other copy is dropped. */
	auto mod = std::make_shared<torch::jit::Module>();
	ret = load_module(model, *mod);
	if (ret)
		return ret;

	std::lock_guard<std::mutex> g(cache_lock);
	auto res = cache.emplace(model->id, mod);
	out = res.first->second;
	return VACCEL_OK;
}

int vtorch_tensor_check(const struct vaccel_torch_tensor *t, int idx)
{
	const dtype_map *d;
	size_t n = 1;

	if (!t) {
		vaccel_error("[torch] input %d is NULL", idx);
		return VACCEL_EINVAL;
	}
	d = dtype_by_vaccel(t->data_type);
	if (!d) {
		vaccel_error("[torch] input %d has unsupported dtype %d", idx,
			     (int)t->data_type);
		return VACCEL_EINVAL;
	}
	if (t->nr_dims < 0 || t->nr_dims > max_dims ||
	    (t->nr_dims > 0 && !t->dims)) {
		vaccel_error("[torch] input %d has a bad rank %" PRId64, idx,
			     t->nr_dims);
		return VACCEL_EINVAL;
	}
	for (int64_t i = 0; i < t->nr_dims; i++) {
		if (t->dims[i] < 0 ||
		    __builtin_mul_overflow(n, (size_t)t->dims[i], &n)) {
			vaccel_error("[torch] input %d: bad dimension %" PRId64 " = %" PRId64,
				     idx, i, t->dims[i]);
			return VACCEL_EINVAL;
		}
	}
	if (__builtin_mul_overflow(n, d->size, &n) || n != t->size) {
		vaccel_error("[torch] input %d: %zu bytes of data but its dims need %zu",
			     idx, t->size, n);
		return VACCEL_EINVAL;
	}
	if (n && !t->data) {
		vaccel_error("[torch] input %d has no data", idx);
		return VACCEL_EINVAL;
	}
	return VACCEL_OK;
}

torch::Tensor vtorch_tensor_from_vaccel(const struct vaccel_torch_tensor *t)
{
	std::vector<int64_t> dims(t->dims, t->dims + t->nr_dims);
	auto opts = torch::TensorOptions().dtype(
		dtype_by_vaccel(t->data_type)->t);
	auto x = torch::from_blob(t->data, dims, opts);

	return device.is_cpu() ? x : x.to(device);
}

int vtorch_tensor_to_vaccel(const torch::Tensor &t,
			    struct vaccel_torch_tensor **out)
{
	const dtype_map *d = dtype_by_torch(t.scalar_type());
	struct vaccel_torch_tensor *v = nullptr;
	int ret;

	if (!d) {
		vaccel_error("[torch] output dtype %s has no vAccel equivalent",
			     c10::toString(t.scalar_type()));
		return VACCEL_EBACKEND;
	}
	auto c = t.to(torch::kCPU).contiguous();
	auto sizes = c.sizes();
	size_t nbytes = c.nbytes();

	ret = vaccel_torch_tensor_allocate(&v, (int64_t)sizes.size(),
					   sizes.data(), d->v, nbytes);
	if (ret) {
		vaccel_error("[torch] cannot allocate an output of %zu bytes",
			     nbytes);
		return ret;
	}
	if (nbytes)
		memcpy(v->data, c.data_ptr(), nbytes);
	*out = v;
	return VACCEL_OK;
}

int vtorch_flatten_outputs(const c10::IValue &v,
			   std::vector<torch::Tensor> &out)
{
	if (v.isTensor()) {
		out.push_back(v.toTensor());
		return VACCEL_OK;
	}
	if (v.isTuple()) {
		for (const auto &e : v.toTupleRef().elements())
			if (vtorch_flatten_outputs(e, out))
				return VACCEL_EBACKEND;
		return VACCEL_OK;
	}
	if (v.isTensorList()) {
		for (const auto &e : v.toTensorVector())
			out.push_back(e);
		return VACCEL_OK;
	}
	if (v.isList()) {
		for (const auto &e : v.toListRef())
			if (vtorch_flatten_outputs(e, out))
				return VACCEL_EBACKEND;
		return VACCEL_OK;
	}
	vaccel_error("[torch] forward() returned a %s, not tensors",
		     v.tagKind().c_str());
	return VACCEL_EBACKEND;
}

/* Reads and checks the settings only: nothing here may start a libtorch,
 * OpenMP or CUDA thread or driver, since the agent forks after init(). */
extern "C" int vtorch_init(void)
{
	return vtorch_guard("init", []() -> int {
		int ret = parse_device();

		if (ret)
			return ret;
		nr_threads = vtorch_thread_count();
		if (nr_threads < 1) {
			vaccel_error("[torch] VACCEL_TORCH_THREADS=%s is not a positive number",
				     getenv("VACCEL_TORCH_THREADS"));
			return VACCEL_EINVAL;
		}
		return VACCEL_OK;
	});
}

extern "C" int vtorch_fini(void)
{
	if (!cache_open)
		return VACCEL_OK;
	return vtorch_guard("fini", []() -> int {
		std::lock_guard<std::mutex> g(cache_lock);
		cache.clear();
		return VACCEL_OK;
	});
}

extern "C" int vtorch_resource_unregister(struct vaccel_resource *res,
					  struct vaccel_session *sess)
{
	(void)sess;
	if (!res)
		return VACCEL_EINVAL;
	if (!cache_open || res->type != VACCEL_RESOURCE_MODEL ||
	    vaccel_resource_refcount(res) != 0)
		return VACCEL_OK;

	return vtorch_guard("resource_unregister", [res]() -> int {
		std::shared_ptr<torch::jit::Module> victim;
		{
			std::lock_guard<std::mutex> g(cache_lock);
			auto it = cache.find(res->id);
			if (it == cache.end())
				return VACCEL_OK;
			victim = std::move(it->second);
			cache.erase(it);
		}
		/* The module is freed here, outside the lock, unless a run
		 * still holds it (then when that run ends). */
		vaccel_debug("[torch] unloaded model of resource %" PRId64,
			     (int64_t)res->id);
		return VACCEL_OK;
	});
}

extern "C" int vtorch_model_load(struct vaccel_session *sess,
				 struct vaccel_resource *model)
{
	if (!sess || !model) {
		vaccel_error("[torch] model_load: NULL %s",
			     !sess ? "session" : "model");
		return VACCEL_EINVAL;
	}
	return vtorch_guard("model_load", [model]() -> int {
		std::shared_ptr<torch::jit::Module> mod;
		int ret = vtorch_op_setup();

		return ret ? ret : vtorch_module_get(model, mod);
	});
}

/* Copies forward()'s outputs into new vAccel tensors; on failure frees
 * those made so far and leaves `outputs` all NULL. */
static int outputs_to_vaccel(const std::vector<torch::Tensor> &outs,
			     struct vaccel_torch_tensor **outputs,
			     int nr_outputs)
{
	int ret = VACCEL_OK;
	int i;

	for (i = 0; i < nr_outputs; i++) {
		outputs[i] = nullptr;
		ret = vtorch_tensor_to_vaccel(outs[i], &outputs[i]);
		if (ret)
			break;
	}
	if (ret) {
		while (i-- > 0) {
			vaccel_torch_tensor_delete(outputs[i]);
			outputs[i] = nullptr;
		}
	}
	return ret;
}

extern "C" int vtorch_model_run(struct vaccel_session *sess,
				struct vaccel_resource *model,
				const struct vaccel_torch_buffer *run_options,
				struct vaccel_torch_tensor *const *inputs,
				int nr_inputs,
				struct vaccel_torch_tensor **outputs,
				int nr_outputs)
{
	/* Run options are a TensorFlow notion; TorchScript has none. */
	(void)run_options;

	if (!sess || !model || (nr_inputs > 0 && !inputs) || nr_inputs < 0 ||
	    !outputs || nr_outputs < 1) {
		vaccel_error("[torch] model_run: bad arguments (session %p, model %p, %d inputs at %p, %d outputs at %p)",
			     (void *)sess, (void *)model, nr_inputs,
			     (void *)inputs, nr_outputs, (void *)outputs);
		return VACCEL_EINVAL;
	}
	for (int i = 0; i < nr_inputs; i++) {
		int ret = vtorch_tensor_check(inputs[i], i);
		if (ret)
			return ret;
	}

	return vtorch_guard("model_run", [&]() -> int {
		std::shared_ptr<torch::jit::Module> mod;
		std::vector<torch::jit::IValue> in;
		std::vector<torch::Tensor> outs;
		int ret = vtorch_op_setup();

		if (!ret)
			ret = vtorch_module_get(model, mod);
		if (ret)
			return ret;
		c10::InferenceMode guard;

		in.reserve((size_t)nr_inputs);
		for (int i = 0; i < nr_inputs; i++)
			in.emplace_back(vtorch_tensor_from_vaccel(inputs[i]));

		try {
			ret = vtorch_flatten_outputs(mod->forward(in), outs);
		} catch (const c10::Error &e) {
			vtorch_log_exception(e, "[torch] forward() of model resource %" PRId64 " failed",
					     (int64_t)model->id);
			return VACCEL_EBACKEND;
		} catch (const std::runtime_error &e) {
			/* TorchScript interpreter errors (JITException). */
			vtorch_log_exception(e, "[torch] forward() of model resource %" PRId64 " failed",
					     (int64_t)model->id);
			return VACCEL_EBACKEND;
		}
		if (ret)
			return ret;
		if (outs.size() < (size_t)nr_outputs) {
			vaccel_error("[torch] model resource %" PRId64 " gave %zu outputs, %d asked for",
				     (int64_t)model->id, outs.size(),
				     nr_outputs);
			return VACCEL_EINVAL;
		}
		return outputs_to_vaccel(outs, outputs, nr_outputs);
	});
}
