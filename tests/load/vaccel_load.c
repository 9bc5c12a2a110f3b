// SPDX-License-Identifier: Apache-2.0
/*
 * vaccel-load: a load generator for vaccel-agent. N client processes (one
 * rpc plugin connection each, as N guests would have) run a mix of ops
 * (noop, exec, genop, classify) through the real libvaccel-rpc.so, for M
 * ops each or for a duration, spread round robin over the given agent
 * addresses (UNIX and TCP alike). It reports throughput and p50/p99/max
 * latency per op kind and, given the agent's pid, the agent's memory (the
 * PSS of its supervisor and workers, called "rss" in the output): at
 * start, after the warm-up, its peak and at the end. It exits
 * non-zero when an op failed (more than --max-errors) or when the RSS grew
 * by more than --max-rss-growth-kb after the warm-up. With --tokens DIR the
 * clients authenticate as the tenants of an agent's --tenants folder, round
 * robin. See docs/security.md for the soak command and docs/kubernetes.md
 * for the tenant runs.
 */
#include "child.h"
#include "vaccel.h"

#include <errno.h>
#include <dirent.h>
#include <getopt.h>
#include <math.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_ADDRS 8
#define MAX_CLIENTS 1024

enum kind { K_NOOP, K_EXEC, K_GENOP, K_CLASSIFY, NR_KINDS };

static const char *const kind_name[NR_KINDS] = { "noop", "exec", "genop",
						 "classify" };

/* Latency histogram: 16 linear sub-buckets per power of two of the
 * nanosecond value, which bounds the error of a percentile to 1/16. */
#define SUB 16
#define OCTAVES 40
#define NR_BUCKETS (OCTAVES * SUB)

struct client_result {
	uint64_t ops[NR_KINDS];
	uint64_t errors[NR_KINDS];
	uint64_t max_ns[NR_KINDS];
	uint64_t hist[NR_KINDS][NR_BUCKETS];
	int setup_error;
	bool done;
};

struct options {
	const char *addrs[MAX_ADDRS];
	int nr_addrs;
	int clients;
	long ops;
	double duration;
	unsigned int weight[NR_KINDS];
	const char *exec_lib;
	const char *rpc_plugin;
	pid_t agent_pid;
	double warmup;
	long max_rss_growth_kb;
	long max_errors;
	/* Token files (--tokens DIR), client i uses token[i % nr_tokens]. */
	char **token;
	int nr_tokens;
};

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static unsigned int bucket_of(uint64_t ns)
{
	unsigned int octave, sub;

	if (ns < SUB)
		return (unsigned int)ns;
	octave = 63u - (unsigned int)__builtin_clzll(ns);
	sub = (unsigned int)((ns >> (octave - 4)) & (SUB - 1));
	octave -= 3;
	if (octave >= OCTAVES)
		return NR_BUCKETS - 1;
	return octave * SUB + sub;
}

/* Lower bound of a bucket, in ns. */
static uint64_t bucket_value(unsigned int b)
{
	unsigned int octave = b / SUB, sub = b % SUB;

	if (octave == 0)
		return sub;
	return ((uint64_t)(SUB + sub)) << (octave - 1);
}

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: vaccel-load -a ADDR [-a ADDR ...] [options]\n"
		"Runs N client processes x M mixed ops against a vaccel-agent.\n"
		"\n"
		"  -a, --address ADDR         agent address (repeatable; clients go round robin)\n"
		"  -c, --clients N            concurrent clients (default 8, max %d)\n"
		"  -n, --ops M                ops per client (default 1000)\n"
		"  -d, --duration S           run each client for S seconds instead of M ops\n"
		"  -m, --mix N,E,G,C          weights of noop, exec, genop, classify (default 4,1,2,1)\n"
		"  -l, --exec-lib PATH        library with mytestfunc for exec (exec weight 0 without)\n"
		"  -p, --rpc-plugin PATH      libvaccel-rpc.so (default: VACCEL_RPC_PLUGIN, else the soname)\n"
		"      --agent-pid PID        sample the agent's memory (PSS of the supervisor\n"
		"                             and its workers) once a second\n"
		"      --warmup S             RSS baseline after S seconds (default: half the run)\n"
		"      --max-rss-growth-kb K  fail when the RSS grows by more than K KiB after warm-up\n"
		"      --max-errors N         fail when more than N ops fail (default 0)\n"
		"      --tokens DIR           client i authenticates with the i-th token file of DIR\n"
		"                             (sorted, round robin): an agent's --tenants folder\n"
		"  -h, --help                 this help\n",
		MAX_CLIENTS);
}

static int not_dot(const struct dirent *e)
{
	return e->d_name[0] != '.';
}

/* The token files of DIR, sorted by name. */
static int load_tokens(struct options *o, const char *dir)
{
	struct dirent **e;
	int n = scandir(dir, &e, not_dot, alphasort);

	if (n <= 0) {
		fprintf(stderr, "vaccel-load: no token files in %s\n", dir);
		return -1;
	}
	o->token = calloc((size_t)n, sizeof(*o->token));
	for (int i = 0; i < n; i++) {
		if (o->token &&
		    asprintf(&o->token[i], "%s/%s", dir, e[i]->d_name) < 0)
			o->token[i] = NULL;
		free(e[i]);
	}
	free(e);
	o->nr_tokens = n;
	for (int i = 0; o->token && i < n; i++)
		if (!o->token[i])
			return -1;
	return o->token ? 0 : -1;
}

static int parse_mix(const char *s, unsigned int *w)
{
	unsigned int v[NR_KINDS];

	if (sscanf(s, "%u,%u,%u,%u", &v[0], &v[1], &v[2], &v[3]) != 4 ||
	    v[0] + v[1] + v[2] + v[3] == 0 || v[0] + v[1] + v[2] + v[3] > 1000)
		return -1;
	memcpy(w, v, sizeof(v));
	return 0;
}

static int parse_args(int argc, char **argv, struct options *o)
{
	enum { AGENT_PID = 256, WARMUP, MAX_RSS, MAX_ERR, TOKENS };
	static const struct option longopts[] = {
		{ "address", required_argument, NULL, 'a' },
		{ "clients", required_argument, NULL, 'c' },
		{ "ops", required_argument, NULL, 'n' },
		{ "duration", required_argument, NULL, 'd' },
		{ "mix", required_argument, NULL, 'm' },
		{ "exec-lib", required_argument, NULL, 'l' },
		{ "rpc-plugin", required_argument, NULL, 'p' },
		{ "agent-pid", required_argument, NULL, AGENT_PID },
		{ "warmup", required_argument, NULL, WARMUP },
		{ "max-rss-growth-kb", required_argument, NULL, MAX_RSS },
		{ "max-errors", required_argument, NULL, MAX_ERR },
		{ "tokens", required_argument, NULL, TOKENS },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	while ((c = getopt_long(argc, argv, "a:c:n:d:m:l:p:h", longopts,
				NULL)) != -1) {
		switch (c) {
		case 'a':
			if (o->nr_addrs == MAX_ADDRS)
				return -1;
			o->addrs[o->nr_addrs++] = optarg;
			break;
		case 'c':
			o->clients = atoi(optarg);
			if (o->clients < 1 || o->clients > MAX_CLIENTS)
				return -1;
			break;
		case 'n':
			o->ops = atol(optarg);
			if (o->ops < 1)
				return -1;
			break;
		case 'd':
			o->duration = atof(optarg);
			if (!(o->duration > 0))
				return -1;
			break;
		case 'm':
			if (parse_mix(optarg, o->weight))
				return -1;
			break;
		case 'l':
			o->exec_lib = optarg;
			break;
		case 'p':
			o->rpc_plugin = optarg;
			break;
		case AGENT_PID:
			o->agent_pid = (pid_t)atol(optarg);
			break;
		case WARMUP:
			o->warmup = atof(optarg);
			break;
		case MAX_RSS:
			o->max_rss_growth_kb = atol(optarg);
			break;
		case MAX_ERR:
			o->max_errors = atol(optarg);
			break;
		case TOKENS:
			if (load_tokens(o, optarg))
				return -1;
			break;
		case 'h':
			usage(stdout);
			exit(0);
		default:
			return -1;
		}
	}
	if (optind < argc || o->nr_addrs == 0)
		return -1;
	if (!o->exec_lib)
		o->weight[K_EXEC] = 0;
	if (o->weight[K_NOOP] + o->weight[K_EXEC] + o->weight[K_GENOP] +
		    o->weight[K_CLASSIFY] ==
	    0)
		return -1;
	return 0;
}

/* One op of `kind`; returns its vAccel result. */
static int run_op(enum kind kind, struct vaccel_session *any,
		  struct vaccel_session *gen, const char *lib)
{
	switch (kind) {
	case K_NOOP:
		return vaccel_noop(any);
	case K_EXEC: {
		int32_t x = 21, y = 0;
		struct vaccel_arg rd = { &x, 4, VACCEL_ARG_INT32, 0, false };
		struct vaccel_arg wr = { &y, 4, VACCEL_ARG_INT32, 0, false };
		int ret = vaccel_exec(gen, lib, "mytestfunc", &rd, 1, &wr, 1);

		return ret ? ret : (y == 42 ? VACCEL_OK : VACCEL_EBACKEND);
	}
	case K_GENOP: {
		uint8_t op = VACCEL_OP_MINMAX;
		double in[64], out[64], mn = 0, mx = 0;
		int32_t nd = 64, lo = 0, hi = 50;
		struct vaccel_arg rd[] = {
			{ &op, 1, VACCEL_ARG_UINT8, 0, false },
			{ in, sizeof(in), VACCEL_ARG_FLOAT64_ARRAY, 0, false },
			{ &nd, 4, VACCEL_ARG_INT32, 0, false },
			{ &lo, 4, VACCEL_ARG_INT32, 0, false },
			{ &hi, 4, VACCEL_ARG_INT32, 0, false },
		};
		struct vaccel_arg wr[] = {
			{ out, sizeof(out), VACCEL_ARG_FLOAT64_ARRAY, 0, false },
			{ &mn, 8, VACCEL_ARG_FLOAT64, 0, false },
			{ &mx, 8, VACCEL_ARG_FLOAT64, 0, false },
		};

		for (int i = 0; i < 64; i++)
			in[i] = (double)((i * 37) % 101);
		return vaccel_genop(any, rd, 5, wr, 3);
	}
	case K_CLASSIFY: {
		static const char img[4096] = "not really a jpeg";
		unsigned char text[256], name[256];

		return vaccel_image_classification(any, img, text, name,
						   sizeof(img), sizeof(text),
						   sizeof(name));
	}
	default:
		return VACCEL_EINVAL;
	}
}

static int client_main(const struct options *o, int idx, int ready_fd,
		       int go_fd, struct client_result *r)
{
	struct vaccel_session any, gen;
	enum kind seq[4000];
	unsigned int nr_seq = 0;
	struct vaccel_config cfg;
	uint64_t start, end = 0;
	char c;
	int ret;

	/* The op sequence follows the weights, interleaved. */
	for (unsigned int round = 0; nr_seq < 4000; round++) {
		bool any_left = false;

		for (int k = 0; k < NR_KINDS && nr_seq < 4000; k++)
			if (round < o->weight[k]) {
				seq[nr_seq++] = (enum kind)k;
				any_left = true;
			}
		if (!any_left)
			break;
	}
	setenv("VACCEL_RPC_ADDRESS", o->addrs[idx % o->nr_addrs], 1);
	if (o->nr_tokens) {
		unsetenv("VACCEL_RPC_TOKEN");
		setenv("VACCEL_RPC_TOKEN_FILE", o->token[idx % o->nr_tokens], 1);
	}
	vaccel_config_init(&cfg, o->rpc_plugin, VACCEL_LOG_ERROR, NULL, false,
			   false);
	ret = vaccel_bootstrap_with_config(&cfg);
	vaccel_config_release(&cfg);
	if (!ret)
		ret = vaccel_session_init(&any, VACCEL_PLUGIN_REMOTE);
	if (!ret) {
		ret = vaccel_session_init(&gen, VACCEL_PLUGIN_REMOTE |
							VACCEL_PLUGIN_GENERIC);
		if (ret)
			vaccel_session_release(&any);
	}
	/* Everyone starts together, once all are connected: each tells
	 * the parent it is ready, the parent closes the go pipe. */
	c = 'R';
	if (write(ready_fd, &c, 1) != 1)
		ret = ret ? ret : VACCEL_EIO;
	close(ready_fd);
	while (read(go_fd, &c, 1) < 0 && errno == EINTR)
		;
	if (ret) {
		r->setup_error = ret;
		return 1;
	}
	start = now_ns();
	if (o->duration > 0)
		end = start + (uint64_t)(o->duration * 1e9);
	for (long i = 0;; i++) {
		enum kind k = seq[(unsigned long)(i + idx) % nr_seq];
		uint64_t t0, dt;

		if (o->duration > 0 ? now_ns() >= end : i >= o->ops)
			break;
		t0 = now_ns();
		ret = run_op(k, &any, &gen, o->exec_lib);
		dt = now_ns() - t0;
		r->ops[k]++;
		if (ret)
			r->errors[k]++;
		r->hist[k][bucket_of(dt)]++;
		if (dt > r->max_ns[k])
			r->max_ns[k] = dt;
	}
	vaccel_session_release(&gen);
	vaccel_session_release(&any);
	vaccel_cleanup();
	r->done = true;
	return 0;
}

/* The proportional set size of one process (shared pages counted once
 * over all the processes that map them), -1 if it is gone. */
static long pss_kb(long pid)
{
	char path[64], line[256];
	long kb = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%ld/smaps_rollup", pid);
	f = fopen(path, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, "Pss:", 4)) {
			kb = atol(line + 4);
			break;
		}
	fclose(f);
	return kb;
}

/* The agent's memory: its supervisor's and its workers' PSS (the workers
 * share the pages of the template they were forked from). */
static long rss_kb(pid_t pid)
{
	char path[96];
	long kb = pss_kb(pid), child;
	FILE *f;

	if (kb < 0)
		return -1;
	snprintf(path, sizeof(path), "/proc/%d/task/%d/children", (int)pid,
		 (int)pid);
	f = fopen(path, "r");
	if (!f)
		return kb;
	while (fscanf(f, "%ld", &child) == 1) {
		long c = pss_kb(child);

		if (c > 0)
			kb += c;
	}
	fclose(f);
	return kb;
}

static uint64_t percentile(const uint64_t *hist, uint64_t total, double p)
{
	uint64_t want = (uint64_t)ceil(p * (double)total), seen = 0;

	for (unsigned int b = 0; b < NR_BUCKETS; b++) {
		seen += hist[b];
		if (seen >= want && want)
			return bucket_value(b);
	}
	return 0;
}

static void report_row(const char *name, const uint64_t *hist, uint64_t ops,
		       uint64_t errors, uint64_t max_ns, double secs)
{
	printf("%-9s %10llu %7llu %10.0f %9.1f %9.1f %9.1f\n", name,
	       (unsigned long long)ops, (unsigned long long)errors,
	       secs > 0 ? (double)ops / secs : 0.0,
	       (double)percentile(hist, ops, 0.50) / 1e3,
	       (double)percentile(hist, ops, 0.99) / 1e3,
	       (double)max_ns / 1e3);
}

int main(int argc, char **argv)
{
	struct options o = {
		.clients = 8,
		.ops = 1000,
		.weight = { 4, 1, 2, 1 },
		.max_errors = 0,
		.max_rss_growth_kb = -1,
		.warmup = -1,
	};
	static uint64_t all_hist[NR_BUCKETS], kind_hist[NR_KINDS][NR_BUCKETS];
	uint64_t ops[NR_KINDS] = { 0 }, errors[NR_KINDS] = { 0 };
	uint64_t max_ns[NR_KINDS] = { 0 }, total_ops = 0, total_errors = 0;
	uint64_t all_max = 0, t0, last_sample = 0;
	long rss_start = -1, rss_warm = -1, rss_peak = -1, rss_end = -1;
	long setup_failures = 0, crashed = 0;
	struct client_result *res;
	pid_t pids[MAX_CLIENTS];
	int go[2], ready[2], alive, status = 0;
	double secs, warmup;
	size_t map_size;

	if (parse_args(argc, argv, &o)) {
		usage(stderr);
		return 2;
	}
	if (!o.rpc_plugin)
		o.rpc_plugin = getenv("VACCEL_RPC_PLUGIN");
	if (!o.rpc_plugin)
		o.rpc_plugin = "libvaccel-rpc.so";
	map_size = sizeof(*res) * (size_t)o.clients;
	res = mmap(NULL, map_size, PROT_READ | PROT_WRITE,
		   MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (res == MAP_FAILED || pipe(go) < 0 || pipe(ready) < 0) {
		perror("vaccel-load");
		return 2;
	}
	/* Clients bootstrap themselves; the generator never loads the
	 * plugin (VACCEL_BOOTSTRAP_ENABLED=0 for them too). */
	setenv("VACCEL_BOOTSTRAP_ENABLED", "0", 1);
	fflush(NULL);
	for (int i = 0; i < o.clients; i++) {
		pids[i] = test_fork();
		if (pids[i] == 0) {
			close(go[1]);
			close(ready[0]);
			_exit(client_main(&o, i, ready[1], go[0], &res[i]));
		}
		if (pids[i] < 0) {
			perror("vaccel-load: fork");
			o.clients = i;
			break;
		}
	}
	close(go[0]);
	close(ready[1]);
	/* Wait until every client is connected (or gave up). */
	for (int n = 0; n < o.clients;) {
		char buf[64];
		ssize_t k = read(ready[0], buf, sizeof(buf));

		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			break;
		n += (int)k;
	}
	close(ready[0]);
	if (o.agent_pid > 0)
		rss_start = rss_peak = rss_kb(o.agent_pid);
	/* Per-thread allocator arenas of the agent grow to their working
	 * size during the first seconds; a leak keeps growing after. */
	warmup = o.warmup >= 0 ? o.warmup :
		 o.duration > 0 ? o.duration / 2 : 0;
	t0 = now_ns();
	close(go[1]);

	/* Wait for the clients, sampling the agent's RSS once a second. */
	alive = o.clients;
	while (alive > 0) {
		int st;
		pid_t p = waitpid(-1, &st, WNOHANG);

		if (p > 0) {
			alive--;
			if (!WIFEXITED(st) || (WEXITSTATUS(st) != 0 &&
					       WEXITSTATUS(st) != 1))
				crashed++;
			continue;
		}
		if (o.agent_pid > 0 && now_ns() - last_sample >= 1000000000u) {
			long kb = rss_kb(o.agent_pid);
			double at = (double)(now_ns() - t0) / 1e9;

			last_sample = now_ns();
			if (kb > rss_peak)
				rss_peak = kb;
			if (rss_warm < 0 && at >= warmup)
				rss_warm = kb;
		}
		usleep(20000);
	}
	secs = (double)(now_ns() - t0) / 1e9;
	if (o.agent_pid > 0) {
		rss_end = rss_kb(o.agent_pid);
		if (rss_warm < 0)
			rss_warm = rss_start;
		if (rss_end > rss_peak)
			rss_peak = rss_end;
	}

	for (int i = 0; i < o.clients; i++) {
		if (res[i].setup_error) {
			setup_failures++;
			fprintf(stderr, "client %d: set-up failed: %s\n", i,
				vaccel_error_name(res[i].setup_error));
		}
		for (int k = 0; k < NR_KINDS; k++) {
			ops[k] += res[i].ops[k];
			errors[k] += res[i].errors[k];
			if (res[i].max_ns[k] > max_ns[k])
				max_ns[k] = res[i].max_ns[k];
			for (unsigned int b = 0; b < NR_BUCKETS; b++) {
				kind_hist[k][b] += res[i].hist[k][b];
				all_hist[b] += res[i].hist[k][b];
			}
		}
	}
	for (int k = 0; k < NR_KINDS; k++) {
		total_ops += ops[k];
		total_errors += errors[k];
		if (max_ns[k] > all_max)
			all_max = max_ns[k];
	}

	printf("vaccel-load: %d clients over %d address(es), %.2f s\n",
	       o.clients, o.nr_addrs, secs);
	printf("%-9s %10s %7s %10s %9s %9s %9s\n", "op", "count", "errors",
	       "ops/s", "p50 us", "p99 us", "max us");
	for (int k = 0; k < NR_KINDS; k++)
		if (ops[k])
			report_row(kind_name[k], kind_hist[k], ops[k],
				   errors[k], max_ns[k], secs);
	report_row("all", all_hist, total_ops, total_errors, all_max, secs);
	if (o.agent_pid > 0)
		printf("agent rss (KiB): start %ld, after %.1f s warm-up %ld, peak %ld, end %ld; growth after warm-up %ld\n",
		       rss_start, warmup, rss_warm, rss_peak, rss_end,
		       rss_peak - rss_warm);

	if (setup_failures || crashed) {
		fprintf(stderr, "vaccel-load: %ld clients failed to start, %ld crashed\n",
			setup_failures, crashed);
		status = 1;
	}
	if ((long)total_errors > o.max_errors) {
		fprintf(stderr, "vaccel-load: %llu ops failed (at most %ld allowed)\n",
			(unsigned long long)total_errors, o.max_errors);
		status = 1;
	}
	if (o.agent_pid > 0 && o.max_rss_growth_kb >= 0 &&
	    rss_peak - rss_warm > o.max_rss_growth_kb) {
		fprintf(stderr, "vaccel-load: agent RSS grew by %ld KiB after warm-up (at most %ld allowed)\n",
			rss_peak - rss_warm, o.max_rss_growth_kb);
		status = 1;
	}
	if (total_ops == 0)
		status = 1;
	munmap(res, map_size);
	for (int i = 0; i < o.nr_tokens; i++)
		free(o.token[i]);
	free(o.token);
	return status;
}
