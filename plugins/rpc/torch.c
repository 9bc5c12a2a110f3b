// SPDX-License-Identifier: Apache-2.0
/*
 * Torch model ops: their own messages, since tensors (dtype, dims, data)
 * have no genop layout.
 */
#include "rpc_plugin.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* The agent id of a model registered over the current connection. */
static int model_remote(const struct vaccel_resource *model, int64_t *id)
{
	struct rpcc_res *r = rpcc_res_find(model->id);

	if (!r || r->gen != rpcc.gen) {
		vaccel_error("rpc: model resource %lld is not registered with the agent",
			     (long long)model->id);
		return VACCEL_EPERM;
	}
	*id = r->remote;
	return VACCEL_OK;
}

int rpcc_torch_model_load(struct vaccel_session *sess,
			  struct vaccel_resource *model)
{
	struct rpc_res_req q;
	uint8_t out[16], body[RPC_REPLY_PREFIX_SIZE];
	struct rpc_reply_prefix p;
	struct rpcc_xfer x;
	uint64_t t0;
	int ret;

	if (!sess || !model) {
		vaccel_error("rpc: torch_model_load with NULL %s",
			     sess ? "model" : "session");
		return VACCEL_EINVAL;
	}
	pthread_mutex_lock(&rpcc.lock);
	ret = rpcc_sess_remote(sess, &q.sess_id);
	if (!ret)
		ret = model_remote(model, &q.res_id);
	if (ret)
		goto out;
	t0 = vaccel_prof_get_tstamp();
	rpcc_xfer_begin(&x, rpcc.link);
	ret = rpcc_call(&x, RPC_MSG_TORCH_LOAD, out,
			rpc_res_req_encode(out, sizeof(out), &q), NULL, 0);
	if (!ret)
		ret = rpcc_recv_body(&x, body, sizeof(body));
	if (!ret && rpc_empty_reply_decode(body, x.h.length, &p))
		ret = rpcc_bad_reply(x.link, RPC_MSG_TORCH_LOAD);
	else if (!ret)
		rpcc_prof(t0, &p);
	rpcc_xfer_end(&x);
out:
	pthread_mutex_unlock(&rpcc.lock);
	return ret;
}

/* Turns decoded reply tensors into new vaccel tensors (caller-owned). */
static int make_outputs(const struct rpc_tensor *t, uint32_t nr,
			struct vaccel_torch_tensor **outputs)
{
	uint32_t i;

	for (i = 0; i < nr; i++) {
		int ret = vaccel_torch_tensor_allocate(
			&outputs[i], t[i].nr_dims, t[i].dims,
			(enum vaccel_torch_data_type)t[i].dtype,
			(size_t)t[i].size);

		if (ret) {
			vaccel_error("rpc: cannot allocate output tensor %u (%llu bytes)",
				     i, (unsigned long long)t[i].size);
			while (i--) {
				vaccel_torch_tensor_delete(outputs[i]);
				outputs[i] = NULL;
			}
			return ret;
		}
		if (t[i].size)
			memcpy(outputs[i]->data, t[i].data, (size_t)t[i].size);
	}
	return VACCEL_OK;
}

int rpcc_torch_model_run(struct vaccel_session *sess,
			 struct vaccel_resource *model,
			 const struct vaccel_torch_buffer *run_options,
			 struct vaccel_torch_tensor *const *inputs,
			 int nr_inputs, struct vaccel_torch_tensor **outputs,
			 int nr_outputs)
{
	struct rpc_torch_run m = { 0 };
	struct rpc_tensor *out = NULL;
	struct rpc_reply_prefix p;
	struct iovec *iov = NULL;
	struct rpcc_item *items = NULL;
	uint8_t *head = NULL, *body = NULL;
	struct rpcc_xfer x;
	uint32_t nr_out = 0;
	size_t head_len;
	uint64_t total, t0;
	uint32_t max_frame;
	int niov = 0, ret;

	if (!sess || !model || nr_inputs < 0 || nr_outputs < 0 ||
	    nr_inputs > (int)RPC_MAX_TENSORS ||
	    nr_outputs > (int)RPC_MAX_TENSORS || (nr_inputs && !inputs) ||
	    (nr_outputs && !outputs)) {
		vaccel_error("rpc: torch_model_run with invalid arguments (%d inputs, %d outputs)",
			     nr_inputs, nr_outputs);
		return VACCEL_EINVAL;
	}
	m.nr_in = (uint32_t)nr_inputs;
	m.nr_out = (uint32_t)nr_outputs;
	m.opts_len = run_options && run_options->data ? run_options->size : 0;
	m.opts = m.opts_len ? run_options->data : NULL;
	m.in = calloc((size_t)nr_inputs + 1, sizeof(*m.in));
	iov = calloc(2 * ((size_t)nr_inputs + 1), sizeof(*iov));
	items = calloc((size_t)nr_inputs + 1, sizeof(*items));
	if (!m.in || !iov || !items) {
		ret = VACCEL_ENOMEM;
		goto out;
	}
	for (int i = 0; i < nr_inputs; i++) {
		const struct vaccel_torch_tensor *t = inputs[i];

		if (!t || t->nr_dims < 0 || t->nr_dims > (int64_t)RPC_MAX_DIMS ||
		    (t->nr_dims && !t->dims)) {
			vaccel_error("rpc: input tensor %d is invalid or has more than %u dims",
				     i, RPC_MAX_DIMS);
			ret = VACCEL_EINVAL;
			goto out;
		}
		m.in[i].dtype = (uint32_t)t->data_type;
		m.in[i].nr_dims = (uint32_t)t->nr_dims;
		m.in[i].size = t->size;
		memcpy(m.in[i].dims, t->dims, sizeof(int64_t) * (size_t)t->nr_dims);
	}
	head_len = rpc_torch_run_head_size(&m);
	head = malloc(head_len);
	if (!head) {
		ret = VACCEL_ENOMEM;
		goto out;
	}
	pthread_mutex_lock(&rpcc.lock);
	ret = rpcc_sess_remote(sess, &m.sess_id);
	if (!ret)
		ret = model_remote(model, &m.res_id);
	if (ret)
		goto unlock;
	/* The exchange runs outside rpcc.lock, like an OP. */
	rpcc_xfer_begin(&x, rpcc.link);
	max_frame = rpcc.peer_max_frame;
	pthread_mutex_unlock(&rpcc.lock);
	total = head_len;
	niov = rpcc_item(&x, iov, niov, m.opts, m.opts_len, false, &items[0],
			 &total);
	for (int i = 0; i < nr_inputs; i++) {
		struct rpcc_item *it = &items[i + 1];

		niov = rpcc_item(&x, iov, niov, inputs[i]->data,
				 inputs[i]->size, true, it, &total);
		if (it->shm) {
			m.in[i].flags |= RPC_TENSOR_SHM;
			m.in[i].shm_off = it->off;
		}
	}
	if (total > max_frame) {
		vaccel_error("rpc: torch run request of %llu bytes exceeds the agent's max frame %u",
			     (unsigned long long)total, max_frame);
		rpcc_xfer_end(&x);
		ret = VACCEL_EINVAL;
		goto done;
	}
	rpc_torch_run_head_encode(head, head_len, &m);
	t0 = vaccel_prof_get_tstamp();
	ret = rpcc_call(&x, RPC_MSG_TORCH_RUN, head, head_len, iov, niov);
	if (!ret) {
		body = malloc(x.h.length ? x.h.length : 1);
		if (!body) {
			vaccel_error("rpc: cannot allocate a %u byte torch reply",
				     x.h.length);
			errno = ENOMEM;
			ret = rpcc_lost(x.link, "TORCH_RUN reply");
		}
	}
	if (!ret)
		ret = rpcc_recv_body(&x, body, x.h.length);
	if (!ret &&
	    (rpc_tensors_reply_decode(body, x.h.length, &p, &out, &nr_out) ||
	     nr_out != m.nr_out))
		ret = rpcc_bad_reply(x.link, RPC_MSG_TORCH_RUN);
	rpcc_xfer_end(&x);
	if (!ret)
		rpcc_prof(t0, &p);
	goto done;
unlock:
	pthread_mutex_unlock(&rpcc.lock);
done:
	if (!ret)
		ret = make_outputs(out, nr_out, outputs);
out:
	free(out);
	free(body);
	free(head);
	free(iov);
	free(items);
	free(m.in);
	return ret;
}
