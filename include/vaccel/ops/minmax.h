/* SPDX-License-Identifier: Apache-2.0 */
/* Min/max of ndata doubles; outdata receives the values clamped to
 * [low_threshold, high_threshold]. */
#ifndef VACCEL_OPS_MINMAX_H
#define VACCEL_OPS_MINMAX_H

#include "../session.h"

#ifdef __cplusplus
extern "C" {
#endif

int vaccel_minmax(struct vaccel_session *sess, const double *indata, int ndata,
		  int low_threshold, int high_threshold, double *outdata,
		  double *min, double *max);

#ifdef __cplusplus
}
#endif

#endif /* VACCEL_OPS_MINMAX_H */
