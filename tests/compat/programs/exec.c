// SPDX-License-Identifier: Apache-2.0
/*
 * exec <lib_file>: runs the functions of libcompatlib.so with vaccel_exec
 * and vaccel_genop, the way upstream's exec examples do, and prints each
 * result from the program's own variables next to what the program
 * computed itself ("ok" or "WRONG").
 */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <vaccel.h>

static int failures;

static void report(const char *what, int ret, long long got, long long want)
{
	if (ret) {
		printf("%s: error %d\n", what, ret);
		failures++;
		return;
	}
	printf("%s: %lld %s\n", what, got, got == want ? "ok" : "WRONG");
	if (got != want)
		failures++;
}

int main(int argc, char **argv)
{
	struct vaccel_session sess;
	struct vaccel_arg_array read, write;
	int32_t input = 21, output = 0;
	int32_t in_vec[4] = { 1, -2, 30, 400 }, out_vec[4] = { 0 };
	int64_t add = 5, total = 100;
	char text[] = "Hello, vAccel", shout[32] = { 0 };
	uint64_t len = 0;
	uint8_t op = VACCEL_OP_EXEC;
	char symbol[] = "mytestfunc";
	int ret;

	if (argc != 2) {
		fprintf(stderr, "Usage: %s <lib_file>\n", argv[0]);
		return 1;
	}
	ret = vaccel_session_init(&sess, 0);
	if (ret) {
		fprintf(stderr, "Could not initialize session: %d\n", ret);
		return 1;
	}

	/* Typed scalars: the write arg is the program's own `output`. */
	vaccel_arg_array_init(&read, 1);
	vaccel_arg_array_init(&write, 1);
	vaccel_arg_array_add_int32(&read, &input);
	vaccel_arg_array_add_int32(&write, &output);
	ret = vaccel_exec(&sess, argv[1], "mytestfunc", read.args, read.count,
			  write.args, write.count);
	report("exec add_int32 mytestfunc(21)", ret, output, 2 * input);

	/* The same through genop: read[0] is the op type. */
	output = 0;
	vaccel_arg_array_clear(&read);
	vaccel_arg_array_add_uint8(&read, &op);
	vaccel_arg_array_add_string(&read, argv[1]);
	vaccel_arg_array_add_string(&read, symbol);
	vaccel_arg_array_add_int32(&read, &input);
	ret = vaccel_genop(&sess, read.args, (int)read.count, write.args,
			   (int)write.count);
	report("genop exec mytestfunc(21)", ret, output, 2 * input);
	vaccel_arg_array_release(&read);
	vaccel_arg_array_release(&write);

	/* Plain struct vaccel_arg lists, as older programs build them. */
	{
		struct vaccel_arg r[] = { { .buf = &input,
					    .size = sizeof(input),
					    .type = VACCEL_ARG_INT32 } };
		struct vaccel_arg w[] = { { .buf = &output,
					    .size = sizeof(output),
					    .type = VACCEL_ARG_INT32 } };

		input = -7;
		output = 0;
		ret = vaccel_exec(&sess, argv[1], "mytestfunc", r, 1, w, 1);
		report("exec struct args mytestfunc(-7)", ret, output,
		       2 * input);
	}

	/* Borrowed arrays. */
	vaccel_arg_array_init(&read, 1);
	vaccel_arg_array_init(&write, 1);
	vaccel_arg_array_add_int32_array(&read, in_vec, 4);
	vaccel_arg_array_add_int32_array(&write, out_vec, 4);
	ret = vaccel_exec(&sess, argv[1], "double_array", read.args,
			  read.count, write.args, write.count);
	for (int i = 0; i < 4; i++) {
		char what[64];

		snprintf(what, sizeof(what), "exec double_array[%d]", i);
		report(what, ret, out_vec[i], 2 * in_vec[i]);
	}
	vaccel_arg_array_release(&read);
	vaccel_arg_array_release(&write);

	/* A function that reads its write argument: 100 + 5. */
	vaccel_arg_array_init(&read, 1);
	vaccel_arg_array_init(&write, 1);
	vaccel_arg_array_add_int64(&read, &add);
	vaccel_arg_array_add_int64(&write, &total);
	ret = vaccel_exec(&sess, argv[1], "accumulate", read.args, read.count,
			  write.args, write.count);
	report("exec accumulate 100+5", ret, total, 105);
	vaccel_arg_array_release(&read);
	vaccel_arg_array_release(&write);

	/* A string in, a buffer and a scalar out. */
	vaccel_arg_array_init(&read, 1);
	vaccel_arg_array_init(&write, 2);
	vaccel_arg_array_add_string(&read, text);
	vaccel_arg_array_add_buffer(&write, shout, sizeof(shout));
	vaccel_arg_array_add_uint64(&write, &len);
	ret = vaccel_exec(&sess, argv[1], "upper", read.args, read.count,
			  write.args, write.count);
	report("exec upper length", ret, (long long)len,
	       (long long)strlen(text));
	printf("exec upper: \"%s\" %s\n", shout,
	       strcmp(shout, "HELLO, VACCEL") == 0 ? "ok" : "WRONG");
	if (strcmp(shout, "HELLO, VACCEL") != 0)
		failures++;
	vaccel_arg_array_release(&read);
	vaccel_arg_array_release(&write);

	/* A symbol the library lacks. */
	{
		struct vaccel_arg r[] = { { .buf = &input,
					    .size = sizeof(input),
					    .type = VACCEL_ARG_INT32 } };

		ret = vaccel_exec(&sess, argv[1], "no_such_function", r, 1,
				  NULL, 0);
		printf("exec no_such_function: error %d %s\n", ret,
		       ret ? "ok" : "WRONG (succeeded)");
		if (!ret)
			failures++;
	}

	vaccel_session_release(&sess);
	return failures ? 1 : 0;
}
