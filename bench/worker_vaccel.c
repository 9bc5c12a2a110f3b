// SPDX-License-Identifier: Apache-2.0
/*
 * bench-vaccel: the benchmark worker of every vAccel mode. The plugin in
 * VACCEL_PLUGINS decides the mode: the torch (and noop/mbench) plugins make
 * it "vAccel Local"; the rpc plugin with VACCEL_RPC_ADDRESS makes it
 * "vAccel RPC" over that address. It speaks the line protocol of
 * bench_worker.h on stdin/stdout.
 *
 * Timings of one iteration:
 *   e2e        CLOCK_MONOTONIC around the public API call (the same clock
 *              and the same boundaries as bench-native's forward()).
 *   plugin     Local: the core's profiling sample of the op, i.e. the
 *              plugin call as dispatched. RPC: t_exec, the agent's time in
 *              the host plugin, from the reply prefix.
 *   transport  RPC only: the round trip minus the time the agent held the
 *              request (the rpc plugin's "rpc_transport" sample).
 * Both need VACCEL_PROFILING_ENABLED=1, which bench/run sets for every
 * vAccel mode alike; without it they are reported as -1.
 */
#include "bench_worker.h"
#include "preprocess.h"

#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <vaccel.h>

/* Exported by libvaccel for tests and tools (src/core/op_prof.c): the
 * core's profiling region of one op type. Declared here because it is not
 * part of the public headers. */
const struct vaccel_prof_region *vaccel__op_prof_region(vaccel_op_type_t type);

enum workload { W_NONE, W_TORCH, W_CLASSIFY, W_EXEC };

struct ctx {
	struct vaccel_session sess;
	enum workload w;
	vaccel_op_type_t op;
	/* torch and classify */
	struct vaccel_resource model;
	bool model_ok, reg_ok;
	float *chw;
	struct vaccel_torch_tensor *in, *out;
	char *img;
	size_t img_len;
	unsigned char text[256], imgname[64];
	/* exec */
	char lib[4096], sym[16], ms[16];
	char *payload;
	struct vaccel_arg args[2];
	size_t nr_args;
};

/*
 * The rpc plugin reports each call's transport and agent times by adding
 * samples to its profiling regions "rpc_transport" and "rpc_agent_exec"
 * through this public function (docs/protocol.md, "Reply prefix"). Defining
 * it in the executable (exported with -rdynamic) makes the plugin's calls
 * land here first, so the worker sees each call's values without any hook
 * in the plugin; the samples are then passed on to libvaccel unchanged.
 */
static int64_t rpc_transport_ns = -1, rpc_exec_ns = -1;

int vaccel_prof_region_add_sample(struct vaccel_prof_region *region,
				  uint64_t start, uint64_t time)
{
	static int (*real)(struct vaccel_prof_region *, uint64_t, uint64_t);

	if (region && region->name) {
		if (strcmp(region->name, "rpc_transport") == 0)
			rpc_transport_ns = (int64_t)time;
		else if (strcmp(region->name, "rpc_agent_exec") == 0)
			rpc_exec_ns = (int64_t)time;
	}
	if (!real) {
		*(void **)&real =
			dlsym(RTLD_NEXT, "vaccel_prof_region_add_sample");
		if (!real)
			return VACCEL_ENOENT;
	}
	return real(region, start, time);
}

/* The core's last sample of the op's region, or -1. */
static int64_t op_sample(vaccel_op_type_t op, size_t before)
{
	const struct vaccel_prof_region *r = vaccel__op_prof_region(op);

	if (!r || r->nr_entries <= before || !r->samples)
		return -1;
	return (int64_t)r->samples[r->nr_entries - 1].time;
}

static size_t op_entries(vaccel_op_type_t op)
{
	const struct vaccel_prof_region *r = vaccel__op_prof_region(op);

	return r ? r->nr_entries : 0;
}

static void unload(void *p)
{
	struct ctx *c = p;

	vaccel_torch_tensor_delete(c->out);
	vaccel_torch_tensor_delete(c->in);
	c->out = c->in = NULL;
	if (c->reg_ok)
		vaccel_resource_unregister(&c->model, &c->sess);
	if (c->model_ok)
		vaccel_resource_release(&c->model);
	c->reg_ok = c->model_ok = false;
	free(c->chw);
	free(c->img);
	free(c->payload);
	c->chw = NULL;
	c->img = NULL;
	c->payload = NULL;
	for (size_t i = 0; i < c->nr_args; i++)
		vaccel_arg_release(&c->args[i]);
	c->nr_args = 0;
	c->w = W_NONE;
}

/* Registers and loads a model; the load time covers all three steps (over
 * RPC that includes uploading the file). */
static int load_model(struct ctx *c, const char *path, uint64_t *load_ns,
		      char *err, size_t err_len)
{
	uint64_t t0 = bw_now_ns();
	int ret;

	ret = vaccel_resource_init(&c->model, path, VACCEL_RESOURCE_MODEL);
	if (ret) {
		snprintf(err, err_len, "model resource from %s: %s", path,
			 vaccel_strerror(ret));
		return -1;
	}
	c->model_ok = true;
	ret = vaccel_resource_register(&c->model, &c->sess);
	if (ret) {
		snprintf(err, err_len, "register %s: %s", path,
			 vaccel_strerror(ret));
		return -1;
	}
	c->reg_ok = true;
	ret = vaccel_torch_model_load(&c->sess, &c->model);
	if (ret) {
		snprintf(err, err_len, "load %s: %s", path,
			 vaccel_strerror(ret));
		return -1;
	}
	*load_ns = bw_now_ns() - t0;
	return 0;
}

static int torch_setup(void *p, const char *model, int size,
		       const char *image, uint64_t *load_ns, char *err,
		       size_t err_len)
{
	struct ctx *c = p;
	int64_t dims[4] = { 1, 3, size, size };
	char perr[256];
	size_t n = 0;
	int ret;

	unload(c);
	if (bw_read_file(image, &c->img, &c->img_len, err, err_len))
		return -1;
	if (vtorch_preprocess(c->img, c->img_len, size, &c->chw, &n, perr,
			      sizeof(perr))) {
		snprintf(err, err_len, "%s at %d: %s", image, size, perr);
		goto fail;
	}
	ret = vaccel_torch_tensor_new(&c->in, 4, dims, VACCEL_TORCH_FLOAT);
	if (!ret)
		ret = vaccel_torch_tensor_set_data(c->in, c->chw,
						   n * sizeof(float));
	if (ret) {
		snprintf(err, err_len, "input tensor 1x3x%dx%d: %s", size,
			 size, vaccel_strerror(ret));
		goto fail;
	}
	if (load_model(c, model, load_ns, err, err_len))
		goto fail;
	c->w = W_TORCH;
	c->op = VACCEL_OP_TORCH_MODEL_RUN;
	return 0;
fail:
	unload(c);
	return -1;
}

static int classify_setup(void *p, const char *model, const char *image,
			  uint64_t *load_ns, char *err, size_t err_len)
{
	struct ctx *c = p;

	unload(c);
	if (bw_read_file(image, &c->img, &c->img_len, err, err_len))
		return -1;
	if (load_model(c, model, load_ns, err, err_len)) {
		unload(c);
		return -1;
	}
	c->w = W_CLASSIFY;
	c->op = VACCEL_OP_IMAGE_CLASSIFY;
	return 0;
}

/*
 * An exec op whose only cost is moving `bytes` bytes: through the noop
 * plugin (returns at once) or the mbench plugin (busy-waits BENCH_MBENCH_MS,
 * default 1 ms, a known plugin time). The library argument is
 * BENCH_EXEC_LIB when set: an agent runs exec only for libraries it was
 * told to allow (--exec-allow), by real path, so bench/run passes the
 * plugin's own file; neither plugin opens it.
 */
static int exec_setup(void *p, const char *kind, size_t bytes, char *err,
		      size_t err_len)
{
	struct ctx *c = p;
	const char *ms = getenv("BENCH_MBENCH_MS");
	const char *lib = getenv("BENCH_EXEC_LIB");
	int ret = 0;

	unload(c);
	if (strcmp(kind, "noop") != 0 && strcmp(kind, "mbench") != 0) {
		snprintf(err, err_len, "exec kind '%s' is not noop or mbench",
			 kind);
		return -1;
	}
	snprintf(c->lib, sizeof(c->lib), "%s", lib && *lib ? lib : kind);
	snprintf(c->sym, sizeof(c->sym), "%s", kind);
	snprintf(c->ms, sizeof(c->ms), "%s", ms && *ms ? ms : "1");
	if (strcmp(kind, "mbench") == 0)
		ret = vaccel_arg_init_from_buf(&c->args[c->nr_args++], c->ms,
					       strlen(c->ms) + 1,
					       VACCEL_ARG_STRING, 0);
	if (!ret && bytes) {
		c->payload = malloc(bytes);
		if (!c->payload) {
			snprintf(err, err_len, "no memory for %zu bytes", bytes);
			return -1;
		}
		/* Touch every page now so that page faults stay out of the
		 * timed calls. */
		memset(c->payload, 0x5a, bytes);
		ret = vaccel_arg_init_from_buf(&c->args[c->nr_args++],
					       c->payload, bytes,
					       VACCEL_ARG_RAW, 0);
	}
	if (ret) {
		snprintf(err, err_len, "exec args (%zu bytes): %s", bytes,
			 vaccel_strerror(ret));
		unload(c);
		return -1;
	}
	c->w = W_EXEC;
	c->op = VACCEL_OP_EXEC;
	return 0;
}

static int call(struct ctx *c)
{
	switch (c->w) {
	case W_TORCH:
		return vaccel_torch_model_run(&c->sess, &c->model, NULL, &c->in,
					      1, &c->out, 1);
	case W_CLASSIFY:
		return vaccel_image_classification(&c->sess, c->img, c->text,
						   c->imgname, c->img_len,
						   sizeof(c->text),
						   sizeof(c->imgname));
	case W_EXEC:
		return vaccel_exec(&c->sess, c->lib, c->sym,
				   c->nr_args ? c->args : NULL, c->nr_args,
				   NULL, 0);
	default:
		return VACCEL_EINVAL;
	}
}

static int iterate(void *p, struct bw_sample *s, char *err, size_t err_len)
{
	struct ctx *c = p;
	size_t before;
	uint64_t t0, t1;
	int ret;

	if (c->w == W_NONE) {
		snprintf(err, err_len, "no workload loaded");
		return -1;
	}
	/* The previous output is freed outside the timed region, as the
	 * torch_inference example does. */
	vaccel_torch_tensor_delete(c->out);
	c->out = NULL;
	rpc_transport_ns = rpc_exec_ns = -1;
	before = op_entries(c->op);

	t0 = bw_now_ns();
	ret = call(c);
	t1 = bw_now_ns();
	if (ret) {
		snprintf(err, err_len, "%s failed: %s",
			 vaccel_op_type_to_str(c->op), vaccel_strerror(ret));
		return -1;
	}
	s->e2e = (int64_t)(t1 - t0);
	s->transport = rpc_transport_ns;
	s->plugin = rpc_transport_ns >= 0 ? rpc_exec_ns :
					    op_sample(c->op, before);
	return 0;
}

static void info(void *p, char *buf, size_t len)
{
	const char *plugins = getenv("VACCEL_PLUGINS");
	const char *addr = getenv("VACCEL_RPC_ADDRESS");

	(void)p;
	snprintf(buf, len, "plugins=%s address=%s profiling=%d",
		 plugins ? plugins : "-", addr ? addr : "-",
		 (int)vaccel_prof_enabled());
}

int main(void)
{
	static const struct bw_ops ops = {
		.torch = torch_setup,
		.classify = classify_setup,
		.exec = exec_setup,
		.iterate = iterate,
		.unload = unload,
		.info = info,
	};
	static struct ctx c;
	int ret;

	ret = vaccel_session_init(&c.sess, 0);
	if (ret) {
		fprintf(stderr, "bench-vaccel: cannot create a session (VACCEL_PLUGINS=%s): %s\n",
			getenv("VACCEL_PLUGINS") ? getenv("VACCEL_PLUGINS") :
						   "unset",
			vaccel_strerror(ret));
		return 1;
	}
	ret = bw_main("bench-vaccel", &ops, &c);
	vaccel_session_release(&c.sess);
	return ret;
}
