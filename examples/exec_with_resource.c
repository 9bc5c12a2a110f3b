// SPDX-License-Identifier: Apache-2.0
/*
 * exec_with_resource <lib_file> [iterations]: registers <lib_file> as a LIB
 * resource twice, once from its path and once from its bytes in memory,
 * and runs mytestfunc from each with vaccel_exec_with_resource.
 */
#include "example_util.h"
#include <stdio.h>
#include <stdlib.h>
#include <vaccel.h>

static int run(struct vaccel_session *sess, struct vaccel_resource *res,
	       const char *label, long iterations)
{
	int32_t input = 10, output = 0;
	struct vaccel_arg read[1] = { { .buf = &input,
					.size = sizeof(input),
					.type = VACCEL_ARG_INT32 } };
	struct vaccel_arg write[1] = { { .buf = &output,
					 .size = sizeof(output),
					 .type = VACCEL_ARG_INT32 } };
	int ret;

	ret = vaccel_resource_register(res, sess);
	if (ret) {
		fprintf(stderr, "Could not register %s resource: %s\n", label,
			vaccel_strerror(ret));
		return ret;
	}
	for (long i = 0; i < iterations; i++) {
		uint64_t t0 = example_now_ns();

		ret = vaccel_exec_with_resource(sess, res, "mytestfunc", read,
						1, write, 1);
		if (ret) {
			fprintf(stderr, "exec_with_resource (%s) failed: %s\n",
				label, vaccel_strerror(ret));
			break;
		}
		example_print_iteration(i, iterations, example_now_ns() - t0);
	}
	if (!ret)
		printf("exec_with_resource (%s): mytestfunc(%d) = %d\n", label,
		       input, output);
	if (vaccel_resource_unregister(res, sess) && !ret)
		ret = VACCEL_EIO;
	return ret;
}

int main(int argc, char **argv)
{
	struct vaccel_session sess = { 0 };
	struct vaccel_resource from_file = { 0 }, from_buf = { 0 };
	unsigned char *buf = NULL;
	size_t len = 0;
	long iterations = 1;
	int ret;

	if (argc < 2 || argc > 3) {
		fprintf(stderr, "Usage: %s <lib_file> [iterations]\n", argv[0]);
		return 1;
	}
	if (argc == 3 && (iterations = example_parse_count(argv[2],
							   "iterations")) < 0)
		return 1;
	if (example_read_file(argv[1], &buf, &len))
		return 1;

	ret = vaccel_session_init(&sess, 0);
	if (ret) {
		fprintf(stderr, "Could not initialize session: %s\n",
			vaccel_strerror(ret));
		goto free_buf;
	}
	printf("Initialized session with id: %lld\n", (long long)sess.id);

	ret = vaccel_resource_init(&from_file, argv[1], VACCEL_RESOURCE_LIB);
	if (ret) {
		fprintf(stderr, "Could not create resource from %s: %s\n",
			argv[1], vaccel_strerror(ret));
		goto release_sess;
	}
	ret = run(&sess, &from_file, "file", iterations);
	if (ret)
		goto release_file;

	ret = vaccel_resource_init_from_buf(&from_buf, buf, len,
					    VACCEL_RESOURCE_LIB,
					    "libmytestlib.so", false);
	if (ret) {
		fprintf(stderr, "Could not create resource from buffer: %s\n",
			vaccel_strerror(ret));
		goto release_file;
	}
	ret = run(&sess, &from_buf, "buffer", iterations);
	vaccel_resource_release(&from_buf);
release_file:
	vaccel_resource_release(&from_file);
release_sess:
	vaccel_session_release(&sess);
free_buf:
	free(buf);
	return ret ? 1 : 0;
}
