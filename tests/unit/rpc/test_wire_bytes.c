// SPDX-License-Identifier: Apache-2.0
/*
 * Pins the wire format: every message kind is encoded and compared with
 * bytes written out by hand from docs/protocol.md, and those bytes decode
 * back to the same fields. The expected bytes are the same on every host,
 * so this test passing on x86-64, arm64 and 32-bit armhf (the cross builds
 * run it under qemu-user) shows that no field depends on sizeof(size_t),
 * long, alignment or the host's byte order.
 *
 * The values are chosen to catch that: every multi-byte field has distinct
 * bytes (a swapped or shortened field shows), and sizes, offsets, dims and
 * counters exceed 2^32 where the field is 64 bits wide (a 32-bit size_t in
 * the path would drop the high half).
 */
#include "codec.h"
#include "testing.h"
#include "transport.h"
#include "vaccel.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Distinct-byte values used throughout. */
#define SESS 0x0102030405060708ll
#define RES 0x1112131415161718ll
#define BIG 0x0000000523456789ull /* > 4 GiB */
#define SESS_B "08 07 06 05 04 03 02 01 "
#define RES_B "18 17 16 15 14 13 12 11 "
#define BIG_B "89 67 45 23 05 00 00 00 "
#define PREFIX_B "28 27 26 25 24 23 22 21 38 37 36 35 34 33 32 31 " \
		 "48 47 46 45 44 43 42 41 "

static const struct rpc_reply_prefix prefix = {
	.t_recv = 0x2122232425262728ull,
	.t_reply = 0x3132333435363738ull,
	.t_exec = 0x4142434445464748ull,
};

static uint8_t out[4096];
static uint8_t want[4096];

/* Parses "0a 1b ..." into `want`; returns the byte count. */
static size_t hex(const char *s)
{
	size_t n = 0;

	while (*s) {
		unsigned int v;
		int used;

		if (*s == ' ') {
			s++;
			continue;
		}
		if (sscanf(s, "%2x%n", &v, &used) != 1 || used != 2 ||
		    n == sizeof(want)) {
			fprintf(stderr, "bad hex near '%s'\n", s);
			abort();
		}
		want[n++] = (uint8_t)v;
		s += 2;
	}
	return n;
}

/* The encoder wrote `got` bytes into `out`; they must be exactly `spec`. */
static void check_bytes(const char *what, size_t got, const char *spec)
{
	size_t n = hex(spec);

	if (got == n && memcmp(out, want, n) == 0)
		return;
	fprintf(stderr, "%s: %zu bytes encoded, %zu expected\n  got ", what,
		got, n);
	for (size_t i = 0; i < got; i++)
		fprintf(stderr, "%02x ", out[i]);
	fprintf(stderr, "\n want %s\n", spec);
	CHECK(0);
}

static void check_prefix(const struct rpc_reply_prefix *p)
{
	CHECK(p->t_recv == prefix.t_recv);
	CHECK(p->t_reply == prefix.t_reply);
	CHECK(p->t_exec == prefix.t_exec);
}

static void test_header(void)
{
	struct rpc_hdr h = { .length = 0x00012345,
			     .type = RPC_MSG_OP | RPC_MSG_REPLY,
			     .req_id = 0x8877665544332211ull };
	const char *spec = "45 23 01 00 89 00 00 00 11 22 33 44 55 66 77 88";
	struct rpc_hdr d;

	CHECK_INT(RPC_HDR_SIZE, 16);
	rpc_hdr_encode(out, &h);
	check_bytes("header", RPC_HDR_SIZE, spec);
	CHECK_INT(rpc_hdr_decode(want, 0x00012345, &d), VACCEL_OK);
	CHECK(d.length == h.length && d.type == h.type && d.flags == 0 &&
	      d.req_id == h.req_id);
}

static void test_hello_auth_error(void)
{
	struct rpc_hello h = { RPC_MAGIC, 1, 0, 0x00400000, 0 }, d;
	struct rpc_auth a;
	struct rpc_error *e = calloc(1, sizeof(*e));
	struct rpc_wbuf w;
	struct rpc_rbuf r;
	struct rpc_reply_prefix p;
	size_t n;

	REQUIRE(e);
	CHECK_INT(RPC_HELLO_SIZE, 16);
	n = rpc_hello_encode(out, sizeof(out), &h);
	check_bytes("HELLO", n,
		    "76 41 63 52 01 00 00 00 00 00 40 00 00 00 00 00");
	CHECK_INT(rpc_hello_decode(want, n, &d), VACCEL_OK);
	CHECK(d.magic == RPC_MAGIC && d.major == 1 && d.minor == 0 &&
	      d.max_frame == 0x00400000 && d.flags == 0);

	/* The agent's reply: the prefix, then its own HELLO (AUTH flag). */
	h.flags = RPC_HELLO_AUTH;
	rpc_wbuf_init(&w, out, sizeof(out));
	rpc_reply_prefix_put(&w, &prefix);
	n = w.len + rpc_hello_encode(out + w.len, sizeof(out) - w.len, &h);
	check_bytes("HELLO reply", n,
		    PREFIX_B "76 41 63 52 01 00 00 00 00 00 40 00 01 00 00 00");
	rpc_rbuf_init(&r, want, n);
	rpc_reply_prefix_get(&r, &p);
	check_prefix(&p);
	CHECK_INT(rpc_hello_decode(want + RPC_REPLY_PREFIX_SIZE,
				   n - RPC_REPLY_PREFIX_SIZE, &d),
		  VACCEL_OK);
	CHECK_INT(d.flags, RPC_HELLO_AUTH);

	n = rpc_auth_encode(out, sizeof(out), "k3y", 3);
	check_bytes("AUTH", n, "03 00 00 00 00 00 00 00 6b 33 79");
	CHECK_INT(rpc_auth_decode(want, n, &a), VACCEL_OK);
	CHECK(a.len == 3 && memcmp(a.token, "k3y", 3) == 0);

	n = rpc_error_encode(out, sizeof(out), VACCEL_EINVAL, "bad");
	check_bytes("ERROR", n, "16 00 00 00 03 00 00 00 62 61 64");
	CHECK_INT(rpc_error_decode(want, n, e), VACCEL_OK);
	CHECK_INT(e->code, VACCEL_EINVAL);
	CHECK_STR(e->msg, "bad");
	free(e);
}

static void test_sessions_and_ids(void)
{
	struct rpc_sess_req s = { SESS, 0xa1a2a3a4u }, d;
	struct rpc_res_req q = { SESS, RES }, qd;
	struct rpc_reply_prefix p;
	int64_t id;
	size_t n;

	n = rpc_sess_req_encode(out, sizeof(out), RPC_MSG_SESS_CREATE, &s);
	check_bytes("SESS_CREATE", n, "a4 a3 a2 a1");
	CHECK_INT(rpc_sess_req_decode(want, n, RPC_MSG_SESS_CREATE, &d),
		  VACCEL_OK);
	CHECK(d.sess_id == 0 && d.flags == 0xa1a2a3a4u);

	n = rpc_sess_req_encode(out, sizeof(out), RPC_MSG_SESS_UPDATE, &s);
	check_bytes("SESS_UPDATE", n, SESS_B "a4 a3 a2 a1");
	CHECK_INT(rpc_sess_req_decode(want, n, RPC_MSG_SESS_UPDATE, &d),
		  VACCEL_OK);
	CHECK(d.sess_id == SESS && d.flags == 0xa1a2a3a4u);

	n = rpc_sess_req_encode(out, sizeof(out), RPC_MSG_SESS_DESTROY, &s);
	check_bytes("SESS_DESTROY", n, SESS_B);
	CHECK_INT(rpc_sess_req_decode(want, n, RPC_MSG_SESS_DESTROY, &d),
		  VACCEL_OK);
	CHECK(d.sess_id == SESS && d.flags == 0);

	/* RES_UNREGISTER, RES_SYNC and TORCH_LOAD share this body. */
	n = rpc_res_req_encode(out, sizeof(out), &q);
	check_bytes("RES_UNREGISTER/RES_SYNC/TORCH_LOAD", n, SESS_B RES_B);
	CHECK_INT(rpc_res_req_decode(want, n, &qd), VACCEL_OK);
	CHECK(qd.sess_id == SESS && qd.res_id == RES);

	n = rpc_id_reply_encode(out, sizeof(out), &prefix, RES);
	check_bytes("id reply", n, PREFIX_B RES_B);
	CHECK_INT(rpc_id_reply_decode(want, n, &p, &id), VACCEL_OK);
	check_prefix(&p);
	CHECK(id == RES);

	n = rpc_empty_reply_encode(out, sizeof(out), &prefix);
	check_bytes("empty reply", n, PREFIX_B);
	CHECK_INT(rpc_empty_reply_decode(want, n, &p), VACCEL_OK);
	check_prefix(&p);
}

static void test_resources(void)
{
	struct rpc_blob_desc blobs[2] = {
		{ VACCEL_BLOB_FILE, 4, BIG, "m.pt" },
		{ VACCEL_BLOB_BUFFER, 1, 3, "x" },
	};
	struct rpc_res_register m = { SESS, 0, VACCEL_RESOURCE_MODEL, 2, blobs };
	struct rpc_res_register link = { SESS, RES, VACCEL_RESOURCE_MODEL, 0,
					 NULL };
	struct rpc_res_register d;
	struct rpc_chunk c;
	size_t n;

	n = rpc_res_register_encode(out, sizeof(out), &m);
	check_bytes("RES_REGISTER (new)", n,
		    SESS_B "00 00 00 00 00 00 00 00 02 00 00 00 02 00 00 00 "
		    "00 00 00 00 00 00 00 00 "
		    "00 00 00 00 04 00 00 00 " BIG_B "6d 2e 70 74 "
		    "01 00 00 00 01 00 00 00 03 00 00 00 00 00 00 00 78");
	CHECK_INT(n, rpc_res_register_size(&m));
	CHECK_INT(rpc_res_register_decode(want, n, &d), VACCEL_OK);
	CHECK(d.sess_id == SESS && d.res_id == 0 &&
	      d.res_type == VACCEL_RESOURCE_MODEL && d.nr_blobs == 2);
	if (d.nr_blobs == 2) {
		CHECK(d.blobs[0].type == VACCEL_BLOB_FILE &&
		      d.blobs[0].size == BIG && d.blobs[0].name_len == 4 &&
		      memcmp(d.blobs[0].name, "m.pt", 4) == 0);
		CHECK(d.blobs[1].type == VACCEL_BLOB_BUFFER &&
		      d.blobs[1].size == 3 && d.blobs[1].name[0] == 'x');
	}
	rpc_res_register_release(&d);

	n = rpc_res_register_encode(out, sizeof(out), &link);
	check_bytes("RES_REGISTER (link)", n,
		    SESS_B RES_B "02 00 00 00 00 00 00 00 "
				 "00 00 00 00 00 00 00 00");
	CHECK_INT(rpc_res_register_decode(want, n, &d), VACCEL_OK);
	CHECK(d.res_id == RES && d.nr_blobs == 0);
	rpc_res_register_release(&d);

	/* A chunk at 4 GiB: the offset needs all 64 bits. */
	CHECK_INT(RPC_CHUNK_HEAD_SIZE, 16);
	n = rpc_chunk_head_encode(out, sizeof(out), 1, 0x100000000ull);
	check_bytes("RES_CHUNK head", n,
		    "01 00 00 00 00 00 00 00 00 00 00 00 01 00 00 00");
	n = hex("01 00 00 00 00 00 00 00 00 00 00 00 01 00 00 00 61 62");
	CHECK_INT(rpc_chunk_decode(want, n, &c), VACCEL_OK);
	CHECK(c.blob == 1 && c.offset == 0x100000000ull && c.len == 2 &&
	      memcmp(c.data, "ab", 2) == 0);
}

static void test_op(void)
{
	struct rpc_arg rd[2] = {
		{ VACCEL_ARG_UINT8, 0, 0, 1, NULL, 0 },
		{ VACCEL_ARG_CUSTOM, 0, 0xc1c2c3c4u, BIG, NULL, 0 },
	};
	struct rpc_arg wr[1] = {
		{ VACCEL_ARG_FLOAT32_ARRAY, RPC_ARG_INOUT, 0, 16, NULL, 0 },
	};
	struct rpc_op_req m = { SESS, 2, 1, rd, wr }, d;
	uint64_t sizes[2] = { 3, BIG };
	struct rpc_reply_prefix p;
	size_t n;

	CHECK_INT(RPC_ARG_DESC_SIZE, 16);
	CHECK_INT(rpc_op_req_head_size(2, 1), 16 + 3 * 16);
	n = rpc_op_req_head_encode(out, sizeof(out), &m);
	check_bytes("OP request head", n,
		    SESS_B "02 00 00 00 01 00 00 00 "
		    "09 00 00 00 00 00 00 00 01 00 00 00 00 00 00 00 "
		    "1d 00 00 00 c4 c3 c2 c1 " BIG_B
		    "12 00 01 00 00 00 00 00 10 00 00 00 00 00 00 00");

	/* A whole request body: read data then in-out data, each item
	 * padded with zeros to 8 bytes. */
	n = hex(SESS_B "02 00 00 00 01 00 00 00 "
		"09 00 00 00 00 00 00 00 01 00 00 00 00 00 00 00 "
		"05 00 00 00 00 00 00 00 04 00 00 00 00 00 00 00 "
		"11 00 01 00 00 00 00 00 04 00 00 00 00 00 00 00 "
		"07 00 00 00 00 00 00 00 "
		"f6 ff ff ff 00 00 00 00 "
		"00 00 c0 3f 00 00 00 00");
	CHECK_INT(rpc_op_req_decode(want, n, &d), VACCEL_OK);
	CHECK(d.sess_id == SESS && d.nr_read == 2 && d.nr_write == 1);
	if (d.nr_read == 2 && d.nr_write == 1) {
		int32_t v;
		float f;

		CHECK(d.read[0].type == VACCEL_ARG_UINT8 &&
		      d.read[0].size == 1 && *(const uint8_t *)d.read[0].data == 7);
		memcpy(&v, d.read[1].data, 4);
		CHECK(d.read[1].type == VACCEL_ARG_INT32 && v == -10);
		memcpy(&f, d.write[0].data, 4);
		CHECK(d.write[0].type == VACCEL_ARG_FLOAT32 &&
		      d.write[0].flags == RPC_ARG_INOUT && f == 1.5f);
		/* Items start on 8-byte offsets of the body. */
		CHECK_INT((const uint8_t *)d.read[1].data - want, 72);
		CHECK_INT((const uint8_t *)d.write[0].data - want, 80);
	}
	rpc_op_req_release(&d);

	/* The reply (and RES_SYNC's): prefix, count, sizes, data. */
	n = rpc_op_reply_head_encode(out, sizeof(out), &prefix, 2, sizes);
	check_bytes("OP reply head", n,
		    PREFIX_B "02 00 00 00 00 00 00 00 "
			     "03 00 00 00 00 00 00 00 " BIG_B);
	CHECK_INT(n, rpc_op_reply_head_size(2));
	hex(PREFIX_B "02 00 00 00 00 00 00 00 03 00 00 00 00 00 00 00 "
		     "05 00 00 00 00 00 00 00");
	CHECK_INT(rpc_op_reply_head_decode(want, n, n + 8, 2, NULL, &p, sizes),
		  VACCEL_OK);
	check_prefix(&p);
	CHECK(sizes[0] == 3 && sizes[1] == 5);
}

static void test_torch(void)
{
	struct rpc_tensor t = { .dtype = VACCEL_TORCH_FLOAT,
				.nr_dims = 2,
				.size = 0x200000000ull,
				.dims = { 0x100000000ll, 2 } };
	struct rpc_torch_run m = { SESS, RES, 1, 2, 3, NULL, &t }, d;
	struct rpc_tensor b = { .dtype = VACCEL_TORCH_BOOL, .size = 1 };
	struct rpc_tensor *rt = NULL;
	struct rpc_reply_prefix p;
	uint32_t nr = 0;
	size_t n;

	CHECK_INT(RPC_TENSOR_DESC_SIZE, 16);
	n = rpc_torch_run_head_encode(out, sizeof(out), &m);
	check_bytes("TORCH_RUN head", n,
		    SESS_B RES_B "01 00 00 00 02 00 00 00 "
				 "03 00 00 00 00 00 00 00 "
				 "07 00 00 00 02 00 00 00 "
				 "00 00 00 00 02 00 00 00 "
				 "00 00 00 00 01 00 00 00 "
				 "02 00 00 00 00 00 00 00");
	CHECK_INT(n, rpc_torch_run_head_size(&m));

	/* A whole body: options "abc" padded, an INT tensor of 8 bytes (no
	 * padding), a HALF scalar of 2 bytes padded. */
	n = hex(SESS_B RES_B "02 00 00 00 01 00 00 00 03 00 00 00 00 00 00 00 "
			     "04 00 00 00 01 00 00 00 08 00 00 00 00 00 00 00 "
			     "02 00 00 00 00 00 00 00 "
			     "06 00 00 00 00 00 00 00 02 00 00 00 00 00 00 00 "
			     "61 62 63 00 00 00 00 00 "
			     "01 00 00 00 ff ff ff ff "
			     "00 3c 00 00 00 00 00 00");
	CHECK_INT(rpc_torch_run_decode(want, n, &d), VACCEL_OK);
	CHECK(d.sess_id == SESS && d.res_id == RES && d.nr_in == 2 &&
	      d.nr_out == 1 && d.opts_len == 3);
	if (d.nr_in == 2) {
		CHECK(memcmp(d.opts, "abc", 3) == 0);
		CHECK(d.in[0].dtype == VACCEL_TORCH_INT &&
		      d.in[0].nr_dims == 1 && d.in[0].dims[0] == 2 &&
		      d.in[0].size == 8);
		CHECK_INT((const uint8_t *)d.in[0].data - want, 80);
		CHECK(d.in[1].dtype == VACCEL_TORCH_HALF &&
		      d.in[1].nr_dims == 0 && d.in[1].size == 2);
		CHECK_INT((const uint8_t *)d.in[1].data - want, 88);
	}
	rpc_torch_run_release(&d);

	/* The reply: prefix, count, descriptors, then data unpadded. */
	n = rpc_tensors_reply_head_encode(out, sizeof(out), &prefix, &b, 1);
	check_bytes("TORCH_RUN reply head", n,
		    PREFIX_B "01 00 00 00 00 00 00 00 "
			     "0c 00 00 00 00 00 00 00 01 00 00 00 00 00 00 00");
	CHECK_INT(n, rpc_tensors_reply_head_size(&b, 1));
	n = hex(PREFIX_B "01 00 00 00 00 00 00 00 "
			 "0c 00 00 00 00 00 00 00 01 00 00 00 00 00 00 00 01");
	CHECK_INT(rpc_tensors_reply_decode(want, n, &p, &rt, &nr), VACCEL_OK);
	check_prefix(&p);
	CHECK_INT(nr, 1);
	if (nr == 1 && rt)
		CHECK(rt[0].dtype == VACCEL_TORCH_BOOL && rt[0].size == 1 &&
		      *(const uint8_t *)rt[0].data == 1);
	free(rt);
}

static void test_stats_prof(void)
{
	struct rpc_stats s = { 0x01020304u, 9, 0x100000002ull, 5, BIG,
				0x1112131415161718ull, 3 }, sd;
	struct rpc_prof_entry e = { "rpc_agent_exec", BIG, 7 };
	struct rpc_prof_entry *ed = NULL;
	struct rpc_reply_prefix p;
	uint32_t nr = 0;
	size_t n;

	n = rpc_stats_reply_encode(out, sizeof(out), &prefix, &s);
	check_bytes("STATS reply", n,
		    PREFIX_B "04 03 02 01 09 00 00 00 "
			     "02 00 00 00 01 00 00 00 "
			     "05 00 00 00 00 00 00 00 " BIG_B
			     "18 17 16 15 14 13 12 11 "
			     "03 00 00 00 00 00 00 00");
	CHECK_INT(rpc_stats_reply_decode(want, n, &p, &sd), VACCEL_OK);
	check_prefix(&p);
	CHECK(sd.connections == s.connections && sd.unauthenticated == 9 &&
	      sd.sessions == s.sessions &&
	      sd.resources == 5 && sd.upload_bytes == BIG &&
	      sd.shm_bytes == s.shm_bytes && sd.shm_items == 3);

	n = rpc_prof_reply_encode(out, sizeof(out), &prefix, &e, 1);
	check_bytes("PROF reply", n,
		    PREFIX_B "01 00 00 00 00 00 00 00 "
			     "0e 00 00 00 00 00 00 00 " BIG_B
			     "07 00 00 00 00 00 00 00 "
			     "72 70 63 5f 61 67 65 6e 74 5f 65 78 65 63");
	CHECK_INT(rpc_prof_reply_decode(want, n, &p, &ed, &nr), VACCEL_OK);
	CHECK_INT(nr, 1);
	if (nr == 1 && ed)
		CHECK(strcmp(ed[0].name, "rpc_agent_exec") == 0 &&
		      ed[0].total_ns == BIG && ed[0].nr_entries == 7);
	free(ed);
}

static void test_virtio_sync(void)
{
	vaccel__virtio_sync_marker(out, VACCEL_VIRTIO_SYNC_TAG, 0x0102030405060708ull);
	check_bytes("virtio SYNC", VACCEL_VIRTIO_SYNC_LEN,
		    "ff ff ff ff ff ff ff ff ff ff ff ff ff ff ff ff "
		    "76 41 63 52 53 59 4e 43 " SESS_B);
	vaccel__virtio_sync_marker(out, VACCEL_VIRTIO_ACK_TAG, 1);
	check_bytes("virtio ACK", VACCEL_VIRTIO_SYNC_LEN,
		    "ff ff ff ff ff ff ff ff ff ff ff ff ff ff ff ff "
		    "76 41 63 52 53 41 43 4b 01 00 00 00 00 00 00 00");
}

TEST_MAIN(test_header, test_hello_auth_error, test_sessions_and_ids,
	  test_resources, test_op, test_torch, test_stats_prof,
	  test_virtio_sync)
