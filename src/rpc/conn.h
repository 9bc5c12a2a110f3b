/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Framed message I/O over a transport stream.
 *
 * Sending gathers the header, the encoded fixed part and the caller's
 * payload buffers into one writev, so payloads go from the caller's memory
 * to the socket without a serialisation copy. Receiving is buffered for the
 * small parts (a header and a short body usually arrive in one read) and
 * reads large payloads straight into their destination.
 *
 * A connection is used by one reader and one writer at a time; callers
 * serialize (the plugin holds a mutex, the agent has one thread per
 * connection).
 */
#ifndef VACCEL_RPC_CONN_H
#define VACCEL_RPC_CONN_H

#include "codec.h"
#include "transport.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

struct rpc_conn {
	struct vaccel_stream s;
	/* The stream is ours to close (set by rpc_conn_init). */
	bool open;
	/* Largest frame body accepted from the peer. */
	uint32_t max_frame;
	/* Receive buffer, allocated at the first buffered read: a connection
	 * that never gets that far (an agent peer still in its handshake)
	 * costs no buffer. */
	uint8_t *rbuf;
	size_t rcap;
	size_t rpos;
	size_t rend;
	/* A UNIX socket whose buffered reads take file descriptors passed
	 * with SCM_RIGHTS (fdpass.c); the last one received is kept in
	 * rx_fd (has_rx_fd) until rpc_conn_take_fd, every other one is
	 * closed. Without take_fds the kernel drops passed descriptors. */
	bool take_fds;
	bool has_rx_fd;
	int rx_fd;
};

/* Takes ownership of the stream (closed by rpc_conn_release). Allocates
 * nothing. */
int rpc_conn_init(struct rpc_conn *c, struct vaccel_stream *s,
		  uint32_t max_frame);
/* Closes the stream and frees the buffer. Harmless on a zeroed struct. */
void rpc_conn_release(struct rpc_conn *c);

/* Sends one frame: header, `head` (head_len bytes), then the payload
 * iovecs (which may be modified). VACCEL_EINVAL when the body exceeds
 * UINT32_MAX, VACCEL_EIO on a write error. Logs nothing on I/O errors:
 * the caller knows the peer's name. */
int rpc_conn_send(struct rpc_conn *c, uint16_t type, uint64_t req_id,
		  const void *head, size_t head_len, struct iovec *payload,
		  int nr_payload);
/* The same with header flags (RPC_FLAG_SOLO). */
int rpc_conn_send_flags(struct rpc_conn *c, uint16_t type, uint16_t flags,
			uint64_t req_id, const void *head, size_t head_len,
			struct iovec *payload, int nr_payload);
/* Sends an ERROR frame for req_id. */
int rpc_conn_send_error(struct rpc_conn *c, uint64_t req_id, int code,
			const char *msg);

/* Receives and validates one header (rpc_hdr_decode against max_frame).
 * VACCEL_ENOENT at a clean end of stream before the header, VACCEL_EIO on
 * a broken stream, VACCEL_EINVAL on a bad header. */
int rpc_conn_recv_hdr(struct rpc_conn *c, struct rpc_hdr *h);
/* Receives exactly n body bytes into buf. */
int rpc_conn_recv(struct rpc_conn *c, void *buf, size_t n);
/* Receives exactly the sum of the iovecs (which may be modified). */
int rpc_conn_recv_iov(struct rpc_conn *c, struct iovec *iov, int n);
/* Reads and drops n bytes. */
int rpc_conn_discard(struct rpc_conn *c, size_t n);

/* fdpass.c: descriptors over UNIX sockets. */
/* Sends one frame (header and `head`) with `fd` attached (SCM_RIGHTS).
 * VACCEL_EIO on a write error. */
int rpc_conn_send_fd(struct rpc_conn *c, uint16_t type, uint64_t req_id,
		     const void *head, size_t head_len, int fd);
/* readv(2) that keeps a passed descriptor in c->rx_fd (take_fds). */
ssize_t rpc_conn_readv_fds(struct rpc_conn *c, const struct iovec *iov,
			   int iovcnt);
/* The descriptor received with the bytes read so far (-1: none); the
 * caller owns it. */
int rpc_conn_take_fd(struct rpc_conn *c);
/* Closes a received descriptor nobody took. */
void rpc_conn_drop_fd(struct rpc_conn *c);

#endif /* VACCEL_RPC_CONN_H */
