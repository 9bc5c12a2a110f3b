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
	.prof_lock = PTHREAD_MUTEX_INITIALIZER,
	.prof_transport = VACCEL_PROF_REGION_INIT("rpc_transport"),
	.prof_exec = VACCEL_PROF_REGION_INIT("rpc_agent_exec"),
};

/* A reply that breaks the protocol. On the first exchange that means the
 * peer at the address is something else than an agent, and saying so beats
 * reporting a garbled frame; later the connection is lost. */
int rpcc_bad_reply(struct rpcc_link *l, uint16_t type)
{
	errno = EPROTO;
	if (type != RPC_MSG_HELLO)
		return rpcc_lost(l, rpc_msg_type_name(type));
	vaccel_error("rpc: the peer at %s is not a vaccel-agent: its answer to HELLO is not a vAccel RPC reply (check VACCEL_RPC_ADDRESS)",
		     rpcc.address);
	rpcc_link_break(l);
	return VACCEL_EIO;
}

int rpcc_lost(struct rpcc_link *l, const char *what)
{
	int err = errno;

	/* A read that timed out leaves the stream in the middle of a
	 * frame: the connection is dropped, never read again. */
	if (err == ETIMEDOUT)
		vaccel_error("rpc: agent %s did not answer within %d ms during %s; the connection is dropped: sessions created over it are stale, a new session reconnects",
			     rpcc.address,
			     l->handshaken ? rpcc.timeout_ms :
					     rpcc.handshake_timeout_ms,
			     what);
	else
		vaccel_error("rpc: connection to agent %s lost during %s (%s); sessions created over it are stale, a new session reconnects",
			     rpcc.address, what, strerror(err));
	rpcc_link_break(l);
	return err == ETIMEDOUT ? VACCEL_ETIMEDOUT : VACCEL_EIO;
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
static int authenticate(struct rpcc_link *l)
{
	uint8_t out[RPC_AUTH_HEAD_SIZE + RPC_MAX_TOKEN];
	uint8_t body[RPC_REPLY_PREFIX_SIZE];
	struct rpcc_xfer x;
	size_t n;
	int ret;

	if (!rpcc.token_len) {
		vaccel_error("rpc: agent %s requires a token: set VACCEL_RPC_TOKEN or VACCEL_RPC_TOKEN_FILE",
			     rpcc.address);
		return VACCEL_EACCES;
	}
	n = rpc_auth_encode(out, sizeof(out), rpcc.token, rpcc.token_len);
	rpcc_xfer_begin(&x, l);
	ret = rpcc_call(&x, RPC_MSG_AUTH, out, n, NULL, 0);
	explicit_bzero(out, sizeof(out));
	if (!ret)
		ret = rpcc_recv_body(&x, body, sizeof(body));
	rpcc_xfer_end(&x);
	return ret;
}

/* HELLO exchange; the agent refuses an incompatible version with an
 * ERROR reply, which is logged by rpcc_call. */
static int handshake(struct rpcc_link *l)
{
	struct rpc_hello h = { RPC_MAGIC, RPC_VERSION_MAJOR, RPC_VERSION_MINOR,
			       RPC_FRAME_HARD_MAX,
			       rpcc_shm_wanted(l) ? RPC_HELLO_SHM : 0 };
	uint8_t body[RPC_REPLY_PREFIX_SIZE + RPC_HELLO_SIZE];
	uint8_t out[RPC_HELLO_SIZE];
	struct rpc_reply_prefix p;
	struct rpcc_xfer x;
	uint32_t len;
	int ret;

	rpc_hello_encode(out, sizeof(out), &h);
	rpcc_xfer_begin(&x, l);
	ret = rpcc_call(&x, RPC_MSG_HELLO, out, sizeof(out), NULL, 0);
	len = x.h.length;
	if (!ret)
		ret = rpcc_recv_body(&x, body, sizeof(body));
	rpcc_xfer_end(&x);
	if (ret)
		return ret;
	{
		struct rpc_rbuf r;

		rpc_rbuf_init(&r, body, len);
		rpc_reply_prefix_get(&r, &p);
		if (r.err || rpc_hello_decode(body + RPC_REPLY_PREFIX_SIZE,
					      len - RPC_REPLY_PREFIX_SIZE, &h))
			return rpcc_bad_reply(l, RPC_MSG_HELLO);
	}
	ret = rpc_hello_check(&h);
	if (ret) {
		vaccel_error("rpc: agent %s speaks an incompatible protocol",
			     rpcc.address);
		return ret;
	}
	rpcc.peer_max_frame = h.max_frame;
	l->solo_ok = h.flags & RPC_HELLO_SOLO;
	ret = h.flags & RPC_HELLO_AUTH ? authenticate(l) : VACCEL_OK;
	if (!ret && (h.flags & RPC_HELLO_SHM) && rpcc_shm_wanted(l))
		ret = rpcc_shm_setup(l);
	return ret;
}

int rpcc_ensure_connected(void)
{
	struct vaccel_stream s;
	struct rpcc_link *l;
	int ret;

	if (rpcc_connected())
		return VACCEL_OK;
	/* A broken link goes when its last call lets go of it. */
	if (rpcc.link)
		rpcc_link_put(rpcc.link);
	rpcc.link = NULL;
	ret = vaccel__transport_connect(rpcc.address, &s);
	if (ret) {
		vaccel_error("rpc: cannot reach agent at %s (set VACCEL_RPC_ADDRESS)",
			     rpcc.address);
		return ret == VACCEL_EINVAL || ret == VACCEL_ENOTSUP ?
			       ret :
			       VACCEL_EIO;
	}
	/* The handshake has its own bound whatever VACCEL_RPC_TIMEOUT_MS
	 * says: a peer that accepts and never answers is not an agent. */
	s.read_timeout_ms = rpcc.handshake_timeout_ms;
	s.poll_us = rpcc.poll_us;
	ret = rpcc_link_new(&s, &l);
	if (ret) {
		vaccel__stream_close(&s);
		return ret;
	}
	rpcc.peer_max_frame = RPC_FRAME_MIN;
	ret = handshake(l);
	if (ret) {
		rpcc_link_put(l);
		return ret;
	}
	l->conn.s.read_timeout_ms = rpcc.timeout_ms;
	l->handshaken = true;
	rpcc.link = l;
	rpcc.gen++;
	vaccel_debug("rpc: connected to agent %s (max frame %u)",
		     rpcc.address, rpcc.peer_max_frame);
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
	pthread_mutex_lock(&rpcc.prof_lock);
	vaccel_prof_region_add_sample(&rpcc.prof_transport, t0,
				      t1 - t0 > agent ? t1 - t0 - agent : 0);
	vaccel_prof_region_add_sample(&rpcc.prof_exec, t0, p->t_exec);
	pthread_mutex_unlock(&rpcc.prof_lock);
}

void rpcc_shutdown(void)
{
	pthread_mutex_lock(&rpcc.lock);
	if (rpcc.link)
		rpcc_link_put(rpcc.link);
	rpcc.link = NULL;
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
