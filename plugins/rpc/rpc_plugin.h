/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Internals of libvaccel-rpc.so: one connection per process to the agent
 * at VACCEL_RPC_ADDRESS, shared by every session and thread: calls of
 * several threads are in flight on it at once (link.c).
 *
 * The connection is opened lazily by the first session_init. When it
 * breaks, the call in progress fails with VACCEL_EIO and a log line naming
 * the address, every session created over it becomes stale (its calls fail
 * the same way), and the next session_init reconnects. Each connection has
 * a generation number; sessions and uploaded resources remember the
 * generation they belong to.
 */
#ifndef VACCEL_RPC_PLUGIN_H
#define VACCEL_RPC_PLUGIN_H

#include "codec.h"
#include "conn.h"
#include "transport.h"
#include "vaccel.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#define RPCC_DEFAULT_ADDRESS "tcp://127.0.0.1:65500"

/* A session of ours: local id -> agent id. */
struct rpcc_sess {
	vaccel_id_t local;
	int64_t remote;
	uint64_t gen;
};

/* A resource uploaded to the agent: local id -> agent id, and how many of
 * our sessions it is registered with. */
struct rpcc_res {
	vaccel_id_t local;
	int64_t remote;
	uint64_t gen;
	unsigned int nr_sessions;
};

struct rpcc_xfer;

/* A part of the region that a call's item holds until the call ends. */
struct rpcc_span {
	uint64_t off, end;
	const struct rpcc_xfer *owner;
};

/* A link's shared-memory region (shm.c); base NULL when none. */
struct rpcc_shm {
	uint8_t *base;
	/* Bytes mapped, and the part the agent granted. */
	uint64_t mapped;
	uint64_t size;
	/* Items smaller than this travel on the socket. */
	uint64_t min_item;
	/* Guards the spans: the parts in use, sorted by offset. */
	pthread_mutex_t lock;
	struct rpcc_span *spans;
	size_t nr_spans, cap_spans;
};

/* Where one request item went: into the region at `off` (shm), whose
 * offset the body carries in `slot`, or inline. */
struct rpcc_item {
	bool shm;
	uint64_t off;
	uint8_t slot[8];
};

/* The connection to the agent, shared by every thread (link.c). */
struct rpcc_link {
	struct rpc_conn conn;
	/* Guards waiters and reading; broken is also read without it. */
	pthread_mutex_t lock;
	/* One frame (or one upload: recursive) on the stream at a time;
	 * next_req is counted under it. */
	pthread_mutex_t send;
	uint64_t next_req;
	_Atomic unsigned int refs;
	_Atomic bool broken;
	/* The agent said VACCEL_ESESS (its worker for this connection died):
	 * nothing more is sent, and the answers of the other calls in
	 * flight are still read; the last one breaks the link. */
	_Atomic bool retired;
	/* A call holds the reading token. */
	bool reading;
	/* Calls sent and waiting for their reply's header. */
	struct rpcc_xfer *waiters;
	/* HELLO (and AUTH) are done: reads have VACCEL_RPC_TIMEOUT_MS. */
	bool handshaken;
	/* The agent honours RPC_FLAG_SOLO (its HELLO reply said so). */
	bool solo_ok;
	/* The shared region agreed at set-up (shm.c). */
	struct rpcc_shm shm;
};

/* One request and its reply on a link. */
struct rpcc_xfer {
	struct rpcc_link *link;
	uint64_t id;
	/* The reply's header, once read. */
	struct rpc_hdr h;
	/* Reply body bytes not read yet (the call holds the token). */
	size_t left;
	bool queued, has_hdr, reading, sleeping;
	pthread_cond_t cv;
	struct rpcc_xfer *next;
};

struct rpcc {
	/* Guards the tables, the link pointer and peer_max_frame. A call
	 * that changes the tables (sessions, resources) holds it for its
	 * whole exchange; an op only while it looks its ids up. */
	pthread_mutex_t lock;
	char address[VACCEL_ADDR_MAX];
	/* NULL before the first session and after fini. */
	struct rpcc_link *link;
	uint64_t gen;
	/* The agent's max frame: nothing we send may be larger. */
	uint32_t peer_max_frame;
	/* Shared secret for agents that ask for AUTH (VACCEL_RPC_TOKEN or
	 * VACCEL_RPC_TOKEN_FILE); token_len 0 when none is configured. */
	uint8_t token[RPC_MAX_TOKEN];
	size_t token_len;
	/* How reads wait (wait.c): the handshake's bound, every later
	 * reply's bound (0: none), and the spin before sleeping (0: none). */
	int handshake_timeout_ms;
	int timeout_ms;
	uint32_t poll_us;

	struct rpcc_sess *sess;
	size_t nr_sess, cap_sess;
	struct rpcc_res *res;
	size_t nr_res, cap_res;

	/* Threads that ever sent an op: while there is one, its ops are sent
	 * with RPC_FLAG_SOLO (link.c). */
	_Atomic unsigned int callers;

	pthread_mutex_t prof_lock;
	struct vaccel_prof_region prof_transport;
	struct vaccel_prof_region prof_exec;
};

extern struct rpcc rpcc;

/* Reads the token from VACCEL_RPC_TOKEN or VACCEL_RPC_TOKEN_FILE into
 * rpcc (plugin init). VACCEL_OK when neither is set. */
int rpcc_token_load(void);

/* wait.c: reads VACCEL_RPC_TIMEOUT_MS, VACCEL_RPC_HANDSHAKE_TIMEOUT_MS and
 * VACCEL_RPC_POLL_US into rpcc (plugin init); VACCEL_EINVAL (logged) for a
 * malformed value. */
int rpcc_wait_load(void);

/* client.c */
/* Connects and handshakes unless connected (rpcc.lock held). */
int rpcc_ensure_connected(void);
/* Breaks the link after an I/O or protocol error: logs `what` with the
 * address and returns VACCEL_EIO (VACCEL_ETIMEDOUT when errno is
 * ETIMEDOUT: the agent did not answer within the read timeout). */
int rpcc_lost(struct rpcc_link *l, const char *what);
/* The same for a reply that breaks the protocol (EPROTO). */
int rpcc_bad_reply(struct rpcc_link *l, uint16_t type);

/* link.c: the shared connection and the calls in flight on it. */
/* A link over stream `s` (owned on success) with one reference. */
int rpcc_link_new(struct vaccel_stream *s, struct rpcc_link **out);
void rpcc_link_put(struct rpcc_link *l);
/* Marks the link broken, wakes every call waiting on it. */
void rpcc_link_break(struct rpcc_link *l);
/* The agent dropped the link's state (VACCEL_ESESS) in answer to x: no
 * new request goes out on it; once no other call waits for an answer it
 * is broken. */
void rpcc_link_retire(struct rpcc_xfer *x);
/* rpcc.link is there, not broken nor retired (rpcc.lock held). */
bool rpcc_connected(void);
/* Starts an exchange on `l` (taking a reference; with rpcc.lock held
 * when l is rpcc.link); every begin has its rpcc_xfer_end. */
void rpcc_xfer_begin(struct rpcc_xfer *x, struct rpcc_link *l);
void rpcc_xfer_end(struct rpcc_xfer *x);
/* Sends a request and waits for the reply header. On VACCEL_OK x->h is a
 * reply of the right type whose body the caller must read completely
 * (rpcc_recv*), which lets other threads read theirs. An ERROR reply is
 * read, logged and its code returned. */
int rpcc_call(struct rpcc_xfer *x, uint16_t type, const void *head,
	      size_t head_len, struct iovec *payload, int nr_payload);
/* The two halves of rpcc_call, for requests followed by more frames
 * (resource uploads: rpcc_send and the chunks inside rpcc_send_hold). */
int rpcc_send(struct rpcc_xfer *x, uint16_t type, const void *head,
	      size_t head_len, struct iovec *payload, int nr_payload);
int rpcc_send_chunk(struct rpcc_xfer *x, const void *head, size_t head_len,
		    struct iovec *payload);
/* rpcc_send of a small body with a descriptor (SHM_SETUP). */
int rpcc_send_fd(struct rpcc_xfer *x, uint16_t type, const void *head,
		 size_t head_len, int fd);
void rpcc_send_hold(struct rpcc_link *l);
void rpcc_send_release(struct rpcc_link *l);
int rpcc_wait(struct rpcc_xfer *x, uint16_t type);
/* Reads n bytes of the reply body into buf (NULL: drops them). */
int rpcc_recv(struct rpcc_xfer *x, void *buf, size_t n);
int rpcc_recv_iov(struct rpcc_xfer *x, struct iovec *iov, int n);
/* Reads the whole reply body, at most `cap` bytes, into buf. */
int rpcc_recv_body(struct rpcc_xfer *x, void *buf, size_t cap);
/* Imports the agent's timings into the profiling regions. */
void rpcc_prof(uint64_t t0, const struct rpc_reply_prefix *p);
/* Closes the connection and frees the tables (plugin fini). */
void rpcc_shutdown(void);

/* shm.c: the link's shared region (docs/protocol.md, 2b). */
/* Whether to ask for a region: a UNIX socket, VACCEL_RPC_SHM not 0. */
bool rpcc_shm_wanted(const struct rpcc_link *l);
/* SHM_SETUP on a new link (in its handshake). A refusal or a local
 * failure leaves no region (logged) and returns VACCEL_OK; only a lost
 * connection fails. */
int rpcc_shm_setup(struct rpcc_link *l);
/* Unmaps the region (the link's last reference went). */
void rpcc_shm_release(struct rpcc_link *l);
/* Adds one item of call x to the iovecs: copied into a free part of the
 * region when `may_shm`, it is big enough and a part that large is free
 * (it->shm; the body then carries it->slot, the offset; x holds the part
 * until rpcc_xfer_end), else its bytes and padding. Returns the new
 * iovec count; *body grows by the bytes the item adds to the body. */
int rpcc_item(struct rpcc_xfer *x, struct iovec *iov, int n,
	      const void *data, uint64_t size, bool may_shm,
	      struct rpcc_item *it, uint64_t *body);
const void *rpcc_shm_at(const struct rpcc_xfer *x, uint64_t off);
/* Lets go of the parts x holds (rpcc_xfer_end). */
void rpcc_shm_put(const struct rpcc_xfer *x);

/* Session table (session.c). Returns the agent id of a live (current
 * generation) session, VACCEL_EIO for a stale one, VACCEL_EINVAL when the
 * session is not ours. */
int rpcc_sess_remote(const struct vaccel_session *sess, int64_t *remote);
struct rpcc_sess *rpcc_sess_find(vaccel_id_t local);

/* Resource table (resource.c). */
struct rpcc_res *rpcc_res_find(vaccel_id_t local);

/* ops.c: forwards one OP; write args' `data` are the destinations. */
int rpcc_op(struct vaccel_session *sess, struct rpc_arg *rd, uint32_t nr_rd,
	    struct rpc_arg *wr, uint32_t nr_wr);

/* Hooks and ops exposed through the descriptor. */
int rpcc_session_init(struct vaccel_session *sess, uint32_t flags);
int rpcc_session_update(struct vaccel_session *sess, uint32_t flags);
int rpcc_session_release(struct vaccel_session *sess);
int rpcc_resource_register(struct vaccel_resource *res,
			   struct vaccel_session *sess);
int rpcc_resource_unregister(struct vaccel_resource *res,
			     struct vaccel_session *sess);
int rpcc_resource_sync(struct vaccel_resource *res,
		       struct vaccel_session *sess);
int rpcc_genop(struct vaccel_session *sess, struct vaccel_arg *read,
	       int nr_read, struct vaccel_arg *write, int nr_write);
int rpcc_torch_model_load(struct vaccel_session *sess,
			  struct vaccel_resource *model);
int rpcc_torch_model_run(struct vaccel_session *sess,
			 struct vaccel_resource *model,
			 const struct vaccel_torch_buffer *run_options,
			 struct vaccel_torch_tensor *const *inputs,
			 int nr_inputs, struct vaccel_torch_tensor **outputs,
			 int nr_outputs);

/* typed_ops.c: the typed ops, in struct vaccel_plugin_ops order. */
int rpcc_noop(struct vaccel_session *sess);
int rpcc_exec(struct vaccel_session *sess, const char *library,
	      const char *fn_symbol, struct vaccel_arg *read, size_t nr_read,
	      struct vaccel_arg *write, size_t nr_write);
int rpcc_exec_with_resource(struct vaccel_session *sess,
			    struct vaccel_resource *resource,
			    const char *fn_symbol, struct vaccel_arg *read,
			    size_t nr_read, struct vaccel_arg *write,
			    size_t nr_write);
int rpcc_image_classification(struct vaccel_session *sess, const void *img,
			      unsigned char *out_text,
			      unsigned char *out_imgname, size_t len_img,
			      size_t len_out_text, size_t len_out_imgname);
int rpcc_image_detection(struct vaccel_session *sess, const void *img,
			 unsigned char *out_imgname, size_t len_img,
			 size_t len_out_imgname);
int rpcc_image_segmentation(struct vaccel_session *sess, const void *img,
			    unsigned char *out_imgname, size_t len_img,
			    size_t len_out_imgname);
int rpcc_image_pose(struct vaccel_session *sess, const void *img,
		    unsigned char *out_imgname, size_t len_img,
		    size_t len_out_imgname);
int rpcc_image_depth(struct vaccel_session *sess, const void *img,
		     unsigned char *out_imgname, size_t len_img,
		     size_t len_out_imgname);
int rpcc_blas_sgemm(struct vaccel_session *sess, int64_t m, int64_t n,
		    int64_t k, float alpha, float *a, int64_t lda, float *b,
		    int64_t ldb, float beta, float *c, int64_t ldc);
int rpcc_fpga_arraycopy(struct vaccel_session *sess, int array[],
			int out_array[], size_t len_array);
int rpcc_fpga_mmult(struct vaccel_session *sess, float a_array[],
		    float b_array[], float c_array[], size_t len_a);
int rpcc_fpga_parallel(struct vaccel_session *sess, float a_array[],
		       float b_array[], float add_output[],
		       float mult_output[], size_t len_a);
int rpcc_fpga_vadd(struct vaccel_session *sess, float a[], float b[],
		   float c[], size_t len_a, size_t len_b);
int rpcc_minmax(struct vaccel_session *sess, const double *indata,
		int ndata, int low_threshold, int high_threshold,
		double *outdata, double *min, double *max);
int rpcc_opencv(struct vaccel_session *sess, struct vaccel_arg *read,
		int nr_read, struct vaccel_arg *write, int nr_write);

#endif /* VACCEL_RPC_PLUGIN_H */
