/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The mark upstream puts on functions it keeps only for old programs: a
 * compiler warning at each use. Binding generators strip exactly this
 * attribute before parsing the header.
 */
#ifndef VACCEL_UTILS_DEPRECATED_H
#define VACCEL_UTILS_DEPRECATED_H

#if defined(__GNUC__)
#define VACCEL_DEPRECATED \
	__attribute__((deprecated("The function will be removed in a future release")))
#else
#define VACCEL_DEPRECATED
#endif

#endif /* VACCEL_UTILS_DEPRECATED_H */
