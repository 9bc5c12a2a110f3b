/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The vsock device of one guest: the vhost-user front-end connection
 * (vhost_user.c), the guest's queues and packets (guest.c), and the host
 * side, UNIX sockets with Firecracker's hybrid-vsock conventions (host.c):
 *
 *   guest -> host port P   the device connects to the UNIX socket
 *                          "<uds_path>_P" (a listener there, such as
 *                          vaccel-agent -a unix://<uds_path>_P, accepts);
 *   host -> guest port P   a host program connects to <uds_path> and
 *                          writes "CONNECT P\n"; once the guest accepts,
 *                          the device answers "OK <host port>\n" and
 *                          relays bytes.
 *
 * Single-threaded: one epoll loop serves everything (vsd_dev_poll).
 */
#ifndef VSD_DEVICE_H
#define VSD_DEVICE_H

#include "conn.h"
#include "guest_mem.h"
#include "log.h"
#include "packet.h"
#include "vring.h"

#include <stdbool.h>
#include <stdint.h>

/* Queues of the virtio-vsock device: QEMU hands rx and tx to the
 * back-end and keeps the event queue itself, but a front-end may set up
 * all three, so state is kept for three. */
#define VSD_RXQ 0
#define VSD_TXQ 1
#define VSD_NUM_QUEUES 3

/* RSTs owed to the guest for packets that have no connection (or whose
 * connection is gone). When full, further ones are dropped: the guest's
 * socket then times out on its own. */
#define VSD_RST_QUEUE 256

/* Host ports for host-initiated connections start here (as in
 * Firecracker), above the ports guests usually listen on. */
#define VSD_HOST_PORT_BASE (1u << 30)

struct vsd_config {
	uint64_t guest_cid;        /* >= 3 */
	const char *socket_path;   /* the vhost-user socket (we listen) */
	const char *uds_path;      /* hybrid vsock base path */
	unsigned int max_conns;    /* connections at a time */
	uint32_t buf_alloc;        /* receive buffer per connection */
};

struct vsd_stats {
	uint64_t conns_guest, conns_host;   /* opened, by who initiated */
	uint64_t conns_refused;             /* REQUEST answered with RST */
	uint64_t bad_packets;               /* dropped or reset */
	uint64_t credit_violations;
	uint64_t guest_faults;              /* bad descriptor chains/rings */
	uint64_t rst_dropped;               /* RST queue full */
	uint64_t bytes_to_host, bytes_to_guest;
};

struct vsd_dev {
	struct vsd_config cfg;
	int epfd, sig_fd;
	bool stop;

	/* The front-end. */
	int fe_listen_fd, fe_fd;
	uint64_t features, protocol_features;
	struct vsd_mem mem;
	struct vsd_vring vq[VSD_NUM_QUEUES];
	struct vsd_watch w_fe_listen, w_fe, w_kick[VSD_NUM_QUEUES], w_sig;

	/* The host side. */
	int host_listen_fd;
	struct vsd_watch w_host_listen;
	struct vsd_conns conns;
	uint32_t next_host_port;

	/* Work for the guest's receive queue: RSTs first, then the
	 * connections on the wait list, in order. */
	struct { uint32_t local, peer; } rst[VSD_RST_QUEUE];
	unsigned int rst_head, rst_len;
	struct vsd_conn *wait_head, *wait_tail;
	/* More transmit chains are waiting than one round takes. */
	bool tx_more;
	/* The guest broke a ring or chain: reset every connection at the
	 * end of this round. */
	bool fault;

	struct vsd_stats stats;
	struct vsd_log_limit lim_packet, lim_chain, lim_credit, lim_conn;

	/*
	 * Opens the host socket for a guest connection to `port`
	 * ("<uds_path>_<port>", non-blocking). Returns the fd or -1. A seam
	 * for the fuzz target, which answers with socket pairs.
	 */
	int (*connect_port)(struct vsd_dev *d, uint32_t port);
};

/* Sets up the epoll loop and the listeners. Returns 0, or -1 with a log
 * line. With socket_path/uds_path NULL no listener is made (tests and the
 * fuzz target drive the queues in process). */
int vsd_dev_init(struct vsd_dev *d, const struct vsd_config *cfg);
/* Closes everything; the sockets' files are removed. */
void vsd_dev_release(struct vsd_dev *d);
/* Waits up to timeout_ms for events and handles them. Returns 0, or -1
 * on a failure of epoll itself. */
int vsd_dev_poll(struct vsd_dev *d, int timeout_ms);

/* epoll helpers: add/modify/remove fd with watch w (mask 0 removes). */
int vsd_watch_set(struct vsd_dev *d, int fd, struct vsd_watch *w,
		  uint32_t old_mask, uint32_t mask);

/* guest.c: the queues. */
/* Takes and handles the guest's transmit chains, then serves rx. */
void vsd_guest_tx(struct vsd_dev *d);
/* Fills the guest's receive buffers from what is owed (RSTs, control
 * packets, data of readable connections). */
void vsd_guest_rx(struct vsd_dev *d);
/* Queues an RST to the guest for (local, peer). */
void vsd_guest_rst(struct vsd_dev *d, uint32_t local, uint32_t peer);
/* A ring or chain the guest corrupted: logged, every connection reset at
 * the end of the round. */
void vsd_guest_fault(struct vsd_dev *d, const char *queue, const char *why);
/* True when the guest can take packets (the device is running). */
bool vsd_guest_running(const struct vsd_dev *d);

/* host.c: connections. */
/* Marks control packet(s) owed to the guest and puts c on the wait list. */
void vsd_conn_owe(struct vsd_dev *d, struct vsd_conn *c, unsigned int ctl);
/* Puts c on the receive wait list (no-op when it is on it). */
void vsd_conn_wait(struct vsd_dev *d, struct vsd_conn *c);
/* Recomputes c's epoll mask from its state. */
void vsd_conn_sync(struct vsd_dev *d, struct vsd_conn *c);
/* Closes c's socket and frees it; with rst an RST is queued for the guest.
 * `why` (may be NULL) is logged at debug level. */
void vsd_conn_close(struct vsd_dev *d, struct vsd_conn *c, bool rst,
		    const char *why);
/* Closes every connection (RSTs queued for the guest). */
void vsd_conn_close_all(struct vsd_dev *d, const char *why);
/* Hands `len` bytes of guest payload (iov) to the host socket, buffering
 * what it does not take. Returns 0, or -1 when c was closed. */
int vsd_conn_to_host(struct vsd_dev *d, struct vsd_conn *c,
		     const struct iovec *iov, unsigned int n, uint32_t len);
/* Handles the end of either direction: shuts down the host socket's
 * write side once the guest's data is out, closes c when both directions
 * are done. Returns 0, or -1 when c was closed. */
int vsd_conn_check_done(struct vsd_dev *d, struct vsd_conn *c);
/* The guest accepted a host-initiated connection: "OK <host port>\n" to
 * the host program. Returns 0, or -1 when c was closed. */
int vsd_conn_host_accepted(struct vsd_dev *d, struct vsd_conn *c);
/* A guest REQUEST for host port `port` from guest port `peer`. */
void vsd_conn_guest_request(struct vsd_dev *d, uint32_t port, uint32_t peer,
			    const struct vsd_hdr *h);
/* Epoll events on a connection's socket / on the host listener. */
void vsd_conn_event(struct vsd_dev *d, struct vsd_conn *c, uint32_t events);
void vsd_host_accept(struct vsd_dev *d);

/* vhost_user.c: the front-end. */
void vsd_fe_accept(struct vsd_dev *d);
/* Handles one message; on end of stream or a protocol error the
 * front-end is dropped and the device reset. */
void vsd_fe_event(struct vsd_dev *d);
/* Forgets the front-end: closes its socket, every connection, the rings'
 * fds, unmaps guest memory. */
void vsd_fe_drop(struct vsd_dev *d, const char *why);

#endif /* VSD_DEVICE_H */
