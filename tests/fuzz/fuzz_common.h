/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Shared set-up of the libFuzzer targets (docs/fuzzing.md). Each target
 * defines LLVMFuzzerTestOneInput and, when it needs the runtime, calls
 * fuzz_bootstrap() from LLVMFuzzerInitialize. The same sources build
 * either with -fsanitize=fuzzer (clang, meson -Dfuzz=true) or with
 * replay_main.c, which runs the seed corpus and the regression inputs once
 * (every build, suite 'unit').
 */
#ifndef VACCEL_FUZZ_COMMON_H
#define VACCEL_FUZZ_COMMON_H

#include "vaccel.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Decoders log every malformed input at error level; millions of log
 * lines would cost more than the decoding. The level variable is set
 * directly because the public setter clamps it to 1..5 and 0 silences
 * everything. FUZZ_VERBOSE=1 keeps the logs for debugging a finding. */
static inline void fuzz_quiet(void)
{
	const char *v = getenv("FUZZ_VERBOSE");

	if (!v || v[0] != '1')
		vaccel__log_level = 0;
}

/* Bootstraps vAccel with the noop plugin (built next to the targets; its
 * path comes from meson as FUZZ_NOOP_PLUGIN, or from VACCEL_FUZZ_PLUGINS).
 * The noop plugin implements every op without running guest-chosen code,
 * so the fuzzer exercises unpacking and dispatch, never a dlopen. */
static inline void fuzz_bootstrap(void)
{
	const char *plugins = getenv("VACCEL_FUZZ_PLUGINS");
	struct vaccel_config cfg;

#ifdef FUZZ_NOOP_PLUGIN
	if (!plugins)
		plugins = FUZZ_NOOP_PLUGIN;
#endif
	if (!plugins) {
		fprintf(stderr, "fuzz: set VACCEL_FUZZ_PLUGINS to libvaccel-noop.so\n");
		abort();
	}
	if (vaccel_config_init(&cfg, plugins, VACCEL_LOG_ERROR, NULL, false,
			       false) ||
	    vaccel_bootstrap_with_config(&cfg)) {
		fprintf(stderr, "fuzz: bootstrap with %s failed\n", plugins);
		abort();
	}
	vaccel_config_release(&cfg);
	fuzz_quiet();
}

/* A finding: abort() so that libFuzzer (or ASan) reports it with the
 * input that caused it. */
#define FUZZ_ASSERT(cond)                                                  \
	do {                                                               \
		if (!(cond)) {                                             \
			fprintf(stderr, "%s:%d: fuzz invariant failed: %s\n", \
				__FILE__, __LINE__, #cond);                \
			abort();                                           \
		}                                                          \
	} while (0)

#endif /* VACCEL_FUZZ_COMMON_H */
