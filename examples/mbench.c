// SPDX-License-Identifier: Apache-2.0
/*
 * mbench <time_ms> <lib_file> [iterations]: asks the mbench plugin to
 * busy-wait time_ms milliseconds (vaccel_exec of symbol "mbench") and
 * prints how long each call took end to end.
 */
#include "example_util.h"
#include <stdio.h>
#include <string.h>
#include <vaccel.h>

int main(int argc, char **argv)
{
	struct vaccel_session sess = { 0 };
	long iterations = 1;
	uint64_t total = 0;
	int ret;

	if (argc < 3 || argc > 4) {
		fprintf(stderr, "Usage: %s <time_ms> <lib_file> [iterations]\n",
			argv[0]);
		return 1;
	}
	if (example_parse_count(argv[1], "time_ms") < 0)
		return 1;
	if (argc == 4 && (iterations = example_parse_count(argv[3],
							   "iterations")) < 0)
		return 1;

	struct vaccel_arg read[1] = { { .buf = argv[1],
					.size = strlen(argv[1]) + 1,
					.type = VACCEL_ARG_STRING } };

	ret = vaccel_session_init(&sess, 0);
	if (ret) {
		fprintf(stderr, "Could not initialize session: %s\n",
			vaccel_strerror(ret));
		return 1;
	}
	printf("Initialized session with id: %lld\n", (long long)sess.id);

	for (long i = 0; i < iterations; i++) {
		uint64_t t0 = example_now_ns(), dt;

		ret = vaccel_exec(&sess, argv[2], "mbench", read, 1, NULL, 0);
		if (ret) {
			fprintf(stderr, "mbench failed: %s\n",
				vaccel_strerror(ret));
			goto out;
		}
		dt = example_now_ns() - t0;
		total += dt;
		example_print_iteration(i, iterations, dt);
	}
	printf("mbench: %ld x %s ms, mean %.3f ms per call\n", iterations,
	       argv[1], (double)total / (double)iterations / 1e6);
out:
	vaccel_session_release(&sess);
	return ret ? 1 : 0;
}
