// SPDX-License-Identifier: Apache-2.0
/*
 * The agent's SHA-256 (agent/sha256.c), which decides whether an uploaded
 * library is a copy of an --exec-allow file: the FIPS 180-2 examples, a
 * million 'a', and lengths around the 55/56/64-byte padding edges (digests
 * from Python's hashlib); a file hashes like its bytes.
 */
#include "agent.h"
#include "testing.h"

#include <stdio.h>
#include <unistd.h>

static void hex(const uint8_t d[32], char out[65])
{
	for (int i = 0; i < 32; i++)
		snprintf(out + 2 * i, 3, "%02x", d[i]);
}

static void check_digest(const void *data, size_t len, const char *want)
{
	uint8_t d[32];
	char got[65];

	agent_sha256(data, len, d);
	hex(d, got);
	if (strcmp(got, want)) {
		fprintf(stderr, "%zu bytes: %s, expected %s\n", len, got, want);
		CHECK(!"SHA-256 digest");
	}
}

static void test_vectors(void)
{
	static const struct {
		size_t len;
		const char *want;
	} edges[] = {
		{ 55, "e7313d333c272e639f790978283f9eb392e843d0f29b7016828bb1daa4aac70b" },
		{ 56, "4324d65f3c103567f5589c710bc08f8523f929a9272e3af36fc968e52abc6c27" },
		{ 63, "81c80242132f230c3bd41b3e63bbcff16107339549214a99614ff26664625055" },
		{ 64, "39e3d7b6b5d075d37d053ad89b24b41bef4f3c29760c84447cab3f3be1882241" },
		{ 65, "aacca6ff74fdbb296d165a45cecfa04e5127bc008770fbbdd48006f2d2fae95e" },
		{ 119, "9ce7368e4daf32341631b492e80359dc9f594b48453cd0dd5bf0b19279cc177e" },
		{ 120, "7836b787757e95e58b3ca5aec90b1b004e8deba1e50e9675af9cabf1a13a04b5" },
	};
	uint8_t buf[120];
	char *million = malloc(1000000);

	check_digest("", 0, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	check_digest("abc", 3, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	check_digest("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", 56,
		     "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
	for (size_t i = 0; i < sizeof(buf); i++)
		buf[i] = (uint8_t)(i * 7 + 3);
	for (size_t i = 0; i < sizeof(edges) / sizeof(edges[0]); i++)
		check_digest(buf, edges[i].len, edges[i].want);
	REQUIRE(million);
	memset(million, 'a', 1000000);
	check_digest(million, 1000000, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
	free(million);
}

static void test_file(void)
{
	char path[] = "/tmp/vaccel-sha256-XXXXXX";
	uint8_t data[40000], a[32], b[32];
	int fd = mkstemp(path);

	REQUIRE(fd >= 0);
	for (size_t i = 0; i < sizeof(data); i++)
		data[i] = (uint8_t)(i ^ (i >> 8));
	REQUIRE(write(fd, data, sizeof(data)) == (ssize_t)sizeof(data));
	close(fd);
	REQUIRE(agent_sha256_file(path, a) == 0);
	agent_sha256(data, sizeof(data), b);
	CHECK(memcmp(a, b, 32) == 0);
	unlink(path);
	CHECK_INT(agent_sha256_file(path, a), -1);
}

TEST_MAIN(test_vectors, test_file)
