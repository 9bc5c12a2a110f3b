# SPDX-License-Identifier: Apache-2.0
"""OpType: vaccel_op_type_t, the op numbers of genop (part of the wire
format). Names drop the C prefix: VACCEL_OP_IMAGE_CLASSIFY is
OpType.IMAGE_CLASSIFY."""

from __future__ import annotations

from enum import IntEnum


class OpType(IntEnum):
    """vaccel_op_type_t."""

    NOOP = 0
    EXEC = 1
    EXEC_WITH_RESOURCE = 2
    IMAGE_CLASSIFY = 3
    IMAGE_DETECT = 4
    IMAGE_SEGMENT = 5
    IMAGE_POSE = 6
    IMAGE_DEPTH = 7
    TF_MODEL_LOAD = 8
    TF_MODEL_UNLOAD = 9
    TF_MODEL_RUN = 10
    TFLITE_MODEL_LOAD = 11
    TFLITE_MODEL_UNLOAD = 12
    TFLITE_MODEL_RUN = 13
    TORCH_MODEL_LOAD = 14
    TORCH_MODEL_RUN = 15
    TORCH_SGEMM = 16
    BLAS_SGEMM = 17
    FPGA_ARRAYCOPY = 18
    FPGA_MMULT = 19
    FPGA_PARALLEL = 20
    FPGA_VECTORADD = 21
    MINMAX = 22
    OPENCV = 23
