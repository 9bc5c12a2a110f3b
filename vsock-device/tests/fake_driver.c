// SPDX-License-Identifier: Apache-2.0
#include "fake_driver.h"

#include "vring.h"

#include <endian.h>
#include <string.h>

#define RING_AVAIL(num) (16u * (num))
#define RING_USED(num) (RING_AVAIL(num) + 0x400u)

void fdrv_init(struct fdrv *v, uint8_t *mem)
{
	memset(v, 0, sizeof(*v));
	v->mem = mem;
	for (int i = 0; i < 2; i++) {
		struct fdrv_queue *q = &v->q[i];

		q->off = i ? 0x4000u : 0;
		q->desc = mem + q->off;
		q->avail = mem + q->off + RING_AVAIL(FDRV_NUM);
		q->used = mem + q->off + RING_USED(FDRV_NUM);
		q->buf_off = i ? 0x90000u : 0x10000u;
		q->slot = i ? FDRV_TX_SLOT : FDRV_RX_SLOT;
	}
}

uint64_t fdrv_desc_gpa(const struct fdrv *v, int i)
{
	return FDRV_GPA + v->q[i].off;
}

uint64_t fdrv_avail_gpa(const struct fdrv *v, int i)
{
	return FDRV_GPA + v->q[i].off + RING_AVAIL(FDRV_NUM);
}

uint64_t fdrv_used_gpa(const struct fdrv *v, int i)
{
	return FDRV_GPA + v->q[i].off + RING_USED(FDRV_NUM);
}

void fdrv_set_desc(struct fdrv *v, int q, uint16_t i, uint64_t gpa,
		   uint32_t len, uint16_t flags, uint16_t next)
{
	fdrv_put_desc(v->q[q].desc + 16u * i, gpa, len, flags, next);
}

void fdrv_put_desc(uint8_t *d, uint64_t gpa, uint32_t len, uint16_t flags,
		   uint16_t next)
{
	uint64_t a = htole64(gpa);
	uint32_t l = htole32(len);
	uint16_t f = htole16(flags), n = htole16(next);

	memcpy(d, &a, 8);
	memcpy(d + 8, &l, 4);
	memcpy(d + 12, &f, 2);
	memcpy(d + 14, &n, 2);
}

void fdrv_publish(struct fdrv *v, int qi, uint16_t head)
{
	struct fdrv_queue *q = &v->q[qi];
	uint16_t h = htole16(head);

	memcpy(q->avail + 4 + 2 * (q->avail_idx % FDRV_NUM), &h, 2);
	q->avail_idx++;
	__atomic_store_n((uint16_t *)(void *)(q->avail + 2),
			 htole16(q->avail_idx), __ATOMIC_RELEASE);
}

uint16_t fdrv_used_idx(const struct fdrv *v, int q)
{
	return le16toh(__atomic_load_n(
		(const uint16_t *)(const void *)(v->q[q].used + 2),
		__ATOMIC_ACQUIRE));
}

static int take_desc(struct fdrv_queue *q)
{
	for (int i = 0; i < FDRV_NUM; i++) {
		if (!q->in_use[i]) {
			q->in_use[i] = true;
			return i;
		}
	}
	return -1;
}

static uint64_t slot_gpa(const struct fdrv_queue *q, int i)
{
	return FDRV_GPA + q->buf_off + (uint64_t)q->slot * (unsigned)i;
}

static uint8_t *slot_ptr(struct fdrv *v, const struct fdrv_queue *q, int i)
{
	return v->mem + q->buf_off + (size_t)q->slot * (unsigned)i;
}

int fdrv_tx(struct fdrv *v, const struct vsd_hdr *h, const void *payload,
	    uint32_t len, bool split)
{
	struct fdrv_queue *q = &v->q[1];
	int a = take_desc(q), b = -1;
	uint8_t *p;

	if (a < 0 || len + VSD_HDR_LEN > q->slot)
		return -1;
	p = slot_ptr(v, q, a);
	vsd_hdr_encode(h, p);
	if (split && len) {
		b = take_desc(q);
		if (b < 0) {
			q->in_use[a] = false;
			return -1;
		}
		memcpy(slot_ptr(v, q, b), payload, len);
		fdrv_set_desc(v, 1, (uint16_t)a, slot_gpa(q, a), VSD_HDR_LEN,
			      VSD_DESC_F_NEXT, (uint16_t)b);
		fdrv_set_desc(v, 1, (uint16_t)b, slot_gpa(q, b), len, 0, 0);
	} else {
		if (len)
			memcpy(p + VSD_HDR_LEN, payload, len);
		fdrv_set_desc(v, 1, (uint16_t)a, slot_gpa(q, a),
			      VSD_HDR_LEN + len, 0, 0);
	}
	fdrv_publish(v, 1, (uint16_t)a);
	return a;
}

static void free_chain(struct fdrv_queue *q, uint16_t head)
{
	uint16_t i = head;

	for (int n = 0; n < FDRV_NUM && i < FDRV_NUM && q->in_use[i]; n++) {
		uint16_t f, next;

		memcpy(&f, q->desc + 16u * i + 12, 2);
		memcpy(&next, q->desc + 16u * i + 14, 2);
		q->in_use[i] = false;
		if (!(le16toh(f) & VSD_DESC_F_NEXT))
			break;
		i = le16toh(next);
	}
}

/* The next used entry of queue q: its id and length, or false. */
static bool take_used(struct fdrv *v, int qi, uint32_t *id, uint32_t *len)
{
	struct fdrv_queue *q = &v->q[qi];
	uint8_t *e;

	if (fdrv_used_idx(v, qi) == q->last_used)
		return false;
	e = q->used + 4 + 8 * (q->last_used % FDRV_NUM);
	memcpy(id, e, 4);
	memcpy(len, e + 4, 4);
	*id = le32toh(*id);
	*len = le32toh(*len);
	q->last_used++;
	return true;
}

int fdrv_tx_reclaim(struct fdrv *v)
{
	uint32_t id, len;
	int n = 0;

	while (take_used(v, 1, &id, &len)) {
		if (id < FDRV_NUM)
			free_chain(&v->q[1], (uint16_t)id);
		n++;
	}
	return n;
}

int fdrv_rx_fill(struct fdrv *v, int n, uint32_t size, bool split)
{
	struct fdrv_queue *q = &v->q[0];
	int done = 0;

	if (size > q->slot)
		size = q->slot;
	for (; done < n; done++) {
		int a = take_desc(q), b;

		if (a < 0)
			break;
		if (split && size > VSD_HDR_LEN) {
			b = take_desc(q);
			if (b < 0) {
				q->in_use[a] = false;
				break;
			}
			fdrv_set_desc(v, 0, (uint16_t)a, slot_gpa(q, a),
				      VSD_HDR_LEN,
				      VSD_DESC_F_WRITE | VSD_DESC_F_NEXT,
				      (uint16_t)b);
			fdrv_set_desc(v, 0, (uint16_t)b, slot_gpa(q, b),
				      size - VSD_HDR_LEN, VSD_DESC_F_WRITE, 0);
		} else {
			fdrv_set_desc(v, 0, (uint16_t)a, slot_gpa(q, a), size,
				      VSD_DESC_F_WRITE, 0);
		}
		fdrv_publish(v, 0, (uint16_t)a);
	}
	return done;
}

int fdrv_rx_get(struct fdrv *v, struct vsd_hdr *h, void *payload,
		uint32_t cap)
{
	struct fdrv_queue *q = &v->q[0];
	uint8_t buf[FDRV_RX_SLOT * 2];
	uint32_t id, len, got = 0;
	uint16_t i;

	if (!take_used(v, 0, &id, &len))
		return -1;
	if (id >= FDRV_NUM)
		return -1;
	/* Gather the chain's bytes in order. */
	i = (uint16_t)id;
	for (int n = 0; n < FDRV_NUM && got < len; n++) {
		uint64_t a;
		uint32_t l;
		uint16_t f, next;

		memcpy(&a, q->desc + 16u * i, 8);
		memcpy(&l, q->desc + 16u * i + 8, 4);
		memcpy(&f, q->desc + 16u * i + 12, 2);
		memcpy(&next, q->desc + 16u * i + 14, 2);
		l = le32toh(l);
		if (l > len - got)
			l = len - got;
		if (got + l > sizeof(buf))
			break;
		memcpy(buf + got, v->mem + (le64toh(a) - FDRV_GPA), l);
		got += l;
		if (!(le16toh(f) & VSD_DESC_F_NEXT))
			break;
		i = le16toh(next);
	}
	free_chain(q, (uint16_t)id);
	if (got >= VSD_HDR_LEN) {
		vsd_hdr_decode(buf, h);
		if (payload) {
			uint32_t n = got - VSD_HDR_LEN;

			memcpy(payload, buf + VSD_HDR_LEN, n < cap ? n : cap);
		}
	} else {
		memset(h, 0, sizeof(*h));
	}
	return (int)len;
}

struct vsd_hdr fdrv_hdr(uint16_t op, uint32_t src_port, uint32_t dst_port,
			uint32_t len)
{
	struct vsd_hdr h = {
		.src_cid = FDRV_GUEST_CID,
		.dst_cid = VSD_CID_HOST,
		.src_port = src_port,
		.dst_port = dst_port,
		.len = len,
		.type = VSD_TYPE_STREAM,
		.op = op,
		.buf_alloc = 256 * 1024,
	};

	return h;
}
