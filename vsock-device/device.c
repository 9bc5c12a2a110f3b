// SPDX-License-Identifier: Apache-2.0
/* The device's set-up and its one epoll loop. */
#include "device.h"

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

int vsd_watch_set(struct vsd_dev *d, int fd, struct vsd_watch *w,
		  uint32_t old_mask, uint32_t mask)
{
	struct epoll_event ev = { .events = mask, .data.ptr = w };
	int op = !old_mask ? EPOLL_CTL_ADD :
		 !mask	   ? EPOLL_CTL_DEL :
			     EPOLL_CTL_MOD;

	if (!old_mask && !mask)
		return 0;
	if (epoll_ctl(d->epfd, op, fd, &ev) < 0) {
		vsd_error("epoll_ctl(fd %d): %s", fd, strerror(errno));
		return -1;
	}
	return 0;
}

/* True when `path` is a socket nobody listens on any more (what a killed
 * process leaves behind); anything else is never touched. */
static bool stale_socket(const struct sockaddr_un *sun)
{
	struct stat st;
	bool stale;
	int s;

	if (lstat(sun->sun_path, &st) || !S_ISSOCK(st.st_mode))
		return false;
	s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (s < 0)
		return false;
	stale = connect(s, (const struct sockaddr *)sun, sizeof(*sun)) < 0 &&
		errno == ECONNREFUSED;
	close(s);
	return stale;
}

/* A UNIX listener at `path`, mode 0600 (only this user may connect). */
static int listen_unix(const char *path)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	mode_t old;
	int s, r;

	if (strlen(path) >= sizeof(sun.sun_path)) {
		vsd_error("socket path %s is too long", path);
		return -1;
	}
	strcpy(sun.sun_path, path);
	s = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (s < 0) {
		vsd_error("socket: %s", strerror(errno));
		return -1;
	}
	old = umask(0177);
	r = bind(s, (struct sockaddr *)&sun, sizeof(sun));
	if (r < 0 && errno == EADDRINUSE && stale_socket(&sun)) {
		vsd_info("%s: removing the stale socket of a dead process", path);
		unlink(path);
		r = bind(s, (struct sockaddr *)&sun, sizeof(sun));
	}
	umask(old);
	if (r < 0 || listen(s, 64) < 0) {
		vsd_error("listen on %s: %s", path, strerror(errno));
		close(s);
		return -1;
	}
	return s;
}

int vsd_dev_init(struct vsd_dev *d, const struct vsd_config *cfg)
{
	memset(d, 0, sizeof(*d));
	d->cfg = *cfg;
	d->fe_listen_fd = d->fe_fd = d->host_listen_fd = d->sig_fd = -1;
	d->next_host_port = VSD_HOST_PORT_BASE;
	vsd_mem_init(&d->mem);
	vsd_conns_init(&d->conns, cfg->max_conns);
	for (unsigned int i = 0; i < VSD_NUM_QUEUES; i++) {
		vsd_vring_init(&d->vq[i]);
		d->w_kick[i].kind = VSD_W_KICK;
		d->w_kick[i].index = i;
	}
	d->w_fe_listen.kind = VSD_W_FRONTEND_LISTEN;
	d->w_fe.kind = VSD_W_FRONTEND;
	d->w_host_listen.kind = VSD_W_HOST_LISTEN;
	d->w_sig.kind = VSD_W_SIGNAL;
	d->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (d->epfd < 0) {
		vsd_error("epoll_create1: %s", strerror(errno));
		return -1;
	}
	if (cfg->socket_path) {
		d->fe_listen_fd = listen_unix(cfg->socket_path);
		if (d->fe_listen_fd < 0 ||
		    vsd_watch_set(d, d->fe_listen_fd, &d->w_fe_listen, 0,
				  EPOLLIN))
			goto fail;
	}
	if (cfg->uds_path) {
		d->host_listen_fd = listen_unix(cfg->uds_path);
		if (d->host_listen_fd < 0 ||
		    vsd_watch_set(d, d->host_listen_fd, &d->w_host_listen, 0,
				  EPOLLIN))
			goto fail;
	}
	return 0;
fail:
	vsd_dev_release(d);
	return -1;
}

void vsd_dev_release(struct vsd_dev *d)
{
	vsd_fe_drop(d, "the device is shutting down");
	/* Without a front-end the queues may still hold state (tests). */
	vsd_conn_close_all(d, "the device is shutting down");
	vsd_conns_reap(&d->conns);
	for (unsigned int i = 0; i < VSD_NUM_QUEUES; i++)
		vsd_vring_release(&d->vq[i]);
	vsd_mem_release(&d->mem);
	if (d->fe_listen_fd >= 0) {
		close(d->fe_listen_fd);
		unlink(d->cfg.socket_path);
	}
	if (d->host_listen_fd >= 0) {
		close(d->host_listen_fd);
		unlink(d->cfg.uds_path);
	}
	if (d->sig_fd >= 0)
		close(d->sig_fd);
	if (d->epfd >= 0)
		close(d->epfd);
	d->fe_listen_fd = d->host_listen_fd = d->sig_fd = d->epfd = -1;
}

static void kick(struct vsd_dev *d, unsigned int i)
{
	uint64_t v;

	/* Clear the eventfd; the ring itself says what is new. */
	if (d->vq[i].kick_fd < 0 ||
	    read(d->vq[i].kick_fd, &v, sizeof(v)) < 0)
		return;
	if (i == VSD_TXQ)
		vsd_guest_tx(d);
	else if (i == VSD_RXQ)
		vsd_guest_rx(d);
}

static void signalled(struct vsd_dev *d)
{
	struct signalfd_siginfo si;

	if (read(d->sig_fd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
		vsd_info("signal %u: stopping", si.ssi_signo);
		d->stop = true;
	}
}

int vsd_dev_poll(struct vsd_dev *d, int timeout_ms)
{
	struct epoll_event ev[64];
	int n;

	n = epoll_wait(d->epfd, ev, 64, d->tx_more ? 0 : timeout_ms);
	if (n < 0) {
		if (errno == EINTR)
			return 0;
		vsd_error("epoll_wait: %s", strerror(errno));
		return -1;
	}
	for (int i = 0; i < n; i++) {
		struct vsd_watch *w = ev[i].data.ptr;

		switch (w->kind) {
		case VSD_W_FRONTEND_LISTEN:
			vsd_fe_accept(d);
			break;
		case VSD_W_FRONTEND:
			vsd_fe_event(d);
			break;
		case VSD_W_KICK:
			kick(d, w->index);
			break;
		case VSD_W_HOST_LISTEN:
			vsd_host_accept(d);
			break;
		case VSD_W_CONN:
			vsd_conn_event(d, w->ptr, ev[i].events);
			break;
		case VSD_W_SIGNAL:
			signalled(d);
			break;
		}
	}
	if (d->tx_more)
		vsd_guest_tx(d);
	vsd_guest_rx(d);
	if (d->fault) {
		d->fault = false;
		vsd_conn_close_all(d, "the guest corrupted its virtqueues");
		vsd_guest_rx(d);
	}
	/* No event of this round refers to a closed connection any more. */
	vsd_conns_reap(&d->conns);
	return 0;
}
