/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Generic op: any op expressed as argument lists. read[0] is a UINT8 arg
 * holding the op type; the remaining args follow the op's layout:
 *   NOOP                read: -                                   write: -
 *   EXEC                read: STRING lib, STRING symbol, user...  write: user...
 *   EXEC_WITH_RESOURCE  read: INT64 resource id, STRING symbol, user...
 *                       write: user... (the resource is looked up by id and
 *                       must be a LIB resource registered with the session)
 *   IMAGE_CLASSIFY      read: BUFFER image
 *                       write: UCHAR_ARRAY out_text, UCHAR_ARRAY out_imgname
 *   IMAGE_DETECT/SEGMENT/POSE/DEPTH  read: BUFFER image
 *                       write: UCHAR_ARRAY out_imgname
 *   BLAS_SGEMM          read: INT64 m,n,k, FLOAT32 alpha, FLOAT32_ARRAY a,
 *                       INT64 lda, FLOAT32_ARRAY b, INT64 ldb, FLOAT32 beta,
 *                       INT64 ldc                 write: FLOAT32_ARRAY c
 *                       (a holds >= m*lda floats, b >= k*ldb, c >= m*ldc)
 *   MINMAX              read: FLOAT64_ARRAY in, INT32 ndata, INT32 low,
 *                       INT32 high      write: FLOAT64_ARRAY out, FLOAT64 min,
 *                       FLOAT64 max     (in and out hold >= ndata doubles)
 *   FPGA_ARRAYCOPY      read: INT32_ARRAY a        write: INT32_ARRAY out
 *   FPGA_MMULT          read: FLOAT32_ARRAY a, b   write: FLOAT32_ARRAY c
 *   FPGA_PARALLEL       read: FLOAT32_ARRAY a, b
 *                       write: FLOAT32_ARRAY add_out, FLOAT32_ARRAY mult_out
 *   FPGA_VECTORADD      read: FLOAT32_ARRAY a, b   write: FLOAT32_ARRAY c
 *                       (the length is a's; b must be as long as a except
 *                       for VECTORADD, and every output at least as long)
 *   OPENCV              read/write passed through to vaccel_opencv_unpack
 * Counts are exact (EXEC/EXEC_WITH_RESOURCE: at least the two fixed args).
 * Array args must be non-empty whole multiples of their element size; the
 * image and the image outputs at least one byte; strings end in their only
 * NUL. The unpacked values then go through the typed op's own checks.
 * The op type may also be a 4-byte native-endian integer (RAW, INT32 or
 * UINT32, or UINT8 as some older wrappers label it), as older programs
 * pass it. An argument of type RAW is accepted
 * wherever a typed argument is expected, provided its size is valid for the
 * expected type.
 * A malformed list (wrong count, type or size, a NULL buffer with a size)
 * returns VACCEL_EINVAL with a log line naming the argument; unknown op
 * types VACCEL_EINVAL; ops with no genop layout (TF, TFLite, Torch model
 * ops) VACCEL_ENOTSUP.
 * When the session's plugin has a `genop` hook (transports), the lists are
 * handed to it unchanged after the basic checks (nr_read >= 1, arrays
 * non-NULL when counts are positive, buffers non-NULL when sizes are).
 */
#ifndef VACCEL_OPS_GENOP_H
#define VACCEL_OPS_GENOP_H

#include "../arg.h"
#include "../session.h"

#ifdef __cplusplus
extern "C" {
#endif

int vaccel_genop(struct vaccel_session *sess, struct vaccel_arg *read,
		 int nr_read, struct vaccel_arg *write, int nr_write);

#ifdef __cplusplus
}
#endif

#endif /* VACCEL_OPS_GENOP_H */
