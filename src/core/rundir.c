// SPDX-License-Identifier: Apache-2.0

#include "core_priv.h"
#include "vaccel/core.h"
#include "vaccel/error.h"
#include "vaccel/log.h"
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

/*
 * A live process holds an flock on <rundir>/.lock for as long as its run
 * directory exists. A process killed with SIGKILL never removes its run
 * directory, so the next bootstrap of any process of the same user removes
 * every sibling whose lock it can take. flock works across PID namespaces
 * (unlike checking PIDs), and the lock file only ever appears under its
 * final name already locked (it is locked as .lock.new, then renamed), so a
 * directory that is still being created is never mistaken for a dead one.
 */
#define LOCK_NAME ".lock"

static int rundir_lock_fd = -1;
/* The process that created the run directory. A child forked from it
 * (vaccel-agent's workers) shares the directory and must never remove it
 * when it exits, whatever path it exits by. */
static pid_t rundir_owner;

/* Creates `path` (mode 0700) unless it already is a directory owned by us;
 * anything else there (a file, a link, someone else's directory) is
 * refused so that our files never land where another user controls them. */
static int ensure_private_dir(const char *path)
{
	struct stat st;

	if (mkdir(path, 0700) == 0)
		return VACCEL_OK;
	if (errno != EEXIST) {
		vaccel_error("Could not create directory %s: %s", path,
			     strerror(errno));
		return vaccel__errno_to_error(errno);
	}
	if (lstat(path, &st) != 0) {
		vaccel_error("Could not stat %s: %s", path, strerror(errno));
		return vaccel__errno_to_error(errno);
	}
	if (!S_ISDIR(st.st_mode) || st.st_uid != geteuid()) {
		vaccel_error("%s exists and is not a directory owned by uid %u",
			     path, (unsigned int)geteuid());
		return VACCEL_EACCES;
	}
	return VACCEL_OK;
}

static void reclaim_stale(const char *base)
{
	char path[PATH_MAX], lock[PATH_MAX];
	struct dirent *e;
	DIR *dir;
	int fd;

	dir = opendir(base);
	if (!dir)
		return;
	while ((e = readdir(dir))) {
		if (e->d_name[0] == '.')
			continue;
		if (snprintf(path, sizeof(path), "%s/%s", base, e->d_name) >=
			    (int)sizeof(path) ||
		    snprintf(lock, sizeof(lock), "%s/" LOCK_NAME, path) >=
			    (int)sizeof(lock))
			continue;
		fd = open(lock, O_RDWR | O_CLOEXEC | O_NOFOLLOW);
		if (fd < 0)
			continue;
		if (flock(fd, LOCK_EX | LOCK_NB) == 0) {
			vaccel_info("Removing run directory %s of a process that is gone",
				    path);
			vaccel__rundir_remove(path);
		}
		close(fd);
	}
	closedir(dir);
}

/* Locks <dir>/.lock for the life of this process (see LOCK_NAME). Failure
 * only costs the reclaiming of this directory after a crash. */
static void lock_rundir(const char *dir)
{
	char tmp[PATH_MAX], lock[PATH_MAX];
	int fd;

	if (snprintf(tmp, sizeof(tmp), "%s/" LOCK_NAME ".new", dir) >=
		    (int)sizeof(tmp) ||
	    snprintf(lock, sizeof(lock), "%s/" LOCK_NAME, dir) >=
		    (int)sizeof(lock))
		return;
	fd = open(tmp, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0) {
		vaccel_warn("Could not create %s: %s", tmp, strerror(errno));
		return;
	}
	if (flock(fd, LOCK_EX | LOCK_NB) != 0 || rename(tmp, lock) != 0) {
		vaccel_warn("Could not lock run directory %s: %s", dir,
			    strerror(errno));
		close(fd);
		unlink(tmp);
		return;
	}
	rundir_lock_fd = fd;
}

void vaccel__rundir_destroy(const char *path)
{
	if (rundir_lock_fd >= 0) {
		close(rundir_lock_fd);
		rundir_lock_fd = -1;
	}
	if (getpid() == rundir_owner)
		vaccel__rundir_remove(path);
}

int vaccel__rundir_create(char *buf, size_t size)
{
	char base[PATH_MAX];
	const char *tmp;
	uid_t uid = geteuid();
	int n, ret;

	n = snprintf(base, sizeof(base), "/run/user/%u", (unsigned int)uid);
	if (n > 0 && (size_t)n < sizeof(base) && access(base, W_OK) == 0) {
		n = snprintf(base, sizeof(base), "/run/user/%u/vaccel",
			     (unsigned int)uid);
	} else {
		/* No per-user runtime directory (root, containers, CI):
		 * fall back to a private directory under the temp dir. */
		tmp = getenv("TMPDIR");
		if (!tmp || !*tmp)
			tmp = "/tmp";
		n = snprintf(base, sizeof(base), "%s/vaccel-%u", tmp,
			     (unsigned int)uid);
	}
	if (n < 0 || (size_t)n >= sizeof(base)) {
		vaccel_error("Run directory base path is too long");
		return VACCEL_ENAMETOOLONG;
	}

	ret = ensure_private_dir(base);
	if (ret)
		return ret;
	reclaim_stale(base);

	n = snprintf(buf, size, "%s/XXXXXX", base);
	if (n < 0 || (size_t)n >= size) {
		vaccel_error("Run directory path under %s is too long", base);
		return VACCEL_ENAMETOOLONG;
	}
	if (!mkdtemp(buf)) {
		vaccel_error("Could not create run directory under %s: %s",
			     base, strerror(errno));
		ret = vaccel__errno_to_error(errno);
		buf[0] = '\0';
		return ret;
	}
	lock_rundir(buf);
	rundir_owner = getpid();
	vaccel_debug("Created run directory %s", buf);
	return VACCEL_OK;
}

int vaccel__rundir_create_child(const char *name, char *buf, size_t size)
{
	const char *rundir = vaccel_rundir();
	int n;

	if (!rundir) {
		vaccel_error("Cannot create %s: vAccel is not initialized",
			     name);
		return VACCEL_EPERM;
	}
	n = snprintf(buf, size, "%s/%s", rundir, name);
	if (n < 0 || (size_t)n >= size) {
		vaccel_error("Path of %s under %s is too long", name, rundir);
		return VACCEL_ENAMETOOLONG;
	}
	if (mkdir(buf, 0700) != 0 && errno != EEXIST) {
		int err = errno;

		vaccel_error("Could not create directory %s: %s", buf,
			     strerror(err));
		buf[0] = '\0';
		return vaccel__errno_to_error(err);
	}
	return VACCEL_OK;
}

static int remove_entry(const char *path, const struct stat *st, int flag,
			struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	if (remove(path) != 0)
		vaccel_warn("Could not remove %s: %s", path, strerror(errno));
	/* Keep going: remove as much as possible. */
	return 0;
}

void vaccel__rundir_remove(const char *path)
{
	if (!path || !*path)
		return;
	/* FTW_DEPTH removes children before their directory; FTW_PHYS never
	 * follows a link out of the tree. */
	if (access(path, F_OK) != 0)
		return;
	if (nftw(path, remove_entry, 16, FTW_DEPTH | FTW_PHYS) != 0 &&
	    errno != ENOENT)
		vaccel_warn("Could not remove directory %s: %s", path,
			    strerror(errno));
}
