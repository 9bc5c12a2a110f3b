// SPDX-License-Identifier: Apache-2.0
/* Address parser: every scheme, and the malformed forms it must refuse. */
#include "testing.h"
#include "transport.h"
#include "vaccel.h"

#include <stdint.h>

static void test_unix(void)
{
	struct vaccel_addr a;

	CHECK_INT(vaccel__addr_parse("unix:///run/vaccel.sock", &a), 0);
	CHECK_INT(a.scheme, VACCEL_ADDR_UNIX);
	CHECK_STR(a.path, "/run/vaccel.sock");
	CHECK(!a.abstract);
	CHECK_STR(a.text, "unix:///run/vaccel.sock");

	CHECK_INT(vaccel__addr_parse("UNIX://@vaccel", &a), 0);
	CHECK(a.abstract);
	CHECK_STR(a.path, "vaccel");

	CHECK_INT(vaccel__addr_parse("unix://relative", &a), VACCEL_EINVAL);
	CHECK_INT(vaccel__addr_parse("unix://@", &a), VACCEL_EINVAL);
	CHECK_INT(vaccel__addr_parse("unix:///"
				     "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
				     "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
				     "aaaaaaaaaaaaaaa",
				     &a),
		  VACCEL_EINVAL);
}

static void test_tcp(void)
{
	struct vaccel_addr a;

	CHECK_INT(vaccel__addr_parse("tcp://127.0.0.1:65500", &a), 0);
	CHECK_INT(a.scheme, VACCEL_ADDR_TCP);
	CHECK_STR(a.host, "127.0.0.1");
	CHECK_INT(a.port, 65500);

	CHECK_INT(vaccel__addr_parse("tcp://[::1]:8888", &a), 0);
	CHECK_STR(a.host, "::1");
	CHECK_INT(a.port, 8888);

	CHECK_INT(vaccel__addr_parse("tcp://vaccel-agent:0", &a), 0);
	CHECK_STR(a.host, "vaccel-agent");
	CHECK_INT(a.port, 0);

	CHECK_INT(vaccel__addr_parse("tcp://host", &a), VACCEL_EINVAL);
	CHECK_INT(vaccel__addr_parse("tcp://:80", &a), VACCEL_EINVAL);
	CHECK_INT(vaccel__addr_parse("tcp://h:65536", &a), VACCEL_EINVAL);
	CHECK_INT(vaccel__addr_parse("tcp://h:-1", &a), VACCEL_EINVAL);
	CHECK_INT(vaccel__addr_parse("tcp://h:12x", &a), VACCEL_EINVAL);
	CHECK_INT(vaccel__addr_parse("tcp://h:", &a), VACCEL_EINVAL);
	CHECK_INT(vaccel__addr_parse("tcp://::1:80", &a), VACCEL_EINVAL);
	CHECK_INT(vaccel__addr_parse("tcp://[::1]80", &a), VACCEL_EINVAL);
	CHECK_INT(vaccel__addr_parse("tcp://[::1:80", &a), VACCEL_EINVAL);
}

static void test_vsock(void)
{
	struct vaccel_addr a;

	CHECK_INT(vaccel__addr_parse("vsock://3:2048", &a), 0);
	CHECK_INT(a.scheme, VACCEL_ADDR_VSOCK);
	CHECK_INT(a.cid, 3);
	CHECK_INT(a.port, 2048);
	CHECK_INT(vaccel__addr_parse("vsock://any:2048", &a), 0);
	CHECK_INT(a.cid, UINT32_MAX);
	CHECK_INT(vaccel__addr_parse("vsock://-1:1", &a), 0);
	CHECK_INT(a.cid, UINT32_MAX);
	CHECK_INT(vaccel__addr_parse("vsock://2", &a), VACCEL_EINVAL);
	CHECK_INT(vaccel__addr_parse("vsock://x:1", &a), VACCEL_EINVAL);
	CHECK_INT(vaccel__addr_parse("vsock://2:99999999999", &a),
		  VACCEL_EINVAL);
}

static void test_hvsock(void)
{
	struct vaccel_addr a;

	CHECK_INT(vaccel__addr_parse("hvsock:///tmp/fc/v.sock:2048", &a), 0);
	CHECK_INT(a.scheme, VACCEL_ADDR_HVSOCK);
	CHECK_STR(a.path, "/tmp/fc/v.sock");
	CHECK_INT(a.port, 2048);
	CHECK_INT(vaccel__addr_parse("hvsock:///tmp/v.sock", &a),
		  VACCEL_EINVAL);
	CHECK_INT(vaccel__addr_parse("hvsock://rel:1", &a), VACCEL_EINVAL);
}

static void test_other(void)
{
	struct vaccel_addr a;

	CHECK_INT(vaccel__addr_parse("virtio://vaccel.0", &a), 0);
	CHECK_INT(a.scheme, VACCEL_ADDR_VIRTIO);
	CHECK_STR(a.path, "vaccel.0");
	CHECK_INT(vaccel__addr_parse("http://x:1", &a), VACCEL_EINVAL);
	CHECK_INT(vaccel__addr_parse("127.0.0.1:80", &a), VACCEL_EINVAL);
	CHECK_INT(vaccel__addr_parse("", &a), VACCEL_EINVAL);
	CHECK_INT(vaccel__addr_parse(NULL, &a), VACCEL_EINVAL);
	CHECK_INT(vaccel__addr_parse("tcp://a:1", NULL), VACCEL_EINVAL);
	/* Known scheme without transport in this build. */
	CHECK(vaccel__transport_get(VACCEL_ADDR_TCP) != NULL);
}

TEST_MAIN(test_unix, test_tcp, test_vsock, test_hvsock, test_other)
