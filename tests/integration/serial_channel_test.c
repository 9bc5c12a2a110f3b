// SPDX-License-Identifier: Apache-2.0
/*
 * virtio-serial channel semantics on the host, without a VM: the real
 * vaccel-agent listens on virtio:///.../chan.sock and this test plays
 * QEMU's part. It holds ONE connection to the agent for the whole test (the
 * chardev of one port) and lets "guest processes" use it one at a time
 * through guest.sock, reading nothing from the agent while no guest process
 * is attached, as QEMU does while the guest has the port closed. The guest
 * processes use the real virtio:// client transport (which resyncs the
 * channel on connect) and the real rpc plugin.
 *
 * Checked: a client that leaves a session and a resource behind (killed
 * mid-call, its reply still in flight) is forgotten when the next one
 * connects, and the stale reply does not reach the new client; a torn
 * frame, a half-finished upload and garbage are all recovered from; the
 * agent keeps serving another client on a unix socket meanwhile; the
 * threads of one guest process have their calls in flight together on the
 * one channel.
 */
#include "rpc_common.h"
#include "testing.h"

#include <pthread.h>
#include <stdatomic.h>
#include <sys/un.h>

static char dir[] = "/tmp/vaccel-serial-test.XXXXXX";
static char chan[128], guest[128], ctl[160], guest_addr[160];
static int qemu_fd = -1, guest_lfd = -1;
static atomic_bool stop;

static int unix_fd(const char *path, bool listening)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", path);
	if (fd < 0)
		return -1;
	if (listening ? bind(fd, (struct sockaddr *)&sun, sizeof(sun)) ||
				listen(fd, 4) :
			connect(fd, (struct sockaddr *)&sun, sizeof(sun))) {
		close(fd);
		return -1;
	}
	return fd;
}

/* Copies what is readable on `from` to `to`; false when `from` ended. */
static bool pump(int from, int to)
{
	char buf[65536];
	ssize_t n = read(from, buf, sizeof(buf));

	if (n <= 0)
		return false;
	for (ssize_t off = 0; off < n;) {
		ssize_t w = write(to, buf + off, (size_t)(n - off));

		if (w <= 0)
			return false;
		off += w;
	}
	return true;
}

/* QEMU's part: one guest process at a time on the one agent stream. */
static void *qemu_main(void *arg)
{
	(void)arg;
	while (!atomic_load(&stop)) {
		struct pollfd p = { .fd = guest_lfd, .events = POLLIN };
		int g;

		if (poll(&p, 1, 100) != 1)
			continue;
		g = accept(guest_lfd, NULL, NULL);
		if (g < 0)
			continue;
		for (;;) {
			struct pollfd ps[2] = { { .fd = g, .events = POLLIN },
						{ .fd = qemu_fd,
						  .events = POLLIN } };

			if (poll(ps, 2, 100) < 0 || atomic_load(&stop))
				break;
			if ((ps[0].revents & (POLLIN | POLLHUP)) &&
			    !pump(g, qemu_fd))
				break;
			if ((ps[1].revents & POLLIN) && !pump(qemu_fd, g))
				break;
		}
		close(g);
	}
	return NULL;
}

/* Sessions and resources the agent holds, through the unix listener. */
static bool stats_are(uint64_t sessions, uint64_t resources, int ms)
{
	uint64_t end = test_now_ms() + (uint64_t)ms;
	struct rpc_stats st = { 0 };

	do {
		if (agent_stats(ctl, &st) == 0 && st.sessions == sessions &&
		    st.resources == resources)
			return true;
		usleep(20000);
	} while (test_now_ms() < end);
	fprintf(stderr, "agent holds %llu sessions, %llu resources; expected %llu, %llu\n",
		(unsigned long long)st.sessions,
		(unsigned long long)st.resources,
		(unsigned long long)sessions, (unsigned long long)resources);
	return false;
}

/* A guest process: the rpc plugin on virtio://guest.sock. */
static pid_t helper(char **argv, int *out)
{
	int p[2];
	pid_t pid;

	if (pipe(p))
		return -1;
	pid = test_fork();
	if (pid == 0) {
		dup2(p[1], 1);
		close(p[0]);
		setenv("VACCEL_PLUGINS", getenv("VACCEL_TEST_RPC_PLUGIN"), 1);
		setenv("VACCEL_RPC_ADDRESS", guest_addr, 1);
		unsetenv("VACCEL_BOOTSTRAP_ENABLED");
		execv(getenv("VACCEL_TEST_HELPER"), argv);
		_exit(127);
	}
	close(p[1]);
	*out = p[0];
	return pid;
}

static bool wait_ready(int fd)
{
	char c = 0;
	struct pollfd p = { .fd = fd, .events = POLLIN };

	return poll(&p, 1, 20000) == 1 && read(fd, &c, 1) == 1 && c == 'R';
}

static int run_helper(char **argv)
{
	int fd, st;
	pid_t pid = helper(argv, &fd);

	if (pid < 0)
		return -1;
	waitpid(pid, &st, 0);
	close(fd);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

/* A new guest client that checks the channel works: SYNC, HELLO, a
 * session made and destroyed. */
static bool client_works(void)
{
	struct rpc_sess_req q = { 0, 0 };
	struct rpc_reply_prefix p;
	uint8_t buf[512];
	int64_t id = 0;
	size_t n, got;
	struct raw r;
	int code;
	bool ok;

	if (raw_connect(&r, guest_addr))
		return false;
	n = rpc_sess_req_encode(buf, sizeof(buf), RPC_MSG_SESS_CREATE, &q);
	ok = raw_hello(&r, RPC_VERSION_MAJOR, &code) ==
		     (RPC_MSG_HELLO | RPC_MSG_REPLY) &&
	     raw_call(&r, RPC_MSG_SESS_CREATE, buf, n, buf, sizeof(buf), &got,
		      &code) == (RPC_MSG_SESS_CREATE | RPC_MSG_REPLY) &&
	     rpc_id_reply_decode(buf, got, &p, &id) == 0 && id > 0;
	q.sess_id = id;
	n = rpc_sess_req_encode(buf, sizeof(buf), RPC_MSG_SESS_DESTROY, &q);
	ok = ok && raw_call(&r, RPC_MSG_SESS_DESTROY, buf, n, buf, sizeof(buf),
			    &got, &code) == (RPC_MSG_SESS_DESTROY | RPC_MSG_REPLY);
	raw_close(&r);
	return ok;
}

static void test_client_killed_mid_call(void)
{
	char *slow[] = { "helper", "slow", getenv("VACCEL_TEST_SLOWLIB"),
			 "1500", NULL };
	int fd, st;
	pid_t pid = helper(slow, &fd);

	REQUIRE(pid > 0);
	CHECK(wait_ready(fd));
	/* Registered: a session and the uploaded library. */
	CHECK(stats_are(1, 1, 5000));
	usleep(200000);
	kill(pid, SIGKILL);
	waitpid(pid, &st, 0);
	close(fd);
	/* The channel never saw a disconnect: the state is still there. */
	CHECK(stats_are(1, 1, 100));
	/* Let the slow call finish: its reply waits in the channel for
	 * whoever opens the port next. */
	usleep(1800000);
	CHECK(client_works());
	CHECK(stats_are(0, 0, 2000));
}

static void test_rpc_plugin_over_channel(void)
{
	char *noops[] = { "helper", "noops", "200", NULL };

	CHECK_INT(run_helper(noops), 0);
	CHECK_INT(run_helper(noops), 0);
	CHECK(stats_are(0, 0, 2000));
}

/* Threads of one guest process share the one channel: one upload linked
 * to 4 sessions, 4 threads x 50 calls in flight together, each result
 * checked. */
static void test_threads_over_channel(void)
{
	char *th[] = { "helper", "threads", getenv("VACCEL_TEST_MEETLIB"), "4",
		       "50", NULL };

	CHECK_INT(run_helper(th), 0);
	CHECK(stats_are(0, 0, 2000));
}

static void test_half_upload(void)
{
	char *up[] = { "helper", "upload", guest_addr, NULL };
	int fd, st;
	pid_t pid = helper(up, &fd);

	REQUIRE(pid > 0);
	CHECK(wait_ready(fd));
	kill(pid, SIGKILL);
	waitpid(pid, &st, 0);
	close(fd);
	CHECK(stats_are(1, 0, 100));
	CHECK(client_works());
	CHECK(stats_are(0, 0, 2000));
}

/* Half a frame: the header of a 60000-byte OP and 5000 bytes of it. The
 * agent waits for the rest; the next client's filler completes it. */
static void test_torn_frame(void)
{
	static uint8_t part[5000];
	struct rpc_hdr h = { 60000, RPC_MSG_OP, 0, 7 };
	uint8_t hdr[RPC_HDR_SIZE];
	uint64_t t0;
	struct raw r;
	int code;

	REQUIRE(raw_connect(&r, guest_addr) == 0);
	CHECK_INT(raw_hello(&r, RPC_VERSION_MAJOR, &code),
		  RPC_MSG_HELLO | RPC_MSG_REPLY);
	rpc_hdr_encode(hdr, &h);
	memset(part, 0x5a, sizeof(part));
	CHECK(write(r.c.s.fd, hdr, sizeof(hdr)) == sizeof(hdr));
	CHECK(write(r.c.s.fd, part, sizeof(part)) == sizeof(part));
	raw_close(&r);
	t0 = test_now_ms();
	CHECK(client_works());
	fprintf(stderr, "torn frame: the next client was served after %llu ms\n",
		(unsigned long long)(test_now_ms() - t0));
	CHECK(stats_are(0, 0, 2000));
}

/* Garbage, small and large; the unix client is served meanwhile. */
static void test_garbage(void)
{
	static uint8_t junk[1 << 20];
	struct rpc_stats st;
	struct raw r;

	for (size_t i = 0; i < sizeof(junk); i++)
		junk[i] = (uint8_t)(i * 131 + (i >> 7));
	for (int round = 0; round < 2; round++) {
		size_t total = round ? 8 * sizeof(junk) : 777;

		REQUIRE(raw_connect(&r, guest_addr) == 0);
		for (size_t off = 0; off < total; off += sizeof(junk)) {
			size_t n = total - off < sizeof(junk) ? total - off :
								sizeof(junk);
			struct iovec iov = { junk, n };

			CHECK_INT(vaccel__stream_write_all(&r.c.s, &iov, 1),
				  VACCEL_OK);
		}
		CHECK_INT(agent_stats(ctl, &st), 0);
		raw_close(&r);
		CHECK(client_works());
	}
	CHECK(stats_are(0, 0, 2000));
}

/* A SYNC is also answered on a plain unix:// listener (a chardev pointed
 * there), at a frame boundary; garbage still closes such a connection. */
static void test_sync_on_unix_listener(void)
{
	char addr[200];
	struct raw r;
	int code;

	snprintf(addr, sizeof(addr), "virtio://%s", ctl + strlen("unix://"));
	REQUIRE(raw_connect(&r, addr) == 0);
	CHECK_INT(raw_hello(&r, RPC_VERSION_MAJOR, &code),
		  RPC_MSG_HELLO | RPC_MSG_REPLY);
	CHECK(write(r.c.s.fd, "garbage garbage!", 16) == 16);
	CHECK(raw_closed_by_peer(&r, 5000));
	raw_close(&r);
}

static struct test_agent agent_proc;
static pthread_t qemu;
static char chan_addr[160];

static void test_setup(void)
{
	const char *addrs[2] = { chan_addr, ctl };
	const char *extra[] = { "--exec-allow-uploaded", NULL };

	REQUIRE(mkdtemp(dir));
	snprintf(chan, sizeof(chan), "%s/chan.sock", dir);
	snprintf(guest, sizeof(guest), "%s/guest.sock", dir);
	snprintf(chan_addr, sizeof(chan_addr), "virtio://%s", chan);
	snprintf(ctl, sizeof(ctl), "unix://%s/ctl.sock", dir);
	snprintf(guest_addr, sizeof(guest_addr), "virtio://%s", guest);
	REQUIRE(test_agent_start(&agent_proc, addrs, 2, extra) == 0);
	qemu_fd = unix_fd(chan, false);
	guest_lfd = unix_fd(guest, true);
	REQUIRE(qemu_fd >= 0 && guest_lfd >= 0);
	REQUIRE(pthread_create(&qemu, NULL, qemu_main, NULL) == 0);
}

/* Still one channel: nothing above made the agent drop it. The agent
 * counts a connection it closed (test_sync_on_unix_listener's) until that
 * connection's thread has finished, so the count is waited for. */
static void test_teardown(void)
{
	CHECK(agent_wait_idle(ctl, 1, 30000));
	atomic_store(&stop, true);
	pthread_join(qemu, NULL);
	close(qemu_fd);
	close(guest_lfd);
	CHECK_INT(test_agent_stop(&agent_proc), 0);
	unlink(guest);
	rmdir(dir);
}

TEST_MAIN(test_setup, test_rpc_plugin_over_channel, test_threads_over_channel,
	  test_client_killed_mid_call, test_half_upload, test_torn_frame,
	  test_garbage, test_sync_on_unix_listener, test_teardown)
