/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The guest's memory as the front-end (QEMU) shares it: up to
 * VSD_MEM_MAX_REGIONS regions from VHOST_USER_SET_MEM_TABLE, each a file
 * descriptor (a memfd with share=on) mapped here, known by its guest
 * physical address (what descriptors hold) and by the front-end's own
 * virtual address (what SET_VRING_ADDR holds).
 *
 * Every lookup checks the whole range: a guest address that is not
 * entirely inside the table yields NULL / -1, never a pointer outside a
 * mapping.
 */
#ifndef VSD_GUEST_MEM_H
#define VSD_GUEST_MEM_H

#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

#define VSD_MEM_MAX_REGIONS 8

struct vsd_region {
	uint64_t gpa;   /* guest physical address of the first byte */
	uint64_t size;
	uint64_t uva;   /* the front-end's virtual address of the first byte */
	uint8_t *host;  /* our address of the first byte */
	void *map;      /* the mmap() to undo, or NULL (vsd_mem_add_host) */
	size_t map_len;
};

struct vsd_mem {
	struct vsd_region r[VSD_MEM_MAX_REGIONS];
	unsigned int n;
};

void vsd_mem_init(struct vsd_mem *m);
/* Unmaps every region; the table is empty afterwards. */
void vsd_mem_release(struct vsd_mem *m);

/*
 * Maps `size` bytes of `fd` from `offset` (shared, read-write) as the
 * region [gpa, gpa + size) / [uva, uva + size). The fd is not kept.
 * Returns 0, or -1 with a log line when the region is empty, wraps
 * around, overlaps another region, the table is full or mmap fails.
 */
int vsd_mem_add(struct vsd_mem *m, uint64_t gpa, uint64_t size, uint64_t uva,
		uint64_t offset, int fd);
/* The same for memory this process already has (tests, fuzz target). */
int vsd_mem_add_host(struct vsd_mem *m, uint64_t gpa, uint64_t size,
		     uint64_t uva, void *host);

/* Our pointer to [uva, uva + len) when it lies in one region, else NULL. */
void *vsd_mem_uva(const struct vsd_mem *m, uint64_t uva, uint64_t len);
/* Our pointer to [gpa, gpa + len) when it lies in one region, else NULL. */
void *vsd_mem_gpa(const struct vsd_mem *m, uint64_t gpa, uint64_t len);

/*
 * Appends iovecs covering [gpa, gpa + len) to iov[*n..max), split where
 * the range crosses from one region into the next. Returns 0, or -1 when
 * some byte lies outside every region or more than `max` entries would be
 * needed (*n is then unspecified). len 0 appends nothing.
 */
int vsd_mem_gpa_iov(const struct vsd_mem *m, uint64_t gpa, uint32_t len,
		    struct iovec *iov, unsigned int *n, unsigned int max);

#endif /* VSD_GUEST_MEM_H */
