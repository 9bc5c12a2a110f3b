/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Pure encode/decode of RPC frames and message bodies (see wire.h and
 * docs/protocol.md). Nothing here does I/O, so the same code serves the
 * plugin, the agent, the unit tests and the fuzz targets.
 *
 * Encoders write the fixed part of a message into a caller buffer; bulk
 * payloads (argument data, blob chunks, tensor data) are never copied: the
 * caller sends them as extra iovecs straight from its own memory.
 *
 * Decoders validate every length, count and type against the body they are
 * given before anything is used, log the first problem (naming the field and
 * the sizes) and return VACCEL_EINVAL. Decoded pointers (`data`, `name`,
 * `msg`) point into the caller's body buffer and live as long as it does.
 * Arrays a decoder allocates are freed by the matching _release function,
 * which is harmless on a zeroed struct.
 */
#ifndef VACCEL_RPC_CODEC_H
#define VACCEL_RPC_CODEC_H

#include "wire.h"
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Bounded little-endian writer over caller memory. Once a put would run
 * past `cap`, `overflow` is set and later puts are ignored. */
struct rpc_wbuf {
	uint8_t *p;
	size_t len;
	size_t cap;
	bool overflow;
};

/* Bounded little-endian reader. A get past the end sets `err`, returns 0
 * and leaves the position alone. */
struct rpc_rbuf {
	const uint8_t *p;
	size_t len;
	size_t pos;
	bool err;
};

void rpc_wbuf_init(struct rpc_wbuf *w, void *buf, size_t cap);
void rpc_put_u16(struct rpc_wbuf *w, uint16_t v);
void rpc_put_u32(struct rpc_wbuf *w, uint32_t v);
void rpc_put_u64(struct rpc_wbuf *w, uint64_t v);
void rpc_put_bytes(struct rpc_wbuf *w, const void *src, size_t n);

void rpc_rbuf_init(struct rpc_rbuf *r, const void *buf, size_t len);
uint16_t rpc_get_u16(struct rpc_rbuf *r);
uint32_t rpc_get_u32(struct rpc_rbuf *r);
uint64_t rpc_get_u64(struct rpc_rbuf *r);
/* Returns a pointer to the next n bytes and skips them, or NULL (err set). */
const void *rpc_get_bytes(struct rpc_rbuf *r, size_t n);
size_t rpc_rbuf_left(const struct rpc_rbuf *r);

/* Frame header. */
struct rpc_hdr {
	uint32_t length;
	uint16_t type;
	uint16_t flags;
	uint64_t req_id;
};

void rpc_hdr_encode(uint8_t out[RPC_HDR_SIZE], const struct rpc_hdr *h);
/* Checks the flags (none but RPC_FLAG_SOLO on OP and TORCH_RUN), a known
 * type and length <= max_frame. */
int rpc_hdr_decode(const uint8_t in[RPC_HDR_SIZE], uint32_t max_frame,
		   struct rpc_hdr *h);
/* True for the request types and their replies, and ERROR. */
bool rpc_msg_type_valid(uint16_t type);
const char *rpc_msg_type_name(uint16_t type);

/* HELLO (request and reply body after the reply prefix). */
struct rpc_hello {
	uint32_t magic;
	uint16_t major;
	uint16_t minor;
	uint32_t max_frame;
	uint32_t flags;
};

size_t rpc_hello_encode(void *out, size_t cap, const struct rpc_hello *h);
/* Decodes without judging the version; rpc_hello_check() does that. */
int rpc_hello_decode(const void *in, size_t len, struct rpc_hello *h);
/* VACCEL_OK when the peer speaks our protocol: magic and major version
 * equal. Else VACCEL_ENOTSUP with a log line naming both versions. */
int rpc_hello_check(const struct rpc_hello *peer);

/* AUTH: u32 token_len, u32 0, token bytes; answered by an empty reply or
 * by ERROR VACCEL_EACCES (then the agent closes the connection). Encode
 * returns 0 for an empty or too long token. Decode points `token` into
 * `in`. */
struct rpc_auth {
	uint32_t len;
	const uint8_t *token;
};

size_t rpc_auth_encode(void *out, size_t cap, const void *token, size_t len);
int rpc_auth_decode(const void *in, size_t len, struct rpc_auth *a);

/* SHM_SETUP: u64 size, u32 flags (0), u32 reserved (0); the memfd
 * travels beside it (SCM_RIGHTS). Reply: prefix, u64 granted size. */
size_t rpc_shm_setup_encode(void *out, size_t cap, uint64_t size);
int rpc_shm_setup_decode(const void *in, size_t len, uint64_t *size);

/* Prefix of every successful reply. */
struct rpc_reply_prefix {
	uint64_t t_recv;
	uint64_t t_reply;
	uint64_t t_exec;
};

void rpc_reply_prefix_put(struct rpc_wbuf *w, const struct rpc_reply_prefix *p);
void rpc_reply_prefix_get(struct rpc_rbuf *r, struct rpc_reply_prefix *p);

/* ERROR body: i32 code, u32 msg_len, msg (not NUL-terminated on the wire;
 * decode copies it NUL-terminated into `msg`). */
struct rpc_error {
	int32_t code;
	char msg[RPC_MAX_ERRMSG + 1];
};

size_t rpc_error_encode(void *out, size_t cap, int code, const char *msg);
int rpc_error_decode(const void *in, size_t len, struct rpc_error *e);

/* SESS_CREATE (flags), SESS_UPDATE (sess_id, flags), SESS_DESTROY
 * (sess_id): one struct, each message encodes the fields it needs. */
struct rpc_sess_req {
	int64_t sess_id;
	uint32_t flags;
};

size_t rpc_sess_req_encode(void *out, size_t cap, uint16_t type,
			   const struct rpc_sess_req *s);
int rpc_sess_req_decode(const void *in, size_t len, uint16_t type,
			struct rpc_sess_req *s);

/* RES_UNREGISTER, RES_SYNC, TORCH_LOAD: i64 sess_id, i64 res_id. */
struct rpc_res_req {
	int64_t sess_id;
	int64_t res_id;
};

size_t rpc_res_req_encode(void *out, size_t cap, const struct rpc_res_req *r);
int rpc_res_req_decode(const void *in, size_t len, struct rpc_res_req *r);

/* Replies carrying one id (SESS_CREATE, RES_REGISTER): prefix + i64. */
size_t rpc_id_reply_encode(void *out, size_t cap,
			   const struct rpc_reply_prefix *p, int64_t id);
int rpc_id_reply_decode(const void *in, size_t len,
			struct rpc_reply_prefix *p, int64_t *id);

/* Empty replies: the prefix alone. */
size_t rpc_empty_reply_encode(void *out, size_t cap,
			      const struct rpc_reply_prefix *p);
int rpc_empty_reply_decode(const void *in, size_t len,
			   struct rpc_reply_prefix *p);

/* RES_REGISTER: i64 sess_id, i64 res_id (0 = new: blobs follow as
 * RES_CHUNK frames), u32 res_type, u32 nr_blobs, then per blob a
 * RPC_BLOB_DESC_SIZE record and its name bytes. */
struct rpc_blob_desc {
	uint32_t type;
	uint32_t name_len;
	uint64_t size;
	const char *name;
};

struct rpc_res_register {
	int64_t sess_id;
	int64_t res_id;
	uint32_t res_type;
	uint32_t nr_blobs;
	struct rpc_blob_desc *blobs;
};

/* Encoded size of the message, or 0 when it breaks a limit. */
size_t rpc_res_register_size(const struct rpc_res_register *m);
size_t rpc_res_register_encode(void *out, size_t cap,
			       const struct rpc_res_register *m);
/* Allocates m->blobs; names are checked to be 1..RPC_MAX_NAME bytes
 * without '/' or NUL and not "." or "..". The sum of blob sizes must not
 * overflow. */
int rpc_res_register_decode(const void *in, size_t len,
			    struct rpc_res_register *m);
void rpc_res_register_release(struct rpc_res_register *m);

/* RES_CHUNK head; the chunk data follow up to the end of the body. */
struct rpc_chunk {
	uint32_t blob;
	uint64_t offset;
	const void *data;
	uint64_t len;
};

size_t rpc_chunk_head_encode(void *out, size_t cap, uint32_t blob,
			     uint64_t offset);
int rpc_chunk_decode(const void *in, size_t len, struct rpc_chunk *c);

/* OP request: i64 sess_id, u32 nr_read, u32 nr_write, nr_read then
 * nr_write RPC_ARG_DESC_SIZE records, then the read data back to back,
 * then the data of RPC_ARG_INOUT write args (each item padded to
 * RPC_ALIGN). Other write args travel as sizes only. */
struct rpc_arg {
	uint32_t type;
	uint16_t flags;
	uint32_t custom_id;
	uint64_t size;
	const void *data;
	/* RPC_ARG_SHM: the item's offset in the shared region (decode sets
	 * it, data stays NULL; the agent resolves it, agent/shm.c). */
	uint64_t shm_off;
};

struct rpc_op_req {
	int64_t sess_id;
	uint32_t nr_read;
	uint32_t nr_write;
	struct rpc_arg *read;
	struct rpc_arg *write;
};

/* Size of the fixed part (everything before the read data). */
size_t rpc_op_req_head_size(uint32_t nr_read, uint32_t nr_write);
/* Writes the fixed part; the read data are sent by the caller. */
size_t rpc_op_req_head_encode(void *out, size_t cap,
			      const struct rpc_op_req *m);
/* Allocates m->read and m->write (one block); read data and INOUT write
 * data must fill the rest of the body exactly. */
int rpc_op_req_decode(const void *in, size_t len, struct rpc_op_req *m);
void rpc_op_req_release(struct rpc_op_req *m);

/* OP reply: prefix, u32 nr_write, u32 0, nr_write u64 sizes, then the
 * write data back to back. */
size_t rpc_op_reply_head_size(uint32_t nr_write);
size_t rpc_op_reply_head_encode(void *out, size_t cap,
				const struct rpc_reply_prefix *p,
				uint32_t nr_write, const uint64_t *sizes);
/* Decodes the fixed part of a reply from `in` (at least
 * rpc_op_reply_head_size(expect_nr) bytes). Fails when nr_write differs
 * from expect_nr or when the sizes do not add up to body_len. `wr` (NULL:
 * none) are the request's write args: those with RPC_ARG_SHM came back in
 * the region, their data are not in the body. */
int rpc_op_reply_head_decode(const void *in, size_t len, size_t body_len,
			     uint32_t expect_nr, const struct rpc_arg *wr,
			     struct rpc_reply_prefix *p, uint64_t *sizes);

/* Torch tensors: u32 dtype, u16 nr_dims, u16 flags, u64 size, nr_dims
 * i64 dims. Flags (RPC_TENSOR_SHM) only on TORCH_RUN inputs. */
struct rpc_tensor {
	uint32_t dtype;
	uint32_t nr_dims;
	uint64_t size;
	int64_t dims[RPC_MAX_DIMS];
	const void *data;
	uint16_t flags;
	/* RPC_TENSOR_SHM: offset of the data in the shared region. */
	uint64_t shm_off;
};

/* TORCH_RUN: i64 sess_id, i64 res_id, u32 nr_in, u32 nr_out,
 * u64 opts_len, nr_in tensor descriptors, opts bytes, tensor data (opts
 * and each tensor padded to RPC_ALIGN). */
struct rpc_torch_run {
	int64_t sess_id;
	int64_t res_id;
	uint32_t nr_in;
	uint32_t nr_out;
	uint64_t opts_len;
	const void *opts;
	struct rpc_tensor *in;
};

size_t rpc_torch_run_head_size(const struct rpc_torch_run *m);
/* Writes everything up to (not including) opts and tensor data. */
size_t rpc_torch_run_head_encode(void *out, size_t cap,
				 const struct rpc_torch_run *m);
int rpc_torch_run_decode(const void *in, size_t len, struct rpc_torch_run *m);
void rpc_torch_run_release(struct rpc_torch_run *m);

/* TORCH_RUN reply: prefix, u32 nr_out, u32 0, descriptors, data. */
size_t rpc_tensors_reply_head_size(const struct rpc_tensor *t, uint32_t nr);
size_t rpc_tensors_reply_head_encode(void *out, size_t cap,
				     const struct rpc_reply_prefix *p,
				     const struct rpc_tensor *t, uint32_t nr);
/* Allocates *t (nr entries, data pointing into `in`). */
int rpc_tensors_reply_decode(const void *in, size_t len,
			     struct rpc_reply_prefix *p, struct rpc_tensor **t,
			     uint32_t *nr);

/* RES_SYNC reply: prefix, u32 nr_blobs, u32 0, nr u64 sizes, data. The
 * same layout as the OP reply. */

/* STATS reply: prefix, u32 connections, u32 unauthenticated,
 * u64 sessions, u64 resources, u64 upload_bytes, u64 shm_bytes,
 * u64 shm_items. */
struct rpc_stats {
	uint32_t connections;
	/* Connections still in their handshake (agent-wide view only). */
	uint32_t unauthenticated;
	uint64_t sessions;
	uint64_t resources;
	uint64_t upload_bytes;
	/* Bytes of shared regions mapped, and items (args, tensors) that
	 * travelled through them. */
	uint64_t shm_bytes;
	uint64_t shm_items;
};

size_t rpc_stats_reply_encode(void *out, size_t cap,
			      const struct rpc_reply_prefix *p,
			      const struct rpc_stats *s);
int rpc_stats_reply_decode(const void *in, size_t len,
			   struct rpc_reply_prefix *p, struct rpc_stats *s);

/* PROF reply: prefix, u32 nr, u32 0, then per region u32 name_len,
 * u32 0, u64 total_ns, u64 nr_entries, name bytes. */
struct rpc_prof_entry {
	char name[64];
	uint64_t total_ns;
	uint64_t nr_entries;
};

size_t rpc_prof_reply_encode(void *out, size_t cap,
			     const struct rpc_reply_prefix *p,
			     const struct rpc_prof_entry *e, uint32_t nr);
/* Allocates *e. */
int rpc_prof_reply_decode(const void *in, size_t len,
			  struct rpc_reply_prefix *p,
			  struct rpc_prof_entry **e, uint32_t *nr);

#endif /* VACCEL_RPC_CODEC_H */
