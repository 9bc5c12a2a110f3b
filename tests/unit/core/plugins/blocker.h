/* SPDX-License-Identifier: Apache-2.0 */
/* The state the blocker test plugin exports (see blocker.c). */
#ifndef TP_BLOCKER_H
#define TP_BLOCKER_H

#include <stdatomic.h>

struct blocker_state {
	atomic_int entered;    /* ops that started */
	atomic_int in_op;      /* ops running now */
	atomic_int go;         /* set by the test: blocked ops return */
	atomic_int violations; /* hooks that ran while an op was running */
	/* Set by the test before an op: */
	atomic_int exit_code;  /* > 0: the op calls exit() with it */
	atomic_int violation_exit; /* > 0: a violation _exit()s with it */
	atomic_int inside;     /* the op releases its own session, then
				  cleans up, and keeps both results: */
	atomic_int release_ret, cleanup_ret;
};

#endif /* TP_BLOCKER_H */
