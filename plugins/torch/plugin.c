/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The torch plugin's descriptor, kept in C so that the only exported symbol
 * is a plain C object; the work is done in model.cpp and ops.cpp.
 */
#include "torch_plugin.h"

/* A libtorch built with CUDA makes the plugin a GPU plugin as well; it still
 * runs on the CPU when no GPU is present. */
#ifdef VACCEL_TORCH_HAVE_CUDA
#define VTORCH_TYPE (VACCEL_PLUGIN_TORCH | VACCEL_PLUGIN_CPU | VACCEL_PLUGIN_GPU)
#else
#define VTORCH_TYPE (VACCEL_PLUGIN_TORCH | VACCEL_PLUGIN_CPU)
#endif

VACCEL_PLUGIN_DESCRIPTOR(
	.name = "torch",
	.version = VACCEL_VERSION,
	.type = VTORCH_TYPE,
	.init = vtorch_init,
	.fini = vtorch_fini,
	.resource_unregister = vtorch_resource_unregister,
	.ops = {
		.image_classification = vtorch_image_classification,
		.torch_model_load = vtorch_model_load,
		.torch_model_run = vtorch_model_run,
		.torch_sgemm = vtorch_sgemm,
		.blas_sgemm = vtorch_blas_sgemm,
	});
