// SPDX-License-Identifier: Apache-2.0
#include "vring.h"

#include "log.h"

#include <endian.h>
#include <errno.h>
#include <string.h>
#include <unistd.h>

#define DESC_SIZE 16

void vsd_vring_init(struct vsd_vring *vq)
{
	memset(vq, 0, sizeof(*vq));
	vq->kick_fd = vq->call_fd = vq->err_fd = -1;
}

void vsd_vring_release(struct vsd_vring *vq)
{
	if (vq->kick_fd >= 0)
		close(vq->kick_fd);
	if (vq->call_fd >= 0)
		close(vq->call_fd);
	if (vq->err_fd >= 0)
		close(vq->err_fd);
	vsd_vring_init(vq);
}

static uint8_t *map_one(const struct vsd_mem *m, uint64_t uva, uint64_t len,
			uintptr_t align, const char *name, const char *what)
{
	uint8_t *p = vsd_mem_uva(m, uva, len);

	if (!p || (uintptr_t)p % align) {
		vsd_error("%s: %s ring at 0x%llx (%llu bytes) is %s", name,
			  what, (unsigned long long)uva,
			  (unsigned long long)len,
			  p ? "misaligned" : "outside the memory table");
		return NULL;
	}
	return p;
}

int vsd_vring_map(struct vsd_vring *vq, const struct vsd_mem *m,
		  const char *name)
{
	vq->desc = vq->avail = vq->used = NULL;
	if (!vq->have_addr || !vq->num)
		return 0;
	vq->desc = map_one(m, vq->desc_uva, (uint64_t)DESC_SIZE * vq->num, 16,
			   name, "descriptor");
	vq->avail = map_one(m, vq->avail_uva, 4 + 2ull * vq->num, 2, name,
			    "available");
	vq->used = map_one(m, vq->used_uva, 4 + 8ull * vq->num, 4, name,
			   "used");
	if (!vq->desc || !vq->avail || !vq->used) {
		vq->desc = vq->avail = vq->used = NULL;
		return -1;
	}
	return 0;
}

bool vsd_vring_ready(const struct vsd_vring *vq)
{
	return vq->desc && vq->started && vq->enabled && !vq->broken;
}

static uint16_t load16(const uint8_t *p)
{
	return le16toh(__atomic_load_n((const uint16_t *)(const void *)p,
				       __ATOMIC_ACQUIRE));
}

/* One descriptor, copied out of guest memory so that the checks below
 * and the use after them see the same values. */
struct desc {
	uint64_t addr;
	uint32_t len;
	uint16_t flags, next;
};

static void read_desc(const uint8_t *table, uint16_t i, struct desc *d)
{
	uint8_t raw[DESC_SIZE];
	uint64_t a;
	uint32_t l;
	uint16_t f, n;

	memcpy(raw, table + (size_t)i * DESC_SIZE, DESC_SIZE);
	memcpy(&a, raw, 8);
	memcpy(&l, raw + 8, 4);
	memcpy(&f, raw + 12, 2);
	memcpy(&n, raw + 14, 2);
	d->addr = le64toh(a);
	d->len = le32toh(l);
	d->flags = le16toh(f);
	d->next = le16toh(n);
}

/* Walks the chain at c->head; returns VSD_CHAIN_OK or VSD_CHAIN_BAD. */
static enum vsd_chain_result walk(const struct vsd_vring *vq,
				  const struct vsd_mem *m,
				  struct vsd_chain *c, const char **why)
{
	const uint8_t *table = vq->desc;
	uint32_t table_num = vq->num, seen = 0;
	uint64_t total = 0;
	uint16_t i = c->head;
	bool in_indirect = false, seen_write = false;
	struct desc d;

	c->nseg = c->nout = 0;
	c->out_len = c->in_len = 0;
	for (;;) {
		if (seen++ == table_num) {
			*why = "descriptor chain longer than its table (a loop)";
			return VSD_CHAIN_BAD;
		}
		read_desc(table, i, &d);
		if (d.flags & VSD_DESC_F_INDIRECT) {
			if (!vq->indirect) {
				*why = "indirect descriptor without VIRTIO_RING_F_INDIRECT_DESC";
				return VSD_CHAIN_BAD;
			}
			if (in_indirect) {
				*why = "nested indirect descriptor table";
				return VSD_CHAIN_BAD;
			}
			if (d.flags & VSD_DESC_F_NEXT) {
				*why = "indirect descriptor with NEXT";
				return VSD_CHAIN_BAD;
			}
			if (d.len == 0 || d.len % DESC_SIZE ||
			    d.len / DESC_SIZE > VSD_VRING_MAX_SIZE) {
				*why = "indirect table size is not a whole number of descriptors";
				return VSD_CHAIN_BAD;
			}
			table = vsd_mem_gpa(m, d.addr, d.len);
			if (!table) {
				*why = "indirect table outside the memory table";
				return VSD_CHAIN_BAD;
			}
			table_num = d.len / DESC_SIZE;
			in_indirect = true;
			seen = 0;
			i = 0;
			continue;
		}
		if (d.flags & VSD_DESC_F_WRITE) {
			seen_write = true;
			c->in_len += d.len;
		} else {
			if (seen_write) {
				*why = "device-readable descriptor after a device-writable one";
				return VSD_CHAIN_BAD;
			}
			c->out_len += d.len;
		}
		total += d.len;
		if (total > UINT32_MAX) {
			*why = "descriptor chain longer than 4 GiB";
			return VSD_CHAIN_BAD;
		}
		if (vsd_mem_gpa_iov(m, d.addr, d.len, c->seg, &c->nseg,
				    VSD_CHAIN_MAX_SEGS)) {
			*why = c->nseg >= VSD_CHAIN_MAX_SEGS ?
				       "descriptor chain has too many pieces" :
				       "buffer outside the memory table";
			return VSD_CHAIN_BAD;
		}
		if (!(d.flags & VSD_DESC_F_WRITE))
			c->nout = c->nseg;
		if (!(d.flags & VSD_DESC_F_NEXT))
			return VSD_CHAIN_OK;
		if (d.next >= table_num) {
			*why = "next index outside the descriptor table";
			return VSD_CHAIN_BAD;
		}
		i = d.next;
	}
}

enum vsd_chain_result vsd_vring_peek(struct vsd_vring *vq,
				     const struct vsd_mem *m,
				     struct vsd_chain *c, const char **why)
{
	uint16_t avail_idx, pending, head;

	if (!vsd_vring_ready(vq))
		return VSD_CHAIN_EMPTY;
	avail_idx = load16(vq->avail + 2);
	pending = (uint16_t)(avail_idx - vq->last_avail);
	if (pending == 0)
		return VSD_CHAIN_EMPTY;
	if (pending > vq->num) {
		*why = "available index ran ahead by more than the queue size";
		vq->broken = true;
		return VSD_RING_BAD;
	}
	/* The acquire load of the index orders this read after it. */
	head = load16(vq->avail + 4 + 2 * (vq->last_avail & (vq->num - 1)));
	if (head >= vq->num) {
		*why = "chain head outside the descriptor table";
		vq->broken = true;
		return VSD_RING_BAD;
	}
	c->head = head;
	return walk(vq, m, c, why);
}

void vsd_vring_push(struct vsd_vring *vq, uint16_t head, uint32_t len)
{
	uint8_t *e = vq->used + 4 + 8 * (size_t)(vq->used_idx & (vq->num - 1));
	uint32_t id = htole32(head), l = htole32(len);

	memcpy(e, &id, 4);
	memcpy(e + 4, &l, 4);
	vq->used_idx++;
	/* The entry must be visible before the index that publishes it. */
	__atomic_store_n((uint16_t *)(void *)(vq->used + 2),
			 htole16(vq->used_idx), __ATOMIC_RELEASE);
	vq->last_avail++;
	vq->pushed++;
}

void vsd_vring_notify(struct vsd_vring *vq)
{
	uint64_t one = 1;

	if (!vq->pushed || !vq->avail)
		return;
	vq->pushed = 0;
	/* The used index must be visible before the flags are read, or a
	 * driver re-enabling interrupts in between would miss one: the index
	 * is stored again, sequentially consistent, and the flags loaded the
	 * same way (a full barrier between the two, as a fence would be;
	 * ThreadSanitizer builds refuse bare fences). */
	__atomic_store_n((uint16_t *)(void *)(vq->used + 2),
			 htole16(vq->used_idx), __ATOMIC_SEQ_CST);
	if (le16toh(__atomic_load_n((const uint16_t *)(const void *)vq->avail,
				    __ATOMIC_SEQ_CST)) &
	    VSD_AVAIL_F_NO_INTERRUPT)
		return;
	if (vq->call_fd >= 0 && write(vq->call_fd, &one, sizeof(one)) < 0 &&
	    errno != EAGAIN)
		vsd_warn("signalling the call eventfd failed: %s",
			 strerror(errno));
}
