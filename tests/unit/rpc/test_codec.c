// SPDX-License-Identifier: Apache-2.0
/*
 * Codec round trips for every message, and malformed inputs (truncated,
 * trailing bytes, lengths past the end, counts too large, bad types).
 */
#include "codec.h"
#include "testing.h"
#include "vaccel.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static uint8_t buf[1 << 16];

static const struct rpc_reply_prefix pfx = { 11, 22, 33 };

static void check_prefix(const struct rpc_reply_prefix *p)
{
	CHECK_INT(p->t_recv, 11);
	CHECK_INT(p->t_reply, 22);
	CHECK_INT(p->t_exec, 33);
}

/* Every strict prefix of a valid body must be rejected. */
#define CHECK_TRUNCATIONS(len, decode_call)                     \
	do {                                                    \
		for (size_t k = 0; k < (len); k++) {            \
			size_t blen = k;                        \
			int r_ = (decode_call);                 \
			if (r_ == VACCEL_OK)                    \
				fprintf(stderr, "accepted %zu of %zu bytes\n", \
					k, (size_t)(len));      \
			CHECK(r_ != VACCEL_OK);                 \
		}                                               \
	} while (0)

static void test_header(void)
{
	struct rpc_hdr h = { .length = 1234, .type = RPC_MSG_OP, .req_id = 77 };
	struct rpc_hdr d;
	uint8_t raw[RPC_HDR_SIZE];

	rpc_hdr_encode(raw, &h);
	/* Little-endian on the wire, whatever the host order. */
	CHECK_INT(raw[0], 1234 & 0xff);
	CHECK_INT(raw[1], 1234 >> 8);
	CHECK_INT(raw[4], RPC_MSG_OP);
	CHECK_INT(raw[8], 77);
	CHECK_INT(rpc_hdr_decode(raw, 4096, &d), VACCEL_OK);
	CHECK_INT(d.length, 1234);
	CHECK_INT(d.type, RPC_MSG_OP);
	CHECK_INT(d.flags, 0);
	CHECK_INT(d.req_id, 77);

	/* Oversized. */
	CHECK_INT(rpc_hdr_decode(raw, 1000, &d), VACCEL_EINVAL);
	/* Unknown type, reply of a chunk, reply bit on ERROR. */
	h.type = 0x42;
	rpc_hdr_encode(raw, &h);
	CHECK_INT(rpc_hdr_decode(raw, 4096, &d), VACCEL_EINVAL);
	h.type = RPC_MSG_RES_CHUNK | RPC_MSG_REPLY;
	rpc_hdr_encode(raw, &h);
	CHECK_INT(rpc_hdr_decode(raw, 4096, &d), VACCEL_EINVAL);
	h.type = RPC_MSG_ERROR | RPC_MSG_REPLY;
	rpc_hdr_encode(raw, &h);
	CHECK_INT(rpc_hdr_decode(raw, 4096, &d), VACCEL_EINVAL);
	h.type = 0x1ff;
	rpc_hdr_encode(raw, &h);
	CHECK_INT(rpc_hdr_decode(raw, 4096, &d), VACCEL_EINVAL);
	/* Reserved flags: SOLO only on OP and TORCH_RUN requests. */
	h.type = RPC_MSG_OP | RPC_MSG_REPLY;
	h.flags = RPC_FLAG_SOLO;
	rpc_hdr_encode(raw, &h);
	CHECK_INT(rpc_hdr_decode(raw, 4096, &d), VACCEL_EINVAL);
	h.type = RPC_MSG_STATS;
	rpc_hdr_encode(raw, &h);
	CHECK_INT(rpc_hdr_decode(raw, 4096, &d), VACCEL_EINVAL);
	h.type = RPC_MSG_OP;
	h.flags = 2;
	rpc_hdr_encode(raw, &h);
	CHECK_INT(rpc_hdr_decode(raw, 4096, &d), VACCEL_EINVAL);
	for (uint16_t t = RPC_MSG_OP; t <= RPC_MSG_TORCH_RUN; t += 2) {
		h.type = t;
		h.flags = RPC_FLAG_SOLO;
		rpc_hdr_encode(raw, &h);
		CHECK_INT(rpc_hdr_decode(raw, 4096, &d), VACCEL_OK);
		CHECK_INT(d.flags, RPC_FLAG_SOLO);
	}
	h.flags = 0;
	CHECK_STR(rpc_msg_type_name(RPC_MSG_TORCH_RUN | RPC_MSG_REPLY),
		  "TORCH_RUN");
	CHECK_STR(rpc_msg_type_name(0x55), "UNKNOWN");
}

static void test_hello(void)
{
	struct rpc_hello h = { RPC_MAGIC, RPC_VERSION_MAJOR, RPC_VERSION_MINOR,
			       1 << 20, 0 };
	struct rpc_hello d;
	size_t n = rpc_hello_encode(buf, sizeof(buf), &h);

	CHECK_INT(n, RPC_HELLO_SIZE);
	CHECK_INT(rpc_hello_decode(buf, n, &d), VACCEL_OK);
	CHECK_INT(d.magic, RPC_MAGIC);
	CHECK_INT(d.max_frame, 1 << 20);
	CHECK_INT(rpc_hello_check(&d), VACCEL_OK);
	CHECK_TRUNCATIONS(n, rpc_hello_decode(buf, blen, &d));
	CHECK_INT(rpc_hello_decode(buf, n + 1, &d), VACCEL_EINVAL);

	d.major = RPC_VERSION_MAJOR + 1;
	CHECK_INT(rpc_hello_check(&d), VACCEL_ENOTSUP);
	d.major = RPC_VERSION_MAJOR;
	d.magic = 0x1234;
	CHECK_INT(rpc_hello_check(&d), VACCEL_ENOTSUP);
	d.magic = RPC_MAGIC;
	d.max_frame = 16;
	CHECK_INT(rpc_hello_check(&d), VACCEL_ENOTSUP);
	/* A minor difference is compatible. */
	d.max_frame = 1 << 20;
	d.minor = 99;
	CHECK_INT(rpc_hello_check(&d), VACCEL_OK);
	/* Too small an output buffer. */
	CHECK_INT(rpc_hello_encode(buf, 3, &h), 0);
}

static void test_error(void)
{
	struct rpc_error e;
	size_t n = rpc_error_encode(buf, sizeof(buf), VACCEL_ENOENT,
				    "unknown session 7");

	CHECK_INT(rpc_error_decode(buf, n, &e), VACCEL_OK);
	CHECK_INT(e.code, VACCEL_ENOENT);
	CHECK_STR(e.msg, "unknown session 7");
	CHECK_TRUNCATIONS(n, rpc_error_decode(buf, blen, &e));

	/* Code 0 or negative is not an error. */
	n = rpc_error_encode(buf, sizeof(buf), 0, "x");
	CHECK_INT(rpc_error_decode(buf, n, &e), VACCEL_EINVAL);
	/* Message length past the limit. */
	n = rpc_error_encode(buf, sizeof(buf), VACCEL_EIO, "abc");
	buf[4] = 0xff;
	buf[5] = 0xff;
	CHECK_INT(rpc_error_decode(buf, n, &e), VACCEL_EINVAL);
}

static void test_sess(void)
{
	struct rpc_sess_req s = { 42, 0x20 }, d;
	size_t n;

	n = rpc_sess_req_encode(buf, sizeof(buf), RPC_MSG_SESS_CREATE, &s);
	CHECK_INT(n, 4);
	CHECK_INT(rpc_sess_req_decode(buf, n, RPC_MSG_SESS_CREATE, &d), 0);
	CHECK_INT(d.flags, 0x20);
	CHECK_INT(d.sess_id, 0);

	n = rpc_sess_req_encode(buf, sizeof(buf), RPC_MSG_SESS_UPDATE, &s);
	CHECK_INT(n, 12);
	CHECK_INT(rpc_sess_req_decode(buf, n, RPC_MSG_SESS_UPDATE, &d), 0);
	CHECK_INT(d.sess_id, 42);
	CHECK_INT(d.flags, 0x20);
	CHECK_TRUNCATIONS(n, rpc_sess_req_decode(buf, blen,
						 RPC_MSG_SESS_UPDATE, &d));

	n = rpc_sess_req_encode(buf, sizeof(buf), RPC_MSG_SESS_DESTROY, &s);
	CHECK_INT(n, 8);
	CHECK_INT(rpc_sess_req_decode(buf, n, RPC_MSG_SESS_DESTROY, &d), 0);
	CHECK_INT(d.sess_id, 42);
	CHECK_INT(rpc_sess_req_decode(buf, n, RPC_MSG_SESS_UPDATE, &d),
		  VACCEL_EINVAL);
}

static void test_ids_and_empty(void)
{
	struct rpc_reply_prefix p;
	struct rpc_res_req q = { 3, 9 }, dq;
	int64_t id;
	size_t n;

	n = rpc_id_reply_encode(buf, sizeof(buf), &pfx, 1234);
	CHECK_INT(rpc_id_reply_decode(buf, n, &p, &id), VACCEL_OK);
	check_prefix(&p);
	CHECK_INT(id, 1234);
	CHECK_TRUNCATIONS(n, rpc_id_reply_decode(buf, blen, &p, &id));
	n = rpc_id_reply_encode(buf, sizeof(buf), &pfx, -5);
	CHECK_INT(rpc_id_reply_decode(buf, n, &p, &id), VACCEL_EINVAL);

	n = rpc_empty_reply_encode(buf, sizeof(buf), &pfx);
	CHECK_INT(n, RPC_REPLY_PREFIX_SIZE);
	CHECK_INT(rpc_empty_reply_decode(buf, n, &p), VACCEL_OK);
	check_prefix(&p);
	CHECK_INT(rpc_empty_reply_decode(buf, n + 1, &p), VACCEL_EINVAL);

	n = rpc_res_req_encode(buf, sizeof(buf), &q);
	CHECK_INT(rpc_res_req_decode(buf, n, &dq), VACCEL_OK);
	CHECK_INT(dq.sess_id, 3);
	CHECK_INT(dq.res_id, 9);
	CHECK_TRUNCATIONS(n, rpc_res_req_decode(buf, blen, &dq));
}

static void test_res_register(void)
{
	struct rpc_blob_desc blobs[2] = {
		{ VACCEL_BLOB_FILE, 6, 100, "dep.so" },
		{ VACCEL_BLOB_BUFFER, 7, 1ull << 33, "main.so" },
	};
	struct rpc_res_register m = { 5, 0, VACCEL_RESOURCE_LIB, 2, blobs };
	struct rpc_res_register d;
	size_t n = rpc_res_register_encode(buf, sizeof(buf), &m);

	CHECK_INT(n, rpc_res_register_size(&m));
	REQUIRE(n > 0);
	CHECK_INT(rpc_res_register_decode(buf, n, &d), VACCEL_OK);
	CHECK_INT(d.sess_id, 5);
	CHECK_INT(d.res_id, 0);
	CHECK_INT(d.res_type, VACCEL_RESOURCE_LIB);
	REQUIRE(d.nr_blobs == 2);
	CHECK_INT(d.blobs[1].type, VACCEL_BLOB_BUFFER);
	CHECK_INT(d.blobs[1].size, 1ull << 33);
	CHECK(memcmp(d.blobs[0].name, "dep.so", 6) == 0);
	rpc_res_register_release(&d);
	CHECK(d.blobs == NULL);
	CHECK_TRUNCATIONS(n, rpc_res_register_decode(buf, blen, &d));

	/* Unsafe names. */
	blobs[0].name = "../x";
	blobs[0].name_len = 4;
	n = rpc_res_register_encode(buf, sizeof(buf), &m);
	CHECK_INT(rpc_res_register_decode(buf, n, &d), VACCEL_EINVAL);
	blobs[0].name = "..";
	blobs[0].name_len = 2;
	n = rpc_res_register_encode(buf, sizeof(buf), &m);
	CHECK_INT(rpc_res_register_decode(buf, n, &d), VACCEL_EINVAL);
	blobs[0].name = "";
	blobs[0].name_len = 0;
	n = rpc_res_register_encode(buf, sizeof(buf), &m);
	CHECK_INT(rpc_res_register_decode(buf, n, &d), VACCEL_EINVAL);
	blobs[0].name = "dep.so";
	blobs[0].name_len = 6;

	/* Bad blob type. */
	blobs[0].type = 77;
	n = rpc_res_register_encode(buf, sizeof(buf), &m);
	CHECK_INT(rpc_res_register_decode(buf, n, &d), VACCEL_EINVAL);
	blobs[0].type = VACCEL_BLOB_FILE;

	/* Sizes that overflow when summed. */
	blobs[0].size = UINT64_MAX;
	n = rpc_res_register_encode(buf, sizeof(buf), &m);
	CHECK_INT(rpc_res_register_decode(buf, n, &d), VACCEL_EINVAL);
	blobs[0].size = 100;

	/* A count far beyond the body. */
	n = rpc_res_register_encode(buf, sizeof(buf), &m);
	buf[20] = 0xff;
	buf[21] = 0xff;
	CHECK_INT(rpc_res_register_decode(buf, n, &d), VACCEL_EINVAL);

	/* Link (res_id set) must not carry blobs; new needs blobs. */
	m.res_id = 8;
	n = rpc_res_register_encode(buf, sizeof(buf), &m);
	CHECK_INT(rpc_res_register_decode(buf, n, &d), VACCEL_EINVAL);
	m.nr_blobs = 0;
	n = rpc_res_register_encode(buf, sizeof(buf), &m);
	CHECK_INT(rpc_res_register_decode(buf, n, &d), VACCEL_OK);
	CHECK_INT(d.res_id, 8);
	rpc_res_register_release(&d);
	m.res_id = 0;
	n = rpc_res_register_encode(buf, sizeof(buf), &m);
	CHECK_INT(rpc_res_register_decode(buf, n, &d), VACCEL_EINVAL);
}

static void test_chunk(void)
{
	struct rpc_chunk c;
	size_t n = rpc_chunk_head_encode(buf, sizeof(buf), 1, 4096);

	memcpy(buf + n, "hello", 5);
	CHECK_INT(rpc_chunk_decode(buf, n + 5, &c), VACCEL_OK);
	CHECK_INT(c.blob, 1);
	CHECK_INT(c.offset, 4096);
	CHECK_INT(c.len, 5);
	CHECK(memcmp(c.data, "hello", 5) == 0);
	CHECK_TRUNCATIONS(n, rpc_chunk_decode(buf, blen, &c));
	buf[4] = 1;
	CHECK_INT(rpc_chunk_decode(buf, n + 5, &c), VACCEL_EINVAL);
}

static void test_op(void)
{
	int32_t v = 7;
	char str[] = "libfoo.so";
	float inout[2] = { 1.5f, 2.5f };
	struct rpc_arg rd[2] = {
		{ VACCEL_ARG_INT32, 0, 0, 4, &v, 0 },
		{ VACCEL_ARG_STRING, 0, 0, sizeof(str), str, 0 },
	};
	struct rpc_arg wr[2] = {
		{ VACCEL_ARG_FLOAT32_ARRAY, 0, 0, 400, NULL, 0 },
		{ VACCEL_ARG_FLOAT32_ARRAY, RPC_ARG_INOUT, 0, 8, inout, 0 },
	};
	struct rpc_op_req m = { 9, 2, 2, rd, wr }, d;
	size_t head = rpc_op_req_head_encode(buf, sizeof(buf), &m);
	size_t n;

	CHECK_INT(head, rpc_op_req_head_size(2, 2));
	/* Each item padded to 8 bytes: 4+4, 10+6, 8. */
	memset(buf + head, 0, 32);
	memcpy(buf + head, &v, 4);
	memcpy(buf + head + 8, str, sizeof(str));
	memcpy(buf + head + 24, inout, 8);
	n = head + 32;
	CHECK_INT(rpc_op_req_decode(buf, n, &d), VACCEL_OK);
	CHECK_INT(d.sess_id, 9);
	REQUIRE(d.nr_read == 2 && d.nr_write == 2);
	CHECK(d.write[0].data == NULL);
	REQUIRE(d.write[1].data != NULL);
	CHECK(memcmp(d.write[1].data, inout, 8) == 0);
	CHECK_INT(*(const int32_t *)d.read[0].data, 7);
	CHECK_STR((const char *)d.read[1].data, "libfoo.so");
	CHECK_INT(d.write[0].size, 400);
	CHECK_INT(d.write[0].type, VACCEL_ARG_FLOAT32_ARRAY);
	rpc_op_req_release(&d);
	CHECK_TRUNCATIONS(n, rpc_op_req_decode(buf, blen, &d));
	/* Trailing byte. */
	CHECK_INT(rpc_op_req_decode(buf, n + 1, &d), VACCEL_EINVAL);
	/* Arg size past the end. */
	buf[16 + 8] = 0xff;
	CHECK_INT(rpc_op_req_decode(buf, n, &d), VACCEL_EINVAL);
	buf[16 + 8] = 4;
	/* Bad arg type. */
	buf[16] = 200;
	CHECK_INT(rpc_op_req_decode(buf, n, &d), VACCEL_EINVAL);
	buf[16] = VACCEL_ARG_INT32;
	/* INOUT is for write args only; unknown flags are refused. */
	buf[18] = RPC_ARG_INOUT;
	CHECK_INT(rpc_op_req_decode(buf, n, &d), VACCEL_EINVAL);
	buf[18] = 0;
	buf[16 + 3 * 16 + 2] = 0x4;
	CHECK_INT(rpc_op_req_decode(buf, n, &d), VACCEL_EINVAL);
	buf[16 + 3 * 16 + 2] = RPC_ARG_INOUT;
	/* Count too large. */
	buf[8] = 0xff;
	buf[9] = 0xff;
	CHECK_INT(rpc_op_req_decode(buf, n, &d), VACCEL_EINVAL);
	buf[8] = 2;
	buf[9] = 0;
	CHECK_INT(rpc_op_req_decode(buf, n, &d), VACCEL_OK);
	rpc_op_req_release(&d);
	/* No args at all is a valid (noop-like) body. */
	m.nr_read = m.nr_write = 0;
	head = rpc_op_req_head_encode(buf, sizeof(buf), &m);
	CHECK_INT(rpc_op_req_decode(buf, head, &d), VACCEL_OK);
	rpc_op_req_release(&d);
}

static void test_op_reply(void)
{
	uint64_t sizes[2] = { 8, 3 }, got[2];
	struct rpc_reply_prefix p;
	size_t head = rpc_op_reply_head_encode(buf, sizeof(buf), &pfx, 2,
					       sizes);

	CHECK_INT(head, rpc_op_reply_head_size(2));
	CHECK_INT(rpc_op_reply_head_decode(buf, head, head + 11, 2, NULL, &p, got),
		  VACCEL_OK);
	check_prefix(&p);
	CHECK_INT(got[0], 8);
	CHECK_INT(got[1], 3);
	/* Sizes not adding up to the body. */
	CHECK_INT(rpc_op_reply_head_decode(buf, head, head + 12, 2, NULL, &p, got),
		  VACCEL_EINVAL);
	CHECK_INT(rpc_op_reply_head_decode(buf, head, head + 10, 2, NULL, &p, got),
		  VACCEL_EINVAL);
	/* Wrong count. */
	CHECK_INT(rpc_op_reply_head_decode(buf, head, head + 11, 1, NULL, &p, got),
		  VACCEL_EINVAL);
	CHECK_TRUNCATIONS(head, rpc_op_reply_head_decode(buf, blen, head + 11,
							 2, NULL, &p, got));
	/* A size so large it wraps. */
	sizes[0] = UINT64_MAX;
	head = rpc_op_reply_head_encode(buf, sizeof(buf), &pfx, 2, sizes);
	CHECK_INT(rpc_op_reply_head_decode(buf, head, head + 11, 2, NULL, &p, got),
		  VACCEL_EINVAL);
}

static void test_torch(void)
{
	float in_data[6] = { 1, 2, 3, 4, 5, 6 };
	struct rpc_tensor t[1] = { { .dtype = 7, .nr_dims = 2, .size = 24,
				     .dims = { 2, 3 }, .data = in_data } };
	struct rpc_torch_run m = { 1, 2, 1, 3, 4, "opts", t }, d;
	struct rpc_reply_prefix p;
	struct rpc_tensor *out;
	uint32_t nr;
	size_t head = rpc_torch_run_head_encode(buf, sizeof(buf), &m), n;

	CHECK_INT(head, rpc_torch_run_head_size(&m));
	memcpy(buf + head, "opts\0\0\0\0", 8);
	memcpy(buf + head + 8, in_data, 24);
	n = head + 32;
	CHECK_INT(rpc_torch_run_decode(buf, n, &d), VACCEL_OK);
	CHECK_INT(d.res_id, 2);
	CHECK_INT(d.nr_out, 3);
	REQUIRE(d.nr_in == 1);
	CHECK_INT(d.in[0].dims[1], 3);
	CHECK(memcmp(d.opts, "opts", 4) == 0);
	CHECK(memcmp(d.in[0].data, in_data, 24) == 0);
	rpc_torch_run_release(&d);
	CHECK_TRUNCATIONS(n, rpc_torch_run_decode(buf, blen, &d));
	/* Too many dims. */
	buf[32 + 4] = 17;
	CHECK_INT(rpc_torch_run_decode(buf, n, &d), VACCEL_EINVAL);
	buf[32 + 4] = 2;
	/* Negative dim. */
	buf[32 + 16 + 7] = 0x80;
	CHECK_INT(rpc_torch_run_decode(buf, n, &d), VACCEL_EINVAL);

	head = rpc_tensors_reply_head_encode(buf, sizeof(buf), &pfx, t, 1);
	CHECK_INT(head, rpc_tensors_reply_head_size(t, 1));
	memcpy(buf + head, in_data, 24);
	n = head + 24;
	CHECK_INT(rpc_tensors_reply_decode(buf, n, &p, &out, &nr), VACCEL_OK);
	REQUIRE(nr == 1);
	check_prefix(&p);
	CHECK_INT(out[0].nr_dims, 2);
	CHECK(memcmp(out[0].data, in_data, 24) == 0);
	free(out);
	CHECK_TRUNCATIONS(n, rpc_tensors_reply_decode(buf, blen, &p, &out,
						      &nr));
}

static void test_stats_prof(void)
{
	struct rpc_stats s = { 3, 7, 4, 5, 6, 0, 0 }, d;
	struct rpc_prof_entry e[2] = { { "rpc_agent_exec", 100, 2 },
				       { "x", 1, 1 } };
	struct rpc_prof_entry *de;
	struct rpc_reply_prefix p;
	uint32_t nr;
	size_t n = rpc_stats_reply_encode(buf, sizeof(buf), &pfx, &s);

	CHECK_INT(rpc_stats_reply_decode(buf, n, &p, &d), VACCEL_OK);
	CHECK_INT(d.connections, 3);
	CHECK_INT(d.unauthenticated, 7);
	CHECK_INT(d.sessions, 4);
	CHECK_INT(d.resources, 5);
	CHECK_INT(d.upload_bytes, 6);
	CHECK_TRUNCATIONS(n, rpc_stats_reply_decode(buf, blen, &p, &d));

	n = rpc_prof_reply_encode(buf, sizeof(buf), &pfx, e, 2);
	CHECK_INT(rpc_prof_reply_decode(buf, n, &p, &de, &nr), VACCEL_OK);
	REQUIRE(nr == 2);
	CHECK_STR(de[0].name, "rpc_agent_exec");
	CHECK_INT(de[0].total_ns, 100);
	CHECK_STR(de[1].name, "x");
	free(de);
	CHECK_TRUNCATIONS(n, rpc_prof_reply_decode(buf, blen, &p, &de, &nr));
}

/* Random bytes must never crash a decoder (a poor man's fuzz run). */
static void test_garbage(void)
{
	uint32_t seed = 12345;
	int level = vaccel__log_level;

	/* Every rejected input logs a line; keep the test output readable. */
	vaccel__log_level = 0;
	for (int round = 0; round < 20000; round++) {
		size_t len = (size_t)(seed % 200);
		struct rpc_res_register rr;
		struct rpc_op_req op;
		struct rpc_torch_run tr;
		struct rpc_tensor *t;
		struct rpc_prof_entry *pe;
		struct rpc_reply_prefix p;
		struct rpc_error e;
		uint32_t nr;

		for (size_t i = 0; i < len; i++) {
			seed = seed * 1103515245u + 12345u;
			buf[i] = (uint8_t)(seed >> 16);
			/* Keep counts small often enough to go deep. */
			if ((seed >> 8) % 3 == 0)
				buf[i] = (uint8_t)(buf[i] % 3);
		}
		if (rpc_res_register_decode(buf, len, &rr) == VACCEL_OK)
			rpc_res_register_release(&rr);
		if (rpc_op_req_decode(buf, len, &op) == VACCEL_OK)
			rpc_op_req_release(&op);
		if (rpc_torch_run_decode(buf, len, &tr) == VACCEL_OK)
			rpc_torch_run_release(&tr);
		if (rpc_tensors_reply_decode(buf, len, &p, &t, &nr) == 0)
			free(t);
		if (rpc_prof_reply_decode(buf, len, &p, &pe, &nr) == 0)
			free(pe);
		rpc_error_decode(buf, len, &e);
		seed = seed * 1103515245u + 12345u;
	}
	vaccel__log_level = level;
	CHECK(1);
}

TEST_MAIN(test_header, test_hello, test_error, test_sess, test_ids_and_empty,
	  test_res_register, test_chunk, test_op, test_op_reply, test_torch,
	  test_stats_prof, test_garbage)
