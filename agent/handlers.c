// SPDX-License-Identifier: Apache-2.0
/*
 * Handlers for HELLO, sessions, ops, STATS and PROF.
 */
#include "agent.h"

#include <stdlib.h>
#include <string.h>

static const struct rpc_reply_prefix zero_prefix;

int agent_on_hello(struct agent_conn *c, const struct rpc_hdr *h)
{
	struct rpc_hello peer, mine = { RPC_MAGIC, RPC_VERSION_MAJOR,
					RPC_VERSION_MINOR, 0, 0 };
	uint8_t out[RPC_REPLY_PREFIX_SIZE + RPC_HELLO_SIZE];

	if (rpc_hello_decode(c->body, h->length, &peer))
		return agent_fail(c, VACCEL_EINVAL, "malformed HELLO");
	if (peer.max_frame < RPC_FRAME_MIN)
		return agent_fail(c, VACCEL_EINVAL,
				  "HELLO max_frame %u is below the minimum %u",
				  peer.max_frame, RPC_FRAME_MIN);
	if (rpc_hello_check(&peer))
		return agent_fail(c, VACCEL_ENOTSUP,
				  "incompatible protocol: client speaks %u.%u (magic 0x%08x), agent speaks %u.%u",
				  peer.major, peer.minor, peer.magic,
				  RPC_VERSION_MAJOR, RPC_VERSION_MINOR);
	/* A second HELLO means a new client on a channel that never
	 * disconnects (virtio-serial): forget the previous one's state. */
	if (c->hello_done) {
		vaccel_info("agent: conn %llu: HELLO again, releasing the previous client's %u sessions and %u resources",
			    (unsigned long long)c->id, c->nr_sess, c->nr_res);
		agent_conn_reset(c);
	}
	c->hello_done = true;
	c->orphaned = false;
	/* A new client on the channel proves itself again. */
	c->authed = !agent.auth_required;
	c->tenant = -1;
	/* Replies never exceed what either side accepts: a client asking for
	 * 4 GiB frames does not make the agent build 4 GiB replies. */
	c->peer_max_frame = peer.max_frame < agent.lim.max_frame ?
				    peer.max_frame :
				    agent.lim.max_frame;
	mine.max_frame = agent.lim.max_frame;
	mine.flags = RPC_HELLO_SOLO;
	if (agent.auth_required)
		mine.flags |= RPC_HELLO_AUTH;
	if (agent_shm_offered(c))
		mine.flags |= RPC_HELLO_SHM;
	rpc_empty_reply_encode(out, sizeof(out), &zero_prefix);
	rpc_hello_encode(out + RPC_REPLY_PREFIX_SIZE, RPC_HELLO_SIZE, &mine);
	return agent_reply(c, h, out, sizeof(out), NULL, 0);
}

int agent_on_auth(struct agent_conn *c, const struct rpc_hdr *h)
{
	uint8_t out[RPC_REPLY_PREFIX_SIZE];
	struct rpc_auth a;
	int ret;

	if (rpc_auth_decode(c->body, h->length, &a))
		return agent_fail(c, VACCEL_EACCES, "malformed AUTH");
	ret = agent_auth(c, a.token, a.len);
	if (ret) {
		vaccel_warn("agent: conn %llu: AUTH refused (%s), closing",
			    (unsigned long long)c->id, c->err);
		return ret;
	}
	if (c->tenant >= 0)
		vaccel_info("agent: conn %llu: tenant %s",
			    (unsigned long long)c->id, c->tenant_name);
	c->authed = true;
	rpc_empty_reply_encode(out, sizeof(out), &zero_prefix);
	return agent_reply(c, h, out, sizeof(out), NULL, 0);
}

int agent_on_sess(struct agent_conn *c, const struct rpc_hdr *h)
{
	uint8_t out[RPC_REPLY_PREFIX_SIZE + 8];
	struct rpc_sess_req q;
	struct agent_sess *s;
	struct vaccel_session *ns;
	int ret;

	if (rpc_sess_req_decode(c->body, h->length, h->type, &q))
		return agent_fail(c, VACCEL_EINVAL, "malformed %s",
				  rpc_msg_type_name(h->type));
	/* A guest's session is served here: REMOTE must not make the host
	 * forward it on through a transport plugin of its own. */
	q.flags &= ~(uint32_t)VACCEL_PLUGIN_REMOTE;
	if (h->type == RPC_MSG_SESS_CREATE) {
		ret = agent_sess_reserve(c);
		if (ret == VACCEL_EUSERS)
			return agent_fail(c, ret,
					  "session limit of %u per connection reached",
					  agent.lim.max_sessions);
		if (ret)
			return agent_fail(c, ret, "out of memory for a session");
		ret = agent_tenant_take(c, AGENT_USE_SESSIONS, 1);
		if (ret)
			return ret;
		ret = vaccel_session_new(&ns, q.flags);
		if (ret) {
			agent_tenant_give(c, AGENT_USE_SESSIONS, 1);
			return agent_fail_host(c, ret,
					       "cannot create a host session with flags 0x%x",
					       q.flags);
		}
		c->sess[c->nr_sess++] = (struct agent_sess){ ns->id, ns };
		vaccel_debug("agent: conn %llu: session %lld created",
			     (unsigned long long)c->id, (long long)ns->id);
		rpc_id_reply_encode(out, sizeof(out), &zero_prefix, ns->id);
		return agent_reply(c, h, out, sizeof(out), NULL, 0);
	}

	s = agent_sess_find(c, q.sess_id);
	if (!s)
		return agent_fail(c, VACCEL_ENOENT, "unknown session %lld",
				  (long long)q.sess_id);
	if (h->type == RPC_MSG_SESS_UPDATE) {
		ret = vaccel_session_update(s->s, q.flags);
		if (ret)
			return agent_fail_host(c, ret,
					       "cannot update session %lld to flags 0x%x",
					       (long long)q.sess_id, q.flags);
	} else {
		vaccel_session_delete(s->s);
		*s = c->sess[--c->nr_sess];
		agent_tenant_give(c, AGENT_USE_SESSIONS, 1);
		/* Resources left without any session are released. */
		for (uint32_t i = 0; i < c->nr_res;) {
			if (vaccel_resource_refcount(c->res[i].r) == 0)
				agent_res_drop(c, &c->res[i]);
			else
				i++;
		}
	}
	rpc_empty_reply_encode(out, sizeof(out), &zero_prefix);
	return agent_reply(c, h, out, RPC_REPLY_PREFIX_SIZE, NULL, 0);
}

/* Op type of read[0] (1-byte or 4-byte form, as the core accepts). */
static int op_type(const struct rpc_arg *a, uint32_t *op)
{
	if (a->size == 1) {
		*op = *(const uint8_t *)a->data;
		return VACCEL_OK;
	}
	if (a->size == 4) {
		memcpy(op, a->data, 4);
		return VACCEL_OK;
	}
	return VACCEL_EINVAL;
}

int agent_on_op(struct agent_conn *c, const struct rpc_hdr *h)
{
	struct rpc_op_req m;
	struct agent_sess *s;
	struct vaccel_arg *args = NULL;
	struct iovec *iov = NULL;
	uint8_t *wbuf = NULL, *head = NULL;
	uint64_t *sizes = NULL;
	uint64_t total = 0, t0;
	size_t head_len, off = 0;
	uint32_t op = UINT32_MAX;
	int ret;

	if (rpc_op_req_decode(c->body, h->length, &m))
		return agent_fail(c, VACCEL_EINVAL, "malformed OP");
	s = agent_sess_find(c, m.sess_id);
	if (!s) {
		ret = agent_fail(c, VACCEL_ENOENT, "unknown session %lld",
				 (long long)m.sess_id);
		goto out;
	}
	if (m.nr_read < 1 || (m.read[0].flags & RPC_ARG_SHM) ||
	    op_type(&m.read[0], &op)) {
		ret = agent_fail(c, VACCEL_EINVAL,
				 "OP needs the op type as its first read arg");
		goto out;
	}
	ret = agent_shm_op_args(c, &m, op);
	if (ret)
		goto out;
	/* A resource id an op names must be one this connection owns. */
	if (op == VACCEL_OP_EXEC_WITH_RESOURCE) {
		int64_t rid;

		if (m.nr_read < 2 || m.read[1].size != sizeof(rid)) {
			ret = agent_fail(c, VACCEL_EINVAL,
					 "EXEC_WITH_RESOURCE needs an INT64 resource id");
			goto out;
		}
		memcpy(&rid, m.read[1].data, sizeof(rid));
		if (!agent_res_find(c, rid)) {
			ret = agent_fail(c, VACCEL_ENOENT,
					 "unknown resource %lld", (long long)rid);
			goto out;
		}
	}
	/* The reply must fit the frame limit: known before anything runs.
	 * Each size is bounded first (by at most 64 MiB), so the sum of 1024
	 * of them cannot wrap. */
	head_len = rpc_op_reply_head_size(m.nr_write);
	total = head_len;
	for (uint32_t i = 0; i < m.nr_write && total <= c->peer_max_frame; i++)
		if (!(m.write[i].flags & RPC_ARG_SHM))
			total = m.write[i].size > c->peer_max_frame ?
					m.write[i].size :
					total + m.write[i].size;
	if (total > c->peer_max_frame) {
		ret = agent_fail(c, VACCEL_EINVAL,
				 "reply of at least %llu bytes exceeds the frame limit %u",
				 (unsigned long long)total, c->peer_max_frame);
		goto out;
	}
	/* The write buffers, each padded to RPC_ALIGN for the plugin. */
	total = 0;
	for (uint32_t i = 0; i < m.nr_write; i++)
		if (!(m.write[i].flags & RPC_ARG_SHM))
			total += m.write[i].size + RPC_PAD(m.write[i].size);
	args = calloc((size_t)m.nr_read + m.nr_write + 1, sizeof(*args));
	iov = calloc((size_t)m.nr_write + 1, sizeof(*iov));
	sizes = calloc((size_t)m.nr_write + 1, sizeof(*sizes));
	head = malloc(head_len);
	/* Write buffers are zeroed: a plugin that writes less returns zeros,
	 * never another client's leftovers. */
	wbuf = calloc(1, total ? total : 1);
	if (!args || !iov || !sizes || !head || !wbuf) {
		ret = agent_fail(c, VACCEL_ENOMEM,
				 "cannot allocate %llu bytes of write args",
				 (unsigned long long)total);
		goto out;
	}
	for (uint32_t i = 0; i < m.nr_read; i++)
		args[i] = (struct vaccel_arg){ (void *)m.read[i].data,
					       (size_t)m.read[i].size,
					       (vaccel_arg_type_t)m.read[i].type,
					       m.read[i].custom_id, false };
	for (uint32_t i = 0; i < m.nr_write; i++) {
		struct vaccel_arg *a = &args[m.nr_read + i];
		bool shm = m.write[i].flags & RPC_ARG_SHM;

		*a = (struct vaccel_arg){ wbuf + off, (size_t)m.write[i].size,
					  (vaccel_arg_type_t)m.write[i].type,
					  m.write[i].custom_id, false };
		sizes[i] = m.write[i].size;
		/* A write arg in the region is written in place and does not
		 * travel back in the reply. */
		if (shm) {
			a->buf = (void *)m.write[i].data;
			if (!(m.write[i].flags & RPC_ARG_INOUT))
				memset(a->buf, 0, a->size);
			continue;
		}
		if (m.write[i].data && m.write[i].size)
			memcpy(a->buf, m.write[i].data, a->size);
		iov[i] = (struct iovec){ a->buf, a->size };
		off += m.write[i].size + RPC_PAD(m.write[i].size);
	}

	/* Whatever library a plugin opens for this op passes the exec
	 * policy there (policy.c), so ops that open none are never refused
	 * by it. */
	t0 = vaccel_prof_get_tstamp();
	ret = vaccel_genop(s->s, args, (int)m.nr_read,
			   m.nr_write ? &args[m.nr_read] : NULL,
			   (int)m.nr_write);
	c->t_exec = vaccel_prof_get_tstamp() - t0;
	c->nr_ops++;
	c->exec_total += c->t_exec;
	if (ret) {
		ret = agent_fail_host(c, ret, "%s on session %lld failed",
				      vaccel_op_type_to_str((int)op),
				      (long long)m.sess_id);
		goto out;
	}
	rpc_op_reply_head_encode(head, head_len, &zero_prefix, m.nr_write,
				 sizes);
	ret = agent_reply(c, h, head, head_len, iov, (int)m.nr_write);
out:
	rpc_op_req_release(&m);
	free(args);
	free(iov);
	free(sizes);
	free(head);
	free(wbuf);
	return ret;
}

int agent_on_stats(struct agent_conn *c, const struct rpc_hdr *h)
{
	uint8_t out[RPC_REPLY_PREFIX_SIZE + 48];
	struct rpc_stats st = { 1, 0, c->nr_sess, c->nr_res, c->upload_bytes,
				c->shm.size, c->shm.items };

	if (h->length != 0)
		return agent_fail(c, VACCEL_EINVAL, "STATS takes no body");
	/* A client sees only its own connection, unless the operator made
	 * STATS an agent-wide view (--admin-stats). No op runs now (STATS
	 * waits for them), so this connection's own numbers are published
	 * first: what an op published from its copy may predate the ops
	 * that ended after it started (mux.c). */
	agent_slot_publish(c);
	if (agent.admin_stats && agent.table)
		agent_table_totals(&st);
	rpc_stats_reply_encode(out, sizeof(out), &zero_prefix, &st);
	return agent_reply(c, h, out, sizeof(out), NULL, 0);
}

int agent_on_prof(struct agent_conn *c, const struct rpc_hdr *h)
{
	struct rpc_prof_entry e = { "rpc_agent_exec", c->exec_total,
				    c->nr_ops };
	uint8_t out[RPC_REPLY_PREFIX_SIZE + 8 + 24 + sizeof(e.name)];
	size_t n;

	if (h->length != 0)
		return agent_fail(c, VACCEL_EINVAL, "PROF takes no body");
	n = rpc_prof_reply_encode(out, sizeof(out), &zero_prefix, &e, 1);
	return agent_reply(c, h, out, n, NULL, 0);
}
