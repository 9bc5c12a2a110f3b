// SPDX-License-Identifier: Apache-2.0
/*
 * The guest's side of the device: packets from its transmit queue, and
 * what is owed to it through its receive queue.
 */
#include "device.h"
#include "iov.h"

#include <errno.h>
#include <string.h>
#include <sys/uio.h>

/* Packets one connection may put on the receive queue before the next
 * waiting connection gets its turn. */
#define RX_TURN 8
/* Transmit chains taken per round before the other events get a turn. */
#define TX_ROUND 256

bool vsd_guest_running(const struct vsd_dev *d)
{
	return vsd_vring_ready(&d->vq[VSD_RXQ]) &&
	       vsd_vring_ready(&d->vq[VSD_TXQ]);
}

void vsd_guest_fault(struct vsd_dev *d, const char *queue, const char *why)
{
	d->stats.guest_faults++;
	vsd_log_limited(&d->lim_chain, VSD_LOG_WARN,
			"guest %s queue: %s; resetting every connection", queue,
			why);
	d->fault = true;
}

void vsd_guest_rst(struct vsd_dev *d, uint32_t local, uint32_t peer)
{
	unsigned int i;

	if (d->rst_len == VSD_RST_QUEUE) {
		d->stats.rst_dropped++;
		return;
	}
	i = (d->rst_head + d->rst_len) % VSD_RST_QUEUE;
	d->rst[i].local = local;
	d->rst[i].peer = peer;
	d->rst_len++;
}

static void fill_hdr(const struct vsd_dev *d, struct vsd_hdr *h,
		     uint32_t local, uint32_t peer, uint16_t op)
{
	memset(h, 0, sizeof(*h));
	h->src_cid = VSD_CID_HOST;
	h->dst_cid = d->cfg.guest_cid;
	h->src_port = local;
	h->dst_port = peer;
	h->type = VSD_TYPE_STREAM;
	h->op = op;
	h->buf_alloc = d->cfg.buf_alloc;
}

/*
 * Peeks the next usable receive chain. A chain the guest got wrong is
 * returned to it empty and reported; at most a queue's worth of them is
 * skipped per call. False when the guest has no buffer for us.
 */
static bool rx_chain(struct vsd_dev *d, struct vsd_chain *c)
{
	struct vsd_vring *vq = &d->vq[VSD_RXQ];
	const char *why = NULL;

	for (unsigned int i = 0; i < vq->num; i++) {
		switch (vsd_vring_peek(vq, &d->mem, c, &why)) {
		case VSD_CHAIN_EMPTY:
			return false;
		case VSD_RING_BAD:
			vsd_guest_fault(d, "receive", why);
			return false;
		case VSD_CHAIN_BAD:
			break;
		case VSD_CHAIN_OK:
			if (c->nout)
				why = "device-readable buffer in a receive chain";
			else if (c->in_len < VSD_HDR_LEN)
				why = "receive buffer shorter than a packet header";
			else
				return true;
			break;
		}
		vsd_vring_push(vq, c->head, 0);
		vsd_guest_fault(d, "receive", why);
	}
	return false;
}

/* Puts one header-only packet on the receive queue; false when the
 * guest has no buffer. */
static bool rx_send_hdr(struct vsd_dev *d, const struct vsd_hdr *h)
{
	uint8_t raw[VSD_HDR_LEN];
	struct vsd_chain c;

	if (!rx_chain(d, &c))
		return false;
	vsd_hdr_encode(h, raw);
	vsd_iov_from_buf(c.seg, c.nseg, 0, raw, sizeof(raw));
	vsd_vring_push(&d->vq[VSD_RXQ], c.head, VSD_HDR_LEN);
	return true;
}

/* The control packet c owes first: connection set-up before credit
 * before shutdown. */
static const struct {
	unsigned int bit;
	uint16_t op;
} ctl_order[] = {
	{ VSD_CTL_REQUEST, VSD_OP_REQUEST },
	{ VSD_CTL_RESPONSE, VSD_OP_RESPONSE },
	{ VSD_CTL_CREDIT_UPDATE, VSD_OP_CREDIT_UPDATE },
	{ VSD_CTL_CREDIT_REQUEST, VSD_OP_CREDIT_REQUEST },
	{ VSD_CTL_SHUTDOWN, VSD_OP_SHUTDOWN },
};

static bool send_ctl(struct vsd_dev *d, struct vsd_conn *c)
{
	struct vsd_hdr h;
	unsigned int i = 0;

	while (!(c->ctl & ctl_order[i].bit))
		i++;
	fill_hdr(d, &h, c->local_port, c->peer_port, ctl_order[i].op);
	h.fwd_cnt = c->fwd_cnt;
	/* The host side only ever shuts its sending direction: its socket
	 * returned end of file. */
	if (ctl_order[i].op == VSD_OP_SHUTDOWN)
		h.flags = VSD_SHUTDOWN_SEND;
	if (!rx_send_hdr(d, &h))
		return false;
	c->fwd_cnt_sent = c->fwd_cnt;
	c->ctl &= ~ctl_order[i].bit;
	return true;
}

enum serve_result {
	SERVE_DONE,     /* nothing more to send now */
	SERVE_BLOCKED,  /* the receive queue ran dry */
	SERVE_MORE,     /* turn used up; more to send */
	SERVE_CLOSE,    /* the host socket failed: reset the connection */
};

/* Reads from c's socket straight into one receive buffer of the guest,
 * as much as buffer and credit allow. */
static enum serve_result send_data(struct vsd_dev *d, struct vsd_conn *c)
{
	struct iovec iov[VSD_CHAIN_MAX_SEGS];
	uint8_t raw[VSD_HDR_LEN];
	struct vsd_chain ch;
	struct vsd_hdr h;
	uint32_t room, credit = vsd_conn_peer_credit(c);
	unsigned int k;
	ssize_t n;

	if (!rx_chain(d, &ch))
		return SERVE_BLOCKED;
	room = (uint32_t)(ch.in_len - VSD_HDR_LEN);
	if (room == 0) {
		vsd_vring_push(&d->vq[VSD_RXQ], ch.head, 0);
		vsd_guest_fault(d, "receive",
				"receive buffer with no room for data");
		return SERVE_DONE;
	}
	if (room > VSD_MAX_PAYLOAD)
		room = VSD_MAX_PAYLOAD;
	if (room > credit)
		room = credit;
	k = vsd_iov_slice(ch.seg, ch.nseg, VSD_HDR_LEN, room, iov,
			  VSD_CHAIN_MAX_SEGS);
	do {
		n = readv(c->fd, iov, (int)k);
	} while (n < 0 && errno == EINTR);
	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
		c->readable = false;
		return SERVE_DONE;
	}
	if (n < 0)
		return SERVE_CLOSE;
	if (n == 0) {
		c->readable = false;
		c->host_eof = true;
		c->ctl |= VSD_CTL_SHUTDOWN;
		return SERVE_MORE;
	}
	fill_hdr(d, &h, c->local_port, c->peer_port, VSD_OP_RW);
	h.len = (uint32_t)n;
	h.fwd_cnt = c->fwd_cnt;
	vsd_hdr_encode(&h, raw);
	vsd_iov_from_buf(ch.seg, ch.nseg, 0, raw, sizeof(raw));
	vsd_vring_push(&d->vq[VSD_RXQ], ch.head, VSD_HDR_LEN + (uint32_t)n);
	c->fwd_cnt_sent = c->fwd_cnt;
	c->tx_cnt += (uint32_t)n;
	d->stats.bytes_to_guest += (uint64_t)n;
	return SERVE_MORE;
}

/* Sends what c owes the guest: its control packets, then data while its
 * socket has some and the guest has credit, for at most one turn. */
static enum serve_result serve(struct vsd_dev *d, struct vsd_conn *c)
{
	unsigned int turn = RX_TURN;

	for (;;) {
		enum serve_result r;

		if (c->ctl) {
			if (!send_ctl(d, c))
				return SERVE_BLOCKED;
			continue;
		}
		if (!c->readable || c->state != VSD_CONN_ESTABLISHED ||
		    c->host_eof || c->guest_no_rcv)
			return SERVE_DONE;
		if (!vsd_conn_peer_credit(c)) {
			/* The guest owes us an update; ask once. */
			if (c->credit_asked)
				return SERVE_DONE;
			c->credit_asked = true;
			c->ctl |= VSD_CTL_CREDIT_REQUEST;
			continue;
		}
		if (!turn--)
			return SERVE_MORE;
		r = send_data(d, c);
		if (r != SERVE_MORE)
			return r;
	}
}

static bool send_rsts(struct vsd_dev *d)
{
	struct vsd_hdr h;

	while (d->rst_len) {
		fill_hdr(d, &h, d->rst[d->rst_head].local,
			 d->rst[d->rst_head].peer, VSD_OP_RST);
		if (!rx_send_hdr(d, &h))
			return false;
		d->rst_head = (d->rst_head + 1) % VSD_RST_QUEUE;
		d->rst_len--;
	}
	return true;
}

static void unwait_head(struct vsd_dev *d)
{
	struct vsd_conn *c = d->wait_head;

	d->wait_head = c->wnext;
	if (d->wait_head)
		d->wait_head->wprev = NULL;
	else
		d->wait_tail = NULL;
	c->wnext = c->wprev = NULL;
	c->waiting = false;
}

void vsd_guest_rx(struct vsd_dev *d)
{
	if (!vsd_vring_ready(&d->vq[VSD_RXQ]))
		return;
	while (send_rsts(d) && d->wait_head) {
		struct vsd_conn *c = d->wait_head;
		enum serve_result r = serve(d, c);

		if (r == SERVE_BLOCKED)
			break;
		unwait_head(d);
		if (r == SERVE_MORE)
			vsd_conn_wait(d, c);
		else if (r == SERVE_CLOSE)
			vsd_conn_close(d, c, true, "reading the host socket failed");
		else if (vsd_conn_check_done(d, c) == 0)
			vsd_conn_sync(d, c);
	}
	vsd_vring_notify(&d->vq[VSD_RXQ]);
}

/* A packet that fails its checks: logged; its connection (or, without
 * one, the guest port that sent it) gets an RST, unless the packet is not
 * from this guest to the host at all, which is only dropped. */
static void bad_packet(struct vsd_dev *d, const struct vsd_hdr *h,
		       struct vsd_conn *c, const char *why)
{
	d->stats.bad_packets++;
	vsd_log_limited(&d->lim_packet, VSD_LOG_WARN,
			"guest packet %s from port %u to host port %u dropped: %s",
			vsd_op_name(h->op), h->src_port, h->dst_port, why);
	if (h->src_cid != d->cfg.guest_cid || h->dst_cid != VSD_CID_HOST)
		return;
	if (c)
		vsd_conn_close(d, c, true, why);
	else if (h->op != VSD_OP_RST)
		vsd_guest_rst(d, h->dst_port, h->src_port);
}

/* Hands an RW packet's payload to the connection's host socket. Returns
 * 0, or -1 when the connection was closed. */
static int rw_packet(struct vsd_dev *d, struct vsd_conn *c,
		     const struct vsd_chain *ch, const struct vsd_hdr *h)
{
	struct iovec pay[VSD_CHAIN_MAX_SEGS];
	unsigned int k;

	if (c->state != VSD_CONN_ESTABLISHED || c->guest_no_send) {
		bad_packet(d, h, c, c->guest_no_send ?
				      "data after the guest's SHUTDOWN" :
				      "data before the connection is set up");
		return -1;
	}
	if ((uint64_t)vsd_conn_pending(c) + h->len > d->cfg.buf_alloc) {
		d->stats.credit_violations++;
		vsd_log_limited(&d->lim_credit, VSD_LOG_WARN,
				"guest port %u to host port %u sent %u bytes beyond its credit (%u pending of %u); resetting the connection",
				h->src_port, h->dst_port, h->len,
				vsd_conn_pending(c), d->cfg.buf_alloc);
		vsd_conn_close(d, c, true, "credit exceeded");
		return -1;
	}
	k = vsd_iov_slice(ch->seg, ch->nout, VSD_HDR_LEN, h->len, pay,
			  VSD_CHAIN_MAX_SEGS);
	return vsd_conn_to_host(d, c, pay, k, h->len);
}

/* One packet of the guest, to a connection of ours or about one. */
static void tx_packet(struct vsd_dev *d, const struct vsd_chain *ch)
{
	uint8_t raw[VSD_HDR_LEN];
	struct vsd_conn *c;
	struct vsd_hdr h;
	const char *why;

	if (ch->out_len < VSD_HDR_LEN) {
		d->stats.bad_packets++;
		vsd_log_limited(&d->lim_packet, VSD_LOG_WARN,
				"guest packet of %zu bytes dropped: shorter than a header",
				ch->out_len);
		return;
	}
	vsd_iov_to_buf(ch->seg, ch->nout, 0, raw, sizeof(raw));
	vsd_hdr_decode(raw, &h);
	c = vsd_conn_find(&d->conns, h.dst_port, h.src_port);
	why = vsd_hdr_check(&h, d->cfg.guest_cid, ch->out_len - VSD_HDR_LEN);
	if (!why && ch->in_len)
		why = "device-writable buffer in a transmit chain";
	if (why) {
		bad_packet(d, &h, c, why);
		return;
	}
	if (!c) {
		if (h.op == VSD_OP_REQUEST)
			vsd_conn_guest_request(d, h.dst_port, h.src_port, &h);
		else if (h.op != VSD_OP_RST)
			vsd_guest_rst(d, h.dst_port, h.src_port);
		return;
	}
	/* Every packet carries the guest's credit for this connection. */
	c->peer_buf_alloc = h.buf_alloc;
	c->peer_fwd_cnt = h.fwd_cnt;
	switch (h.op) {
	case VSD_OP_REQUEST:
		bad_packet(d, &h, c, "REQUEST on an open connection");
		return;
	case VSD_OP_RESPONSE:
		if (c->state != VSD_CONN_CONNECTING) {
			bad_packet(d, &h, c, "unexpected RESPONSE");
			return;
		}
		if (vsd_conn_host_accepted(d, c))
			return;
		break;
	case VSD_OP_RST:
		vsd_conn_close(d, c, false, "reset by the guest");
		return;
	case VSD_OP_SHUTDOWN:
		if (h.flags & VSD_SHUTDOWN_RCV)
			c->guest_no_rcv = true;
		if (h.flags & VSD_SHUTDOWN_SEND)
			c->guest_no_send = true;
		if (vsd_conn_check_done(d, c))
			return;
		break;
	case VSD_OP_RW:
		if (rw_packet(d, c, ch, &h))
			return;
		break;
	case VSD_OP_CREDIT_REQUEST:
		vsd_conn_owe(d, c, VSD_CTL_CREDIT_UPDATE);
		break;
	default: /* VSD_OP_CREDIT_UPDATE: the credit is taken above. */
		break;
	}
	if (vsd_conn_peer_credit(c)) {
		c->credit_asked = false;
		if (c->readable)
			vsd_conn_wait(d, c);
	}
	vsd_conn_sync(d, c);
}

void vsd_guest_tx(struct vsd_dev *d)
{
	struct vsd_vring *vq = &d->vq[VSD_TXQ];
	const char *why = NULL;
	struct vsd_chain c;

	d->tx_more = false;
	for (unsigned int n = 0;; n++) {
		enum vsd_chain_result r;

		if (n == TX_ROUND) {
			d->tx_more = true;
			break;
		}
		r = vsd_vring_peek(vq, &d->mem, &c, &why);
		if (r == VSD_CHAIN_EMPTY)
			break;
		if (r == VSD_RING_BAD) {
			vsd_guest_fault(d, "transmit", why);
			break;
		}
		if (r == VSD_CHAIN_BAD)
			vsd_guest_fault(d, "transmit", why);
		else
			tx_packet(d, &c);
		/* A transmit buffer is returned with nothing written. */
		vsd_vring_push(vq, c.head, 0);
	}
	vsd_vring_notify(vq);
	vsd_guest_rx(d);
}
