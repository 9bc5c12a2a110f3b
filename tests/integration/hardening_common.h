/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Helpers shared by the hardening, isolation and fault-injection tests:
 * hand-built requests for a raw protocol connection (rpc_common.h), and a
 * client process that bootstraps the real rpc plugin with a given
 * environment and reports the result of one call as its exit status.
 */
#ifndef VACCEL_TEST_HARDENING_COMMON_H
#define VACCEL_TEST_HARDENING_COMMON_H

#include "rpc_common.h"

#include "dir_entries.h"
#include <sys/stat.h>

/* Encodes an OP body: op type (UINT8), then `nr_extra` INT64 read args,
 * and one INT32 write arg unless the op is NOOP. Returns the body
 * length. */
static inline size_t hard_op_body(uint8_t *out, size_t cap, int64_t sess,
				  uint8_t op, const int64_t *extra,
				  uint32_t nr_extra)
{
	struct rpc_arg rd[4], wr = { VACCEL_ARG_INT32, 0, 0, 4, NULL, 0 };
	struct rpc_op_req m = { sess, 1 + nr_extra, op != VACCEL_OP_NOOP, rd,
				&wr };
	struct rpc_wbuf w;
	size_t n;

	rd[0] = (struct rpc_arg){ VACCEL_ARG_UINT8, 0, 0, 1, &op, 0 };
	for (uint32_t i = 0; i < nr_extra && i < 3; i++)
		rd[1 + i] = (struct rpc_arg){ VACCEL_ARG_INT64, 0, 0, 8,
					      &extra[i], 0 };
	n = rpc_op_req_head_encode(out, cap, &m);
	rpc_wbuf_init(&w, out + n, cap - n);
	rpc_put_bytes(&w, &op, 1);
	rpc_put_bytes(&w, "\0\0\0\0\0\0\0", 7);
	for (uint32_t i = 0; i < nr_extra && i < 3; i++)
		rpc_put_u64(&w, (uint64_t)extra[i]);
	return w.overflow ? 0 : n + w.len;
}

/* A raw call that returns the ERROR code (0 on a reply of the right
 * type, -1 when the connection broke) and leaves the message in msg. */
static inline int hard_call(struct raw *r, uint16_t type, const void *body,
			    size_t len, char *msg, size_t msg_cap,
			    uint8_t *reply, size_t *got)
{
	static uint8_t buf[1 << 16];
	size_t n = 0;
	int code = 0;
	int t = raw_call(r, type, body, len, buf, sizeof(buf), &n, &code);

	if (msg && msg_cap)
		msg[0] = '\0';
	if (t < 0)
		return -1;
	if (t == RPC_MSG_ERROR) {
		if (msg && msg_cap) {
			size_t k = strnlen((char *)buf, msg_cap - 1);

			memcpy(msg, buf, k);
			msg[k] = '\0';
		}
		return code;
	}
	if (t != (int)(type | RPC_MSG_REPLY))
		return -1;
	if (reply && got) {
		memcpy(reply, buf, n);
		*got = n;
	}
	return 0;
}

/* Creates a session on a raw connection; returns its id or -1. */
static inline int64_t hard_sess_create(struct raw *r)
{
	struct rpc_sess_req q = { 0, 0 };
	struct rpc_reply_prefix p;
	uint8_t buf[64], reply[64];
	size_t n = rpc_sess_req_encode(buf, sizeof(buf), RPC_MSG_SESS_CREATE,
				       &q), got = 0;
	int64_t id;

	if (hard_call(r, RPC_MSG_SESS_CREATE, buf, n, NULL, 0, reply, &got) ||
	    rpc_id_reply_decode(reply, got, &p, &id))
		return -1;
	return id;
}

/* Uploads a resource of `nr` blobs (type btype, `size` bytes each) on a
 * raw connection; returns the agent id, or -(error code). */
static inline int64_t hard_upload(struct raw *r, int64_t sess,
				  uint32_t btype, uint32_t nr, uint64_t size)
{
	static uint8_t chunk[RPC_CHUNK_HEAD_SIZE + 4096];
	struct rpc_blob_desc b[4];
	struct rpc_res_register m = { sess, 0, VACCEL_RESOURCE_DATA, nr, b };
	static const char *names[] = { "b0.bin", "b1.bin", "b2.bin",
				       "b3.bin" };
	struct rpc_reply_prefix p;
	uint8_t buf[1024];
	struct rpc_hdr h;
	struct rpc_error e;
	uint64_t req = 777000 + r->next++;
	size_t n;
	int64_t id;

	for (uint32_t i = 0; i < nr && i < 4; i++)
		b[i] = (struct rpc_blob_desc){ btype, 6, size, names[i] };
	n = rpc_res_register_encode(buf, sizeof(buf), &m);
	if (!n || rpc_conn_send(&r->c, RPC_MSG_RES_REGISTER, req, buf, n, NULL,
				0))
		return -VACCEL_EIO;
	for (uint32_t i = 0; i < nr; i++) {
		for (uint64_t off = 0; off < size; off += 4096) {
			size_t len = size - off < 4096 ? size - off : 4096;

			rpc_chunk_head_encode(chunk, RPC_CHUNK_HEAD_SIZE, i,
					      off);
			memset(chunk + RPC_CHUNK_HEAD_SIZE, 'a' + (int)i, len);
			if (rpc_conn_send(&r->c, RPC_MSG_RES_CHUNK, req, chunk,
					  RPC_CHUNK_HEAD_SIZE + len, NULL, 0))
				return -VACCEL_EIO;
		}
	}
	if (rpc_conn_recv_hdr(&r->c, &h) || h.req_id != req ||
	    h.length > sizeof(buf) || rpc_conn_recv(&r->c, buf, h.length))
		return -VACCEL_EIO;
	if (h.type == RPC_MSG_ERROR)
		return rpc_error_decode(buf, h.length, &e) ? -VACCEL_EIO :
							     -e.code;
	if (rpc_id_reply_decode(buf, h.length, &p, &id))
		return -VACCEL_EIO;
	return id;
}

/* The number of agent work directories inside `tmpdir` (agents ran with
 * TMPDIR=tmpdir): "tmpdir/vaccel-agent.XXXXXX"; the last one found goes to
 * `out` when it is not NULL. Only those count: libvaccel's own run
 * directory may or may not be in TMPDIR (/run/user/<uid> comes first). */
static inline int hard_agent_workdirs(const char *tmpdir, char *out,
				      size_t cap)
{
	return test_dir_entries(tmpdir, "vaccel-agent.", out, cap);
}

static inline bool hard_agent_workdir(const char *tmpdir, char *out,
				      size_t cap)
{
	return hard_agent_workdirs(tmpdir, out, cap) > 0;
}

/* A client's whole life through the rpc plugin: a session, one noop;
 * the first failure's code (for hard_in_client). */
static inline int hard_noop_client(void *arg)
{
	struct vaccel_session s;
	int ret;

	(void)arg;
	ret = vaccel_session_init(&s, VACCEL_PLUGIN_REMOTE);
	if (ret)
		return ret;
	ret = vaccel_noop(&s);
	vaccel_session_release(&s);
	return ret;
}

/* Runs `fn` in a child process that bootstrapped the rpc plugin for
 * `addr` with the current environment; returns fn's result (0..255) or
 * -1 when the child crashed. */
static inline int hard_in_client(const char *addr, int (*fn)(void *),
				  void *arg)
{
	pid_t pid;
	int st;

	fflush(NULL);
	pid = test_fork();
	if (pid == 0) {
		struct vaccel_config cfg;
		int ret;

		setenv("VACCEL_RPC_ADDRESS", addr, 1);
		vaccel_config_init(&cfg, getenv("VACCEL_TEST_RPC_PLUGIN"),
				   VACCEL_LOG_ERROR, NULL, false, false);
		ret = vaccel_bootstrap_with_config(&cfg);
		vaccel_config_release(&cfg);
		if (ret)
			_exit(ret & 0xff);
		ret = fn(arg);
		vaccel_cleanup();
		_exit(ret & 0xff);
	}
	if (pid < 0 || waitpid(pid, &st, 0) != pid || !WIFEXITED(st))
		return -1;
	return WEXITSTATUS(st);
}

/* A check inside a client child (hard_in_client): counts a failure in
 * `fails` (atomically: the child may run threads) and names it with the
 * thread's last vAccel error. */
#define HARD_CHILD_CHECK(fails, cond)                                        \
	do {                                                                 \
		if (!(cond)) {                                               \
			fprintf(stderr, "%s:%d: child check failed: %s (%s)\n", \
				__FILE__, __LINE__, #cond,                   \
				vaccel_last_error_message());                \
			__atomic_add_fetch(&(fails), 1, __ATOMIC_RELAXED);   \
		}                                                            \
	} while (0)

#endif /* VACCEL_TEST_HARDENING_COMMON_H */
