// SPDX-License-Identifier: Apache-2.0
/*
 * virtio-serial channels (connections accepted on a virtio:// listener).
 *
 * Such a connection is QEMU's chardev for one guest port: it lives as long
 * as the VM and carries one guest process after another without any
 * disconnect in between. A process that dies mid-frame leaves a torn frame,
 * a guest may write garbage, and each new process starts with a SYNC
 * marker (docs/protocol.md, "virtio-serial channels"). So where a socket
 * connection would be closed on a protocol violation, a channel is
 * resynchronised instead: the agent drops what it was reading, scans the
 * stream for a SYNC marker, releases everything the channel's previous
 * client owned and answers with an ACK carrying the marker's nonce. Only
 * that channel is affected; other VMs have their own connections and
 * worker processes.
 */
#include "agent.h"

#include <errno.h>
#include <string.h>

bool agent_conn_is_serial(const struct agent_conn *c)
{
	return c->rc.s.ops && c->rc.s.ops->scheme &&
	       strcmp(c->rc.s.ops->scheme, "virtio") == 0;
}

bool agent_is_sync_break(const uint8_t raw[RPC_HDR_SIZE])
{
	for (size_t i = 0; i < RPC_HDR_SIZE; i++)
		if (raw[i] != 0xff)
			return false;
	return true;
}

/* Forgets the channel's client and answers the SYNC with `nonce`. */
static int sync_done(struct agent_conn *c, uint64_t nonce, uint64_t skipped)
{
	uint8_t ack[VACCEL_VIRTIO_SYNC_LEN];
	struct iovec iov = { ack, sizeof(ack) };

	if (skipped)
		vaccel_warn("agent: conn %llu: virtio-serial channel resynchronised after %llu bytes of garbage or a torn frame; releasing the previous client's %u sessions and %u resources",
			    (unsigned long long)c->id,
			    (unsigned long long)skipped, c->nr_sess, c->nr_res);
	else
		vaccel_info("agent: conn %llu: new client on the virtio-serial channel; releasing the previous one's %u sessions and %u resources",
			    (unsigned long long)c->id, c->nr_sess, c->nr_res);
	agent_conn_reset(c);
	c->hello_done = false;
	c->orphaned = false;
	c->authed = !agent.auth_required;
	c->tenant = -1;
	c->peer_max_frame = RPC_FRAME_MIN;
	vaccel__virtio_sync_marker(ack, VACCEL_VIRTIO_ACK_TAG, nonce);
	if (vaccel__stream_write_all(&c->rc.s, &iov, 1)) {
		vaccel_info("agent: conn %llu: cannot answer the channel SYNC: %s",
			    (unsigned long long)c->id, strerror(errno));
		return VACCEL_EIO;
	}
	return VACCEL_OK;
}

int agent_serial_resync(struct agent_conn *c, uint64_t skipped)
{
	const size_t tag_len = sizeof(VACCEL_VIRTIO_SYNC_TAG) - 1;
	uint8_t win[sizeof(VACCEL_VIRTIO_SYNC_TAG) - 1];
	uint8_t nonce_le[8];
	uint64_t nonce = 0;
	size_t have = 0;

	/* A sliding window over the stream, one byte at a time: the bytes
	 * come out of the connection's read buffer, so this costs a copy per
	 * byte, not a system call. */
	for (;;) {
		uint8_t b;
		int ret = rpc_conn_recv(&c->rc, &b, 1);

		if (ret) {
			vaccel_info("agent: conn %llu: channel ended while resynchronising",
				    (unsigned long long)c->id);
			return ret;
		}
		if (have == tag_len) {
			memmove(win, win + 1, tag_len - 1);
			have--;
			skipped++;
		}
		win[have++] = b;
		if (have == tag_len &&
		    memcmp(win, VACCEL_VIRTIO_SYNC_TAG, tag_len) == 0)
			break;
	}
	if (rpc_conn_recv(&c->rc, nonce_le, sizeof(nonce_le)))
		return VACCEL_EIO;
	for (int i = 7; i >= 0; i--)
		nonce = nonce << 8 | nonce_le[i];
	return sync_done(c, nonce, skipped);
}

int agent_sync_answer(struct agent_conn *c,
		      const uint8_t rest[VACCEL_VIRTIO_SYNC_LEN - RPC_HDR_SIZE])
{
	uint64_t nonce = 0;

	if (memcmp(rest, VACCEL_VIRTIO_SYNC_TAG, 8)) {
		vaccel_warn("agent: conn %llu: a 0xff frame header that does not start a SYNC marker",
			    (unsigned long long)c->id);
		return VACCEL_EINVAL;
	}
	for (int i = 15; i >= 8; i--)
		nonce = nonce << 8 | rest[i];
	return sync_done(c, nonce, 0);
}

/* On a plain socket connection a SYNC is accepted too (a QEMU chardev
 * pointed at a unix:// listener), but only exactly at a frame boundary:
 * anything else is the protocol violation it would be without it. */
static int sync_strict(struct agent_conn *c)
{
	uint8_t rest[VACCEL_VIRTIO_SYNC_LEN - RPC_HDR_SIZE];

	if (rpc_conn_recv(&c->rc, rest, sizeof(rest)))
		return VACCEL_EIO;
	return agent_sync_answer(c, rest);
}

int agent_recv_hdr(struct agent_conn *c, struct rpc_hdr *h)
{
	uint8_t raw[RPC_HDR_SIZE];

	for (;;) {
		int ret = rpc_conn_recv(&c->rc, raw, sizeof(raw));

		if (ret)
			return ret;
		/* The start of a SYNC marker: the normal start of a new
		 * guest process, resynchronised without a warning. */
		if (agent_is_sync_break(raw)) {
			ret = c->serial ? agent_serial_resync(c, 0) :
					  sync_strict(c);
		} else {
			ret = rpc_hdr_decode(raw, c->rc.max_frame, h);
			if (ret == VACCEL_OK || !c->serial)
				return ret;
			ret = agent_serial_resync(c, sizeof(raw));
		}
		if (ret == VACCEL_EINVAL || ret == VACCEL_ENOENT)
			return ret;
		if (ret)
			return VACCEL_EIO;
	}
}
