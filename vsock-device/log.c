// SPDX-License-Identifier: Apache-2.0
#include "log.h"

#include <stdarg.h>
#include <stdio.h>

int vsd_log_level = VSD_LOG_INFO;

static const char *const level_names[] = {
	[VSD_LOG_ERROR] = "error",
	[VSD_LOG_WARN] = "warning",
	[VSD_LOG_INFO] = "info",
	[VSD_LOG_DEBUG] = "debug",
};

static void vlog(int level, const char *fmt, va_list ap)
{
	char line[1024];

	vsnprintf(line, sizeof(line), fmt, ap);
	/* One fprintf per line keeps lines whole when stderr is shared. */
	fprintf(stderr, "vaccel-vsock-device: %s: %s\n", level_names[level],
		line);
}

void vsd_log(int level, const char *fmt, ...)
{
	va_list ap;

	if (level < VSD_LOG_ERROR || level > VSD_LOG_DEBUG ||
	    level > vsd_log_level)
		return;
	va_start(ap, fmt);
	vlog(level, fmt, ap);
	va_end(ap);
}

void vsd_log_limited(struct vsd_log_limit *lim, int level, const char *fmt,
		     ...)
{
	uint64_t n = ++lim->events;
	va_list ap;

	if (level < VSD_LOG_ERROR || level > VSD_LOG_DEBUG ||
	    level > vsd_log_level)
		return;
	if (n > VSD_LOG_BURST && (n - VSD_LOG_BURST) % 1024 != 0)
		return;
	va_start(ap, fmt);
	vlog(level, fmt, ap);
	va_end(ap);
	if (n == VSD_LOG_BURST)
		vsd_log(level, "(further events of this kind: one line in 1024)");
	else if (n > VSD_LOG_BURST)
		vsd_log(level, "(%llu events of this kind so far)",
			(unsigned long long)n);
}
