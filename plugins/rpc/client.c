// SPDX-License-Identifier: Apache-2.0
/*
 * The plugin's connection to the agent: lazy connect, version handshake,
 * request/reply with error replies, loss detection.
 */
#include "rpc_plugin.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct rpcc rpcc = {
	.lock = PTHREAD_MUTEX_INITIALIZER,
	.prof_transport = VACCEL_PROF_REGION_INIT("rpc_transport"),
	.prof_exec = VACCEL_PROF_REGION_INIT("rpc_agent_exec"),
};

int rpcc_lost(const char *what)
{
	int err = errno;

	vaccel_error("rpc: connection to agent %s lost during %s (%s); sessions created over it are stale, a new session reconnects",
		     rpcc.address, what, strerror(err));
	rpc_conn_release(&rpcc.conn);
	rpcc.connected = false;
	return VACCEL_EIO;
}

static int set_token(const char *s, size_t n, const char *from)
{
	/* One trailing newline (echo > file) is not part of the secret. */
	if (n && s[n - 1] == '\n')
		n--;
	if (n && s[n - 1] == '\r')
		n--;
	if (n == 0 || n > RPC_MAX_TOKEN) {
		vaccel_error("rpc: the token from %s has %zu bytes (expected 1..%u)",
			     from, n, RPC_MAX_TOKEN);
		return VACCEL_EINVAL;
	}
	memcpy(rpcc.token, s, n);
	rpcc.token_len = n;
	return VACCEL_OK;
}

int rpcc_token_load(void)
{
	const char *env = getenv("VACCEL_RPC_TOKEN");
	const char *path = getenv("VACCEL_RPC_TOKEN_FILE");
	char buf[RPC_MAX_TOKEN + 3];
	ssize_t n;
	int fd, ret;

	rpcc.token_len = 0;
	if (env && env[0])
		return set_token(env, strlen(env), "VACCEL_RPC_TOKEN");
	if (!path || !path[0])
		return VACCEL_OK;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		vaccel_error("rpc: cannot open VACCEL_RPC_TOKEN_FILE %s: %s",
			     path, strerror(errno));
		return errno == ENOENT ? VACCEL_ENOENT : VACCEL_EIO;
	}
	n = read(fd, buf, sizeof(buf));
	close(fd);
	if (n < 0) {
		vaccel_error("rpc: cannot read VACCEL_RPC_TOKEN_FILE %s: %s",
			     path, strerror(errno));
		return VACCEL_EIO;
	}
	ret = set_token(buf, (size_t)n, path);
	explicit_bzero(buf, sizeof(buf));
	return ret;
}

/* AUTH exchange, for agents that asked for it in their HELLO reply. A
 * wrong token is answered with ERROR VACCEL_EACCES (logged by rpcc_call)
 * and the agent closes the connection. */
static int authenticate(void)
{
	uint8_t out[RPC_AUTH_HEAD_SIZE + RPC_MAX_TOKEN];
	uint8_t body[RPC_REPLY_PREFIX_SIZE];
	struct rpc_hdr reply;
	size_t n;
	int ret;

	if (!rpcc.token_len) {
		vaccel_error("rpc: agent %s requires a token: set VACCEL_RPC_TOKEN or VACCEL_RPC_TOKEN_FILE",
			     rpcc.address);
		return VACCEL_EACCES;
	}
	n = rpc_auth_encode(out, sizeof(out), rpcc.token, rpcc.token_len);
	ret = rpcc_call(RPC_MSG_AUTH, out, n, NULL, 0, &reply);
	explicit_bzero(out, sizeof(out));
	if (ret)
		return ret;
	return rpcc_recv_body(&reply, body, sizeof(body));
}

/* HELLO exchange; the agent refuses an incompatible version with an
 * ERROR reply, which is logged by rpcc_call. */
static int handshake(void)
{
	struct rpc_hello h = { RPC_MAGIC, RPC_VERSION_MAJOR, RPC_VERSION_MINOR,
			       RPC_FRAME_HARD_MAX, 0 };
	uint8_t body[RPC_REPLY_PREFIX_SIZE + RPC_HELLO_SIZE];
	uint8_t out[RPC_HELLO_SIZE];
	struct rpc_reply_prefix p;
	struct rpc_hdr reply;
	int ret;

	rpc_hello_encode(out, sizeof(out), &h);
	ret = rpcc_call(RPC_MSG_HELLO, out, sizeof(out), NULL, 0, &reply);
	if (ret)
		return ret;
	ret = rpcc_recv_body(&reply, body, sizeof(body));
	if (ret)
		return ret;
	{
		struct rpc_rbuf r;

		rpc_rbuf_init(&r, body, reply.length);
		rpc_reply_prefix_get(&r, &p);
		if (r.err || rpc_hello_decode(body + RPC_REPLY_PREFIX_SIZE,
					      reply.length -
						      RPC_REPLY_PREFIX_SIZE,
					      &h)) {
			errno = EPROTO;
			return rpcc_lost("HELLO");
		}
	}
	ret = rpc_hello_check(&h);
	if (ret) {
		vaccel_error("rpc: agent %s speaks an incompatible protocol",
			     rpcc.address);
		return ret;
	}
	rpcc.peer_max_frame = h.max_frame;
	if (h.flags & RPC_HELLO_AUTH)
		return authenticate();
	return VACCEL_OK;
}

int rpcc_ensure_connected(void)
{
	struct vaccel_stream s;
	int ret;

	if (rpcc.connected)
		return VACCEL_OK;
	ret = vaccel__transport_connect(rpcc.address, &s);
	if (ret) {
		vaccel_error("rpc: cannot reach agent at %s (set VACCEL_RPC_ADDRESS)",
			     rpcc.address);
		return ret == VACCEL_EINVAL || ret == VACCEL_ENOTSUP ?
			       ret :
			       VACCEL_EIO;
	}
	ret = rpc_conn_init(&rpcc.conn, &s, RPC_FRAME_HARD_MAX);
	if (ret) {
		vaccel__stream_close(&s);
		return ret;
	}
	rpcc.connected = true;
	rpcc.peer_max_frame = RPC_FRAME_MIN;
	ret = handshake();
	if (ret) {
		if (rpcc.connected) {
			rpc_conn_release(&rpcc.conn);
			rpcc.connected = false;
		}
		return ret;
	}
	rpcc.gen++;
	vaccel_debug("rpc: connected to agent %s (max frame %u)",
		     rpcc.address, rpcc.peer_max_frame);
	return VACCEL_OK;
}

int rpcc_recv_body(const struct rpc_hdr *h, void *buf, size_t cap)
{
	if (h->length > cap) {
		vaccel_error("rpc: %s reply of %u bytes exceeds the expected %zu",
			     rpc_msg_type_name(h->type), h->length, cap);
		errno = EPROTO;
		return rpcc_lost("reply");
	}
	if (rpc_conn_recv(&rpcc.conn, buf, h->length))
		return rpcc_lost("reply");
	return VACCEL_OK;
}

int rpcc_send(uint16_t type, const void *head, size_t head_len,
	      struct iovec *payload, int nr_payload, uint64_t *req_id)
{
	uint64_t id = ++rpcc.next_req;
	int ret;

	if (!rpcc.connected) {
		vaccel_error("rpc: not connected to agent %s", rpcc.address);
		return VACCEL_EIO;
	}
	ret = rpc_conn_send(&rpcc.conn, type, id, head, head_len, payload,
			    nr_payload);
	if (ret == VACCEL_EINVAL || ret == VACCEL_ENOMEM)
		return ret;
	if (ret)
		return rpcc_lost(rpc_msg_type_name(type));
	*req_id = id;
	return VACCEL_OK;
}

int rpcc_call(uint16_t type, const void *head, size_t head_len,
	      struct iovec *payload, int nr_payload, struct rpc_hdr *reply)
{
	uint64_t id = 0;
	int ret = rpcc_send(type, head, head_len, payload, nr_payload, &id);

	if (ret)
		return ret;
	return rpcc_wait(type, id, reply);
}

int rpcc_wait(uint16_t type, uint64_t id, struct rpc_hdr *reply)
{
	int ret = rpc_conn_recv_hdr(&rpcc.conn, reply);

	if (ret) {
		if (ret == VACCEL_EINVAL)
			errno = EPROTO;
		return rpcc_lost(rpc_msg_type_name(type));
	}
	if (reply->req_id != id) {
		vaccel_error("rpc: reply for request %llu while waiting for %llu",
			     (unsigned long long)reply->req_id,
			     (unsigned long long)id);
		errno = EPROTO;
		return rpcc_lost(rpc_msg_type_name(type));
	}
	if (reply->type == RPC_MSG_ERROR) {
		uint8_t body[8 + RPC_MAX_ERRMSG];
		struct rpc_error e;

		ret = rpcc_recv_body(reply, body, sizeof(body));
		if (ret)
			return ret;
		if (rpc_error_decode(body, reply->length, &e)) {
			errno = EPROTO;
			return rpcc_lost(rpc_msg_type_name(type));
		}
		vaccel_error("rpc: agent %s: %s failed: %s (%s)", rpcc.address,
			     rpc_msg_type_name(type), e.msg,
			     vaccel_error_name(e.code));
		return e.code;
	}
	if (reply->type != (type | RPC_MSG_REPLY)) {
		vaccel_error("rpc: %s reply to a %s request",
			     rpc_msg_type_name(reply->type),
			     rpc_msg_type_name(type));
		errno = EPROTO;
		return rpcc_lost(rpc_msg_type_name(type));
	}
	return VACCEL_OK;
}

void rpcc_prof(uint64_t t0, const struct rpc_reply_prefix *p)
{
	uint64_t t1, agent;

	if (!vaccel_prof_enabled())
		return;
	t1 = vaccel_prof_get_tstamp();
	agent = p->t_reply >= p->t_recv ? p->t_reply - p->t_recv : 0;
	/* Transport time: the round trip minus the time the agent held the
	 * request (the clocks of both sides are never compared). */
	vaccel_prof_region_add_sample(&rpcc.prof_transport, t0,
				      t1 - t0 > agent ? t1 - t0 - agent : 0);
	vaccel_prof_region_add_sample(&rpcc.prof_exec, t0, p->t_exec);
}

void rpcc_shutdown(void)
{
	pthread_mutex_lock(&rpcc.lock);
	if (rpcc.connected)
		rpc_conn_release(&rpcc.conn);
	rpcc.connected = false;
	free(rpcc.sess);
	free(rpcc.res);
	rpcc.sess = NULL;
	rpcc.res = NULL;
	rpcc.nr_sess = rpcc.cap_sess = rpcc.nr_res = rpcc.cap_res = 0;
	if (vaccel_prof_enabled()) {
		vaccel_prof_region_print(&rpcc.prof_transport);
		vaccel_prof_region_print(&rpcc.prof_exec);
	}
	vaccel_prof_region_release(&rpcc.prof_transport);
	vaccel_prof_region_release(&rpcc.prof_exec);
	explicit_bzero(rpcc.token, sizeof(rpcc.token));
	rpcc.token_len = 0;
	pthread_mutex_unlock(&rpcc.lock);
}
