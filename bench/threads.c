// SPDX-License-Identifier: Apache-2.0
/*
 * bench-threads: one client process running a TorchScript model from T
 * threads, for bench/threads.py.
 *
 *   bench-threads MODEL SIZE THREADS CALLS [shared]
 *
 * Each thread has its own session (or, with "shared", all use one) with
 * the one model resource registered and loaded; the input is a constant
 * 1x3xSIZExSIZE tensor. When every thread is ready the program prints
 * "ready" and waits for a line on stdin, so that several processes start
 * together; then each thread makes CALLS calls. It prints one line per
 * call, "lat NS", then
 *   "run START_NS END_NS USER_NS SYS_NS"
 * (CLOCK_MONOTONIC of the first call's start and the last call's end, and
 * the process's CPU time over the calls, from getrusage). Each output is
 * compared with the first thread's first one: a mismatch fails the run.
 */
#include <vaccel.h>

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

struct thread {
	pthread_t t;
	struct vaccel_session own, *s;
	uint64_t *lat;
	float first;
	int ret;
};

static struct vaccel_resource model;
static struct vaccel_torch_tensor *input;
static pthread_barrier_t ready, go;
static int calls;
static float reference;
static int have_reference;
static pthread_mutex_t ref_lock = PTHREAD_MUTEX_INITIALIZER;

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static uint64_t tv_ns(struct timeval tv)
{
	return (uint64_t)tv.tv_sec * 1000000000u + (uint64_t)tv.tv_usec * 1000u;
}

static int run_once(struct vaccel_session *s)
{
	struct vaccel_torch_tensor *out = NULL;
	float v;
	int ret = vaccel_torch_model_run(s, &model, NULL, &input, 1, &out, 1);

	if (ret)
		return ret;
	memcpy(&v, out->data, sizeof(v));
	vaccel_torch_tensor_delete(out);
	pthread_mutex_lock(&ref_lock);
	if (!have_reference) {
		reference = v;
		have_reference = 1;
	}
	ret = v == reference ? 0 : VACCEL_EBACKEND;
	pthread_mutex_unlock(&ref_lock);
	if (ret)
		fprintf(stderr, "bench-threads: output %g, first one %g\n", v,
			reference);
	return ret;
}

static void *run(void *arg)
{
	struct thread *t = arg;

	/* One warm-up call per thread: the first run of a model is slow. */
	t->ret = run_once(t->s);
	pthread_barrier_wait(&ready);
	pthread_barrier_wait(&go);
	for (int i = 0; !t->ret && i < calls; i++) {
		uint64_t t0 = now_ns();

		t->ret = run_once(t->s);
		t->lat[i] = now_ns() - t0;
	}
	return NULL;
}

int main(int argc, char **argv)
{
	struct vaccel_session shared;
	struct thread *th;
	struct rusage r0, r1;
	uint64_t start, end;
	int64_t dims[4];
	float *data;
	size_t n;
	int nr, ret = 0;
	char line[16];

	if (argc < 5) {
		fprintf(stderr, "usage: bench-threads MODEL SIZE THREADS CALLS [shared]\n");
		return 2;
	}
	dims[0] = 1;
	dims[1] = 3;
	dims[2] = dims[3] = atoi(argv[2]);
	nr = atoi(argv[3]);
	calls = atoi(argv[4]);
	n = (size_t)(3 * dims[2] * dims[3]);
	data = malloc(n * sizeof(*data));
	th = calloc((size_t)nr, sizeof(*th));
	if (!data || !th || nr < 1 || calls < 1)
		return 2;
	for (size_t i = 0; i < n; i++)
		data[i] = (float)(i % 255) / 255.0f;
	if (vaccel_torch_tensor_new(&input, 4, dims, VACCEL_TORCH_FLOAT) ||
	    vaccel_torch_tensor_set_data(input, data, n * sizeof(*data)) ||
	    vaccel_resource_init(&model, argv[1], VACCEL_RESOURCE_MODEL))
		return 1;
	if (argc > 5 && (vaccel_session_init(&shared, 0) ||
			 vaccel_resource_register(&model, &shared) ||
			 vaccel_torch_model_load(&shared, &model)))
		return 1;
	for (int i = 0; i < nr; i++) {
		th[i].lat = calloc((size_t)calls, sizeof(uint64_t));
		th[i].s = argc > 5 ? &shared : &th[i].own;
		if (!th[i].lat)
			return 1;
		if (argc <= 5 && (vaccel_session_init(&th[i].own, 0) ||
				  vaccel_resource_register(&model, &th[i].own) ||
				  vaccel_torch_model_load(&th[i].own, &model)))
			return 1;
	}
	pthread_barrier_init(&ready, NULL, (unsigned)nr + 1);
	pthread_barrier_init(&go, NULL, (unsigned)nr + 1);
	for (int i = 0; i < nr; i++)
		if (pthread_create(&th[i].t, NULL, run, &th[i]))
			return 1;
	pthread_barrier_wait(&ready);
	printf("ready\n");
	fflush(stdout);
	if (!fgets(line, sizeof(line), stdin))
		return 1;
	getrusage(RUSAGE_SELF, &r0);
	start = now_ns();
	pthread_barrier_wait(&go);
	for (int i = 0; i < nr; i++) {
		pthread_join(th[i].t, NULL);
		if (th[i].ret) {
			fprintf(stderr, "bench-threads: thread %d: %s\n", i,
				vaccel_last_error_message());
			ret = 1;
		}
	}
	end = now_ns();
	getrusage(RUSAGE_SELF, &r1);
	for (int i = 0; i < nr; i++)
		for (int k = 0; k < calls; k++)
			printf("lat %llu\n", (unsigned long long)th[i].lat[k]);
	printf("run %llu %llu %llu %llu\n", (unsigned long long)start,
	       (unsigned long long)end,
	       (unsigned long long)(tv_ns(r1.ru_utime) - tv_ns(r0.ru_utime)),
	       (unsigned long long)(tv_ns(r1.ru_stime) - tv_ns(r0.ru_stime)));
	for (int i = 0; i < nr; i++) {
		if (argc <= 5) {
			vaccel_resource_unregister(&model, &th[i].own);
			vaccel_session_release(&th[i].own);
		}
		free(th[i].lat);
	}
	if (argc > 5) {
		vaccel_resource_unregister(&model, &shared);
		vaccel_session_release(&shared);
	}
	vaccel_resource_release(&model);
	vaccel_torch_tensor_delete(input);
	free(data);
	free(th);
	return ret;
}
