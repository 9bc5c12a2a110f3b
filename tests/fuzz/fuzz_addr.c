// SPDX-License-Identifier: Apache-2.0
/*
 * Fuzz target: the transport address parser (src/transport/addr.c), which
 * reads VACCEL_RPC_ADDRESS and the agent's --address values. The input is
 * the address text (up to its first NUL). A parsed address must describe
 * what it claims: a known scheme, terminated strings that fit their
 * fields, a port that fits 16 bits where the scheme has one, and the
 * original text kept.
 */
#include "fuzz_common.h"
#include "transport.h"

#include <string.h>

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_quiet();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vaccel_addr a, b;
	char *text;

	/* Longer than any field: exercises the length checks. */
	if (size > 2 * VACCEL_ADDR_MAX)
		return 0;
	text = malloc(size + 1);
	FUZZ_ASSERT(text);
	memcpy(text, data, size);
	text[size] = '\0';
	memset(&a, 0xa5, sizeof(a));
	if (vaccel__addr_parse(text, &a) == VACCEL_OK) {
		FUZZ_ASSERT(memchr(a.text, '\0', sizeof(a.text)));
		FUZZ_ASSERT(strcmp(a.text, text) == 0);
		FUZZ_ASSERT(memchr(a.path, '\0', sizeof(a.path)));
		FUZZ_ASSERT(memchr(a.host, '\0', sizeof(a.host)));
		switch (a.scheme) {
		case VACCEL_ADDR_TCP:
			FUZZ_ASSERT(a.port <= 65535 && a.host[0]);
			break;
		case VACCEL_ADDR_UNIX:
		case VACCEL_ADDR_VIRTIO:
			FUZZ_ASSERT(a.path[0]);
			break;
		case VACCEL_ADDR_HVSOCK:
			FUZZ_ASSERT(a.path[0]);
			break;
		case VACCEL_ADDR_VSOCK:
			break;
		default:
			FUZZ_ASSERT(!"unknown scheme");
		}
		/* Parsing is a pure function of the text. */
		FUZZ_ASSERT(vaccel__addr_parse(a.text, &b) == VACCEL_OK);
		FUZZ_ASSERT(b.scheme == a.scheme && b.port == a.port &&
			    b.cid == a.cid && b.abstract == a.abstract &&
			    !strcmp(b.path, a.path) && !strcmp(b.host, a.host));
	}
	free(text);
	return 0;
}
