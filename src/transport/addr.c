// SPDX-License-Identifier: Apache-2.0
/*
 * Address parsing: "<scheme>://<rest>" into struct vaccel_addr. The syntax
 * per scheme is described in transport.h and docs/remote.md.
 */
#include "transport.h"

#include "vaccel.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const struct {
	const char *name;
	enum vaccel_addr_scheme scheme;
} schemes[] = {
	{ "unix", VACCEL_ADDR_UNIX },	  { "tcp", VACCEL_ADDR_TCP },
	{ "vsock", VACCEL_ADDR_VSOCK },	  { "hvsock", VACCEL_ADDR_HVSOCK },
	{ "virtio", VACCEL_ADDR_VIRTIO },
};

/* Parses a decimal number in [0, max] spanning exactly s[0..n). */
static int parse_num(const char *s, size_t n, uint32_t max, uint32_t *out)
{
	uint64_t v = 0;

	if (n == 0 || n > 10)
		return VACCEL_EINVAL;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return VACCEL_EINVAL;
		v = v * 10 + (uint64_t)(s[i] - '0');
	}
	if (v > max)
		return VACCEL_EINVAL;
	*out = (uint32_t)v;
	return VACCEL_OK;
}

static int parse_unix(const char *rest, struct vaccel_addr *a)
{
	size_t n;

	if (rest[0] == '@') {
		a->abstract = true;
		rest++;
	} else if (rest[0] != '/') {
		vaccel_error("address %s: unix path must be absolute or @abstract",
			     a->text);
		return VACCEL_EINVAL;
	}
	n = strlen(rest);
	if (n == 0 || n >= sizeof(a->path)) {
		vaccel_error("address %s: unix path of %zu bytes (1..%zu allowed)",
			     a->text, n, sizeof(a->path) - 1);
		return VACCEL_EINVAL;
	}
	memcpy(a->path, rest, n + 1);
	return VACCEL_OK;
}

static int parse_tcp(const char *rest, struct vaccel_addr *a)
{
	const char *host = rest, *colon;
	size_t hlen;

	if (rest[0] == '[') {
		const char *end = strchr(rest, ']');

		if (!end || end[1] != ':') {
			vaccel_error("address %s: expected [ipv6]:port",
				     a->text);
			return VACCEL_EINVAL;
		}
		host = rest + 1;
		hlen = (size_t)(end - host);
		colon = end + 1;
	} else {
		colon = strrchr(rest, ':');
		if (!colon || memchr(rest, ':', (size_t)(colon - rest))) {
			vaccel_error("address %s: expected host:port (bracket IPv6 literals)",
				     a->text);
			return VACCEL_EINVAL;
		}
		hlen = (size_t)(colon - rest);
	}
	if (hlen == 0 || hlen >= sizeof(a->host)) {
		vaccel_error("address %s: host of %zu bytes", a->text, hlen);
		return VACCEL_EINVAL;
	}
	memcpy(a->host, host, hlen);
	a->host[hlen] = '\0';
	if (parse_num(colon + 1, strlen(colon + 1), 65535, &a->port)) {
		vaccel_error("address %s: bad tcp port '%s'", a->text,
			     colon + 1);
		return VACCEL_EINVAL;
	}
	return VACCEL_OK;
}

static int parse_vsock(const char *rest, struct vaccel_addr *a)
{
	const char *colon = strchr(rest, ':');
	size_t clen;

	if (!colon) {
		vaccel_error("address %s: expected CID:PORT", a->text);
		return VACCEL_EINVAL;
	}
	clen = (size_t)(colon - rest);
	if ((clen == 3 && strncasecmp(rest, "any", 3) == 0) ||
	    (clen == 2 && strncmp(rest, "-1", 2) == 0)) {
		a->cid = UINT32_MAX;
	} else if (parse_num(rest, clen, UINT32_MAX - 1, &a->cid)) {
		vaccel_error("address %s: bad vsock CID", a->text);
		return VACCEL_EINVAL;
	}
	if (parse_num(colon + 1, strlen(colon + 1), UINT32_MAX - 1,
		      &a->port)) {
		vaccel_error("address %s: bad vsock port '%s'", a->text,
			     colon + 1);
		return VACCEL_EINVAL;
	}
	return VACCEL_OK;
}

static int parse_hvsock(const char *rest, struct vaccel_addr *a)
{
	const char *colon = strrchr(rest, ':');
	size_t plen;

	if (rest[0] != '/' || !colon) {
		vaccel_error("address %s: expected hvsock:///uds/path:PORT",
			     a->text);
		return VACCEL_EINVAL;
	}
	plen = (size_t)(colon - rest);
	/* Leaves room for the "_PORT" suffix that listen appends. */
	if (plen + 12 >= sizeof(a->path)) {
		vaccel_error("address %s: path of %zu bytes is too long",
			     a->text, plen);
		return VACCEL_EINVAL;
	}
	memcpy(a->path, rest, plen);
	a->path[plen] = '\0';
	if (parse_num(colon + 1, strlen(colon + 1), UINT32_MAX - 1,
		      &a->port)) {
		vaccel_error("address %s: bad vsock port '%s'", a->text,
			     colon + 1);
		return VACCEL_EINVAL;
	}
	return VACCEL_OK;
}

static int parse_virtio(const char *rest, struct vaccel_addr *a)
{
	size_t n = strlen(rest);

	if (n == 0 || n >= sizeof(a->path)) {
		vaccel_error("address %s: virtio port name of %zu bytes",
			     a->text, n);
		return VACCEL_EINVAL;
	}
	memcpy(a->path, rest, n + 1);
	return VACCEL_OK;
}

int vaccel__addr_parse(const char *text, struct vaccel_addr *addr)
{
	const char *sep;
	size_t slen, tlen;

	if (!text || !addr) {
		vaccel_error("address parse: NULL %s", text ? "addr" : "text");
		return VACCEL_EINVAL;
	}
	memset(addr, 0, sizeof(*addr));
	tlen = strlen(text);
	if (tlen >= sizeof(addr->text)) {
		vaccel_error("address of %zu bytes is too long (max %zu)", tlen,
			     sizeof(addr->text) - 1);
		return VACCEL_EINVAL;
	}
	memcpy(addr->text, text, tlen + 1);

	sep = strstr(text, "://");
	if (!sep) {
		vaccel_error("address %s: expected <scheme>://...", text);
		return VACCEL_EINVAL;
	}
	slen = (size_t)(sep - text);
	for (size_t i = 0; i < sizeof(schemes) / sizeof(schemes[0]); i++) {
		if (strlen(schemes[i].name) != slen ||
		    strncasecmp(text, schemes[i].name, slen) != 0)
			continue;
		addr->scheme = schemes[i].scheme;
		switch (addr->scheme) {
		case VACCEL_ADDR_UNIX:
			return parse_unix(sep + 3, addr);
		case VACCEL_ADDR_TCP:
			return parse_tcp(sep + 3, addr);
		case VACCEL_ADDR_VSOCK:
			return parse_vsock(sep + 3, addr);
		case VACCEL_ADDR_HVSOCK:
			return parse_hvsock(sep + 3, addr);
		case VACCEL_ADDR_VIRTIO:
			return parse_virtio(sep + 3, addr);
		}
	}
	vaccel_error("address %s: unknown scheme (unix, tcp, vsock, hvsock, virtio)",
		     text);
	return VACCEL_EINVAL;
}
