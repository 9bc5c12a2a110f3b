// SPDX-License-Identifier: Apache-2.0
/*
 * libFuzzer target of the device's guest side: descriptor chains, rings
 * and packets, as a hostile guest kernel would write them.
 *
 * The input is a script of records run against one device in process:
 *
 *   u16 offset, u16 length, bytes   write into guest RAM (64 KiB) at offset
 *   0xffff, u8 action               0: the guest kicks tx (then rx)
 *                                   1: every host peer writes 16 bytes
 *                                   2: every host peer closes
 *                                   3: the guest kicks rx
 *
 * Guest RAM layout (guest physical = 0x10000 + offset): tx ring (16
 * entries) descriptors at 0x0000, available ring 0x0100, used ring 0x0200;
 * rx ring descriptors 0x0400, available 0x0500, used 0x0600; everything
 * from 0x0800 is buffers. A second region of 4 KiB follows the first in
 * guest physical space but lies elsewhere in our memory, so chains can
 * cross regions. Guest connections get socket pairs (connect_port); the
 * test holds the host ends.
 *
 * Invariants: every chain the device takes it returns, at most a queue's
 * worth per round; no connection buffers more than its credit; the
 * connection table stays within its limit; after the device is released
 * nothing is left (LeakSanitizer); and no sanitizer finding on the way.
 */
#include "device.h"
#include "fuzz_common.h"

#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

#define RAM 0x10000u
#define GPA 0x10000ull
#define UVA 0x7f0000000000ull
#define NUM 16
#define MAX_PEERS 8
#define BUF_ALLOC 8192

static uint8_t *ram, *ram2;
static int peers[MAX_PEERS];
static int npeers;

static int fuzz_connect(struct vsd_dev *d, uint32_t port)
{
	int sv[2];

	(void)d;
	if (npeers == MAX_PEERS || (port & 0xff) == 0xff ||
	    socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0,
		       sv))
		return -1;
	/* A small socket buffer lets a script reach the device's own
	 * buffering and its credit checks. */
	setsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &(int){ 4096 }, sizeof(int));
	peers[npeers++] = sv[1];
	return sv[0];
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	ram = aligned_alloc(4096, RAM);
	ram2 = aligned_alloc(4096, 4096);
	if (getenv("FUZZ_VERBOSE") == NULL || getenv("FUZZ_VERBOSE")[0] != '1')
		vsd_log_level = 0;
	return 0;
}

static void queue(struct vsd_dev *d, int i, uint32_t off)
{
	struct vsd_vring *vq = &d->vq[i];

	vq->num = NUM;
	vq->desc_uva = UVA + off;
	vq->avail_uva = UVA + off + 0x100;
	vq->used_uva = UVA + off + 0x200;
	vq->have_addr = vq->started = vq->enabled = true;
	vq->indirect = true;
	vsd_vring_map(vq, &d->mem, i ? "tx" : "rx");
}

/*
 * Checks what the device published since *seen, by its own counters: the
 * used ring in guest RAM is no evidence, since a hostile guest may point
 * receive buffers at it and have it overwritten. Every chain taken was
 * returned (the used index follows the available one exactly), and no
 * more of them than the queue holds per round.
 */
static void check_used(const struct vsd_vring *vq, uint16_t *seen)
{
	FUZZ_ASSERT(vq->used_idx == vq->last_avail);
	FUZZ_ASSERT((uint16_t)(vq->used_idx - *seen) <= NUM);
	*seen = vq->used_idx;
}

static void check_conns(const struct vsd_dev *d)
{
	FUZZ_ASSERT(d->conns.count <= d->cfg.max_conns);
	for (const struct vsd_conn *c = d->conns.all; c; c = c->next)
		FUZZ_ASSERT(vsd_conn_pending(c) <= BUF_ALLOC);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vsd_config cfg = {
		.guest_cid = 3,
		.max_conns = 4,
		.buf_alloc = BUF_ALLOC,
	};
	uint16_t seen_rx = 0, seen_tx = 0;
	struct vsd_dev d;
	size_t i = 0;

	memset(ram, 0, RAM);
	memset(ram2, 0, 4096);
	npeers = 0;
	if (vsd_dev_init(&d, &cfg))
		abort();
	d.connect_port = fuzz_connect;
	vsd_mem_add_host(&d.mem, GPA, RAM, UVA, ram);
	vsd_mem_add_host(&d.mem, GPA + RAM, 4096, UVA + (1ull << 32), ram2);
	queue(&d, VSD_TXQ, 0);
	queue(&d, VSD_RXQ, 0x400);

	while (i + 2 <= size) {
		uint16_t off = (uint16_t)(data[i] | data[i + 1] << 8);

		i += 2;
		if (off == 0xffff) {
			uint8_t action;

			if (i >= size)
				break;
			action = data[i++] & 3;
			if (action == 0) {
				vsd_guest_tx(&d);
			} else if (action == 3) {
				vsd_guest_rx(&d);
			} else {
				for (int p = 0; p < npeers; p++) {
					if (peers[p] < 0)
						continue;
					if (action == 1) {
						/* A full or reset socket is
						 * fine. */
						(void)send(peers[p],
							   "0123456789abcdef",
							   16, MSG_NOSIGNAL);
					} else {
						close(peers[p]);
						peers[p] = -1;
					}
				}
			}
			for (int k = 0; k < 3; k++)
				vsd_dev_poll(&d, 0);
			check_used(&d.vq[VSD_TXQ], &seen_tx);
			check_used(&d.vq[VSD_RXQ], &seen_rx);
			check_conns(&d);
			continue;
		}
		if (i + 2 > size)
			break;
		{
			size_t len = data[i] | (size_t)data[i + 1] << 8;

			i += 2;
			if (len > size - i)
				len = size - i;
			/* The device never reads the used rings; writing them
			 * would only blur the checks above. */
			for (size_t k = 0; k < len && off + k < RAM; k++) {
				size_t at = off + k;

				if ((at & 0xf00) != 0x200 && (at & 0xf00) != 0x600)
					ram[at] = data[i + k];
			}
			i += len;
		}
	}
	vsd_dev_release(&d);
	for (int p = 0; p < npeers; p++)
		if (peers[p] >= 0)
			close(peers[p]);
	return 0;
}
