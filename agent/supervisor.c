// SPDX-License-Identifier: Apache-2.0
/*
 * The supervisor: the agent's main process and the template its workers
 * are forked from. It is single-threaded and never runs a request of a
 * served connection, so no guest input reaches plugin code here.
 *
 * One poll loop watches the signals (a signalfd: SIGCHLD, SIGTERM,
 * SIGINT), the listeners and the connections still in their handshake:
 *
 *  - A new socket connection is held here, non-blocking, while it says
 *    HELLO (and AUTH when a token is set): the handshake frames go through
 *    the same gate and handlers as in a worker, at most 4 KiB of body each.
 *    At most --max-unauthenticated such connections are held (the oldest is
 *    dropped for a new one) and each has --handshake-timeout to finish, so
 *    silent or slow peers cost a few KiB for a bounded time and never take
 *    a served connection's slot.
 *  - A connection whose handshake is complete gets a slot in the shared
 *    table (at most --max-connections) and a worker process: one of the
 *    --spare-workers idle workers forked from here in advance (libvaccel and
 *    the plugins are already loaded in them, nothing is loaded again) takes
 *    it over through a UNIX socket pair (the fd with SCM_RIGHTS, and the
 *    connection's handshake state), and a new spare is forked to replace
 *    it. With no spare ready, one is forked there and then. A virtio-serial
 *    channel gets its worker at once (its handshakes happen inside the
 *    stream, one per guest process).
 *  - A worker that exits is reaped. If it died (a signal, or a non-zero
 *    exit) with requests in flight, the supervisor answers each of them
 *    with its own ERROR VACCEL_ESESS from its own copy of the connection's
 *    fd: the slot has one record per request being handled (up to
 *    --max-inflight, the ops running at once on the worker's threads and
 *    the request being read), whichever path served it. If one of them
 *    was writing its reply, the stream is torn mid-frame: none is
 *    answered (logged). Then it removes the connection's upload directory
 *    and closes the connection, or, for a virtio-serial channel (which
 *    lives as long as its VM), starts a new worker on it.
 *  - Tenants (tenants.c): a worker that has to check an AUTH asks here,
 *    on its socket pair. When the tenants folder changes, or on SIGHUP,
 *    the tenants are read again and the connections of the tenants that
 *    are gone are closed.
 *  - SIGTERM/SIGINT: stop accepting, drop the handshaking connections, shut
 *    down the reading side of every served connection (a call in flight
 *    completes and its reply is sent), wait for every worker, return.
 */
#include "agent.h"
#include "supervisor.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* How long the loop must have been idle before it forks a spare. */
#define SPARE_REFILL_MS 5

/* A connection in its handshake. */
struct pending {
	struct agent_conn *c;
	const char *where;
	/* The frame being received: header bytes, then body bytes. A header
	 * of 16 x 0xff (a SYNC break) is followed by the 16 bytes of the
	 * marker's tag and nonce instead of a body. */
	uint8_t raw[RPC_HDR_SIZE];
	uint8_t sync_rest[VACCEL_VIRTIO_SYNC_LEN - RPC_HDR_SIZE];
	size_t got;
	bool have_hdr, in_sync;
	struct rpc_hdr h;
	uint64_t deadline_ms;
	struct pending *prev, *next;
};

/* An idle worker waiting for a connection on `sock`. */
struct spare {
	pid_t pid;
	int sock;
};

/* A served connection's worker (indexed by its slot). */
struct worker {
	pid_t pid;
	/* The supervisor's copy of the connection: to answer for a worker
	 * that died, and to start a new one on a virtio-serial channel. */
	struct vaccel_stream s;
	/* The worker's end of the socket pair: it asks here for AUTH. */
	int sock;
	/* The tenant the connection belongs to (-1: none), as the supervisor
	 * decided it (never what the worker says). */
	int32_t tenant;
	/* Closed because its tenant was removed. */
	bool evicted;
	uint64_t conn_id;
	bool serial;
	const char *where;
};

static struct {
	struct vaccel_listener *ls;
	int nr_ls;
	int sfd;
	struct pending *head, *tail;
	uint32_t nr_pending;
	struct worker *workers;
	uint32_t nr_workers;
	struct spare *spares;
	uint32_t nr_spares;
	bool stopping;
} sv = { .sfd = -1 };

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static void set_nonblocking(int fd, bool on)
{
	int fl = fcntl(fd, F_GETFL);

	if (fl >= 0)
		fcntl(fd, F_SETFL, on ? fl | O_NONBLOCK : fl & ~O_NONBLOCK);
}

/* --- connections in their handshake --- */

static void pending_unlink(struct pending *p)
{
	if (p->prev)
		p->prev->next = p->next;
	else
		sv.head = p->next;
	if (p->next)
		p->next->prev = p->prev;
	else
		sv.tail = p->prev;
	sv.nr_pending--;
	agent_table_set_unauthed(sv.nr_pending);
}

/* Drops a handshaking connection; with `close_stream` false its fd lives
 * on in a worker. */
static void pending_drop(struct pending *p, bool close_stream)
{
	pending_unlink(p);
	agent_conn_free(p->c, close_stream);
	free(p);
}

static void pending_add(struct agent_conn *c, const char *where)
{
	struct pending *p;

	if (sv.nr_pending >= agent.lim.max_unauthed) {
		vaccel_info("agent: conn %llu on %s dropped: %u connections are in their handshake (--max-unauthenticated), it was the oldest",
			    (unsigned long long)sv.head->c->id,
			    sv.head->where, sv.nr_pending);
		pending_drop(sv.head, true);
	}
	p = calloc(1, sizeof(*p));
	if (!p) {
		vaccel_error("agent: out of memory for a connection on %s",
			     where);
		agent_conn_free(c, true);
		return;
	}
	p->c = c;
	p->where = where;
	p->deadline_ms = now_ms() + agent.lim.handshake_timeout_ms;
	p->prev = sv.tail;
	if (sv.tail)
		sv.tail->next = p;
	else
		sv.head = p;
	sv.tail = p;
	sv.nr_pending++;
	agent_table_set_unauthed(sv.nr_pending);
}

/* Reads what is there of the `want` bytes at `buf` (p->got so far).
 * Returns 1 when complete, 0 when more is needed, -1 when the peer closed
 * or the stream broke. */
static int read_some(struct pending *p, void *buf, size_t want)
{
	struct iovec iov = { (uint8_t *)buf + p->got, want - p->got };
	ssize_t n;

	if (want == p->got)
		return 1;
	do
		n = p->c->rc.s.ops->readv(&p->c->rc.s, &iov, 1);
	while (n < 0 && errno == EINTR);
	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
		return 0;
	if (n <= 0)
		return -1;
	p->got += (size_t)n;
	return p->got == want;
}

static void start_worker(struct agent_conn *c, int slot, const char *where);

/* A frame that may end the handshake needs a served connection's slot
 * first, so that a full agent says so in the reply to that frame. */
static bool completes_handshake(const struct agent_conn *c, uint16_t type)
{
	return (type == RPC_MSG_HELLO && !agent.auth_required) ||
	       (type == RPC_MSG_AUTH && c->hello_done);
}

/* Handles the complete frame of p. Returns false when p is gone. */
static bool pending_frame(struct pending *p)
{
	struct agent_conn *c = p->c;
	int slot = -1, ret;

	if (completes_handshake(c, p->h.type)) {
		slot = agent_table_claim(c->id);
		if (slot < 0) {
			vaccel_warn("agent: connection limit %u reached, refusing conn %llu on %s",
				    agent.lim.max_conns,
				    (unsigned long long)c->id, p->where);
			rpc_conn_send_error(&c->rc, p->h.req_id, VACCEL_EUSERS,
					    "the agent serves the most connections it may (--max-connections)");
			pending_drop(p, true);
			return false;
		}
	}
	ret = agent_handle(c, &p->h);
	if (ret == AGENT_CLOSE) {
		if (slot >= 0)
			agent_table_free(slot);
		pending_drop(p, true);
		return false;
	}
	if (agent_handshake_done(c)) {
		const char *where = p->where;

		pending_unlink(p);
		free(p);
		start_worker(c, slot, where);
		return false;
	}
	if (slot >= 0)
		agent_table_free(slot);
	p->have_hdr = false;
	p->got = 0;
	return true;
}

/* Makes progress on a readable handshaking connection. */
static void pending_read(struct pending *p)
{
	struct agent_conn *c = p->c;
	int r;

	for (;;) {
		if (!p->have_hdr) {
			r = read_some(p, p->raw, sizeof(p->raw));
			if (r <= 0)
				break;
			p->have_hdr = true;
			p->got = 0;
			p->in_sync = agent_is_sync_break(p->raw);
			if (p->in_sync)
				continue;
			if (rpc_hdr_decode(p->raw, agent.lim.max_frame, &p->h)) {
				vaccel_warn("agent: conn %llu: bad frame header, closing",
					    (unsigned long long)c->id);
				goto drop;
			}
			c->t_recv = vaccel_prof_get_tstamp();
			c->t_exec = 0;
			c->err[0] = '\0';
			switch (agent_gate(c, &p->h)) {
			case AGENT_GATE_CLOSE:
				goto drop;
			case AGENT_GATE_REFUSE:
				rpc_conn_send_error(&c->rc, p->h.req_id,
						    VACCEL_EACCES,
						    "authentication required");
				goto drop;
			case AGENT_GATE_HANDLE:
				break;
			}
			if (p->h.length > c->body_cap) {
				uint8_t *b = realloc(c->body, p->h.length);

				if (!b)
					goto drop;
				c->body = b;
				c->body_cap = p->h.length;
			}
		}
		if (p->in_sync) {
			r = read_some(p, p->sync_rest, sizeof(p->sync_rest));
			if (r <= 0)
				break;
			if (agent_sync_answer(c, p->sync_rest))
				goto drop;
			p->have_hdr = p->in_sync = false;
			p->got = 0;
			continue;
		}
		r = read_some(p, c->body, p->h.length);
		if (r == 0)
			return;
		if (r < 0)
			break;
		if (!pending_frame(p))
			return;
	}
	if (r == 0)
		return;
	vaccel_info("agent: conn %llu on %s: closed during its handshake",
		    (unsigned long long)c->id, p->where);
drop:
	pending_drop(p, true);
}

static void pending_expire(uint64_t now)
{
	while (sv.head && agent.lim.handshake_timeout_ms &&
	       sv.head->deadline_ms <= now) {
		vaccel_info("agent: conn %llu on %s: handshake not finished within %u s, closing",
			    (unsigned long long)sv.head->c->id, sv.head->where,
			    agent.lim.handshake_timeout_ms / 1000);
		pending_drop(sv.head, true);
	}
}

/* --- workers --- */

/* In a new spare: closes every fd of the supervisor's but `keep`. */
static void close_inherited(int keep)
{
	struct pending *p;

	for (int i = 0; i < sv.nr_ls; i++)
		if (sv.ls[i].fd >= 0)
			close(sv.ls[i].fd);
	if (sv.sfd >= 0)
		close(sv.sfd);
	if (agent_tenants_watch_fd() >= 0)
		close(agent_tenants_watch_fd());
	for (p = sv.head; p; p = p->next)
		close(p->c->rc.s.fd);
	for (uint32_t i = 0; i < agent.lim.max_conns; i++) {
		if (sv.workers[i].pid <= 0)
			continue;
		close(sv.workers[i].s.fd);
		if (sv.workers[i].sock >= 0)
			close(sv.workers[i].sock);
	}
	for (uint32_t i = 0; i < sv.nr_spares; i++)
		if (sv.spares[i].sock != keep)
			close(sv.spares[i].sock);
}

/* Forks an idle worker into the spare pool. */
static int spawn_spare(void)
{
	pid_t self = getpid(), pid;
	int sp[2];

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sp) < 0) {
		vaccel_error("agent: cannot make a worker's socket pair: %s",
			     strerror(errno));
		return -1;
	}
	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		close(sp[0]);
		close_inherited(sp[1]);
		agent_worker_run(sp[1], self);
	}
	close(sp[1]);
	if (pid < 0) {
		vaccel_error("agent: cannot fork a worker: %s", strerror(errno));
		close(sp[0]);
		return -1;
	}
	sv.spares[sv.nr_spares++] = (struct spare){ pid, sp[0] };
	return 0;
}

/* Forks one spare if the pool is short. The loop calls it only when it
 * has nothing else to do: a fork of a template with libtorch loaded takes
 * milliseconds, which the connection just handed over (and the handshakes
 * waiting) should not wait behind. */
static bool refill_one(void)
{
	if (sv.stopping || sv.nr_spares >= agent.lim.spare_workers)
		return false;
	return spawn_spare() == 0;
}

/* Hands connection `c` (in table slot `slot`) to a worker; `c` is given
 * away either way. */
static void start_worker(struct agent_conn *c, int slot, const char *where)
{
	struct agent_handoff m = {
		.conn_id = c->id, .ops = c->rc.s.ops, .slot = slot,
		.peer_max_frame = c->peer_max_frame,
		.hello_done = c->hello_done, .authed = c->authed,
		.orphaned = c->orphaned, .tenant = c->tenant,
	};
	struct spare sp;

	memcpy(m.tenant_name, c->tenant_name, sizeof(m.tenant_name));
	for (;;) {
		if (sv.nr_spares == 0 && spawn_spare()) {
			vaccel_error("agent: no worker for conn %llu on %s",
				     (unsigned long long)c->id, where);
			agent_table_free(slot);
			agent_conn_free(c, true);
			return;
		}
		sp = sv.spares[--sv.nr_spares];
		if (agent_handoff_send(sp.sock, &m, c->rc.s.fd) == 0)
			break;
		/* That spare is gone (it is reaped as such); try another. */
		close(sp.sock);
		vaccel_warn("agent: worker %d did not take conn %llu: %s",
			    (int)sp.pid, (unsigned long long)c->id,
			    strerror(errno));
	}
	sv.workers[slot] = (struct worker){ .pid = sp.pid, .s = c->rc.s,
					    .sock = sp.sock,
					    .tenant = c->tenant,
					    .conn_id = c->id,
					    .serial = c->serial,
					    .where = where };
	sv.nr_workers++;
	agent_tenant_join(c->tenant);
	vaccel_info("agent: conn %llu on %s served by worker %d",
		    (unsigned long long)c->id, where, (int)sp.pid);
	agent_conn_free(c, false);
}

/* A new connection from a listener. */
static void accepted(struct vaccel_stream *s, const char *where)
{
	struct agent_conn *c = agent_conn_new(s);
	int slot;

	if (!c) {
		vaccel_error("agent: out of memory for a connection on %s",
			     where);
		vaccel__stream_close(s);
		return;
	}
	vaccel_info("agent: conn %llu accepted on %s",
		    (unsigned long long)c->id, where);
	if (!c->serial) {
		set_nonblocking(s->fd, true);
		pending_add(c, where);
		return;
	}
	slot = agent_table_claim(c->id);
	if (slot < 0) {
		vaccel_warn("agent: connection limit %u reached, refusing the virtio-serial channel on %s",
			    agent.lim.max_conns, where);
		agent_conn_free(c, true);
		return;
	}
	start_worker(c, slot, where);
}

static void describe(int status, char *buf, size_t size)
{
	if (WIFSIGNALED(status))
		snprintf(buf, size, "killed by signal %d (%s)",
			 WTERMSIG(status), strsignal(WTERMSIG(status)));
	else
		snprintf(buf, size, "exited with status %d",
			 WEXITSTATUS(status));
}

/* Sends ERROR VACCEL_ESESS for request `req_id` of type `type` from the
 * supervisor's copy of the fd. Never blocks: a client that does not read
 * loses the message. False when it could not be sent whole. */
static bool answer_one(struct worker *w, uint64_t req_id, uint16_t type,
		       const char *how)
{
	uint8_t hdr[RPC_HDR_SIZE], body[8 + RPC_MAX_ERRMSG];
	char msg[RPC_MAX_ERRMSG];
	struct rpc_hdr h = { 0, RPC_MSG_ERROR, 0, req_id };
	struct iovec iov[2];
	struct msghdr mh = { .msg_iov = iov, .msg_iovlen = 2 };
	ssize_t n;

	snprintf(msg, sizeof(msg),
		 "the agent's worker for this connection %s while handling %s request %llu; the connection's sessions and resources are gone",
		 how, rpc_msg_type_name(type), (unsigned long long)req_id);
	h.length = (uint32_t)rpc_error_encode(body, sizeof(body), VACCEL_ESESS,
					      msg);
	rpc_hdr_encode(hdr, &h);
	iov[0] = (struct iovec){ hdr, sizeof(hdr) };
	iov[1] = (struct iovec){ body, h.length };
	n = sendmsg(w->s.fd, &mh, MSG_DONTWAIT | MSG_NOSIGNAL);
	if (n == (ssize_t)(sizeof(hdr) + h.length))
		return true;
	vaccel_info("agent: conn %llu: cannot tell the client about %s request %llu: %s",
		    (unsigned long long)w->conn_id, rpc_msg_type_name(type),
		    (unsigned long long)req_id,
		    n < 0 ? strerror(errno) : "short write");
	return false;
}

/* Whether an earlier record than `r` holds request `id` (two records of
 * one id: a duplicate being refused while the first runs). */
static bool answered(const struct agent_slot *s, uint32_t r, uint64_t id)
{
	for (uint32_t i = 0; i < r; i++)
		if (atomic_load(&s->req[i].state) == AGENT_REQ_BUSY &&
		    atomic_load(&s->req[i].req_id) == id)
			return true;
	return false;
}

/* Answers every request a dead worker had in flight that had not started
 * its reply, each with its own id: its client is told why instead of
 * seeing a bare hang-up. If a reply was being written, where the stream's
 * next frame starts is unknown: nothing is sent (the caller closes the
 * connection). The records are the dead worker's word: its ids and types
 * are only echoed. */
static void answer_for_dead(struct worker *w, const struct agent_slot *s,
			    const char *how)
{
	uint32_t nr = agent_slot_records(), busy = 0, torn = 0;

	for (uint32_t r = 0; r < nr; r++) {
		uint32_t st = atomic_load(&s->req[r].state);

		busy += st == AGENT_REQ_BUSY;
		torn += st == AGENT_REQ_REPLYING;
	}
	if (torn) {
		vaccel_warn("agent: conn %llu: worker %d %s while sending a reply; the stream is torn, so the %u other request(s) in flight are not answered and the connection is closed",
			    (unsigned long long)w->conn_id, (int)w->pid, how,
			    busy);
		return;
	}
	vaccel_warn("agent: conn %llu: worker %d %s with %u request(s) in flight; the other connections carry on",
		    (unsigned long long)w->conn_id, (int)w->pid, how, busy);
	for (uint32_t r = 0; r < nr; r++) {
		uint64_t id = atomic_load(&s->req[r].req_id);

		if (atomic_load(&s->req[r].state) != AGENT_REQ_BUSY ||
		    answered(s, r, id))
			continue;
		if (!answer_one(w, id,
				(uint16_t)atomic_load(&s->req[r].msg_type),
				how))
			break;
	}
}

/* Starts a new worker on the virtio-serial channel of a dead one. */
static void restart_channel(struct worker *w, int slot)
{
	struct vaccel_stream s = w->s;
	struct agent_conn *c;

	w->pid = 0;
	sv.nr_workers--;
	close(w->sock);
	w->sock = -1;
	agent_tenant_leave(w->tenant);
	c = agent_conn_new(&s);
	if (!c) {
		vaccel_error("agent: out of memory to restart the channel on %s",
			     w->where);
		vaccel__stream_close(&s);
		agent_table_free(slot);
		return;
	}
	c->orphaned = true;
	/* What the dead worker was doing is answered for already. */
	agent_table_rearm(slot, c->id);
	vaccel_warn("agent: virtio-serial channel on %s continues as conn %llu",
		    w->where, (unsigned long long)c->id);
	start_worker(c, slot, w->where);
}

/* A spare exited: it is no longer one. */
static void spare_gone(pid_t pid, int status)
{
	char how[96];

	for (uint32_t i = 0; i < sv.nr_spares; i++) {
		if (sv.spares[i].pid != pid)
			continue;
		close(sv.spares[i].sock);
		sv.spares[i] = sv.spares[--sv.nr_spares];
		break;
	}
	if (!sv.stopping) {
		describe(status, how, sizeof(how));
		vaccel_warn("agent: idle worker %d %s", (int)pid, how);
	}
}

/* Reaps exited workers; with `block`, waits until none is left. */
static void reap(bool block)
{
	int status;
	pid_t pid;

	while ((sv.nr_workers || sv.nr_spares) &&
	       (pid = waitpid(-1, &status, block ? 0 : WNOHANG)) > 0) {
		struct worker *w = NULL;
		struct agent_slot *s;
		char how[96];
		uint32_t state;
		bool died;
		int slot;

		for (slot = 0; slot < (int)agent.lim.max_conns; slot++) {
			if (sv.workers[slot].pid == pid) {
				w = &sv.workers[slot];
				break;
			}
		}
		if (!w) {
			spare_gone(pid, status);
			continue;
		}
		s = agent_table_slot(slot);
		state = atomic_load(&s->state);
		describe(status, how, sizeof(how));
		/* A worker that ends its connection itself marks its slot
		 * done and exits 0; anything else (exit() called by a plugin
		 * included) is a death. */
		died = !WIFEXITED(status) || WEXITSTATUS(status) != 0 ||
		       state != AGENT_SLOT_DONE;
		if (w->evicted) {
			vaccel_info("agent: conn %llu: closed: tenant %s was removed (worker %d %s)",
				    (unsigned long long)w->conn_id,
				    agent_tenant_name(w->tenant), (int)pid,
				    how);
		} else if (died) {
			answer_for_dead(w, s, how);
		} else {
			vaccel_info("agent: conn %llu: worker %d %s",
				    (unsigned long long)w->conn_id, (int)pid,
				    how);
		}
		/* Whatever the worker left on disk goes with it; its memory
		 * and fds went with the process; what it held of its tenant's
		 * limits goes back. */
		agent_conn_dir_remove(w->conn_id);
		agent_tenant_reclaim(slot, w->tenant);
		if (died && w->serial && !sv.stopping && !w->evicted) {
			restart_channel(w, slot);
			continue;
		}
		vaccel__stream_close(&w->s);
		close(w->sock);
		w->sock = -1;
		agent_tenant_leave(w->tenant);
		w->pid = 0;
		sv.nr_workers--;
		agent_table_free(slot);
	}
}

/* --- the loop --- */

static void begin_stop(void)
{
	sv.stopping = true;
	while (sv.head)
		pending_drop(sv.head, true);
	/* A spare reads the end of its socket and exits. */
	for (uint32_t i = 0; i < sv.nr_spares; i++)
		shutdown(sv.spares[i].sock, SHUT_RDWR);
	for (uint32_t i = 0; i < agent.lim.max_conns; i++)
		if (sv.workers[i].pid > 0)
			shutdown(sv.workers[i].s.fd, SHUT_RD);
}

/* Reads the tenants again and closes the connections of those that are
 * gone: the reading side and the writing side of the supervisor's copy of
 * the socket, which the worker shares, so that the worker reads the end of
 * its connection (a call in flight completes; its reply is lost) and the
 * client sees the connection close. */
static void reload_tenants(void)
{
	agent_tenants_reload();
	for (uint32_t i = 0; i < agent.lim.max_conns; i++) {
		struct worker *w = &sv.workers[i];

		if (w->pid <= 0 || w->tenant < 0 || w->evicted ||
		    agent_tenant_live(w->tenant))
			continue;
		w->evicted = true;
		shutdown(w->s.fd, SHUT_RDWR);
	}
}

/* Returns true to go on, false once the agent should exit. */
static bool on_signals(void)
{
	struct signalfd_siginfo si;

	while (read(sv.sfd, &si, sizeof(si)) == sizeof(si)) {
		if (si.ssi_signo == SIGCHLD)
			continue;
		if (si.ssi_signo == SIGHUP) {
			vaccel_info("agent: SIGHUP: reading the tenants again");
			reload_tenants();
			continue;
		}
		if (!sv.stopping)
			fprintf(stderr, "vaccel-agent: signal %u, shutting down\n",
				si.ssi_signo);
		begin_stop();
	}
	reap(false);
	return !(sv.stopping && sv.nr_workers == 0 && sv.nr_spares == 0);
}

static void accept_on(struct vaccel_listener *l)
{
	struct vaccel_stream s;

	if (vaccel__transport_accept(l, &s) == VACCEL_OK)
		accepted(&s, l->bound);
}

int agent_supervisor_run(struct vaccel_listener *ls, int nr_ls, int sfd)
{
	size_t cap = 2 + (size_t)nr_ls + agent.lim.max_unauthed +
		     agent.lim.max_conns;
	struct pollfd *pfd = calloc(cap, sizeof(*pfd));
	struct pending **who = calloc(cap, sizeof(*who));
	struct worker **asking = calloc(cap, sizeof(*asking));
	int watch = agent_tenants_watch_fd();
	int ret = 0;

	sv.ls = ls;
	sv.nr_ls = nr_ls;
	sv.sfd = sfd;
	sv.workers = calloc(agent.lim.max_conns, sizeof(*sv.workers));
	sv.spares = calloc(agent.lim.spare_workers + 1, sizeof(*sv.spares));
	if (!pfd || !who || !asking || !sv.workers || !sv.spares) {
		fprintf(stderr, "vaccel-agent: out of memory\n");
		ret = -1;
		goto out;
	}
	for (int i = 0; i < nr_ls; i++)
		set_nonblocking(ls[i].fd, true);
	while (refill_one())
		;
	for (;;) {
		uint64_t now = now_ms();
		int timeout = -1, n = 0, nr_ls_polled, first_pending,
		    first_asking, ready;
		struct pending *p;

		pfd[n++] = (struct pollfd){ .fd = sfd, .events = POLLIN };
		pfd[n++] = (struct pollfd){ .fd = watch, .events = POLLIN };
		for (int i = 0; !sv.stopping && i < nr_ls; i++)
			pfd[n++] = (struct pollfd){ .fd = ls[i].fd,
						    .events = POLLIN };
		nr_ls_polled = n - 2;
		first_pending = n;
		for (p = sv.head; p; p = p->next) {
			who[n] = p;
			pfd[n++] = (struct pollfd){ .fd = p->c->rc.s.fd,
						    .events = POLLIN };
		}
		first_asking = n;
		for (uint32_t i = 0; i < agent.lim.max_conns; i++) {
			if (sv.workers[i].pid <= 0 || sv.workers[i].sock < 0)
				continue;
			asking[n] = &sv.workers[i];
			pfd[n++] = (struct pollfd){ .fd = sv.workers[i].sock,
						    .events = POLLIN };
		}
		if (sv.head && agent.lim.handshake_timeout_ms)
			timeout = sv.head->deadline_ms > now ?
					  (int)(sv.head->deadline_ms - now) :
					  0;
		/* A short pool is refilled once nothing happened for a while. */
		if (!sv.stopping && sv.nr_spares < agent.lim.spare_workers &&
		    (timeout < 0 || timeout > SPARE_REFILL_MS))
			timeout = SPARE_REFILL_MS;
		ready = poll(pfd, (nfds_t)n, timeout);
		if (ready < 0 && errno != EINTR) {
			vaccel_error("agent: poll: %s", strerror(errno));
			ret = -1;
			break;
		}
		if (ready == 0)
			refill_one();
		/* Deaths first: a worker that exited is reaped before what
		 * arrived meanwhile is served, so that a new connection is not
		 * told about (STATS) or counted against (limits) a gone one; a
		 * worker's exit closes its socket pair before its parent can
		 * reap it, so the wake-up that sees the one may come before the
		 * signal. */
		if (pfd[0].revents & POLLIN) {
			bool was_stopping = sv.stopping;

			if (!on_signals())
				break;
			/* Stopping dropped the handshaking connections polled
			 * above. */
			if (sv.stopping && !was_stopping)
				continue;
		}
		/* Workers asking about an AUTH, then pending connections:
		 * accepting may drop the oldest, whose pollfd entry would then
		 * be stale. */
		for (int i = first_asking; i < n; i++) {
			struct worker *w = asking[i];

			if (!pfd[i].revents || w->sock < 0)
				continue;
			if (agent_tenants_answer(w->sock, &w->tenant)) {
				/* Gone (reaped later), or talking nonsense:
				 * stop listening to it. */
				close(w->sock);
				w->sock = -1;
			}
		}
		for (int i = first_pending; i < first_asking; i++)
			if (pfd[i].revents)
				pending_read(who[i]);
		for (int i = 0; i < nr_ls_polled; i++)
			if (pfd[i + 2].revents & POLLIN)
				accept_on(&ls[i]);
		pending_expire(now_ms());
		if (pfd[1].revents & POLLIN)
			reload_tenants();
	}
out:
	begin_stop();
	reap(true);
	free(pfd);
	free(who);
	free(asking);
	free(sv.workers);
	free(sv.spares);
	sv.workers = NULL;
	sv.spares = NULL;
	return ret;
}
