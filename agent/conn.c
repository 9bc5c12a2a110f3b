// SPDX-License-Identifier: Apache-2.0
/*
 * One client connection: the request loop, replies, and the release of
 * everything the client owned when it goes away.
 */
#include "agent.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int agent_fail(struct agent_conn *c, int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(c->err, sizeof(c->err), fmt, ap);
	va_end(ap);
	return code;
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

void agent_res_drop(struct agent_conn *c, struct agent_res *r)
{
	vaccel_resource_delete(r->r);
	agent_remove_dir(r->dir);
	c->upload_bytes -= r->bytes;
	atomic_fetch_sub(&agent.upload_bytes, r->bytes);
	atomic_fetch_sub(&agent.nr_resources, 1);
	*r = c->res[--c->nr_res];
}

void agent_conn_reset(struct agent_conn *c)
{
	/* Sessions first: releasing a session unregisters its resources. */
	while (c->nr_sess) {
		struct agent_sess *s = &c->sess[c->nr_sess - 1];

		vaccel_session_delete(s->s);
		c->nr_sess--;
		atomic_fetch_sub(&agent.nr_sessions, 1);
	}
	while (c->nr_res)
		agent_res_drop(c, &c->res[c->nr_res - 1]);
	c->skipping = false;
}

int agent_reply(struct agent_conn *c, const struct rpc_hdr *req,
		uint8_t *head, size_t head_len, struct iovec *payload,
		int nr_payload)
{
	struct rpc_reply_prefix p = { c->t_recv, 0, c->t_exec };
	struct rpc_wbuf w;
	uint64_t total = head_len;

	for (int i = 0; i < nr_payload; i++)
		total += payload[i].iov_len;
	if (total > c->peer_max_frame) {
		vaccel_error("agent: conn %llu: %s reply of %llu bytes exceeds the client's max frame %u",
			     (unsigned long long)c->id,
			     rpc_msg_type_name(req->type),
			     (unsigned long long)total, c->peer_max_frame);
		return agent_fail(c, VACCEL_EINVAL,
				  "reply of %llu bytes exceeds the frame limit %u",
				  (unsigned long long)total,
				  c->peer_max_frame);
	}
	p.t_reply = vaccel_prof_get_tstamp();
	rpc_wbuf_init(&w, head, RPC_REPLY_PREFIX_SIZE);
	rpc_reply_prefix_put(&w, &p);
	if (rpc_conn_send(&c->rc, (uint16_t)(req->type | RPC_MSG_REPLY),
			  req->req_id, head, head_len, payload, nr_payload)) {
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
	default:
		return NULL;
	}
}

/* Reads the body of `h` into c->body. */
static int read_body(struct agent_conn *c, const struct rpc_hdr *h)
{
	if (h->length > c->body_cap) {
		size_t cap = h->length;
		uint8_t *n = realloc(c->body, cap);

		if (!n) {
			vaccel_error("agent: conn %llu: cannot allocate a %u byte body",
				     (unsigned long long)c->id, h->length);
			return AGENT_CLOSE;
		}
		c->body = n;
		c->body_cap = cap;
	}
	if (rpc_conn_recv(&c->rc, c->body, h->length)) {
		vaccel_info("agent: conn %llu: stream broke inside a %s body",
			    (unsigned long long)c->id,
			    rpc_msg_type_name(h->type));
		return AGENT_CLOSE;
	}
	return VACCEL_OK;
}

/* Handles one frame; AGENT_CLOSE ends the connection. */
static int serve_one(struct agent_conn *c)
{
	struct rpc_hdr h;
	handler_fn fn;
	int ret = agent_recv_hdr(c, &h);

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

	if (h.type == RPC_MSG_RES_CHUNK && c->skipping &&
	    h.req_id == c->skip_req)
		return rpc_conn_discard(&c->rc, h.length) ? AGENT_CLOSE :
							    VACCEL_OK;
	c->skipping = false;
	fn = handler_of(h.type);
	if (!fn) {
		vaccel_warn("agent: conn %llu: unexpected %s frame (type 0x%x), closing",
			    (unsigned long long)c->id,
			    rpc_msg_type_name(h.type), h.type);
		return AGENT_CLOSE;
	}
	if (!c->hello_done && h.type != RPC_MSG_HELLO) {
		vaccel_warn("agent: conn %llu: %s before HELLO, closing",
			    (unsigned long long)c->id,
			    rpc_msg_type_name(h.type));
		return AGENT_CLOSE;
	}
	/* With a token configured nothing but HELLO and AUTH is even read
	 * from a peer that has not proved it knows the token. */
	if (!c->authed && h.type != RPC_MSG_HELLO && h.type != RPC_MSG_AUTH) {
		vaccel_warn("agent: conn %llu: %s before AUTH, refused and closing",
			    (unsigned long long)c->id,
			    rpc_msg_type_name(h.type));
		rpc_conn_send_error(&c->rc, h.req_id, VACCEL_EACCES,
				    "authentication required");
		return AGENT_CLOSE;
	}
	if ((!c->hello_done || !c->authed) && h.length > RPC_PREAUTH_MAX_BODY) {
		vaccel_warn("agent: conn %llu: %u byte %s body before the handshake ended, closing",
			    (unsigned long long)c->id, h.length,
			    rpc_msg_type_name(h.type));
		return AGENT_CLOSE;
	}
	ret = read_body(c, &h);
	if (ret)
		return ret;
	ret = fn(c, &h);
	if (ret > 0) {
		vaccel_info("agent: conn %llu: %s request %llu failed: %s (%s)",
			    (unsigned long long)c->id,
			    rpc_msg_type_name(h.type),
			    (unsigned long long)h.req_id, c->err,
			    vaccel_error_name(ret));
		if (rpc_conn_send_error(&c->rc, h.req_id, ret, c->err))
			return AGENT_CLOSE;
		/* An incompatible or unauthenticated peer is told why, then
		 * dropped. */
		if (h.type == RPC_MSG_HELLO || h.type == RPC_MSG_AUTH)
			return AGENT_CLOSE;
		return VACCEL_OK;
	}
	return ret;
}

void *agent_conn_main(void *arg)
{
	struct agent_conn *c = arg;

	c->serial = agent_conn_is_serial(c);
	for (;;) {
		if (serve_one(c) != AGENT_CLOSE)
			continue;
		/* A virtio-serial channel outlives its clients: a protocol
		 * violation drops that client, not the VM's channel. */
		if (!c->serial || atomic_load(&agent.stopping) ||
		    agent_serial_resync(c, 0))
			break;
	}
	agent_conn_reset(c);
	/* Under the agent lock: stop_all() shuts the stream down under the
	 * same lock, and must never see a closed (and maybe reused) fd. */
	pthread_mutex_lock(&agent.lock);
	rpc_conn_release(&c->rc);
	pthread_mutex_unlock(&agent.lock);
	free(c->body);
	c->body = NULL;
	free(c->sess);
	free(c->res);
	c->sess = NULL;
	c->res = NULL;
	atomic_fetch_sub(&agent.nr_conns, 1);
	vaccel_info("agent: conn %llu closed; everything it owned is released",
		    (unsigned long long)c->id);
	atomic_store(&c->done, true);
	return NULL;
}
