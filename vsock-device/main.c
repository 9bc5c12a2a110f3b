// SPDX-License-Identifier: Apache-2.0
/*
 * vaccel-vsock-device: a vhost-user back-end for QEMU's
 * vhost-user-vsock-pci device that bridges the guest's AF_VSOCK sockets
 * to host UNIX sockets the way Firecracker and Cloud Hypervisor do
 * (hybrid vsock). See docs/vm.md.
 */
#include "device.h"

#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: vaccel-vsock-device --socket PATH --guest-cid CID --uds-path PATH [options]\n"
		"A vhost-user back-end for QEMU's vhost-user-vsock-pci: the guest's vsock\n"
		"connections become UNIX socket connections on this host.\n"
		"\n"
		"  -s, --socket PATH          the vhost-user socket QEMU connects to\n"
		"                             (-chardev socket,path=PATH -device vhost-user-vsock-pci,chardev=...)\n"
		"  -c, --guest-cid CID        the guest's CID (3 or more)\n"
		"  -u, --uds-path PATH        hybrid vsock base path: a guest connection to host\n"
		"                             port P goes to the UNIX socket PATH_P; host programs\n"
		"                             reach guest port P by connecting to PATH and\n"
		"                             sending \"CONNECT P\\n\" (answer: \"OK <host port>\\n\")\n"
		"      --max-connections N    connections at a time (default 256)\n"
		"      --buf-size BYTES       receive buffer per connection, the credit a guest\n"
		"                             gets (default 262144; 4096..16777216)\n"
		"  -l, --log-level N          1=error 2=warn 3=info 4=debug (default 3)\n"
		"  -h, --help                 show this help\n"
		"\n"
		"Memory: at most --max-connections x --buf-size bytes of buffered guest data.\n"
		"SIGTERM/SIGINT: close every connection, remove the socket files, exit 0.\n");
}

static int number(const char *opt, const char *s, unsigned long long min,
		  unsigned long long max, unsigned long long *out)
{
	char *end;

	errno = 0;
	*out = strtoull(s, &end, 10);
	if (errno || end == s || *end || s[0] == '-' || *out < min ||
	    *out > max) {
		fprintf(stderr, "vaccel-vsock-device: %s wants a number in %llu..%llu, not '%s'\n",
			opt, min, max, s);
		return -1;
	}
	return 0;
}

static int setup_signals(struct vsd_dev *d)
{
	sigset_t set;

	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	if (sigprocmask(SIG_BLOCK, &set, NULL) < 0)
		return -1;
	d->sig_fd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
	if (d->sig_fd < 0)
		return -1;
	return vsd_watch_set(d, d->sig_fd, &d->w_sig, 0, EPOLLIN);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "socket", required_argument, NULL, 's' },
		{ "guest-cid", required_argument, NULL, 'c' },
		{ "uds-path", required_argument, NULL, 'u' },
		{ "max-connections", required_argument, NULL, 'm' },
		{ "buf-size", required_argument, NULL, 'b' },
		{ "log-level", required_argument, NULL, 'l' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct vsd_config cfg = {
		.max_conns = 256,
		.buf_alloc = 256 * 1024,
	};
	unsigned long long v;
	struct vsd_dev d;
	int c, ret = 0;

	while ((c = getopt_long(argc, argv, "s:c:u:l:h", opts, NULL)) != -1) {
		switch (c) {
		case 's':
			cfg.socket_path = optarg;
			break;
		case 'u':
			cfg.uds_path = optarg;
			break;
		case 'c':
			/* 0-2 are reserved (hypervisor, local, host);
			 * 0xffffffff is VMADDR_CID_ANY. */
			if (number("--guest-cid", optarg, 3, 0xfffffffeull, &v))
				return 2;
			cfg.guest_cid = v;
			break;
		case 'm':
			if (number("--max-connections", optarg, 1, 65536, &v))
				return 2;
			cfg.max_conns = (unsigned int)v;
			break;
		case 'b':
			if (number("--buf-size", optarg, 4096, 16u << 20, &v))
				return 2;
			cfg.buf_alloc = (uint32_t)v;
			break;
		case 'l':
			if (number("--log-level", optarg, 1, 4, &v))
				return 2;
			vsd_log_level = (int)v;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind != argc || !cfg.socket_path || !cfg.uds_path ||
	    !cfg.guest_cid) {
		usage(stderr);
		return 2;
	}
	if (vsd_dev_init(&d, &cfg))
		return 1;
	if (setup_signals(&d)) {
		vsd_error("signals: %s", strerror(errno));
		vsd_dev_release(&d);
		return 1;
	}
	vsd_info("guest CID %llu: vhost-user socket %s, hybrid vsock %s (guest -> host port P: %s_P)",
		 (unsigned long long)cfg.guest_cid, cfg.socket_path,
		 cfg.uds_path, cfg.uds_path);
	while (!d.stop) {
		if (vsd_dev_poll(&d, -1)) {
			ret = 1;
			break;
		}
	}
	vsd_info("connections: %llu from the guest, %llu from the host, %llu refused; %llu bytes to the host, %llu to the guest; %llu bad packets, %llu credit violations, %llu queue faults",
		 (unsigned long long)d.stats.conns_guest,
		 (unsigned long long)d.stats.conns_host,
		 (unsigned long long)d.stats.conns_refused,
		 (unsigned long long)d.stats.bytes_to_host,
		 (unsigned long long)d.stats.bytes_to_guest,
		 (unsigned long long)d.stats.bad_packets,
		 (unsigned long long)d.stats.credit_violations,
		 (unsigned long long)d.stats.guest_faults);
	vsd_dev_release(&d);
	return ret;
}
