/* SPDX-License-Identifier: Apache-2.0 */
/* Copies between flat buffers and iovec lists, at an offset. */
#ifndef VSD_IOV_H
#define VSD_IOV_H

#include <stddef.h>
#include <sys/uio.h>

/* Copies up to `len` bytes starting `off` bytes into iov[0..n) to `dst`;
 * returns the bytes copied (less when the list ends first). */
size_t vsd_iov_to_buf(const struct iovec *iov, unsigned int n, size_t off,
		      void *dst, size_t len);
/* Copies up to `len` bytes of `src` into iov[0..n) from offset `off`;
 * returns the bytes copied. */
size_t vsd_iov_from_buf(const struct iovec *iov, unsigned int n, size_t off,
			const void *src, size_t len);
/* Writes to out[0..max) the entries covering `len` bytes of iov[0..n)
 * from offset `off` (fewer bytes when the list ends first); returns the
 * number of entries. */
unsigned int vsd_iov_slice(const struct iovec *iov, unsigned int n, size_t off,
			   size_t len, struct iovec *out, unsigned int max);

#endif /* VSD_IOV_H */
