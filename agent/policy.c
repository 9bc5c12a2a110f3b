// SPDX-License-Identifier: Apache-2.0
/*
 * What a guest may do on this host beyond the protocol checks: prove that
 * it holds the shared-secret token (when one is configured), and run host
 * code only from libraries the operator listed (exec) or, when explicitly
 * enabled, from libraries it uploaded (exec_with_resource). See
 * docs/security.md.
 */
#include "agent.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Drops one trailing "\n" or "\r\n": token files are usually written
 * with echo. */
static size_t trim_newline(const char *s, size_t n)
{
	if (n && s[n - 1] == '\n')
		n--;
	if (n && s[n - 1] == '\r')
		n--;
	return n;
}

static int set_token(const char *s, size_t n, const char *from)
{
	n = trim_newline(s, n);
	if (n == 0 || n > RPC_MAX_TOKEN) {
		fprintf(stderr, "vaccel-agent: the token from %s has %zu bytes (expected 1..%u)\n",
			from, n, RPC_MAX_TOKEN);
		return -1;
	}
	agent.token = malloc(n);
	if (!agent.token) {
		fprintf(stderr, "vaccel-agent: out of memory for the token\n");
		return -1;
	}
	memcpy(agent.token, s, n);
	agent.token_len = n;
	return 0;
}

int agent_token_load(const char *path)
{
	char buf[RPC_MAX_TOKEN + 3];
	const char *env;
	struct stat st;
	ssize_t n;
	int fd, ret;

	if (!path) {
		env = getenv("VACCEL_AGENT_TOKEN");
		if (!env)
			return 0;
		ret = set_token(env, strlen(env), "VACCEL_AGENT_TOKEN");
		/* Plugins and anything they start must not see the secret. */
		unsetenv("VACCEL_AGENT_TOKEN");
		return ret;
	}
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		fprintf(stderr, "vaccel-agent: cannot open token file %s: %s\n",
			path, strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) == 0 && (st.st_mode & 0077))
		fprintf(stderr, "vaccel-agent: warning: token file %s is readable by other users (mode %03o); chmod 600 it\n",
			path, (unsigned int)(st.st_mode & 0777));
	n = read(fd, buf, sizeof(buf));
	close(fd);
	if (n < 0) {
		fprintf(stderr, "vaccel-agent: cannot read token file %s: %s\n",
			path, strerror(errno));
		return -1;
	}
	ret = set_token(buf, (size_t)n, path);
	explicit_bzero(buf, sizeof(buf));
	return ret;
}

bool agent_token_matches(const uint8_t *token, size_t len)
{
	const uint8_t *mine = agent.token;
	uint8_t diff;

	/* Constant time in the secret: every byte of our token is compared
	 * whatever the peer sent, so the reply time says nothing about how
	 * many leading bytes were right. Only the length leaks, through the
	 * first term. */
	diff = len != agent.token_len;
	for (size_t i = 0; i < agent.token_len; i++)
		diff |= mine[i] ^ (i < len ? token[i] : 0);
	return diff == 0;
}

int agent_exec_allow(const char *path)
{
	char real[PATH_MAX];
	char **n;

	if (!realpath(path, real)) {
		fprintf(stderr, "vaccel-agent: --exec-allow %s: %s\n", path,
			strerror(errno));
		return -1;
	}
	n = realloc(agent.exec_allow,
		    (agent.nr_exec_allow + 1) * sizeof(*agent.exec_allow));
	if (!n)
		return -1;
	agent.exec_allow = n;
	n[agent.nr_exec_allow] = strdup(real);
	if (!n[agent.nr_exec_allow])
		return -1;
	agent.nr_exec_allow++;
	return 0;
}

void agent_policy_release(void)
{
	for (size_t i = 0; i < agent.nr_exec_allow; i++)
		free(agent.exec_allow[i]);
	free(agent.exec_allow);
	agent.exec_allow = NULL;
	agent.nr_exec_allow = 0;
	if (agent.token)
		explicit_bzero(agent.token, agent.token_len);
	free(agent.token);
	agent.token = NULL;
	agent.token_len = 0;
}

int agent_exec_check(struct agent_conn *c, uint32_t op, struct vaccel_arg *lib)
{
	char real[PATH_MAX];
	const char *path = lib ? lib->buf : NULL;

	if (op == VACCEL_OP_EXEC_WITH_RESOURCE) {
		if (agent.exec_allow_uploaded)
			return VACCEL_OK;
		vaccel_warn("agent: conn %llu: exec_with_resource refused: uploaded libraries may not run (--exec-allow-uploaded is off)",
			    (unsigned long long)c->id);
		return agent_fail(c, VACCEL_EPERM,
				  "exec of uploaded libraries is disabled on this agent");
	}
	if (agent.nr_exec_allow == 0) {
		vaccel_warn("agent: conn %llu: exec refused: no --exec-allow library configured",
			    (unsigned long long)c->id);
		return agent_fail(c, VACCEL_EPERM,
				  "exec is disabled on this agent");
	}
	/* The unpacker checks the layout later; here only a terminated
	 * string can name a file. */
	if (!path || lib->size == 0 || !memchr(path, '\0', lib->size))
		return agent_fail(c, VACCEL_EINVAL,
				  "EXEC needs a NUL-terminated library path");
	if (realpath(path, real)) {
		for (size_t i = 0; i < agent.nr_exec_allow; i++) {
			if (strcmp(real, agent.exec_allow[i]))
				continue;
			/* The plugin opens the canonical path we checked,
			 * not the guest's spelling of it, so a symlink
			 * swapped in meanwhile changes nothing. */
			lib->buf = agent.exec_allow[i];
			lib->size = strlen(agent.exec_allow[i]) + 1;
			return VACCEL_OK;
		}
	}
	vaccel_warn("agent: conn %llu: exec of '%.256s' refused: not in the allow-list",
		    (unsigned long long)c->id, path);
	/* The reply does not say whether the file exists on the host. */
	return agent_fail(c, VACCEL_EPERM,
			  "library is not in the agent's exec allow-list");
}
