// SPDX-License-Identifier: Apache-2.0
/*
 * bench-dispatch: the cost of dispatching an op. Times vaccel_noop() through
 * the noop plugin against a direct call of an equivalent function through a
 * function pointer, as the median over 11 runs of 10^6 calls each, and
 * prints both in ns per call with their difference.
 *
 *   bench-dispatch [noop_plugin_path]
 *
 * The plugin path defaults to VACCEL_PLUGINS, then to the build tree's
 * libvaccel-noop.so. Logging and profiling stay compiled in but disabled
 * (unless the environment enables them), which is the case the 30 ns
 * target is about.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <vaccel.h>

#define RUNS 11
#define CALLS 1000000

#ifndef BENCH_NOOP_PLUGIN
#define BENCH_NOOP_PLUGIN "libvaccel-noop.so"
#endif

/* What the noop plugin's op does, called directly. noinline keeps the
 * compiler from folding the baseline loop away. */
__attribute__((noinline)) static int direct_noop(struct vaccel_session *sess)
{
	__asm__ volatile("" : : "r"(sess) : "memory");
	return VACCEL_OK;
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* The CPU model from /proc/cpuinfo, or "unknown". */
static void cpu_model(char *buf, size_t size)
{
	char line[512];
	FILE *f = fopen("/proc/cpuinfo", "r");

	snprintf(buf, size, "unknown");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		char *colon = strchr(line, ':');

		if (strncmp(line, "model name", 10) == 0 && colon) {
			colon += 1 + strspn(colon + 1, " \t");
			colon[strcspn(colon, "\n")] = '\0';
			snprintf(buf, size, "%s", colon);
			break;
		}
	}
	fclose(f);
}

/* Median ns per call of `fn` over RUNS runs; -1 if a call fails. */
static double measure(int (*fn)(struct vaccel_session *),
		      struct vaccel_session *sess)
{
	double per_call[RUNS];

	for (int r = 0; r < RUNS; r++) {
		uint64_t t0 = now_ns();

		for (int i = 0; i < CALLS; i++) {
			if (__builtin_expect(fn(sess) != VACCEL_OK, 0))
				return -1;
		}
		per_call[r] = (double)(now_ns() - t0) / CALLS;
	}
	qsort(per_call, RUNS, sizeof(per_call[0]), cmp_double);
	return per_call[RUNS / 2];
}

int main(int argc, char **argv)
{
	struct vaccel_session sess = { 0 };
	struct vaccel_config cfg = { 0 };
	int (*volatile direct)(struct vaccel_session *) = direct_noop;
	const char *plugin = getenv("VACCEL_PLUGINS");
	double t_vaccel, t_direct;
	char cpu[256];
	int ret;

	if (argc > 2) {
		fprintf(stderr, "Usage: %s [noop_plugin_path]\n", argv[0]);
		return 1;
	}
	if (argc == 2)
		plugin = argv[1];
	if (!plugin || !plugin[0])
		plugin = BENCH_NOOP_PLUGIN;

	/* Re-bootstrap with only the noop plugin, keeping the environment's
	 * log level and profiling switch. */
	ret = vaccel_config_init_from_env(&cfg);
	if (!ret) {
		free(cfg.plugins);
		cfg.plugins = strdup(plugin);
		ret = cfg.plugins ? vaccel_bootstrap_with_config(&cfg) :
				    VACCEL_ENOMEM;
	}
	vaccel_config_release(&cfg);
	if (ret) {
		fprintf(stderr, "Could not load %s: %s\n", plugin,
			vaccel_strerror(ret));
		return 1;
	}
	ret = vaccel_session_init(&sess, 0);
	if (ret) {
		fprintf(stderr, "Could not initialize session: %s\n",
			vaccel_strerror(ret));
		return 1;
	}

	/* Warm both paths up before timing. */
	measure(vaccel_noop, &sess);
	t_vaccel = measure(vaccel_noop, &sess);
	t_direct = measure(direct, &sess);
	vaccel_session_release(&sess);
	if (t_vaccel < 0 || t_direct < 0) {
		fprintf(stderr, "A call failed while timing\n");
		return 1;
	}

	cpu_model(cpu, sizeof(cpu));
	printf("machine: %s\n", cpu);
	printf("plugin: %s\n", plugin);
	printf("median of %d runs of %d calls each\n", RUNS, CALLS);
	printf("vaccel_noop:     %.2f ns/call\n", t_vaccel);
	printf("direct call:     %.2f ns/call\n", t_direct);
	printf("dispatch cost:   %.2f ns/call\n", t_vaccel - t_direct);
	return 0;
}
