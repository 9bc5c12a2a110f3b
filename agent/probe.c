// SPDX-License-Identifier: Apache-2.0
/*
 * vaccel-agent --probe ADDR: a health probe that asks the agent itself.
 * It connects to ADDR, sends HELLO and waits for the agent's HELLO reply
 * (at most PROBE_TIMEOUT_S for each step), then closes the connection:
 * exit 0 and one line on stdout when the agent answered with a compatible
 * protocol, exit 1 and the reason on stderr when it did not. No token is
 * needed: the HELLO reply comes before AUTH, and the agent's supervisor
 * answers it without starting a worker when AUTH is required. Used by the
 * Kubernetes manifests' exec probes (docs/kubernetes.md).
 */
#include "agent.h"

#include <stdio.h>
#include <sys/socket.h>
#include <sys/time.h>

#define PROBE_TIMEOUT_S 5

int agent_probe(const char *addr)
{
	struct rpc_hello mine = { RPC_MAGIC, RPC_VERSION_MAJOR,
				  RPC_VERSION_MINOR, RPC_FRAME_MIN, 0 },
			 peer;
	struct timeval tv = { PROBE_TIMEOUT_S, 0 };
	uint8_t out[RPC_HELLO_SIZE], in[RPC_FRAME_MIN];
	const char *why = NULL;
	struct vaccel_stream s;
	struct rpc_conn c;
	struct rpc_hdr h;
	struct rpc_error e;

	if (vaccel__transport_connect(addr, &s)) {
		fprintf(stderr, "vaccel-agent --probe: cannot connect to %s\n",
			addr);
		return 1;
	}
	setsockopt(s.fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(s.fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	rpc_conn_init(&c, &s, RPC_FRAME_MIN);
	rpc_hello_encode(out, sizeof(out), &mine);
	if (rpc_conn_send(&c, RPC_MSG_HELLO, 1, out, sizeof(out), NULL, 0) ||
	    rpc_conn_recv_hdr(&c, &h) || h.req_id != 1 ||
	    rpc_conn_recv(&c, in, h.length))
		why = "no answer to HELLO (not an agent, or it is stuck)";
	else if (h.type == RPC_MSG_ERROR)
		why = rpc_error_decode(in, h.length, &e) ? "a malformed ERROR" :
							   e.msg;
	else if (h.type != (RPC_MSG_HELLO | RPC_MSG_REPLY) ||
		 h.length != RPC_REPLY_PREFIX_SIZE + RPC_HELLO_SIZE ||
		 rpc_hello_decode(in + RPC_REPLY_PREFIX_SIZE, RPC_HELLO_SIZE,
				  &peer) ||
		 rpc_hello_check(&peer))
		why = "an answer that is not a compatible HELLO reply";
	if (why)
		fprintf(stderr, "vaccel-agent --probe: %s: %s\n", addr, why);
	else
		printf("vaccel-agent at %s: protocol %u.%u%s\n", addr,
		       peer.major, peer.minor,
		       peer.flags & RPC_HELLO_AUTH ? ", AUTH required" : "");
	rpc_conn_release(&c);
	return why ? 1 : 0;
}
