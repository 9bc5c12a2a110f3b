/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Child processes of a test end with the test. test_fork() is fork() for
 * every process a C test starts (agents, client helpers, clients run in a
 * child): the kernel sends the child SIGTERM when the test process goes
 * away on any path (a failed REQUIRE that skipped the stop, a crash, the
 * kill of meson's timeout), so no agent outlives its test. The signal
 * survives exec; it is SIGTERM so that an agent still removes its work
 * directory. Fork from the thread that lives as long as the child should
 * (the main thread): the kernel ties the signal to the forking thread.
 */
#ifndef VACCEL_TEST_CHILD_H
#define VACCEL_TEST_CHILD_H

#include <signal.h>
#include <sys/prctl.h>
#include <unistd.h>

static inline pid_t test_fork(void)
{
	pid_t parent = getpid();
	pid_t pid = fork();

	/* A parent that died before prctl took effect would leave the child
	 * to init, so the child checks and goes. */
	if (pid == 0 &&
	    (prctl(PR_SET_PDEATHSIG, SIGTERM) < 0 || getppid() != parent))
		_exit(127);
	return pid;
}

#endif /* VACCEL_TEST_CHILD_H */
