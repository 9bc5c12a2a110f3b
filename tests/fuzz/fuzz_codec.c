// SPDX-License-Identifier: Apache-2.0
/*
 * Fuzz target: the RPC protocol decoder (src/rpc/codec.c). The first input
 * byte picks the decoder, the second one its parameter (a message type, an
 * expected count), the rest is the body. Besides "no crash, no leak, no
 * read outside the body" (ASan), decoded messages are encoded again and
 * decoded once more, which must give the same fields: the two directions
 * of the codec agree on every message that passes validation.
 */
#include "codec.h"
#include "fuzz_common.h"

#include <string.h>

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_quiet();
	return 0;
}

/* Every decoded pointer must point inside the body it came from. */
static void check_inside(const uint8_t *in, size_t len, const void *p,
			 uint64_t n)
{
	const uint8_t *q = p;

	if (!n)
		return;
	FUZZ_ASSERT(q >= in && n <= len && (size_t)(q - in) <= len - n);
}

static void hdr(const uint8_t *in, size_t len, uint8_t param)
{
	struct rpc_hdr h, h2;
	uint8_t out[RPC_HDR_SIZE];
	uint32_t max = RPC_FRAME_MIN << (param % 15);

	if (len < RPC_HDR_SIZE)
		return;
	if (rpc_hdr_decode(in, max, &h))
		return;
	FUZZ_ASSERT(rpc_msg_type_valid(h.type) &&
		    (h.flags == 0 ||
		     (h.flags == RPC_FLAG_SOLO &&
		      (h.type == RPC_MSG_OP || h.type == RPC_MSG_TORCH_RUN))) &&
		    h.length <= max);
	rpc_hdr_encode(out, &h);
	FUZZ_ASSERT(memcmp(out, in, RPC_HDR_SIZE) == 0);
	FUZZ_ASSERT(rpc_hdr_decode(out, max, &h2) == 0);
	(void)rpc_msg_type_name(h.type);
}

static void hello(const uint8_t *in, size_t len)
{
	struct rpc_hello h;
	uint8_t out[RPC_HELLO_SIZE];

	if (rpc_hello_decode(in, len, &h))
		return;
	FUZZ_ASSERT(len == RPC_HELLO_SIZE);
	FUZZ_ASSERT(rpc_hello_encode(out, sizeof(out), &h) == RPC_HELLO_SIZE);
	FUZZ_ASSERT(memcmp(out, in, RPC_HELLO_SIZE) == 0);
	(void)rpc_hello_check(&h);
}

static void auth(const uint8_t *in, size_t len)
{
	uint8_t out[RPC_AUTH_HEAD_SIZE + RPC_MAX_TOKEN];
	struct rpc_auth a;

	if (rpc_auth_decode(in, len, &a))
		return;
	FUZZ_ASSERT(a.len >= 1 && a.len <= RPC_MAX_TOKEN);
	check_inside(in, len, a.token, a.len);
	FUZZ_ASSERT(rpc_auth_encode(out, sizeof(out), a.token, a.len) == len);
	FUZZ_ASSERT(memcmp(out, in, len) == 0);
}

static void error(const uint8_t *in, size_t len)
{
	uint8_t out[8 + RPC_MAX_ERRMSG];
	struct rpc_error e, e2;
	size_t n;

	if (rpc_error_decode(in, len, &e))
		return;
	FUZZ_ASSERT(e.code > 0 && strlen(e.msg) <= RPC_MAX_ERRMSG);
	/* An embedded NUL shortens the message on the way back. */
	n = rpc_error_encode(out, sizeof(out), e.code, e.msg);
	FUZZ_ASSERT(n && rpc_error_decode(out, n, &e2) == 0);
	FUZZ_ASSERT(e2.code == e.code && strcmp(e2.msg, e.msg) == 0);
}

static void sess(const uint8_t *in, size_t len, uint8_t param)
{
	static const uint16_t types[] = { RPC_MSG_SESS_CREATE,
					  RPC_MSG_SESS_UPDATE,
					  RPC_MSG_SESS_DESTROY };
	uint16_t type = types[param % 3];
	struct rpc_sess_req s;
	uint8_t out[32];

	if (rpc_sess_req_decode(in, len, type, &s))
		return;
	FUZZ_ASSERT(rpc_sess_req_encode(out, sizeof(out), type, &s) == len);
	FUZZ_ASSERT(memcmp(out, in, len) == 0);
}

static void res_req(const uint8_t *in, size_t len)
{
	struct rpc_res_req q;
	uint8_t out[16];

	if (rpc_res_req_decode(in, len, &q))
		return;
	FUZZ_ASSERT(rpc_res_req_encode(out, sizeof(out), &q) == len);
	FUZZ_ASSERT(memcmp(out, in, len) == 0);
}

static void replies(const uint8_t *in, size_t len)
{
	struct rpc_reply_prefix p;
	struct rpc_stats st;
	int64_t id;
	uint8_t out[96];

	if (rpc_id_reply_decode(in, len, &p, &id) == 0) {
		FUZZ_ASSERT(rpc_id_reply_encode(out, sizeof(out), &p, id) ==
			    len);
		FUZZ_ASSERT(memcmp(out, in, len) == 0);
	}
	if (rpc_empty_reply_decode(in, len, &p) == 0)
		FUZZ_ASSERT(len == RPC_REPLY_PREFIX_SIZE);
	if (rpc_stats_reply_decode(in, len, &p, &st) == 0)
		FUZZ_ASSERT(rpc_stats_reply_encode(out, sizeof(out), &p,
						   &st) == len);
}

static void res_register(const uint8_t *in, size_t len)
{
	struct rpc_res_register m, m2;
	uint8_t *out;
	size_t n;

	if (rpc_res_register_decode(in, len, &m))
		return;
	FUZZ_ASSERT(m.nr_blobs <= RPC_MAX_BLOBS);
	for (uint32_t i = 0; i < m.nr_blobs; i++) {
		const struct rpc_blob_desc *b = &m.blobs[i];

		FUZZ_ASSERT(b->name_len >= 1 && b->name_len <= RPC_MAX_NAME);
		check_inside(in, len, b->name, b->name_len);
		FUZZ_ASSERT(!memchr(b->name, '/', b->name_len) &&
			    !memchr(b->name, '\0', b->name_len));
		FUZZ_ASSERT(!(b->name_len == 1 && b->name[0] == '.') &&
			    !(b->name_len == 2 && !memcmp(b->name, "..", 2)));
	}
	n = rpc_res_register_size(&m);
	FUZZ_ASSERT(n == len);
	out = malloc(n);
	FUZZ_ASSERT(out);
	FUZZ_ASSERT(rpc_res_register_encode(out, n, &m) == n);
	FUZZ_ASSERT(rpc_res_register_decode(out, n, &m2) == 0);
	FUZZ_ASSERT(m2.sess_id == m.sess_id && m2.res_id == m.res_id &&
		    m2.res_type == m.res_type && m2.nr_blobs == m.nr_blobs);
	for (uint32_t i = 0; i < m.nr_blobs; i++)
		FUZZ_ASSERT(m2.blobs[i].size == m.blobs[i].size &&
			    m2.blobs[i].type == m.blobs[i].type &&
			    m2.blobs[i].name_len == m.blobs[i].name_len &&
			    !memcmp(m2.blobs[i].name, m.blobs[i].name,
				    m.blobs[i].name_len));
	rpc_res_register_release(&m2);
	rpc_res_register_release(&m);
	free(out);
}

static void chunk(const uint8_t *in, size_t len)
{
	struct rpc_chunk c;

	if (rpc_chunk_decode(in, len, &c))
		return;
	FUZZ_ASSERT(c.len == len - RPC_CHUNK_HEAD_SIZE);
	check_inside(in, len, c.data, c.len);
}

static void op_req(const uint8_t *in, size_t len)
{
	struct rpc_op_req m;
	size_t head;
	uint8_t *out;

	if (rpc_op_req_decode(in, len, &m))
		return;
	FUZZ_ASSERT(m.nr_read <= RPC_MAX_ARGS && m.nr_write <= RPC_MAX_ARGS);
	/* Region items (RPC_ARG_SHM) carry an offset, no data. */
	for (uint32_t i = 0; i < m.nr_read; i++)
		if (m.read[i].flags & RPC_ARG_SHM)
			FUZZ_ASSERT(!m.read[i].data);
		else
			check_inside(in, len, m.read[i].data, m.read[i].size);
	for (uint32_t i = 0; i < m.nr_write; i++)
		if (m.write[i].data)
			check_inside(in, len, m.write[i].data,
				     m.write[i].size);
	/* The fixed part encodes back to the same bytes. */
	head = rpc_op_req_head_size(m.nr_read, m.nr_write);
	FUZZ_ASSERT(head <= len);
	out = malloc(head ? head : 1);
	FUZZ_ASSERT(out);
	FUZZ_ASSERT(rpc_op_req_head_encode(out, head, &m) == head);
	FUZZ_ASSERT(memcmp(out, in, head) == 0);
	free(out);
	rpc_op_req_release(&m);
}

static void op_reply(const uint8_t *in, size_t len, uint8_t param)
{
	uint32_t nr = param % 9;
	uint64_t sizes[8 + 1];
	struct rpc_reply_prefix p;
	size_t head = rpc_op_reply_head_size(nr);
	uint64_t total = 0;

	if (len < head)
		return;
	if (rpc_op_reply_head_decode(in, head, len, nr, NULL, &p, sizes))
		return;
	for (uint32_t i = 0; i < nr; i++)
		total += sizes[i];
	FUZZ_ASSERT(total == len - head);
}

static void torch_run(const uint8_t *in, size_t len)
{
	struct rpc_torch_run m;

	if (rpc_torch_run_decode(in, len, &m))
		return;
	FUZZ_ASSERT(m.nr_in <= RPC_MAX_TENSORS && m.nr_out <= RPC_MAX_TENSORS);
	check_inside(in, len, m.opts, m.opts_len);
	for (uint32_t i = 0; i < m.nr_in; i++) {
		FUZZ_ASSERT(m.in[i].nr_dims <= RPC_MAX_DIMS);
		if (m.in[i].flags & RPC_TENSOR_SHM)
			FUZZ_ASSERT(!m.in[i].data);
		else
			check_inside(in, len, m.in[i].data, m.in[i].size);
	}
	FUZZ_ASSERT(rpc_torch_run_head_size(&m) <= len);
	rpc_torch_run_release(&m);
}

static void shm_setup(const uint8_t *in, size_t len)
{
	uint8_t out[RPC_SHM_SETUP_SIZE];
	uint64_t size;

	if (rpc_shm_setup_decode(in, len, &size))
		return;
	FUZZ_ASSERT(len == RPC_SHM_SETUP_SIZE);
	FUZZ_ASSERT(rpc_shm_setup_encode(out, sizeof(out), size) == len);
	FUZZ_ASSERT(memcmp(out, in, len) == 0);
}

static void tensors_reply(const uint8_t *in, size_t len)
{
	struct rpc_reply_prefix p;
	struct rpc_tensor *t = NULL;
	uint32_t nr = 0;

	if (rpc_tensors_reply_decode(in, len, &p, &t, &nr))
		return;
	FUZZ_ASSERT(nr <= RPC_MAX_TENSORS);
	for (uint32_t i = 0; i < nr; i++) {
		FUZZ_ASSERT(t[i].nr_dims <= RPC_MAX_DIMS);
		check_inside(in, len, t[i].data, t[i].size);
	}
	free(t);
}

static void prof_reply(const uint8_t *in, size_t len)
{
	struct rpc_reply_prefix p;
	struct rpc_prof_entry *e = NULL;
	uint32_t nr = 0;

	if (rpc_prof_reply_decode(in, len, &p, &e, &nr))
		return;
	FUZZ_ASSERT(nr <= RPC_MAX_PROF);
	for (uint32_t i = 0; i < nr; i++)
		FUZZ_ASSERT(memchr(e[i].name, '\0', sizeof(e[i].name)));
	free(e);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *in;
	uint8_t which, param;
	size_t len;

	if (size < 2)
		return 0;
	which = data[0];
	param = data[1];
	len = size - 2;
	/* A private copy: reads past the body are caught by ASan even when
	 * libFuzzer's buffer happens to be followed by readable memory. */
	in = len ? malloc(len) : NULL;
	if (len) {
		FUZZ_ASSERT(in);
		memcpy((void *)in, data + 2, len);
	}
	switch (which % 15) {
	case 0: hdr(in, len, param); break;
	case 1: hello(in, len); break;
	case 2: auth(in, len); break;
	case 3: error(in, len); break;
	case 4: sess(in, len, param); break;
	case 5: res_req(in, len); break;
	case 6: replies(in, len); break;
	case 7: res_register(in, len); break;
	case 8: chunk(in, len); break;
	case 9: op_req(in, len); break;
	case 10: op_reply(in, len, param); break;
	case 11: torch_run(in, len); break;
	case 12: tensors_reply(in, len); break;
	case 13: prof_reply(in, len); break;
	case 14: shm_setup(in, len); break;
	}
	free((void *)in);
	return 0;
}
