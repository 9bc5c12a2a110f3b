/* SPDX-License-Identifier: Apache-2.0 */
/*
 * vaccel-agent internals (docs/architecture.md, "The agent").
 *
 * The agent is a supervisor process and one worker process per served
 * connection. The supervisor owns the listeners, takes every new socket
 * connection through its handshake (HELLO, and AUTH when a token is set)
 * itself, with a few KiB per connection and a timeout, and only then hands
 * it to a worker: a fork of the supervisor (the template, in which
 * libvaccel and the host plugins, libtorch included, are already loaded),
 * made in advance and waiting idle. The worker serves that one connection
 * (conn.c and the handlers) and exits when it closes. A worker
 * that dies (signal, abort, OOM kill) costs only its own connection: the
 * supervisor answers every request it was serving with an ERROR, removes
 * its files, and carries on.
 *
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
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

struct agent_limits {
	uint32_t max_frame;
	uint32_t max_sessions;
	uint32_t max_resources;
	uint64_t max_upload;
	/* Served connections (past their handshake: one worker each). */
	uint32_t max_conns;
	/* Connections still in their handshake (held by the supervisor). */
	uint32_t max_unauthed;
	/* The handshake must end within this; 0 = no limit. */
	uint32_t handshake_timeout_ms;
	/* A served connection that holds nothing and sends nothing for this
	 * long is closed; 0 = never. */
	uint32_t idle_timeout_ms;
	/* Idle workers forked in advance, so that a connection does not wait
	 * for a fork. */
	uint32_t spare_workers;
	/* A worker spins this long on its connection before sleeping for
	 * the next request (--poll-us; 0 = never). */
	uint32_t poll_us;
	/* Requests of one connection that run at once (--max-inflight;
	 * 0 or 1 = one at a time). */
	uint32_t max_inflight;
	/* Per tenant, across all its connections (tenants.c). */
	uint32_t tenant_max_sessions;
	uint64_t tenant_max_bytes;
	uint32_t tenant_max_ops;
	uint32_t tenant_max_conns;
	uint32_t max_tenants;
};

/* A tenant's name is its token file's name: 1..64 of [A-Za-z0-9._-]. */
#define AGENT_TENANT_NAME_MAX 64

/* What a tenant's connections hold together, counted against its limits:
 * sessions, bytes of uploaded resources, ops running (OP, TORCH_LOAD,
 * TORCH_RUN requests being served). */
enum agent_tenant_use {
	AGENT_USE_SESSIONS,
	AGENT_USE_BYTES,
	AGENT_USE_OPS,
	AGENT_NR_USES,
};

/* One library of the exec allow-list (--exec-allow LIB[:SYM,SYM...]). */
struct agent_exec_lib {
	/* Canonical real path. */
	char *path;
	/* SHA-256 of the file at start-up: an uploaded library with the same
	 * bytes is this library. */
	uint8_t sha256[32];
	/* The functions that may run (NULL: every one it defines). */
	char **symbols;
	size_t nr_symbols;
};

struct agent_table;
struct agent_mux;

struct agent {
	struct agent_limits lim;
	/* Uploaded blobs live under here: one directory per connection, one
	 * sub-directory per resource. */
	char workdir[PATH_MAX];
	uint64_t next_conn_id;

	/* Every connection must AUTH with a tenant's token (tenants.c). */
	bool auth_required;
	/* In a worker: its socket pair to the supervisor, which checks AUTH
	 * tokens for it (-1 in the supervisor and in process). */
	int supervisor_sock;
	/* The exec allow-list, and whether uploaded libraries that match no
	 * entry may run. */
	struct agent_exec_lib *exec_allow;
	size_t nr_exec_allow;
	bool exec_allow_uploaded;
	/* STATS reports the whole agent to every client (else only the
	 * caller's own connection). */
	bool admin_stats;
	/* Largest shared region a connection may map (--shm-max-bytes);
	 * 0: shared memory off (--no-shm). */
	uint64_t shm_max;

	/* The accounting table shared by the supervisor and its workers
	 * (table.c); NULL when a connection is driven in process. */
	struct agent_table *table;
};

extern struct agent agent;

struct agent_sess {
	vaccel_id_t id;
	struct vaccel_session *s;
};

struct agent_res {
	vaccel_id_t id;
	struct vaccel_resource *r;
	/* Directory holding the uploaded files (NULL for memory resources). */
	char *dir;
	uint64_t bytes;
};

/* Where a connection's slot is in its life. */
enum agent_slot_state {
	AGENT_SLOT_FREE,
	/* Its worker serves it. */
	AGENT_SLOT_LIVE,
	/* The connection ended and everything it held is released; the
	 * worker is exiting (no longer counted by STATS). */
	AGENT_SLOT_DONE,
};

/* What one request in flight is doing, published in its record so that
 * the supervisor can answer it for a worker that died. */
enum agent_req_state {
	/* The record is free. */
	AGENT_REQ_FREE,
	/* Being handled; no byte of its reply sent yet. */
	AGENT_REQ_BUSY,
	/* Its reply is being written: a death now leaves a torn frame. */
	AGENT_REQ_REPLYING,
	/* Its reply is out: nothing to answer. */
	AGENT_REQ_SENT,
};

/* One request of a connection in flight: from its header read to the end
 * of its handling. A connection has agent_slot_records() of them, one per
 * request it may run at once (--max-inflight), whichever path serves it. */
struct agent_req_rec {
	_Atomic uint32_t state;
	_Atomic uint32_t msg_type;
	_Atomic uint64_t req_id;
};

/* One served connection's entry in the shared table. Written by its
 * worker, read by the supervisor (after the worker died) and by workers
 * answering an admin STATS. Its size is agent_slot_size(). */
struct agent_slot {
	_Atomic uint32_t state;
	_Atomic uint64_t conn_id;
	_Atomic uint32_t sessions;
	_Atomic uint32_t resources;
	_Atomic uint64_t upload_bytes;
	_Atomic uint64_t shm_bytes;
	_Atomic uint64_t shm_items;
	/* What the connection has taken from its tenant's counters, which
	 * the supervisor gives back if the worker dies. */
	_Atomic uint64_t held[AGENT_NR_USES];
	/* agent_slot_records() records. */
	struct agent_req_rec req[];
};

struct agent_conn {
	uint64_t id;
	struct rpc_conn rc;
	bool hello_done;
	/* AUTH accepted (always true when the agent has no tenants). */
	bool authed;
	/* The tenant the connection belongs to (-1: none), and its name. */
	int32_t tenant;
	char tenant_name[AGENT_TENANT_NAME_MAX + 1];
	/* A virtio-serial channel (virtio:// listener): resynchronised
	 * instead of closed, see serial.c. */
	bool serial;
	/* The channel's previous worker died: requests are answered with
	 * VACCEL_ESESS until the guest starts over (SYNC or HELLO). */
	bool orphaned;
	/* The reply limit: min(client's max frame, agent's max frame). */
	uint32_t peer_max_frame;

	/* Session and resource tables, grown on demand up to the limits. */
	struct agent_sess *sess;
	uint32_t nr_sess, cap_sess;
	struct agent_res *res;
	uint32_t nr_res, cap_res;
	uint64_t upload_bytes;
	uint64_t next_upload;

	/* Request body buffer, reused across requests. */
	uint8_t *body;
	size_t body_cap;
	/* Chunks of a refused upload (req id) are dropped. */
	bool skipping;
	uint64_t skip_req;

	/* The request being handled holds one of its tenant's running ops
	 * (given back before its reply is sent). */
	bool op_held;

	/* Time the current request arrived and its plugin time. */
	uint64_t t_recv;
	uint64_t t_exec;
	uint64_t nr_ops;
	uint64_t exec_total;

	/* The shared-memory region (shm.c): mapped size 0 when none. */
	struct agent_shm {
		uint8_t *base;
		uint64_t size;
		/* Items that travelled through it. */
		uint64_t items;
		/* Private copies of region items a plugin parses. */
		uint8_t *copy;
		size_t copy_cap;
	} shm;

	/* This connection's slot (a private one when driven in process),
	 * and the record of the request this copy of it handles (NULL: none
	 * or no room). */
	struct agent_slot *slot;
	struct agent_req_rec *rec;
	/* The threads serving it while agent_conn_serve runs (mux.c). */
	struct agent_mux *mux;

	/* Message of the error reply being built. */
	char err[RPC_MAX_ERRMSG];
};

/* A handler returns VACCEL_OK after sending its reply, a VACCEL_E* code
 * (with c->err set) to have an ERROR reply sent, or AGENT_CLOSE to drop
 * the connection (protocol violation or broken stream). */
#define AGENT_CLOSE (-1)
/* agent_conn_next: a request whose body is in c->body, to be handled. */
#define AGENT_HANDLE (-2)

/* Sets c->err and returns `code`. */
int agent_fail(struct agent_conn *c, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* The same after a host vAccel call failed: c->err is the formatted
 * context followed by the host's reason (vaccel_last_error_message() of
 * this thread), so the client learns why, not only what failed. */
int agent_fail_host(struct agent_conn *c, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* redact.c: reduces every absolute host path in an error reply's message
 * to its last component, in place (docs/security.md). */
void agent_redact_paths(char *msg);

/* tenants.c: who may connect. */
/* Loads the tenants of --token-file PATH (or VACCEL_AGENT_TOKEN, which is
 * then unset) and of --tenants DIR, and watches DIR; neither is not an
 * error (AUTH is then not required). -1 (printed) on a start-up error. */
int agent_tenants_init(const char *token_file, const char *dir);
void agent_tenants_release(void);
/* Adds one tenant (the fuzz target). */
int agent_tenants_add(const char *name, const void *token, size_t len);
/* The inotify fd of the tenants folder (-1: none). */
int agent_tenants_watch_fd(void);
/* Drains the folder's events and reads every source again; tenants whose
 * file went away or changed stop being live (logged). */
void agent_tenants_reload(void);
uint32_t agent_tenant_count(void);
bool agent_tenant_live(int32_t t);
const char *agent_tenant_name(int32_t t);
/* The supervisor's count of the workers that belong to tenant t. */
void agent_tenant_join(int32_t t);
void agent_tenant_leave(int32_t t);
/* AUTH with `token`: sets c->tenant, or fails with c->err set
 * (VACCEL_EACCES: no live tenant has it; VACCEL_EUSERS: the tenant has
 * --tenant-max-connections). A worker asks its supervisor. */
int agent_auth(struct agent_conn *c, const uint8_t *token, size_t len);
/* Supervisor: answers one AUTH query of a worker on `sock`, whose tenant
 * is *member (updated). -1 when the worker's socket is closed or broken. */
int agent_tenants_answer(int sock, int32_t *member);

/* probe.c: vaccel-agent --probe ADDR; returns the exit status. */
int agent_probe(const char *addr);

/* policy.c: the exec allow-list. The loaders print to stderr (they run
 * while parsing the command line) and return -1 on failure. */
/* Adds LIB (canonical form, hashed) with its optional ":SYM,SYM" list to
 * the exec allow-list. */
int agent_exec_allow(const char *arg);
/* Installs the library policy (vaccel_lib_policy_set) that enforces the
 * allow-list wherever a plugin opens a library. */
int agent_policy_install(void);
void agent_policy_release(void);

/* sha256.c */
void agent_sha256(const void *data, size_t len, uint8_t out[32]);
/* Hashes the file at `path`; -1 (errno set) when it cannot be read. */
int agent_sha256_file(const char *path, uint8_t out[32]);

/* workdir.c: the work directory, its lock, and the reaping of the ones
 * dead agents left. create/remove print to stderr (start-up, exit). */
int agent_workdir_create(const char *tmp);
void agent_workdir_remove(void);
/* Removes the files in `dir` and `dir` itself without allocating;
 * harmless on NULL. */
void agent_remove_dir(const char *dir);
/* The directory of connection `id`'s uploads (created on demand). */
int agent_conn_dir(uint64_t id, char *buf, size_t size);
/* Removes connection `id`'s upload directory and everything in it. */
void agent_conn_dir_remove(uint64_t id);

/* serial.c: virtio-serial channels. */
bool agent_conn_is_serial(const struct agent_conn *c);
/* Like rpc_conn_recv_hdr, but a SYNC marker at a frame boundary resets
 * the connection (releasing its client's state) and is answered; on a
 * virtio-serial channel garbage resynchronises instead of failing. */
int agent_recv_hdr(struct agent_conn *c, struct rpc_hdr *h);
/* True when a frame header is the 16 x 0xff break that starts a SYNC. */
bool agent_is_sync_break(const uint8_t raw[RPC_HDR_SIZE]);
/* Checks the rest of a SYNC marker (tag and nonce, after the break),
 * resets the connection and answers with the ACK. VACCEL_EINVAL when it is
 * not a SYNC. */
int agent_sync_answer(struct agent_conn *c,
		      const uint8_t rest[VACCEL_VIRTIO_SYNC_LEN - RPC_HDR_SIZE]);
/* Scans for the next SYNC marker, resets the channel and answers it;
 * `skipped` counts garbage already consumed. Fails only when the stream
 * ends or breaks. */
int agent_serial_resync(struct agent_conn *c, uint64_t skipped);

/* table.c: the accounting table shared with the workers. */
/* Records per slot: --max-inflight (at least 1). */
uint32_t agent_slot_records(void);
/* Bytes of one slot with its records. */
size_t agent_slot_size(void);
/* Maps a table of `nr` slots (shared with future forks). */
int agent_table_create(uint32_t nr);
void agent_table_destroy(void);
/* A free slot's index (LIVE, no request recorded), or -1 when all are
 * used. */
int agent_table_claim(uint64_t conn_id);
/* Makes slot `index` LIVE for connection `conn_id` with no request
 * recorded (a virtio-serial channel's next worker). */
void agent_table_rearm(int index, uint64_t conn_id);
struct agent_slot *agent_table_slot(int index);
void agent_table_free(int index);
/* Connections still in their handshake (kept by the supervisor). */
void agent_table_set_unauthed(uint32_t n);
/* Totals over every served connection, and the number of connections in
 * their handshake. */
void agent_table_totals(struct rpc_stats *st);
/* Publishes the connection's counters in its slot. */
void agent_slot_publish(struct agent_conn *c);
void agent_slot_state(struct agent_conn *c, enum agent_slot_state s);
/* Records request `h` BUSY in a free record of the slot (c->rec): what
 * the supervisor answers if this process dies before replying. */
void agent_slot_request(struct agent_conn *c, const struct rpc_hdr *h);
/* c->rec's reply starts (REPLYING) or is out (SENT); called with the send
 * lock held. */
void agent_slot_reply(struct agent_conn *c, enum agent_req_state s);
/* The request of c->rec is over: its record is free again. */
void agent_slot_end(struct agent_conn *c);
/* Takes n units of `use` from the connection's tenant: VACCEL_OK, or the
 * error of that limit (VACCEL_EUSERS sessions, VACCEL_ENOSPC bytes,
 * VACCEL_EBUSY ops) with c->err set. Nothing to take without a tenant or
 * a shared table. */
int agent_tenant_take(struct agent_conn *c, enum agent_tenant_use use,
		      uint64_t n);
void agent_tenant_give(struct agent_conn *c, enum agent_tenant_use use,
		       uint64_t n);
/* Supervisor: gives what slot `index` held back to tenant t (its worker
 * is gone). */
void agent_tenant_reclaim(int index, int32_t t);
/* Zeroes tenant t's counters (a new tenant on a free index). */
void agent_tenant_use_reset(int32_t t);

/* conn.c */
/* A new connection on stream `s` (owned by it on success), with empty
 * tables: everything allocated before AUTH is this struct. NULL when out
 * of memory (then the caller still owns s). */
struct agent_conn *agent_conn_new(struct vaccel_stream *s);
/* Releases the connection's state and frees it, the stream closed; with
 * `close_stream` false only the struct goes (the connection was handed to
 * a worker, which owns the fd and the connection's files from then on). */
void agent_conn_free(struct agent_conn *c, bool close_stream);
/* Serves requests until the connection ends, then releases everything
 * the client owned (the connection itself stays for agent_conn_free). */
void agent_conn_serve(struct agent_conn *c);
/* Releases every session and resource the connection owns. */
void agent_conn_reset(struct agent_conn *c);

/* What the handshake gate says about a request header. */
enum agent_gate {
	/* Read the body (at most RPC_PREAUTH_MAX_BODY before the handshake
	 * ended) and handle it. */
	AGENT_GATE_HANDLE,
	/* Answer ERROR VACCEL_EACCES without reading the body, then close. */
	AGENT_GATE_REFUSE,
	/* Close without an answer (logged). */
	AGENT_GATE_CLOSE,
};
/* Applies the handshake rules (first HELLO; nothing but HELLO/AUTH before
 * AUTH; no big body before then) to the header `h`. Logs refusals. */
enum agent_gate agent_gate(struct agent_conn *c, const struct rpc_hdr *h);
/* Reads the next request of the connection: its header into *h, its body
 * into c->body. AGENT_HANDLE when the request is to be handled
 * (agent_handle), VACCEL_OK when it needed no handler (a dropped upload
 * chunk, an orphaned channel's answer), AGENT_CLOSE when the connection
 * ends (logged). */
int agent_conn_next(struct agent_conn *c, struct rpc_hdr *h);
/* Sends ERROR{code, msg} for req_id. AGENT_CLOSE when it cannot. */
int agent_send_error(struct agent_conn *c, uint64_t req_id, int code,
		     const char *msg);

/* mux.c: the requests of one connection, several at once. */
/* Serves the connection until it ends (up to --max-inflight ops at once,
 * each on its own thread); every thread has ended when it returns. */
void agent_mux_serve(struct agent_conn *c);
/* Waits until no op of the connection is running (harmless when it is
 * not being served). */
void agent_mux_drain(struct agent_conn *c);
/* Held around each frame sent on the connection. */
void agent_mux_send_lock(struct agent_conn *c);
void agent_mux_send_unlock(struct agent_conn *c);

/* Handles one complete request whose body is in c->body (the handler of
 * h->type, then an ERROR reply for a failure). AGENT_CLOSE ends the
 * connection. */
int agent_handle(struct agent_conn *c, const struct rpc_hdr *h);
/* Whether the handshake (HELLO, and AUTH when required) is complete. */
bool agent_handshake_done(const struct agent_conn *c);

/* Sends a successful reply: prefix (timestamps filled in here), the
 * encoded rest of the head, then payload iovecs. */
int agent_reply(struct agent_conn *c, const struct rpc_hdr *req,
		uint8_t *head, size_t head_len, struct iovec *payload,
		int nr_payload);

/* Lookups through the connection's own tables; another connection's ids
 * are simply unknown (VACCEL_ENOENT). */
struct agent_sess *agent_sess_find(struct agent_conn *c, int64_t id);
struct agent_res *agent_res_find(struct agent_conn *c, int64_t id);
/* Room for one more entry in a table (grown on demand). */
int agent_sess_reserve(struct agent_conn *c);
int agent_res_reserve(struct agent_conn *c);
/* Releases a resource of the table (and its files). */
void agent_res_drop(struct agent_conn *c, struct agent_res *r);

/* shm.c: the shared-memory data path (docs/protocol.md, 2b). */
/* Whether this connection may set up a region (UNIX socket, shm on). */
bool agent_shm_offered(const struct agent_conn *c);
int agent_on_shm_setup(struct agent_conn *c, const struct rpc_hdr *h);
/* Unmaps the region and gives its bytes back to the tenant. */
void agent_shm_release(struct agent_conn *c);
/* Points the region args of an OP of type `op` at the region after
 * checking them (VACCEL_EINVAL with c->err set): in bounds, aligned, not
 * a STRING, not the op type or EXEC_WITH_RESOURCE's resource id, write
 * args overlapping nothing. Read args of the image ops, whose plugins
 * decode them, get private copies. */
int agent_shm_op_args(struct agent_conn *c, struct rpc_op_req *m,
		      uint32_t op);
/* The same for TORCH_RUN input tensors. */
int agent_shm_tensors(struct agent_conn *c, struct rpc_tensor *t,
		      uint32_t nr);

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
