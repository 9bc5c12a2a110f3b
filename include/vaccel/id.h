/* SPDX-License-Identifier: Apache-2.0 */
#ifndef VACCEL_ID_H
#define VACCEL_ID_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Identifier of a session or resource. 0 means "not initialized"; valid ids
 * start at 1 and are unique among live objects of the same kind. */
typedef int64_t vaccel_id_t;

#ifdef __cplusplus
}
#endif

#endif /* VACCEL_ID_H */
