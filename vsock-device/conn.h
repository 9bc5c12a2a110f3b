/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Connections between a guest's vsock sockets and the host's UNIX
 * sockets, keyed by (host port, guest port), and the credit accounting of
 * each (packet.h).
 *
 * Guest -> host bytes go straight to the UNIX socket; what it does not
 * take waits in `buf`, which never holds more than the buf_alloc this
 * side advertised (a guest sending beyond its credit is reset). Host ->
 * guest bytes are read from the UNIX socket only when the guest has
 * credit and a receive buffer, directly into that buffer: nothing is
 * queued on that side. So a connection costs its struct plus at most
 * buf_alloc bytes, and the table holds at most `max` connections.
 */
#ifndef VSD_CONN_H
#define VSD_CONN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* What an epoll event belongs to (device.c). */
enum vsd_watch_kind {
	VSD_W_FRONTEND_LISTEN,
	VSD_W_FRONTEND,
	VSD_W_KICK,
	VSD_W_HOST_LISTEN,
	VSD_W_CONN,
	VSD_W_SIGNAL,
};

struct vsd_watch {
	enum vsd_watch_kind kind;
	void *ptr;          /* the connection, for VSD_W_CONN */
	unsigned int index; /* the queue, for VSD_W_KICK */
};

enum vsd_conn_state {
	/* A host program connected to uds_path; its "CONNECT <port>\n"
	 * line has not arrived yet. Not in the hash table. */
	VSD_CONN_HANDSHAKE,
	/* REQUEST sent (or owed) to the guest, waiting for RESPONSE. */
	VSD_CONN_CONNECTING,
	VSD_CONN_ESTABLISHED,
};

/* Control packets owed to the guest (vsd_conn.ctl). */
#define VSD_CTL_REQUEST (1u << 0)
#define VSD_CTL_RESPONSE (1u << 1)
#define VSD_CTL_SHUTDOWN (1u << 2)
#define VSD_CTL_CREDIT_UPDATE (1u << 3)
#define VSD_CTL_CREDIT_REQUEST (1u << 4)

struct vsd_conn {
	struct vsd_conn *hnext;        /* hash chain */
	struct vsd_conn *prev, *next;  /* every connection */
	struct vsd_conn *wprev, *wnext; /* the device's receive wait list */
	bool waiting;                  /* on that list */
	bool closed;                   /* freed at the end of the round */

	enum vsd_conn_state state;
	bool host_initiated;
	uint32_t local_port;           /* host side: the guest's dst_port */
	uint32_t peer_port;            /* guest side: the guest's src_port */
	int fd;                        /* the UNIX socket, non-blocking */
	uint32_t events;               /* the epoll mask set now */
	struct vsd_watch watch;

	/* Guest -> host. */
	uint32_t rx_cnt;               /* payload bytes taken from the guest */
	uint32_t fwd_cnt;              /* of those, bytes the socket took */
	uint32_t fwd_cnt_sent;         /* fwd_cnt as last told the guest */
	uint8_t *buf;                  /* rx_cnt - fwd_cnt bytes, from buf_off */
	uint32_t buf_off;
	bool guest_no_send;            /* guest sent SHUTDOWN(SEND) */
	bool guest_no_rcv;             /* guest sent SHUTDOWN(RCV) */
	bool host_wr_shut;             /* shutdown(SHUT_WR) done */

	/* Host -> guest. */
	uint32_t peer_buf_alloc, peer_fwd_cnt;
	uint32_t tx_cnt;               /* payload bytes given to the guest */
	bool readable;                 /* epoll saw input not yet read */
	bool host_eof;                 /* the socket returned end of file */
	bool credit_asked;             /* CREDIT_REQUEST sent at zero credit */

	unsigned int ctl;              /* VSD_CTL_* owed */

	/* VSD_CONN_HANDSHAKE: the line read so far. */
	char line[24];
	unsigned int line_len;
};

#define VSD_CONN_BUCKETS 256

struct vsd_conns {
	struct vsd_conn *bucket[VSD_CONN_BUCKETS];
	struct vsd_conn *all;
	/* Closed connections, freed by vsd_conns_reap(): an epoll round may
	 * still hold events for them. */
	struct vsd_conn *dead;
	unsigned int count, max;
};

void vsd_conns_init(struct vsd_conns *t, unsigned int max);
/* A zeroed connection with fd -1, linked into the list (not the hash);
 * NULL when the table is full or memory is short. */
struct vsd_conn *vsd_conn_new(struct vsd_conns *t);
/* Puts c into the hash under (local, peer); the key must be unused. */
void vsd_conn_hash(struct vsd_conns *t, struct vsd_conn *c, uint32_t local,
		   uint32_t peer);
struct vsd_conn *vsd_conn_find(const struct vsd_conns *t, uint32_t local,
			       uint32_t peer);
/* Unlinks c from the table and marks it closed; its memory lives until
 * vsd_conns_reap(). Closes nothing: the caller closed the fd and took it
 * off the wait list. */
void vsd_conn_free(struct vsd_conns *t, struct vsd_conn *c);
/* Frees the connections vsd_conn_free() unlinked. */
void vsd_conns_reap(struct vsd_conns *t);

/* Bytes the guest has sent that the socket has not taken yet. */
static inline uint32_t vsd_conn_pending(const struct vsd_conn *c)
{
	return c->rx_cnt - c->fwd_cnt;
}

/* Bytes this side may send to the guest now (0 when the guest's
 * counters make no sense, e.g. fwd_cnt ahead of what it was sent). */
static inline uint32_t vsd_conn_peer_credit(const struct vsd_conn *c)
{
	uint32_t in_flight = c->tx_cnt - c->peer_fwd_cnt;

	return in_flight >= c->peer_buf_alloc ? 0 :
						c->peer_buf_alloc - in_flight;
}

#endif /* VSD_CONN_H */
