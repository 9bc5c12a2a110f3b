// SPDX-License-Identifier: Apache-2.0
/*
 * Tenants: who may connect, and to which tenant each connection belongs.
 *
 * A tenant is a name and a token. They come from the token sources of the
 * command line: --token-file PATH (one tenant, named after the file),
 * VACCEL_AGENT_TOKEN (one tenant, "VACCEL_AGENT_TOKEN") and --tenants DIR
 * (one tenant per file of DIR, named after the file). With any of them
 * configured, every connection must AUTH with the token of a live tenant
 * and belongs to that tenant from then on; with none, AUTH is not required
 * and connections belong to no tenant.
 *
 * The files are read again when DIR changes (inotify) and on SIGHUP. A
 * tenant whose file is unchanged stays the same tenant: its connections
 * carry on. A tenant whose file went away, or whose token changed, stops
 * being live: AUTH no longer finds it and the supervisor closes its
 * connections. Each tenant has an index into the shared accounting table
 * (table.c), where its connections' sessions, resident bytes and running
 * ops are counted against the per-tenant limits; an index is given to a
 * new tenant only once no worker belongs to its previous one.
 *
 * Only the supervisor holds tokens, in a mapping marked MADV_DONTFORK so
 * that no worker (which runs guest-reachable plugin code) ever has another
 * tenant's secret in its memory. A worker that has to check an AUTH (a
 * client that starts over with HELLO, a virtio-serial channel's next guest
 * process) asks its supervisor over its socket pair.
 */
#include "agent.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#define ENV_NAME "VACCEL_AGENT_TOKEN"

struct tenant {
	char name[AGENT_TENANT_NAME_MAX + 1];
	/* Where its token is in the token map. */
	size_t off;
	uint32_t len;
	bool live;
	/* Workers that belong to it (the supervisor's count). */
	uint32_t conns;
};

/* A tenant as a scan of the sources found it. */
struct found {
	char name[AGENT_TENANT_NAME_MAX + 1];
	uint8_t token[RPC_MAX_TOKEN];
	uint32_t len;
};

static struct {
	const char *token_file;
	const char *dir;
	int watch;
	struct tenant *t;
	uint32_t nr;
	/* The tokens of the live tenants, back to back; then the copy of
	 * VACCEL_AGENT_TOKEN (kept for the next reload). MADV_DONTFORK. */
	uint8_t *map;
	size_t map_size;
	size_t env_off;
	uint32_t env_len;
} tn = { .watch = -1 };

/* --- the token map --- */

static void map_free(uint8_t *map, size_t size)
{
	if (!map)
		return;
	explicit_bzero(map, size);
	munmap(map, size);
}

static uint8_t *map_new(size_t size)
{
	uint8_t *m = mmap(NULL, size ? size : 1, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (m == MAP_FAILED)
		return NULL;
	if (madvise(m, size ? size : 1, MADV_DONTFORK)) {
		munmap(m, size ? size : 1);
		return NULL;
	}
	return m;
}

/* --- reading the sources --- */

static size_t trim_newline(const uint8_t *s, size_t n)
{
	if (n && s[n - 1] == '\n')
		n--;
	if (n && s[n - 1] == '\r')
		n--;
	return n;
}

static bool valid_name(const char *n)
{
	size_t len = strlen(n);

	if (len == 0 || len > AGENT_TENANT_NAME_MAX || n[0] == '.')
		return false;
	for (size_t i = 0; i < len; i++)
		if (!((n[i] >= 'a' && n[i] <= 'z') ||
		      (n[i] >= 'A' && n[i] <= 'Z') ||
		      (n[i] >= '0' && n[i] <= '9') || n[i] == '.' ||
		      n[i] == '_' || n[i] == '-'))
			return false;
	return true;
}

/* Reads one token file opened as `fd`. `strict` (the tenants folder): a
 * regular file of the agent's user, not readable or writable by anyone
 * else; otherwise (--token-file, often a mounted secret) group or other
 * read access is only warned about. Returns the token's length, 0 when the
 * file is refused (logged). */
static uint32_t read_token(int fd, const char *what, bool strict,
			   uint8_t out[RPC_MAX_TOKEN])
{
	uint8_t buf[RPC_MAX_TOKEN + 3];
	struct stat st;
	ssize_t n;
	size_t len;

	if (fstat(fd, &st)) {
		vaccel_error("agent: tenant file %s: cannot stat it: %s; refused",
			     what, strerror(errno));
		return 0;
	}
	if (!S_ISREG(st.st_mode)) {
		vaccel_error("agent: tenant file %s is not a regular file; refused",
			     what);
		return 0;
	}
	if (strict && st.st_uid != geteuid()) {
		vaccel_error("agent: tenant file %s is owned by uid %u, not by the agent's uid %u; refused",
			     what, (unsigned int)st.st_uid,
			     (unsigned int)geteuid());
		return 0;
	}
	if (strict && (st.st_mode & 0077)) {
		vaccel_error("agent: tenant file %s has mode %04o; it must be 0600 (only the agent's user may read it); refused",
			     what, (unsigned int)(st.st_mode & 07777));
		return 0;
	}
	if (!strict && (st.st_mode & 0077))
		vaccel_warn("agent: token file %s is readable by other users (mode %03o); chmod 600 it",
			    what, (unsigned int)(st.st_mode & 0777));
	do
		n = read(fd, buf, sizeof(buf));
	while (n < 0 && errno == EINTR);
	if (n < 0) {
		vaccel_error("agent: tenant file %s: cannot read it: %s; refused",
			     what, strerror(errno));
		return 0;
	}
	len = trim_newline(buf, (size_t)n);
	if (len == 0 || len > RPC_MAX_TOKEN) {
		vaccel_error("agent: tenant file %s holds %s token (expected 1..%u bytes); refused",
			     what, len ? "a too long" : "an empty",
			     RPC_MAX_TOKEN);
		explicit_bzero(buf, sizeof(buf));
		return 0;
	}
	memcpy(out, buf, len);
	explicit_bzero(buf, sizeof(buf));
	return (uint32_t)len;
}

/* Adds a found tenant unless its name or token is taken (logged). */
static void found_add(struct found *f, uint32_t *nr, const char *name,
		      const uint8_t *tok, uint32_t len)
{
	for (uint32_t i = 0; i < *nr; i++) {
		if (strcmp(f[i].name, name) == 0 ||
		    (f[i].len == len && memcmp(f[i].token, tok, len) == 0)) {
			vaccel_error("agent: tenant %s has the %s of tenant %s; refused",
				     name,
				     strcmp(f[i].name, name) ? "token" : "name",
				     f[i].name);
			return;
		}
	}
	if (*nr >= agent.lim.max_tenants) {
		vaccel_error("agent: tenant %s refused: the agent has the most tenants it may (--max-tenants %u)",
			     name, agent.lim.max_tenants);
		return;
	}
	snprintf(f[*nr].name, sizeof(f[*nr].name), "%s", name);
	memcpy(f[*nr].token, tok, len);
	f[*nr].len = len;
	(*nr)++;
}

static void scan_dir(struct found *f, uint32_t *nr)
{
	uint8_t tok[RPC_MAX_TOKEN];
	struct dirent *e;
	char what[PATH_MAX];
	uint32_t len;
	DIR *d = opendir(tn.dir);

	if (!d) {
		vaccel_error("agent: cannot read the tenants folder %s: %s; it has no tenants",
			     tn.dir, strerror(errno));
		return;
	}
	while ((e = readdir(d))) {
		int fd;

		/* Dot-files are skipped silently: writers use them for
		 * atomic replacement (write, then rename). */
		if (e->d_name[0] == '.')
			continue;
		snprintf(what, sizeof(what), "%s/%s", tn.dir, e->d_name);
		if (!valid_name(e->d_name)) {
			vaccel_error("agent: tenant file %s refused: a tenant's name has 1 to %d of A-Z a-z 0-9 . _ -",
				     what, AGENT_TENANT_NAME_MAX);
			continue;
		}
		fd = openat(dirfd(d), e->d_name,
			    O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
		if (fd < 0) {
			vaccel_error("agent: tenant file %s: cannot open it: %s; refused",
				     what, strerror(errno));
			continue;
		}
		len = read_token(fd, what, true, tok);
		close(fd);
		if (len)
			found_add(f, nr, e->d_name, tok, len);
	}
	closedir(d);
	explicit_bzero(tok, sizeof(tok));
}

/* Reads every source into f (room for max_tenants). */
static uint32_t scan(struct found *f)
{
	uint8_t tok[RPC_MAX_TOKEN];
	uint32_t nr = 0, len;

	if (tn.env_len)
		found_add(f, &nr, ENV_NAME, tn.map + tn.env_off, tn.env_len);
	if (tn.token_file) {
		const char *base = strrchr(tn.token_file, '/');
		char name[AGENT_TENANT_NAME_MAX + 1];
		int fd = open(tn.token_file, O_RDONLY | O_CLOEXEC);

		snprintf(name, sizeof(name), "%s", base ? base + 1 : tn.token_file);
		if (fd < 0) {
			vaccel_error("agent: cannot open token file %s: %s",
				     tn.token_file, strerror(errno));
		} else {
			len = read_token(fd, tn.token_file, false, tok);
			close(fd);
			if (len)
				found_add(f, &nr, name, tok, len);
		}
	}
	if (tn.dir)
		scan_dir(f, &nr);
	explicit_bzero(tok, sizeof(tok));
	return nr;
}

/* --- applying a scan --- */

static const uint8_t *token_of(uint32_t i)
{
	return tn.map + tn.t[i].off;
}

/* A free index: not live, and no worker left from its previous tenant. */
static int free_index(void)
{
	for (uint32_t i = 0; i < tn.nr; i++)
		if (!tn.t[i].live && tn.t[i].conns == 0)
			return (int)i;
	return -1;
}

/* Makes the found tenants the live ones. Returns -1 (nothing changed)
 * when the new token map cannot be made. */
static int apply(struct found *f, uint32_t nr)
{
	size_t size = tn.env_len;
	bool *kept = calloc(nr ? nr : 1, sizeof(*kept));
	uint8_t *map;
	size_t off = 0;

	for (uint32_t i = 0; i < nr; i++)
		size += f[i].len;
	map = kept ? map_new(size) : NULL;
	if (!map) {
		vaccel_error("agent: out of memory for %u tenants' tokens; the tenants are unchanged",
			     nr);
		free(kept);
		return -1;
	}
	/* Tenants that are still there with the same token stay; the others
	 * stop being live (their connections are closed by the caller). */
	for (uint32_t i = 0; i < tn.nr; i++) {
		struct tenant *t = &tn.t[i];
		bool same = false;

		if (!t->live)
			continue;
		for (uint32_t j = 0; j < nr && !same; j++) {
			same = !kept[j] && strcmp(f[j].name, t->name) == 0 &&
			       f[j].len == t->len &&
			       memcmp(f[j].token, token_of(i), t->len) == 0;
			if (same)
				kept[j] = true;
		}
		if (!same) {
			t->live = false;
			vaccel_info("agent: tenant %s removed (its token file is gone or changed); closing its %u connection(s)",
				    t->name, t->conns);
		}
	}
	/* The new map: the live tenants' tokens, then the environment's. */
	for (uint32_t i = 0; i < tn.nr; i++) {
		if (!tn.t[i].live)
			continue;
		memcpy(map + off, token_of(i), tn.t[i].len);
		tn.t[i].off = off;
		off += tn.t[i].len;
	}
	for (uint32_t j = 0; j < nr; j++) {
		int k;

		if (kept[j])
			continue;
		k = free_index();
		if (k < 0) {
			/* Every index still has a worker of a removed tenant
			 * (at most max_tenants tenants are found). */
			vaccel_error("agent: tenant %s not added yet: connections of removed tenants still hold every index (--max-tenants %u)",
				     f[j].name, agent.lim.max_tenants);
			continue;
		}
		memcpy(map + off, f[j].token, f[j].len);
		tn.t[k] = (struct tenant){ .off = off, .len = f[j].len,
					   .live = true };
		snprintf(tn.t[k].name, sizeof(tn.t[k].name), "%s", f[j].name);
		off += f[j].len;
		agent_tenant_use_reset(k);
		vaccel_info("agent: tenant %s added", f[j].name);
	}
	if (tn.env_len)
		memcpy(map + off, tn.map + tn.env_off, tn.env_len);
	tn.env_off = off;
	map_free(tn.map, tn.map_size);
	tn.map = map;
	tn.map_size = size;
	free(kept);
	return 0;
}

/* Scans the sources and applies the result. */
static int load(void)
{
	struct found *f = calloc(agent.lim.max_tenants, sizeof(*f));
	uint32_t nr;
	int ret;

	if (!f) {
		vaccel_error("agent: out of memory to read the tenants");
		return -1;
	}
	nr = scan(f);
	ret = apply(f, nr);
	explicit_bzero(f, (size_t)agent.lim.max_tenants * sizeof(*f));
	free(f);
	return ret;
}

static void watch_dir(void)
{
	const uint32_t mask = IN_CLOSE_WRITE | IN_MOVED_TO | IN_MOVED_FROM |
			      IN_DELETE | IN_ATTRIB | IN_DELETE_SELF |
			      IN_MOVE_SELF | IN_ONLYDIR;

	if (tn.watch < 0)
		tn.watch = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	if (tn.watch < 0 || inotify_add_watch(tn.watch, tn.dir, mask) < 0)
		vaccel_error("agent: cannot watch the tenants folder %s: %s; send SIGHUP after changing it",
			     tn.dir, strerror(errno));
}

/* The folder must be the agent's (or root's) and writable by no one
 * else: whoever may write it may add tenants. */
static int check_dir(const char *dir)
{
	struct stat st;

	if (stat(dir, &st) || !S_ISDIR(st.st_mode)) {
		fprintf(stderr, "vaccel-agent: the tenants folder %s is not a folder%s%s\n",
			dir, errno ? ": " : "", errno ? strerror(errno) : "");
		return -1;
	}
	if ((st.st_uid != geteuid() && st.st_uid != 0) || (st.st_mode & 0022)) {
		fprintf(stderr, "vaccel-agent: the tenants folder %s (uid %u, mode %04o) must belong to the agent's user or root and be writable by no one else\n",
			dir, (unsigned int)st.st_uid,
			(unsigned int)(st.st_mode & 07777));
		return -1;
	}
	return 0;
}

int agent_tenants_init(const char *token_file, const char *dir)
{
	const char *env = getenv(ENV_NAME);

	tn.token_file = token_file;
	tn.dir = dir;
	if (dir && check_dir(dir))
		return -1;
	tn.t = calloc(agent.lim.max_tenants, sizeof(*tn.t));
	if (!tn.t) {
		fprintf(stderr, "vaccel-agent: out of memory for the tenants\n");
		return -1;
	}
	tn.nr = agent.lim.max_tenants;
	if (env && !token_file) {
		size_t n = trim_newline((const uint8_t *)env, strlen(env));

		if (n == 0 || n > RPC_MAX_TOKEN) {
			fprintf(stderr, "vaccel-agent: the token from %s has %zu bytes (expected 1..%u)\n",
				ENV_NAME, n, RPC_MAX_TOKEN);
			return -1;
		}
		tn.map = map_new(n);
		if (!tn.map)
			return -1;
		memcpy(tn.map, env, n);
		tn.map_size = n;
		tn.env_len = (uint32_t)n;
	}
	/* Plugins and anything they start must not see the secret. */
	if (env)
		unsetenv(ENV_NAME);
	agent.auth_required = token_file || dir || tn.env_len;
	if (!agent.auth_required)
		return 0;
	if (load())
		return -1;
	if (token_file && !dir && !agent_tenant_count()) {
		/* A lone token file that cannot be used is a start-up
		 * error, as it always was. */
		fprintf(stderr, "vaccel-agent: no usable token in %s\n",
			token_file);
		return -1;
	}
	if (dir)
		watch_dir();
	return 0;
}

int agent_tenants_add(const char *name, const void *token, size_t len)
{
	struct found *f;
	uint32_t nr = 0;
	int ret;

	if (!tn.t) {
		tn.t = calloc(agent.lim.max_tenants, sizeof(*tn.t));
		if (!tn.t)
			return -1;
		tn.nr = agent.lim.max_tenants;
	}
	f = calloc(agent.lim.max_tenants, sizeof(*f));
	if (!f)
		return -1;
	for (uint32_t i = 0; i < tn.nr; i++)
		if (tn.t[i].live)
			found_add(f, &nr, tn.t[i].name, token_of(i),
				  tn.t[i].len);
	found_add(f, &nr, name, token, (uint32_t)len);
	ret = apply(f, nr);
	explicit_bzero(f, (size_t)agent.lim.max_tenants * sizeof(*f));
	free(f);
	agent.auth_required = true;
	return ret;
}

void agent_tenants_release(void)
{
	if (tn.watch >= 0)
		close(tn.watch);
	tn.watch = -1;
	map_free(tn.map, tn.map_size);
	tn.map = NULL;
	tn.map_size = tn.env_len = 0;
	free(tn.t);
	tn.t = NULL;
	tn.nr = 0;
	agent.auth_required = false;
}

int agent_tenants_watch_fd(void)
{
	return tn.watch;
}

void agent_tenants_reload(void)
{
	char buf[4096];
	bool gone = false;
	ssize_t n;

	/* Drain the folder's events: one reload covers them all. */
	while (tn.watch >= 0 && (n = read(tn.watch, buf, sizeof(buf))) > 0) {
		for (char *p = buf; p < buf + n;) {
			const struct inotify_event *e = (const void *)p;

			if (e->mask & (IN_DELETE_SELF | IN_MOVE_SELF |
				       IN_IGNORED))
				gone = true;
			p += sizeof(*e) + e->len;
		}
	}
	if (!agent.auth_required || !tn.t)
		return;
	load();
	/* The folder itself was removed or moved: watch it again once it is
	 * back (the reload above found it empty, or missing). */
	if (tn.dir && gone) {
		inotify_rm_watch(tn.watch, -1);
		watch_dir();
	}
}

uint32_t agent_tenant_count(void)
{
	uint32_t n = 0;

	for (uint32_t i = 0; i < tn.nr; i++)
		n += tn.t[i].live;
	return n;
}

bool agent_tenant_live(int32_t t)
{
	return t >= 0 && (uint32_t)t < tn.nr && tn.t[t].live;
}

const char *agent_tenant_name(int32_t t)
{
	return t >= 0 && (uint32_t)t < tn.nr ? tn.t[t].name : "";
}

void agent_tenant_join(int32_t t)
{
	if (t >= 0 && (uint32_t)t < tn.nr)
		tn.t[t].conns++;
}

void agent_tenant_leave(int32_t t)
{
	if (t >= 0 && (uint32_t)t < tn.nr && tn.t[t].conns)
		tn.t[t].conns--;
}

/* Constant time in the secrets: every byte of every live token is
 * compared whatever the peer sent, so the time of the answer says nothing
 * about how much of a token was right (only the lengths leak). */
static int32_t find(const uint8_t *tok, size_t len)
{
	int32_t found = -1;

	for (uint32_t i = 0; i < tn.nr; i++) {
		const uint8_t *mine = token_of(i);
		uint8_t diff;

		if (!tn.t[i].live)
			continue;
		diff = len != tn.t[i].len;
		for (size_t k = 0; k < tn.t[i].len; k++)
			diff |= mine[k] ^ (k < len ? tok[k] : 0);
		if (diff == 0)
			found = (int32_t)i;
	}
	return found;
}

/* The supervisor's decision on an AUTH by a connection that belongs to
 * `member` now (-1: none): the tenant, or -1 with the error in `msg`. */
static int32_t admit(const uint8_t *tok, size_t len, int32_t member,
		     int *code, char *msg, size_t size)
{
	int32_t t = find(tok, len);

	if (t < 0) {
		*code = VACCEL_EACCES;
		snprintf(msg, size, "authentication failed");
		return -1;
	}
	if (t != member && tn.t[t].conns >= agent.lim.tenant_max_conns) {
		*code = VACCEL_EUSERS;
		snprintf(msg, size,
			 "tenant %s has the most connections it may (%u, --tenant-max-connections)",
			 tn.t[t].name, agent.lim.tenant_max_conns);
		return -1;
	}
	*code = VACCEL_OK;
	return t;
}

/* What a worker sends its supervisor, and the answer. */
struct auth_query {
	uint32_t len;
	uint8_t token[RPC_MAX_TOKEN];
};

struct auth_answer {
	int32_t code;
	int32_t tenant;
	char name[AGENT_TENANT_NAME_MAX + 1];
	char msg[RPC_MAX_ERRMSG];
};

/* In a worker: the supervisor checks the token. */
static int ask_supervisor(struct agent_conn *c, const uint8_t *tok,
			  size_t len)
{
	struct auth_query q = { (uint32_t)len, { 0 } };
	struct auth_answer a;
	ssize_t n;

	memcpy(q.token, tok, len);
	n = send(agent.supervisor_sock, &q, sizeof(q), MSG_NOSIGNAL);
	explicit_bzero(&q, sizeof(q));
	if (n != (ssize_t)sizeof(q))
		return agent_fail(c, VACCEL_EIO,
				  "the agent is shutting down");
	do
		n = recv(agent.supervisor_sock, &a, sizeof(a), 0);
	while (n < 0 && errno == EINTR);
	if (n != (ssize_t)sizeof(a))
		return agent_fail(c, VACCEL_EIO,
				  "the agent is shutting down");
	a.name[sizeof(a.name) - 1] = '\0';
	a.msg[sizeof(a.msg) - 1] = '\0';
	if (a.code)
		return agent_fail(c, a.code, "%s", a.msg);
	c->tenant = a.tenant;
	memcpy(c->tenant_name, a.name, sizeof(c->tenant_name));
	return VACCEL_OK;
}

int agent_tenants_answer(int sock, int32_t *member)
{
	struct auth_query q;
	struct auth_answer a = { 0 };
	ssize_t n;
	int32_t t;

	do
		n = recv(sock, &q, sizeof(q), MSG_DONTWAIT);
	while (n < 0 && errno == EINTR);
	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
		return 0;
	if (n != (ssize_t)sizeof(q) || q.len > RPC_MAX_TOKEN) {
		explicit_bzero(&q, sizeof(q));
		return -1;
	}
	t = admit(q.token, q.len, *member, &a.code, a.msg, sizeof(a.msg));
	explicit_bzero(&q, sizeof(q));
	a.tenant = t;
	if (t >= 0) {
		memcpy(a.name, tn.t[t].name, sizeof(a.name));
		if (t != *member) {
			agent_tenant_leave(*member);
			agent_tenant_join(t);
			*member = t;
		}
	}
	/* A worker that does not read its answer loses it. */
	return send(sock, &a, sizeof(a), MSG_DONTWAIT | MSG_NOSIGNAL) ==
			       (ssize_t)sizeof(a) ?
		       0 :
		       -1;
}

int agent_auth(struct agent_conn *c, const uint8_t *tok, size_t len)
{
	char msg[RPC_MAX_ERRMSG];
	int32_t t;
	int code;

	if (!agent.auth_required) {
		c->tenant = -1;
		return VACCEL_OK;
	}
	if (agent.supervisor_sock >= 0)
		return ask_supervisor(c, tok, len);
	/* The supervisor: the connection is not a worker's yet. */
	t = admit(tok, len, -1, &code, msg, sizeof(msg));
	if (t < 0)
		return agent_fail(c, code, "%s", msg);
	c->tenant = t;
	memcpy(c->tenant_name, tn.t[t].name, sizeof(c->tenant_name));
	return VACCEL_OK;
}
