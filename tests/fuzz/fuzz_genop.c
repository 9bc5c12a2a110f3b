// SPDX-License-Identifier: Apache-2.0
/*
 * Fuzz target: genop and arg-array unpacking of a guest's argument lists.
 * The input is an OP request body as the agent receives it; it is decoded
 * with the codec, turned into vaccel_arg lists the way the agent does
 * (write buffers zeroed, sized by the guest) and run through
 * vaccel_genop() on a noop-plugin session: op type decoding, every
 * unpacker's count/type/size checks and the typed ops' own checks. The
 * same lists then go through the arg-array readers and writers, each
 * argument with a reader chosen by its custom id (so readers meet
 * arguments of the wrong type and size too).
 */
#include "codec.h"
#include "fuzz_common.h"

#include <string.h>

/* Guest-chosen write sizes are bounded by the agent's frame limit; this
 * keeps one input from allocating more than the agent would. */
#define MAX_WRITE_TOTAL (1u << 20)

static struct vaccel_session *sess;
static struct vaccel_resource *lib;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	static const char bytes[] = "\177ELF not really a library";

	(void)argc;
	(void)argv;
	fuzz_bootstrap();
	/* One LIB resource registered with the session, so that
	 * EXEC_WITH_RESOURCE can name a valid id (its value is constant for
	 * the whole run, so the fuzzer learns it from comparisons). */
	if (vaccel_session_new(&sess, 0) ||
	    vaccel_resource_from_buf(&lib, bytes, sizeof(bytes),
				     VACCEL_RESOURCE_LIB, "lib.so", true) ||
	    vaccel_resource_register(lib, sess)) {
		fprintf(stderr, "fuzz_genop: set-up failed\n");
		abort();
	}
	return 0;
}

static int copy_out(const void *buf, size_t size, uint32_t id,
		    size_t data_size, void *data)
{
	(void)id;
	if (size != data_size)
		return VACCEL_EINVAL;
	if (size)
		memcpy(data, buf, size);
	return VACCEL_OK;
}

/* Touches the last byte of what a reader returned: ASan reports a
 * pointer/size pair that does not describe the argument's buffer. */
static void touch(const void *p, size_t n)
{
	if (p && n) {
		volatile uint8_t x = ((const uint8_t *)p)[n - 1];

		(void)x;
	}
}

#define READER(name, ctype, TYPE)                                        \
	static int get_##name(struct vaccel_arg_array *a)                \
	{                                                                \
		ctype v;                                                 \
		return vaccel_arg_array_get_##name(a, &v);               \
	}                                                                \
	static int get_##name##_arr(struct vaccel_arg_array *a)          \
	{                                                                \
		ctype *v = NULL;                                         \
		size_t n = 0;                                            \
		int ret = vaccel_arg_array_get_##name##_array(a, &v, &n); \
		if (!ret)                                                \
			touch(v, n * sizeof(ctype));                     \
		return ret;                                              \
	}
VACCEL_ARG_NUMERIC_TYPES(READER)
#undef READER

static int get_raw(struct vaccel_arg_array *a)
{
	void *p = NULL;
	size_t n = 0;
	int ret = vaccel_arg_array_get_raw(a, &p, &n);

	if (!ret)
		touch(p, n);
	return ret;
}

static int get_string(struct vaccel_arg_array *a)
{
	char *s = NULL;
	int ret = vaccel_arg_array_get_string(a, &s);

	if (!ret && s)
		touch(s, strlen(s) + 1);
	return ret;
}

static int get_buffer(struct vaccel_arg_array *a)
{
	void *p = NULL;
	size_t n = 0;
	int ret = vaccel_arg_array_get_buffer(a, &p, &n);

	if (!ret)
		touch(p, n);
	return ret;
}

static int get_custom(struct vaccel_arg_array *a)
{
	struct vaccel_arg *cur = vaccel_arg_array_raw(a);
	size_t pos = vaccel_arg_array_position(a);
	uint32_t id = cur && pos < vaccel_arg_array_count(a) ?
			      cur[pos].custom_type_id :
			      0;
	void *p = NULL;
	size_t n = 0;
	int ret = vaccel_arg_array_get_custom(a, id, &p, &n, NULL);

	if (!ret)
		touch(p, n);
	return ret;
}

static int get_serialized(struct vaccel_arg_array *a)
{
	uint8_t out[256];
	struct vaccel_arg *cur = vaccel_arg_array_raw(a);
	size_t pos = vaccel_arg_array_position(a);

	if (!cur || pos >= vaccel_arg_array_count(a))
		return vaccel_arg_array_get_serialized(a, VACCEL_ARG_RAW, 0,
						       out, sizeof(out),
						       copy_out);
	return vaccel_arg_array_get_serialized(
		a, cur[pos].type, cur[pos].custom_type_id, out,
		cur[pos].size < sizeof(out) ? cur[pos].size : sizeof(out),
		copy_out);
}

typedef int (*reader_fn)(struct vaccel_arg_array *a);

static const reader_fn readers[] = {
	get_raw, get_string, get_buffer, get_custom, get_serialized,
#define ENTRY(name, ctype, TYPE) get_##name, get_##name##_arr,
	VACCEL_ARG_NUMERIC_TYPES(ENTRY)
#undef ENTRY
};

#define NR_READERS (sizeof(readers) / sizeof(readers[0]))

static void arg_arrays(struct vaccel_arg *rd, uint32_t nr_rd,
		       struct vaccel_arg *wr, uint32_t nr_wr)
{
	struct vaccel_arg_array view, copy;
	struct vaccel_arg *rest = NULL;
	size_t nr_rest = 0;

	if (vaccel_arg_array_wrap(&view, rd, nr_rd))
		return;
	for (uint32_t i = 0; i < nr_rd; i++) {
		size_t pos = vaccel_arg_array_position(&view);

		/* A failed read must not move the position. */
		if (readers[rd[i].custom_type_id % NR_READERS](&view))
			FUZZ_ASSERT(vaccel_arg_array_position(&view) == pos);
		vaccel_arg_array_set_position(&view, i + 1);
	}
	vaccel_arg_array_reset_position(&view);
	/* A deep copy of the list, then its release: nothing may leak or be
	 * freed twice whatever the argument types. */
	if (vaccel_arg_array_init(&copy, 0) == VACCEL_OK) {
		vaccel_arg_array_add_all(&copy, &view, true);
		FUZZ_ASSERT(vaccel_arg_array_get_remaining(&copy, &rest,
							   &nr_rest) ==
				    VACCEL_OK ||
			    vaccel_arg_array_count(&copy) == 0);
		vaccel_arg_array_release(&copy);
	}
	vaccel_arg_array_release(&view);

	/* Writers: a source of the argument's size (or one byte more when
	 * bit 3 of its custom id is set, which must be refused). */
	if (vaccel_arg_array_wrap(&view, wr, nr_wr))
		return;
	for (uint32_t i = 0; i < nr_wr; i++) {
		static uint8_t src[MAX_WRITE_TOTAL + 1];
		size_t n = wr[i].size + ((wr[i].custom_type_id >> 3) & 1);

		if (wr[i].custom_type_id & 1)
			vaccel_arg_array_set_buffer(&view, src, n);
		else
			vaccel_arg_array_set_raw(&view, src, n);
		vaccel_arg_array_set_position(&view, i + 1);
	}
	vaccel_arg_array_release(&view);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rpc_op_req m;
	struct vaccel_arg *args = NULL;
	uint8_t *body, *wbuf = NULL;
	uint64_t total = 0;
	size_t off = 0;

	/* A private copy, so that ASan sees the exact end of the body. */
	body = malloc(size ? size : 1);
	FUZZ_ASSERT(body);
	memcpy(body, data, size);
	if (rpc_op_req_decode(body, size, &m))
		goto out;
	/* Each size is bounded before the sum, which could wrap around
	 * otherwise (as the agent does against its frame limit). */
	for (uint32_t i = 0; i < m.nr_write; i++) {
		if (m.write[i].size > MAX_WRITE_TOTAL)
			goto out_req;
		total += m.write[i].size;
	}
	if (total > MAX_WRITE_TOTAL)
		goto out_req;
	args = calloc((size_t)m.nr_read + m.nr_write + 1, sizeof(*args));
	wbuf = malloc(total ? total : 1);
	FUZZ_ASSERT(args && wbuf);
	memset(wbuf, 0, total ? total : 1);
	for (uint32_t i = 0; i < m.nr_read; i++)
		args[i] = (struct vaccel_arg){ (void *)m.read[i].data,
					       (size_t)m.read[i].size,
					       (vaccel_arg_type_t)m.read[i].type,
					       m.read[i].custom_id, false };
	for (uint32_t i = 0; i < m.nr_write; i++) {
		struct vaccel_arg *a = &args[m.nr_read + i];

		*a = (struct vaccel_arg){ wbuf + off, (size_t)m.write[i].size,
					  (vaccel_arg_type_t)m.write[i].type,
					  m.write[i].custom_id, false };
		if (m.write[i].data && m.write[i].size)
			memcpy(a->buf, m.write[i].data, a->size);
		off += m.write[i].size;
	}
	(void)vaccel_genop(sess, args, (int)m.nr_read,
			   m.nr_write ? &args[m.nr_read] : NULL,
			   (int)m.nr_write);
	arg_arrays(args, m.nr_read, &args[m.nr_read], m.nr_write);
out_req:
	rpc_op_req_release(&m);
out:
	free(args);
	free(wbuf);
	free(body);
	return 0;
}
