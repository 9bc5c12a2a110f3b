// SPDX-License-Identifier: Apache-2.0
/*
 * What a guest may do on this host beyond the protocol checks (who it may
 * be is tenants.c): run host code only from libraries the operator listed
 * (exec), from uploaded copies of them (exec_with_resource, recognised by
 * SHA-256) or, when explicitly enabled, from any library it uploaded. The
 * exec rules are a library policy (vaccel/lib.h): they apply wherever a
 * plugin opens a library, so an op served by a plugin that opens none is
 * never refused by them. See docs/security.md.
 */
#include "agent.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Splits "LIB:SYM,SYM" into the library and its symbol list; a ':' whose
 * tail contains a '/' belongs to the path. */
static const char *symbol_list(const char *arg, size_t *lib_len)
{
	const char *colon = strrchr(arg, ':');

	if (!colon || strchr(colon, '/')) {
		*lib_len = strlen(arg);
		return NULL;
	}
	*lib_len = (size_t)(colon - arg);
	return colon + 1;
}

static int parse_symbols(struct agent_exec_lib *e, const char *list,
			 const char *arg)
{
	const char *p = list;

	if (!*list) {
		fprintf(stderr, "vaccel-agent: --exec-allow %s: empty symbol list after ':'\n",
			arg);
		return -1;
	}
	while (*p) {
		size_t n = strcspn(p, ",");
		char **syms;

		if (n == 0) {
			fprintf(stderr, "vaccel-agent: --exec-allow %s: empty symbol name\n",
				arg);
			return -1;
		}
		syms = realloc(e->symbols, (e->nr_symbols + 1) * sizeof(*syms));
		if (!syms)
			return -1;
		e->symbols = syms;
		syms[e->nr_symbols] = strndup(p, n);
		if (!syms[e->nr_symbols])
			return -1;
		e->nr_symbols++;
		p += n;
		if (*p == ',')
			p++;
	}
	return 0;
}

static void exec_lib_release(struct agent_exec_lib *e)
{
	for (size_t i = 0; i < e->nr_symbols; i++)
		free(e->symbols[i]);
	free(e->symbols);
	free(e->path);
}

int agent_exec_allow(const char *arg)
{
	struct agent_exec_lib e = { 0 }, *n;
	char real[PATH_MAX], lib[PATH_MAX];
	size_t lib_len;
	const char *syms = symbol_list(arg, &lib_len);

	if (lib_len == 0 || lib_len >= sizeof(lib)) {
		fprintf(stderr, "vaccel-agent: --exec-allow %s: no library path\n",
			arg);
		return -1;
	}
	memcpy(lib, arg, lib_len);
	lib[lib_len] = '\0';
	if (!realpath(lib, real)) {
		fprintf(stderr, "vaccel-agent: --exec-allow %s: %s\n", lib,
			strerror(errno));
		return -1;
	}
	if (agent_sha256_file(real, e.sha256)) {
		fprintf(stderr, "vaccel-agent: --exec-allow %s: cannot read %s: %s\n",
			arg, real, strerror(errno));
		return -1;
	}
	e.path = strdup(real);
	if (!e.path || (syms && parse_symbols(&e, syms, arg)))
		goto fail;
	n = realloc(agent.exec_allow,
		    (agent.nr_exec_allow + 1) * sizeof(*agent.exec_allow));
	if (!n)
		goto fail;
	agent.exec_allow = n;
	n[agent.nr_exec_allow++] = e;
	return 0;

fail:
	exec_lib_release(&e);
	return -1;
}

void agent_policy_release(void)
{
	vaccel_lib_policy_set(NULL);
	for (size_t i = 0; i < agent.nr_exec_allow; i++)
		exec_lib_release(&agent.exec_allow[i]);
	free(agent.exec_allow);
	agent.exec_allow = NULL;
	agent.nr_exec_allow = 0;
}

/*
 * The policy runs inside a host plugin, in the worker of the connection
 * whose request opened the library. A refusal is logged at error level:
 * that line is the reason the agent's ERROR reply carries (the thread's
 * last error), so it names only what the client sent and never says
 * whether a file exists on the host.
 */

/* EXEC: the library the guest named must be an allowed file (by its
 * canonical path); the plugin then opens the agent's own spelling of it,
 * so a symlink swapped in meanwhile changes nothing. */
static int open_by_path(const char *path, const char **open_path,
			const void **cookie)
{
	char real[PATH_MAX];

	if (agent.nr_exec_allow == 0) {
		vaccel_error("agent: exec refused: exec is disabled on this agent (no --exec-allow library)");
		return VACCEL_EPERM;
	}
	if (realpath(path, real)) {
		for (size_t i = 0; i < agent.nr_exec_allow; i++) {
			if (strcmp(real, agent.exec_allow[i].path))
				continue;
			*open_path = agent.exec_allow[i].path;
			*cookie = &agent.exec_allow[i];
			return VACCEL_OK;
		}
	}
	vaccel_error("agent: exec of '%.256s' refused: the library is not in the agent's exec allow-list",
		     path);
	return VACCEL_EPERM;
}

/* A library a client uploaded: allowed when its bytes are those of an
 * allowed file (then that entry's symbol list applies), or when the
 * operator lets uploaded libraries run. */
static int open_uploaded(const char *path, const void **cookie)
{
	uint8_t sum[32];

	if (agent.nr_exec_allow && agent_sha256_file(path, sum) == 0) {
		for (size_t i = 0; i < agent.nr_exec_allow; i++) {
			if (memcmp(sum, agent.exec_allow[i].sha256, 32))
				continue;
			vaccel_info("agent: uploaded library matches the allowed file %s (SHA-256)",
				    agent.exec_allow[i].path);
			*cookie = &agent.exec_allow[i];
			return VACCEL_OK;
		}
	}
	if (agent.exec_allow_uploaded)
		return VACCEL_OK;
	vaccel_error("agent: exec_with_resource refused: this uploaded library may not run on this agent (it matches no --exec-allow file and --exec-allow-uploaded is off)");
	return VACCEL_EPERM;
}

static int policy_open(void *ctx, enum vaccel_lib_source source,
		       const char *path, const char **open_path,
		       const void **cookie)
{
	(void)ctx;
	if (source == VACCEL_LIB_FROM_PATH)
		return open_by_path(path, open_path, cookie);
	return open_uploaded(path, cookie);
}

static int policy_symbol(void *ctx, const void *cookie, const char *symbol)
{
	const struct agent_exec_lib *e = cookie;

	(void)ctx;
	if (!e || !e->symbols)
		return VACCEL_OK;
	for (size_t i = 0; i < e->nr_symbols; i++)
		if (!strcmp(e->symbols[i], symbol))
			return VACCEL_OK;
	vaccel_error("agent: exec of %.128s refused: the function is not in the agent's exec allow-list for this library (its --exec-allow symbol list)",
		     symbol);
	return VACCEL_EPERM;
}

int agent_policy_install(void)
{
	const struct vaccel_lib_policy p = { policy_open, policy_symbol, NULL };

	return vaccel_lib_policy_set(&p) ? -1 : 0;
}
