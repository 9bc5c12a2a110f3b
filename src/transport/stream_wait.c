// SPDX-License-Identifier: Apache-2.0
/*
 * The wait before a stream read: an optional spin of up to poll_us
 * microseconds (a reply that arrives within it is read without the
 * scheduler's sleep and wake-up), then an optional bound on the sleep
 * (read_timeout_ms), so that a silent peer cannot hold a reader forever.
 * Every read of a stream (vaccel__stream_readv) waits here, whatever the
 * scheme: the fd of a socket and of a char device can both be polled.
 */
#include "transport.h"

#include <errno.h>
#include <poll.h>
#include <time.h>

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* poll(2) on the stream's fd for `ms` (-1: forever), EINTR retried with
 * what is left. 1 when readable (or hung up, or in error: the read that
 * follows says which), 0 when the time ran out, -1 on a poll error. */
static int poll_in(int fd, int ms)
{
	uint64_t end = ms > 0 ? now_ns() + (uint64_t)ms * 1000000u : 0;

	for (;;) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		int n = poll(&p, 1, ms);

		if (n >= 0)
			return n > 0;
		if (errno != EINTR)
			return -1;
		if (ms > 0) {
			uint64_t t = now_ns();

			if (t >= end)
				return 0;
			ms = (int)((end - t + 999999u) / 1000000u);
		}
	}
}

int vaccel__stream_wait(struct vaccel_stream *s)
{
	int n;

	if (s->poll_us) {
		uint64_t end = now_ns() + (uint64_t)s->poll_us * 1000u;

		do {
			n = poll_in(s->fd, 0);
			if (n != 0)
				return n > 0 ? 0 : -1;
		} while (now_ns() < end);
	}
	if (s->read_timeout_ms <= 0)
		return 0;
	n = poll_in(s->fd, s->read_timeout_ms);
	if (n == 0)
		errno = ETIMEDOUT;
	return n > 0 ? 0 : -1;
}

ssize_t vaccel__stream_readv(struct vaccel_stream *s, const struct iovec *iov,
			     int iovcnt)
{
	if ((s->poll_us || s->read_timeout_ms > 0) && vaccel__stream_wait(s))
		return -1;
	return s->ops->readv(s, iov, iovcnt);
}
