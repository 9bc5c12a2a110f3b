// SPDX-License-Identifier: Apache-2.0
/*
 * How the plugin waits for the agent: the bounds on a read (a stalled or
 * broken agent must not hang a client forever) and the optional spin
 * before sleeping (docs/configuration.md, "RPC plugin and agent").
 */
#include "rpc_plugin.h"

#include <errno.h>
#include <stdlib.h>

#define HANDSHAKE_TIMEOUT_MS_DEFAULT 30000
/* A spin longer than a second is a mistake, not a latency setting. */
#define POLL_US_MAX 1000000u

/* A whole decimal number in 0..max, or `def` when the variable is unset
 * or empty. */
static int env_uint(const char *name, unsigned long max, unsigned long def,
		    unsigned long *out)
{
	const char *s = getenv(name);
	unsigned long v;
	char *end;

	*out = def;
	if (!s || !s[0])
		return VACCEL_OK;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end || s[0] < '0' || s[0] > '9' || v > max) {
		vaccel_error("rpc: invalid %s '%s' (expected a whole number 0..%lu)",
			     name, s, max);
		return VACCEL_EINVAL;
	}
	*out = v;
	return VACCEL_OK;
}

int rpcc_wait_load(void)
{
	unsigned long t, hs, spin;
	int ret;

	ret = env_uint("VACCEL_RPC_TIMEOUT_MS", INT32_MAX, 0, &t);
	if (!ret)
		ret = env_uint("VACCEL_RPC_HANDSHAKE_TIMEOUT_MS", INT32_MAX,
			       HANDSHAKE_TIMEOUT_MS_DEFAULT, &hs);
	if (!ret)
		ret = env_uint("VACCEL_RPC_POLL_US", POLL_US_MAX, 0, &spin);
	if (ret)
		return ret;
	rpcc.timeout_ms = (int)t;
	rpcc.handshake_timeout_ms = (int)hs;
	rpcc.poll_us = (uint32_t)spin;
	return VACCEL_OK;
}
