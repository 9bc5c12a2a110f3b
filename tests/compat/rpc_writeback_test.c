// SPDX-License-Identifier: Apache-2.0
/*
 * The rpc plugin writes an op's reply into the caller's own (borrowed)
 * buffers, and a reply larger than a caller's buffer fails the call with
 * VACCEL_ENOSPC and a log line instead of writing past the buffer, while
 * the connection stays usable. The agent here is a scripted fake that
 * speaks the protocol with src/rpc's codec: the first OP comes back four
 * bytes too long per write arg, every later one has the right size and
 * echoes the write args' incoming bytes plus one in each byte.
 */
#include "codec.h"
#include "conn.h"
#include "testing.h"
#include "transport.h"
#include "vaccel.h"

#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>

static struct vaccel_listener listener;
static char dir[] = "/tmp/vaccel-writeback-XXXXXX";
static char addr[200], log_path[200];
static pthread_t agent_thread;
static int nr_ops;

static const struct rpc_reply_prefix zero_prefix;

static int reply(struct rpc_conn *c, const struct rpc_hdr *h, void *head,
		 size_t len, struct iovec *iov, int n)
{
	return rpc_conn_send(c, (uint16_t)(h->type | RPC_MSG_REPLY), h->req_id,
			     head, len, iov, n);
}

static int on_op(struct rpc_conn *c, const struct rpc_hdr *h,
		 const uint8_t *body)
{
	struct rpc_op_req m;
	uint64_t sizes[8];
	uint8_t head[256], data[8][64];
	struct iovec iov[8];
	uint32_t nr;
	size_t n;

	if (rpc_op_req_decode(body, h->length, &m) || m.nr_write > 8)
		return rpc_conn_send_error(c, h->req_id, VACCEL_EINVAL, "bad OP");
	nr_ops++;
	for (uint32_t i = 0; i < m.nr_write; i++) {
		/* Too long the first time; the caller's bytes + 1 after. */
		sizes[i] = m.write[i].size + (nr_ops == 1 ? 4 : 0);
		if (sizes[i] > sizeof(data[i]))
			sizes[i] = sizeof(data[i]);
		memset(data[i], 0x77, sizeof(data[i]));
		for (uint64_t b = 0; m.write[i].data && b < m.write[i].size;
		     b++)
			data[i][b] = (uint8_t)(((const uint8_t *)m.write[i].data)[b] + 1);
		iov[i] = (struct iovec){ data[i], (size_t)sizes[i] };
	}
	nr = m.nr_write;
	rpc_op_req_release(&m);
	n = rpc_op_reply_head_encode(head, sizeof(head), &zero_prefix, nr,
				     sizes);
	return reply(c, h, head, n, iov, (int)nr);
}

static void *fake_agent(void *unused)
{
	struct vaccel_stream s;
	struct rpc_conn c;
	struct rpc_hdr h;
	(void)unused;

	if (vaccel__transport_accept(&listener, &s) ||
	    rpc_conn_init(&c, &s, 1u << 20))
		return NULL;
	while (rpc_conn_recv_hdr(&c, &h) == VACCEL_OK) {
		uint8_t *body = malloc(h.length + 1);
		uint8_t out[RPC_REPLY_PREFIX_SIZE + RPC_HELLO_SIZE];
		size_t n;

		if (!body || rpc_conn_recv(&c, body, h.length)) {
			free(body);
			break;
		}
		switch (h.type) {
		case RPC_MSG_HELLO: {
			struct rpc_hello me = { RPC_MAGIC, RPC_VERSION_MAJOR,
						RPC_VERSION_MINOR, 1u << 20, 0 };

			n = rpc_empty_reply_encode(out, sizeof(out),
						   &zero_prefix);
			n += rpc_hello_encode(out + n, sizeof(out) - n, &me);
			reply(&c, &h, out, n, NULL, 0);
			break;
		}
		case RPC_MSG_SESS_CREATE:
			n = rpc_id_reply_encode(out, sizeof(out), &zero_prefix,
						7);
			reply(&c, &h, out, n, NULL, 0);
			break;
		case RPC_MSG_OP:
			on_op(&c, &h, body);
			break;
		default:
			n = rpc_empty_reply_encode(out, sizeof(out),
						   &zero_prefix);
			reply(&c, &h, out, n, NULL, 0);
			break;
		}
		free(body);
	}
	rpc_conn_release(&c);
	return NULL;
}

static void setup(void)
{
	struct vaccel_config cfg;

	REQUIRE(mkdtemp(dir));
	snprintf(addr, sizeof(addr), "unix://%s/agent.sock", dir);
	snprintf(log_path, sizeof(log_path), "%s/client.log", dir);
	REQUIRE(vaccel__transport_listen(addr, &listener) == VACCEL_OK);
	REQUIRE(pthread_create(&agent_thread, NULL, fake_agent, NULL) == 0);
	setenv("VACCEL_RPC_ADDRESS", addr, 1);
	REQUIRE(vaccel_config_init(&cfg, getenv("VACCEL_TEST_RPC_PLUGIN"),
				   VACCEL_LOG_ERROR, log_path, false,
				   false) == VACCEL_OK);
	REQUIRE(vaccel_bootstrap_with_config(&cfg) == VACCEL_OK);
	vaccel_config_release(&cfg);
}

static bool logged(const char *what)
{
	char buf[8192] = { 0 };
	FILE *f = fopen(log_path, "r");
	size_t n = f ? fread(buf, 1, sizeof(buf) - 1, f) : 0;

	if (f)
		fclose(f);
	return n && strstr(buf, what);
}

static void test_oversized_then_normal(void)
{
	struct vaccel_session sess;
	struct vaccel_arg_array read, write;
	int32_t in = 5, out = 0x01020304;
	uint8_t tail[3] = { 9, 9, 9 };

	REQUIRE(vaccel_session_init(&sess, 0) == VACCEL_OK);
	vaccel_arg_array_init(&read, 1);
	vaccel_arg_array_init(&write, 2);
	vaccel_arg_array_add_int32(&read, &in);
	vaccel_arg_array_add_int32(&write, &out);
	vaccel_arg_array_add_uint8_array(&write, tail, 3);

	/* 8 bytes come back for a 4-byte variable: refused, nothing
	 * written, and the log says why. */
	CHECK_INT(vaccel_exec(&sess, "/lib.so", "fn", read.args, read.count,
			      write.args, write.count),
		  VACCEL_ENOSPC);
	CHECK_INT(out, 0x01020304);
	CHECK(tail[0] == 9 && tail[2] == 9);
	CHECK(logged("came back with 8 bytes, more than the caller's buffer of 4"));

	/* The connection is still in step: the next reply lands in the
	 * caller's own variables (each byte + 1, as the fake computes). */
	CHECK_INT(vaccel_exec(&sess, "/lib.so", "fn", read.args, read.count,
			      write.args, write.count),
		  VACCEL_OK);
	CHECK_INT(out, 0x02030405);
	CHECK(tail[0] == 10 && tail[1] == 10 && tail[2] == 10);
	CHECK_INT(nr_ops, 2);
	vaccel_arg_array_release(&read);
	vaccel_arg_array_release(&write);
	CHECK_INT(vaccel_session_release(&sess), VACCEL_OK);
}

static void teardown(void)
{
	vaccel_cleanup();
	pthread_join(agent_thread, NULL);
	vaccel__listener_close(&listener);
	if (getenv("VACCEL_TEST_KEEP_LOG"))
		return;
	unlink(log_path);
	rmdir(dir);
}

TEST_MAIN(setup, test_oversized_then_normal, teardown)
