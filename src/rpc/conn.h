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

#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

struct rpc_conn {
	struct vaccel_stream s;
	/* Largest frame body accepted from the peer. */
	uint32_t max_frame;
	uint8_t *rbuf;
	size_t rcap;
	size_t rpos;
	size_t rend;
};

/* Takes ownership of the stream (closed by rpc_conn_release). */
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

#endif /* VACCEL_RPC_CONN_H */
