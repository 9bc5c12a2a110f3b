// SPDX-License-Identifier: Apache-2.0
/*
 * The vhost-user front-end connection (QEMU's docs/interop/vhost-user.rst):
 * QEMU connects to our socket and sets the device up with messages
 *
 *   u32 request, u32 flags (bits 0-1 version = 1, bit 2 reply, bit 3 need
 *   reply), u32 size, then `size` payload bytes in native byte order,
 *
 * file descriptors riding along as SCM_RIGHTS. We answer GET_* requests,
 * and with VHOST_USER_PROTOCOL_F_REPLY_ACK every request flagged "need
 * reply" with a u64 (0 = done). A message that breaks the framing drops
 * the front-end; a request we cannot honour is refused and logged.
 */
#include "device.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

enum vu_request {
	VU_GET_FEATURES = 1,
	VU_SET_FEATURES = 2,
	VU_SET_OWNER = 3,
	VU_RESET_OWNER = 4,
	VU_SET_MEM_TABLE = 5,
	VU_SET_VRING_NUM = 8,
	VU_SET_VRING_ADDR = 9,
	VU_SET_VRING_BASE = 10,
	VU_GET_VRING_BASE = 11,
	VU_SET_VRING_KICK = 12,
	VU_SET_VRING_CALL = 13,
	VU_SET_VRING_ERR = 14,
	VU_GET_PROTOCOL_FEATURES = 15,
	VU_SET_PROTOCOL_FEATURES = 16,
	VU_GET_QUEUE_NUM = 17,
	VU_SET_VRING_ENABLE = 18,
	VU_GET_CONFIG = 24,
	VU_SET_CONFIG = 25,
	VU_RESET_DEVICE = 34,
};

#define VU_HDR_LEN 12
#define VU_VERSION 1u
#define VU_VERSION_MASK 3u
#define VU_FLAG_REPLY (1u << 2)
#define VU_FLAG_NEED_REPLY (1u << 3)
/* Nothing QEMU sends a vsock back-end is near this (a full memory table
 * is 264 bytes, a config message 268). */
#define VU_MAX_PAYLOAD 4096
#define VU_MAX_FDS VSD_MEM_MAX_REGIONS
#define VU_MAX_CONFIG 256
/* SET_VRING_KICK/CALL/ERR: queue index in bits 0-7, "no fd" in bit 8. */
#define VU_VRING_INDEX_MASK 0xffu
#define VU_VRING_NOFD (1u << 8)

#define F_INDIRECT_DESC 28
#define F_PROTOCOL_FEATURES 30
#define F_VERSION_1 32
#define PF_REPLY_ACK 3
#define PF_CONFIG 9

static const uint64_t offered_features = 1ull << F_VERSION_1 |
					 1ull << F_INDIRECT_DESC |
					 1ull << F_PROTOCOL_FEATURES;
static const uint64_t offered_protocol = 1ull << PF_REPLY_ACK |
					 1ull << PF_CONFIG;

struct vu_msg {
	uint32_t request, flags, size;
	uint8_t payload[VU_MAX_PAYLOAD];
	int fds[VU_MAX_FDS];
	unsigned int nfds;
};

/* What a handler tells the dispatcher. */
enum vu_status {
	VU_DONE = 0,      /* honoured */
	VU_REFUSED = 1,   /* refused (reply-ack 1), front-end kept */
	VU_FATAL = 2,     /* drop the front-end */
	VU_REPLIED = 3,   /* the handler sent its own reply */
};

static const char *const queue_names[VSD_NUM_QUEUES] = { "rx", "tx", "event" };

/* For log lines. */
static const char *request_name(uint32_t r)
{
	static const char *const names[] = {
		[VU_GET_FEATURES] = "GET_FEATURES",
		[VU_SET_FEATURES] = "SET_FEATURES",
		[VU_SET_OWNER] = "SET_OWNER",
		[VU_RESET_OWNER] = "RESET_OWNER",
		[VU_SET_MEM_TABLE] = "SET_MEM_TABLE",
		[VU_SET_VRING_NUM] = "SET_VRING_NUM",
		[VU_SET_VRING_ADDR] = "SET_VRING_ADDR",
		[VU_SET_VRING_BASE] = "SET_VRING_BASE",
		[VU_GET_VRING_BASE] = "GET_VRING_BASE",
		[VU_SET_VRING_KICK] = "SET_VRING_KICK",
		[VU_SET_VRING_CALL] = "SET_VRING_CALL",
		[VU_SET_VRING_ERR] = "SET_VRING_ERR",
		[VU_GET_PROTOCOL_FEATURES] = "GET_PROTOCOL_FEATURES",
		[VU_SET_PROTOCOL_FEATURES] = "SET_PROTOCOL_FEATURES",
		[VU_GET_QUEUE_NUM] = "GET_QUEUE_NUM",
		[VU_SET_VRING_ENABLE] = "SET_VRING_ENABLE",
		[VU_GET_CONFIG] = "GET_CONFIG",
		[VU_SET_CONFIG] = "SET_CONFIG",
		[VU_RESET_DEVICE] = "RESET_DEVICE",
	};

	return r < sizeof(names) / sizeof(names[0]) && names[r] ? names[r] :
								  "unknown";
}

static void close_fds(struct vu_msg *m)
{
	for (unsigned int i = 0; i < m->nfds; i++)
		if (m->fds[i] >= 0)
			close(m->fds[i]);
	m->nfds = 0;
}

static int recv_all(int fd, void *buf, size_t len)
{
	size_t done = 0;

	while (done < len) {
		ssize_t n = recv(fd, (uint8_t *)buf + done, len - done, 0);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		done += (size_t)n;
	}
	return 0;
}

/* Returns 1 with a message, 0 at end of stream, -1 on a broken message. */
static int read_msg(int fd, struct vu_msg *m)
{
	union {
		char buf[CMSG_SPACE(sizeof(int) * VU_MAX_FDS)];
		struct cmsghdr align;
	} ctl;
	uint8_t hdr[VU_HDR_LEN];
	struct iovec iov = { .iov_base = hdr, .iov_len = sizeof(hdr) };
	struct msghdr mh = {
		.msg_iov = &iov,
		.msg_iovlen = 1,
		.msg_control = ctl.buf,
		.msg_controllen = sizeof(ctl.buf),
	};
	ssize_t n;

	m->nfds = 0;
	do {
		n = recvmsg(fd, &mh, MSG_CMSG_CLOEXEC);
	} while (n < 0 && errno == EINTR);
	if (n == 0)
		return 0;
	if (n < 0) {
		vsd_error("front-end: %s", strerror(errno));
		return -1;
	}
	for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c)) {
		size_t k;

		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
			continue;
		k = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (size_t i = 0; i < k; i++) {
			int f;

			memcpy(&f, CMSG_DATA(c) + i * sizeof(int), sizeof(f));
			if (m->nfds < VU_MAX_FDS)
				m->fds[m->nfds++] = f;
			else
				close(f);
		}
	}
	if (mh.msg_flags & MSG_CTRUNC) {
		vsd_error("front-end: more than %d file descriptors in one message",
			  VU_MAX_FDS);
		goto bad;
	}
	if (n < VU_HDR_LEN && recv_all(fd, hdr + n, VU_HDR_LEN - (size_t)n))
		goto torn;
	memcpy(&m->request, hdr, 4);
	memcpy(&m->flags, hdr + 4, 4);
	memcpy(&m->size, hdr + 8, 4);
	if ((m->flags & VU_VERSION_MASK) != VU_VERSION) {
		vsd_error("front-end: request %u has protocol version %u (expected 1)",
			  m->request, m->flags & VU_VERSION_MASK);
		goto bad;
	}
	if (m->size > VU_MAX_PAYLOAD) {
		vsd_error("front-end: request %u has a %u-byte payload (at most %d)",
			  m->request, m->size, VU_MAX_PAYLOAD);
		goto bad;
	}
	if (recv_all(fd, m->payload, m->size))
		goto torn;
	return 1;
torn:
	vsd_error("front-end: connection ended inside a message");
bad:
	close_fds(m);
	return -1;
}

static int reply(struct vsd_dev *d, const struct vu_msg *req,
		 const void *payload, uint32_t size)
{
	uint8_t buf[VU_HDR_LEN + VU_MAX_PAYLOAD];
	uint32_t flags = VU_VERSION | VU_FLAG_REPLY;
	size_t len = VU_HDR_LEN + size, done = 0;

	memcpy(buf, &req->request, 4);
	memcpy(buf + 4, &flags, 4);
	memcpy(buf + 8, &size, 4);
	memcpy(buf + VU_HDR_LEN, payload, size);
	while (done < len) {
		ssize_t n = send(d->fe_fd, buf + done, len - done, MSG_NOSIGNAL);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			vsd_error("front-end: sending a reply failed: %s",
				  strerror(errno));
			return -1;
		}
		done += (size_t)n;
	}
	return 0;
}

static enum vu_status reply_u64(struct vsd_dev *d, const struct vu_msg *m,
				uint64_t v)
{
	return reply(d, m, &v, sizeof(v)) ? VU_FATAL : VU_REPLIED;
}

static bool payload_is(const struct vu_msg *m, uint32_t size)
{
	if (m->size == size)
		return true;
	vsd_error("front-end: request %u with a %u-byte payload (expected %u)",
		  m->request, m->size, size);
	return false;
}

static bool payload_at_least(const struct vu_msg *m, uint32_t size)
{
	if (m->size >= size)
		return true;
	vsd_error("front-end: request %u with a %u-byte payload (at least %u expected)",
		  m->request, m->size, size);
	return false;
}

static uint32_t get32(const struct vu_msg *m, size_t off)
{
	uint32_t v;

	memcpy(&v, m->payload + off, 4);
	return v;
}

static uint64_t get64(const struct vu_msg *m, size_t off)
{
	uint64_t v;

	memcpy(&v, m->payload + off, 8);
	return v;
}

/* The queue a vring request names, or NULL (logged). */
static struct vsd_vring *queue(struct vsd_dev *d, const struct vu_msg *m,
			       uint32_t index)
{
	if (index < VSD_NUM_QUEUES)
		return &d->vq[index];
	vsd_error("front-end: request %u for queue %u (the device has %d)",
		  m->request, index, VSD_NUM_QUEUES);
	return NULL;
}

/* Takes the message's one fd for a vring request, or -1 for "no fd". */
static int take_fd(struct vu_msg *m, uint64_t v, int *fd)
{
	if (v & VU_VRING_NOFD) {
		*fd = -1;
		return m->nfds == 0 ? 0 : -1;
	}
	if (m->nfds != 1)
		return -1;
	*fd = m->fds[0];
	m->fds[0] = -1;
	return 0;
}

static void stop_kick(struct vsd_dev *d, unsigned int i)
{
	struct vsd_vring *vq = &d->vq[i];

	if (vq->kick_fd >= 0) {
		vsd_watch_set(d, vq->kick_fd, &d->w_kick[i], EPOLLIN, 0);
		close(vq->kick_fd);
		vq->kick_fd = -1;
	}
	vq->started = false;
}

/* Everything about the guest is forgotten; the front-end stays. */
static void reset_device(struct vsd_dev *d, const char *why)
{
	vsd_conn_close_all(d, why);
	d->rst_len = 0;
	for (unsigned int i = 0; i < VSD_NUM_QUEUES; i++) {
		stop_kick(d, i);
		vsd_vring_release(&d->vq[i]);
	}
	vsd_mem_release(&d->mem);
	d->features = 0;
	d->protocol_features = 0;
}

/* A ring stopped: the device no longer runs, so the host sides of the
 * guest's connections are closed (the guest's side dies with it). */
static void device_stopped(struct vsd_dev *d, unsigned int i)
{
	if (i == VSD_RXQ || i == VSD_TXQ) {
		vsd_conn_close_all(d, "the front-end stopped the device");
		d->rst_len = 0;
	}
}

static void ring_started(struct vsd_dev *d, unsigned int i)
{
	if (!vsd_vring_ready(&d->vq[i]))
		return;
	vsd_debug("queue %s running (size %u)", queue_names[i], d->vq[i].num);
	/* The guest may have queued buffers before the kick fd arrived. */
	if (i == VSD_TXQ)
		vsd_guest_tx(d);
	else
		vsd_guest_rx(d);
}

static enum vu_status set_mem_table(struct vsd_dev *d, struct vu_msg *m)
{
	struct vsd_mem mem;
	uint32_t n;

	if (!payload_at_least(m, 8))
		return VU_FATAL;
	n = get32(m, 0);
	if (n == 0 || n > VSD_MEM_MAX_REGIONS || !payload_is(m, 8 + 32 * n))
		return VU_FATAL;
	if (m->nfds != n) {
		vsd_error("front-end: memory table of %u regions came with %u fds",
			  n, m->nfds);
		return VU_FATAL;
	}
	vsd_mem_init(&mem);
	for (uint32_t i = 0; i < n; i++) {
		size_t off = 8 + 32 * (size_t)i;

		if (vsd_mem_add(&mem, get64(m, off), get64(m, off + 8),
				get64(m, off + 16), get64(m, off + 24),
				m->fds[i])) {
			vsd_mem_release(&mem);
			return VU_REFUSED;
		}
	}
	/* The mappings outlive the fds. */
	close_fds(m);
	vsd_mem_release(&d->mem);
	d->mem = mem;
	for (unsigned int i = 0; i < VSD_NUM_QUEUES; i++)
		vsd_vring_map(&d->vq[i], &d->mem, queue_names[i]);
	vsd_debug("memory table: %u region(s)", n);
	return VU_DONE;
}

static enum vu_status set_features(struct vsd_dev *d, struct vu_msg *m)
{
	uint64_t v;

	if (!payload_is(m, 8))
		return VU_FATAL;
	v = get64(m, 0);
	if (v & ~offered_features)
		vsd_debug("front-end acked features 0x%llx not offered; ignored",
			  (unsigned long long)(v & ~offered_features));
	d->features = v & offered_features;
	for (unsigned int i = 0; i < VSD_NUM_QUEUES; i++) {
		d->vq[i].indirect = d->features >> F_INDIRECT_DESC & 1;
		/* Without VHOST_USER_F_PROTOCOL_FEATURES a ring is enabled
		 * as soon as it starts. */
		if (!(d->features >> F_PROTOCOL_FEATURES & 1))
			d->vq[i].enabled = true;
	}
	return VU_DONE;
}

static enum vu_status vring_state(struct vsd_dev *d, struct vu_msg *m)
{
	struct vsd_vring *vq;
	uint32_t index, num;

	if (!payload_is(m, 8) || !(vq = queue(d, m, index = get32(m, 0))))
		return VU_FATAL;
	num = get32(m, 4);
	switch (m->request) {
	case VU_SET_VRING_NUM:
		if (num == 0 || num > VSD_VRING_MAX_SIZE || (num & (num - 1))) {
			vsd_error("front-end: queue %s size %u is not a power of two up to %d",
				  queue_names[index], num, VSD_VRING_MAX_SIZE);
			return VU_REFUSED;
		}
		vq->num = (uint16_t)num;
		return vsd_vring_map(vq, &d->mem, queue_names[index]) ?
			       VU_REFUSED : VU_DONE;
	case VU_SET_VRING_BASE:
		if (num > UINT16_MAX)
			return VU_REFUSED;
		vq->last_avail = vq->used_idx = (uint16_t)num;
		return VU_DONE;
	case VU_SET_VRING_ENABLE:
		vq->enabled = num != 0;
		if (vq->enabled)
			ring_started(d, index);
		else
			device_stopped(d, index);
		return VU_DONE;
	default: { /* VU_GET_VRING_BASE: stop the ring. */
		uint32_t state[2] = { index, vq->last_avail };

		stop_kick(d, index);
		device_stopped(d, index);
		return reply(d, m, state, sizeof(state)) ? VU_FATAL :
							   VU_REPLIED;
	}
	}
}

static enum vu_status set_vring_addr(struct vsd_dev *d, struct vu_msg *m)
{
	struct vsd_vring *vq;
	uint32_t index;

	if (!payload_is(m, 40) || !(vq = queue(d, m, index = get32(m, 0))))
		return VU_FATAL;
	vq->desc_uva = get64(m, 8);
	vq->used_uva = get64(m, 16);
	vq->avail_uva = get64(m, 24);
	vq->have_addr = true;
	return vsd_vring_map(vq, &d->mem, queue_names[index]) ? VU_REFUSED :
								VU_DONE;
}

static enum vu_status set_vring_fd(struct vsd_dev *d, struct vu_msg *m)
{
	struct vsd_vring *vq;
	unsigned int index;
	uint64_t v;
	int fd, *slot;

	if (!payload_is(m, 8))
		return VU_FATAL;
	v = get64(m, 0);
	index = (unsigned int)(v & VU_VRING_INDEX_MASK);
	if (!(vq = queue(d, m, index)))
		return VU_FATAL;
	if (take_fd(m, v, &fd)) {
		vsd_error("front-end: request %u for queue %s with %u fds",
			  m->request, queue_names[index], m->nfds);
		return VU_FATAL;
	}
	if (m->request == VU_SET_VRING_KICK) {
		if (fd < 0) {
			vsd_error("front-end: queue %s without a kick fd (polling) is not supported",
				  queue_names[index]);
			return VU_REFUSED;
		}
		stop_kick(d, index);
		/* A kick is read only when epoll says it is there; a
		 * non-blocking fd keeps a spurious wake-up from hanging the
		 * loop. */
		fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
		if (vsd_watch_set(d, fd, &d->w_kick[index], 0, EPOLLIN)) {
			close(fd);
			return VU_REFUSED;
		}
		vq->kick_fd = fd;
		vq->started = true;
		ring_started(d, index);
		return VU_DONE;
	}
	slot = m->request == VU_SET_VRING_CALL ? &vq->call_fd : &vq->err_fd;
	if (*slot >= 0)
		close(*slot);
	*slot = fd;
	return VU_DONE;
}

static enum vu_status get_config(struct vsd_dev *d, struct vu_msg *m)
{
	uint8_t out[12 + VU_MAX_CONFIG] = { 0 };
	uint8_t config[8];
	uint32_t off, size;
	uint64_t cid = d->cfg.guest_cid;

	if (!payload_at_least(m, 12))
		return VU_FATAL;
	off = get32(m, 0);
	size = get32(m, 4);
	if (size > VU_MAX_CONFIG || !payload_is(m, 12 + size))
		return VU_FATAL;
	/* struct virtio_vsock_config { le64 guest_cid; } */
	for (int i = 0; i < 8; i++)
		config[i] = (uint8_t)(cid >> (8 * i));
	memcpy(out, m->payload, 12);
	for (uint32_t i = 0; i < size; i++)
		if (off < sizeof(config) && i < sizeof(config) - off)
			out[12 + i] = config[off + i];
	return reply(d, m, out, 12 + size) ? VU_FATAL : VU_REPLIED;
}

static enum vu_status dispatch(struct vsd_dev *d, struct vu_msg *m)
{
	switch (m->request) {
	case VU_GET_FEATURES:
		return reply_u64(d, m, offered_features);
	case VU_SET_FEATURES:
		return set_features(d, m);
	case VU_GET_PROTOCOL_FEATURES:
		return reply_u64(d, m, offered_protocol);
	case VU_SET_PROTOCOL_FEATURES:
		if (!payload_is(m, 8))
			return VU_FATAL;
		d->protocol_features = get64(m, 0) & offered_protocol;
		return VU_DONE;
	case VU_GET_QUEUE_NUM:
		return reply_u64(d, m, VSD_NUM_QUEUES);
	case VU_SET_OWNER:
		return VU_DONE;
	case VU_RESET_OWNER:
	case VU_RESET_DEVICE:
		reset_device(d, "the front-end reset the device");
		return VU_DONE;
	case VU_SET_MEM_TABLE:
		return set_mem_table(d, m);
	case VU_SET_VRING_NUM:
	case VU_SET_VRING_BASE:
	case VU_GET_VRING_BASE:
	case VU_SET_VRING_ENABLE:
		return vring_state(d, m);
	case VU_SET_VRING_ADDR:
		return set_vring_addr(d, m);
	case VU_SET_VRING_KICK:
	case VU_SET_VRING_CALL:
	case VU_SET_VRING_ERR:
		return set_vring_fd(d, m);
	case VU_GET_CONFIG:
		return get_config(d, m);
	case VU_SET_CONFIG:
		vsd_warn("front-end: the vsock configuration is read-only; SET_CONFIG refused");
		return VU_REFUSED;
	default:
		vsd_warn("front-end: request %u (%s) is not supported; refused",
			 m->request, request_name(m->request));
		return VU_REFUSED;
	}
}

void vsd_fe_event(struct vsd_dev *d)
{
	struct vu_msg m;
	enum vu_status st;
	int r;

	if (d->fe_fd < 0)
		return;
	r = read_msg(d->fe_fd, &m);
	if (r <= 0) {
		vsd_fe_drop(d, r == 0 ? "the front-end disconnected" :
					"broken message");
		return;
	}
	vsd_debug("front-end request %u %s (%u bytes, %u fds)", m.request,
		  request_name(m.request), m.size, m.nfds);
	st = dispatch(d, &m);
	close_fds(&m);
	if (st == VU_FATAL) {
		vsd_fe_drop(d, "protocol error");
		return;
	}
	if (st != VU_REPLIED && (m.flags & VU_FLAG_NEED_REPLY) &&
	    (d->protocol_features >> PF_REPLY_ACK & 1) &&
	    reply_u64(d, &m, st == VU_DONE ? 0 : 1) == VU_FATAL)
		vsd_fe_drop(d, "protocol error");
}

void vsd_fe_accept(struct vsd_dev *d)
{
	int fd = accept4(d->fe_listen_fd, NULL, NULL, SOCK_CLOEXEC);

	if (fd < 0)
		return;
	if (d->fe_fd >= 0) {
		vsd_warn("a second front-end connected to %s; refused (one VM per device)",
			 d->cfg.socket_path);
		close(fd);
		return;
	}
	if (vsd_watch_set(d, fd, &d->w_fe, 0, EPOLLIN)) {
		close(fd);
		return;
	}
	d->fe_fd = fd;
	vsd_info("front-end connected");
}

void vsd_fe_drop(struct vsd_dev *d, const char *why)
{
	if (d->fe_fd < 0)
		return;
	vsd_info("front-end dropped: %s", why);
	reset_device(d, why);
	vsd_watch_set(d, d->fe_fd, &d->w_fe, EPOLLIN, 0);
	close(d->fe_fd);
	d->fe_fd = -1;
}
