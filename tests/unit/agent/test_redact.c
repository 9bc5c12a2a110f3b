// SPDX-License-Identifier: Apache-2.0
/*
 * agent_redact_paths: what a client reads of an error message. Absolute
 * paths become their last component wherever a loader, libtorch or the
 * core put them; everything else stays as it was.
 */
#include "agent.h"
#include "testing.h"

static void check(const char *in, const char *want)
{
	char buf[RPC_MAX_ERRMSG];

	snprintf(buf, sizeof(buf), "%s", in);
	agent_redact_paths(buf);
	CHECK_STR(buf, want);
}

static void test_loader_messages(void)
{
	check("symbol f not found in /opt/app/lib/libf.so",
	      "symbol f not found in libf.so");
	check("/opt/app/lib/libf.so: undefined symbol: f",
	      "libf.so: undefined symbol: f");
	check("cannot open '/tmp/vaccel-agent.Ab12/c34/r1/model.pt': No such file",
	      "cannot open 'model.pt': No such file");
	check("open file failed, file path: /tmp/vaccel-agent.x/c1/r2/m.pt",
	      "open file failed, file path: m.pt");
	check("(in /usr/lib/x86_64-linux-gnu/libc10.so)", "(in libc10.so)");
	check("PATH=/usr/bin:/bin,/sbin", "PATH=bin:bin,sbin");
	check("dir /tmp/vaccel-agent.x/c1/ is gone", "dir c1 is gone");
}

static void test_left_alone(void)
{
	check("expected input[1, 1, 32, 32] to have 3 channels",
	      "expected input[1, 1, 32, 32] to have 3 channels");
	check("3/4 of 1/2 and a/b/c", "3/4 of 1/2 and a/b/c");
	check("x / y and //", "x / y and //");
	check("fetch http://host/a/b failed", "fetch http://host/a/b failed");
	check("", "");
	check("/", "/");
	check("model.pt", "model.pt");
}

TEST_MAIN(test_loader_messages, test_left_alone)
