// SPDX-License-Identifier: Apache-2.0

// Package cref runs the benchmarks' calls from C, in loops written in C,
// so that the Go benchmarks can compare the bindings with the C API in the
// same process, on the same plugins and the same agent connection. It is
// not part of the bindings (whose cgo glue is vaccel/cgo.go).
package cref

/*
#cgo pkg-config: vaccel
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <vaccel.h>

// A session and, for exec, the library string and a RAW payload argument,
// as bench/worker_vaccel.c sets them up.
struct cref {
	struct vaccel_session sess;
	char *lib;
	void *payload;
	struct vaccel_arg arg;
	size_t nr_args;
};

static int cref_open(struct cref **out, uint32_t flags, const char *lib,
		     size_t payload)
{
	struct cref *c = calloc(1, sizeof(*c));
	int ret;

	if (!c)
		return VACCEL_ENOMEM;
	ret = vaccel_session_init(&c->sess, flags);
	if (ret) {
		free(c);
		return ret;
	}
	c->lib = strdup(lib);
	if (payload) {
		c->payload = malloc(payload);
		if (c->payload)
			memset(c->payload, 0x5a, payload);
		vaccel_arg_init_from_buf(&c->arg, c->payload, payload,
					 VACCEL_ARG_RAW, 0);
		c->nr_args = 1;
	}
	if (!c->lib || (payload && !c->payload)) {
		vaccel_session_release(&c->sess);
		free(c->lib);
		free(c->payload);
		free(c);
		return VACCEL_ENOMEM;
	}
	*out = c;
	return VACCEL_OK;
}

static void cref_close(struct cref *c)
{
	vaccel_session_release(&c->sess);
	free(c->lib);
	free(c->payload);
	free(c);
}

static uint64_t cref_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static int cref_call(struct cref *c, int exec)
{
	if (!exec)
		return vaccel_noop(&c->sess);
	return vaccel_exec(&c->sess, c->lib, "noop", c->nr_args ? &c->arg : NULL,
			   c->nr_args, NULL, 0);
}

// n calls (vaccel_noop, or vaccel_exec with exec), timed in blocks of k:
// ns[i] receives block i's time (ceil(n / k) entries; the last block may
// be shorter).
static int cref_run(struct cref *c, int exec, long n, long k, uint64_t *ns)
{
	for (long done = 0, b = 0; done < n; b++) {
		long m = n - done < k ? n - done : k;
		uint64_t t0 = cref_now();

		for (long i = 0; i < m; i++) {
			int ret = cref_call(c, exec);
			if (ret)
				return ret;
		}
		ns[b] = cref_now() - t0;
		done += m;
	}
	return VACCEL_OK;
}

// An empty function: what one cgo call costs.
static void cref_empty(void)
{
}
*/
import "C"

import (
	"fmt"
	"unsafe"
)

// A Ref is a C session, with a payload for Exec.
type Ref struct{ c *C.struct_cref }

// Open creates a session with flags; Exec sends lib as the library and a
// RAW argument of payload bytes.
func Open(flags uint32, lib string, payload int) (*Ref, error) {
	l := C.CString(lib)
	defer C.free(unsafe.Pointer(l))
	var c *C.struct_cref
	if ret := C.cref_open(&c, C.uint32_t(flags), l, C.size_t(payload)); ret != 0 {
		return nil, fmt.Errorf("cref: session: %s", C.GoString(C.vaccel_strerror(ret)))
	}
	return &Ref{c}, nil
}

// Close releases the session.
func (r *Ref) Close() { C.cref_close(r.c) }

// Noop calls vaccel_noop n times in a C loop, timed in blocks of k calls
// (see Exec).
func (r *Ref) Noop(n, k int) ([]uint64, error) { return r.run(false, n, k) }

// Exec calls vaccel_exec n times in a C loop, timed in blocks of k calls:
// it returns each block's time in ns.
func (r *Ref) Exec(n, k int) ([]uint64, error) { return r.run(true, n, k) }

func (r *Ref) run(exec bool, n, k int) ([]uint64, error) {
	blocks := (n + k - 1) / k
	ns := (*C.uint64_t)(C.calloc(C.size_t(blocks), 8))
	if ns == nil {
		return nil, fmt.Errorf("cref: no memory for %d blocks", blocks)
	}
	defer C.free(unsafe.Pointer(ns))
	e := C.int(0)
	if exec {
		e = 1
	}
	if ret := C.cref_run(r.c, e, C.long(n), C.long(k), ns); ret != 0 {
		return nil, fmt.Errorf("cref: %s", C.GoString(C.vaccel_strerror(ret)))
	}
	out := make([]uint64, blocks)
	for i, v := range unsafe.Slice(ns, blocks) {
		out[i] = uint64(v)
	}
	return out, nil
}

// Empty calls an empty C function: the cost of the cgo call itself.
func Empty() { C.cref_empty() }
