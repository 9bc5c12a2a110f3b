// SPDX-License-Identifier: Apache-2.0
/*
 * The host's side of the device: UNIX sockets with Firecracker's
 * hybrid-vsock conventions (device.h), and each connection's state as
 * the host socket sees it.
 */
#include "device.h"
#include "iov.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

void vsd_conn_wait(struct vsd_dev *d, struct vsd_conn *c)
{
	if (c->waiting || c->closed)
		return;
	c->waiting = true;
	c->wnext = NULL;
	c->wprev = d->wait_tail;
	if (d->wait_tail)
		d->wait_tail->wnext = c;
	else
		d->wait_head = c;
	d->wait_tail = c;
}

static void unwait(struct vsd_dev *d, struct vsd_conn *c)
{
	if (!c->waiting)
		return;
	if (c->wprev)
		c->wprev->wnext = c->wnext;
	else
		d->wait_head = c->wnext;
	if (c->wnext)
		c->wnext->wprev = c->wprev;
	else
		d->wait_tail = c->wprev;
	c->wprev = c->wnext = NULL;
	c->waiting = false;
}

void vsd_conn_owe(struct vsd_dev *d, struct vsd_conn *c, unsigned int ctl)
{
	c->ctl |= ctl;
	vsd_conn_wait(d, c);
}

/* Input is wanted when it could go to the guest right away. */
static bool wants_input(const struct vsd_conn *c)
{
	if (c->state == VSD_CONN_HANDSHAKE)
		return true;
	return c->state == VSD_CONN_ESTABLISHED && !c->waiting &&
	       !c->readable && !c->host_eof && !c->guest_no_rcv &&
	       vsd_conn_peer_credit(c) > 0;
}

void vsd_conn_sync(struct vsd_dev *d, struct vsd_conn *c)
{
	uint32_t mask = 0;

	if (c->closed)
		return;
	if (wants_input(c))
		mask |= EPOLLIN;
	if (vsd_conn_pending(c))
		mask |= EPOLLOUT;
	/* With nothing wanted the socket leaves the epoll set: a hung-up
	 * socket would otherwise report EPOLLHUP in every round. */
	if (mask != c->events && !vsd_watch_set(d, c->fd, &c->watch,
						c->events, mask))
		c->events = mask;
}

void vsd_conn_close(struct vsd_dev *d, struct vsd_conn *c, bool rst,
		    const char *why)
{
	if (c->closed)
		return;
	if (why)
		vsd_debug("connection host port %u / guest port %u closed: %s",
			  c->local_port, c->peer_port, why);
	if (rst && c->state != VSD_CONN_HANDSHAKE)
		vsd_guest_rst(d, c->local_port, c->peer_port);
	unwait(d, c);
	if (c->fd >= 0) {
		vsd_watch_set(d, c->fd, &c->watch, c->events, 0);
		close(c->fd);
		c->fd = -1;
	}
	vsd_conn_free(&d->conns, c);
}

void vsd_conn_close_all(struct vsd_dev *d, const char *why)
{
	unsigned int n = d->conns.count;

	while (d->conns.all)
		vsd_conn_close(d, d->conns.all, true, why);
	if (n)
		vsd_info("%u connection(s) reset: %s", n, why);
}

/*
 * Tells the guest how much room it has again once it has used half of its
 * window. The window is the smaller of our buf_alloc and the guest's own:
 * Linux caps what it has in flight at its own buffer size too, so a guest
 * waiting at 256 KiB would never see a larger threshold reached.
 */
static void credit_update(struct vsd_dev *d, struct vsd_conn *c)
{
	uint32_t window = d->cfg.buf_alloc < c->peer_buf_alloc ?
				  d->cfg.buf_alloc :
				  c->peer_buf_alloc;

	if (c->fwd_cnt != c->fwd_cnt_sent &&
	    c->rx_cnt - c->fwd_cnt_sent >= window / 2)
		vsd_conn_owe(d, c, VSD_CTL_CREDIT_UPDATE);
}

static ssize_t send_iov(int fd, const struct iovec *iov, unsigned int n)
{
	struct msghdr mh = {
		.msg_iov = (struct iovec *)(uintptr_t)iov,
		.msg_iovlen = n,
	};
	ssize_t w;

	do {
		w = sendmsg(fd, &mh, MSG_NOSIGNAL | MSG_DONTWAIT);
	} while (w < 0 && errno == EINTR);
	if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
		return 0;
	return w;
}

int vsd_conn_to_host(struct vsd_dev *d, struct vsd_conn *c,
		     const struct iovec *iov, unsigned int n, uint32_t len)
{
	uint32_t pending = vsd_conn_pending(c);
	size_t done = 0;

	if (!len)
		return 0;
	if (!pending) {
		ssize_t w = send_iov(c->fd, iov, n);

		if (w < 0) {
			vsd_conn_close(d, c, true, strerror(errno));
			return -1;
		}
		done = (size_t)w;
	}
	if (done < len) {
		if (!c->buf) {
			c->buf = malloc(d->cfg.buf_alloc);
			if (!c->buf) {
				vsd_warn("out of memory for the buffer of host port %u / guest port %u",
					 c->local_port, c->peer_port);
				vsd_conn_close(d, c, true, "out of memory");
				return -1;
			}
			c->buf_off = 0;
		}
		/* The credit check keeps pending + len within buf_alloc. */
		if (c->buf_off + pending + (len - done) > d->cfg.buf_alloc) {
			memmove(c->buf, c->buf + c->buf_off, pending);
			c->buf_off = 0;
		}
		vsd_iov_to_buf(iov, n, done, c->buf + c->buf_off + pending,
			       len - done);
	}
	c->rx_cnt += len;
	c->fwd_cnt += (uint32_t)done;
	d->stats.bytes_to_host += done;
	credit_update(d, c);
	return 0;
}

/* Writes buffered guest bytes to the host socket. Returns 0, or -1 when
 * c was closed. */
static int flush(struct vsd_dev *d, struct vsd_conn *c)
{
	struct iovec iov = {
		.iov_base = c->buf + c->buf_off,
		.iov_len = vsd_conn_pending(c),
	};
	ssize_t w = send_iov(c->fd, &iov, 1);

	if (w < 0) {
		vsd_conn_close(d, c, true, strerror(errno));
		return -1;
	}
	c->fwd_cnt += (uint32_t)w;
	c->buf_off += (uint32_t)w;
	d->stats.bytes_to_host += (uint64_t)w;
	if (!vsd_conn_pending(c)) {
		free(c->buf);
		c->buf = NULL;
		c->buf_off = 0;
	}
	credit_update(d, c);
	return vsd_conn_check_done(d, c);
}

int vsd_conn_check_done(struct vsd_dev *d, struct vsd_conn *c)
{
	if (c->state != VSD_CONN_ESTABLISHED || vsd_conn_pending(c))
		return 0;
	if (c->guest_no_send && !c->host_wr_shut) {
		shutdown(c->fd, SHUT_WR);
		c->host_wr_shut = true;
	}
	/* Both directions finished: the guest closed (SHUTDOWN with both
	 * flags), or it stopped sending after the host did. An RST ends the
	 * connection on the guest's side too. */
	if (c->guest_no_send && (c->guest_no_rcv || c->host_eof) &&
	    !(c->ctl & VSD_CTL_SHUTDOWN)) {
		vsd_conn_close(d, c, true, "both directions shut down");
		return -1;
	}
	return 0;
}

int vsd_conn_host_accepted(struct vsd_dev *d, struct vsd_conn *c)
{
	char ok[24];
	int n = snprintf(ok, sizeof(ok), "OK %u\n", c->local_port);
	struct iovec iov = { .iov_base = ok, .iov_len = (size_t)n };

	/* The socket has carried nothing towards the host program yet, so
	 * the line fits its buffer. */
	if (send_iov(c->fd, &iov, 1) != n) {
		vsd_conn_close(d, c, true, "the host program went away");
		return -1;
	}
	c->state = VSD_CONN_ESTABLISHED;
	return 0;
}

/* "<uds_path>_<port>", non-blocking. */
static int connect_uds_port(struct vsd_dev *d, uint32_t port)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	int fd, n;

	n = snprintf(sun.sun_path, sizeof(sun.sun_path), "%s_%u",
		     d->cfg.uds_path, port);
	if (n < 0 || (size_t)n >= sizeof(sun.sun_path))
		return -1;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	/* A UNIX connect completes at once or fails (EAGAIN: the
	 * listener's backlog is full). */
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0) {
		vsd_log_limited(&d->lim_conn, VSD_LOG_INFO,
				"guest connection to port %u refused: %s: %s",
				port, sun.sun_path, strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

void vsd_conn_guest_request(struct vsd_dev *d, uint32_t port, uint32_t peer,
			    const struct vsd_hdr *h)
{
	struct vsd_conn *c = vsd_conn_new(&d->conns);
	int fd;

	if (!c) {
		vsd_log_limited(&d->lim_conn, VSD_LOG_WARN,
				"guest connection to port %u refused: %u connections open (--max-connections)",
				port, d->conns.count);
		d->stats.conns_refused++;
		vsd_guest_rst(d, port, peer);
		return;
	}
	fd = d->connect_port ? d->connect_port(d, port) :
			       connect_uds_port(d, port);
	if (fd < 0) {
		vsd_conn_free(&d->conns, c);
		d->stats.conns_refused++;
		vsd_guest_rst(d, port, peer);
		return;
	}
	c->fd = fd;
	c->watch.kind = VSD_W_CONN;
	c->watch.ptr = c;
	c->state = VSD_CONN_ESTABLISHED;
	c->peer_buf_alloc = h->buf_alloc;
	c->peer_fwd_cnt = h->fwd_cnt;
	vsd_conn_hash(&d->conns, c, port, peer);
	d->stats.conns_guest++;
	vsd_debug("guest port %u connected to host port %u", peer, port);
	vsd_conn_owe(d, c, VSD_CTL_RESPONSE);
	vsd_conn_sync(d, c);
}

void vsd_host_accept(struct vsd_dev *d)
{
	struct vsd_conn *c;
	int fd = accept4(d->host_listen_fd, NULL, NULL,
			 SOCK_NONBLOCK | SOCK_CLOEXEC);

	if (fd < 0)
		return;
	if (!vsd_guest_running(d)) {
		vsd_info("host connection to %s refused: the guest's vsock device is not running",
			 d->cfg.uds_path);
		close(fd);
		return;
	}
	c = vsd_conn_new(&d->conns);
	if (!c) {
		vsd_warn("host connection to %s refused: %u connections open (--max-connections)",
			 d->cfg.uds_path, d->conns.count);
		close(fd);
		return;
	}
	c->fd = fd;
	c->watch.kind = VSD_W_CONN;
	c->watch.ptr = c;
	c->state = VSD_CONN_HANDSHAKE;
	c->host_initiated = true;
	vsd_conn_sync(d, c);
}

/* "CONNECT <port>\n" with a decimal port of at most 32 bits. */
static bool parse_connect(const char *line, unsigned int len, uint32_t *port)
{
	uint64_t v = 0;
	unsigned int i = 8;

	if (len < 10 || memcmp(line, "CONNECT ", 8) || line[len - 1] != '\n')
		return false;
	for (; i < len - 1; i++) {
		if (line[i] < '0' || line[i] > '9' || i - 8 >= 10)
			return false;
		v = v * 10 + (uint64_t)(line[i] - '0');
	}
	if (v > UINT32_MAX)
		return false;
	*port = (uint32_t)v;
	return true;
}

/* A host port no connection to guest port `peer` uses. The table holds
 * fewer connections than there are ports, so the search ends. */
static uint32_t host_port(struct vsd_dev *d, uint32_t peer)
{
	uint32_t p;

	do {
		p = d->next_host_port++;
		if (d->next_host_port == 0 || d->next_host_port == UINT32_MAX)
			d->next_host_port = VSD_HOST_PORT_BASE;
	} while (vsd_conn_find(&d->conns, p, peer));
	return p;
}

/* Reads the handshake line without consuming a byte beyond it: what the
 * host program sends after it is payload for the guest. */
static void handshake(struct vsd_dev *d, struct vsd_conn *c)
{
	unsigned int room = (unsigned int)sizeof(c->line) - c->line_len;
	char peek[sizeof(c->line)];
	uint32_t port;
	ssize_t n;
	size_t take;
	char *nl;

	n = recv(c->fd, peek, room, MSG_PEEK);
	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
		return;
	if (n <= 0) {
		vsd_conn_close(d, c, false, "the host program left before CONNECT");
		return;
	}
	nl = memchr(peek, '\n', (size_t)n);
	take = nl ? (size_t)(nl - peek) + 1 : (size_t)n;
	if (recv(c->fd, c->line + c->line_len, take, 0) != (ssize_t)take) {
		vsd_conn_close(d, c, false, "reading the CONNECT line failed");
		return;
	}
	c->line_len += (unsigned int)take;
	if (!nl) {
		if (c->line_len == sizeof(c->line))
			goto bad;
		return;
	}
	if (!parse_connect(c->line, c->line_len, &port))
		goto bad;
	if (!vsd_guest_running(d)) {
		vsd_conn_close(d, c, false, "the guest's vsock device stopped");
		return;
	}
	vsd_conn_hash(&d->conns, c, host_port(d, port), port);
	c->state = VSD_CONN_CONNECTING;
	d->stats.conns_host++;
	vsd_debug("host connection to guest port %u from host port %u", port,
		  c->local_port);
	vsd_conn_owe(d, c, VSD_CTL_REQUEST);
	vsd_conn_sync(d, c);
	return;
bad:
	vsd_info("host connection to %s closed: expected \"CONNECT <port>\\n\"",
		 d->cfg.uds_path);
	vsd_conn_close(d, c, false, NULL);
}

void vsd_conn_event(struct vsd_dev *d, struct vsd_conn *c, uint32_t events)
{
	if (c->closed)
		return;
	if (c->state == VSD_CONN_HANDSHAKE) {
		handshake(d, c);
		return;
	}
	/* A hang-up with bytes still pending makes the flush fail. */
	if ((events & (EPOLLOUT | EPOLLHUP | EPOLLERR)) &&
	    vsd_conn_pending(c) && flush(d, c))
		return;
	if ((events & (EPOLLIN | EPOLLHUP | EPOLLERR)) && wants_input(c)) {
		c->readable = true;
		vsd_conn_wait(d, c);
	}
	vsd_conn_sync(d, c);
}
