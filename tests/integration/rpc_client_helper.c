// SPDX-License-Identifier: Apache-2.0
/*
 * A client process for the agent tests (run with VACCEL_PLUGINS set to the
 * rpc plugin and VACCEL_RPC_ADDRESS to the agent):
 *   noops N          one session, N noops; exit 0 when all succeed
 *   slow LIB MS      register LIB as a resource, print "R", then exec
 *                    slowfn(MS) from it (a test kills us during the call)
 *   upload ADDR      by hand: start a 64 MiB upload, send 3 MiB, print
 *                    "R" and hang (a test kills us mid-upload)
 *   threads LIB N M  register LIB (rpc_meetlib) as a resource with N
 *                    sessions, then N threads make M triple() calls each
 *                    on their session, every result checked; exit 0 when
 *                    all are right
 */
#include "rpc_common.h"

#include <pthread.h>

static int noops(long n)
{
	struct vaccel_session sess;
	long errors = 0;

	if (vaccel_session_init(&sess, VACCEL_PLUGIN_REMOTE)) {
		fprintf(stderr, "helper: session_init failed\n");
		return 1;
	}
	for (long i = 0; i < n; i++)
		if (vaccel_noop(&sess) != VACCEL_OK)
			errors++;
	vaccel_session_release(&sess);
	if (errors)
		fprintf(stderr, "helper: %ld of %ld noops failed\n", errors, n);
	return errors ? 1 : 0;
}

static int slow(const char *lib, int32_t ms)
{
	struct vaccel_session sess;
	struct vaccel_resource res;
	int32_t one = 0;
	struct vaccel_arg rd = { &ms, sizeof(ms), VACCEL_ARG_INT32, 0, false };
	struct vaccel_arg wr = { &one, sizeof(one), VACCEL_ARG_INT32, 0, false };
	int ret;

	if (vaccel_session_init(&sess,
				VACCEL_PLUGIN_REMOTE | VACCEL_PLUGIN_GENERIC) ||
	    vaccel_resource_init(&res, lib, VACCEL_RESOURCE_LIB) ||
	    vaccel_resource_register(&res, &sess))
		return 1;
	printf("R\n");
	fflush(stdout);
	ret = vaccel_exec_with_resource(&sess, &res, "slowfn", &rd, 1, &wr, 1);
	vaccel_resource_release(&res);
	vaccel_session_release(&sess);
	return ret == VACCEL_OK && one == 1 ? 0 : 1;
}

static int upload(const char *addr)
{
	static uint8_t chunk[RPC_CHUNK_HEAD_SIZE + (1 << 20)];
	struct rpc_blob_desc b = { VACCEL_BLOB_FILE, 8, 64u << 20, "model.pt" };
	struct rpc_res_register m = { 0, 0, VACCEL_RESOURCE_MODEL, 1, &b };
	struct rpc_sess_req q = { 0, 0 };
	struct rpc_reply_prefix p;
	uint8_t buf[512];
	size_t got, n;
	struct raw r;
	int code;

	if (raw_connect(&r, addr) ||
	    raw_hello(&r, RPC_VERSION_MAJOR, &code) !=
		    (RPC_MSG_HELLO | RPC_MSG_REPLY))
		return 1;
	n = rpc_sess_req_encode(buf, sizeof(buf), RPC_MSG_SESS_CREATE, &q);
	if (raw_call(&r, RPC_MSG_SESS_CREATE, buf, n, buf, sizeof(buf), &got,
		     &code) != (RPC_MSG_SESS_CREATE | RPC_MSG_REPLY) ||
	    rpc_id_reply_decode(buf, got, &p, &m.sess_id))
		return 1;
	n = rpc_res_register_encode(buf, sizeof(buf), &m);
	if (rpc_conn_send(&r.c, RPC_MSG_RES_REGISTER, 99, buf, n, NULL, 0))
		return 1;
	for (uint64_t off = 0; off < (3u << 20); off += 1u << 20) {
		rpc_chunk_head_encode(chunk, RPC_CHUNK_HEAD_SIZE, 0, off);
		if (rpc_conn_send(&r.c, RPC_MSG_RES_CHUNK, 99, chunk,
				  sizeof(chunk), NULL, 0))
			return 1;
	}
	printf("R\n");
	fflush(stdout);
	pause();
	return 0;
}

struct caller {
	pthread_t t;
	struct vaccel_session sess;
	struct vaccel_resource *res;
	int index, calls, errors;
};

static void *triples(void *arg)
{
	struct caller *c = arg;

	for (int i = 0; i < c->calls; i++) {
		int32_t x = c->index * 10000 + i, y = 0;
		struct vaccel_arg rd = { &x, 4, VACCEL_ARG_INT32, 0, false };
		struct vaccel_arg wr = { &y, 4, VACCEL_ARG_INT32, 0, false };

		if (vaccel_exec_with_resource(&c->sess, c->res, "triple", &rd,
					      1, &wr, 1) ||
		    y != 3 * x + 1)
			c->errors++;
	}
	return NULL;
}

static int threads(const char *lib, int n, int calls)
{
	struct caller c[16];
	struct vaccel_resource res;
	int errors = 0;

	if (n < 1 || n > 16 ||
	    vaccel_resource_init(&res, lib, VACCEL_RESOURCE_LIB))
		return 1;
	/* One upload, linked to every other session. */
	for (int i = 0; i < n; i++) {
		c[i] = (struct caller){ .res = &res, .index = i,
					.calls = calls };
		if (vaccel_session_init(&c[i].sess, VACCEL_PLUGIN_REMOTE |
							    VACCEL_PLUGIN_GENERIC) ||
		    vaccel_resource_register(&res, &c[i].sess))
			return 1;
	}
	for (int i = 0; i < n; i++)
		if (pthread_create(&c[i].t, NULL, triples, &c[i]))
			return 1;
	for (int i = 0; i < n; i++) {
		pthread_join(c[i].t, NULL);
		errors += c[i].errors;
		vaccel_resource_unregister(&res, &c[i].sess);
		vaccel_session_release(&c[i].sess);
	}
	vaccel_resource_release(&res);
	if (errors)
		fprintf(stderr, "helper: %d of %d triple calls failed\n",
			errors, n * calls);
	return errors ? 1 : 0;
}

int main(int argc, char **argv)
{
	if (argc == 3 && !strcmp(argv[1], "noops"))
		return noops(atol(argv[2]));
	if (argc == 4 && !strcmp(argv[1], "slow"))
		return slow(argv[2], (int32_t)atoi(argv[3]));
	if (argc == 3 && !strcmp(argv[1], "upload"))
		return upload(argv[2]);
	if (argc == 5 && !strcmp(argv[1], "threads"))
		return threads(argv[2], atoi(argv[3]), atoi(argv[4]));
	fprintf(stderr, "usage: %s noops N | slow LIB MS | upload ADDR | threads LIB N M\n",
		argv[0]);
	return 2;
}
