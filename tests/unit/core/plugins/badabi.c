// SPDX-License-Identifier: Apache-2.0
/* A descriptor from a future, incompatible plugin ABI. Written by hand
 * because the macro always stamps the current ABI. */

#include "vaccel.h"

VACCEL_PLUGIN_EXPORT extern const struct vaccel_plugin_desc
	vaccel_plugin_descriptor;
VACCEL_PLUGIN_EXPORT const struct vaccel_plugin_desc vaccel_plugin_descriptor = {
	.abi_major = VACCEL_PLUGIN_ABI_MAJOR + 1,
	.abi_minor = 0,
	.size = sizeof(struct vaccel_plugin_desc),
	.vaccel_version = VACCEL_VERSION,
	.name = "badabi",
	.version = "1.0",
	.type = VACCEL_PLUGIN_CPU,
};
