// SPDX-License-Identifier: Apache-2.0
/*
 * The real vaccel-vsock-device process, with this test as its front-end
 * (doing what QEMU does: features, config, a memfd memory table, vrings
 * with kick and call eventfds) and as the guest's driver (fake_driver.h on
 * the shared memfd) and as the host programs (a listener at <uds>_2048, a
 * CONNECT client). Then hostile front-end messages, a front-end that goes
 * away mid-connection (what a killed QEMU does), a second front-end,
 * GET_VRING_BASE, and SIGTERM.
 *
 *   test_vhost_user PATH_TO_vaccel-vsock-device
 */
#include "fake_driver.h"
#include "testing.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

/* A generous guard against a hung device, never a performance bound. */
#define WAIT_MS 30000

enum {
	GET_FEATURES = 1, SET_FEATURES = 2, SET_OWNER = 3, SET_MEM_TABLE = 5,
	SET_VRING_NUM = 8, SET_VRING_ADDR = 9, SET_VRING_BASE = 10,
	GET_VRING_BASE = 11, SET_VRING_KICK = 12, SET_VRING_CALL = 13,
	GET_PROTOCOL_FEATURES = 15, SET_PROTOCOL_FEATURES = 16,
	SET_VRING_ENABLE = 18, GET_CONFIG = 24, SET_CONFIG = 25,
};
#define NEED_REPLY (1u << 3)

static const char *device_path;
static char dir[40], sock_path[64], uds[64], uds_2048[80], log_path[64];
static pid_t device_pid;
static int fe = -1, listen_2048 = -1;
static int kick[2] = { -1, -1 }, call[2] = { -1, -1 };
static uint8_t *mem;
static int memfd = -1;
static struct fdrv drv;

/* The paths are short (a mkdtemp directory under /tmp). */
static void fill_sun(struct sockaddr_un *sun, const char *path)
{
	memset(sun, 0, sizeof(*sun));
	sun->sun_family = AF_UNIX;
	memcpy(sun->sun_path, path, strnlen(path, sizeof(sun->sun_path) - 1));
}

static int unix_connect(const char *path)
{
	struct sockaddr_un sun;
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	fill_sun(&sun, path);
	if (fd >= 0 && connect(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

static int unix_listen(const char *path)
{
	struct sockaddr_un sun;
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	fill_sun(&sun, path);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0 ||
	    listen(fd, 8) < 0)
		return -1;
	return fd;
}

static bool readable(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };

	return poll(&p, 1, WAIT_MS) == 1;
}

static int start_device(void)
{
	struct stat st;

	device_pid = fork();
	if (device_pid == 0) {
		int log = open(log_path, O_WRONLY | O_CREAT | O_APPEND, 0600);

		/* Never outlive the test (a crashed test would leave meson
		 * waiting on the device's inherited output). */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		dup2(log, 1);
		dup2(log, 2);
		execl(device_path, device_path, "--socket", sock_path,
		      "--guest-cid", "3", "--uds-path", uds, "-l", "4", NULL);
		_exit(127);
	}
	for (int i = 0; i < 3000; i++) {
		if (stat(sock_path, &st) == 0 && stat(uds, &st) == 0)
			return 0;
		usleep(10000);
	}
	return -1;
}

/* Sends one message (with fds); returns 0 or -1. */
static int send_msg(int fd, uint32_t req, uint32_t flags, const void *payload,
		    uint32_t size, const int *fds, int nfds)
{
	uint8_t buf[12 + 512];
	union {
		char b[CMSG_SPACE(sizeof(int) * 8)];
		struct cmsghdr align;
	} ctl;
	struct iovec iov = { .iov_base = buf, .iov_len = 12 + size };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };

	flags |= 1; /* version */
	memcpy(buf, &req, 4);
	memcpy(buf + 4, &flags, 4);
	memcpy(buf + 8, &size, 4);
	if (size)
		memcpy(buf + 12, payload, size);
	if (nfds) {
		struct cmsghdr *c;

		mh.msg_control = ctl.b;
		mh.msg_controllen = CMSG_SPACE(sizeof(int) * (size_t)nfds);
		c = CMSG_FIRSTHDR(&mh);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int) * (size_t)nfds);
		memcpy(CMSG_DATA(c), fds, sizeof(int) * (size_t)nfds);
	}
	return sendmsg(fd, &mh, MSG_NOSIGNAL) == (ssize_t)(12 + size) ? 0 : -1;
}

/* Reads a reply to `req`; returns its payload size, or -1 (also at end
 * of stream). */
static int read_reply(int fd, uint32_t req, void *payload, uint32_t cap)
{
	uint32_t hdr[3];

	if (!readable(fd) || recv(fd, hdr, 12, MSG_WAITALL) != 12 ||
	    hdr[0] != req || !(hdr[1] & 4) || hdr[2] > cap ||
	    (hdr[2] && recv(fd, payload, hdr[2], MSG_WAITALL) !=
			       (ssize_t)hdr[2]))
		return -1;
	return (int)hdr[2];
}

static uint64_t get_u64(int fd, uint32_t req)
{
	uint64_t v = UINT64_MAX;

	if (send_msg(fd, req, 0, NULL, 0, NULL, 0) ||
	    read_reply(fd, req, &v, sizeof(v)) != 8)
		return UINT64_MAX;
	return v;
}

/* Sends a request with "need reply"; returns the reply-ack value. */
static int64_t acked(int fd, uint32_t req, const void *payload, uint32_t size,
		     const int *fds, int nfds)
{
	uint64_t v;

	if (send_msg(fd, req, NEED_REPLY, payload, size, fds, nfds) ||
	    read_reply(fd, req, &v, sizeof(v)) != 8)
		return -1;
	return (int64_t)v;
}

static int64_t set_u64(int fd, uint32_t req, uint64_t v)
{
	return acked(fd, req, &v, sizeof(v), NULL, 0);
}

static int64_t vring_state(int fd, uint32_t req, uint32_t index, uint32_t num)
{
	uint32_t s[2] = { index, num };

	return acked(fd, req, s, sizeof(s), NULL, 0);
}

static int64_t vring_fd(int fd, uint32_t req, uint32_t index, int efd)
{
	uint64_t v = index;

	return acked(fd, req, &v, sizeof(v), &efd, 1);
}

static uint64_t uva(uint64_t gpa)
{
	return (uint64_t)(uintptr_t)mem + (gpa - FDRV_GPA);
}

/* The whole set-up QEMU does before the guest runs; 0 when every step
 * was acknowledged. */
static int front_end_setup(int fd)
{
	uint8_t table[8 + 32] = { 0 };
	uint64_t features, region[4];
	uint32_t one = 1;
	int bad = 0;

	features = get_u64(fd, GET_FEATURES);
	CHECK(features >> 32 & 1);  /* VIRTIO_F_VERSION_1 */
	CHECK(features >> 30 & 1);  /* VHOST_USER_F_PROTOCOL_FEATURES */
	CHECK(features >> 28 & 1);  /* VIRTIO_RING_F_INDIRECT_DESC */
	CHECK((get_u64(fd, GET_PROTOCOL_FEATURES) & 0x208) == 0x208);
	bad |= send_msg(fd, SET_PROTOCOL_FEATURES, 0,
			&(uint64_t){ 0x208 }, 8, NULL, 0);
	bad |= set_u64(fd, SET_OWNER, 0) != 0;
	{
		uint8_t cfg[12 + 8] = { 0 };
		uint64_t cid = 0;

		cfg[4] = 8; /* size */
		bad |= send_msg(fd, GET_CONFIG, 0, cfg, sizeof(cfg), NULL, 0);
		CHECK(read_reply(fd, GET_CONFIG, cfg, sizeof(cfg)) == 20);
		memcpy(&cid, cfg + 12, 8);
		CHECK_INT(cid, 3);
	}
	bad |= set_u64(fd, SET_FEATURES, features) != 0;
	memcpy(table, &one, 4);
	region[0] = FDRV_GPA;
	region[1] = FDRV_MEM_SIZE;
	region[2] = uva(FDRV_GPA);
	region[3] = 0;
	memcpy(table + 8, region, sizeof(region));
	bad |= acked(fd, SET_MEM_TABLE, table, sizeof(table), &memfd, 1) != 0;
	for (uint32_t q = 0; q < 2; q++) {
		uint64_t addr[5];
		uint32_t ia[2] = { q, 0 };
		uint8_t p[40];

		bad |= vring_state(fd, SET_VRING_NUM, q, FDRV_NUM) != 0;
		bad |= vring_state(fd, SET_VRING_BASE, q, 0) != 0;
		addr[0] = 0;
		addr[1] = uva(fdrv_desc_gpa(&drv, (int)q));
		addr[2] = uva(fdrv_used_gpa(&drv, (int)q));
		addr[3] = uva(fdrv_avail_gpa(&drv, (int)q));
		addr[4] = 0;
		memcpy(p, ia, 8);
		memcpy(p + 8, addr + 1, 32);
		bad |= acked(fd, SET_VRING_ADDR, p, sizeof(p), NULL, 0) != 0;
		bad |= vring_fd(fd, SET_VRING_KICK, q, kick[q]) != 0;
		bad |= vring_fd(fd, SET_VRING_CALL, q, call[q]) != 0;
		bad |= vring_state(fd, SET_VRING_ENABLE, q, 1) != 0;
	}
	return bad ? -1 : 0;
}

static void kick_tx(void)
{
	uint64_t one = 1;

	CHECK(write(kick[1], &one, 8) == 8);
}

/* Waits for the device to signal queue q. */
static bool called(int q)
{
	uint64_t v;

	return readable(call[q]) && read(call[q], &v, 8) == 8;
}

/* The next packet for the guest, waiting for the device's signals (a
 * signal may be left over from a packet already taken). */
static struct vsd_hdr rx_next(void *buf, uint32_t cap)
{
	struct vsd_hdr h = { 0 };

	for (int i = 0; i < 50; i++) {
		if (fdrv_rx_get(&drv, &h, buf, cap) >= 0)
			return h;
		if (!called(0))
			break;
	}
	h.op = VSD_OP_INVALID;
	return h;
}

static void guest_send(uint16_t op, uint32_t sport, uint32_t dport,
		       const void *data, uint32_t len)
{
	struct vsd_hdr h = fdrv_hdr(op, sport, dport, len);

	fdrv_tx_reclaim(&drv);
	CHECK(fdrv_tx(&drv, &h, data, len, true) >= 0);
	kick_tx();
}

static int setup(void)
{
	snprintf(dir, sizeof(dir), "/tmp/vsd-vu.XXXXXX");
	if (!mkdtemp(dir))
		return -1;
	snprintf(sock_path, sizeof(sock_path), "%s/vhost.sock", dir);
	snprintf(uds, sizeof(uds), "%s/v.sock", dir);
	snprintf(uds_2048, sizeof(uds_2048), "%s_2048", uds);
	snprintf(log_path, sizeof(log_path), "%s/device.log", dir);
	memfd = memfd_create("guest-ram", MFD_CLOEXEC);
	if (memfd < 0 || ftruncate(memfd, FDRV_MEM_SIZE))
		return -1;
	mem = mmap(NULL, FDRV_MEM_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED,
		   memfd, 0);
	if (mem == MAP_FAILED)
		return -1;
	for (int q = 0; q < 2; q++) {
		kick[q] = eventfd(0, EFD_CLOEXEC);
		call[q] = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	}
	listen_2048 = unix_listen(uds_2048);
	return listen_2048 < 0 || start_device();
}

/* A fresh guest: zeroed RAM, rings set up again by a new front-end. */
static int new_front_end(void)
{
	uint64_t v;

	if (fe >= 0)
		close(fe);
	/* The device may not have seen the previous front-end leave yet,
	 * and then refuses this one as a second front-end: try again. Once
	 * this one is served the old rings are gone, and the guest's RAM
	 * can be reset. */
	for (int i = 0; i < 500; i++) {
		fe = unix_connect(sock_path);
		if (fe < 0)
			return -1;
		if (get_u64(fe, GET_FEATURES) != UINT64_MAX) {
			memset(mem, 0, FDRV_MEM_SIZE);
			fdrv_init(&drv, mem);
			for (int q = 0; q < 2; q++)
				while (read(call[q], &v, 8) == 8)
					;
			return front_end_setup(fe);
		}
		close(fe);
		usleep(10000);
	}
	fe = -1;
	return -1;
}

static void test_guest_to_host(void)
{
	char buf[64];
	struct vsd_hdr h;
	int host;

	REQUIRE(new_front_end() == 0);
	fdrv_rx_fill(&drv, 16, 4096 + VSD_HDR_LEN, true);
	guest_send(VSD_OP_REQUEST, 40000, 2048, NULL, 0);
	h = rx_next(NULL, 0);
	CHECK_INT(h.op, VSD_OP_RESPONSE);
	CHECK_INT(h.dst_port, 40000);
	REQUIRE(readable(listen_2048));
	host = accept(listen_2048, NULL, NULL);
	REQUIRE(host >= 0);
	guest_send(VSD_OP_RW, 40000, 2048, "ping", 4);
	CHECK(readable(host) && read(host, buf, sizeof(buf)) == 4 &&
	      memcmp(buf, "ping", 4) == 0);
	CHECK(called(1)); /* the tx buffers came back */
	CHECK(write(host, "pong", 4) == 4);
	h = rx_next(buf, sizeof(buf));
	CHECK(h.op == VSD_OP_RW && h.len == 4 && memcmp(buf, "pong", 4) == 0);

	/* The front-end goes away (QEMU killed): the host side closes. */
	close(fe);
	fe = -1;
	CHECK(readable(host) && read(host, buf, sizeof(buf)) == 0);
	close(host);
}

static void test_host_to_guest(void)
{
	char buf[64] = { 0 };
	struct vsd_hdr h, r;
	int host;

	REQUIRE(new_front_end() == 0);
	fdrv_rx_fill(&drv, 16, 4096, false);
	host = unix_connect(uds);
	REQUIRE(host >= 0);
	CHECK(write(host, "CONNECT 77\n", 11) == 11);
	h = rx_next(NULL, 0);
	CHECK_INT(h.op, VSD_OP_REQUEST);
	CHECK_INT(h.dst_port, 77);
	r = fdrv_hdr(VSD_OP_RESPONSE, 77, h.src_port, 0);
	fdrv_tx(&drv, &r, NULL, 0, false);
	kick_tx();
	CHECK(readable(host) && read(host, buf, sizeof(buf)) > 0 &&
	      strncmp(buf, "OK 1073741824\n", 14) == 0);
	guest_send(VSD_OP_RW, 77, h.src_port, "hi", 2);
	CHECK(readable(host) && read(host, buf, sizeof(buf)) == 2);
	close(host);
}

/* GET_VRING_BASE stops the ring and says how far the device got. */
static void test_get_vring_base(void)
{
	uint32_t s[2] = { 1, 0 };
	uint64_t v;

	REQUIRE(new_front_end() == 0);
	fdrv_rx_fill(&drv, 4, 4096, false);
	guest_send(VSD_OP_RST, 40001, 2048, NULL, 0);
	guest_send(VSD_OP_RST, 40001, 2048, NULL, 0);
	REQUIRE(called(1));
	/* Both chains taken (the call may come after the first). */
	for (int i = 0; i < 100 && fdrv_used_idx(&drv, 1) < 2; i++)
		called(1);
	REQUIRE(send_msg(fe, GET_VRING_BASE, 0, s, 8, NULL, 0) == 0);
	CHECK(read_reply(fe, GET_VRING_BASE, s, sizeof(s)) == 8);
	CHECK_INT(s[0], 1);
	CHECK_INT(s[1], 2);
	/* Stopped: a kick is not served. */
	guest_send(VSD_OP_REQUEST, 40002, 2048, NULL, 0);
	CHECK(get_u64(fe, GET_FEATURES) != UINT64_MAX); /* a round trip */
	CHECK_INT(fdrv_used_idx(&drv, 1), 2);
	CHECK(read(call[0], &v, 8) < 0);
}

/* Requests the device refuses leave the front-end connected; requests
 * that break the protocol drop it, and the next front-end is served. */
static void test_hostile_front_end(void)
{
	uint8_t big[600] = { 0 }, addr[40] = { 0 };
	uint32_t n9 = 9, q = 0;

	REQUIRE(new_front_end() == 0);
	CHECK(vring_state(fe, SET_VRING_NUM, 0, 100) > 0);   /* not 2^n */
	CHECK(vring_state(fe, SET_VRING_NUM, 0, 65536) > 0);
	memcpy(addr, &q, 4);
	memset(addr + 8, 0x7f, 24); /* rings outside the memory table */
	CHECK(acked(fe, SET_VRING_ADDR, addr, sizeof(addr), NULL, 0) > 0);
	CHECK(set_u64(fe, 99, 0) > 0);                       /* unknown */
	CHECK(acked(fe, SET_CONFIG, big, 20, NULL, 0) > 0);  /* read-only */
	/* A kick without an fd (polling) is not supported. */
	CHECK(set_u64(fe, SET_VRING_KICK, 0x100) > 0);
	CHECK(get_u64(fe, GET_FEATURES) != UINT64_MAX);     /* still here */

	/* A memory table of 9 regions: dropped. */
	memcpy(big, &n9, 4);
	CHECK(send_msg(fe, SET_MEM_TABLE, NEED_REPLY, big, 8 + 32 * 9, NULL,
		       0) == 0);
	CHECK(readable(fe) && recv(fe, big, 1, 0) == 0);

	/* A queue that does not exist: dropped. */
	REQUIRE(new_front_end() == 0);
	CHECK(vring_state(fe, SET_VRING_NUM, 7, 64) < 0);

	/* A payload larger than any request: dropped. */
	REQUIRE(new_front_end() == 0);
	{
		uint32_t hdr[3] = { GET_FEATURES, 1, 100000 };

		CHECK(send(fe, hdr, 12, MSG_NOSIGNAL) == 12);
		CHECK(readable(fe) && recv(fe, big, 1, 0) == 0);
	}

	/* A wrong protocol version: dropped. */
	REQUIRE(new_front_end() == 0);
	{
		uint32_t hdr[3] = { GET_FEATURES, 2, 0 };

		CHECK(send(fe, hdr, 12, MSG_NOSIGNAL) == 12);
		CHECK(readable(fe) && recv(fe, big, 1, 0) == 0);
	}

	/* A kick request with two fds: dropped. */
	REQUIRE(new_front_end() == 0);
	{
		uint64_t v = 0;
		int two[2] = { kick[0], kick[1] };

		CHECK(send_msg(fe, SET_VRING_KICK, NEED_REPLY, &v, 8, two,
			       2) == 0);
		CHECK(readable(fe) && recv(fe, big, 1, 0) == 0);
	}

	/* A second front-end while one is connected is refused. */
	REQUIRE(new_front_end() == 0);
	{
		int second = unix_connect(sock_path);

		REQUIRE(second >= 0);
		CHECK(readable(second) && recv(second, big, 1, 0) == 0);
		close(second);
		CHECK(get_u64(fe, GET_FEATURES) != UINT64_MAX);
	}
	/* After all that the device still serves a guest. */
	REQUIRE(new_front_end() == 0);
	fdrv_rx_fill(&drv, 4, 4096, false);
	guest_send(VSD_OP_REQUEST, 40003, 9999, NULL, 0); /* no listener */
	CHECK_INT(rx_next(NULL, 0).op, VSD_OP_RST);
}

static void test_sigterm(void)
{
	struct stat st;
	int status = -1;

	if (fe >= 0)
		close(fe);
	fe = -1;
	REQUIRE(kill(device_pid, SIGTERM) == 0);
	CHECK(waitpid(device_pid, &status, 0) == device_pid);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	device_pid = 0;
	CHECK(stat(sock_path, &st) < 0 && errno == ENOENT);
	CHECK(stat(uds, &st) < 0 && errno == ENOENT);
}

static void cleanup(void)
{
	char cmd[256];

	if (device_pid > 0) {
		kill(device_pid, SIGKILL);
		waitpid(device_pid, NULL, 0);
	}
	/* Show the device's log on failure; then remove the directory. */
	if (test__failed) {
		snprintf(cmd, sizeof(cmd), "cat %s >&2", log_path);
		if (system(cmd))
			fprintf(stderr, "(no device log)\n");
	}
	unlink(uds_2048);
	unlink(log_path);
	rmdir(dir);
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: %s PATH_TO_vaccel-vsock-device\n", argv[0]);
		return 2;
	}
	device_path = argv[1];
	signal(SIGPIPE, SIG_IGN);
	if (setup()) {
		fprintf(stderr, "set-up failed: %s\n", strerror(errno));
		cleanup();
		return 1;
	}
	test__run(test_guest_to_host, "test_guest_to_host");
	test__run(test_host_to_guest, "test_host_to_guest");
	test__run(test_get_vring_base, "test_get_vring_base");
	test__run(test_hostile_front_end, "test_hostile_front_end");
	test__run(test_sigterm, "test_sigterm");
	cleanup();
	printf("%d passed, %d failed\n", test__passed, test__failed);
	return test__failed ? 1 : 0;
}
