// SPDX-License-Identifier: Apache-2.0
/*
 * One client connection: its tables, the handshake gate, the request loop,
 * replies, and the release of everything the client owned when it goes
 * away. The loop runs in the connection's worker process (or in process,
 * for the fuzz target and the fault-injection test).
 */
#include "agent.h"

#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

int agent_fail(struct agent_conn *c, int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(c->err, sizeof(c->err), fmt, ap);
	va_end(ap);
	return code;
}

int agent_fail_host(struct agent_conn *c, int code, const char *fmt, ...)
{
	const char *why = vaccel_last_error_message();
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(c->err, sizeof(c->err), fmt, ap);
	va_end(ap);
	if (n >= 0 && (size_t)n < sizeof(c->err) && why[0])
		snprintf(c->err + n, sizeof(c->err) - (size_t)n, ": %s", why);
	return code;
}

struct agent_conn *agent_conn_new(struct vaccel_stream *s)
{
	struct agent_conn *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	if (rpc_conn_init(&c->rc, s, agent.lim.max_frame)) {
		free(c);
		return NULL;
	}
	c->id = ++agent.next_conn_id;
	c->peer_max_frame = RPC_FRAME_MIN;
	c->authed = !agent.auth_required;
	c->tenant = -1;
	c->serial = agent_conn_is_serial(c);
	return c;
}

void agent_conn_free(struct agent_conn *c, bool close_stream)
{
	if (!c)
		return;
	/* A connection handed to a worker lives on there, with its upload
	 * directory, which the worker may be filling already: only this
	 * copy's memory goes. */
	if (close_stream)
		agent_conn_reset(c);
	else
		c->rc.s.fd = -1;
	rpc_conn_release(&c->rc);
	free(c->body);
	free(c->sess);
	free(c->res);
	free(c);
}

struct agent_sess *agent_sess_find(struct agent_conn *c, int64_t id)
{
	for (uint32_t i = 0; i < c->nr_sess; i++)
		if (c->sess[i].id == id)
			return &c->sess[i];
	return NULL;
}

struct agent_res *agent_res_find(struct agent_conn *c, int64_t id)
{
	for (uint32_t i = 0; i < c->nr_res; i++)
		if (c->res[i].id == id)
			return &c->res[i];
	return NULL;
}

/* Makes room for one more element in a table of `elem`-byte entries,
 * doubling its capacity up to `max`. */
static int reserve(void **tab, uint32_t nr, uint32_t *cap, size_t elem,
		   uint32_t max)
{
	uint32_t n;
	void *p;

	if (nr < *cap)
		return VACCEL_OK;
	if (nr >= max)
		return VACCEL_EUSERS;
	n = *cap ? *cap * 2 : 4;
	if (n > max)
		n = max;
	p = realloc(*tab, (size_t)n * elem);
	if (!p)
		return VACCEL_ENOMEM;
	*tab = p;
	*cap = n;
	return VACCEL_OK;
}

int agent_sess_reserve(struct agent_conn *c)
{
	return reserve((void **)&c->sess, c->nr_sess, &c->cap_sess,
		       sizeof(*c->sess), agent.lim.max_sessions);
}

int agent_res_reserve(struct agent_conn *c)
{
	return reserve((void **)&c->res, c->nr_res, &c->cap_res,
		       sizeof(*c->res), agent.lim.max_resources);
}

void agent_res_drop(struct agent_conn *c, struct agent_res *r)
{
	vaccel_resource_delete(r->r);
	agent_remove_dir(r->dir);
	free(r->dir);
	c->upload_bytes -= r->bytes;
	agent_tenant_give(c, AGENT_USE_BYTES, r->bytes);
	*r = c->res[--c->nr_res];
}

void agent_conn_reset(struct agent_conn *c)
{
	/* Ops still running use the tables: they end first. */
	agent_mux_drain(c);
	/* Sessions first: releasing a session unregisters its resources. */
	while (c->nr_sess) {
		vaccel_session_delete(c->sess[c->nr_sess - 1].s);
		c->nr_sess--;
		agent_tenant_give(c, AGENT_USE_SESSIONS, 1);
	}
	while (c->nr_res)
		agent_res_drop(c, &c->res[c->nr_res - 1]);
	c->skipping = false;
	agent_shm_release(c);
	agent_conn_dir_remove(c->id);
	agent_slot_publish(c);
}

/* The op's unit of the tenant's running ops goes back before its reply
 * leaves: a client that has the reply may start its next op at once. */
static void op_done(struct agent_conn *c)
{
	if (c->op_held)
		agent_tenant_give(c, AGENT_USE_OPS, 1);
	c->op_held = false;
}

int agent_reply(struct agent_conn *c, const struct rpc_hdr *req,
		uint8_t *head, size_t head_len, struct iovec *payload,
		int nr_payload)
{
	struct rpc_reply_prefix p = { c->t_recv, 0, c->t_exec };
	struct rpc_wbuf w;
	uint64_t total = head_len;
	int ret;

	for (int i = 0; i < nr_payload; i++)
		total += payload[i].iov_len;
	if (total > c->peer_max_frame) {
		vaccel_error("agent: conn %llu: %s reply of %llu bytes exceeds the frame limit %u",
			     (unsigned long long)c->id,
			     rpc_msg_type_name(req->type),
			     (unsigned long long)total, c->peer_max_frame);
		return agent_fail(c, VACCEL_EINVAL,
				  "reply of at least %llu bytes exceeds the frame limit %u",
				  (unsigned long long)total,
				  c->peer_max_frame);
	}
	p.t_reply = vaccel_prof_get_tstamp();
	rpc_wbuf_init(&w, head, RPC_REPLY_PREFIX_SIZE);
	rpc_reply_prefix_put(&w, &p);
	/* Counters first: once the client has the reply, anyone it asks
	 * (an admin STATS on another connection) sees the new state. */
	op_done(c);
	agent_slot_publish(c);
	agent_mux_send_lock(c);
	agent_slot_reply(c, AGENT_REQ_REPLYING);
	ret = rpc_conn_send(&c->rc, (uint16_t)(req->type | RPC_MSG_REPLY),
			    req->req_id, head, head_len, payload, nr_payload);
	if (!ret)
		agent_slot_reply(c, AGENT_REQ_SENT);
	agent_mux_send_unlock(c);
	if (ret) {
		vaccel_info("agent: conn %llu: cannot send %s reply: %s",
			    (unsigned long long)c->id,
			    rpc_msg_type_name(req->type), strerror(errno));
		return AGENT_CLOSE;
	}
	return VACCEL_OK;
}

typedef int (*handler_fn)(struct agent_conn *c, const struct rpc_hdr *h);

static handler_fn handler_of(uint16_t type)
{
	switch (type) {
	case RPC_MSG_HELLO:
		return agent_on_hello;
	case RPC_MSG_AUTH:
		return agent_on_auth;
	case RPC_MSG_SESS_CREATE:
	case RPC_MSG_SESS_UPDATE:
	case RPC_MSG_SESS_DESTROY:
		return agent_on_sess;
	case RPC_MSG_RES_REGISTER:
		return agent_on_res_register;
	case RPC_MSG_RES_UNREGISTER:
		return agent_on_res_unregister;
	case RPC_MSG_RES_SYNC:
		return agent_on_res_sync;
	case RPC_MSG_OP:
		return agent_on_op;
	case RPC_MSG_TORCH_LOAD:
		return agent_on_torch_load;
	case RPC_MSG_TORCH_RUN:
		return agent_on_torch_run;
	case RPC_MSG_STATS:
		return agent_on_stats;
	case RPC_MSG_PROF:
		return agent_on_prof;
	case RPC_MSG_SHM_SETUP:
		return agent_on_shm_setup;
	default:
		return NULL;
	}
}

bool agent_handshake_done(const struct agent_conn *c)
{
	return c->hello_done && c->authed;
}

enum agent_gate agent_gate(struct agent_conn *c, const struct rpc_hdr *h)
{
	if (!handler_of(h->type)) {
		vaccel_warn("agent: conn %llu: unexpected %s frame (type 0x%x), closing",
			    (unsigned long long)c->id,
			    rpc_msg_type_name(h->type), h->type);
		return AGENT_GATE_CLOSE;
	}
	if (!c->hello_done && h->type != RPC_MSG_HELLO) {
		vaccel_warn("agent: conn %llu: %s before HELLO, closing",
			    (unsigned long long)c->id,
			    rpc_msg_type_name(h->type));
		return AGENT_GATE_CLOSE;
	}
	/* With a token configured nothing but HELLO and AUTH is even read
	 * from a peer that has not proved it knows the token. */
	if (!c->authed && h->type != RPC_MSG_HELLO && h->type != RPC_MSG_AUTH) {
		vaccel_warn("agent: conn %llu: %s before AUTH, refused and closing",
			    (unsigned long long)c->id,
			    rpc_msg_type_name(h->type));
		return AGENT_GATE_REFUSE;
	}
	if (!agent_handshake_done(c) && h->length > RPC_PREAUTH_MAX_BODY) {
		vaccel_warn("agent: conn %llu: %u byte %s body before the handshake ended, closing",
			    (unsigned long long)c->id, h->length,
			    rpc_msg_type_name(h->type));
		return AGENT_GATE_CLOSE;
	}
	return AGENT_GATE_HANDLE;
}

/* Every ERROR reply of a served connection goes out here: the client reads
 * the message with the host's paths taken out (the agent's own log keeps
 * them). */
int agent_send_error(struct agent_conn *c, uint64_t req_id, int code,
		     const char *msg)
{
	char text[RPC_MAX_ERRMSG];
	int ret;

	snprintf(text, sizeof(text), "%s", msg);
	agent_redact_paths(text);
	agent_slot_publish(c);
	agent_mux_send_lock(c);
	agent_slot_reply(c, AGENT_REQ_REPLYING);
	ret = rpc_conn_send_error(&c->rc, req_id, code, text);
	if (!ret)
		agent_slot_reply(c, AGENT_REQ_SENT);
	agent_mux_send_unlock(c);
	return ret ? AGENT_CLOSE : VACCEL_OK;
}

/* The requests that run a plugin's operation: what a tenant's running
 * ops are (--tenant-max-ops). */
static bool runs_op(uint16_t type)
{
	return type == RPC_MSG_OP || type == RPC_MSG_TORCH_LOAD ||
	       type == RPC_MSG_TORCH_RUN;
}

int agent_handle(struct agent_conn *c, const struct rpc_hdr *h)
{
	bool op = runs_op(h->type);
	int ret = op ? agent_tenant_take(c, AGENT_USE_OPS, 1) : VACCEL_OK;

	if (ret == VACCEL_OK) {
		c->op_held = op;
		ret = handler_of(h->type)(c, h);
		op_done(c);
	}

	if (ret > 0) {
		vaccel_info("agent: conn %llu: %s request %llu failed: %s (%s)",
			    (unsigned long long)c->id,
			    rpc_msg_type_name(h->type),
			    (unsigned long long)h->req_id, c->err,
			    vaccel_error_name(ret));
		if (agent_send_error(c, h->req_id, ret, c->err))
			return AGENT_CLOSE;
		/* An incompatible or unauthenticated peer is told why, then
		 * dropped. */
		if (h->type == RPC_MSG_HELLO || h->type == RPC_MSG_AUTH)
			return AGENT_CLOSE;
		return VACCEL_OK;
	}
	return ret;
}

/* Reads the body of `h` into c->body. */
static int read_body(struct agent_conn *c, const struct rpc_hdr *h)
{
	if (h->length > c->body_cap) {
		uint8_t *n = realloc(c->body, h->length);

		if (!n) {
			vaccel_error("agent: conn %llu: cannot allocate a %u byte body",
				     (unsigned long long)c->id, h->length);
			return AGENT_CLOSE;
		}
		c->body = n;
		c->body_cap = h->length;
	}
	if (rpc_conn_recv(&c->rc, c->body, h->length)) {
		vaccel_info("agent: conn %llu: stream broke inside a %s body",
			    (unsigned long long)c->id,
			    rpc_msg_type_name(h->type));
		return AGENT_CLOSE;
	}
	return VACCEL_OK;
}

/* A channel whose previous worker died: the guest process that was using
 * it still believes it has a session. Each of its requests is answered
 * with VACCEL_ESESS (the rpc plugin then starts over with a SYNC), until
 * the guest does start over. */
static int answer_orphaned(struct agent_conn *c, const struct rpc_hdr *h)
{
	if (rpc_conn_discard(&c->rc, h->length))
		return AGENT_CLOSE;
	return agent_send_error(c, h->req_id, VACCEL_ESESS,
			  "the agent's worker for this channel died: its sessions and resources are gone; start over");
}

/* Waits for the next request of a connection that holds nothing, for at
 * most the idle timeout. False when it expired. */
static bool wait_request(struct agent_conn *c)
{
	struct pollfd p = { .fd = c->rc.s.fd, .events = POLLIN };
	int ms = (int)agent.lim.idle_timeout_ms, n;

	if (!ms || c->serial || c->nr_sess || c->nr_res ||
	    c->rc.rend > c->rc.rpos || c->rc.s.fd < 0)
		return true;
	do
		n = poll(&p, 1, ms);
	while (n < 0 && errno == EINTR);
	if (n != 0)
		return true;
	vaccel_info("agent: conn %llu: idle for %u s without any session or resource, closing",
		    (unsigned long long)c->id, agent.lim.idle_timeout_ms / 1000);
	return false;
}

int agent_conn_next(struct agent_conn *c, struct rpc_hdr *h)
{
	int ret;

	if (!wait_request(c))
		return AGENT_CLOSE;
	ret = agent_recv_hdr(c, h);
	if (ret == VACCEL_ENOENT) {
		vaccel_info("agent: conn %llu: client closed the connection",
			    (unsigned long long)c->id);
		return AGENT_CLOSE;
	}
	if (ret == VACCEL_EINVAL) {
		vaccel_warn("agent: conn %llu: bad frame header, closing",
			    (unsigned long long)c->id);
		return AGENT_CLOSE;
	}
	if (ret) {
		vaccel_info("agent: conn %llu: connection broken: %s",
			    (unsigned long long)c->id, strerror(errno));
		return AGENT_CLOSE;
	}
	c->t_recv = vaccel_prof_get_tstamp();
	c->t_exec = 0;
	c->err[0] = '\0';
	/* A reply holds the send lock from before its first byte until its
	 * record says it is out. Taking the lock here makes any reply that
	 * the client could have read before it sent this request marked out
	 * before this request is recorded: a death while this request runs
	 * never looks like a torn reply because of one that was complete. */
	agent_mux_send_lock(c);
	agent_slot_request(c, h);
	agent_mux_send_unlock(c);

	if (h->type == RPC_MSG_RES_CHUNK && c->skipping &&
	    h->req_id == c->skip_req)
		return rpc_conn_discard(&c->rc, h->length) ? AGENT_CLOSE :
							     VACCEL_OK;
	c->skipping = false;
	if (c->orphaned && h->type != RPC_MSG_HELLO)
		return answer_orphaned(c, h);
	switch (agent_gate(c, h)) {
	case AGENT_GATE_CLOSE:
		return AGENT_CLOSE;
	case AGENT_GATE_REFUSE:
		agent_send_error(c, h->req_id, VACCEL_EACCES,
			   "authentication required");
		return AGENT_CLOSE;
	case AGENT_GATE_HANDLE:
		break;
	}
	ret = read_body(c, h);
	/* A descriptor passed with any frame but SHM_SETUP is not kept;
	 * SHM_SETUP is handled alone (no op runs, nothing else is read)
	 * and its handler takes the one it came with. */
	if (h->type != RPC_MSG_SHM_SETUP)
		rpc_conn_drop_fd(&c->rc);
	return ret ? ret : AGENT_HANDLE;
}

void agent_conn_serve(struct agent_conn *c)
{
	agent_mux_serve(c);
	agent_conn_reset(c);
	agent_slot_state(c, AGENT_SLOT_DONE);
	vaccel_info("agent: conn %llu closed; everything it owned is released",
		    (unsigned long long)c->id);
}
