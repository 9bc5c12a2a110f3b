// SPDX-License-Identifier: Apache-2.0
/*
 * sessions <lib_file>: creates sessions with the flags upstream programs
 * pass (no hint, VACCEL_PLUGIN_DEBUG, a type no plugin has, REMOTE) and
 * runs mytestfunc(21) and a noop on each. What each session returns
 * depends on the plugin the hint picked: the exec plugin doubles (42),
 * the noop plugin copies its input (21). One session uses upstream's old
 * names (vaccel_sess_init / _has_resource / _free).
 */
#include <stdint.h>
#include <stdio.h>
#include <vaccel.h>

static void try_session(const char *name, uint32_t flags, const char *lib)
{
	struct vaccel_session sess;
	struct vaccel_arg_array read, write;
	int32_t input = 21, output = 0;
	int ret;

	ret = vaccel_session_init(&sess, flags);
	if (ret) {
		printf("%s: session_init: error %d\n", name, ret);
		return;
	}
	printf("%s: hint 0x%x\n", name, sess.hint);
	vaccel_arg_array_init(&read, 1);
	vaccel_arg_array_init(&write, 1);
	vaccel_arg_array_add_int32(&read, &input);
	vaccel_arg_array_add_int32(&write, &output);
	ret = vaccel_exec(&sess, lib, "mytestfunc", read.args, read.count,
			  write.args, write.count);
	if (ret)
		printf("%s: exec: error %d\n", name, ret);
	else
		printf("%s: exec mytestfunc(21) = %d\n", name, output);
	printf("%s: noop: %d\n", name, vaccel_noop(&sess));
	vaccel_arg_array_release(&read);
	vaccel_arg_array_release(&write);
	vaccel_session_release(&sess);
}

int main(int argc, char **argv)
{
	struct vaccel_session old;
	struct vaccel_resource res;
	int ret;

	if (argc != 2) {
		fprintf(stderr, "Usage: %s <lib_file>\n", argv[0]);
		return 1;
	}
	try_session("no hint", 0, argv[1]);
	try_session("DEBUG", VACCEL_PLUGIN_DEBUG, argv[1]);
	try_session("JETSON (no such plugin)", VACCEL_PLUGIN_JETSON, argv[1]);
	try_session("GPU|DEBUG", VACCEL_PLUGIN_GPU | VACCEL_PLUGIN_DEBUG,
		    argv[1]);
	try_session("REMOTE", VACCEL_PLUGIN_REMOTE, argv[1]);

	ret = vaccel_sess_init(&old, 0);
	if (ret) {
		printf("vaccel_sess_init: error %d\n", ret);
		return 1;
	}
	ret = vaccel_resource_init(&res, argv[1], VACCEL_RESOURCE_LIB);
	if (!ret)
		ret = vaccel_resource_register(&res, &old);
	printf("vaccel_sess_has_resource: %s\n",
	       !ret && vaccel_sess_has_resource(&old, &res) ? "yes" : "no");
	if (!ret)
		vaccel_resource_unregister(&res, &old);
	vaccel_resource_release(&res);
	printf("vaccel_sess_free: %d\n", vaccel_sess_free(&old));
	return 0;
}
