// SPDX-License-Identifier: Apache-2.0
/*
 * slot_client: a client of one slot of vaccel-device-plugin, which the
 * device plugin's end-to-end test runs inside a pod-like sandbox with
 * exactly the environment and mounts the plugin's Allocate returned
 * (VACCEL_PLUGINS, VACCEL_RPC_ADDRESS, VACCEL_RPC_TOKEN_FILE).
 *
 *   slot_client hold FILE
 *       Through libvaccel and the rpc plugin: a session with FILE
 *       registered as a DATA resource; prints "HOLD <session> <resource>"
 *       (the agent's ids), then answers each "noop" line on stdin with
 *       "noop <status>" on stdout, until stdin ends.
 *   slot_client peek SESSION RESOURCE
 *       By hand, with the slot's token: HELLO, AUTH, SESS_DESTROY of
 *       SESSION, a session of its own, RES_SYNC of RESOURCE (SESSION and
 *       RESOURCE are another slot's ids) and STATS; prints "destroy-session <code> <message>",
 *       "sync-resource <code> <message>" and
 *       "stats sessions=<n> resources=<n>".
 */
#include "hardening_common.h"

#include <fcntl.h>

static int hold(const char *file)
{
	struct vaccel_session sess;
	struct vaccel_resource res;
	char line[64];
	int ret;

	ret = vaccel_session_init(&sess, VACCEL_PLUGIN_REMOTE);
	if (ret) {
		fprintf(stderr, "slot_client: session: %s\n",
			vaccel_last_error_message());
		return 1;
	}
	ret = vaccel_resource_init(&res, file, VACCEL_RESOURCE_DATA);
	if (ret == VACCEL_OK)
		ret = vaccel_resource_register(&res, &sess);
	if (ret) {
		fprintf(stderr, "slot_client: resource: %s\n",
			vaccel_last_error_message());
		vaccel_session_release(&sess);
		return 1;
	}
	printf("HOLD %lld %lld\n", (long long)sess.remote_id,
	       (long long)res.remote_id);
	fflush(stdout);
	while (fgets(line, sizeof(line), stdin)) {
		if (strcmp(line, "noop\n") != 0)
			continue;
		printf("noop %d\n", vaccel_noop(&sess));
		fflush(stdout);
	}
	vaccel_resource_unregister(&res, &sess);
	vaccel_resource_release(&res);
	vaccel_session_release(&sess);
	return 0;
}

static int read_token(char *buf, size_t cap, size_t *len)
{
	const char *path = getenv("VACCEL_RPC_TOKEN_FILE");
	ssize_t n;
	int fd;

	if (!path || (fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return -1;
	n = read(fd, buf, cap);
	close(fd);
	if (n <= 0)
		return -1;
	*len = (size_t)n;
	if (buf[*len - 1] == '\n')
		(*len)--;
	return 0;
}

static int peek(int64_t sess, int64_t res)
{
	const char *addr = getenv("VACCEL_RPC_ADDRESS");
	uint8_t body[RPC_AUTH_HEAD_SIZE + RPC_MAX_TOKEN], buf[64];
	char token[RPC_MAX_TOKEN], msg[RPC_MAX_ERRMSG + 1];
	struct rpc_sess_req q = { sess, 0 };
	struct rpc_stats st;
	struct rpc_res_req rq;
	struct raw r;
	int64_t own;
	size_t n, len;
	int code;

	if (!addr || read_token(token, sizeof(token), &len) ||
	    raw_connect(&r, addr) ||
	    raw_hello(&r, RPC_VERSION_MAJOR, &code) !=
		    (RPC_MSG_HELLO | RPC_MSG_REPLY)) {
		fprintf(stderr, "slot_client: cannot reach the agent\n");
		return 1;
	}
	n = rpc_auth_encode(body, sizeof(body), token, len);
	if (hard_call(&r, RPC_MSG_AUTH, body, n, msg, sizeof(msg), NULL,
		      NULL)) {
		fprintf(stderr, "slot_client: AUTH: %s\n", msg);
		return 1;
	}
	/* Ids are each connection's own, so the other slot's numbers may be
	 * ours too: the session is tried before we have any, the resource
	 * while we have none. */
	n = rpc_sess_req_encode(buf, sizeof(buf), RPC_MSG_SESS_DESTROY, &q);
	code = hard_call(&r, RPC_MSG_SESS_DESTROY, buf, n, msg, sizeof(msg),
			 NULL, NULL);
	printf("destroy-session %d %s\n", code, msg);
	own = hard_sess_create(&r);
	if (own < 0)
		return 1;
	rq = (struct rpc_res_req){ own, res };
	n = rpc_res_req_encode(buf, sizeof(buf), &rq);
	code = hard_call(&r, RPC_MSG_RES_SYNC, buf, n, msg, sizeof(msg), NULL,
			 NULL);
	printf("sync-resource %d %s\n", code, msg);
	if (raw_stats(&r, &st))
		return 1;
	printf("stats sessions=%llu resources=%llu\n",
	       (unsigned long long)st.sessions,
	       (unsigned long long)st.resources);
	raw_close(&r);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 3 && !strcmp(argv[1], "hold"))
		return hold(argv[2]);
	if (argc == 4 && !strcmp(argv[1], "peek"))
		return peek(strtoll(argv[2], NULL, 10),
			    strtoll(argv[3], NULL, 10));
	fprintf(stderr, "usage: slot_client hold FILE | peek SESSION RESOURCE\n");
	return 2;
}
