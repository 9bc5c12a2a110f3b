// SPDX-License-Identifier: Apache-2.0
/*
 * The command loop shared by the benchmark workers (see bench_worker.h).
 */
#include "bench_worker.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define BW_LINE_MAX 4096
/* A block larger than this is refused rather than allocated. */
#define BW_MAX_BLOCK 1000000L

uint64_t bw_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

int bw_read_file(const char *path, char **buf, size_t *len, char *err,
		 size_t err_len)
{
	FILE *f = fopen(path, "rb");
	long n;
	int ret = -1;

	*buf = NULL;
	if (!f) {
		snprintf(err, err_len, "cannot open %s: %s", path,
			 strerror(errno));
		return -1;
	}
	if (fseek(f, 0, SEEK_END) || (n = ftell(f)) <= 0 ||
	    fseek(f, 0, SEEK_SET)) {
		snprintf(err, err_len, "cannot size %s (empty?)", path);
		goto out;
	}
	*buf = malloc((size_t)n);
	if (!*buf) {
		snprintf(err, err_len, "no memory for %ld bytes of %s", n,
			 path);
		goto out;
	}
	if (fread(*buf, 1, (size_t)n, f) != (size_t)n) {
		snprintf(err, err_len, "short read of %s", path);
		free(*buf);
		*buf = NULL;
		goto out;
	}
	*len = (size_t)n;
	ret = 0;
out:
	fclose(f);
	return ret;
}

/* "run K": K iterations into an array, printed once the block is over. */
static void run_block(const char *name, const struct bw_ops *ops, void *ctx,
		      long k)
{
	struct bw_sample *s;
	char err[512] = "";
	long i;

	if (!ops->iterate) {
		printf("err %s: nothing to run\n", name);
		return;
	}
	if (k < 1 || k > BW_MAX_BLOCK) {
		printf("err %s: block size %ld not in 1..%ld\n", name, k,
		       BW_MAX_BLOCK);
		return;
	}
	s = calloc((size_t)k, sizeof(*s));
	if (!s) {
		printf("err %s: no memory for a block of %ld\n", name, k);
		return;
	}
	for (i = 0; i < k; i++) {
		s[i] = (struct bw_sample){ -1, -1, -1 };
		if (ops->iterate(ctx, &s[i], err, sizeof(err)))
			break;
	}
	if (i < k) {
		printf("err %s: iteration %ld of %ld: %s\n", name, i + 1, k,
		       err);
	} else {
		for (i = 0; i < k; i++)
			printf("it %lld %lld %lld\n", (long long)s[i].e2e,
			       (long long)s[i].plugin,
			       (long long)s[i].transport);
		printf("done\n");
	}
	free(s);
}

static void answer_load(int ret, uint64_t load_ns, const char *err)
{
	if (ret)
		printf("err %s\n", err);
	else
		printf("ok load_ns=%llu\n", (unsigned long long)load_ns);
}

int bw_main(const char *name, const struct bw_ops *ops, void *ctx)
{
	char line[BW_LINE_MAX], a[BW_LINE_MAX], b[BW_LINE_MAX];
	char err[1024], extra[1024];

	while (fgets(line, sizeof(line), stdin)) {
		uint64_t load_ns = 0;
		long n = 0;
		int size = 0, ret;

		line[strcspn(line, "\r\n")] = '\0';
		err[0] = '\0';
		if (sscanf(line, "run %ld", &n) == 1) {
			run_block(name, ops, ctx, n);
		} else if (sscanf(line, "torch %4095s %d %4095s", a, &size,
				  b) == 3) {
			if (!ops->torch) {
				printf("err %s: unsupported\n", name);
			} else {
				ret = ops->torch(ctx, a, size, b, &load_ns,
						 err, sizeof(err));
				answer_load(ret, load_ns, err);
			}
		} else if (sscanf(line, "classify %4095s %4095s", a, b) == 2) {
			if (!ops->classify) {
				printf("err %s: unsupported\n", name);
			} else {
				ret = ops->classify(ctx, a, b, &load_ns, err,
						    sizeof(err));
				answer_load(ret, load_ns, err);
			}
		} else if (sscanf(line, "exec %4095s %ld", a, &n) == 2) {
			if (!ops->exec || n < 0)
				printf("err %s: unsupported\n", name);
			else if (ops->exec(ctx, a, (size_t)n, err,
					   sizeof(err)))
				printf("err %s\n", err);
			else
				printf("ok\n");
		} else if (strcmp(line, "unload") == 0) {
			if (ops->unload)
				ops->unload(ctx);
			printf("ok\n");
		} else if (strcmp(line, "info") == 0) {
			extra[0] = '\0';
			if (ops->info)
				ops->info(ctx, extra, sizeof(extra));
			printf("info worker=%s pid=%d %s\nok\n", name,
			       (int)getpid(), extra);
		} else if (strcmp(line, "quit") == 0) {
			break;
		} else {
			printf("err %s: unknown command '%s'\n", name, line);
		}
		fflush(stdout);
	}
	if (ops->unload)
		ops->unload(ctx);
	return 0;
}
