// SPDX-License-Identifier: Apache-2.0
/*
 * The connection to the agent, shared by every thread of the process
 * (docs/protocol.md, "Request ids and ordering"). Calls from several
 * threads are in flight on it at once:
 *
 * - sending: one frame at a time (or one whole upload) under the send
 *   lock, each request with a new req_id, registered as waiting before
 *   its first byte leaves;
 * - receiving: one thread at a time reads (it holds the reading token).
 *   It reads a reply header; when the reply is its own it keeps the
 *   token, reads the body into the caller's buffers and lets the token go
 *   at the body's last byte; when the reply is another call's, it hands
 *   the token to that call (which reads its own body) and waits again.
 *   Replies may so arrive in any order; bodies still go straight from the
 *   socket into the caller's variables.
 *
 * While only one thread of the process has ever sent an op, its ops go
 * with RPC_FLAG_SOLO: nothing else can be sent before their reply, so the
 * agent runs them on the thread that read them (no hand-over there). An
 * op sent so may delay the first op of a second thread until it ends;
 * from then on no op is sent SOLO.
 *
 * A link lives while rpcc or a call holds a reference. When it breaks
 * (I/O error, timeout, protocol error), every call on it fails and the
 * stream is shut down so that a blocked reader wakes up; the fd is closed
 * when the last reference goes.
 */
#include "rpc_plugin.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

int rpcc_link_new(struct vaccel_stream *s, struct rpcc_link **out)
{
	struct rpcc_link *l = calloc(1, sizeof(*l));
	pthread_mutexattr_t a;
	int ret;

	if (!l) {
		vaccel_error("rpc: out of memory for a connection");
		return VACCEL_ENOMEM;
	}
	ret = rpc_conn_init(&l->conn, s, RPC_FRAME_HARD_MAX);
	if (ret) {
		free(l);
		return ret;
	}
	/* An upload holds the send lock around rpcc_send and its chunks. */
	pthread_mutexattr_init(&a);
	pthread_mutexattr_settype(&a, PTHREAD_MUTEX_RECURSIVE);
	pthread_mutex_init(&l->send, &a);
	pthread_mutexattr_destroy(&a);
	pthread_mutex_init(&l->lock, NULL);
	pthread_mutex_init(&l->shm.lock, NULL);
	atomic_init(&l->refs, 1);
	atomic_init(&l->broken, false);
	atomic_init(&l->retired, false);
	*out = l;
	return VACCEL_OK;
}

void rpcc_link_put(struct rpcc_link *l)
{
	if (atomic_fetch_sub(&l->refs, 1) != 1)
		return;
	rpc_conn_release(&l->conn);
	rpcc_shm_release(l);
	pthread_mutex_destroy(&l->lock);
	pthread_mutex_destroy(&l->send);
	free(l);
}

void rpcc_link_break(struct rpcc_link *l)
{
	pthread_mutex_lock(&l->lock);
	if (!atomic_exchange(&l->broken, true)) {
		vaccel__stream_shutdown(&l->conn.s);
		for (struct rpcc_xfer *w = l->waiters; w; w = w->next)
			pthread_cond_signal(&w->cv);
	}
	pthread_mutex_unlock(&l->lock);
}

void rpcc_link_retire(struct rpcc_xfer *x)
{
	struct rpcc_link *l = x->link;
	bool last;

	atomic_store(&l->retired, true);
	pthread_mutex_lock(&l->lock);
	last = !l->waiters;
	pthread_mutex_unlock(&l->lock);
	if (last)
		rpcc_link_break(l);
}

bool rpcc_connected(void)
{
	return rpcc.link && !atomic_load(&rpcc.link->broken) &&
	       !atomic_load(&rpcc.link->retired);
}

void rpcc_xfer_begin(struct rpcc_xfer *x, struct rpcc_link *l)
{
	memset(x, 0, sizeof(*x));
	x->link = l;
	atomic_fetch_add(&l->refs, 1);
	pthread_cond_init(&x->cv, NULL);
}

static void unqueue(struct rpcc_link *l, struct rpcc_xfer *x)
{
	for (struct rpcc_xfer **p = &l->waiters; *p; p = &(*p)->next)
		if (*p == x) {
			*p = x->next;
			break;
		}
	x->queued = false;
}

/* Lets the reading token go: the first call still waiting for its
 * header becomes the reader. */
static void release_token(struct rpcc_xfer *x)
{
	struct rpcc_link *l = x->link;

	pthread_mutex_lock(&l->lock);
	x->reading = false;
	l->reading = false;
	/* One that sleeps: a call that is still sending finds the token
	 * free when it comes to wait. */
	for (struct rpcc_xfer *w = l->waiters; w; w = w->next)
		if (!w->has_hdr && w->sleeping) {
			pthread_cond_signal(&w->cv);
			break;
		}
	pthread_mutex_unlock(&l->lock);
}

void rpcc_xfer_end(struct rpcc_xfer *x)
{
	struct rpcc_link *l = x->link;

	if (!l)
		return;
	/* A caller that stops before the end of its reply leaves the
	 * stream mid-frame: nothing can be read from it any more. */
	if (x->reading && x->left && !atomic_load(&l->broken)) {
		errno = EPROTO;
		rpcc_lost(l, "reply");
	}
	if (x->reading)
		release_token(x);
	if (x->queued) {
		pthread_mutex_lock(&l->lock);
		unqueue(l, x);
		pthread_mutex_unlock(&l->lock);
	}
	pthread_cond_destroy(&x->cv);
	rpcc_shm_put(x);
	rpcc_link_put(l);
	x->link = NULL;
}

void rpcc_send_hold(struct rpcc_link *l)
{
	pthread_mutex_lock(&l->send);
}

void rpcc_send_release(struct rpcc_link *l)
{
	pthread_mutex_unlock(&l->send);
}

/* Whether an op may go with RPC_FLAG_SOLO: no other call is in flight
 * and only one thread of this process has ever sent an op (the thread
 * that set a program up is not counted), so nothing else can be sent
 * before the reply. With l->lock. */
static bool solo(struct rpcc_link *l, uint16_t type)
{
	static _Thread_local bool counted;

	if (type != RPC_MSG_OP && type != RPC_MSG_TORCH_RUN)
		return false;
	if (!counted) {
		counted = true;
		atomic_fetch_add(&rpcc.callers, 1);
	}
	return l->solo_ok && !l->waiters && atomic_load(&rpcc.callers) == 1;
}

/* Sends one request frame (with descriptor fd when fd >= 0, then with
 * no payload) and registers x as waiting for its reply. */
static int post(struct rpcc_xfer *x, uint16_t type, const void *head,
		size_t head_len, struct iovec *payload, int nr_payload, int fd)
{
	struct rpcc_link *l = x->link;
	uint16_t flags;
	int ret;

	if (atomic_load(&l->broken)) {
		vaccel_error("rpc: not connected to agent %s (the connection was lost)",
			     rpcc.address);
		return VACCEL_EIO;
	}
	if (atomic_load(&l->retired)) {
		vaccel_error("rpc: the agent %s dropped this connection's state (its worker died); a new session reconnects",
			     rpcc.address);
		return VACCEL_ESESS;
	}
	pthread_mutex_lock(&l->send);
	x->id = ++l->next_req;
	pthread_mutex_lock(&l->lock);
	flags = solo(l, type) ? RPC_FLAG_SOLO : 0;
	x->next = l->waiters;
	l->waiters = x;
	x->queued = true;
	pthread_mutex_unlock(&l->lock);
	ret = fd >= 0 ? rpc_conn_send_fd(&l->conn, type, x->id, head,
					 head_len, fd) :
			rpc_conn_send_flags(&l->conn, type, flags, x->id, head,
					    head_len, payload, nr_payload);
	pthread_mutex_unlock(&l->send);
	if (ret == VACCEL_EINVAL || ret == VACCEL_ENOMEM) {
		/* Refused before a byte was written. */
		pthread_mutex_lock(&l->lock);
		unqueue(l, x);
		pthread_mutex_unlock(&l->lock);
		return ret;
	}
	if (ret)
		return rpcc_lost(l, rpc_msg_type_name(type));
	return VACCEL_OK;
}

int rpcc_send(struct rpcc_xfer *x, uint16_t type, const void *head,
	      size_t head_len, struct iovec *payload, int nr_payload)
{
	return post(x, type, head, head_len, payload, nr_payload, -1);
}

int rpcc_send_fd(struct rpcc_xfer *x, uint16_t type, const void *head,
		 size_t head_len, int fd)
{
	return post(x, type, head, head_len, NULL, 0, fd);
}

int rpcc_send_chunk(struct rpcc_xfer *x, const void *head, size_t head_len,
		    struct iovec *payload)
{
	if (rpc_conn_send(&x->link->conn, RPC_MSG_RES_CHUNK, x->id, head,
			  head_len, payload, 1))
		return rpcc_lost(x->link, "resource upload");
	return VACCEL_OK;
}

/* Waits until the header of x's reply is read (by this thread or by
 * another, which then handed the reading token over). */
static int await_header(struct rpcc_xfer *x, uint16_t type)
{
	struct rpcc_link *l = x->link;

	pthread_mutex_lock(&l->lock);
	while (!x->has_hdr) {
		struct rpcc_xfer *to;
		struct rpc_hdr h;
		int ret;

		if (atomic_load(&l->broken)) {
			unqueue(l, x);
			pthread_mutex_unlock(&l->lock);
			errno = ECONNRESET;
			vaccel_error("rpc: connection to agent %s lost during %s (another call's failure broke it); sessions created over it are stale, a new session reconnects",
				     rpcc.address, rpc_msg_type_name(type));
			return VACCEL_EIO;
		}
		if (l->reading) {
			x->sleeping = true;
			pthread_cond_wait(&x->cv, &l->lock);
			x->sleeping = false;
			continue;
		}
		l->reading = true;
		pthread_mutex_unlock(&l->lock);
		ret = rpc_conn_recv_hdr(&l->conn, &h);
		pthread_mutex_lock(&l->lock);
		for (to = l->waiters; !ret && to; to = to->next)
			if (to->id == h.req_id && !to->has_hdr)
				break;
		if (ret || !to) {
			l->reading = false;
			unqueue(l, x);
			pthread_mutex_unlock(&l->lock);
			if (ret == VACCEL_EINVAL)
				return rpcc_bad_reply(l, type);
			if (ret)
				return rpcc_lost(l, rpc_msg_type_name(type));
			vaccel_error("rpc: reply for request %llu, which no call is waiting for",
				     (unsigned long long)h.req_id);
			return rpcc_bad_reply(l, type);
		}
		/* The token goes with the header to its call. */
		to->h = h;
		to->has_hdr = true;
		unqueue(l, to);
		if (to != x)
			pthread_cond_signal(&to->cv);
	}
	x->reading = true;
	x->left = x->h.length;
	pthread_mutex_unlock(&l->lock);
	if (!x->left)
		release_token(x);
	return VACCEL_OK;
}

int rpcc_wait(struct rpcc_xfer *x, uint16_t type)
{
	int ret = await_header(x, type);

	if (ret)
		return ret;
	if (x->h.type == RPC_MSG_ERROR) {
		uint8_t body[8 + RPC_MAX_ERRMSG];
		struct rpc_error e;
		uint32_t len = x->h.length;

		ret = rpcc_recv_body(x, body, sizeof(body));
		if (ret)
			return ret;
		if (rpc_error_decode(body, len, &e))
			return rpcc_bad_reply(x->link, type);
		/* VACCEL_ESESS: the agent dropped this connection's state
		 * (docs/protocol.md, "A worker died"): a new session starts
		 * over on a new connection. The other calls in flight read
		 * their own answers first; the last one drops the link. */
		if (e.code == VACCEL_ESESS)
			rpcc_link_retire(x);
		/* The agent's reason becomes this thread's last error. Its
		 * ids are the agent's own, not this process's. */
		vaccel_error("rpc: %s failed with %s; agent %s says (ids are the agent's): %s",
			     rpc_msg_type_name(type), vaccel_error_name(e.code),
			     rpcc.address, e.msg);
		return e.code;
	}
	if (x->h.type != (type | RPC_MSG_REPLY)) {
		vaccel_error("rpc: %s reply to a %s request",
			     rpc_msg_type_name(x->h.type),
			     rpc_msg_type_name(type));
		return rpcc_bad_reply(x->link, type);
	}
	return VACCEL_OK;
}

int rpcc_call(struct rpcc_xfer *x, uint16_t type, const void *head,
	      size_t head_len, struct iovec *payload, int nr_payload)
{
	int ret = rpcc_send(x, type, head, head_len, payload, nr_payload);

	return ret ? ret : rpcc_wait(x, type);
}

/* Counts n body bytes as read; the last one lets the token go. */
static int consumed(struct rpcc_xfer *x, size_t n, int io)
{
	if (io) {
		/* Broken first: no other call may read the rest of this
		 * frame as a header. */
		int ret = rpcc_lost(x->link, "reply");

		x->left = 0;
		release_token(x);
		return ret;
	}
	x->left -= n;
	if (!x->left)
		release_token(x);
	return VACCEL_OK;
}

static bool fits(struct rpcc_xfer *x, size_t n)
{
	if (x->reading && n <= x->left)
		return true;
	vaccel_error("rpc: %s reply of %u bytes is shorter than its contents",
		     rpc_msg_type_name(x->h.type), x->h.length);
	errno = EPROTO;
	return false;
}

int rpcc_recv(struct rpcc_xfer *x, void *buf, size_t n)
{
	if (!n)
		return VACCEL_OK;
	if (!fits(x, n))
		return consumed(x, 0, 1);
	return consumed(x, n, rpc_conn_recv(&x->link->conn, buf, n));
}

int rpcc_recv_iov(struct rpcc_xfer *x, struct iovec *iov, int n)
{
	size_t total = 0;

	for (int i = 0; i < n; i++)
		total += iov[i].iov_len;
	if (!total)
		return VACCEL_OK;
	if (!fits(x, total))
		return consumed(x, 0, 1);
	return consumed(x, total,
			rpc_conn_recv_iov(&x->link->conn, iov, n));
}

int rpcc_recv_body(struct rpcc_xfer *x, void *buf, size_t cap)
{
	if (x->h.length > cap) {
		vaccel_error("rpc: %s reply of %u bytes exceeds the expected %zu",
			     rpc_msg_type_name(x->h.type), x->h.length, cap);
		errno = EPROTO;
		return consumed(x, 0, 1);
	}
	return rpcc_recv(x, buf, x->left);
}
