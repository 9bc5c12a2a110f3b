// SPDX-License-Identifier: Apache-2.0
/*
 * Session hooks: each local session on this plugin mirrors one session on
 * the agent, created with the same flags (REMOTE stripped) so that the hint
 * picks the host plugin.
 */
#include "rpc_plugin.h"

#include <stdlib.h>
#include <string.h>

struct rpcc_sess *rpcc_sess_find(vaccel_id_t local)
{
	for (size_t i = 0; i < rpcc.nr_sess; i++)
		if (rpcc.sess[i].local == local)
			return &rpcc.sess[i];
	return NULL;
}

static int sess_add(vaccel_id_t local, int64_t remote)
{
	if (rpcc.nr_sess == rpcc.cap_sess) {
		size_t cap = rpcc.cap_sess ? rpcc.cap_sess * 2 : 16;
		struct rpcc_sess *n = realloc(rpcc.sess, cap * sizeof(*n));

		if (!n) {
			vaccel_error("rpc: cannot grow the session table to %zu",
				     cap);
			return VACCEL_ENOMEM;
		}
		rpcc.sess = n;
		rpcc.cap_sess = cap;
	}
	rpcc.sess[rpcc.nr_sess++] =
		(struct rpcc_sess){ local, remote, rpcc.gen };
	return VACCEL_OK;
}

static void sess_del(struct rpcc_sess *s)
{
	*s = rpcc.sess[--rpcc.nr_sess];
}

int rpcc_sess_remote(const struct vaccel_session *sess, int64_t *remote)
{
	struct rpcc_sess *s = rpcc_sess_find(sess->id);

	if (!s) {
		vaccel_error("rpc: session %lld is not a session of the rpc plugin",
			     (long long)sess->id);
		return VACCEL_EINVAL;
	}
	if (!rpcc_connected() || s->gen != rpcc.gen) {
		vaccel_error("rpc: session %lld is stale: its connection to agent %s was lost; create a new session",
			     (long long)sess->id, rpcc.address);
		return VACCEL_EIO;
	}
	*remote = s->remote;
	return VACCEL_OK;
}

/* Creates the agent-side session; with rpcc.lock held. */
static int create_remote(uint32_t flags, int64_t *id)
{
	struct rpc_sess_req q = { 0, flags & ~(uint32_t)VACCEL_PLUGIN_REMOTE };
	uint8_t out[16], body[RPC_REPLY_PREFIX_SIZE + 8];
	struct rpc_reply_prefix p;
	struct rpcc_xfer x;
	size_t n = rpc_sess_req_encode(out, sizeof(out), RPC_MSG_SESS_CREATE,
				       &q);
	uint64_t t0 = vaccel_prof_get_tstamp();
	int ret;

	rpcc_xfer_begin(&x, rpcc.link);
	ret = rpcc_call(&x, RPC_MSG_SESS_CREATE, out, n, NULL, 0);
	if (!ret)
		ret = rpcc_recv_body(&x, body, sizeof(body));
	if (!ret && rpc_id_reply_decode(body, x.h.length, &p, id))
		ret = rpcc_bad_reply(x.link, RPC_MSG_SESS_CREATE);
	rpcc_xfer_end(&x);
	if (!ret)
		rpcc_prof(t0, &p);
	return ret;
}

int rpcc_session_init(struct vaccel_session *sess, uint32_t flags)
{
	int64_t id = 0;
	int ret;

	if (!sess) {
		vaccel_error("rpc: session_init with NULL session");
		return VACCEL_EINVAL;
	}
	pthread_mutex_lock(&rpcc.lock);
	ret = rpcc_ensure_connected();
	if (ret)
		goto out;
	ret = create_remote(flags, &id);
	if (ret)
		goto out;
	ret = sess_add(sess->id, id);
	if (ret) {
		/* The agent frees it with the connection at the latest. */
		vaccel_warn("rpc: agent session %lld leaks until disconnect",
			    (long long)id);
		goto out;
	}
	sess->remote_id = id;
	sess->is_virtio = true;
	vaccel_debug("rpc: session %lld is agent session %lld on %s",
		     (long long)sess->id, (long long)id, rpcc.address);
out:
	pthread_mutex_unlock(&rpcc.lock);
	return ret;
}

int rpcc_session_update(struct vaccel_session *sess, uint32_t flags)
{
	struct rpc_sess_req q = { 0, flags & ~(uint32_t)VACCEL_PLUGIN_REMOTE };
	uint8_t out[16], body[RPC_REPLY_PREFIX_SIZE];
	struct rpc_reply_prefix p;
	struct rpcc_xfer x;
	int ret;

	if (!sess) {
		vaccel_error("rpc: session_update with NULL session");
		return VACCEL_EINVAL;
	}
	pthread_mutex_lock(&rpcc.lock);
	ret = rpcc_sess_remote(sess, &q.sess_id);
	if (ret)
		goto out;
	rpcc_xfer_begin(&x, rpcc.link);
	ret = rpcc_call(&x, RPC_MSG_SESS_UPDATE, out,
			rpc_sess_req_encode(out, sizeof(out),
					    RPC_MSG_SESS_UPDATE, &q),
			NULL, 0);
	if (!ret)
		ret = rpcc_recv_body(&x, body, sizeof(body));
	if (!ret && rpc_empty_reply_decode(body, x.h.length, &p))
		ret = rpcc_bad_reply(x.link, RPC_MSG_SESS_UPDATE);
	rpcc_xfer_end(&x);
out:
	pthread_mutex_unlock(&rpcc.lock);
	return ret;
}

int rpcc_session_release(struct vaccel_session *sess)
{
	struct rpc_sess_req q = { 0, 0 };
	uint8_t out[16], body[RPC_REPLY_PREFIX_SIZE];
	struct rpc_reply_prefix p;
	struct rpcc_sess *s;
	struct rpcc_xfer x;
	int ret = VACCEL_OK;

	if (!sess) {
		vaccel_error("rpc: session_release with NULL session");
		return VACCEL_EINVAL;
	}
	pthread_mutex_lock(&rpcc.lock);
	s = rpcc_sess_find(sess->id);
	if (!s) {
		vaccel_warn("rpc: release of unknown session %lld",
			    (long long)sess->id);
		goto out;
	}
	q.sess_id = s->remote;
	/* A stale session has nothing left on the agent: the agent released
	 * it when the connection closed. */
	if (rpcc_connected() && s->gen == rpcc.gen) {
		rpcc_xfer_begin(&x, rpcc.link);
		ret = rpcc_call(&x, RPC_MSG_SESS_DESTROY, out,
				rpc_sess_req_encode(out, sizeof(out),
						    RPC_MSG_SESS_DESTROY, &q),
				NULL, 0);
		if (!ret)
			ret = rpcc_recv_body(&x, body, sizeof(body));
		if (!ret && rpc_empty_reply_decode(body, x.h.length, &p))
			ret = rpcc_bad_reply(x.link, RPC_MSG_SESS_DESTROY);
		rpcc_xfer_end(&x);
	}
	/* The local session is going away whatever the agent said. */
	s = rpcc_sess_find(sess->id);
	if (s)
		sess_del(s);
	sess->remote_id = 0;
out:
	pthread_mutex_unlock(&rpcc.lock);
	return ret;
}
