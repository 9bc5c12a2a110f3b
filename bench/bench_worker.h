/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The line protocol that bench/run speaks with its long-lived worker
 * processes (one per mode), and the command loop they share.
 *
 * bench/run writes one command per line on the worker's stdin; the worker
 * answers on stdout:
 *
 *   torch MODEL SIZE IMAGE   load MODEL, preprocess IMAGE to SIZExSIZE once
 *                            -> "ok load_ns=N" | "err MSG"
 *   classify MODEL IMAGE     load MODEL; each iteration classifies the raw
 *                            IMAGE bytes (decode + resize + forward)
 *                            -> "ok load_ns=N" | "err MSG"
 *   exec KIND BYTES          an exec op of plugin KIND (noop|mbench|raw)
 *                            carrying a BYTES-byte argument -> "ok" | "err"
 *   run K                    K timed iterations of the current workload
 *                            -> K lines "it E2E_NS PLUGIN_NS TRANSPORT_NS"
 *                               (-1 where a part is not measured), "done"
 *                               | "err MSG"
 *   unload                   drop the current workload -> "ok"
 *   info                     -> "info KEY=VALUE ..." then "ok"
 *   quit                     exit 0
 *
 * Samples of a block are kept in memory and printed after the block, so
 * that writing them never falls inside a timed region.
 */
#ifndef VACCEL_BENCH_WORKER_H
#define VACCEL_BENCH_WORKER_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* One iteration: end-to-end time around the call, the part spent in the
 * backend plugin and the part spent in the transport (ns; -1: not known). */
struct bw_sample {
	int64_t e2e;
	int64_t plugin;
	int64_t transport;
};

/* What a worker implements; a NULL member answers "err unsupported". Each
 * returns 0 or -1 with a message in err. */
struct bw_ops {
	int (*torch)(void *ctx, const char *model, int size, const char *image,
		     uint64_t *load_ns, char *err, size_t err_len);
	int (*classify)(void *ctx, const char *model, const char *image,
			uint64_t *load_ns, char *err, size_t err_len);
	int (*exec)(void *ctx, const char *kind, size_t bytes, char *err,
		    size_t err_len);
	int (*iterate)(void *ctx, struct bw_sample *s, char *err,
		       size_t err_len);
	void (*unload)(void *ctx);
	/* Extra "KEY=VALUE" words for the info answer (may be NULL). */
	void (*info)(void *ctx, char *buf, size_t len);
};

/* Nanoseconds of CLOCK_MONOTONIC. */
uint64_t bw_now_ns(void);

/* Reads a whole file into a malloc'd buffer. Returns 0 or -1 with err. */
int bw_read_file(const char *path, char **buf, size_t *len, char *err,
		 size_t err_len);

/* Runs the command loop on stdin/stdout until "quit" or end of input.
 * Returns the process exit status. */
int bw_main(const char *name, const struct bw_ops *ops, void *ctx);

#ifdef __cplusplus
}
#endif

#endif /* VACCEL_BENCH_WORKER_H */
