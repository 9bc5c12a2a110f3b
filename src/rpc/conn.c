// SPDX-License-Identifier: Apache-2.0
/*
 * Framed send/receive over a vaccel_stream (see conn.h).
 */
#include "conn.h"

#include "vaccel.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

/* Receive buffer: large enough that a typical small reply, header and
 * body, arrives in one read system call. */
#define RPC_RBUF_SIZE (64u << 10)

int rpc_conn_init(struct rpc_conn *c, struct vaccel_stream *s,
		  uint32_t max_frame)
{
	if (!c || !s || s->fd < 0 || !s->ops) {
		vaccel_error("rpc conn init: invalid stream");
		return VACCEL_EINVAL;
	}
	memset(c, 0, sizeof(*c));
	c->rcap = RPC_RBUF_SIZE;
	c->s = *s;
	c->open = true;
	c->max_frame = max_frame;
	c->rx_fd = -1;
	return VACCEL_OK;
}

void rpc_conn_release(struct rpc_conn *c)
{
	if (!c)
		return;
	if (c->open)
		vaccel__stream_close(&c->s);
	c->open = false;
	rpc_conn_drop_fd(c);
	free(c->rbuf);
	c->rbuf = NULL;
	c->rcap = c->rpos = c->rend = 0;
}

static int alloc_rbuf(struct rpc_conn *c)
{
	if (c->rbuf)
		return VACCEL_OK;
	c->rbuf = malloc(c->rcap);
	if (!c->rbuf) {
		vaccel_error("rpc: cannot allocate a %zu byte receive buffer",
			     c->rcap);
		errno = ENOMEM;
		return VACCEL_ENOMEM;
	}
	return VACCEL_OK;
}

int rpc_conn_send(struct rpc_conn *c, uint16_t type, uint64_t req_id,
		  const void *head, size_t head_len, struct iovec *payload,
		  int nr_payload)
{
	return rpc_conn_send_flags(c, type, 0, req_id, head, head_len, payload,
				   nr_payload);
}

int rpc_conn_send_flags(struct rpc_conn *c, uint16_t type, uint16_t flags,
			uint64_t req_id, const void *head, size_t head_len,
			struct iovec *payload, int nr_payload)
{
	struct iovec stack_iov[16];
	struct iovec *iov = stack_iov;
	uint8_t hdr[RPC_HDR_SIZE];
	struct rpc_hdr h = { .type = type, .flags = flags, .req_id = req_id };
	uint64_t total = head_len;
	int ret;

	for (int i = 0; i < nr_payload; i++)
		total += payload[i].iov_len;
	if (total > UINT32_MAX) {
		vaccel_error("rpc: %s body of %llu bytes cannot be framed",
			     rpc_msg_type_name(type),
			     (unsigned long long)total);
		return VACCEL_EINVAL;
	}
	h.length = (uint32_t)total;
	rpc_hdr_encode(hdr, &h);

	if (nr_payload + 2 > (int)(sizeof(stack_iov) / sizeof(stack_iov[0]))) {
		iov = malloc(sizeof(*iov) * (size_t)(nr_payload + 2));
		if (!iov) {
			vaccel_error("rpc: cannot allocate %d iovecs",
				     nr_payload + 2);
			return VACCEL_ENOMEM;
		}
	}
	iov[0] = (struct iovec){ hdr, sizeof(hdr) };
	iov[1] = (struct iovec){ (void *)head, head_len };
	for (int i = 0; i < nr_payload; i++)
		iov[i + 2] = payload[i];
	ret = vaccel__stream_write_all(&c->s, iov, nr_payload + 2);
	if (iov != stack_iov)
		free(iov);
	return ret;
}

int rpc_conn_send_error(struct rpc_conn *c, uint64_t req_id, int code,
			const char *msg)
{
	uint8_t body[8 + RPC_MAX_ERRMSG];
	size_t n = rpc_error_encode(body, sizeof(body), code, msg);

	return rpc_conn_send(c, RPC_MSG_ERROR, req_id, body, n, NULL, 0);
}

/* Copies up to n buffered bytes out; returns how many. */
static size_t take_buffered(struct rpc_conn *c, void *dst, size_t n)
{
	size_t avail = c->rend - c->rpos;

	if (n > avail)
		n = avail;
	if (n) {
		if (dst)
			memcpy(dst, c->rbuf + c->rpos, n);
		c->rpos += n;
	}
	if (c->rpos == c->rend)
		c->rpos = c->rend = 0;
	return n;
}

/* Reads at least `need` more bytes into the (empty) buffer. */
static int fill(struct rpc_conn *c, size_t need)
{
	int ret = alloc_rbuf(c);

	if (ret)
		return VACCEL_EIO;
	c->rpos = c->rend = 0;
	while (c->rend < need) {
		struct iovec iov = { c->rbuf + c->rend, c->rcap - c->rend };
		ssize_t r = c->take_fds ? rpc_conn_readv_fds(c, &iov, 1) :
					  vaccel__stream_readv(&c->s, &iov, 1);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return VACCEL_EIO;
		if (r == 0) {
			errno = ECONNRESET;
			return c->rend ? VACCEL_EIO : VACCEL_ENOENT;
		}
		c->rend += (size_t)r;
	}
	return VACCEL_OK;
}

int rpc_conn_recv(struct rpc_conn *c, void *buf, size_t n)
{
	size_t got = take_buffered(c, buf, n);
	bool progressed = got > 0;
	int ret;

	n -= got;
	if (!n)
		return VACCEL_OK;
	buf = buf ? (uint8_t *)buf + got : NULL;
	/* Large remainders go straight to the destination. */
	if (n >= c->rcap / 2 && buf) {
		struct iovec iov = { buf, n };

		ret = vaccel__stream_read_all(&c->s, &iov, 1);
		return ret == VACCEL_ENOENT ? VACCEL_EIO : ret;
	}
	while (n) {
		size_t want = n < c->rcap ? n : c->rcap;

		ret = fill(c, want);
		if (ret)
			return (ret == VACCEL_ENOENT && progressed) ? VACCEL_EIO :
								      ret;
		got = take_buffered(c, buf, n);
		progressed = true;
		n -= got;
		if (buf)
			buf = (uint8_t *)buf + got;
	}
	return VACCEL_OK;
}

int rpc_conn_recv_iov(struct rpc_conn *c, struct iovec *iov, int n)
{
	/* Drains what is buffered into the leading iovecs first. */
	while (n > 0 && c->rend > c->rpos) {
		size_t got = take_buffered(c, iov->iov_base, iov->iov_len);

		iov->iov_base = (uint8_t *)iov->iov_base + got;
		iov->iov_len -= got;
		if (iov->iov_len == 0) {
			iov++;
			n--;
		}
	}
	if (n <= 0)
		return VACCEL_OK;
	{
		int ret = vaccel__stream_read_all(&c->s, iov, n);

		return ret == VACCEL_ENOENT ? VACCEL_EIO : ret;
	}
}

int rpc_conn_discard(struct rpc_conn *c, size_t n)
{
	return rpc_conn_recv(c, NULL, n);
}

int rpc_conn_recv_hdr(struct rpc_conn *c, struct rpc_hdr *h)
{
	uint8_t raw[RPC_HDR_SIZE];
	int ret = rpc_conn_recv(c, raw, sizeof(raw));

	if (ret)
		return ret;
	return rpc_hdr_decode(raw, c->max_frame, h);
}
