/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Generic op: any op expressed as argument lists. read[0] is a UINT8 arg
 * holding the op type; the remaining args follow the op's layout:
 *   NOOP                read: -                                   write: -
 *   EXEC                read: STRING lib, STRING symbol, user...  write: user...
 *   EXEC_WITH_RESOURCE  read: INT64 resource id, STRING symbol, user...
 *   IMAGE_CLASSIFY      read: BUFFER image
 *                       write: UCHAR_ARRAY out_text, UCHAR_ARRAY out_imgname
 *   IMAGE_DETECT/SEGMENT/POSE/DEPTH  read: BUFFER image
 *                       write: UCHAR_ARRAY out_imgname
 *   BLAS_SGEMM          read: INT64 m,n,k, FLOAT32 alpha, FLOAT32_ARRAY a,
 *                       INT64 lda, FLOAT32_ARRAY b, INT64 ldb, FLOAT32 beta,
 *                       INT64 ldc                 write: FLOAT32_ARRAY c
 *   MINMAX              read: FLOAT64_ARRAY in, INT32 ndata, INT32 low,
 *                       INT32 high      write: FLOAT64_ARRAY out, FLOAT64 min,
 *                       FLOAT64 max
 *   FPGA_*, OPENCV      see docs/architecture.md
 * The op type may also be a 4-byte native-endian integer, as older programs
 * pass it. An argument of type RAW is accepted wherever a typed argument is
 * expected, provided its size is valid for the expected type.
 * A malformed list (wrong count, type or size) returns VACCEL_EINVAL with a
 * log line naming the argument; unknown op types VACCEL_EINVAL; ops with no
 * genop layout (TF, TFLite, Torch model ops) VACCEL_ENOTSUP.
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
