/* SPDX-License-Identifier: Apache-2.0 */
/*
 * TensorFlow Lite tensors (the data type of vaccel/ops/tflite.h).
 */
#include "vaccel.h"

/* NOTYPE is rejected: a tensor without a type cannot be interpreted. */
static bool tflite_type_known(enum vaccel_tflite_data_type type)
{
	return type >= VACCEL_TFLITE_FLOAT32 && type <= VACCEL_TFLITE_INT4;
}

/* vaccel_tflite_tensor_*: the lifecycle shared with torch and TF, stated
 * once in tensor_template.h. TFLite has no buffer type. */
#define TENSOR_PREFIX tflite
#define TENSOR_NR_DIMS_T int
#define TENSOR_DIM_T int32_t
#define TENSOR_DTYPE_T enum vaccel_tflite_data_type
#define TENSOR_DTYPE_KNOWN tflite_type_known
#define TENSOR_DTYPE_NAME "TFLite"
#include "tensor_template.h"
