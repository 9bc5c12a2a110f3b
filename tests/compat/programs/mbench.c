// SPDX-License-Identifier: Apache-2.0
/*
 * mbench <time_ms> <lib_file>: as upstream's mbench example, asks the
 * mbench plugin to busy-wait time_ms milliseconds (an exec of the symbol
 * "mbench" from lib_file) and prints whether the call succeeded. The
 * mbench plugin opens no library, so an agent's exec policy has nothing to
 * say about it.
 */
#include <stdio.h>
#include <vaccel.h>

int main(int argc, char **argv)
{
	struct vaccel_session sess;
	struct vaccel_arg_array read;
	int ret;

	if (argc != 3) {
		fprintf(stderr, "usage: %s <time_ms> <lib_file>\n", argv[0]);
		return 1;
	}
	ret = vaccel_session_init(&sess, 0);
	if (ret) {
		printf("session_init: error %d\n", ret);
		return 1;
	}
	vaccel_arg_array_init(&read, 1);
	vaccel_arg_array_add_string(&read, argv[1]);
	ret = vaccel_exec(&sess, argv[2], "mbench", read.args, read.count,
			  NULL, 0);
	printf("mbench %s ms: %s\n", argv[1], ret ? "error" : "ok");
	if (ret)
		printf("mbench: error %d\n", ret);
	vaccel_arg_array_release(&read);
	vaccel_session_release(&sess);
	return ret ? 1 : 0;
}
