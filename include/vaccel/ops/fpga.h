/* SPDX-License-Identifier: Apache-2.0 */
/* Legacy FPGA demo ops (deprecated upstream; kept for compatibility). */
#ifndef VACCEL_OPS_FPGA_H
#define VACCEL_OPS_FPGA_H

#include "../session.h"
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

int vaccel_fpga_arraycopy(struct vaccel_session *sess, int array[],
			  int out_array[], size_t len_array);
int vaccel_fpga_mmult(struct vaccel_session *sess, float a_array[],
		      float b_array[], float c_array[], size_t len_a);
int vaccel_fpga_parallel(struct vaccel_session *sess, float a_array[],
			 float b_array[], float add_output[],
			 float mult_output[], size_t len_a);
int vaccel_fpga_vadd(struct vaccel_session *sess, float a[], float b[],
		     float c[], size_t len_a, size_t len_b);

#ifdef __cplusplus
}
#endif

#endif /* VACCEL_OPS_FPGA_H */
