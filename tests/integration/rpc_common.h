/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Helpers for the rpc/agent integration tests: start the real vaccel-agent
 * as a child process (its bound addresses come back over --ready-fd), and
 * speak the protocol by hand where a test needs a misbehaving client.
 * Paths come from the environment set by meson:
 *   VACCEL_TEST_AGENT        the vaccel-agent binary
 *   VACCEL_TEST_AGENT_PLUGINS the agent's plugins
 *   VACCEL_TEST_RPC_PLUGIN   libvaccel-rpc.so
 */
#ifndef VACCEL_TEST_RPC_COMMON_H
#define VACCEL_TEST_RPC_COMMON_H

#include "child.h"
#include "codec.h"
#include "conn.h"
#include "transport.h"
#include "vaccel.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

struct test_agent {
	pid_t pid;
	int nr;
	char addr[4][VACCEL_ADDR_MAX];
};

/* Starts the agent with `extra` args (NULL-terminated) plus -a for each
 * address and --admin-stats (the tests read agent-wide STATS); waits for
 * READY. Returns 0 on success. */
static inline int test_agent_start(struct test_agent *a, const char **addrs,
				   int nr_addrs, const char **extra)
{
	const char *bin = getenv("VACCEL_TEST_AGENT");
	const char *plugins = getenv("VACCEL_TEST_AGENT_PLUGINS");
	char fdarg[16], line[VACCEL_ADDR_MAX + 16];
	const char *argv[64];
	int p[2], n = 0;
	FILE *f;

	memset(a, 0, sizeof(*a));
	if (!bin || !plugins || pipe(p) < 0)
		return -1;
	snprintf(fdarg, sizeof(fdarg), "%d", p[1]);
	argv[n++] = bin;
	for (int i = 0; i < nr_addrs; i++) {
		argv[n++] = "-a";
		argv[n++] = addrs[i];
	}
	argv[n++] = "--plugins";
	argv[n++] = plugins;
	argv[n++] = "--ready-fd";
	argv[n++] = fdarg;
	argv[n++] = "--admin-stats";
	for (int i = 0; extra && extra[i] && n < 62; i++)
		argv[n++] = extra[i];
	argv[n] = NULL;
	a->pid = test_fork();
	if (a->pid == 0) {
		close(p[0]);
		/* The agent bootstraps from its flags, not from our env. */
		unsetenv("VACCEL_PLUGINS");
		unsetenv("VACCEL_BOOTSTRAP_ENABLED");
		execv(bin, (char **)argv);
		_exit(127);
	}
	close(p[1]);
	f = fdopen(p[0], "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = '\0';
		if (!strcmp(line, "READY")) {
			fclose(f);
			return 0;
		}
		if (!strncmp(line, "LISTEN ", 7) && a->nr < 4 &&
		    strlen(line + 7) < VACCEL_ADDR_MAX)
			memcpy(a->addr[a->nr++], line + 7,
			       strlen(line + 7) + 1);
	}
	fclose(f);
	return -1;
}

/* Bootstraps libvaccel again with the local plugins and the rpc plugin
 * pointed at `addr`: the rpc plugin's next session connects there, with
 * the VACCEL_RPC_* environment of the moment. */
static inline void test_use_agent(const char *addr)
{
	struct vaccel_config cfg;
	char plugins[4096];

	setenv("VACCEL_RPC_ADDRESS", addr, 1);
	snprintf(plugins, sizeof(plugins), "%s:%s",
		 getenv("VACCEL_TEST_LOCAL_PLUGINS"),
		 getenv("VACCEL_TEST_RPC_PLUGIN"));
	vaccel_config_init(&cfg, plugins, VACCEL_LOG_ERROR, NULL, false,
			   false);
	if (vaccel_bootstrap_with_config(&cfg))
		fprintf(stderr, "bootstrap with %s failed\n", plugins);
	vaccel_config_release(&cfg);
}

/* SIGTERM, then waits; returns the exit status (or -1). */
static inline int test_agent_stop(struct test_agent *a)
{
	int st;

	if (a->pid <= 0)
		return -1;
	kill(a->pid, SIGTERM);
	if (waitpid(a->pid, &st, 0) != a->pid)
		return -1;
	a->pid = 0;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

static inline uint64_t test_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* A hand-driven protocol connection. */
struct raw {
	struct rpc_conn c;
	uint64_t next;
};

static inline int raw_connect(struct raw *r, const char *addr)
{
	struct vaccel_stream s;

	memset(r, 0, sizeof(*r));
	if (vaccel__transport_connect(addr, &s))
		return -1;
	return rpc_conn_init(&r->c, &s, RPC_FRAME_HARD_MAX) ? -1 : 0;
}

static inline void raw_close(struct raw *r)
{
	rpc_conn_release(&r->c);
}

/* Sends a request and reads the whole reply body into buf. Returns the
 * reply type, or -1 when the connection broke; *code gets the ERROR code. */
static inline int raw_call(struct raw *r, uint16_t type, const void *body,
			   size_t len, void *buf, size_t cap, size_t *got,
			   int *code)
{
	struct rpc_hdr h;
	uint64_t id = ++r->next;

	*code = 0;
	if (rpc_conn_send(&r->c, type, id, body, len, NULL, 0))
		return -1;
	if (rpc_conn_recv_hdr(&r->c, &h) || h.req_id != id || h.length > cap)
		return -1;
	if (rpc_conn_recv(&r->c, buf, h.length))
		return -1;
	if (got)
		*got = h.length;
	if (h.type == RPC_MSG_ERROR) {
		struct rpc_error e;

		if (rpc_error_decode(buf, h.length, &e))
			return -1;
		*code = e.code;
		if (strlen(e.msg) < cap)
			memcpy(buf, e.msg, strlen(e.msg) + 1);
	}
	return h.type;
}

static inline int raw_hello(struct raw *r, uint16_t major, int *code)
{
	struct rpc_hello h = { RPC_MAGIC, major, 0, RPC_FRAME_HARD_MAX, 0 };
	uint8_t out[RPC_HELLO_SIZE], buf[2048];

	rpc_hello_encode(out, sizeof(out), &h);
	return raw_call(r, RPC_MSG_HELLO, out, sizeof(out), buf, sizeof(buf),
			NULL, code);
}

static inline int raw_stats(struct raw *r, struct rpc_stats *st)
{
	uint8_t buf[256];
	struct rpc_reply_prefix p;
	size_t got;
	int code;

	if (raw_call(r, RPC_MSG_STATS, NULL, 0, buf, sizeof(buf), &got,
		     &code) != (RPC_MSG_STATS | RPC_MSG_REPLY))
		return -1;
	return rpc_stats_reply_decode(buf, got, &p, st) ? -1 : 0;
}

/* A fresh connection's view of the agent's totals. */
static inline int agent_stats(const char *addr, struct rpc_stats *st)
{
	struct raw r;
	int code, ret = -1;

	if (raw_connect(&r, addr))
		return -1;
	if (raw_hello(&r, RPC_VERSION_MAJOR, &code) ==
	    (RPC_MSG_HELLO | RPC_MSG_REPLY))
		ret = raw_stats(&r, st);
	raw_close(&r);
	return ret;
}

/* A wait for an event gives up after at least this long: it guards a
 * broken run from hanging, it is not a time bound (the build machines are
 * shared and loaded). */
#define TEST_WAIT_MIN_MS 30000

/* Waits until the agent holds no session/resource/upload and only `conns`
 * connections (plus the one asking); gives up after ms (at least
 * TEST_WAIT_MIN_MS). */
static inline bool agent_wait_idle(const char *addr, unsigned int conns,
				   int ms)
{
	uint64_t end = test_now_ms() +
		       (uint64_t)(ms < TEST_WAIT_MIN_MS ? TEST_WAIT_MIN_MS : ms);
	struct rpc_stats st = { 0 };

	do {
		if (agent_stats(addr, &st) == 0 && st.sessions == 0 &&
		    st.resources == 0 && st.upload_bytes == 0 &&
		    st.connections == conns + 1)
			return true;
		usleep(20000);
	} while (test_now_ms() < end);
	fprintf(stderr, "agent not idle: %u conns, %llu sessions, %llu resources, %llu bytes\n",
		st.connections, (unsigned long long)st.sessions,
		(unsigned long long)st.resources,
		(unsigned long long)st.upload_bytes);
	return false;
}

/* True when the peer closes the connection (waiting at least
 * TEST_WAIT_MIN_MS, or ms if longer). */
static inline bool raw_closed_by_peer(struct raw *r, int ms)
{
	struct pollfd p = { .fd = r->c.s.fd, .events = POLLIN };
	char b[256];

	if (ms < TEST_WAIT_MIN_MS)
		ms = TEST_WAIT_MIN_MS;
	while (poll(&p, 1, ms) == 1) {
		ssize_t n = recv(r->c.s.fd, b, sizeof(b), 0);

		if (n == 0 || (n < 0 && errno == ECONNRESET))
			return true;
		if (n < 0)
			return false;
	}
	return false;
}

#endif /* VACCEL_TEST_RPC_COMMON_H */
