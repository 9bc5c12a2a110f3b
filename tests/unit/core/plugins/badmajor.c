// SPDX-License-Identifier: Apache-2.0
/* A plugin built against another major version of vAccel. */

#include "vaccel.h"

VACCEL_PLUGIN_EXPORT extern const struct vaccel_plugin_desc
	vaccel_plugin_descriptor;
VACCEL_PLUGIN_EXPORT const struct vaccel_plugin_desc vaccel_plugin_descriptor = {
	.abi_major = VACCEL_PLUGIN_ABI_MAJOR,
	.abi_minor = VACCEL_PLUGIN_ABI_MINOR,
	.size = sizeof(struct vaccel_plugin_desc),
	.vaccel_version = "99.0.0",
	.name = "badmajor",
	.version = "1.0",
	.type = VACCEL_PLUGIN_CPU,
};
