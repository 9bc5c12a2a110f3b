// SPDX-License-Identifier: Apache-2.0
/*
 * libvaccel-crash.so, a test plugin that dies on demand, standing in for a
 * host plugin with a bug that guest input can reach (a TorchScript file
 * that crashes libtorch). Nothing here opens a library, so the agent's
 * exec policy never applies to it.
 *
 *  - exec with library "crash" and symbol MODE;
 *  - torch_model_load of a MODEL resource whose first blob starts with
 *    "CRASH:MODE" (a crafted model);
 *
 * where MODE is "segv" (a wild write), "abort", "exit" (exit(3), which
 * also runs the process's exit handlers), "kill" (SIGKILL, what the OOM
 * killer sends) or "ok" (success, to show that the same call works). Any
 * other model loads fine; exec writes 42 to an INT32 write argument so a
 * caller can check that it ran.
 */
#include <vaccel.h>

#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Zero, but the compiler may not assume so: writing through it faults. */
static int *volatile wild;

static int die(const char *mode)
{
	if (!strcmp(mode, "segv")) {
		/* An address the compiler cannot see (-Warray-bounds would
		 * refuse a constant one in a -Werror build). */
		volatile uintptr_t bad = 16;

		*(volatile int *)bad = 1;
	} else if (!strcmp(mode, "abort")) {
		abort();
	} else if (!strcmp(mode, "exit")) {
		exit(3);
	} else if (!strcmp(mode, "kill")) {
		kill(getpid(), SIGKILL);
	} else if (!strcmp(mode, "ok")) {
		return VACCEL_OK;
	}
	vaccel_error("[crash] unknown mode %s", mode);
	return VACCEL_EINVAL;
}

static int crash_exec(struct vaccel_session *sess, const char *library,
		      const char *fn_symbol, struct vaccel_arg *read,
		      size_t nr_read, struct vaccel_arg *write, size_t nr_write)
{
	int ret;

	(void)sess;
	(void)read;
	(void)nr_read;
	if (strcmp(library, "crash")) {
		vaccel_error("[crash] exec: library %s is not \"crash\"",
			     library);
		return VACCEL_ENOENT;
	}
	ret = die(fn_symbol);
	if (!ret && nr_write && write[0].size == sizeof(int32_t)) {
		int32_t v = 42;

		memcpy(write[0].buf, &v, sizeof(v));
	}
	return ret;
}

static int crash_model_load(struct vaccel_session *sess,
			    struct vaccel_resource *model)
{
	size_t size = 0;
	uint8_t *data;
	char mode[16];

	(void)sess;
	if (model->nr_blobs < 1)
		return VACCEL_EINVAL;
	data = vaccel_blob_data(model->blobs[0], &size);
	if (!data)
		return VACCEL_EIO;
	if (size < 6 || memcmp(data, "CRASH:", 6))
		return VACCEL_OK;
	size -= 6;
	if (size >= sizeof(mode))
		size = sizeof(mode) - 1;
	memcpy(mode, data + 6, size);
	mode[size] = '\0';
	mode[strcspn(mode, "\r\n")] = '\0';
	return die(mode);
}

VACCEL_PLUGIN_DESCRIPTOR(
	.name = "crash", .version = VACCEL_VERSION,
	.type = VACCEL_PLUGIN_DEBUG,
	.ops = {
		.exec = crash_exec,
		.torch_model_load = crash_model_load,
	});
