// SPDX-License-Identifier: Apache-2.0
/*
 * The virtqueue parser on crafted descriptor tables: every rule of
 * vring.h, one test each, plus the memory table's range checks and the
 * packet header codec.
 */
#include "fake_driver.h"
#include "guest_mem.h"
#include "packet.h"
#include "testing.h"
#include "vring.h"

#include <endian.h>
#include <stdlib.h>
#include <sys/eventfd.h>
#include <unistd.h>

#define UVA 0x7f0000000000ull

static uint8_t *mem;
static struct fdrv drv;
static struct vsd_mem table;
static struct vsd_vring vq;
static const char *why;

/* Queue 1 of the fake driver (tx) as the ring under test. */
static void setup(void)
{
	if (!mem)
		mem = aligned_alloc(4096, FDRV_MEM_SIZE);
	memset(mem, 0, FDRV_MEM_SIZE);
	fdrv_init(&drv, mem);
	vsd_mem_init(&table);
	vsd_mem_add_host(&table, FDRV_GPA, FDRV_MEM_SIZE, UVA, mem);
	vsd_vring_init(&vq);
	vq.num = FDRV_NUM;
	vq.desc_uva = UVA + (fdrv_desc_gpa(&drv, 1) - FDRV_GPA);
	vq.avail_uva = UVA + (fdrv_avail_gpa(&drv, 1) - FDRV_GPA);
	vq.used_uva = UVA + (fdrv_used_gpa(&drv, 1) - FDRV_GPA);
	vq.have_addr = true;
	vq.started = vq.enabled = true;
	vq.indirect = true;
	vsd_vring_map(&vq, &table, "test");
	why = NULL;
}

static uint64_t scratch(uint32_t off)
{
	return FDRV_GPA + FDRV_SCRATCH + off;
}

/* Writes an indirect table entry at scratch offset `at`. */
static void indirect_desc(uint32_t at, int i, uint64_t gpa, uint32_t len,
			  uint16_t flags, uint16_t next)
{
	fdrv_put_desc(mem + FDRV_SCRATCH + at + 16 * i, gpa, len, flags, next);
}

static enum vsd_chain_result peek(struct vsd_chain *c)
{
	return vsd_vring_peek(&vq, &table, c, &why);
}

static void test_empty(void)
{
	struct vsd_chain c;

	setup();
	CHECK_INT(peek(&c), VSD_CHAIN_EMPTY);
	vq.started = false;
	fdrv_set_desc(&drv, 1, 0, scratch(0), 10, 0, 0);
	fdrv_publish(&drv, 1, 0);
	/* A stopped ring is never read. */
	CHECK_INT(peek(&c), VSD_CHAIN_EMPTY);
}

static void test_chain_out_then_in(void)
{
	struct vsd_chain c;

	setup();
	fdrv_set_desc(&drv, 1, 5, scratch(0), 44, VSD_DESC_F_NEXT, 9);
	fdrv_set_desc(&drv, 1, 9, scratch(100), 300, VSD_DESC_F_NEXT, 2);
	fdrv_set_desc(&drv, 1, 2, scratch(1000), 64, VSD_DESC_F_WRITE, 0);
	fdrv_publish(&drv, 1, 5);
	REQUIRE(peek(&c) == VSD_CHAIN_OK);
	CHECK_INT(c.head, 5);
	CHECK_INT(c.nseg, 3);
	CHECK_INT(c.nout, 2);
	CHECK_INT(c.out_len, 344);
	CHECK_INT(c.in_len, 64);
	CHECK(c.seg[1].iov_base == mem + FDRV_SCRATCH + 100);
	/* Peeking again gives the same chain; pushing takes it. */
	REQUIRE(peek(&c) == VSD_CHAIN_OK);
	CHECK_INT(c.head, 5);
	vsd_vring_push(&vq, c.head, 7);
	CHECK_INT(peek(&c), VSD_CHAIN_EMPTY);
	CHECK_INT(fdrv_used_idx(&drv, 1), 1);
	CHECK_INT(le32toh(*(uint32_t *)(void *)(drv.q[1].used + 4)), 5);
	CHECK_INT(le32toh(*(uint32_t *)(void *)(drv.q[1].used + 8)), 7);
}

static void test_zero_length_descriptors(void)
{
	struct vsd_chain c;

	setup();
	fdrv_set_desc(&drv, 1, 0, scratch(0), 0, VSD_DESC_F_NEXT, 1);
	fdrv_set_desc(&drv, 1, 1, scratch(0), 8, 0, 0);
	fdrv_publish(&drv, 1, 0);
	REQUIRE(peek(&c) == VSD_CHAIN_OK);
	CHECK_INT(c.nseg, 1);
	CHECK_INT(c.out_len, 8);
}

static void test_loop(void)
{
	struct vsd_chain c;

	setup();
	fdrv_set_desc(&drv, 1, 0, scratch(0), 8, VSD_DESC_F_NEXT, 1);
	fdrv_set_desc(&drv, 1, 1, scratch(0), 8, VSD_DESC_F_NEXT, 0);
	fdrv_publish(&drv, 1, 0);
	CHECK_INT(peek(&c), VSD_CHAIN_BAD);
	CHECK_STR(why, "descriptor chain longer than its table (a loop)");
	/* A chain is bad, the ring is not: it can be returned. */
	CHECK(!vq.broken);
}

static void test_self_loop_zero_length(void)
{
	struct vsd_chain c;

	setup();
	/* Zero-length descriptors add no piece: only the visit count
	 * catches this loop. */
	fdrv_set_desc(&drv, 1, 3, scratch(0), 0, VSD_DESC_F_NEXT, 3);
	fdrv_publish(&drv, 1, 3);
	CHECK_INT(peek(&c), VSD_CHAIN_BAD);
}

static void test_next_out_of_table(void)
{
	struct vsd_chain c;

	setup();
	fdrv_set_desc(&drv, 1, 0, scratch(0), 8, VSD_DESC_F_NEXT, FDRV_NUM);
	fdrv_publish(&drv, 1, 0);
	CHECK_INT(peek(&c), VSD_CHAIN_BAD);
	CHECK_STR(why, "next index outside the descriptor table");
}

static void test_buffer_outside_memory(void)
{
	struct vsd_chain c;
	const uint64_t end = FDRV_GPA + FDRV_MEM_SIZE;
	const struct {
		uint64_t gpa;
		uint32_t len;
	} bad[] = {
		{ 0, 16 },                   /* below the region */
		{ end, 1 },                  /* just after it */
		{ end - 8, 9 },              /* straddling its end */
		{ FDRV_GPA - 1, 2 },         /* straddling its start */
		{ UINT64_MAX - 3, 8 },       /* wrapping around */
		{ UVA, 16 },                 /* a front-end address */
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		setup();
		fdrv_set_desc(&drv, 1, 0, bad[i].gpa, bad[i].len, 0, 0);
		fdrv_publish(&drv, 1, 0);
		CHECK_INT(peek(&c), VSD_CHAIN_BAD);
		CHECK_STR(why, "buffer outside the memory table");
	}
	/* The last byte of the region is fine. */
	setup();
	fdrv_set_desc(&drv, 1, 0, end - 1, 1, 0, 0);
	fdrv_publish(&drv, 1, 0);
	CHECK_INT(peek(&c), VSD_CHAIN_OK);
}

static void test_buffer_across_regions(void)
{
	static uint8_t second[4096];
	const uint64_t end = FDRV_GPA + FDRV_MEM_SIZE;
	struct vsd_chain c;

	setup();
	/* A second region right after the first, elsewhere in our memory. */
	REQUIRE(vsd_mem_add_host(&table, end, sizeof(second), UVA + (1ull << 32),
				 second) == 0);
	fdrv_set_desc(&drv, 1, 0, end - 100, 300, 0, 0);
	fdrv_publish(&drv, 1, 0);
	REQUIRE(peek(&c) == VSD_CHAIN_OK);
	CHECK_INT(c.nseg, 2);
	CHECK(c.seg[0].iov_base == mem + FDRV_MEM_SIZE - 100);
	CHECK_INT(c.seg[0].iov_len, 100);
	CHECK(c.seg[1].iov_base == second);
	CHECK_INT(c.seg[1].iov_len, 200);
}

static void test_readable_after_writable(void)
{
	struct vsd_chain c;

	setup();
	fdrv_set_desc(&drv, 1, 0, scratch(0), 8,
		      VSD_DESC_F_WRITE | VSD_DESC_F_NEXT, 1);
	fdrv_set_desc(&drv, 1, 1, scratch(8), 8, 0, 0);
	fdrv_publish(&drv, 1, 0);
	CHECK_INT(peek(&c), VSD_CHAIN_BAD);
	CHECK_STR(why, "device-readable descriptor after a device-writable one");
	/* Even after a zero-length writable one. */
	setup();
	fdrv_set_desc(&drv, 1, 0, scratch(0), 0,
		      VSD_DESC_F_WRITE | VSD_DESC_F_NEXT, 1);
	fdrv_set_desc(&drv, 1, 1, scratch(8), 8, 0, 0);
	fdrv_publish(&drv, 1, 0);
	CHECK_INT(peek(&c), VSD_CHAIN_BAD);
}

static void test_indirect(void)
{
	struct vsd_chain c;

	setup();
	indirect_desc(4096, 0, scratch(0), 44, VSD_DESC_F_NEXT, 1);
	indirect_desc(4096, 1, scratch(64), 100, 0, 0);
	fdrv_set_desc(&drv, 1, 7, scratch(4096), 32, VSD_DESC_F_INDIRECT, 0);
	fdrv_publish(&drv, 1, 7);
	REQUIRE(peek(&c) == VSD_CHAIN_OK);
	CHECK_INT(c.head, 7);
	CHECK_INT(c.nout, 2);
	CHECK_INT(c.out_len, 144);
}

static void test_indirect_rules(void)
{
	struct vsd_chain c;

	/* Without the feature. */
	setup();
	vq.indirect = false;
	indirect_desc(4096, 0, scratch(0), 44, 0, 0);
	fdrv_set_desc(&drv, 1, 0, scratch(4096), 16, VSD_DESC_F_INDIRECT, 0);
	fdrv_publish(&drv, 1, 0);
	CHECK_INT(peek(&c), VSD_CHAIN_BAD);
	CHECK_STR(why, "indirect descriptor without VIRTIO_RING_F_INDIRECT_DESC");

	/* Nested. */
	setup();
	indirect_desc(4096, 0, scratch(8192), 16, VSD_DESC_F_INDIRECT, 0);
	fdrv_set_desc(&drv, 1, 0, scratch(4096), 16, VSD_DESC_F_INDIRECT, 0);
	fdrv_publish(&drv, 1, 0);
	CHECK_INT(peek(&c), VSD_CHAIN_BAD);
	CHECK_STR(why, "nested indirect descriptor table");

	/* With NEXT. */
	setup();
	indirect_desc(4096, 0, scratch(0), 44, 0, 0);
	fdrv_set_desc(&drv, 1, 0, scratch(4096), 16,
		      VSD_DESC_F_INDIRECT | VSD_DESC_F_NEXT, 1);
	fdrv_publish(&drv, 1, 0);
	CHECK_INT(peek(&c), VSD_CHAIN_BAD);
	CHECK_STR(why, "indirect descriptor with NEXT");

	/* Sizes: empty, not whole descriptors, larger than any queue. */
	const uint32_t sizes[] = { 0, 15, 24, 16u * (VSD_VRING_MAX_SIZE + 1) };

	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		setup();
		fdrv_set_desc(&drv, 1, 0, scratch(4096), sizes[i],
			      VSD_DESC_F_INDIRECT, 0);
		fdrv_publish(&drv, 1, 0);
		CHECK_INT(peek(&c), VSD_CHAIN_BAD);
		CHECK_STR(why, "indirect table size is not a whole number of descriptors");
	}

	/* Outside memory. */
	setup();
	fdrv_set_desc(&drv, 1, 0, FDRV_GPA + FDRV_MEM_SIZE - 16, 32,
		      VSD_DESC_F_INDIRECT, 0);
	fdrv_publish(&drv, 1, 0);
	CHECK_INT(peek(&c), VSD_CHAIN_BAD);
	CHECK_STR(why, "indirect table outside the memory table");

	/* A loop inside the table, and an index past its end. */
	setup();
	indirect_desc(4096, 0, scratch(0), 8, VSD_DESC_F_NEXT, 1);
	indirect_desc(4096, 1, scratch(0), 8, VSD_DESC_F_NEXT, 0);
	fdrv_set_desc(&drv, 1, 0, scratch(4096), 32, VSD_DESC_F_INDIRECT, 0);
	fdrv_publish(&drv, 1, 0);
	CHECK_INT(peek(&c), VSD_CHAIN_BAD);
	CHECK_STR(why, "descriptor chain longer than its table (a loop)");
	setup();
	indirect_desc(4096, 0, scratch(0), 8, VSD_DESC_F_NEXT, 2);
	fdrv_set_desc(&drv, 1, 0, scratch(4096), 32, VSD_DESC_F_INDIRECT, 0);
	fdrv_publish(&drv, 1, 0);
	CHECK_INT(peek(&c), VSD_CHAIN_BAD);
	CHECK_STR(why, "next index outside the descriptor table");
}

static void test_too_many_pieces(void)
{
	struct vsd_chain c;

	setup();
	/* 65 descriptors through an indirect table. */
	for (int i = 0; i < VSD_CHAIN_MAX_SEGS + 1; i++)
		indirect_desc(4096, i, scratch(0), 1,
			      i < VSD_CHAIN_MAX_SEGS ? VSD_DESC_F_NEXT : 0,
			      (uint16_t)(i + 1));
	fdrv_set_desc(&drv, 1, 0, scratch(4096), 16 * (VSD_CHAIN_MAX_SEGS + 1),
		      VSD_DESC_F_INDIRECT, 0);
	fdrv_publish(&drv, 1, 0);
	CHECK_INT(peek(&c), VSD_CHAIN_BAD);
	CHECK_STR(why, "descriptor chain has too many pieces");
}

static void test_longer_than_4gib(void)
{
	struct vsd_chain c;

	/* A 32-bit host maps no region larger than its address space
	 * (vsd_mem_add_host refuses it), so no chain there reaches 4 GiB. */
	if (SIZE_MAX <= UINT32_MAX)
		SKIP("a chain longer than 4 GiB needs a 64-bit host");
	setup();
	/* A large region is only described: the parser builds pieces, it
	 * never touches the buffers. */
	REQUIRE(vsd_mem_add_host(&table, 1ull << 40, 8ull << 30, 1ull << 44,
				 mem) == 0);
	fdrv_set_desc(&drv, 1, 0, 1ull << 40, 0xc0000000u, VSD_DESC_F_NEXT, 1);
	fdrv_set_desc(&drv, 1, 1, (1ull << 40) + 0xc0000000u, 0x40000000u, 0,
		      0);
	fdrv_publish(&drv, 1, 0);
	CHECK_INT(peek(&c), VSD_CHAIN_BAD);
	CHECK_STR(why, "descriptor chain longer than 4 GiB");
}

static void test_ring_garbage(void)
{
	struct vsd_chain c;
	uint16_t idx;

	/* The available index runs ahead by more than the queue. */
	setup();
	idx = htole16(FDRV_NUM + 1);
	memcpy(drv.q[1].avail + 2, &idx, 2);
	CHECK_INT(peek(&c), VSD_RING_BAD);
	CHECK(vq.broken);
	CHECK(!vsd_vring_ready(&vq));
	CHECK_INT(peek(&c), VSD_CHAIN_EMPTY);

	/* A head outside the table. */
	setup();
	fdrv_publish(&drv, 1, FDRV_NUM);
	CHECK_INT(peek(&c), VSD_RING_BAD);
	CHECK_STR(why, "chain head outside the descriptor table");

	/* An index that wrapped around 16 bits is fine. */
	setup();
	vq.last_avail = vq.used_idx = 0xfffe;
	drv.q[1].avail_idx = 0xfffe;
	fdrv_set_desc(&drv, 1, 0, scratch(0), 8, 0, 0);
	fdrv_publish(&drv, 1, 0);
	fdrv_publish(&drv, 1, 0);
	fdrv_publish(&drv, 1, 0);
	for (int i = 0; i < 3; i++) {
		REQUIRE(peek(&c) == VSD_CHAIN_OK);
		vsd_vring_push(&vq, c.head, 0);
	}
	CHECK_INT(peek(&c), VSD_CHAIN_EMPTY);
	CHECK_INT(fdrv_used_idx(&drv, 1), 1);
}

static void test_map(void)
{
	setup();
	CHECK_INT(vsd_vring_map(&vq, &table, "test"), 0);
	vq.used_uva = UVA + FDRV_MEM_SIZE - 100; /* runs past the region */
	CHECK_INT(vsd_vring_map(&vq, &table, "test"), -1);
	CHECK(!vsd_vring_ready(&vq));
	setup();
	vq.desc_uva += 8; /* descriptors must be 16-byte aligned */
	CHECK_INT(vsd_vring_map(&vq, &table, "test"), -1);
	setup();
	vq.avail_uva = FDRV_GPA; /* a guest address is not a front-end one */
	CHECK_INT(vsd_vring_map(&vq, &table, "test"), -1);
}

static void test_notify(void)
{
	uint64_t v = 0;
	uint16_t flags;

	setup();
	vq.call_fd = eventfd(0, EFD_NONBLOCK);
	REQUIRE(vq.call_fd >= 0);
	vsd_vring_notify(&vq); /* nothing pushed: no signal */
	CHECK(read(vq.call_fd, &v, sizeof(v)) < 0);
	fdrv_set_desc(&drv, 1, 0, scratch(0), 8, 0, 0);
	fdrv_publish(&drv, 1, 0);
	vsd_vring_push(&vq, 0, 0);
	vsd_vring_notify(&vq);
	CHECK(read(vq.call_fd, &v, sizeof(v)) == sizeof(v) && v == 1);
	/* The driver asks for no interrupts. */
	flags = htole16(VSD_AVAIL_F_NO_INTERRUPT);
	memcpy(drv.q[1].avail, &flags, 2);
	fdrv_publish(&drv, 1, 0);
	vsd_vring_push(&vq, 0, 0);
	vsd_vring_notify(&vq);
	CHECK(read(vq.call_fd, &v, sizeof(v)) < 0);
	vsd_vring_release(&vq);
}

static void test_mem_table(void)
{
	static uint8_t a[4096];
	struct vsd_mem m;

	vsd_mem_init(&m);
	CHECK_INT(vsd_mem_add_host(&m, 0x1000, sizeof(a), 0x9000, a), 0);
	/* Overlapping by guest or by front-end address, empty, wrapping. */
	CHECK_INT(vsd_mem_add_host(&m, 0x1fff, 16, 0x100000, a), -1);
	CHECK_INT(vsd_mem_add_host(&m, 0x100000, 16, 0x9fff, a), -1);
	CHECK_INT(vsd_mem_add_host(&m, 0x100000, 0, 0x200000, a), -1);
	CHECK_INT(vsd_mem_add_host(&m, UINT64_MAX - 10, 16, 0x200000, a), -1);
	CHECK_INT(vsd_mem_add_host(&m, 0x200000, 16, UINT64_MAX, a), -1);
	CHECK(vsd_mem_gpa(&m, 0x1000, 4096) == a);
	CHECK(vsd_mem_gpa(&m, 0x1fff, 1) == a + 4095);
	CHECK(vsd_mem_gpa(&m, 0x1fff, 2) == NULL);
	CHECK(vsd_mem_gpa(&m, 0xfff, 1) == NULL);
	CHECK(vsd_mem_uva(&m, 0x9000, 4096) == a);
	CHECK(vsd_mem_uva(&m, 0x1000, 1) == NULL);
	for (int i = 1; i < VSD_MEM_MAX_REGIONS; i++)
		CHECK_INT(vsd_mem_add_host(&m, 0x10000ull * (uint64_t)(i + 1),
					   16, 0x10000000ull * (uint64_t)i, a),
			  0);
	CHECK_INT(vsd_mem_add_host(&m, 0x900000, 16, 0x90000000, a), -1);
	vsd_mem_release(&m);
	CHECK_INT(m.n, 0);
}

static void test_header_codec(void)
{
	const uint8_t raw[VSD_HDR_LEN] = {
		3, 0, 0, 0, 0, 0, 0, 0,       /* src_cid */
		2, 0, 0, 0, 0, 0, 0, 0,       /* dst_cid */
		0x39, 0x30, 0, 0,             /* src_port 12345 */
		0x00, 0x08, 0, 0,             /* dst_port 2048 */
		0x10, 0, 0, 0,                /* len 16 */
		1, 0,                         /* type stream */
		5, 0,                         /* op RW */
		0, 0, 0, 0,                   /* flags */
		0, 0, 4, 0,                   /* buf_alloc 262144 */
		0x40, 0x42, 0x0f, 0,          /* fwd_cnt 1000000 */
	};
	uint8_t back[VSD_HDR_LEN];
	struct vsd_hdr h;

	vsd_hdr_decode(raw, &h);
	CHECK_INT(h.src_cid, 3);
	CHECK_INT(h.dst_cid, 2);
	CHECK_INT(h.src_port, 12345);
	CHECK_INT(h.dst_port, 2048);
	CHECK_INT(h.len, 16);
	CHECK_INT(h.type, 1);
	CHECK_INT(h.op, VSD_OP_RW);
	CHECK_INT(h.buf_alloc, 262144);
	CHECK_INT(h.fwd_cnt, 1000000);
	vsd_hdr_encode(&h, back);
	CHECK(memcmp(raw, back, sizeof(raw)) == 0);
	CHECK_STR(vsd_op_name(VSD_OP_CREDIT_REQUEST), "CREDIT_REQUEST");
	CHECK_STR(vsd_op_name(99), "op 99");
}

static void test_header_check(void)
{
	struct vsd_hdr h = fdrv_hdr(VSD_OP_RW, 1, 2, 100);

	CHECK(vsd_hdr_check(&h, 3, 100) == NULL);
	CHECK_STR(vsd_hdr_check(&h, 3, 99),
		  "payload length beyond the descriptor chain");
	CHECK_STR(vsd_hdr_check(&h, 4, 100), "source CID is not the guest's");
	h.dst_cid = 1;
	CHECK_STR(vsd_hdr_check(&h, 3, 100),
		  "destination CID is not the host (2)");
	h = fdrv_hdr(VSD_OP_RW, 1, 2, VSD_MAX_PAYLOAD + 1);
	CHECK_STR(vsd_hdr_check(&h, 3, 1 << 20), "payload longer than 64 KiB");
	h = fdrv_hdr(VSD_OP_REQUEST, 1, 2, 1);
	CHECK_STR(vsd_hdr_check(&h, 3, 1), "payload length on a control packet");
	h = fdrv_hdr(VSD_OP_REQUEST, 1, 2, 0);
	h.type = 2;
	CHECK_STR(vsd_hdr_check(&h, 3, 0), "socket type is not stream");
	for (uint16_t op = 0; op < 12; op++) {
		h = fdrv_hdr(op, 1, 2, 0);
		CHECK((vsd_hdr_check(&h, 3, 0) == NULL) ==
		      (op >= VSD_OP_REQUEST && op <= VSD_OP_CREDIT_REQUEST));
	}
}

TEST_MAIN(test_empty, test_chain_out_then_in, test_zero_length_descriptors,
	  test_loop, test_self_loop_zero_length, test_next_out_of_table,
	  test_buffer_outside_memory, test_buffer_across_regions,
	  test_readable_after_writable, test_indirect, test_indirect_rules,
	  test_too_many_pieces, test_longer_than_4gib, test_ring_garbage,
	  test_map, test_notify, test_mem_table, test_header_codec,
	  test_header_check)
