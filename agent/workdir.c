// SPDX-License-Identifier: Apache-2.0
/*
 * The agent's work directory ($TMPDIR/vaccel-agent.XXXXXX, mode 0700):
 * one sub-directory per connection (c<id>), created at its first file
 * upload, with one sub-directory per uploaded resource (r<n>). The
 * supervisor removes a connection's directory after its worker is gone, so
 * a worker that died leaves no files behind. A live agent holds an flock on
 * <workdir>/.lock; an agent killed with SIGKILL cannot clean up, so each
 * agent that starts removes the work directories of this user whose lock
 * nobody holds any more: uploads never pile up across crashes.
 */
#include "agent.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#define LOCK_NAME ".lock"

static int lock_fd = -1;

/* Removes the entries of `dir` that are files, and sub-directories one
 * level down, with getdents64 on a stack buffer rather than opendir(),
 * which allocates: releasing a client's files must work even when memory
 * is short, or the files would stay on disk. */
static void remove_tree(const char *dir, int depth)
{
	char buf[4096] __attribute__((aligned(8)));
	long n;
	int fd;

	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return;
	while ((n = syscall(SYS_getdents64, fd, buf, sizeof(buf))) > 0) {
		for (long off = 0; off < n;) {
			struct dirent64 *e = (void *)(buf + off);
			char sub[PATH_MAX];

			off += e->d_reclen;
			if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
				continue;
			if (e->d_type == DT_DIR && depth > 0 &&
			    snprintf(sub, sizeof(sub), "%s/%s", dir,
				     e->d_name) < (int)sizeof(sub)) {
				remove_tree(sub, depth - 1);
				unlinkat(fd, e->d_name, AT_REMOVEDIR);
			} else {
				unlinkat(fd, e->d_name, 0);
			}
		}
	}
	close(fd);
}

void agent_remove_dir(const char *dir)
{
	if (!dir || !dir[0])
		return;
	remove_tree(dir, 0);
	if (rmdir(dir) && errno != ENOENT)
		vaccel_warn("agent: cannot remove %s: %s", dir,
			    strerror(errno));
}

static int conn_dir_path(uint64_t id, char *buf, size_t size)
{
	if (snprintf(buf, size, "%s/c%llu", agent.workdir,
		     (unsigned long long)id) >= (int)size)
		return VACCEL_ENAMETOOLONG;
	return VACCEL_OK;
}

int agent_conn_dir(uint64_t id, char *buf, size_t size)
{
	int ret = conn_dir_path(id, buf, size);

	if (ret)
		return ret;
	if (mkdir(buf, 0700) < 0 && errno != EEXIST) {
		vaccel_error("agent: conn %llu: cannot create %s: %s",
			     (unsigned long long)id, buf, strerror(errno));
		return VACCEL_EIO;
	}
	return VACCEL_OK;
}

void agent_conn_dir_remove(uint64_t id)
{
	char dir[PATH_MAX];

	if (!agent.workdir[0] || conn_dir_path(id, dir, sizeof(dir)))
		return;
	remove_tree(dir, 1);
	if (rmdir(dir) && errno != ENOENT)
		vaccel_warn("agent: cannot remove %s: %s", dir,
			    strerror(errno));
}

/* Removes `path` when it is our own, unlocked work directory. */
static void reap_one(const char *path)
{
	char lock[PATH_MAX];
	struct stat st;
	int fd;

	if (lstat(path, &st) || !S_ISDIR(st.st_mode) ||
	    st.st_uid != geteuid() ||
	    snprintf(lock, sizeof(lock), "%s/" LOCK_NAME, path) >=
		    (int)sizeof(lock))
		return;
	fd = open(lock, O_RDWR | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return;
	if (flock(fd, LOCK_EX | LOCK_NB) == 0) {
		fprintf(stderr, "vaccel-agent: removing %s, left by an agent that died\n",
			path);
		remove_tree(path, 2);
		rmdir(path);
	}
	close(fd);
}

static void reap_stale(const char *tmp)
{
	char path[PATH_MAX];
	struct dirent *e;
	DIR *d = opendir(tmp);

	if (!d)
		return;
	while ((e = readdir(d)))
		if (!strncmp(e->d_name, "vaccel-agent.", 13) &&
		    snprintf(path, sizeof(path), "%s/%s", tmp, e->d_name) <
			    (int)sizeof(path))
			reap_one(path);
	closedir(d);
}

int agent_workdir_create(const char *tmp)
{
	char lock[PATH_MAX + 8], taking[PATH_MAX + 12];

	reap_stale(tmp);
	snprintf(agent.workdir, sizeof(agent.workdir), "%s/vaccel-agent.XXXXXX",
		 tmp);
	if (!mkdtemp(agent.workdir)) {
		fprintf(stderr, "vaccel-agent: cannot create %s: %s\n",
			agent.workdir, strerror(errno));
		agent.workdir[0] = '\0';
		return -1;
	}
	/* The lock is taken under another name and then renamed into place:
	 * an agent starting at the same moment finds either no lock (and
	 * leaves the directory alone) or a held one, never one that is not
	 * held yet (it took that for a dead agent's and removed a live work
	 * directory, seen with agents started in parallel by the tests). */
	snprintf(lock, sizeof(lock), "%s/" LOCK_NAME, agent.workdir);
	snprintf(taking, sizeof(taking), "%s.new", lock);
	lock_fd = open(taking, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (lock_fd < 0 || flock(lock_fd, LOCK_EX | LOCK_NB) ||
	    rename(taking, lock)) {
		fprintf(stderr, "vaccel-agent: cannot lock %s: %s\n", lock,
			strerror(errno));
		unlink(taking);
		agent_workdir_remove();
		return -1;
	}
	return 0;
}

void agent_workdir_remove(void)
{
	char lock[PATH_MAX + 8];

	if (!agent.workdir[0])
		return;
	snprintf(lock, sizeof(lock), "%s/" LOCK_NAME, agent.workdir);
	unlink(lock);
	if (lock_fd >= 0)
		close(lock_fd);
	lock_fd = -1;
	if (rmdir(agent.workdir) && errno != ENOENT)
		fprintf(stderr, "vaccel-agent: cannot remove %s: %s\n",
			agent.workdir, strerror(errno));
}
