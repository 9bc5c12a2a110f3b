/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Internal helpers shared by the op entry points in src/ops: the dispatch
 * macro, common argument checks and the genop unpackers of each op family.
 */
#ifndef VACCEL_OPS_OPS_H
#define VACCEL_OPS_OPS_H

#include "internal.h"
#include <stdint.h>

/*
 * Runs op `type` for `sess` through the plugin member `member` of struct
 * vaccel_plugin_ops and stores its result in `ret`. The call holds the
 * session (vaccel__session_enter), so release waits for it and the plugin
 * that runs it stays loaded. The lookup is the inline fast path of
 * vaccel__session_op(); the debug line and the profiling region cost one
 * predictable branch each when disabled, which keeps the no-op dispatch in
 * the tens of nanoseconds. When no plugin implements the op, the core's
 * fallback helper has already logged and `ret` becomes VACCEL_ENOTSUP.
 */
#define VACCEL__OP_DISPATCH(ret, sess, type, member, ...)                     \
	do {                                                                  \
		const struct vaccel_plugin *ops__used = NULL;                 \
		__typeof__(((struct vaccel_plugin_ops *)0)->member) ops__fn;  \
		(ret) = vaccel__session_enter(sess);                          \
		if (__builtin_expect((ret) != VACCEL_OK, 0))                  \
			break;                                                \
		ops__fn = vaccel__session_op((sess), (type), &ops__used);     \
		if (__builtin_expect(ops__fn == NULL, 0)) {                   \
			(ret) = VACCEL_ENOTSUP;                               \
		} else {                                                      \
			VACCEL__LOG_DISPATCH((type), ops__used);              \
			if (__builtin_expect(vaccel__prof_on, 0)) {           \
				uint64_t ops__t0 = 0;                         \
				vaccel__op_prof_start((type), &ops__t0);      \
				(ret) = ops__fn(__VA_ARGS__);                 \
				vaccel__op_prof_stop((type), ops__t0);        \
			} else {                                              \
				(ret) = ops__fn(__VA_ARGS__);                 \
			}                                                     \
		}                                                             \
		vaccel__session_leave(sess);                                  \
	} while (0)

/*
 * The checks every torch, TF and TFLite model op starts with: `sess` is a
 * valid session and `model` a MODEL resource registered with it. Returns
 * VACCEL_EINVAL or VACCEL_EPERM with a log line naming `func` otherwise.
 */
static inline int vaccel__ops_check_model(struct vaccel_session *sess,
					  struct vaccel_resource *model,
					  const char *func)
{
	int ret = vaccel__session_check(sess, func);

	if (ret)
		return ret;
	return vaccel__session_check_resource(sess, model,
					      VACCEL_RESOURCE_MODEL, func);
}

/* Checks an argument list passed to an op (exec, opencv, genop): the count
 * is not negative, the array is non-NULL when the count is positive and
 * every argument with a non-zero size has a buffer. `what` ("read",
 * "write") and `func` name the list and the caller in the log line. */
int vaccel__ops_check_args(const struct vaccel_arg *args, long long nr,
			   const char *what, const char *func);

/*
 * Genop argument readers. Each takes the argument at index `idx` of `args`
 * (a list of `nr` arguments named `what`), checks that it exists, has the
 * expected type (or RAW) and a size valid for that type, and returns its
 * value or buffer. Every failure returns VACCEL_EINVAL with a log line that
 * names the argument.
 */
int vaccel__genop_get_int64(const struct vaccel_arg *args, int nr, int idx,
			    const char *what, int64_t *value);
int vaccel__genop_get_int32(const struct vaccel_arg *args, int nr, int idx,
			    const char *what, int32_t *value);
int vaccel__genop_get_float(const struct vaccel_arg *args, int nr, int idx,
			    const char *what, float *value);
int vaccel__genop_get_string(const struct vaccel_arg *args, int nr, int idx,
			     const char *what, const char **str);
/* An array of elements of `type` (an *_ARRAY type, or BUFFER for bytes)
 * with at least `min_count` elements; *count receives the element count. */
int vaccel__genop_get_array(const struct vaccel_arg *args, int nr, int idx,
			    const char *what, vaccel_arg_type_t type,
			    size_t min_count, void **buf, size_t *count);
/* Checks that a list holds exactly `expected` arguments. */
int vaccel__genop_check_count(int nr, int expected, const char *what,
			      vaccel_op_type_t op);
/* Computes rows * ld elements (both > 0) without overflow, as bytes of
 * `elem` size each; logs and returns VACCEL_EINVAL on overflow or when a
 * dimension is not positive. */
int vaccel__genop_elems(int64_t rows, int64_t ld, size_t elem,
			const char *what, size_t *count);

/*
 * Genop unpackers, one per op family. `read` and `nr_read` exclude the op
 * type argument. Each checks the layout documented in
 * include/vaccel/ops/genop.h and calls the typed public function, which
 * validates the unpacked values.
 */
typedef int (*vaccel__genop_unpack_fn)(struct vaccel_session *sess,
				       vaccel_op_type_t op,
				       struct vaccel_arg *read, int nr_read,
				       struct vaccel_arg *write, int nr_write);

int vaccel__noop_unpack(struct vaccel_session *sess, vaccel_op_type_t op,
			struct vaccel_arg *read, int nr_read,
			struct vaccel_arg *write, int nr_write);
int vaccel__exec_unpack(struct vaccel_session *sess, vaccel_op_type_t op,
			struct vaccel_arg *read, int nr_read,
			struct vaccel_arg *write, int nr_write);
int vaccel__exec_with_resource_unpack(struct vaccel_session *sess,
				      vaccel_op_type_t op,
				      struct vaccel_arg *read, int nr_read,
				      struct vaccel_arg *write, int nr_write);
int vaccel__image_unpack(struct vaccel_session *sess, vaccel_op_type_t op,
			 struct vaccel_arg *read, int nr_read,
			 struct vaccel_arg *write, int nr_write);
int vaccel__sgemm_unpack(struct vaccel_session *sess, vaccel_op_type_t op,
			 struct vaccel_arg *read, int nr_read,
			 struct vaccel_arg *write, int nr_write);
int vaccel__minmax_unpack(struct vaccel_session *sess, vaccel_op_type_t op,
			  struct vaccel_arg *read, int nr_read,
			  struct vaccel_arg *write, int nr_write);
int vaccel__fpga_unpack(struct vaccel_session *sess, vaccel_op_type_t op,
			struct vaccel_arg *read, int nr_read,
			struct vaccel_arg *write, int nr_write);
int vaccel__opencv_genop_unpack(struct vaccel_session *sess,
				vaccel_op_type_t op, struct vaccel_arg *read,
				int nr_read, struct vaccel_arg *write,
				int nr_write);

#endif /* VACCEL_OPS_OPS_H */
