// SPDX-License-Identifier: Apache-2.0
/*
 * minmax [ndata] [iterations]: min and max of ndata (default 2048)
 * generated doubles, with the values clamped to [10, 90] into outdata.
 */
#include "example_util.h"
#include <stdio.h>
#include <stdlib.h>
#include <vaccel.h>

int main(int argc, char **argv)
{
	struct vaccel_session sess = { 0 };
	double *in = NULL, *out = NULL, min = 0, max = 0;
	long ndata = 2048, iterations = 1;
	int ret = 1;

	if (argc > 3) {
		fprintf(stderr, "Usage: %s [ndata] [iterations]\n", argv[0]);
		return 1;
	}
	if (argc >= 2 && ((ndata = example_parse_count(argv[1], "ndata")) < 0 ||
			  ndata > 1 << 24))
		return 1;
	if (argc == 3 && (iterations = example_parse_count(argv[2],
							   "iterations")) < 0)
		return 1;

	in = malloc((size_t)ndata * sizeof(*in));
	out = malloc((size_t)ndata * sizeof(*out));
	if (!in || !out) {
		fprintf(stderr, "No memory for %ld doubles\n", ndata);
		goto free_bufs;
	}
	/* A fixed pseudo-random sequence in [-12.5, 112.4]. */
	for (long i = 0; i < ndata; i++)
		in[i] = (double)((i * 7919) % 1250) / 10.0 - 12.5;

	ret = vaccel_session_init(&sess, 0);
	if (ret) {
		fprintf(stderr, "Could not initialize session: %s\n",
			vaccel_strerror(ret));
		goto free_bufs;
	}
	printf("Initialized session with id: %lld\n", (long long)sess.id);

	for (long i = 0; i < iterations; i++) {
		uint64_t t0 = example_now_ns();

		ret = vaccel_minmax(&sess, in, (int)ndata, 10, 90, out, &min,
				    &max);
		if (ret) {
			fprintf(stderr, "minmax failed: %s\n",
				vaccel_strerror(ret));
			goto out;
		}
		example_print_iteration(i, iterations, example_now_ns() - t0);
	}
	printf("minmax: min=%g max=%g\n", min, max);
out:
	vaccel_session_release(&sess);
free_bufs:
	free(in);
	free(out);
	return ret ? 1 : 0;
}
