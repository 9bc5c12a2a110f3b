// SPDX-License-Identifier: Apache-2.0
/*
 * Torch model handlers: load, and run with tensors in and out.
 */
#include "agent.h"

#include <stdlib.h>
#include <string.h>

static const struct rpc_reply_prefix zero_prefix;

static int lookup(struct agent_conn *c, int64_t sess_id, int64_t res_id,
		  struct agent_sess **s, struct agent_res **r)
{
	*s = agent_sess_find(c, sess_id);
	if (!*s)
		return agent_fail(c, VACCEL_ENOENT, "unknown session %lld",
				  (long long)sess_id);
	*r = agent_res_find(c, res_id);
	if (!*r)
		return agent_fail(c, VACCEL_ENOENT, "unknown resource %lld",
				  (long long)res_id);
	return VACCEL_OK;
}

int agent_on_torch_load(struct agent_conn *c, const struct rpc_hdr *h)
{
	uint8_t out[RPC_REPLY_PREFIX_SIZE];
	struct rpc_res_req q;
	struct agent_sess *s;
	struct agent_res *r;
	uint64_t t0;
	int ret;

	if (rpc_res_req_decode(c->body, h->length, &q))
		return agent_fail(c, VACCEL_EINVAL, "malformed TORCH_LOAD");
	ret = lookup(c, q.sess_id, q.res_id, &s, &r);
	if (ret)
		return ret;
	t0 = vaccel_prof_get_tstamp();
	ret = vaccel_torch_model_load(s->s, r->r);
	c->t_exec = vaccel_prof_get_tstamp() - t0;
	if (ret)
		return agent_fail_host(c, ret, "loading model %lld failed",
				       (long long)q.res_id);
	rpc_empty_reply_encode(out, sizeof(out), &zero_prefix);
	return agent_reply(c, h, out, sizeof(out), NULL, 0);
}

int agent_on_torch_run(struct agent_conn *c, const struct rpc_hdr *h)
{
	struct rpc_torch_run m;
	struct vaccel_torch_tensor **in = NULL, **outs = NULL;
	struct vaccel_torch_buffer opts = { 0 };
	struct rpc_tensor *desc = NULL;
	struct iovec *iov = NULL;
	uint8_t *head = NULL;
	struct agent_sess *s;
	struct agent_res *r;
	size_t head_len;
	uint64_t t0;
	int ret;

	if (rpc_torch_run_decode(c->body, h->length, &m))
		return agent_fail(c, VACCEL_EINVAL, "malformed TORCH_RUN");
	ret = lookup(c, m.sess_id, m.res_id, &s, &r);
	if (!ret)
		ret = agent_shm_tensors(c, m.in, m.nr_in);
	if (ret)
		goto out;
	in = calloc((size_t)m.nr_in + 1, sizeof(*in));
	outs = calloc((size_t)m.nr_out + 1, sizeof(*outs));
	if (!in || !outs) {
		ret = agent_fail(c, VACCEL_ENOMEM, "out of memory");
		goto out;
	}
	for (uint32_t i = 0; i < m.nr_in; i++) {
		ret = vaccel_torch_tensor_new(
			&in[i], m.in[i].nr_dims, m.in[i].dims,
			(enum vaccel_torch_data_type)m.in[i].dtype);
		if (!ret)
			ret = vaccel_torch_tensor_set_data(
				in[i], (void *)m.in[i].data,
				(size_t)m.in[i].size);
		if (ret) {
			ret = agent_fail_host(c, ret, "invalid input tensor %u", i);
			goto out;
		}
	}
	if (m.opts_len) {
		opts.data = (char *)m.opts;
		opts.size = (size_t)m.opts_len;
	}
	t0 = vaccel_prof_get_tstamp();
	ret = vaccel_torch_model_run(s->s, r->r, m.opts_len ? &opts : NULL, in,
				     (int)m.nr_in, outs, (int)m.nr_out);
	c->t_exec = vaccel_prof_get_tstamp() - t0;
	c->nr_ops++;
	c->exec_total += c->t_exec;
	if (ret) {
		ret = agent_fail_host(c, ret, "running model %lld failed",
				      (long long)m.res_id);
		goto out;
	}
	desc = calloc((size_t)m.nr_out + 1, sizeof(*desc));
	iov = calloc((size_t)m.nr_out + 1, sizeof(*iov));
	if (!desc || !iov) {
		ret = agent_fail(c, VACCEL_ENOMEM, "out of memory");
		goto out;
	}
	for (uint32_t i = 0; i < m.nr_out; i++) {
		const struct vaccel_torch_tensor *t = outs[i];

		if (!t || t->nr_dims < 0 || t->nr_dims > (int64_t)RPC_MAX_DIMS) {
			ret = agent_fail(c, VACCEL_EBACKEND,
					 "output tensor %u cannot be sent", i);
			goto out;
		}
		desc[i].dtype = (uint32_t)t->data_type;
		desc[i].nr_dims = (uint32_t)t->nr_dims;
		desc[i].size = t->size;
		if (t->nr_dims)
			memcpy(desc[i].dims, t->dims,
			       sizeof(int64_t) * (size_t)t->nr_dims);
		iov[i] = (struct iovec){ t->data, t->size };
	}
	head_len = rpc_tensors_reply_head_size(desc, m.nr_out);
	head = malloc(head_len ? head_len : 1);
	if (!head) {
		ret = agent_fail(c, VACCEL_ENOMEM, "out of memory");
		goto out;
	}
	rpc_tensors_reply_head_encode(head, head_len, &zero_prefix, desc,
				      m.nr_out);
	ret = agent_reply(c, h, head, head_len, iov, (int)m.nr_out);
out:
	for (uint32_t i = 0; in && i < m.nr_in; i++)
		vaccel_torch_tensor_delete(in[i]);
	for (uint32_t i = 0; outs && i < m.nr_out; i++)
		vaccel_torch_tensor_delete(outs[i]);
	free(in);
	free(outs);
	free(desc);
	free(iov);
	free(head);
	rpc_torch_run_release(&m);
	return ret;
}
