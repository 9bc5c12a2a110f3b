// SPDX-License-Identifier: Apache-2.0
/*
 * Allocation-failure injection. This executable replaces malloc, calloc,
 * realloc, posix_memalign and aligned_alloc (ELF interposition: the
 * libvaccel.so, plugin and libc calls all reach them) with wrappers that
 * forward to the real allocator, count live blocks and can fail the Nth
 * allocation. Each scenario (core objects, arg arrays, genop, the codec
 * decoders, and whole agent conversations from the fuzz seed corpus) runs
 * once for warm-up, then with allocation 1, 2, 3, ... failing until a run
 * sees no injected failure. Every run must end without a crash, return
 * either an error or a correct result, and leave as many live blocks as
 * before (no leak); the agent conversations also check that the agent
 * released every session, resource, upload byte and file. Under the
 * sanitizer build ASan checks every access on top (and LeakSanitizer the
 * leaks, as ASan bypasses the wrappers for some libc calls). Under
 * valgrind, run with --soname-synonyms=somalloc=nouserintercepts so that
 * the wrappers stay in place.
 */
#include "agent_harness.h"
#include "codec.h"
#include "testing.h"

#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <string.h>

/* --- the allocator wrappers --- */

static void *(*real_malloc)(size_t);
static void *(*real_calloc)(size_t, size_t);
static void *(*real_realloc)(void *, size_t);
static void (*real_free)(void *);
static int (*real_posix_memalign)(void **, size_t, size_t);
static void *(*real_aligned_alloc)(size_t, size_t);

/* The wrappers run before a sanitizer runtime has set itself up (the
 * dynamic loader allocates while ASan initialises), so they must not be
 * instrumented themselves. */
#define FI_RAW __attribute__((no_sanitize_address))

/* ASan intercepts strdup, realpath and friends and allocates for them
 * without calling malloc, while their blocks are freed through free():
 * live-block counting is meaningless there, and LeakSanitizer checks
 * every run for leaks at exit instead. */
#if defined(__SANITIZE_ADDRESS__)
#define FI_COUNT_LIVE 0
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define FI_COUNT_LIVE 0
#endif
#endif
#ifndef FI_COUNT_LIVE
#define FI_COUNT_LIVE 1
#endif

/* dlsym may allocate before the real functions are known: such early
 * blocks come from this arena and are never freed. */
static _Alignas(16) char early[8192];
static size_t early_used;

static bool fi_armed;
static long fi_calls, fi_fail_at, fi_live;
static bool fi_injected;

FI_RAW static void resolve(void)
{
	static bool resolving;

	if (real_malloc || resolving)
		return;
	resolving = true;
	real_calloc = (void *(*)(size_t, size_t))dlsym(RTLD_NEXT, "calloc");
	real_malloc = (void *(*)(size_t))dlsym(RTLD_NEXT, "malloc");
	real_realloc = (void *(*)(void *, size_t))dlsym(RTLD_NEXT, "realloc");
	real_free = (void (*)(void *))dlsym(RTLD_NEXT, "free");
	real_posix_memalign = (int (*)(void **, size_t, size_t))dlsym(
		RTLD_NEXT, "posix_memalign");
	real_aligned_alloc = (void *(*)(size_t, size_t))dlsym(
		RTLD_NEXT, "aligned_alloc");
	resolving = false;
}

FI_RAW static void *early_alloc(size_t n)
{
	void *p;

	n = (n + 15) & ~(size_t)15;
	if (early_used + n > sizeof(early))
		return NULL;
	p = early + early_used;
	early_used += n;
	return p;
}

FI_RAW static bool is_early(const void *p)
{
	return (const char *)p >= early && (const char *)p < early + sizeof(early);
}

/* True when this allocation is the one to fail. */
FI_RAW static bool inject(void)
{
	if (!fi_armed)
		return false;
	if (++fi_calls == fi_fail_at) {
		fi_injected = true;
		errno = ENOMEM;
		return true;
	}
	return false;
}

FI_RAW static void counted(void *p)
{
	if (p && fi_armed)
		fi_live++;
}

FI_RAW void *malloc(size_t n)
{
	void *p;

	resolve();
	if (!real_malloc)
		return early_alloc(n);
	if (inject())
		return NULL;
	p = real_malloc(n);
	counted(p);
	return p;
}

FI_RAW void *calloc(size_t a, size_t b)
{
	void *p;

	resolve();
	if (!real_calloc) {
		p = b && a > SIZE_MAX / b ? NULL : early_alloc(a * b);
		if (p)
			memset(p, 0, a * b);
		return p;
	}
	if (inject())
		return NULL;
	p = real_calloc(a, b);
	counted(p);
	return p;
}

FI_RAW void *realloc(void *old, size_t n)
{
	void *p;

	resolve();
	if (is_early(old)) {
		p = malloc(n);
		if (p)
			memcpy(p, old, n < 64 ? n : 64);
		return p;
	}
	if (n && inject())
		return NULL;
	p = real_realloc(old, n);
	if (fi_armed) {
		if (!old && p)
			fi_live++;
		else if (old && !n)
			fi_live--;
	}
	return p;
}

FI_RAW void free(void *p)
{
	if (!p || is_early(p))
		return;
	resolve();
	if (fi_armed)
		fi_live--;
	real_free(p);
}

FI_RAW int posix_memalign(void **out, size_t align, size_t n)
{
	int ret;

	resolve();
	if (inject())
		return ENOMEM;
	ret = real_posix_memalign(out, align, n);
	if (!ret)
		counted(*out);
	return ret;
}

FI_RAW void *aligned_alloc(size_t align, size_t n)
{
	void *p;

	resolve();
	if (inject())
		return NULL;
	p = real_aligned_alloc(align, n);
	counted(p);
	return p;
}

/* --- the driver --- */

/* A scenario returns VACCEL_OK when it fully succeeded and checked its
 * results, a VACCEL_E* code when a call failed (cleaning up after
 * itself), or -1 when a result was wrong. */
typedef int (*scenario_fn)(void *arg);

static struct vaccel_session *sess;
static int nr_injections;

static void arm(bool on)
{
	fi_armed = on;
}

static void run_scenario(const char *name, scenario_fn fn, void *arg)
{
	long n, live;
	int ret, errors = 0, ok_after_failure = 0;

	/* Warm-up: lazily created state (log stream, dlerror buffers) is
	 * not a leak of the scenario. */
	ret = fn(arg);
	if (ret) {
		fprintf(stderr, "%s: fails without injection (%d)\n", name, ret);
		CHECK(!"scenario works without injected failures");
		return;
	}
	for (n = 1;; n++) {
		fi_calls = 0;
		fi_fail_at = n;
		fi_injected = false;
		fi_live = 0;
		fi_armed = true;
		ret = fn(arg);
		fi_armed = false;
		live = fi_live;
		if (!fi_injected) {
			if (ret != VACCEL_OK) {
				fprintf(stderr, "%s: fails without injection (%d)\n",
					name, ret);
				errors++;
			}
			break;
		}
		nr_injections++;
		if (ret < 0) {
			fprintf(stderr, "%s: wrong result with allocation %ld failed\n",
				name, n);
			errors++;
		}
		if (ret == VACCEL_OK)
			ok_after_failure++;
		if (FI_COUNT_LIVE && live != 0) {
			fprintf(stderr, "%s: allocation %ld failed: %ld blocks leaked\n",
				name, n, live);
			errors++;
		}
		if (n > 100000) {
			fprintf(stderr, "%s: does not converge\n", name);
			errors++;
			break;
		}
	}
	printf("%-28s %5ld allocation sites failed one at a time, %d tolerated\n",
	       name, n - 1, ok_after_failure);
	CHECK_INT(errors, 0);
}

/* Scenarios run with fi_armed toggled by run_scenario; those that must
 * keep part of their own bookkeeping out of the count disarm around it. */

static int sc_session(void *arg)
{
	struct vaccel_session *s;
	int ret;

	(void)arg;
	ret = vaccel_session_new(&s, 0);
	if (ret)
		return ret;
	ret = vaccel_noop(s);
	vaccel_session_delete(s);
	return ret;
}

static int sc_resource_buf(void *arg)
{
	static const char data[] = "0123456789abcdef";
	struct vaccel_resource *r;
	int ret;

	(void)arg;
	ret = vaccel_resource_from_buf(&r, data, sizeof(data),
				       VACCEL_RESOURCE_DATA, "d.bin", false);
	if (ret)
		return ret;
	ret = vaccel_resource_register(r, sess);
	if (!ret) {
		ret = vaccel_resource_sync(r, sess);
		if (ret == VACCEL_ENOTSUP)
			ret = VACCEL_OK;
		vaccel_resource_unregister(r, sess);
	}
	vaccel_resource_delete(r);
	return ret;
}

static int sc_resource_files(void *paths)
{
	struct vaccel_resource *r;
	struct vaccel_blob *b;
	int ret;

	ret = vaccel_resource_multi_new(&r, paths, 2, VACCEL_RESOURCE_MODEL);
	if (ret)
		return ret;
	ret = vaccel_resource_register(r, sess);
	if (!ret)
		ret = vaccel_resource_unregister(r, sess);
	vaccel_resource_delete(r);
	if (ret)
		return ret;
	ret = vaccel_blob_new(&b, ((const char **)paths)[0]);
	if (ret)
		return ret;
	ret = vaccel_blob_read(b);
	vaccel_blob_delete(b);
	return ret;
}

static int sc_arg_array(void *arg)
{
	struct vaccel_arg_array *a, *copy = NULL;
	int32_t v = 7, out = 0;
	double d[4] = { 1, 2, 3, 4 };
	char s[] = "hello";
	int ret;

	(void)arg;
	ret = vaccel_arg_array_new(&a, 0);
	if (ret)
		return ret;
	for (int i = 0; i < 20 && !ret; i++)
		ret = vaccel_arg_array_add_int32(a, &v);
	if (!ret)
		ret = vaccel_arg_array_add_string(a, s);
	if (!ret)
		ret = vaccel_arg_array_add_double_array(a, d, 4);
	if (!ret)
		ret = vaccel_arg_array_new(&copy, 1);
	if (!ret)
		ret = vaccel_arg_array_add_all(copy, a, true);
	if (!ret)
		ret = vaccel_arg_array_get_int32(copy, &out);
	if (!ret && out != 7)
		ret = -1;
	vaccel_arg_array_delete(copy);
	vaccel_arg_array_delete(a);
	return ret;
}

static int sc_genop(void *arg)
{
	uint8_t op = VACCEL_OP_MINMAX;
	double in[4] = { 3, -1, 8, 2 }, out[4], mn = 0, mx = 0;
	int32_t nd = 4, lo = 0, hi = 10;
	struct vaccel_arg rd[] = {
		{ &op, 1, VACCEL_ARG_UINT8, 0, false },
		{ in, sizeof(in), VACCEL_ARG_FLOAT64_ARRAY, 0, false },
		{ &nd, 4, VACCEL_ARG_INT32, 0, false },
		{ &lo, 4, VACCEL_ARG_INT32, 0, false },
		{ &hi, 4, VACCEL_ARG_INT32, 0, false },
	};
	struct vaccel_arg wr[] = {
		{ out, sizeof(out), VACCEL_ARG_FLOAT64_ARRAY, 0, false },
		{ &mn, 8, VACCEL_ARG_FLOAT64, 0, false },
		{ &mx, 8, VACCEL_ARG_FLOAT64, 0, false },
	};

	(void)arg;
	return vaccel_genop(sess, rd, 5, wr, 3);
}

static int sc_torch_tensor(void *arg)
{
	int64_t dims[3] = { 2, 3, 4 };
	struct vaccel_torch_tensor *t;
	int ret;

	(void)arg;
	ret = vaccel_torch_tensor_allocate(&t, 3, dims, VACCEL_TORCH_FLOAT,
					   2 * 3 * 4 * sizeof(float));
	if (ret)
		return ret;
	return vaccel_torch_tensor_delete(t);
}

static int sc_config(void *arg)
{
	struct vaccel_config *c;
	int ret;

	(void)arg;
	ret = vaccel_config_new(&c, "a.so:b.so", VACCEL_LOG_ERROR, "/dev/null",
				false, false);
	if (ret)
		return ret;
	return vaccel_config_delete(c);
}

static int sc_codec(void *arg)
{
	struct rpc_blob_desc b[3] = {
		{ VACCEL_BLOB_FILE, 1, 10, "a" },
		{ VACCEL_BLOB_FILE, 1, 20, "b" },
		{ VACCEL_BLOB_BUFFER, 1, 30, "c" },
	};
	struct rpc_res_register m = { 1, 0, VACCEL_RESOURCE_MODEL, 3, b }, d;
	uint8_t buf[512], op[256];
	struct rpc_op_req q;
	struct rpc_tensor t = { VACCEL_TORCH_FLOAT, 1, 4, { 1 }, NULL, 0, 0 }, *dt;
	struct rpc_reply_prefix p = { 1, 2, 3 };
	struct rpc_prof_entry e = { "x", 1, 2 }, *de;
	uint32_t nr;
	size_t n;
	int ret;
	static const uint8_t op_body[] = {
		1, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, /* head */
		9, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, /* UINT8 1 */
		5, 0, 1, 0, 0, 0, 0, 0, 4, 0, 0, 0, 0, 0, 0, 0, /* INT32 io */
		0, 0, 0, 0, 0, 0, 0, 0, 7, 0, 0, 0, 0, 0, 0, 0,
	};

	(void)arg;
	n = rpc_res_register_encode(buf, sizeof(buf), &m);
	ret = rpc_res_register_decode(buf, n, &d);
	if (ret)
		return ret;
	if (d.nr_blobs != 3 || d.blobs[2].size != 30)
		ret = -1;
	rpc_res_register_release(&d);
	if (ret)
		return ret;
	memcpy(op, op_body, sizeof(op_body));
	ret = rpc_op_req_decode(op, sizeof(op_body), &q);
	if (ret)
		return ret;
	rpc_op_req_release(&q);
	n = rpc_tensors_reply_head_encode(buf, sizeof(buf), &p, &t, 1);
	memset(buf + n, 0, 4);
	ret = rpc_tensors_reply_decode(buf, n + 4, &p, &dt, &nr);
	if (ret)
		return ret;
	free(dt);
	n = rpc_prof_reply_encode(buf, sizeof(buf), &p, &e, 1);
	ret = rpc_prof_reply_decode(buf, n, &p, &de, &nr);
	if (ret)
		return ret;
	free(de);
	return VACCEL_OK;
}

/* One conversation from the fuzz seed corpus: only the agent's own work
 * is armed (harness_run's hook), and the harness aborts if the agent
 * kept anything. The conversation "succeeds" whatever the agent
 * answered; what is checked is cleanup. */
struct conv {
	uint8_t *data;
	size_t size;
};

static bool conv_armed;

static void conv_arm(bool on)
{
	arm(on && conv_armed);
}

static int sc_agent(void *arg)
{
	struct conv *c = arg;
	bool was = fi_armed;

	/* run_scenario armed us; hand control to the harness hook. */
	conv_armed = was;
	fi_armed = false;
	harness_run(c->data, c->size, conv_arm);
	fi_armed = was;
	return VACCEL_OK;
}

static void test_setup(void)
{
	harness_init();
	REQUIRE(vaccel_session_new(&sess, 0) == VACCEL_OK);
}

static void test_core(void)
{
	char p1[] = "/tmp/vaccel-fi-1-XXXXXX", p2[] = "/tmp/vaccel-fi-2-XXXXXX";
	const char *paths[2] = { p1, p2 };
	int fd1 = mkstemp(p1), fd2 = mkstemp(p2);

	REQUIRE(fd1 >= 0 && fd2 >= 0);
	REQUIRE(write(fd1, "model bytes", 11) == 11);
	REQUIRE(write(fd2, "labels", 6) == 6);
	close(fd1);
	close(fd2);
	run_scenario("session + noop", sc_session, NULL);
	run_scenario("resource from buffer", sc_resource_buf, NULL);
	run_scenario("resource from files, blob", sc_resource_files, paths);
	run_scenario("arg arrays", sc_arg_array, NULL);
	run_scenario("genop minmax", sc_genop, NULL);
	run_scenario("torch tensor", sc_torch_tensor, NULL);
	run_scenario("config", sc_config, NULL);
	unlink(p1);
	unlink(p2);
}

static void test_codec(void)
{
	run_scenario("codec decoders", sc_codec, NULL);
}

static int by_name(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

static void test_agent_conversations(void)
{
	const char *dir = getenv("VACCEL_TEST_FUZZ_CORPUS");
	struct dirent **list;
	int n;

	REQUIRE(dir);
	n = scandir(dir, &list, NULL, by_name);
	REQUIRE(n > 0);
	for (int i = 0; i < n; i++) {
		char path[4096], name[300];
		struct conv c = { NULL, 0 };
		FILE *f;
		long len;

		if (list[i]->d_name[0] == '.') {
			free(list[i]);
			continue;
		}
		snprintf(path, sizeof(path), "%s/%s", dir, list[i]->d_name);
		snprintf(name, sizeof(name), "agent: %s", list[i]->d_name);
		free(list[i]);
		f = fopen(path, "rb");
		REQUIRE(f);
		fseek(f, 0, SEEK_END);
		len = ftell(f);
		fseek(f, 0, SEEK_SET);
		c.data = malloc((size_t)len + 1);
		REQUIRE(c.data);
		c.size = fread(c.data, 1, (size_t)len, f);
		fclose(f);
		run_scenario(name, sc_agent, &c);
		free(c.data);
	}
	free(list);
}

static void test_teardown(void)
{
	printf("%d runs with an injected allocation failure\n",
	       nr_injections);
	CHECK(nr_injections > 100);
	vaccel_session_delete(sess);
	rmdir(agent.workdir);
}

TEST_MAIN(test_setup, test_core, test_codec, test_agent_conversations,
	  test_teardown)
