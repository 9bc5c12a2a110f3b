/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Split virtqueues (virtio 1.x, "Split Virtqueues"), device side. The
 * driver (the guest kernel) owns the descriptor table and the available
 * ring; the device reads them and writes the used ring. All three live in
 * guest memory, which the guest may change at any moment, so every
 * descriptor is copied out once and checked before use:
 *
 *   - the available index may run ahead of ours by at most the queue size;
 *   - every index (head, next) lies inside its table;
 *   - a chain visits at most as many descriptors as its table holds (a
 *     longer chain is a loop);
 *   - device-readable descriptors come before device-writable ones;
 *   - an indirect table (VIRTIO_RING_F_INDIRECT_DESC) is a whole number of
 *     descriptors, is not empty, is not nested, and is not combined with
 *     NEXT;
 *   - every buffer lies inside the memory table, and the chain's total
 *     length fits 32 bits and at most VSD_CHAIN_MAX_SEGS pieces.
 *
 * Ring layout (little-endian): descriptor {le64 addr; le32 len; le16
 * flags; le16 next}; available {le16 flags; le16 idx; le16 ring[num]};
 * used {le16 flags; le16 idx; {le32 id; le32 len} ring[num]}.
 */
#ifndef VSD_VRING_H
#define VSD_VRING_H

#include "guest_mem.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

#define VSD_VRING_MAX_SIZE 32768
/* Buffers of one chain (descriptors, split where they cross regions).
 * Linux's vsock driver uses one or two per packet. */
#define VSD_CHAIN_MAX_SEGS 64

#define VSD_DESC_F_NEXT 1
#define VSD_DESC_F_WRITE 2
#define VSD_DESC_F_INDIRECT 4
#define VSD_AVAIL_F_NO_INTERRUPT 1

struct vsd_vring {
	/* Set up by the front-end. */
	uint16_t num;               /* queue size; 0 until SET_VRING_NUM */
	uint64_t desc_uva, avail_uva, used_uva;
	bool have_addr;
	bool enabled;               /* SET_VRING_ENABLE, or implied */
	bool started;               /* has a kick fd, not stopped since */
	bool indirect;              /* VIRTIO_RING_F_INDIRECT_DESC acked */
	int kick_fd, call_fd, err_fd;
	/* The rings in our address space (vsd_vring_map). */
	uint8_t *desc, *avail, *used;
	/* Device state. */
	uint16_t last_avail;        /* next available entry to take */
	uint16_t used_idx;          /* our copy of used->idx */
	unsigned int pushed;        /* used entries since the last notify */
	/* The guest corrupted the ring; nothing is read from it until the
	 * front-end sets it up again. */
	bool broken;
};

/* One descriptor chain: nout device-readable pieces, then the
 * device-writable ones. */
struct vsd_chain {
	uint16_t head;
	unsigned int nseg, nout;
	size_t out_len, in_len;
	struct iovec seg[VSD_CHAIN_MAX_SEGS];
};

enum vsd_chain_result {
	VSD_CHAIN_OK = 1,
	VSD_CHAIN_EMPTY = 0,
	/* This chain is malformed; it can still be returned (pushed). */
	VSD_CHAIN_BAD = -1,
	/* The ring itself is garbage; the ring is now marked broken. */
	VSD_RING_BAD = -2,
};

/* A ring with no fds and no state. */
void vsd_vring_init(struct vsd_vring *vq);
/* Closes the ring's fds and forgets everything but nothing else. */
void vsd_vring_release(struct vsd_vring *vq);

/* Resolves the ring addresses in `m`; returns 0, or -1 (with a log line
 * naming the ring) when a ring is not inside one region or misaligned. */
int vsd_vring_map(struct vsd_vring *vq, const struct vsd_mem *m,
		  const char *name);
/* True when the ring can be used: mapped, started, enabled, not broken. */
bool vsd_vring_ready(const struct vsd_vring *vq);

/*
 * Reads the next available chain into *c without taking it (a second
 * peek returns the same chain). On VSD_CHAIN_BAD and VSD_RING_BAD *why
 * names the problem.
 */
enum vsd_chain_result vsd_vring_peek(struct vsd_vring *vq,
				     const struct vsd_mem *m,
				     struct vsd_chain *c, const char **why);
/* Takes the chain last peeked: returns it to the driver as used with
 * `len` bytes written. */
void vsd_vring_push(struct vsd_vring *vq, uint16_t head, uint32_t len);
/* Signals the call eventfd when entries were pushed since the last call
 * and the driver has not asked for no interrupts. */
void vsd_vring_notify(struct vsd_vring *vq);

#endif /* VSD_VRING_H */
