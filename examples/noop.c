// SPDX-License-Identifier: Apache-2.0
/* noop [iterations]: dispatches the no-op and prints the time it took. */
#include "example_util.h"
#include <stdio.h>
#include <vaccel.h>

int main(int argc, char **argv)
{
	struct vaccel_session sess = { 0 };
	long iterations = 1;
	int ret;

	if (argc > 2) {
		fprintf(stderr, "Usage: %s [iterations]\n", argv[0]);
		return 1;
	}
	if (argc == 2 && (iterations = example_parse_count(argv[1],
							   "iterations")) < 0)
		return 1;

	ret = vaccel_session_init(&sess, 0);
	if (ret) {
		fprintf(stderr, "Could not initialize session: %s\n",
			vaccel_strerror(ret));
		return 1;
	}
	printf("Initialized session with id: %lld\n", (long long)sess.id);

	for (long i = 0; i < iterations; i++) {
		uint64_t t0 = example_now_ns();

		ret = vaccel_noop(&sess);
		if (ret) {
			fprintf(stderr, "noop failed: %s\n",
				vaccel_strerror(ret));
			goto out;
		}
		example_print_iteration(i, iterations, example_now_ns() - t0);
	}
	printf("noop: %ld call(s) OK\n", iterations);
out:
	vaccel_session_release(&sess);
	return ret ? 1 : 0;
}
