/* SPDX-License-Identifier: Apache-2.0 */
/*
 * virtio-vsock packets (virtio 1.x, "Socket Device"). Every packet, in
 * either direction, starts with this 44-byte little-endian header; an RW
 * packet's payload (`len` bytes) follows it in the same descriptor chain.
 *
 *   offset  size  field
 *        0     8  src_cid
 *        8     8  dst_cid
 *       16     4  src_port
 *       20     4  dst_port
 *       24     4  len        payload bytes (RW only; 0 otherwise)
 *       28     2  type       1 = stream (the only type offered)
 *       30     2  op         see enum vsd_op
 *       32     4  flags      SHUTDOWN: 1 = will receive no more, 2 = will send no more
 *       36     4  buf_alloc  the sender's receive buffer for this connection
 *       40     4  fwd_cnt    bytes the sender has consumed from it so far
 *
 * Credit: a sender may have at most peer buf_alloc - (bytes sent - peer
 * fwd_cnt) bytes in flight (32-bit counters, wrapping).
 */
#ifndef VSD_PACKET_H
#define VSD_PACKET_H

#include <stddef.h>
#include <stdint.h>

#define VSD_HDR_LEN 44
#define VSD_CID_HOST 2
#define VSD_TYPE_STREAM 1
#define VSD_SHUTDOWN_RCV 1u
#define VSD_SHUTDOWN_SEND 2u
/* The largest payload either side puts in one packet (Linux's
 * VIRTIO_VSOCK_MAX_PKT_BUF_SIZE). */
#define VSD_MAX_PAYLOAD (64u * 1024)

enum vsd_op {
	VSD_OP_INVALID = 0,
	VSD_OP_REQUEST = 1,
	VSD_OP_RESPONSE = 2,
	VSD_OP_RST = 3,
	VSD_OP_SHUTDOWN = 4,
	VSD_OP_RW = 5,
	VSD_OP_CREDIT_UPDATE = 6,
	VSD_OP_CREDIT_REQUEST = 7,
};

struct vsd_hdr {
	uint64_t src_cid, dst_cid;
	uint32_t src_port, dst_port;
	uint32_t len;
	uint16_t type, op;
	uint32_t flags, buf_alloc, fwd_cnt;
};

void vsd_hdr_decode(const uint8_t raw[VSD_HDR_LEN], struct vsd_hdr *h);
void vsd_hdr_encode(const struct vsd_hdr *h, uint8_t raw[VSD_HDR_LEN]);
/* "REQUEST", "RW", ... or "op N" for unknown values (static storage for
 * known ops; unknown ones share one buffer: single-threaded use). */
const char *vsd_op_name(uint16_t op);

/*
 * The checks of a packet from the guest that need no connection: the
 * source is the guest's CID, the destination the host; the type is
 * stream; the op is known; `len` is 0 except for RW, where it is at most
 * VSD_MAX_PAYLOAD and at most `payload` (the bytes the chain holds after
 * the header). Returns NULL when the packet passes, else the reason.
 */
const char *vsd_hdr_check(const struct vsd_hdr *h, uint64_t guest_cid,
			  size_t payload);

#endif /* VSD_PACKET_H */
