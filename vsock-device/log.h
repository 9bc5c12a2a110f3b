/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Logging of vaccel-vsock-device: one line per event on stderr,
 * "vaccel-vsock-device: <level>: <message>". The device does not link
 * libvaccel (it is a separate daemon between QEMU and the host's UNIX
 * sockets), so it has its own few lines of logging.
 */
#ifndef VSD_LOG_H
#define VSD_LOG_H

#include <stdint.h>

enum vsd_log_level {
	VSD_LOG_ERROR = 1,
	VSD_LOG_WARN = 2,
	VSD_LOG_INFO = 3,
	VSD_LOG_DEBUG = 4,
};

/* Messages above this level are dropped (default VSD_LOG_INFO; 0 silences
 * everything, which the fuzz target uses). */
extern int vsd_log_level;

void vsd_log(int level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#define vsd_error(...) vsd_log(VSD_LOG_ERROR, __VA_ARGS__)
#define vsd_warn(...) vsd_log(VSD_LOG_WARN, __VA_ARGS__)
#define vsd_info(...) vsd_log(VSD_LOG_INFO, __VA_ARGS__)
#define vsd_debug(...) vsd_log(VSD_LOG_DEBUG, __VA_ARGS__)

/*
 * A bounded log for events a guest can cause at will (bad packets, bad
 * descriptors): the first VSD_LOG_BURST events of a limiter are logged,
 * then one in every 1024 with the count of those left out, so a hostile
 * guest cannot flood the host's logs.
 */
#define VSD_LOG_BURST 32
struct vsd_log_limit {
	uint64_t events;
};

void vsd_log_limited(struct vsd_log_limit *lim, int level, const char *fmt,
		     ...) __attribute__((format(printf, 3, 4)));

#endif /* VSD_LOG_H */
