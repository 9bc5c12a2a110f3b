// SPDX-License-Identifier: Apache-2.0
/*
 * exec <lib_file> [iterations]: runs mytestfunc from <lib_file> through
 * vaccel_exec with one INT32 input and prints the doubled result.
 */
#include "example_util.h"
#include <stdio.h>
#include <vaccel.h>

int main(int argc, char **argv)
{
	struct vaccel_session sess = { 0 };
	int32_t input = 10, output = 0;
	struct vaccel_arg read[1] = { { .buf = &input,
					.size = sizeof(input),
					.type = VACCEL_ARG_INT32 } };
	struct vaccel_arg write[1] = { { .buf = &output,
					 .size = sizeof(output),
					 .type = VACCEL_ARG_INT32 } };
	long iterations = 1;
	int ret;

	if (argc < 2 || argc > 3) {
		fprintf(stderr, "Usage: %s <lib_file> [iterations]\n", argv[0]);
		return 1;
	}
	if (argc == 3 && (iterations = example_parse_count(argv[2],
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

		ret = vaccel_exec(&sess, argv[1], "mytestfunc", read, 1, write,
				  1);
		if (ret) {
			fprintf(stderr, "exec failed: %s\n",
				vaccel_strerror(ret));
			goto out;
		}
		example_print_iteration(i, iterations, example_now_ns() - t0);
	}
	printf("exec: mytestfunc(%d) = %d\n", input, output);
out:
	vaccel_session_release(&sess);
	return ret ? 1 : 0;
}
