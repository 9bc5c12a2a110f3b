// SPDX-License-Identifier: Apache-2.0
/*
 * Op forwarding. The raw genop hook and every typed non-torch op become
 * one OP message in the genop layout of include/vaccel/ops/genop.h; the
 * agent runs it with vaccel_genop() on its session. Read data are sent
 * from the caller's buffers and write data are received straight into
 * them.
 */
#include "rpc_plugin.h"

#include <stdlib.h>
#include <string.h>

static const uint8_t zeros[RPC_ALIGN];

/* Adds an item and its alignment padding to the iovec list. */
static int add_item(struct iovec *iov, int n, const void *data, size_t size)
{
	if (size)
		iov[n++] = (struct iovec){ (void *)data, size };
	if (RPC_PAD(size))
		iov[n++] = (struct iovec){ (void *)zeros, RPC_PAD(size) };
	return n;
}

static int recv_op_reply(const struct rpc_hdr *reply, struct rpc_arg *wr,
			 uint32_t nr_wr, uint64_t t0)
{
	size_t head_len = rpc_op_reply_head_size(nr_wr);
	uint8_t stack[512], *head = stack;
	uint64_t stack_sizes[16], *sizes = stack_sizes;
	struct iovec stack_iov[16], *iov = stack_iov;
	struct rpc_reply_prefix p;
	int ret = VACCEL_OK;

	if (head_len > sizeof(stack) || nr_wr > 16) {
		head = malloc(head_len);
		sizes = malloc(sizeof(*sizes) * nr_wr);
		iov = malloc(sizeof(*iov) * nr_wr);
		if (!head || !sizes || !iov) {
			vaccel_error("rpc: cannot allocate the reply head for %u write args",
				     nr_wr);
			/* The reply is on the wire: the stream cannot be kept. */
			ret = rpcc_lost("OP reply");
			goto out;
		}
	}
	if (reply->length < head_len ||
	    rpc_conn_recv(&rpcc.conn, head, head_len) ||
	    rpc_op_reply_head_decode(head, head_len, reply->length, nr_wr, &p,
				     sizes)) {
		ret = rpcc_lost("OP reply");
		goto out;
	}
	for (uint32_t i = 0; i < nr_wr; i++) {
		if (sizes[i] > wr[i].size) {
			vaccel_error("rpc: write arg %u came back with %llu bytes, the buffer has %llu",
				     i, (unsigned long long)sizes[i],
				     (unsigned long long)wr[i].size);
			ret = rpcc_lost("OP reply");
			goto out;
		}
		iov[i] = (struct iovec){ (void *)wr[i].data, (size_t)sizes[i] };
	}
	if (rpc_conn_recv_iov(&rpcc.conn, iov, (int)nr_wr)) {
		ret = rpcc_lost("OP reply");
		goto out;
	}
	rpcc_prof(t0, &p);
out:
	if (head != stack)
		free(head);
	if (sizes != stack_sizes)
		free(sizes);
	if (iov != stack_iov)
		free(iov);
	return ret;
}

int rpcc_op(struct vaccel_session *sess, struct rpc_arg *rd, uint32_t nr_rd,
	    struct rpc_arg *wr, uint32_t nr_wr)
{
	struct rpc_op_req m = { 0, nr_rd, nr_wr, rd, wr };
	uint8_t stack_head[1024], *head = stack_head;
	struct iovec stack_iov[32], *iov = stack_iov;
	size_t head_len, niov_max;
	uint64_t body = 0, back = 0, t0;
	struct rpc_hdr reply;
	int niov = 0, ret;

	if (nr_rd > RPC_MAX_ARGS || nr_wr > RPC_MAX_ARGS) {
		vaccel_error("rpc: %u read / %u write args exceed the limit of %u",
			     nr_rd, nr_wr, RPC_MAX_ARGS);
		return VACCEL_EINVAL;
	}
	head_len = rpc_op_req_head_size(nr_rd, nr_wr);
	niov_max = 2 * ((size_t)nr_rd + nr_wr);
	if (head_len > sizeof(stack_head))
		head = malloc(head_len);
	if (niov_max > sizeof(stack_iov) / sizeof(stack_iov[0]))
		iov = malloc(niov_max * sizeof(*iov));
	if (!head || !iov) {
		vaccel_error("rpc: cannot allocate an OP of %u+%u args", nr_rd,
			     nr_wr);
		ret = VACCEL_ENOMEM;
		goto out;
	}
	body = head_len;
	for (uint32_t i = 0; i < nr_rd; i++) {
		niov = add_item(iov, niov, rd[i].data, (size_t)rd[i].size);
		body += rd[i].size + RPC_PAD(rd[i].size);
	}
	for (uint32_t i = 0; i < nr_wr; i++) {
		back += wr[i].size;
		if (!(wr[i].flags & RPC_ARG_INOUT))
			continue;
		niov = add_item(iov, niov, wr[i].data, (size_t)wr[i].size);
		body += wr[i].size + RPC_PAD(wr[i].size);
	}

	pthread_mutex_lock(&rpcc.lock);
	ret = rpcc_sess_remote(sess, &m.sess_id);
	if (ret)
		goto unlock;
	if (body > rpcc.peer_max_frame ||
	    back + rpc_op_reply_head_size(nr_wr) > rpcc.peer_max_frame) {
		vaccel_error("rpc: op of %llu request / %llu reply bytes exceeds the agent's max frame of %u bytes (agent --max-frame)",
			     (unsigned long long)body,
			     (unsigned long long)back, rpcc.peer_max_frame);
		ret = VACCEL_EINVAL;
		goto unlock;
	}
	rpc_op_req_head_encode(head, head_len, &m);
	t0 = vaccel_prof_get_tstamp();
	ret = rpcc_call(RPC_MSG_OP, head, head_len, iov, niov, &reply);
	if (ret == VACCEL_OK)
		ret = recv_op_reply(&reply, wr, nr_wr, t0);
unlock:
	pthread_mutex_unlock(&rpcc.lock);
out:
	if (head != stack_head)
		free(head);
	if (iov != stack_iov)
		free(iov);
	return ret;
}

static struct rpc_arg arg_of(const struct vaccel_arg *a)
{
	return (struct rpc_arg){ (uint32_t)a->type, 0, a->custom_type_id,
				 a->size, a->buf };
}

/* Decodes the op type of a genop read[0] as the core does. */
static int genop_type(const struct vaccel_arg *a, uint32_t *op)
{
	if (a->size == 1) {
		*op = *(const uint8_t *)a->buf;
		return VACCEL_OK;
	}
	if (a->size == 4) {
		uint32_t v;

		memcpy(&v, a->buf, 4);
		*op = v;
		return VACCEL_OK;
	}
	return VACCEL_EINVAL;
}

int rpcc_genop(struct vaccel_session *sess, struct vaccel_arg *read,
	       int nr_read, struct vaccel_arg *write, int nr_write)
{
	struct rpc_arg *rd, *wr;
	int64_t remote_res = 0;
	uint32_t op = UINT32_MAX;
	int ret;

	if (!sess || nr_read < 1 || nr_write < 0 || !read ||
	    (nr_write && !write) || nr_read > (int)RPC_MAX_ARGS ||
	    nr_write > (int)RPC_MAX_ARGS) {
		vaccel_error("rpc: genop with invalid arguments (%d read, %d write)",
			     nr_read, nr_write);
		return VACCEL_EINVAL;
	}
	rd = calloc((size_t)nr_read + (size_t)nr_write, sizeof(*rd));
	if (!rd) {
		vaccel_error("rpc: cannot allocate %d genop args",
			     nr_read + nr_write);
		return VACCEL_ENOMEM;
	}
	wr = rd + nr_read;
	for (int i = 0; i < nr_read; i++)
		rd[i] = arg_of(&read[i]);
	for (int i = 0; i < nr_write; i++)
		wr[i] = arg_of(&write[i]);
	genop_type(&read[0], &op);

	/* The resource id of EXEC_WITH_RESOURCE names a local resource: the
	 * agent knows it by its own id. */
	if (op == VACCEL_OP_EXEC_WITH_RESOURCE && nr_read > 1 &&
	    read[1].size == sizeof(int64_t)) {
		struct rpcc_res *r;
		int64_t local;

		memcpy(&local, read[1].buf, sizeof(local));
		pthread_mutex_lock(&rpcc.lock);
		r = rpcc_res_find(local);
		if (r)
			remote_res = r->remote;
		pthread_mutex_unlock(&rpcc.lock);
		if (r) {
			rd[1].data = &remote_res;
		}
	}
	/* sgemm reads C too (beta * C). */
	if (op == VACCEL_OP_BLAS_SGEMM && nr_write == 1)
		wr[0].flags |= RPC_ARG_INOUT;

	ret = rpcc_op(sess, rd, (uint32_t)nr_read, wr, (uint32_t)nr_write);
	free(rd);
	return ret;
}
