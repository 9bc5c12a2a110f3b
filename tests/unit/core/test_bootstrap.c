// SPDX-License-Identifier: Apache-2.0
/* Bootstrap, re-bootstrap and cleanup; the run directory's life. Runs with
 * VACCEL_BOOTSTRAP_ENABLED=0 so that it starts uninitialized. */

#include "child.h"
#include "core_test.h"
#include <fcntl.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/wait.h>
#include <unistd.h>

static void test_starts_uninitialized(void)
{
	struct vaccel_session s;

	CHECK(!vaccel_is_initialized());
	CHECK(vaccel_rundir() == NULL);
	CHECK(vaccel_config() == NULL);
	CHECK_INT(vaccel__bootstrap_status(), VACCEL_OK);
	CHECK_INT(vaccel_session_init(&s, 0), VACCEL_ENOTSUP);
	/* Cleanup when nothing is initialized is harmless. */
	CHECK_INT(vaccel_cleanup(), VACCEL_OK);
	CHECK_INT(vaccel_bootstrap_with_config(NULL), VACCEL_EINVAL);
}

static void test_bootstrap_cleanup_twice(void)
{
	struct stat st;
	char first[4096];

	CHECK_INT(boot(NULL, VACCEL_LOG_ERROR, NULL, false, false), VACCEL_OK);
	CHECK(vaccel_is_initialized());
	REQUIRE(vaccel_rundir());
	snprintf(first, sizeof(first), "%s", vaccel_rundir());
	REQUIRE(stat(first, &st) == 0);
	CHECK(S_ISDIR(st.st_mode));
	CHECK_INT(st.st_mode & 0777, 0700);
	CHECK(strstr(first, "/vaccel") != NULL);

	/* Bootstrapping again starts over with a fresh run directory. */
	CHECK_INT(boot(NULL, VACCEL_LOG_ERROR, NULL, false, false), VACCEL_OK);
	REQUIRE(vaccel_rundir());
	CHECK(strcmp(first, vaccel_rundir()) != 0);
	CHECK(!exists(first));
	snprintf(first, sizeof(first), "%s", vaccel_rundir());

	CHECK_INT(vaccel_cleanup(), VACCEL_OK);
	CHECK(!vaccel_is_initialized());
	CHECK(vaccel_rundir() == NULL);
	CHECK(!exists(first));
	CHECK_INT(vaccel_cleanup(), VACCEL_OK);

	CHECK_INT(vaccel_bootstrap(), VACCEL_OK);
	CHECK(vaccel_is_initialized());
	CHECK_INT(vaccel_cleanup(), VACCEL_OK);
}

static void test_plugins_loaded_and_unloaded(void)
{
	struct tp_counters *c;

	CHECK_INT(boot(tp_list("GOOD", "GPU", NULL), VACCEL_LOG_ERROR, NULL,
		       false, false),
		  VACCEL_OK);
	CHECK_INT(vaccel_plugin_count(), 2);
	c = tp_get("GOOD");
	REQUIRE(c);
	CHECK_INT(atomic_load(&c->inits), 1);
	CHECK_STR(vaccel_plugin_name(vaccel__plugins_first()), "good");
	CHECK_INT(vaccel_cleanup(), VACCEL_OK);
	CHECK_INT(vaccel_plugin_count(), 0);
	/* fini ran and the library is gone. */
	CHECK(tp_get("GOOD") == NULL);
}

static void test_failed_bootstrap_is_remembered(void)
{
	struct vaccel_session s;

	CHECK_INT(boot(tp_list("GOOD", "NODESC", NULL), VACCEL_LOG_ERROR, NULL,
		       false, false),
		  VACCEL_ELIBBAD);
	CHECK(!vaccel_is_initialized());
	CHECK(vaccel_rundir() == NULL);
	/* The plugins loaded before the bad one were unloaded again. */
	CHECK_INT(vaccel_plugin_count(), 0);
	CHECK_INT(vaccel__bootstrap_status(), VACCEL_ELIBBAD);
	CHECK_INT(vaccel_session_init(&s, 0), VACCEL_ELIBBAD);

	CHECK_INT(boot("/nonexistent/libvaccel-none.so", VACCEL_LOG_ERROR,
		       NULL, false, false),
		  VACCEL_ENOENT);
	CHECK_INT(vaccel_session_init(&s, 0), VACCEL_ENOENT);

	/* A good bootstrap clears the remembered error. */
	CHECK_INT(boot(tp_path("GOOD"), VACCEL_LOG_ERROR, NULL, false, false),
		  VACCEL_OK);
	CHECK_INT(vaccel__bootstrap_status(), VACCEL_OK);
	CHECK_INT(vaccel_session_init(&s, 0), VACCEL_OK);
	CHECK_INT(vaccel_session_release(&s), VACCEL_OK);
	vaccel_cleanup();
}

static void test_cleanup_releases_leaks(void)
{
	struct vaccel_session s, *h = NULL;
	struct vaccel_resource r, *hr = NULL;
	char sdir[4096];
	static const char data[] = "leaked";

	REQUIRE(boot(tp_path("GOOD"), VACCEL_LOG_ERROR, NULL, false, false) ==
		VACCEL_OK);
	REQUIRE(vaccel_session_init(&s, 0) == VACCEL_OK);
	REQUIRE(vaccel_session_new(&h, 0) == VACCEL_OK);
	REQUIRE(vaccel_resource_init_from_buf(&r, data, sizeof(data),
					      VACCEL_RESOURCE_DATA, "d.bin",
					      false) == VACCEL_OK);
	REQUIRE(vaccel_resource_from_buf(&hr, data, sizeof(data),
					 VACCEL_RESOURCE_DATA, NULL,
					 true) == VACCEL_OK);
	REQUIRE(vaccel_resource_register(&r, &s) == VACCEL_OK);
	REQUIRE(vaccel__session_mkdir(&s) == VACCEL_OK);
	snprintf(sdir, sizeof(sdir), "%s", s.rundir);
	CHECK(is_dir(sdir));

	CHECK_INT(vaccel_cleanup(), VACCEL_OK);
	CHECK_INT(s.id, 0);
	CHECK_INT(h->id, 0);
	CHECK_INT(r.id, 0);
	CHECK_INT(hr->id, 0);
	CHECK(!exists(sdir));
	/* The caller's memory is still the caller's to free. */
	CHECK_INT(vaccel_session_delete(h), VACCEL_OK);
	CHECK_INT(vaccel_resource_delete(hr), VACCEL_OK);
	/* Releasing again is refused but harmless. */
	CHECK_INT(vaccel_session_release(&s), VACCEL_EINVAL);
	CHECK_INT(vaccel_resource_release(&r), VACCEL_EINVAL);
}

/* Makes a sibling run directory next to `rundir` holding a .lock file; when
 * `holder` is set, a child process keeps the lock as a live owner would. */
static pid_t make_sibling(const char *rundir, const char *name, bool holder,
			  char *path, size_t size)
{
	char lock[4096];
	const char *slash = strrchr(rundir, '/');
	int fd, pipefd[2];
	pid_t pid = 0;
	char c;

	snprintf(path, size, "%.*s/%s", (int)(slash - rundir), rundir, name);
	if (mkdir(path, 0700) != 0)
		return -1;
	snprintf(lock, sizeof(lock), "%s/.lock", path);
	fd = open(lock, O_RDWR | O_CREAT, 0600);
	if (fd < 0)
		return -1;
	if (holder) {
		if (pipe(pipefd) != 0)
			return -1;
		pid = test_fork();
		if (pid == 0) {
			flock(fd, LOCK_EX);
			c = 'L';
			if (write(pipefd[1], &c, 1) != 1)
				_exit(1);
			pause();
			_exit(0);
		}
		if (read(pipefd[0], &c, 1) != 1)
			pid = -1;
		close(pipefd[0]);
		close(pipefd[1]);
	}
	close(fd);
	return pid;
}

/* A process killed with SIGKILL leaves its run directory behind: the next
 * bootstrap removes it, but never the directory of a live process. */
static void test_stale_rundirs_reclaimed(void)
{
	char dead[4096], live[4096], mine[4096];
	struct stat st;
	pid_t holder;

	REQUIRE(boot(NULL, VACCEL_LOG_ERROR, NULL, false, false) == VACCEL_OK);
	snprintf(mine, sizeof(mine), "%s", vaccel_rundir());
	REQUIRE(make_sibling(mine, "reclaim-dead-test", false, dead,
			     sizeof(dead)) == 0);
	holder = make_sibling(mine, "reclaim-live-test", true, live,
			      sizeof(live));
	REQUIRE(holder > 0);
	CHECK_INT(vaccel_cleanup(), VACCEL_OK);

	CHECK_INT(boot(NULL, VACCEL_LOG_ERROR, NULL, false, false), VACCEL_OK);
	CHECK(stat(dead, &st) != 0);
	CHECK(stat(live, &st) == 0);
	/* Our own directory is locked too: a second bootstrap elsewhere would
	 * keep it; after cleanup it is gone. */
	REQUIRE(vaccel_rundir());
	snprintf(mine, sizeof(mine), "%s/.lock", vaccel_rundir());
	CHECK(stat(mine, &st) == 0);
	CHECK_INT(vaccel_cleanup(), VACCEL_OK);

	kill(holder, SIGKILL);
	waitpid(holder, NULL, 0);
	CHECK_INT(boot(NULL, VACCEL_LOG_ERROR, NULL, false, false), VACCEL_OK);
	CHECK(stat(live, &st) != 0);
	CHECK_INT(vaccel_cleanup(), VACCEL_OK);
}

TEST_MAIN(test_starts_uninitialized, test_stale_rundirs_reclaimed, test_bootstrap_cleanup_twice,
	  test_plugins_loaded_and_unloaded,
	  test_failed_bootstrap_is_remembered, test_cleanup_releases_leaks)
