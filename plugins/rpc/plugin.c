// SPDX-License-Identifier: Apache-2.0
/*
 * libvaccel-rpc.so: the transport plugin that forwards sessions,
 * resources and ops to a vaccel-agent (see docs/remote.md).
 */
#include "rpc_plugin.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int rpc_init(void)
{
	const char *addr = getenv("VACCEL_RPC_ADDRESS");
	struct vaccel_addr parsed;
	int ret;

	if (!addr || !addr[0]) {
		addr = getenv("VACCEL_RPC_ADDR");
		if (addr && addr[0])
			vaccel_warn("VACCEL_RPC_ADDR is deprecated. Use VACCEL_RPC_ADDRESS instead.");
	}
	if (!addr || !addr[0])
		addr = RPCC_DEFAULT_ADDRESS;
	/* A malformed address is reported at load time, not at first use. */
	if (vaccel__addr_parse(addr, &parsed)) {
		vaccel_error("rpc: invalid VACCEL_RPC_ADDRESS '%s'", addr);
		return VACCEL_EINVAL;
	}
	pthread_mutex_lock(&rpcc.lock);
	ret = rpcc_token_load();
	if (!ret)
		ret = rpcc_wait_load();
	if (ret) {
		pthread_mutex_unlock(&rpcc.lock);
		return ret;
	}
	snprintf(rpcc.address, sizeof(rpcc.address), "%s", addr);
	rpcc.prof_transport =
		(struct vaccel_prof_region)VACCEL_PROF_REGION_INIT("rpc_transport");
	rpcc.prof_exec =
		(struct vaccel_prof_region)VACCEL_PROF_REGION_INIT("rpc_agent_exec");
	pthread_mutex_unlock(&rpcc.lock);
	vaccel_debug("rpc: agent address %s", rpcc.address);
	return VACCEL_OK;
}

static int rpc_fini(void)
{
	rpcc_shutdown();
	return VACCEL_OK;
}

VACCEL_PLUGIN_DESCRIPTOR(
	.name = "rpc", .version = "1.0.0", .type = VACCEL_PLUGIN_REMOTE,
	.init = rpc_init, .fini = rpc_fini,
	.session_init = rpcc_session_init,
	.session_update = rpcc_session_update,
	.session_release = rpcc_session_release,
	.resource_register = rpcc_resource_register,
	.resource_unregister = rpcc_resource_unregister,
	.resource_sync = rpcc_resource_sync, .genop = rpcc_genop,
	.ops = {
		.noop = rpcc_noop,
		.exec = rpcc_exec,
		.exec_with_resource = rpcc_exec_with_resource,
		.image_classification = rpcc_image_classification,
		.image_detection = rpcc_image_detection,
		.image_segmentation = rpcc_image_segmentation,
		.image_pose = rpcc_image_pose,
		.image_depth = rpcc_image_depth,
		.torch_model_load = rpcc_torch_model_load,
		.torch_model_run = rpcc_torch_model_run,
		.blas_sgemm = rpcc_blas_sgemm,
		.fpga_arraycopy = rpcc_fpga_arraycopy,
		.fpga_mmult = rpcc_fpga_mmult,
		.fpga_parallel = rpcc_fpga_parallel,
		.fpga_vadd = rpcc_fpga_vadd,
		.minmax = rpcc_minmax,
		.opencv = rpcc_opencv,
	});
