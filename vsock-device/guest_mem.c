// SPDX-License-Identifier: Apache-2.0
#include "guest_mem.h"

#include "log.h"

#include <errno.h>
#include <string.h>
#include <sys/mman.h>

void vsd_mem_init(struct vsd_mem *m)
{
	memset(m, 0, sizeof(*m));
}

void vsd_mem_release(struct vsd_mem *m)
{
	for (unsigned int i = 0; i < m->n; i++)
		if (m->r[i].map)
			munmap(m->r[i].map, m->r[i].map_len);
	vsd_mem_init(m);
}

/* True when [a, a + alen) and [b, b + blen) share a byte (no wrap-around:
 * the callers checked). */
static int overlaps(uint64_t a, uint64_t alen, uint64_t b, uint64_t blen)
{
	return a < b + blen && b < a + alen;
}

static int check_region(const struct vsd_mem *m, uint64_t gpa, uint64_t size,
			uint64_t uva)
{
	if (m->n == VSD_MEM_MAX_REGIONS) {
		vsd_error("memory table: more than %d regions",
			  VSD_MEM_MAX_REGIONS);
		return -1;
	}
	if (size == 0 || gpa + size < gpa || uva + size < uva ||
	    size > SIZE_MAX) {
		vsd_error("memory table: bad region gpa 0x%llx size 0x%llx uva 0x%llx",
			  (unsigned long long)gpa, (unsigned long long)size,
			  (unsigned long long)uva);
		return -1;
	}
	for (unsigned int i = 0; i < m->n; i++) {
		if (overlaps(gpa, size, m->r[i].gpa, m->r[i].size) ||
		    overlaps(uva, size, m->r[i].uva, m->r[i].size)) {
			vsd_error("memory table: region gpa 0x%llx size 0x%llx overlaps region %u",
				  (unsigned long long)gpa,
				  (unsigned long long)size, i);
			return -1;
		}
	}
	return 0;
}

int vsd_mem_add(struct vsd_mem *m, uint64_t gpa, uint64_t size, uint64_t uva,
		uint64_t offset, int fd)
{
	struct vsd_region *r;
	void *map;

	if (check_region(m, gpa, size, uva))
		return -1;
	if (offset + size < offset || offset + size > SIZE_MAX) {
		vsd_error("memory table: bad mmap offset 0x%llx",
			  (unsigned long long)offset);
		return -1;
	}
	/* The offset need not be page aligned: map from 0 and skip it. */
	map = mmap(NULL, (size_t)(offset + size), PROT_READ | PROT_WRITE,
		   MAP_SHARED, fd, 0);
	if (map == MAP_FAILED) {
		vsd_error("memory table: mmap of %llu bytes failed: %s",
			  (unsigned long long)(offset + size), strerror(errno));
		return -1;
	}
	r = &m->r[m->n++];
	r->gpa = gpa;
	r->size = size;
	r->uva = uva;
	r->map = map;
	r->map_len = (size_t)(offset + size);
	r->host = (uint8_t *)map + offset;
	return 0;
}

int vsd_mem_add_host(struct vsd_mem *m, uint64_t gpa, uint64_t size,
		     uint64_t uva, void *host)
{
	struct vsd_region *r;

	if (check_region(m, gpa, size, uva))
		return -1;
	r = &m->r[m->n++];
	memset(r, 0, sizeof(*r));
	r->gpa = gpa;
	r->size = size;
	r->uva = uva;
	r->host = host;
	return 0;
}

/* The region holding byte `addr` (by guest physical or front-end virtual
 * address), or NULL. */
static const struct vsd_region *find(const struct vsd_mem *m, uint64_t addr,
				     int by_uva)
{
	for (unsigned int i = 0; i < m->n; i++) {
		const struct vsd_region *r = &m->r[i];
		uint64_t start = by_uva ? r->uva : r->gpa;

		if (addr >= start && addr - start < r->size)
			return r;
	}
	return NULL;
}

static void *lookup(const struct vsd_mem *m, uint64_t addr, uint64_t len,
		    int by_uva)
{
	const struct vsd_region *r = find(m, addr, by_uva);
	uint64_t off;

	if (!r)
		return NULL;
	off = addr - (by_uva ? r->uva : r->gpa);
	if (len > r->size - off)
		return NULL;
	return r->host + off;
}

void *vsd_mem_uva(const struct vsd_mem *m, uint64_t uva, uint64_t len)
{
	return lookup(m, uva, len, 1);
}

void *vsd_mem_gpa(const struct vsd_mem *m, uint64_t gpa, uint64_t len)
{
	return lookup(m, gpa, len, 0);
}

int vsd_mem_gpa_iov(const struct vsd_mem *m, uint64_t gpa, uint32_t len,
		    struct iovec *iov, unsigned int *n, unsigned int max)
{
	uint64_t left = len;

	while (left) {
		const struct vsd_region *r = find(m, gpa, 0);
		uint64_t off, chunk;

		if (!r || *n >= max)
			return -1;
		off = gpa - r->gpa;
		chunk = r->size - off < left ? r->size - off : left;
		iov[*n].iov_base = r->host + off;
		iov[*n].iov_len = (size_t)chunk;
		(*n)++;
		left -= chunk;
		gpa += chunk;
		/* gpa + chunk cannot wrap: it ends inside or at the end of
		 * a region, and regions do not wrap. */
	}
	return 0;
}
