// SPDX-License-Identifier: Apache-2.0
/* A descriptor without a name. */

#include "vaccel.h"

VACCEL_PLUGIN_DESCRIPTOR(.version = "1.0", .type = VACCEL_PLUGIN_CPU);
