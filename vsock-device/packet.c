// SPDX-License-Identifier: Apache-2.0
#include "packet.h"

#include <endian.h>
#include <stdio.h>
#include <string.h>

static uint64_t get64(const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, 8);
	return le64toh(v);
}

static uint32_t get32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return le32toh(v);
}

static uint16_t get16(const uint8_t *p)
{
	uint16_t v;

	memcpy(&v, p, 2);
	return le16toh(v);
}

static void put64(uint8_t *p, uint64_t v)
{
	v = htole64(v);
	memcpy(p, &v, 8);
}

static void put32(uint8_t *p, uint32_t v)
{
	v = htole32(v);
	memcpy(p, &v, 4);
}

static void put16(uint8_t *p, uint16_t v)
{
	v = htole16(v);
	memcpy(p, &v, 2);
}

void vsd_hdr_decode(const uint8_t raw[VSD_HDR_LEN], struct vsd_hdr *h)
{
	h->src_cid = get64(raw);
	h->dst_cid = get64(raw + 8);
	h->src_port = get32(raw + 16);
	h->dst_port = get32(raw + 20);
	h->len = get32(raw + 24);
	h->type = get16(raw + 28);
	h->op = get16(raw + 30);
	h->flags = get32(raw + 32);
	h->buf_alloc = get32(raw + 36);
	h->fwd_cnt = get32(raw + 40);
}

void vsd_hdr_encode(const struct vsd_hdr *h, uint8_t raw[VSD_HDR_LEN])
{
	put64(raw, h->src_cid);
	put64(raw + 8, h->dst_cid);
	put32(raw + 16, h->src_port);
	put32(raw + 20, h->dst_port);
	put32(raw + 24, h->len);
	put16(raw + 28, h->type);
	put16(raw + 30, h->op);
	put32(raw + 32, h->flags);
	put32(raw + 36, h->buf_alloc);
	put32(raw + 40, h->fwd_cnt);
}

const char *vsd_op_name(uint16_t op)
{
	static const char *const names[] = {
		[VSD_OP_INVALID] = "INVALID",
		[VSD_OP_REQUEST] = "REQUEST",
		[VSD_OP_RESPONSE] = "RESPONSE",
		[VSD_OP_RST] = "RST",
		[VSD_OP_SHUTDOWN] = "SHUTDOWN",
		[VSD_OP_RW] = "RW",
		[VSD_OP_CREDIT_UPDATE] = "CREDIT_UPDATE",
		[VSD_OP_CREDIT_REQUEST] = "CREDIT_REQUEST",
	};
	static char other[16];

	if (op < sizeof(names) / sizeof(names[0]))
		return names[op];
	snprintf(other, sizeof(other), "op %u", op);
	return other;
}

const char *vsd_hdr_check(const struct vsd_hdr *h, uint64_t guest_cid,
			  size_t payload)
{
	if (h->src_cid != guest_cid)
		return "source CID is not the guest's";
	if (h->dst_cid != VSD_CID_HOST)
		return "destination CID is not the host (2)";
	if (h->type != VSD_TYPE_STREAM)
		return "socket type is not stream";
	if (h->op == VSD_OP_INVALID || h->op > VSD_OP_CREDIT_REQUEST)
		return "unknown op";
	if (h->op != VSD_OP_RW)
		return h->len ? "payload length on a control packet" : NULL;
	if (h->len > VSD_MAX_PAYLOAD)
		return "payload longer than 64 KiB";
	if (h->len > payload)
		return "payload length beyond the descriptor chain";
	return NULL;
}
