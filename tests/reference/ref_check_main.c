// SPDX-License-Identifier: Apache-2.0
/*
 * vaccel-ref-check: runs ref_check_ops() on a session (flags from the
 * command line, default VACCEL_PLUGIN_FPGA, which picks the reference
 * plugin locally or on an agent that loads it) and prints
 * "ok   <check>" or "FAIL <check>: <what>" per check, then
 * "N passed, N failed"; exits 1 when a check failed.
 *
 *   vaccel-ref-check EXEC_LIB RESOURCE_FILE [FLAGS]
 *
 * EXEC_LIB is exec's library name (where the plugin runs: an agent must
 * allow it), RESOURCE_FILE a local file for exec_with_resource.
 */
#include "ref_check.h"
#include <stdio.h>
#include <stdlib.h>

static int passed;

static void report(const char *check, bool ok, const char *detail)
{
	if (ok) {
		passed++;
		printf("ok   %s\n", check);
	} else {
		printf("FAIL %s: %s\n", check, detail);
	}
}

int main(int argc, char **argv)
{
	struct vaccel_session sess;
	uint32_t flags = VACCEL_PLUGIN_FPGA;
	int failed, ret;

	if (argc < 3 || argc > 4) {
		fprintf(stderr, "usage: vaccel-ref-check EXEC_LIB RESOURCE_FILE "
				"[FLAGS]\n");
		return 2;
	}
	if (argc == 4)
		flags = (uint32_t)strtoul(argv[3], NULL, 0);
	ret = vaccel_session_init(&sess, flags);
	if (ret) {
		printf("FAIL session: %s\n", vaccel_strerror(ret));
		return 1;
	}
	failed = ref_check_ops(&sess, argv[1], argv[2], report);
	vaccel_session_release(&sess);
	printf("%d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
