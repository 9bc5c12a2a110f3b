// SPDX-License-Identifier: Apache-2.0
/* A software plugin that implements only noop (for fallback tests). */

#include "counters.h"

VACCEL_PLUGIN_DESCRIPTOR(.name = "nooponly", .version = "1.0",
			 .type = VACCEL_PLUGIN_SOFTWARE, .init = tp_init,
			 .fini = tp_fini,
			 .resource_unregister = tp_resource_unregister,
			 .ops = { .noop = tp_noop });
