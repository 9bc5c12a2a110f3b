// SPDX-License-Identifier: Apache-2.0
/* A GPU-typed plugin (for hint selection tests). */

#include "counters.h"

VACCEL_PLUGIN_DESCRIPTOR(.name = "gpu", .version = "1.0",
			 .type = VACCEL_PLUGIN_GPU, .init = tp_init,
			 .fini = tp_fini, .session_init = tp_session_init,
			 .session_release = tp_session_release,
			 .ops = { .noop = tp_noop });
