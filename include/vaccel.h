/* SPDX-License-Identifier: Apache-2.0 */
/*
 * vAccel: hardware acceleration for programs in VMs, sandboxes and
 * containers. This umbrella header pulls in the whole application API.
 */
#ifndef VACCEL_H
#define VACCEL_H

#include "vaccel/version.h"

#include "vaccel/arg.h"
#include "vaccel/blob.h"
#include "vaccel/config.h"
#include "vaccel/core.h"
#include "vaccel/error.h"
#include "vaccel/id.h"
#include "vaccel/lib.h"
#include "vaccel/list.h"
#include "vaccel/log.h"
#include "vaccel/op.h"
#include "vaccel/ops/blas.h"
#include "vaccel/ops/exec.h"
#include "vaccel/ops/fpga.h"
#include "vaccel/ops/genop.h"
#include "vaccel/ops/image.h"
#include "vaccel/ops/minmax.h"
#include "vaccel/ops/noop.h"
#include "vaccel/ops/opencv.h"
#include "vaccel/ops/tf.h"
#include "vaccel/ops/tflite.h"
#include "vaccel/ops/torch.h"
#include "vaccel/plugin.h"
#include "vaccel/prof.h"
#include "vaccel/resource.h"
#include "vaccel/session.h"
#include "vaccel/utils/enum.h"
#include "vaccel/utils/str.h"

#endif /* VACCEL_H */
