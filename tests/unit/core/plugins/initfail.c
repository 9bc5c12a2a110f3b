// SPDX-License-Identifier: Apache-2.0
/* A plugin whose init() fails (no device). */

#include "vaccel.h"

static int initfail_init(void)
{
	return VACCEL_ENODEV;
}

VACCEL_PLUGIN_DESCRIPTOR(.name = "initfail", .version = "1.0",
			 .type = VACCEL_PLUGIN_CPU, .init = initfail_init);
