/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Tensor sanity checks shared by the op entry points (src/ops) and the
 * plugins (the torch plugin is C++, hence the extern "C"). Internal: not
 * installed, and only for code built inside this project.
 */
#ifndef VACCEL_ARG_TENSOR_CHECK_H
#define VACCEL_ARG_TENSOR_CHECK_H

#include "vaccel.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The most dimensions a tensor may have. Torch itself allows more, but no
 * model this project serves comes close, and the bound keeps a corrupt
 * nr_dims from asking for a huge dims allocation. */
#define VACCEL__TENSOR_MAX_DIMS 16

/*
 * Checks that `t` is a consistent torch tensor: non-NULL, a known dtype,
 * nr_dims in [0, VACCEL__TENSOR_MAX_DIMS], dims non-NULL when nr_dims > 0
 * and all non-negative, the product of dims times the element size equal
 * to `size` without overflow, and data non-NULL when size > 0.
 * `what` names the tensor in the log line ("input 2"); NULL reads "tensor".
 * Returns VACCEL_OK or VACCEL_EINVAL with one error line.
 */
int vaccel__torch_tensor_check(const struct vaccel_torch_tensor *t,
			       const char *what);

#ifdef __cplusplus
}
#endif

#endif /* VACCEL_ARG_TENSOR_CHECK_H */
