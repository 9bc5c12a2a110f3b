// SPDX-License-Identifier: Apache-2.0
/*
 * Fuzz target: one agent connection fed by a hostile guest, in process;
 * see agent_harness.h for the input format and what is checked. Above all
 * this explores resource and blob import from the wire.
 */
#include "agent_harness.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	harness_init();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	harness_run(data, size, NULL);
	return 0;
}
