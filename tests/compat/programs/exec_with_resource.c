// SPDX-License-Identifier: Apache-2.0
/*
 * exec_with_resource <lib_file>: registers <lib_file> as a LIB resource
 * made from the file, from its bytes in memory (persisted and in memory
 * only) and as a one-file multi resource, runs mytestfunc from each with
 * vaccel_exec_with_resource (and once through genop) and prints the
 * results from the program's own variables.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include "util.h"
#include <vaccel.h>

static int failures;

static int run(struct vaccel_session *sess, struct vaccel_resource *res,
	       const char *label)
{
	struct vaccel_arg_array read, write;
	int32_t input = 10, output = 0;
	int ret;

	ret = vaccel_resource_register(res, sess);
	if (ret) {
		printf("%s: register: error %d\n", label, ret);
		failures++;
		return ret;
	}
	vaccel_arg_array_init(&read, 1);
	vaccel_arg_array_init(&write, 1);
	vaccel_arg_array_add_int32(&read, &input);
	vaccel_arg_array_add_int32(&write, &output);
	ret = vaccel_exec_with_resource(sess, res, "mytestfunc", read.args,
					read.count, write.args, write.count);
	if (ret) {
		printf("%s: error %d\n", label, ret);
		failures++;
	} else {
		printf("%s: mytestfunc(%d) = %d %s\n", label, input, output,
		       output == 2 * input ? "ok" : "WRONG");
		failures += output != 2 * input;
	}
	vaccel_arg_array_release(&read);
	vaccel_arg_array_release(&write);
	vaccel_resource_unregister(res, sess);
	return ret;
}

/* genop form: read = [op, INT64 resource id, symbol, input]. */
static void run_genop(struct vaccel_session *sess, struct vaccel_resource *res)
{
	uint8_t op = VACCEL_OP_EXEC_WITH_RESOURCE;
	int64_t id = res->id;
	int32_t input = 11, output = 0;
	char symbol[] = "mytestfunc";
	struct vaccel_arg_array read, write;
	int ret;

	if (vaccel_resource_register(res, sess))
		return;
	vaccel_arg_array_init(&read, 4);
	vaccel_arg_array_init(&write, 1);
	vaccel_arg_array_add_uint8(&read, &op);
	vaccel_arg_array_add_int64(&read, &id);
	vaccel_arg_array_add_string(&read, symbol);
	vaccel_arg_array_add_int32(&read, &input);
	vaccel_arg_array_add_int32(&write, &output);
	ret = vaccel_genop(sess, read.args, (int)read.count, write.args,
			   (int)write.count);
	if (ret) {
		printf("genop exec_with_resource: error %d\n", ret);
		failures++;
	} else {
		printf("genop exec_with_resource: mytestfunc(%d) = %d %s\n",
		       input, output, output == 2 * input ? "ok" : "WRONG");
		failures += output != 2 * input;
	}
	vaccel_arg_array_release(&read);
	vaccel_arg_array_release(&write);
	vaccel_resource_unregister(res, sess);
}

int main(int argc, char **argv)
{
	struct vaccel_session sess;
	struct vaccel_resource from_file, from_buf, in_memory, multi;
	const char *paths[1];
	unsigned char *bytes;
	size_t len = 0;
	int ret;

	if (argc != 2) {
		fprintf(stderr, "Usage: %s <lib_file>\n", argv[0]);
		return 1;
	}
	bytes = util_read_file(argv[1], &len);
	if (!bytes) {
		fprintf(stderr, "Could not read %s\n", argv[1]);
		return 1;
	}
	ret = vaccel_session_init(&sess, 0);
	if (ret) {
		fprintf(stderr, "Could not initialize session: %d\n", ret);
		return 1;
	}
	paths[0] = argv[1];
	if (vaccel_resource_init(&from_file, argv[1], VACCEL_RESOURCE_LIB) ||
	    vaccel_resource_init_from_buf(&from_buf, bytes, len,
					  VACCEL_RESOURCE_LIB, "lib.so",
					  false) ||
	    vaccel_resource_init_from_buf(&in_memory, bytes, len,
					  VACCEL_RESOURCE_LIB, "lib.so",
					  true) ||
	    vaccel_resource_init_multi(&multi, paths, 1,
				       VACCEL_RESOURCE_LIB)) {
		fprintf(stderr, "Could not create the resources\n");
		return 1;
	}
	run(&sess, &from_file, "exec_with_resource (file)");
	run(&sess, &from_buf, "exec_with_resource (buffer)");
	run(&sess, &in_memory, "exec_with_resource (memory only)");
	run(&sess, &multi, "exec_with_resource (multi)");
	run_genop(&sess, &from_file);
	vaccel_resource_release(&from_file);
	vaccel_resource_release(&from_buf);
	vaccel_resource_release(&in_memory);
	vaccel_resource_release(&multi);
	vaccel_session_release(&sess);
	free(bytes);
	return failures ? 1 : 0;
}
