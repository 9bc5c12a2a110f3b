// SPDX-License-Identifier: Apache-2.0
/*
 * File descriptors over UNIX sockets (SCM_RIGHTS): the client sends the
 * memfd of its shared region with the SHM_SETUP frame; the agent's worker
 * takes it from its buffered reads. A peer may attach descriptors to any
 * byte it sends: the receiver keeps at most one (the last), closes the
 * rest at once, and the connection closes what nobody took.
 */
#include "conn.h"

#include "vaccel.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* Room for every descriptor one message can carry (the kernel's
 * SCM_MAX_FD), so that this code closes each stray one itself rather
 * than relying on the kernel to drop those that do not fit (qemu-user,
 * for one, installs them and loses them). */
#define RPC_FDS_PER_READ 253
/* The largest body sent with a descriptor. */
#define RPC_FD_FRAME_MAX 64u

int rpc_conn_send_fd(struct rpc_conn *c, uint16_t type, uint64_t req_id,
		     const void *head, size_t head_len, int fd)
{
	union {
		struct cmsghdr align;
		char buf[CMSG_SPACE(sizeof(int))];
	} ctl;
	uint8_t frame[RPC_HDR_SIZE + RPC_FD_FRAME_MAX];
	struct rpc_hdr h = { .length = (uint32_t)head_len, .type = type,
			     .req_id = req_id };
	struct iovec iov = { frame, RPC_HDR_SIZE + head_len };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1,
			      .msg_control = ctl.buf,
			      .msg_controllen = sizeof(ctl.buf) };
	struct cmsghdr *cm;
	ssize_t n;

	if (head_len > RPC_FD_FRAME_MAX)
		return VACCEL_EINVAL;
	rpc_hdr_encode(frame, &h);
	memcpy(frame + RPC_HDR_SIZE, head, head_len);
	memset(&ctl, 0, sizeof(ctl));
	cm = CMSG_FIRSTHDR(&msg);
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cm), &fd, sizeof(int));
	do
		n = sendmsg(c->s.fd, &msg, MSG_NOSIGNAL);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return VACCEL_EIO;
	/* The descriptor went with the first bytes; the rest of a short
	 * write (never seen for a few dozen bytes) follows without it. */
	iov.iov_base = frame + n;
	iov.iov_len -= (size_t)n;
	if (iov.iov_len && vaccel__stream_write_all(&c->s, &iov, 1))
		return VACCEL_EIO;
	return VACCEL_OK;
}

static void keep_fd(struct rpc_conn *c, int fd)
{
	rpc_conn_drop_fd(c);
	c->rx_fd = fd;
	c->has_rx_fd = true;
}

ssize_t rpc_conn_readv_fds(struct rpc_conn *c, const struct iovec *iov,
			   int iovcnt)
{
	union {
		struct cmsghdr align;
		char buf[CMSG_SPACE(sizeof(int) * RPC_FDS_PER_READ)];
	} ctl;
	struct msghdr msg = { .msg_iov = (struct iovec *)iov,
			      .msg_iovlen = (size_t)iovcnt,
			      .msg_control = ctl.buf,
			      .msg_controllen = sizeof(ctl.buf) };
	ssize_t n;

	/* The stream's poll and timeout, as vaccel__stream_readv has. */
	if (vaccel__stream_wait(&c->s))
		return -1;
	n = recvmsg(c->s.fd, &msg, MSG_CMSG_CLOEXEC);
	if (n < 0)
		return n;
	for (struct cmsghdr *cm = CMSG_FIRSTHDR(&msg); cm;
	     cm = CMSG_NXTHDR(&msg, cm)) {
		size_t nr;

		if (cm->cmsg_level != SOL_SOCKET || cm->cmsg_type != SCM_RIGHTS)
			continue;
		nr = (cm->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (size_t i = 0; i < nr; i++) {
			int fd;

			memcpy(&fd, CMSG_DATA(cm) + i * sizeof(int),
			       sizeof(int));
			keep_fd(c, fd);
		}
	}
	return n;
}

int rpc_conn_take_fd(struct rpc_conn *c)
{
	int fd = c->has_rx_fd ? c->rx_fd : -1;

	c->has_rx_fd = false;
	c->rx_fd = -1;
	return fd;
}

void rpc_conn_drop_fd(struct rpc_conn *c)
{
	if (c->has_rx_fd)
		close(c->rx_fd);
	c->has_rx_fd = false;
	c->rx_fd = -1;
}
