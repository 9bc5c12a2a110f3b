// SPDX-License-Identifier: Apache-2.0
/*
 * What a client may read of the host in an error reply: the reason, not
 * the host's file system. Host plugins and libvaccel name files by their
 * host paths ("symbol f not found in /opt/lib/libf.so", a TorchScript
 * loader's "file path: /tmp/vaccel-agent.Xy/c3/r1/model.pt"); the agent
 * reduces every absolute path in a reply's message to its last component
 * (the blob's name as the client gave it, the library's file name), so the
 * engine's reason survives and the layout of the host does not. The rules
 * are in docs/security.md ("What a client sees of the host").
 */
#include "agent.h"

#include <stdbool.h>
#include <string.h>

/* Characters after which a '/' starts a path. */
static bool opens_path(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\'' ||
	       c == '"' || c == '`' || c == '(' || c == '[' || c == '<' ||
	       c == '{' || c == '=' || c == ',' || c == ':';
}

/* Characters that end a path. A ':' does too, which is how loaders
 * follow a path with their reason ("/x/libf.so: undefined symbol: f"). */
static bool closes_path(char c)
{
	return c == '\0' || c == ' ' || c == '\t' || c == '\n' || c == '\r' ||
	       c == '\'' || c == '"' || c == '`' || c == ')' || c == ']' ||
	       c == '>' || c == '}' || c == ',' || c == ';' || c == ':';
}

void agent_redact_paths(char *msg)
{
	/* Written in place: out never passes in. `prev` is the input's last
	 * character, which out may have overwritten. */
	char *in = msg, *out = msg, prev = ' ';

	while (*in) {
		char *end, *last, *p;
		size_t n;

		if (*in != '/' || !opens_path(prev)) {
			prev = *in;
			*out++ = *in++;
			continue;
		}
		for (end = in; !closes_path(*end); end++)
			;
		/* A URL's "//host/..." names what the client sent. */
		if (in[1] == '/') {
			prev = end[-1];
			memmove(out, in, (size_t)(end - in));
			out += end - in;
			in = end;
			continue;
		}
		/* The last component, trailing slashes left out. */
		for (last = end; last > in && last[-1] == '/'; last--)
			;
		for (p = last; p > in && p[-1] != '/'; p--)
			;
		n = (size_t)(last - p);
		if (n == 0) {
			/* Only slashes: no path at all. */
			n = (size_t)(end - in);
			p = in;
		}
		prev = end[-1];
		memmove(out, p, n);
		out += n;
		in = end;
	}
	*out = '\0';
}
