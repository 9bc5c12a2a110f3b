// SPDX-License-Identifier: Apache-2.0
/*
 * An op in flight holds its session and the plugin it runs on: release and
 * cleanup wait for it, a session being released is no longer found by id,
 * and neither the plugin's session_release nor its fini runs while the op
 * is still running (the blocker plugin counts a violation if they do).
 * An op never waits for itself: a release or cleanup from inside it is
 * refused, and a program that exits, from inside an op or while another
 * thread is in one, exits (the destructor's cleanup waits for nothing).
 */

#include "child.h"
#include "core_test.h"
#include "plugins/blocker.h"
#include <pthread.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static char *dir;
static char log_path[4200];

static struct blocker_state *blocker(void)
{
	struct blocker_state *(*fn)(void);
	struct blocker_state *st = NULL;
	void *h = dlopen(tp_path("BLOCKER"), RTLD_NOW | RTLD_NOLOAD);

	if (!h)
		return NULL;
	*(void **)&fn = dlsym(h, "blocker_state");
	if (fn)
		st = fn();
	dlclose(h);
	return st;
}

static void pause_ms(void)
{
	const struct timespec ms = { 0, 1000000 };

	nanosleep(&ms, NULL);
}

/* Waits until the core logged that it waits for a call in flight (true),
 * or until a hook ran while the op was running (false). */
static bool core_waits(struct blocker_state *st)
{
	for (;;) {
		char *text = slurp(log_path);
		bool waits = text && strstr(text, "release waits for the calls in flight");

		free(text);
		if (waits)
			return true;
		if (atomic_load(&st->violations))
			return false;
		pause_ms();
	}
}

struct call {
	vaccel_id_t id;
	struct vaccel_session *sess;
	int ret;
	atomic_bool done;
};

/* Looks the session up by id and runs the blocking noop through it. */
static void *noop_by_id(void *arg)
{
	struct call *c = arg;
	struct vaccel_session *s = NULL;

	c->ret = vaccel_session_get_by_id(&s, c->id);
	if (c->ret == VACCEL_OK)
		c->ret = vaccel_noop(s);
	atomic_store(&c->done, true);
	return NULL;
}

static void *release(void *arg)
{
	struct call *c = arg;

	c->ret = vaccel_session_release(c->sess);
	atomic_store(&c->done, true);
	return NULL;
}

static void *minmax(void *arg)
{
	struct call *c = arg;
	double in[2] = { 1, 2 }, out[2], lo = 0, hi = 0;

	c->ret = vaccel_minmax(c->sess, in, 2, 0, 10, out, &lo, &hi);
	atomic_store(&c->done, true);
	return NULL;
}

static void *cleanup(void *arg)
{
	struct call *c = arg;

	c->ret = vaccel_cleanup();
	atomic_store(&c->done, true);
	return NULL;
}

static void setup(void)
{
	dir = make_tmpdir();
	REQUIRE(dir);
	snprintf(log_path, sizeof(log_path), "%s/holds.log", dir);
}

/* A session found by id and used by one thread while another releases
 * it: the release waits until the op returns. */
static void test_release_waits_for_call(void)
{
	struct vaccel_session s, *found = NULL;
	struct call op = { 0 }, rel = { 0 };
	struct blocker_state *st;
	struct tp_counters *c;
	pthread_t t_op, t_rel;

	unlink(log_path);
	REQUIRE(boot(tp_path("BLOCKER"), VACCEL_LOG_DEBUG, log_path, false,
		     false) == 0);
	st = blocker();
	c = tp_get("BLOCKER");
	REQUIRE(st && c);
	REQUIRE(vaccel_session_init(&s, 0) == VACCEL_OK);
	op.id = s.id;
	rel.sess = &s;

	REQUIRE(pthread_create(&t_op, NULL, noop_by_id, &op) == 0);
	while (!atomic_load(&st->entered))
		pause_ms();
	REQUIRE(pthread_create(&t_rel, NULL, release, &rel) == 0);

	CHECK(core_waits(st));
	/* Release has begun: the session is gone for lookups, its plugin has
	 * not let go of it yet, and release has not returned. */
	CHECK_INT(vaccel_session_get_by_id(&found, op.id), VACCEL_ENOENT);
	CHECK_INT(atomic_load(&c->session_releases), 0);
	CHECK(!atomic_load(&rel.done));

	atomic_store(&st->go, 1);
	pthread_join(t_op, NULL);
	pthread_join(t_rel, NULL);
	CHECK_INT(op.ret, VACCEL_OK);
	CHECK_INT(rel.ret, VACCEL_OK);
	CHECK_INT(atomic_load(&st->violations), 0);
	CHECK_INT(atomic_load(&c->session_releases), 1);
	/* Calls after release fail cleanly. */
	CHECK_INT(vaccel_noop(&s), VACCEL_EINVAL);
	CHECK_INT(vaccel_cleanup(), VACCEL_OK);
}

/* An op that fell back to another plugin while the program cleans up:
 * the fallback plugin is not unloaded (its fini does not run) until the
 * op has returned. */
static void test_cleanup_waits_for_fallback_call(void)
{
	struct vaccel_session s;
	struct call op = { 0 }, clean = { 0 };
	struct blocker_state *st;
	struct tp_counters *c;
	pthread_t t_op, t_clean;

	unlink(log_path);
	REQUIRE(boot(tp_list("NOOPONLY", "BLOCKER", NULL), VACCEL_LOG_DEBUG,
		     log_path, false, false) == 0);
	st = blocker();
	c = tp_get("BLOCKER");
	REQUIRE(st && c);
	atomic_store(&st->go, 0);
	atomic_store(&st->entered, 0);
	atomic_store(&c->finis, 0);
	REQUIRE(vaccel_session_init(&s, 0) == VACCEL_OK);
	CHECK_STR(vaccel_plugin_name(s.plugin), "nooponly");
	op.sess = &s;

	REQUIRE(pthread_create(&t_op, NULL, minmax, &op) == 0);
	while (!atomic_load(&st->entered))
		pause_ms();
	REQUIRE(pthread_create(&t_clean, NULL, cleanup, &clean) == 0);

	CHECK(core_waits(st));
	CHECK_INT(atomic_load(&c->finis), 0);
	CHECK(!atomic_load(&clean.done));

	atomic_store(&st->go, 1);
	pthread_join(t_op, NULL);
	pthread_join(t_clean, NULL);
	CHECK_INT(op.ret, VACCEL_OK);
	CHECK_INT(clean.ret, VACCEL_OK);
	CHECK_INT(atomic_load(&st->violations), 0);
	CHECK_INT(atomic_load(&c->finis), 1);
}

/* Resets the blocker for a new case in a freshly booted core. */
static struct blocker_state *boot_blocker(void)
{
	struct blocker_state *st;

	unlink(log_path);
	if (boot(tp_path("BLOCKER"), VACCEL_LOG_DEBUG, log_path, false,
		 false) != 0)
		return NULL;
	st = blocker();
	if (st) {
		atomic_store(&st->go, 0);
		atomic_store(&st->entered, 0);
		atomic_store(&st->violations, 0);
	}
	return st;
}

/* The op releases its own session and cleans up: both refused with
 * VACCEL_EBUSY instead of waiting for the op forever; after the op both
 * succeed. */
static void test_release_inside_op_refused(void)
{
	struct vaccel_session s;
	struct blocker_state *st = boot_blocker();

	REQUIRE(st);
	REQUIRE(vaccel_session_init(&s, 0) == VACCEL_OK);
	atomic_store(&st->inside, 1);
	CHECK_INT(vaccel_noop(&s), VACCEL_OK);
	atomic_store(&st->inside, 0);
	CHECK_INT(atomic_load(&st->release_ret), VACCEL_EBUSY);
	CHECK_INT(atomic_load(&st->cleanup_ret), VACCEL_EBUSY);
	CHECK_INT(atomic_load(&st->violations), 0);
	CHECK_INT(vaccel_noop(&s), VACCEL_OK);
	CHECK_INT(vaccel_session_release(&s), VACCEL_OK);
	CHECK_INT(vaccel_cleanup(), VACCEL_OK);
}

static void *noop_forever(void *arg)
{
	vaccel_noop(arg);
	return NULL;
}

/* In a child: boots, starts an op (on this thread, or on another one
 * that never returns) that exits or is left running while the program
 * exits. A core whose exit-time cleanup waits hangs here (the test's
 * timeout); one that unloads the plugin under the op _exit()s with 99. */
static void exit_child(bool other_thread, int code)
{
	struct vaccel_session s;
	struct blocker_state *st = boot_blocker();
	pthread_t t;

	if (!st || vaccel_session_init(&s, 0) != VACCEL_OK)
		_exit(98);
	atomic_store(&st->violation_exit, 99);
	if (!other_thread) {
		atomic_store(&st->exit_code, code);
		vaccel_noop(&s);
		_exit(97);
	}
	if (pthread_create(&t, NULL, noop_forever, &s) != 0)
		_exit(98);
	while (!atomic_load(&st->entered))
		pause_ms();
	exit(code);
}

static int exit_status_of(bool other_thread, int code)
{
	int status = 0;
	pid_t pid;

	fflush(NULL);
	pid = test_fork();
	if (pid == 0)
		exit_child(other_thread, code);
	if (pid < 0 || waitpid(pid, &status, 0) != pid)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

static void test_exit_inside_op(void)
{
	CHECK_INT(exit_status_of(false, 7), 7);
}

static void test_exit_while_another_thread_in_op(void)
{
	CHECK_INT(exit_status_of(true, 5), 5);
}

static void teardown(void)
{
	vaccel_cleanup();
	rm_tree(dir);
	free(dir);
}

TEST_MAIN(setup, test_release_waits_for_call,
	  test_cleanup_waits_for_fallback_call, test_release_inside_op_refused,
	  test_exit_inside_op, test_exit_while_another_thread_in_op, teardown)
