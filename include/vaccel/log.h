/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Logging. Messages at or below the configured level (VACCEL_LOG_LEVEL,
 * default 1 = errors only) go to VACCEL_LOG_FILE (default stdout; the names
 * "/dev/stdout" and "/dev/stderr" select those streams, any other value is a
 * file opened for appending).
 *
 * The macros test the level inline before evaluating anything else, so a
 * disabled log line costs one load and one compare.
 *
 * Line format: "2026.11.23-15:04:05.123 - <debug> message".
 *
 * A line at error level (vaccel_error) also becomes the calling thread's
 * last error message (vaccel_last_error_message() in error.h). That is how
 * the core and plugins report why a call failed: log the reason once, at
 * error level, where the failure happens; callers only pass the code up.
 * Details a user needs only for debugging (a backtrace) go to debug level.
 */
#ifndef VACCEL_LOG_H
#define VACCEL_LOG_H

#include "utils/enum.h"

#ifdef __cplusplus
extern "C" {
#endif

/* TRACE is this project's addition; the others are upstream's. */
#define VACCEL_LOG_LEVEL_LIST(X) \
	X(VACCEL_LOG_ERROR, 1)   \
	X(VACCEL_LOG_WARN, 2)    \
	X(VACCEL_LOG_INFO, 3)    \
	X(VACCEL_LOG_DEBUG, 4)   \
	X(VACCEL_LOG_TRACE, 5)

VACCEL_ENUM_DEFINE(vaccel_log_level, VACCEL_LOG_LEVEL_LIST, VACCEL_LOG_MAX, 11)

/*
 * printf format checking for the log functions. It expands to nothing
 * unless vAccel itself is being built (its build defines VACCEL_BUILDING)
 * or the includer opts in by defining VACCEL_FORMAT_CHECK: the installed
 * header then carries no attribute but upstream's `deprecated`, so that
 * parsers that know no GNU attributes (pycparser, which CFFI binding
 * generators run on `cc -E` output) can read it.
 */
#if defined(__GNUC__) && (defined(VACCEL_BUILDING) || defined(VACCEL_FORMAT_CHECK))
#define VACCEL_PRINTF_FORMAT(fmt_index, first_arg) \
	__attribute__((format(printf, fmt_index, first_arg)))
#else
#define VACCEL_PRINTF_FORMAT(fmt_index, first_arg)
#endif

/* Current level; read by the macros. Set through the config, not directly. */
extern volatile int vaccel__log_level;

/* Opens the log destination from the current config. Safe to call again. */
int vaccel_log_init(void);
/* Closes a log file opened by vaccel_log_init(). */
int vaccel_log_shutdown(void);

/* Writes one formatted line at `level` unconditionally (the macros do the
 * level check). Thread-safe: lines from several threads never interleave. */
void vaccel__log(vaccel_log_level_t level, const char *fmt, ...)
	VACCEL_PRINTF_FORMAT(2, 3);

/* Sets the level at run time (clamped to 1..5). */
void vaccel_log_set_level(vaccel_log_level_t level);

#define VACCEL__LOG(lvl, ...)                                \
	do {                                                 \
		if (__builtin_expect(vaccel__log_level >= (lvl), 0)) \
			vaccel__log((lvl), __VA_ARGS__);     \
	} while (0)

#define vaccel_error(...) VACCEL__LOG(VACCEL_LOG_ERROR, __VA_ARGS__)
#define vaccel_warn(...) VACCEL__LOG(VACCEL_LOG_WARN, __VA_ARGS__)
#define vaccel_info(...) VACCEL__LOG(VACCEL_LOG_INFO, __VA_ARGS__)
#define vaccel_debug(...) VACCEL__LOG(VACCEL_LOG_DEBUG, __VA_ARGS__)
#define vaccel_trace(...) VACCEL__LOG(VACCEL_LOG_TRACE, __VA_ARGS__)
#define vaccel_fatal(...) VACCEL__LOG(VACCEL_LOG_ERROR, __VA_ARGS__)

#ifdef __cplusplus
}
#endif

#endif /* VACCEL_LOG_H */
