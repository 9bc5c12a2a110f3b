/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The guest's half of virtio-vsock, for the tests: a minimal split
 * virtqueue driver working on a block of memory that plays guest RAM.
 * The in-process tests hand that block to the device directly; the
 * vhost-user test puts it in a memfd that the real back-end maps. The
 * layout is fixed:
 *
 *   0x00000  rx queue: descriptors, available ring, used ring
 *   0x04000  tx queue: the same
 *   0x10000  rx buffers, one RX_SLOT per descriptor
 *   0x90000  tx buffers, one TX_SLOT per descriptor
 *   0x8f0000 free for crafted descriptors and indirect tables (the tests)
 *
 * Addresses the device sees are guest physical: FDRV_GPA + offset.
 */
#ifndef FAKE_DRIVER_H
#define FAKE_DRIVER_H

#include "packet.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define FDRV_MEM_SIZE (10u << 20)
#define FDRV_GPA 0x100000ull
#define FDRV_NUM 64
#define FDRV_RX_SLOT 8192
#define FDRV_TX_SLOT (68u * 1024)
#define FDRV_SCRATCH 0x8f0000u
#define FDRV_GUEST_CID 3

struct fdrv_queue {
	uint32_t off;              /* of the descriptor table */
	uint8_t *desc, *avail, *used;
	uint16_t avail_idx, last_used;
	uint32_t buf_off;          /* of slot 0 */
	uint32_t slot;
	bool in_use[FDRV_NUM];
};

struct fdrv {
	uint8_t *mem;              /* FDRV_MEM_SIZE bytes */
	struct fdrv_queue q[2];    /* rx, tx */
};

/* Lays the rings out in mem (zeroed by the caller). */
void fdrv_init(struct fdrv *v, uint8_t *mem);
/* Offsets of queue i's rings, as guest physical addresses. */
uint64_t fdrv_desc_gpa(const struct fdrv *v, int i);
uint64_t fdrv_avail_gpa(const struct fdrv *v, int i);
uint64_t fdrv_used_gpa(const struct fdrv *v, int i);

/* Encodes one descriptor at `at` (a table entry, or an indirect one). */
void fdrv_put_desc(uint8_t *at, uint64_t gpa, uint32_t len, uint16_t flags,
		   uint16_t next);
/* Writes descriptor `i` of queue `q`. */
void fdrv_set_desc(struct fdrv *v, int q, uint16_t i, uint64_t gpa,
		   uint32_t len, uint16_t flags, uint16_t next);
/* Makes `head` available on queue `q` (and counts it). */
void fdrv_publish(struct fdrv *v, int q, uint16_t head);

/* A packet from the guest: header + payload, in two descriptors (as
 * Linux 6.1 sends them) when split, else one. Returns the head, or -1
 * when the queue is full. */
int fdrv_tx(struct fdrv *v, const struct vsd_hdr *h, const void *payload,
	    uint32_t len, bool split);
/* Takes back every used tx descriptor; returns how many chains. */
int fdrv_tx_reclaim(struct fdrv *v);
/* Offers n receive buffers of `size` bytes (header included), as two
 * descriptors (header, data) when split. Returns the number offered. */
int fdrv_rx_fill(struct fdrv *v, int n, uint32_t size, bool split);
/*
 * Takes the next used rx buffer: decodes its header into *h, copies up to
 * cap payload bytes into payload (may be NULL), frees its descriptors.
 * Returns the used length, or -1 when there is none.
 */
int fdrv_rx_get(struct fdrv *v, struct vsd_hdr *h, void *payload,
		uint32_t cap);
/* The used index the device has published on queue q. */
uint16_t fdrv_used_idx(const struct fdrv *v, int q);

/* A header from the guest (CID 3) to the host. */
struct vsd_hdr fdrv_hdr(uint16_t op, uint32_t src_port, uint32_t dst_port,
			uint32_t len);

#endif /* FAKE_DRIVER_H */
