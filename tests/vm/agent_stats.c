// SPDX-License-Identifier: Apache-2.0
/*
 * vm-agent-stats ADDR: prints the agent's totals (STATS) as one line,
 *   connections=N sessions=N resources=N upload_bytes=N
 * for the VM tests, which check from the host what a guest client left
 * behind on its virtio-serial channel. Exits 1 when the agent cannot be
 * asked.
 */
#include "rpc_common.h"

int main(int argc, char **argv)
{
	struct rpc_stats st;

	if (argc != 2) {
		fprintf(stderr, "usage: vm-agent-stats ADDR\n");
		return 2;
	}
	if (agent_stats(argv[1], &st)) {
		fprintf(stderr, "vm-agent-stats: cannot get STATS from %s\n",
			argv[1]);
		return 1;
	}
	printf("connections=%u sessions=%llu resources=%llu upload_bytes=%llu\n",
	       st.connections, (unsigned long long)st.sessions,
	       (unsigned long long)st.resources,
	       (unsigned long long)st.upload_bytes);
	return 0;
}
