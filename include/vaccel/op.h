/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Operation types. The numbering is upstream vAccel's current one and is
 * part of the genop and wire formats: never renumber, only append.
 */
#ifndef VACCEL_OP_H
#define VACCEL_OP_H

#include "utils/enum.h"

#ifdef __cplusplus
extern "C" {
#endif

#define VACCEL_OP_TYPE_LIST(X)                 \
	X(VACCEL_OP_NOOP, 0)                   \
	X(VACCEL_OP_EXEC, 1)                   \
	X(VACCEL_OP_EXEC_WITH_RESOURCE, 2)     \
	X(VACCEL_OP_IMAGE_CLASSIFY, 3)         \
	X(VACCEL_OP_IMAGE_DETECT, 4)           \
	X(VACCEL_OP_IMAGE_SEGMENT, 5)          \
	X(VACCEL_OP_IMAGE_POSE, 6)             \
	X(VACCEL_OP_IMAGE_DEPTH, 7)            \
	X(VACCEL_OP_TF_MODEL_LOAD, 8)          \
	X(VACCEL_OP_TF_MODEL_UNLOAD, 9)        \
	X(VACCEL_OP_TF_MODEL_RUN, 10)          \
	X(VACCEL_OP_TFLITE_MODEL_LOAD, 11)     \
	X(VACCEL_OP_TFLITE_MODEL_UNLOAD, 12)   \
	X(VACCEL_OP_TFLITE_MODEL_RUN, 13)      \
	X(VACCEL_OP_TORCH_MODEL_LOAD, 14)      \
	X(VACCEL_OP_TORCH_MODEL_RUN, 15)       \
	X(VACCEL_OP_TORCH_SGEMM, 16)           \
	X(VACCEL_OP_BLAS_SGEMM, 17)            \
	X(VACCEL_OP_FPGA_ARRAYCOPY, 18)        \
	X(VACCEL_OP_FPGA_MMULT, 19)            \
	X(VACCEL_OP_FPGA_PARALLEL, 20)         \
	X(VACCEL_OP_FPGA_VECTORADD, 21)        \
	X(VACCEL_OP_MINMAX, 22)                \
	X(VACCEL_OP_OPENCV, 23)

VACCEL_ENUM_DEFINE(vaccel_op_type, VACCEL_OP_TYPE_LIST, VACCEL_OP_MAX, 10)

/* The op's lowercase base name ("image_classify") written into `lower`
 * (`size` bytes, truncated); returns `lower`. Upstream's name for
 * vaccel_op_type_name(). */
static inline char *vaccel_op_type_to_lower(vaccel_op_type_t op_type,
					    char *lower, size_t size)
{
	return vaccel_op_type_name(op_type, lower, size);
}

#ifdef __cplusplus
}
#endif

#endif /* VACCEL_OP_H */
