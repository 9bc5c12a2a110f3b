/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Byte layout of the vAccel RPC protocol (docs/protocol.md is the prose
 * version of this file; keep both in step).
 *
 * Every integer on the wire is little-endian. A frame is a 16-byte header
 * followed by `length` body bytes:
 *
 *   off size field
 *     0    4 length   body bytes after the header (<= negotiated max frame)
 *     4    2 type     RPC_MSG_*
 *     6    2 flags    0 (reserved; a non-zero value is a protocol error)
 *     8    8 req_id   chosen by the client, echoed in the reply
 *
 * Replies to request type T have type T | RPC_MSG_REPLY and start with the
 * 24-byte reply prefix (agent timestamps). A failed request is answered by
 * RPC_MSG_ERROR instead, with the same req_id.
 */
#ifndef VACCEL_RPC_WIRE_H
#define VACCEL_RPC_WIRE_H

#include <stdint.h>

#define RPC_HDR_SIZE 16u

/* "vAcR" read as a little-endian u32; first field of HELLO. */
#define RPC_MAGIC 0x52634176u
#define RPC_VERSION_MAJOR 1u
#define RPC_VERSION_MINOR 0u

/* Message types. Requests are < 0x80; replies set the top bit. */
#define RPC_MSG_LIST(X)                  \
	X(RPC_MSG_HELLO, 0x01)           \
	X(RPC_MSG_SESS_CREATE, 0x02)     \
	X(RPC_MSG_SESS_UPDATE, 0x03)     \
	X(RPC_MSG_SESS_DESTROY, 0x04)    \
	X(RPC_MSG_RES_REGISTER, 0x05)    \
	X(RPC_MSG_RES_CHUNK, 0x06)       \
	X(RPC_MSG_RES_UNREGISTER, 0x07)  \
	X(RPC_MSG_RES_SYNC, 0x08)        \
	X(RPC_MSG_OP, 0x09)              \
	X(RPC_MSG_TORCH_LOAD, 0x0a)      \
	X(RPC_MSG_TORCH_RUN, 0x0b)       \
	X(RPC_MSG_STATS, 0x0c)           \
	X(RPC_MSG_PROF, 0x0d)            \
	X(RPC_MSG_AUTH, 0x0e)            \
	X(RPC_MSG_SHM_SETUP, 0x0f)       \
	X(RPC_MSG_ERROR, 0x7f)

#define RPC__MSG_ENUM(name, value) name = (value),
enum rpc_msg_type { RPC_MSG_LIST(RPC__MSG_ENUM) };
#undef RPC__MSG_ENUM

#define RPC_MSG_REPLY 0x80u

/* Reply prefix: u64 t_recv, u64 t_reply, u64 t_exec (ns, CLOCK_MONOTONIC
 * on the agent; t_exec is the duration the host plugin ran). */
#define RPC_REPLY_PREFIX_SIZE 24u

/* HELLO body: u32 magic, u16 major, u16 minor, u32 max_frame, u32 flags. */
#define RPC_HELLO_SIZE 16u

/* HELLO reply flag: the agent wants an AUTH message (shared-secret token)
 * before anything else; without one every other request closes the
 * connection. */
#define RPC_HELLO_AUTH 0x1u
/* HELLO reply flag: the agent honours RPC_FLAG_SOLO. */
#define RPC_HELLO_SOLO 0x2u

/* Frame header flag, allowed on OP and TORCH_RUN requests only (sent only
 * to an agent that set RPC_HELLO_SOLO): the client sends nothing more on
 * the connection until this request is answered, so the agent may run it
 * on the thread that read it instead of handing the reading over to
 * another (docs/protocol.md, "Request ids and ordering"). */
#define RPC_FLAG_SOLO 0x1u

/* HELLO flag: client, it would like a shared-memory region; agent, it
 * accepts SHM_SETUP on this connection (a UNIX socket, shm not turned
 * off). */
#define RPC_HELLO_SHM 0x4u

/* AUTH body: u32 token_len (1..RPC_MAX_TOKEN), u32 0, token bytes. */
#define RPC_AUTH_HEAD_SIZE 8u
#define RPC_MAX_TOKEN 1024u

/* The largest body the agent reads from a peer that has not finished its
 * HELLO (and AUTH, when a token is set): an unauthenticated peer can never
 * make the agent allocate more than this. */
#define RPC_PREAUTH_MAX_BODY 4096u

/* Limits that hold whatever the agent's flags say. */
#define RPC_FRAME_MIN 4096u            /* smallest max_frame a peer may ask */
#define RPC_FRAME_DEFAULT (4u << 20)   /* 4 MiB */
#define RPC_FRAME_HARD_MAX (64u << 20) /* no frame is ever larger */
#define RPC_CHUNK_DEFAULT (1u << 20)   /* upload chunk payload */
#define RPC_CHUNK_MAX RPC_CHUNK_DEFAULT /* larger chunk data: protocol error */
#define RPC_MAX_ARGS 1024u             /* read or write args of one op */
#define RPC_MAX_BLOBS 256u             /* blobs of one resource */
#define RPC_MAX_NAME 255u              /* blob name bytes */
#define RPC_MAX_ERRMSG 1024u           /* error message bytes */
#define RPC_MAX_TENSORS 256u           /* tensors of one torch run */
#define RPC_MAX_DIMS 16u               /* dims of one tensor */
#define RPC_MAX_PROF 64u               /* profiling regions in a reply */

/* Payload items of requests (OP read and in-out data, TORCH_RUN options
 * and tensor data) are each followed by zero padding up to a multiple of
 * RPC_ALIGN bytes, so that the agent can use them in place with their
 * natural alignment. */
#define RPC_ALIGN 8u
#define RPC_PAD(n) ((RPC_ALIGN - ((n) % RPC_ALIGN)) % RPC_ALIGN)

/* Fixed record sizes. */
#define RPC_ARG_DESC_SIZE 16u    /* u16 type, u16 flags, u32 custom_id, u64 size */

/* Arg descriptor flags. INOUT (write args only): the caller's current
 * contents travel with the request, after the read data, because the op
 * reads them too (sgemm's C when beta != 0). */
#define RPC_ARG_INOUT 0x1u
/* Arg descriptor flag (read and write args): the data are in the
 * connection's shared-memory region; the body carries a u64 offset into
 * the region in place of the data (docs/protocol.md, section 2b). */
#define RPC_ARG_SHM 0x2u
/* Tensor descriptor flag (TORCH_RUN inputs): the same for tensor data. */
#define RPC_TENSOR_SHM 0x1u
/* SHM_SETUP body: u64 size, u32 flags (0), u32 reserved (0), with the
 * region's memfd attached (SCM_RIGHTS). Reply: prefix, u64 granted. */
#define RPC_SHM_SETUP_SIZE 16u
/* Offsets of shm items are multiples of this. */
#define RPC_SHM_ALIGN 8u
#define RPC_BLOB_DESC_SIZE 16u   /* u32 type, u32 name_len, u64 size (+name) */
#define RPC_CHUNK_HEAD_SIZE 16u  /* u32 blob, u32 reserved, u64 offset */
#define RPC_TENSOR_DESC_SIZE 16u /* u32 dtype, u32 nr_dims, u64 size (+dims) */

#endif /* VACCEL_RPC_WIRE_H */
