// SPDX-License-Identifier: Apache-2.0

#include "core_priv.h"
#include "vaccel/core.h"
#include "vaccel/error.h"
#include "vaccel/log.h"
#include <stdarg.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#define LOG_LINE_MAX 1024

volatile int vaccel__log_level = VACCEL_LOG_ERROR;

/* The destination and the lock that keeps lines whole. `log_fd_owned` is
 * true when log_fd is a file this module opened (and must close). */
static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;
static int log_fd = STDOUT_FILENO;
static bool log_fd_owned;

const char *vaccel__log_level_name(vaccel_log_level_t level)
{
	switch (level) {
	case VACCEL_LOG_ERROR:
		return "error";
	case VACCEL_LOG_WARN:
		return "warn";
	case VACCEL_LOG_INFO:
		return "info";
	case VACCEL_LOG_DEBUG:
		return "debug";
	case VACCEL_LOG_TRACE:
		return "trace";
	default:
		return "?";
	}
}

void vaccel_log_set_level(vaccel_log_level_t level)
{
	int l = (int)level;

	if (l < VACCEL_LOG_ERROR)
		l = VACCEL_LOG_ERROR;
	if (l > VACCEL_LOG_TRACE)
		l = VACCEL_LOG_TRACE;
	vaccel__log_level = l;
}

/* Opens `path` for appending; NULL, "/dev/stdout" and "/dev/stderr" select
 * the standard streams without opening anything. */
static int open_destination(const char *path, bool *owned)
{
	int fd;

	*owned = false;
	if (!path || !*path || strcmp(path, "/dev/stdout") == 0)
		return STDOUT_FILENO;
	if (strcmp(path, "/dev/stderr") == 0)
		return STDERR_FILENO;

	fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	if (fd < 0) {
		/* A bad log file must not stop the library from working, so
		 * say so on stderr and log there instead. */
		fprintf(stderr,
			"Warning: could not open log file %s: %s; logging to stderr\n",
			path, strerror(errno));
		return STDERR_FILENO;
	}
	*owned = true;
	return fd;
}

int vaccel_log_init(void)
{
	const struct vaccel_config *config = vaccel_config();
	const char *path = config ? config->log_file : NULL;
	bool owned;
	int fd;

	fd = open_destination(path, &owned);

	pthread_mutex_lock(&log_lock);
	if (log_fd_owned)
		close(log_fd);
	log_fd = fd;
	log_fd_owned = owned;
	pthread_mutex_unlock(&log_lock);

	if (config)
		vaccel_log_set_level(config->log_level);
	return VACCEL_OK;
}

int vaccel_log_shutdown(void)
{
	pthread_mutex_lock(&log_lock);
	if (log_fd_owned)
		close(log_fd);
	log_fd = STDOUT_FILENO;
	log_fd_owned = false;
	pthread_mutex_unlock(&log_lock);
	return VACCEL_OK;
}

/* Writes all of buf, retrying short writes and interrupts. */
static void write_all(int fd, const char *buf, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, buf, len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return;
		}
		buf += n;
		len -= (size_t)n;
	}
}

static void log_va(vaccel_log_level_t level, const char *fmt, va_list ap)
{
	char stack[LOG_LINE_MAX];
	char *line = stack;
	struct timeval tv;
	struct tm tm;
	va_list ap2;
	int prefix, len;

	if (!fmt)
		return;

	gettimeofday(&tv, NULL);
	localtime_r(&tv.tv_sec, &tm);
	prefix = snprintf(stack, sizeof(stack),
			  "%04d.%02d.%02d-%02d:%02d:%02d.%03ld - <%s> ",
			  tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
			  tm.tm_hour, tm.tm_min, tm.tm_sec,
			  (long)(tv.tv_usec / 1000), vaccel__log_level_name(level));
	if (prefix < 0 || (size_t)prefix >= sizeof(stack))
		return;

	va_copy(ap2, ap);
	len = vsnprintf(stack + prefix, sizeof(stack) - (size_t)prefix, fmt,
			ap2);
	va_end(ap2);
	if (len < 0)
		return;

	/* Long messages are formatted again into a heap buffer so that no
	 * line is ever cut; if that allocation fails the cut line is still
	 * better than none. */
	if ((size_t)prefix + (size_t)len + 2 > sizeof(stack)) {
		char *big = malloc((size_t)prefix + (size_t)len + 2);

		if (big) {
			memcpy(big, stack, (size_t)prefix);
			vsnprintf(big + prefix, (size_t)len + 1, fmt, ap);
			line = big;
		} else {
			len = (int)(sizeof(stack) - (size_t)prefix - 2);
		}
	}
	line[prefix + len] = '\n';
	if (level == VACCEL_LOG_ERROR)
		vaccel__last_error_set(line + prefix, (size_t)len);

	pthread_mutex_lock(&log_lock);
	write_all(log_fd, line, (size_t)prefix + (size_t)len + 1);
	pthread_mutex_unlock(&log_lock);

	if (line != stack)
		free(line);
}

void vaccel__log(vaccel_log_level_t level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_va(level, fmt, ap);
	va_end(ap);
}
