// SPDX-License-Identifier: Apache-2.0
/*
 * Op forwarding. The raw genop hook and every typed non-torch op become
 * one OP message in the genop layout of include/vaccel/ops/genop.h; the
 * agent runs it with vaccel_genop() on its session. Read data are sent
 * from the caller's buffers and write data are received straight into
 * them: with the arg API's borrowed arguments, that is the caller's own
 * variables. A reply larger than a caller's buffer fails the call with
 * VACCEL_ENOSPC and fills nothing.
 */
#include "rpc_plugin.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* Write args that came back in the region go to the caller's buffers. */
static void copy_back(const struct rpcc_xfer *x, const struct rpc_arg *wr,
		      uint32_t nr_wr, const uint64_t *sizes)
{
	for (uint32_t i = 0; i < nr_wr; i++)
		if ((wr[i].flags & RPC_ARG_SHM) && sizes[i])
			memcpy((void *)wr[i].data,
			       rpcc_shm_at(x, wr[i].shm_off),
			       (size_t)sizes[i]);
}

static int recv_op_reply(struct rpcc_xfer *x, struct rpc_arg *wr,
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
			errno = ENOMEM;
			ret = rpcc_lost(x->link, "OP reply");
			goto out;
		}
	}
	if (x->h.length < head_len) {
		ret = rpcc_bad_reply(x->link, RPC_MSG_OP);
		goto out;
	}
	ret = rpcc_recv(x, head, head_len);
	if (ret)
		goto out;
	if (rpc_op_reply_head_decode(head, head_len, x->h.length, nr_wr, wr,
				     &p, sizes)) {
		ret = rpcc_bad_reply(x->link, RPC_MSG_OP);
		goto out;
	}
	for (uint32_t i = 0; i < nr_wr; i++) {
		if (sizes[i] > wr[i].size) {
			vaccel_error("rpc: write arg %u came back with %llu bytes, more than the caller's buffer of %llu: no write arg is filled",
				     i, (unsigned long long)sizes[i],
				     (unsigned long long)wr[i].size);
			ret = VACCEL_ENOSPC;
		}
		iov[i] = (struct iovec){ (void *)wr[i].data,
					 (wr[i].flags & RPC_ARG_SHM) ?
						 0 :
						 (size_t)sizes[i] };
	}
	/* The frame is read to its end either way, so the connection stays
	 * usable; an oversized reply only fails this call. */
	if (ret) {
		int io = rpcc_recv(x, NULL, x->left);

		ret = io ? io : ret;
		goto out;
	}
	ret = rpcc_recv_iov(x, iov, (int)nr_wr);
	if (ret)
		goto out;
	copy_back(x, wr, nr_wr, sizes);
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

/* Adds the args' data to the iovecs (into the region where they
 * qualify, then flagged RPC_ARG_SHM with their offset). The first
 * `inline_first` args and STRINGs always travel in the body: the agent
 * reads them itself (docs/protocol.md, 2b). */
static int add_args(struct rpcc_xfer *x, struct iovec *iov, int niov,
		    struct rpc_arg *a, uint32_t nr, uint32_t inline_first,
		    struct rpcc_item *items, uint64_t *body)
{
	for (uint32_t i = 0; i < nr; i++) {
		bool may = i >= inline_first && a[i].type != VACCEL_ARG_STRING;

		niov = rpcc_item(x, iov, niov, a[i].data, a[i].size, may,
				 &items[i], body);
		if (items[i].shm) {
			a[i].flags |= RPC_ARG_SHM;
			a[i].shm_off = items[i].off;
		}
	}
	return niov;
}

/* The leading read args the agent reads itself: the op type, and the
 * resource id of EXEC_WITH_RESOURCE. */
static uint32_t inline_reads(const struct rpc_arg *rd, uint32_t nr_rd)
{
	uint32_t op = UINT32_MAX;

	if (nr_rd && rd[0].size == 1)
		op = *(const uint8_t *)rd[0].data;
	else if (nr_rd && rd[0].size == 4)
		memcpy(&op, rd[0].data, 4);
	return op == VACCEL_OP_EXEC_WITH_RESOURCE ? 2 : 1;
}

int rpcc_op(struct vaccel_session *sess, struct rpc_arg *rd, uint32_t nr_rd,
	    struct rpc_arg *wr, uint32_t nr_wr)
{
	struct rpc_op_req m = { 0, nr_rd, nr_wr, rd, wr };
	uint8_t stack_head[1024], *head = stack_head;
	struct iovec stack_iov[32], *iov = stack_iov;
	struct rpcc_item stack_items[16], *items = stack_items;
	size_t head_len, niov_max, nr = (size_t)nr_rd + nr_wr;
	uint64_t body = 0, back = 0, t0;
	uint32_t max_frame;
	struct rpcc_xfer x;
	int niov = 0, ret;

	if (nr_rd > RPC_MAX_ARGS || nr_wr > RPC_MAX_ARGS) {
		vaccel_error("rpc: %u read / %u write args exceed the limit of %u",
			     nr_rd, nr_wr, RPC_MAX_ARGS);
		return VACCEL_EINVAL;
	}
	head_len = rpc_op_req_head_size(nr_rd, nr_wr);
	niov_max = 2 * nr;
	if (head_len > sizeof(stack_head))
		head = malloc(head_len);
	if (niov_max > sizeof(stack_iov) / sizeof(stack_iov[0]))
		iov = malloc(niov_max * sizeof(*iov));
	if (nr > sizeof(stack_items) / sizeof(stack_items[0]))
		items = malloc(nr * sizeof(*items));
	if (!head || !iov || !items) {
		vaccel_error("rpc: cannot allocate an OP of %u+%u args", nr_rd,
			     nr_wr);
		ret = VACCEL_ENOMEM;
		goto out;
	}

	pthread_mutex_lock(&rpcc.lock);
	ret = rpcc_sess_remote(sess, &m.sess_id);
	if (ret)
		goto unlock;
	/* The exchange runs outside rpcc.lock: ops of other threads are in
	 * flight on the link at the same time. */
	rpcc_xfer_begin(&x, rpcc.link);
	max_frame = rpcc.peer_max_frame;
	pthread_mutex_unlock(&rpcc.lock);
	body = head_len;
	niov = add_args(&x, iov, niov, rd, nr_rd, inline_reads(rd, nr_rd),
			items, &body);
	/* Write args travel with their contents, so that the host's plugin
	 * starts from the caller's bytes exactly as a local one does (one
	 * that reads its write args, or writes only part of them, gives the
	 * same result through the agent as locally). */
	for (uint32_t i = 0; i < nr_wr; i++)
		wr[i].flags |= RPC_ARG_INOUT;
	niov = add_args(&x, iov, niov, wr, nr_wr, 0, items + nr_rd, &body);
	for (uint32_t i = 0; i < nr_wr; i++)
		if (!(wr[i].flags & RPC_ARG_SHM))
			back += wr[i].size;
	if (body > max_frame ||
	    back + rpc_op_reply_head_size(nr_wr) > max_frame) {
		vaccel_error("rpc: op of %llu request / %llu reply bytes exceeds the agent's max frame of %u bytes (agent --max-frame)",
			     (unsigned long long)body,
			     (unsigned long long)back, max_frame);
		ret = VACCEL_EINVAL;
	} else {
		rpc_op_req_head_encode(head, head_len, &m);
		t0 = vaccel_prof_get_tstamp();
		ret = rpcc_call(&x, RPC_MSG_OP, head, head_len, iov, niov);
		if (ret == VACCEL_OK)
			ret = recv_op_reply(&x, wr, nr_wr, t0);
	}
	rpcc_xfer_end(&x);
	goto out;
unlock:
	pthread_mutex_unlock(&rpcc.lock);
out:
	if (head != stack_head)
		free(head);
	if (iov != stack_iov)
		free(iov);
	if (items != stack_items)
		free(items);
	return ret;
}

static struct rpc_arg arg_of(const struct vaccel_arg *a)
{
	return (struct rpc_arg){ (uint32_t)a->type, 0, a->custom_type_id,
				 a->size, a->buf, 0 };
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
	ret = rpcc_op(sess, rd, (uint32_t)nr_read, wr, (uint32_t)nr_write);
	free(rd);
	return ret;
}
