// SPDX-License-Identifier: Apache-2.0
/*
 * Calls in flight. Each thread that runs ops has a small record of the
 * sessions it is inside (a stack: ops nest through genop and plugins that
 * call the API). Entering a call is a plain store into the calling thread's
 * own record and a load of the session's `releasing` flag: no atomic
 * read-modify-write, no shared cache line, so the fast path stays a few
 * nanoseconds. Release sets the flag and then makes every thread of the
 * process pass a memory barrier with membarrier(2), which orders each
 * thread's "I am in this session" store against its read of the flag
 * (both sides of a Dekker handshake, the fence paid by the rare side
 * only); it then waits until no record holds the session. Where
 * membarrier(2) is unavailable, readers pay a fence themselves.
 */
#include "core_priv.h"
#include "vaccel/error.h"
#include "vaccel/log.h"
#include <linux/membarrier.h>
#include <pthread.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

__thread struct vaccel__calls *vaccel__my_calls
	__attribute__((tls_model("initial-exec")));
bool vaccel__calls_fence;

/* Every thread's record, for release to look through. */
static struct vaccel__calls *records;
static pthread_mutex_t records_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_key_t records_key;
static bool records_key_made;
static pthread_once_t records_once = PTHREAD_ONCE_INIT;

static int membarrier(int cmd)
{
	return (int)syscall(SYS_membarrier, cmd, 0, 0);
}

static void record_drop(void *arg)
{
	struct vaccel__calls *c = arg, **p;

	pthread_mutex_lock(&records_lock);
	for (p = &records; *p; p = &(*p)->next) {
		if (*p == c) {
			*p = c->next;
			break;
		}
	}
	pthread_mutex_unlock(&records_lock);
	free(c);
}

/* fork() holds the list still, so that the child gets it whole. */
static void lock_for_fork(void)
{
	pthread_mutex_lock(&records_lock);
}

static void unlock_after_fork(void)
{
	pthread_mutex_unlock(&records_lock);
}

/* A forked child has one thread: the others' records describe calls that
 * do not exist there. */
static void drop_others_after_fork(void)
{
	struct vaccel__calls *c = records, *next;

	records = vaccel__my_calls;
	for (; c; c = next) {
		next = c->next;
		if (c != vaccel__my_calls)
			free(c);
	}
	if (records)
		records->next = NULL;
	/* This thread took the lock in lock_for_fork: it is the owner here. */
	pthread_mutex_unlock(&records_lock);
}

static void records_init(void)
{
	records_key_made = pthread_key_create(&records_key, record_drop) == 0;
	pthread_atfork(lock_for_fork, unlock_after_fork,
		       drop_others_after_fork);
	/* Without the expedited barrier, every reader fences itself. */
	if (membarrier(MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED) != 0)
		vaccel__calls_fence = true;
}

/* A libvaccel that is unloaded must not leave its destructor behind for
 * threads that exit later. */
__attribute__((destructor)) static void records_fini(void)
{
	if (records_key_made)
		pthread_key_delete(records_key);
}

int vaccel__session_enter_slow(struct vaccel_session *sess)
{
	struct vaccel__calls *c = vaccel__my_calls;

	if (c) {
		vaccel_error("Session %lld: more than %d ops nested in one "
			     "thread", (long long)sess->id, VACCEL__CALLS_MAX);
		return VACCEL_EBUSY;
	}
	pthread_once(&records_once, records_init);
	c = calloc(1, sizeof(*c));
	if (!c) {
		vaccel_error("Session %lld: cannot allocate this thread's call "
			     "record", (long long)sess->id);
		return VACCEL_ENOMEM;
	}
	pthread_mutex_lock(&records_lock);
	c->next = records;
	records = c;
	pthread_mutex_unlock(&records_lock);
	pthread_setspecific(records_key, c);
	vaccel__my_calls = c;
	return vaccel__session_enter(sess);
}

int vaccel__session_gone(const struct vaccel_session *sess)
{
	(void)sess;
	vaccel_error("The session is being released: no more ops on it");
	return VACCEL_EINVAL;
}

static bool in_flight(const struct vaccel_session *sess)
{
	bool found = false;

	pthread_mutex_lock(&records_lock);
	for (struct vaccel__calls *c = records; c && !found; c = c->next)
		for (int i = 0; i < VACCEL__CALLS_MAX && !found; i++)
			found = atomic_load_explicit(&c->sess[i],
						     memory_order_acquire) ==
				sess;
	pthread_mutex_unlock(&records_lock);
	return found;
}

/* True when the calling thread itself is inside an op on `sess`: waiting
 * for that call would wait for ourselves. */
static bool held_here(const struct vaccel_session *sess)
{
	const struct vaccel__calls *c = vaccel__my_calls;

	for (unsigned int i = 0; c && i < c->depth; i++)
		if (atomic_load_explicit(&c->sess[i], memory_order_relaxed) ==
		    sess)
			return true;
	return false;
}

/* A release that meets an op in flight it must not wait for: an error
 * for a caller that asked to wait, a debug line at exit. */
static void log_busy(const struct vaccel_session *sess, bool wait,
		     const char *where)
{
	if (wait)
		vaccel_error("vaccel_session_release: session %lld has an op "
			     "running %s: release it after the op returns",
			     (long long)sess->id, where);
	else
		vaccel_debug("Session %lld has an op running %s: left to the "
			     "end of the process", (long long)sess->id, where);
}

int vaccel__session_stop_calls(struct vaccel_session *sess, bool wait)
{
	const struct timespec pause = { 0, 100000 };
	bool logged = false;

	if (held_here(sess)) {
		log_busy(sess, wait, "on this thread");
		return VACCEL_EBUSY;
	}
	if (atomic_exchange(&sess->releasing, 1)) {
		/* At exit, the other release may be waiting for an op. */
		if (!wait) {
			log_busy(sess, wait, "and a release waiting for it");
			return VACCEL_EBUSY;
		}
		vaccel_error("vaccel_session_release: session %lld is already "
			     "being released", (long long)sess->id);
		return VACCEL_EINVAL;
	}
	/* Every thread that entered before it could see the flag is now
	 * visible in its record; every later one sees the flag. */
	pthread_once(&records_once, records_init);
	if (!vaccel__calls_fence)
		membarrier(MEMBARRIER_CMD_PRIVATE_EXPEDITED);
	else
		atomic_thread_fence(memory_order_seq_cst);
	while (in_flight(sess)) {
		if (!wait) {
			/* The session stays as it was (ops that saw the
			 * flag meanwhile were refused). */
			atomic_store(&sess->releasing, 0);
			log_busy(sess, wait, "on another thread");
			return VACCEL_EBUSY;
		}
		if (!logged)
			vaccel_debug("Session %lld: release waits for the "
				     "calls in flight", (long long)sess->id);
		logged = true;
		nanosleep(&pause, NULL);
	}
	return VACCEL_OK;
}
