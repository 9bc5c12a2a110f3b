// SPDX-License-Identifier: Apache-2.0
/*
 * exec_generic <lib_file> [iterations]: the exec example through
 * vaccel_genop. read = [UINT8 op, STRING library, STRING symbol, INT32
 * input], write = [INT32 output].
 */
#include "example_util.h"
#include <stdio.h>
#include <string.h>
#include <vaccel.h>

int main(int argc, char **argv)
{
	struct vaccel_session sess = { 0 };
	uint8_t op = VACCEL_OP_EXEC;
	char symbol[] = "mytestfunc";
	int32_t input = 10, output = 0;
	long iterations = 1;
	int ret;

	if (argc < 2 || argc > 3) {
		fprintf(stderr, "Usage: %s <lib_file> [iterations]\n", argv[0]);
		return 1;
	}
	if (argc == 3 && (iterations = example_parse_count(argv[2],
							   "iterations")) < 0)
		return 1;

	struct vaccel_arg read[4] = {
		{ .buf = &op, .size = sizeof(op), .type = VACCEL_ARG_UINT8 },
		{ .buf = argv[1], .size = strlen(argv[1]) + 1,
		  .type = VACCEL_ARG_STRING },
		{ .buf = symbol, .size = sizeof(symbol),
		  .type = VACCEL_ARG_STRING },
		{ .buf = &input, .size = sizeof(input),
		  .type = VACCEL_ARG_INT32 },
	};
	struct vaccel_arg write[1] = { { .buf = &output,
					 .size = sizeof(output),
					 .type = VACCEL_ARG_INT32 } };

	ret = vaccel_session_init(&sess, 0);
	if (ret) {
		fprintf(stderr, "Could not initialize session: %s\n",
			vaccel_strerror(ret));
		return 1;
	}
	printf("Initialized session with id: %lld\n", (long long)sess.id);

	for (long i = 0; i < iterations; i++) {
		uint64_t t0 = example_now_ns();

		ret = vaccel_genop(&sess, read, 4, write, 1);
		if (ret) {
			fprintf(stderr, "genop exec failed: %s\n",
				vaccel_strerror(ret));
			goto out;
		}
		example_print_iteration(i, iterations, example_now_ns() - t0);
	}
	printf("exec_generic: mytestfunc(%d) = %d\n", input, output);
out:
	vaccel_session_release(&sess);
	return ret ? 1 : 0;
}
