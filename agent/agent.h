/* SPDX-License-Identifier: Apache-2.0 */
/*
 * vaccel-agent internals. One thread per client connection; each
 * connection owns the host sessions and resources it created (tables
 * below) and releases them when it closes or says HELLO again.
 * Everything read from a connection is untrusted: handlers validate ids
 * through the connection's own tables and sizes against the limits.
 */
#ifndef VACCEL_AGENT_H
#define VACCEL_AGENT_H

#include "codec.h"
#include "conn.h"
#include "transport.h"
#include "vaccel.h"

#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

struct agent_limits {
	uint32_t max_frame;
	uint32_t max_sessions;
	uint32_t max_resources;
	uint64_t max_upload;
	uint32_t max_conns;
};

struct agent {
	struct agent_limits lim;
	/* Uploaded blobs live under here, one directory per resource. */
	char workdir[PATH_MAX];
	pthread_mutex_t lock;
	struct agent_conn *conns;
	uint64_t next_conn_id;
	atomic_uint nr_conns;
	atomic_ullong nr_sessions;
	atomic_ullong nr_resources;
	atomic_ullong upload_bytes;
	atomic_bool stopping;

	/* Shared secret every peer must present in AUTH (NULL: none). */
	uint8_t *token;
	size_t token_len;
	/* Canonical paths of the libraries exec may open (--exec-allow), and
	 * whether exec_with_resource may run uploaded libraries. */
	char **exec_allow;
	size_t nr_exec_allow;
	bool exec_allow_uploaded;
};

extern struct agent agent;

struct agent_sess {
	vaccel_id_t id;
	struct vaccel_session *s;
};

struct agent_res {
	vaccel_id_t id;
	struct vaccel_resource *r;
	/* Directory holding the uploaded files ("" for memory resources). */
	char dir[PATH_MAX];
	uint64_t bytes;
};

struct agent_conn {
	uint64_t id;
	struct rpc_conn rc;
	pthread_t thread;
	atomic_bool done;
	bool hello_done;
	/* AUTH accepted (always true when the agent has no token). */
	bool authed;
	/* A virtio-serial channel (virtio:// listener): resynchronised
	 * instead of closed, see serial.c. */
	bool serial;
	/* The client's max frame: our replies must not exceed it. */
	uint32_t peer_max_frame;

	struct agent_sess *sess;
	uint32_t nr_sess;
	struct agent_res *res;
	uint32_t nr_res;
	uint64_t upload_bytes;
	uint64_t next_upload;

	/* Request body buffer, reused across requests. */
	uint8_t *body;
	size_t body_cap;
	/* Chunks of a refused upload (req id) are dropped. */
	bool skipping;
	uint64_t skip_req;

	/* Time the current request arrived and its plugin time. */
	uint64_t t_recv;
	uint64_t t_exec;
	uint64_t nr_ops;
	uint64_t exec_total;

	/* Message of the error reply being built. */
	char err[RPC_MAX_ERRMSG];

	struct agent_conn *next;
};

/* A handler returns VACCEL_OK after sending its reply, a VACCEL_E* code
 * (with c->err set) to have an ERROR reply sent, or AGENT_CLOSE to drop
 * the connection (protocol violation or broken stream). */
#define AGENT_CLOSE (-1)

/* Sets c->err and returns `code`. */
int agent_fail(struct agent_conn *c, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* policy.c: token and exec allow-list. The loaders print to stderr (they
 * run while parsing the command line) and return -1 on failure. */
/* Reads the token from `path`, or from VACCEL_AGENT_TOKEN when path is
 * NULL (then unsets it); no token at all is not an error. */
int agent_token_load(const char *path);
/* Constant-time comparison with the configured token. */
bool agent_token_matches(const uint8_t *token, size_t len);
/* Adds the canonical form of `path` to the exec allow-list. */
int agent_exec_allow(const char *path);
void agent_policy_release(void);
/* VACCEL_OK when `op` (EXEC or EXEC_WITH_RESOURCE) may run; for EXEC,
 * `lib` is pointed at the canonical allowed path. Else VACCEL_EPERM (or
 * VACCEL_EINVAL), logged, with c->err set. */
int agent_exec_check(struct agent_conn *c, uint32_t op, struct vaccel_arg *lib);

/* workdir.c: the work directory, its lock, and the reaping of the ones
 * dead agents left. create/remove print to stderr (start-up, exit). */
int agent_workdir_create(const char *tmp);
void agent_workdir_remove(void);
/* Removes the files in `dir` and `dir` itself without allocating. */
void agent_remove_dir(const char *dir);

/* serial.c: virtio-serial channels. */
bool agent_conn_is_serial(const struct agent_conn *c);
/* Like rpc_conn_recv_hdr, but a SYNC marker at a frame boundary resets
 * the connection (releasing its client's state) and is answered; on a
 * virtio-serial channel garbage resynchronises instead of failing. */
int agent_recv_hdr(struct agent_conn *c, struct rpc_hdr *h);
/* Scans for the next SYNC marker, resets the channel and answers it;
 * `skipped` counts garbage already consumed. Fails only when the stream
 * ends or breaks. */
int agent_serial_resync(struct agent_conn *c, uint64_t skipped);

/* conn.c */
void *agent_conn_main(void *arg);
/* Releases every session and resource the connection owns. */
void agent_conn_reset(struct agent_conn *c);
/* Sends a successful reply: prefix (timestamps filled in here), the
 * encoded rest of the head, then payload iovecs. */
int agent_reply(struct agent_conn *c, const struct rpc_hdr *req,
		uint8_t *head, size_t head_len, struct iovec *payload,
		int nr_payload);

/* Lookups through the connection's own tables; another connection's ids
 * are simply unknown (VACCEL_ENOENT). */
struct agent_sess *agent_sess_find(struct agent_conn *c, int64_t id);
struct agent_res *agent_res_find(struct agent_conn *c, int64_t id);
/* Releases a resource of the table (and its files). */
void agent_res_drop(struct agent_conn *c, struct agent_res *r);

/* Handlers (handlers.c, resources.c, torch.c). */
int agent_on_hello(struct agent_conn *c, const struct rpc_hdr *h);
int agent_on_auth(struct agent_conn *c, const struct rpc_hdr *h);
int agent_on_sess(struct agent_conn *c, const struct rpc_hdr *h);
int agent_on_op(struct agent_conn *c, const struct rpc_hdr *h);
int agent_on_stats(struct agent_conn *c, const struct rpc_hdr *h);
int agent_on_prof(struct agent_conn *c, const struct rpc_hdr *h);
int agent_on_res_register(struct agent_conn *c, const struct rpc_hdr *h);
int agent_on_res_unregister(struct agent_conn *c, const struct rpc_hdr *h);
int agent_on_res_sync(struct agent_conn *c, const struct rpc_hdr *h);
int agent_on_torch_load(struct agent_conn *c, const struct rpc_hdr *h);
int agent_on_torch_run(struct agent_conn *c, const struct rpc_hdr *h);

#endif /* VACCEL_AGENT_H */
