/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The supervisor's loop (supervisor.c) and the worker processes it hands
 * connections to (worker.c). Only the agent executable has these: the fuzz
 * target and the fault-injection test drive a connection in process.
 */
#ifndef VACCEL_AGENT_SUPERVISOR_H
#define VACCEL_AGENT_SUPERVISOR_H

#include "agent.h"

#include <sys/types.h>

/* Serves the listeners until SIGTERM/SIGINT arrives on the signalfd `sfd`
 * (SIGCHLD must come through it too); returns 0, or -1 on a fatal error.
 * Every worker has exited when it returns. */
int agent_supervisor_run(struct vaccel_listener *ls, int nr_ls, int sfd);

/* What a worker needs to take over a connection, sent with the
 * connection's fd (SCM_RIGHTS) over the worker's socket pair. Workers are
 * forks of the supervisor, so `ops` is valid in them. */
struct agent_handoff {
	uint64_t conn_id;
	const struct vaccel_transport_ops *ops;
	int32_t slot;
	uint32_t peer_max_frame;
	bool hello_done;
	bool authed;
	bool orphaned;
	int32_t tenant;
	char tenant_name[AGENT_TENANT_NAME_MAX + 1];
};

/* Sends `m` and `fd` on `sock`; -1 with errno when the worker is gone. */
int agent_handoff_send(int sock, const struct agent_handoff *m, int fd);

/* A worker forked by process `supervisor`: waits on `sock` for a
 * connection, serves it (asking on `sock` when it must check an AUTH) and
 * exits (0 also when the supervisor closed `sock` first); never returns. */
_Noreturn void agent_worker_run(int sock, pid_t supervisor);

#endif /* VACCEL_AGENT_SUPERVISOR_H */
