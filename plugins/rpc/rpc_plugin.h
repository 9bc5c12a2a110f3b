/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Internals of libvaccel-rpc.so: one connection per process to the agent
 * at VACCEL_RPC_ADDRESS, shared by every session and serialized by one
 * mutex (a call holds it from send to the end of its reply).
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

struct rpcc {
	pthread_mutex_t lock;
	char address[VACCEL_ADDR_MAX];
	struct rpc_conn conn;
	bool connected;
	uint64_t gen;
	uint64_t next_req;
	/* The agent's max frame: nothing we send may be larger. */
	uint32_t peer_max_frame;
	/* Shared secret for agents that ask for AUTH (VACCEL_RPC_TOKEN or
	 * VACCEL_RPC_TOKEN_FILE); token_len 0 when none is configured. */
	uint8_t token[RPC_MAX_TOKEN];
	size_t token_len;

	struct rpcc_sess *sess;
	size_t nr_sess, cap_sess;
	struct rpcc_res *res;
	size_t nr_res, cap_res;

	struct vaccel_prof_region prof_transport;
	struct vaccel_prof_region prof_exec;
};

extern struct rpcc rpcc;

/* Reads the token from VACCEL_RPC_TOKEN or VACCEL_RPC_TOKEN_FILE into
 * rpcc (plugin init). VACCEL_OK when neither is set. */
int rpcc_token_load(void);

/* client.c (all with rpcc.lock held) */
int rpcc_ensure_connected(void);
/* Drops the connection after an I/O or protocol error: logs `what` with
 * the address once and returns VACCEL_EIO. */
int rpcc_lost(const char *what);
/* Sends a request and waits for the reply header. On VACCEL_OK *reply is
 * a reply of the right type and req id whose body the caller must read
 * completely. An ERROR reply is read, logged and its code returned. */
int rpcc_call(uint16_t type, const void *head, size_t head_len,
	      struct iovec *payload, int nr_payload, struct rpc_hdr *reply);
/* The two halves of rpcc_call, for requests followed by more frames
 * (resource uploads). */
int rpcc_send(uint16_t type, const void *head, size_t head_len,
	      struct iovec *payload, int nr_payload, uint64_t *req_id);
int rpcc_wait(uint16_t type, uint64_t req_id, struct rpc_hdr *reply);
/* Reads a whole reply body of at most `cap` bytes into buf. */
int rpcc_recv_body(const struct rpc_hdr *h, void *buf, size_t cap);
/* Imports the agent's timings into the profiling regions. */
void rpcc_prof(uint64_t t0, const struct rpc_reply_prefix *p);
/* Closes the connection and frees the tables (plugin fini). */
void rpcc_shutdown(void);

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
