// SPDX-License-Identifier: Apache-2.0
/*
 * A worker: a process forked from the supervisor (the template, with
 * libvaccel and the plugins loaded) that waits, idle, until the supervisor
 * hands it one connection whose handshake is complete, serves that
 * connection and exits when it ends. Whatever a plugin does to this process
 * (a crash, an abort, exit(), running out of memory) ends this connection
 * only; the kernel releases the process's memory and fds, the supervisor
 * its files and its slot.
 */
#include "supervisor.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <unistd.h>

int agent_handoff_send(int sock, const struct agent_handoff *m, int fd)
{
	char ctl[CMSG_SPACE(sizeof(int))] = { 0 };
	struct iovec iov = { (void *)m, sizeof(*m) };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1,
			     .msg_control = ctl,
			     .msg_controllen = sizeof(ctl) };
	struct cmsghdr *cm = CMSG_FIRSTHDR(&mh);

	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cm), &fd, sizeof(int));
	return sendmsg(sock, &mh, MSG_NOSIGNAL) == (ssize_t)sizeof(*m) ? 0 :
									  -1;
}

/* The connection the supervisor hands over, or -1 when it closed the
 * socket instead (shutdown) or sent something else. */
static int receive(int sock, struct agent_handoff *m)
{
	char ctl[CMSG_SPACE(sizeof(int))];
	struct iovec iov = { m, sizeof(*m) };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1,
			     .msg_control = ctl,
			     .msg_controllen = sizeof(ctl) };
	struct cmsghdr *cm;
	ssize_t n;
	int fd;

	do
		n = recvmsg(sock, &mh, MSG_CMSG_CLOEXEC);
	while (n < 0 && errno == EINTR);
	cm = CMSG_FIRSTHDR(&mh);
	if (n != (ssize_t)sizeof(*m) || !cm || cm->cmsg_level != SOL_SOCKET ||
	    cm->cmsg_type != SCM_RIGHTS ||
	    cm->cmsg_len != CMSG_LEN(sizeof(int)))
		return -1;
	memcpy(&fd, CMSG_DATA(cm), sizeof(int));
	return fd;
}

_Noreturn void agent_worker_run(int sock, pid_t supervisor)
{
	struct agent_handoff m;
	struct vaccel_stream s;
	struct agent_conn *c;
	int fd, fl;

	/* A worker never outlives its supervisor: clients of an agent that
	 * was killed see their connection end, as before the split. */
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != supervisor)
		_exit(1);
	/* A plugin may call exit() in the middle of an op. libvaccel's
	 * automatic cleanup would then wait for that very op to end (and it
	 * belongs to the supervisor anyway): it is off in workers. */
	setenv("VACCEL_CLEANUP_ENABLED", "0", 1);
	fd = receive(sock, &m);
	if (fd < 0)
		_exit(0);
	agent.supervisor_sock = sock;
	fl = fcntl(fd, F_GETFL);
	if (fl >= 0)
		fcntl(fd, F_SETFL, fl & ~O_NONBLOCK);
	s = (struct vaccel_stream){ .fd = fd, .ops = m.ops,
				    .poll_us = agent.lim.poll_us };
	c = agent_conn_new(&s);
	if (!c)
		_exit(1);
	c->id = m.conn_id;
	c->hello_done = m.hello_done;
	c->authed = m.authed;
	c->orphaned = m.orphaned;
	c->peer_max_frame = m.peer_max_frame;
	c->tenant = m.tenant;
	memcpy(c->tenant_name, m.tenant_name, sizeof(c->tenant_name));
	c->tenant_name[sizeof(c->tenant_name) - 1] = '\0';
	c->slot = agent_table_slot(m.slot);
	/* The worker maps a client's region: it takes the memfd. */
	c->rc.take_fds = agent_shm_offered(c);
	agent_conn_serve(c);
	/* The supervisor still holds the connection: end it for the peer
	 * now rather than when the supervisor notices this exit. */
	shutdown(fd, SHUT_RDWR);
	/* _exit: the template's exit handlers (libvaccel's cleanup among
	 * them) belong to the supervisor, not to this copy of it. */
	_exit(0);
}
