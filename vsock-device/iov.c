// SPDX-License-Identifier: Apache-2.0
#include "iov.h"

#include <stdint.h>
#include <string.h>

unsigned int vsd_iov_slice(const struct iovec *iov, unsigned int n, size_t off,
			   size_t len, struct iovec *out, unsigned int max)
{
	unsigned int k = 0;

	for (unsigned int i = 0; i < n && len && k < max; i++) {
		size_t l = iov[i].iov_len;

		if (off >= l) {
			off -= l;
			continue;
		}
		l -= off;
		if (l > len)
			l = len;
		out[k].iov_base = (uint8_t *)iov[i].iov_base + off;
		out[k].iov_len = l;
		k++;
		len -= l;
		off = 0;
	}
	return k;
}

/* The one copy loop of both directions: to_iov copies buf into the list. */
static size_t copy(const struct iovec *iov, unsigned int n, size_t off,
		   uint8_t *buf, size_t len, int to_iov)
{
	size_t done = 0;

	for (unsigned int i = 0; i < n && done < len; i++) {
		size_t l = iov[i].iov_len;
		uint8_t *p;

		if (off >= l) {
			off -= l;
			continue;
		}
		l -= off;
		if (l > len - done)
			l = len - done;
		p = (uint8_t *)iov[i].iov_base + off;
		if (to_iov)
			memcpy(p, buf + done, l);
		else
			memcpy(buf + done, p, l);
		done += l;
		off = 0;
	}
	return done;
}

size_t vsd_iov_to_buf(const struct iovec *iov, unsigned int n, size_t off,
		      void *dst, size_t len)
{
	return copy(iov, n, off, dst, len, 0);
}

size_t vsd_iov_from_buf(const struct iovec *iov, unsigned int n, size_t off,
			const void *src, size_t len)
{
	/* copy() only reads buf when to_iov is set. */
	return copy(iov, n, off, (uint8_t *)(uintptr_t)src, len, 1);
}
