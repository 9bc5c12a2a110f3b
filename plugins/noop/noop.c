// SPDX-License-Identifier: Apache-2.0
/*
 * libvaccel-noop.so: a debug plugin that implements every op with dummy,
 * deterministic results, the same ones upstream's noop plugin returns (so
 * that test suites written against upstream pass). It lets programs and
 * tests exercise the whole op path without any accelerator, and its no-op
 * measures dispatch overhead.
 */
#include "noop_plugin.h"
#include <string.h>

/* The measured path: debug level only, nothing else. */
static int noop_noop(struct vaccel_session *sess)
{
	vaccel_debug("[noop] noop: session %lld", (long long)sess->id);
	return VACCEL_OK;
}

/* Copies each read arg into the write arg at the same index (as many bytes
 * as both hold), which gives opencv calls a visible, checkable echo. */
static void echo_args(const struct vaccel_arg *read, size_t nr_read,
		      struct vaccel_arg *write, size_t nr_write)
{
	for (size_t i = 0; i < nr_read && i < nr_write; i++) {
		size_t n = read[i].size < write[i].size ? read[i].size :
							  write[i].size;
		if (n)
			memcpy(write[i].buf, read[i].buf, n);
	}
}

/* Upstream's dummy exec output: with exactly one write arg of the size of
 * the first read arg, a whole number of ints, the read arg is copied into
 * it; anything else is left as it is. */
static void exec_dummy_output(const struct vaccel_arg *read, size_t nr_read,
			      struct vaccel_arg *write, size_t nr_write)
{
	if (nr_read >= 1 && nr_write == 1 && write[0].size == read[0].size &&
	    write[0].size % sizeof(int) == 0 && write[0].size > 0)
		memcpy(write[0].buf, read[0].buf, write[0].size);
}

int noop_exec(struct vaccel_session *sess, const char *library,
	      const char *fn_symbol, struct vaccel_arg *read, size_t nr_read,
	      struct vaccel_arg *write, size_t nr_write)
{
	vaccel_info("[noop] exec: session %lld library %s symbol %s, %zu read, %zu write args",
		    (long long)sess->id, library, fn_symbol, nr_read,
		    nr_write);
	exec_dummy_output(read, nr_read, write, nr_write);
	return VACCEL_OK;
}

int noop_exec_with_resource(struct vaccel_session *sess,
			    struct vaccel_resource *resource,
			    const char *fn_symbol, struct vaccel_arg *read,
			    size_t nr_read, struct vaccel_arg *write,
			    size_t nr_write)
{
	vaccel_info("[noop] exec_with_resource: session %lld resource %lld symbol %s, %zu read, %zu write args",
		    (long long)sess->id, (long long)resource->id, fn_symbol,
		    nr_read, nr_write);
	exec_dummy_output(read, nr_read, write, nr_write);
	return VACCEL_OK;
}

int noop_opencv(struct vaccel_session *sess, struct vaccel_arg *read,
		int nr_read, struct vaccel_arg *write, int nr_write)
{
	vaccel_info("[noop] opencv: session %lld, %d read, %d write args",
		    (long long)sess->id, nr_read, nr_write);
	echo_args(read, (size_t)nr_read, write, (size_t)nr_write);
	return VACCEL_OK;
}

static int noop_init(void)
{
	vaccel_debug("[noop] plugin loaded");
	return VACCEL_OK;
}

static int noop_fini(void)
{
	vaccel_debug("[noop] plugin unloaded");
	return VACCEL_OK;
}

VACCEL_PLUGIN_DESCRIPTOR(
	.name = "noop", .version = VACCEL_VERSION,
	.type = VACCEL_PLUGIN_DEBUG, .init = noop_init, .fini = noop_fini,
	.ops = {
		.noop = noop_noop,
		.exec = noop_exec,
		.exec_with_resource = noop_exec_with_resource,
		.image_classification = noop_image_classification,
		.image_detection = noop_image_detection,
		.image_segmentation = noop_image_segmentation,
		.image_pose = noop_image_pose,
		.image_depth = noop_image_depth,
		.tf_model_load = noop_tf_model_load,
		.tf_model_unload = noop_tf_model_unload,
		.tf_model_run = noop_tf_model_run,
		.tflite_model_load = noop_tflite_model_load,
		.tflite_model_unload = noop_tflite_model_unload,
		.tflite_model_run = noop_tflite_model_run,
		.torch_model_load = noop_torch_model_load,
		.torch_model_run = noop_torch_model_run,
		.torch_sgemm = noop_torch_sgemm,
		.blas_sgemm = noop_blas_sgemm,
		.fpga_arraycopy = noop_fpga_arraycopy,
		.fpga_mmult = noop_fpga_mmult,
		.fpga_parallel = noop_fpga_parallel,
		.fpga_vadd = noop_fpga_vadd,
		.minmax = noop_minmax,
		.opencv = noop_opencv,
	});
