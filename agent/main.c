// SPDX-License-Identifier: Apache-2.0
/*
 * vaccel-agent: serves vAccel RPC clients (libvaccel-rpc.so) on one or
 * more addresses and runs their ops on this host's plugins. See
 * docs/remote.md.
 */
#include "supervisor.h"

#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAX_LISTENERS 16

struct agent agent = {
	.lim = {
		.max_frame = RPC_FRAME_DEFAULT,
		.max_sessions = 64,
		.max_resources = 256,
		.max_upload = 2ull << 30,
		.max_conns = 1024,
		.max_unauthed = 64,
		.handshake_timeout_ms = 10000,
		.idle_timeout_ms = 300000,
		.spare_workers = 2,
		.max_inflight = 16,
		.tenant_max_sessions = 256,
		.tenant_max_bytes = 8ull << 30,
		.tenant_max_ops = 16,
		.tenant_max_conns = 64,
		.max_tenants = 1024,
	},
	.supervisor_sock = -1,
	.shm_max = 64ull << 20,
};

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: vaccel-agent [options]\n"
		"Serves vAccel RPC clients and runs their ops on this host's plugins.\n"
		"\n"
		"  -a, --address ADDR         listen on ADDR (repeatable; default tcp://127.0.0.1:65500)\n"
		"                             unix:///path, unix://@name, tcp://host:port,\n"
		"                             vsock://CID:PORT (CID 'any' for all), hvsock:///uds:PORT,\n"
		"                             virtio:///path.sock (a QEMU virtio-serial chardev socket)\n"
		"  -p, --plugins LIST         ':'-separated host plugins (default: VACCEL_PLUGINS)\n"
		"  -l, --log-level N          1=error 2=warn 3=info 4=debug 5=trace (default: VACCEL_LOG_LEVEL)\n"
		"      --max-frame BYTES      largest frame accepted (default 4194304)\n"
		"      --max-sessions N       sessions per connection (default 64)\n"
		"      --max-resources N      resources per connection (default 256)\n"
		"      --max-upload-bytes B   uploaded resource bytes per connection (default 2147483648)\n"
		"      --max-connections N    served connections, one worker process each (default 1024)\n"
		"      --max-unauthenticated N  connections still in their handshake (default 64;\n"
		"                             the oldest is dropped for a new one)\n"
		"      --handshake-timeout S  seconds a connection has for HELLO/AUTH (default 10; 0 = none)\n"
		"      --idle-timeout S       close a connection that holds no session or resource and\n"
		"                             sends nothing for S seconds (default 300; 0 = never)\n"
		"      --spare-workers N      idle workers kept forked in advance (default 2)\n"
		"      --max-inflight N       requests of one connection that run at once, each on\n"
		"                             its own thread of the worker (default 16; 1 = in order)\n"
		"      --poll-us N            a worker spins up to N microseconds on its connection\n"
		"                             before sleeping for the next request (default 0: off)\n"
		"      --shm-max-bytes B      largest shared-memory region one UNIX socket client may\n"
		"                             map (default 67108864; counted in --tenant-max-bytes)\n"
		"      --no-shm               no shared-memory regions: every byte travels on the socket\n"
		"      --admin-stats          STATS reports the whole agent to every client\n"
		"                             (default: each client sees only its own connection)\n"
		"      --ready-fd FD          write 'LISTEN <addr>' lines and 'READY' to FD, then close it\n"
		"      --token-file PATH      require every client to present the token in PATH\n"
		"                             (default: VACCEL_AGENT_TOKEN when set; none otherwise)\n"
		"      --tenants DIR          each file of DIR (mode 0600, the agent's user's) holds one\n"
		"                             tenant's token; a client belongs to the tenant whose token\n"
		"                             it presents. Re-read when DIR changes and on SIGHUP; the\n"
		"                             connections of a removed tenant are closed\n"
		"      --tenant-max-sessions N  sessions of one tenant's connections together (default 256)\n"
		"      --tenant-max-bytes B   uploaded resource bytes of one tenant (default 8589934592)\n"
		"      --tenant-max-ops N     ops one tenant runs at once (default 16)\n"
		"      --tenant-max-connections N  connections of one tenant (default 64)\n"
		"      --max-tenants N        tenants the agent keeps (default 1024)\n"
		"      --socket-mode MODE     permissions of the UNIX socket files (octal; default 0600)\n"
		"      --probe ADDR           health probe: ask the agent at ADDR for a HELLO and exit\n"
		"                             0 when it answers, 1 when it does not (nothing is served)\n"
		"      --exec-allow LIB[:SYM,...]  let plugins load the library LIB for exec (repeatable;\n"
		"                             compared by canonical real path, or by SHA-256 for an\n"
		"                             uploaded copy) and run the functions it defines, or\n"
		"                             only SYM,... Default: no library may be loaded\n"
		"      --exec-allow-uploaded  let exec_with_resource run any library a client uploads\n"
		"                             (it runs with this agent's rights). Default: refused\n"
		"  -h, --help                 show this help\n"
		"\n"
		"Each served connection has its own worker process: a plugin that crashes\n"
		"on a client's input ends that connection only.\n"
		"SIGTERM/SIGINT: stop accepting, let calls in flight finish, release every\n"
		"client's sessions and resources, remove UNIX socket files, exit 0.\n");
}

static int parse_u64(const char *s, const char *what, uint64_t min,
		     uint64_t max, uint64_t *out)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || end == s || *end || s[0] == '-' || v < min || v > max) {
		fprintf(stderr,
			"vaccel-agent: invalid %s '%s' (expected %llu..%llu)\n",
			what, s, (unsigned long long)min,
			(unsigned long long)max);
		return -1;
	}
	*out = v;
	return 0;
}

struct options {
	const char *addrs[MAX_LISTENERS];
	int nr_addrs;
	const char *plugins;
	long log_level;
	int ready_fd;
	const char *token_file;
	const char *tenants_dir;
	long socket_mode;
	const char *probe;
};

static int parse_args(int argc, char **argv, struct options *o)
{
	enum { MAX_FRAME = 256, MAX_SESS, MAX_RES, MAX_UP, MAX_CONNS, READY,
	       TOKEN_FILE, EXEC_ALLOW, EXEC_UPLOADED, MAX_UNAUTHED, HS_TIMEOUT,
	       IDLE_TIMEOUT, ADMIN_STATS, SPARES, TENANTS, T_SESS, T_BYTES,
	       T_OPS, T_CONNS, MAX_TENANTS, SOCKET_MODE, PROBE, POLL_US,
	       MAX_INFLIGHT, SHM_MAX, NO_SHM };
	static const struct option longopts[] = {
		{ "address", required_argument, NULL, 'a' },
		{ "plugins", required_argument, NULL, 'p' },
		{ "log-level", required_argument, NULL, 'l' },
		{ "max-frame", required_argument, NULL, MAX_FRAME },
		{ "max-sessions", required_argument, NULL, MAX_SESS },
		{ "max-resources", required_argument, NULL, MAX_RES },
		{ "max-upload-bytes", required_argument, NULL, MAX_UP },
		{ "max-connections", required_argument, NULL, MAX_CONNS },
		{ "ready-fd", required_argument, NULL, READY },
		{ "token-file", required_argument, NULL, TOKEN_FILE },
		{ "exec-allow", required_argument, NULL, EXEC_ALLOW },
		{ "exec-allow-uploaded", no_argument, NULL, EXEC_UPLOADED },
		{ "max-unauthenticated", required_argument, NULL, MAX_UNAUTHED },
		{ "handshake-timeout", required_argument, NULL, HS_TIMEOUT },
		{ "idle-timeout", required_argument, NULL, IDLE_TIMEOUT },
		{ "admin-stats", no_argument, NULL, ADMIN_STATS },
		{ "spare-workers", required_argument, NULL, SPARES },
		{ "tenants", required_argument, NULL, TENANTS },
		{ "tenant-max-sessions", required_argument, NULL, T_SESS },
		{ "tenant-max-bytes", required_argument, NULL, T_BYTES },
		{ "tenant-max-ops", required_argument, NULL, T_OPS },
		{ "tenant-max-connections", required_argument, NULL, T_CONNS },
		{ "max-tenants", required_argument, NULL, MAX_TENANTS },
		{ "socket-mode", required_argument, NULL, SOCKET_MODE },
		{ "probe", required_argument, NULL, PROBE },
		{ "poll-us", required_argument, NULL, POLL_US },
		{ "max-inflight", required_argument, NULL, MAX_INFLIGHT },
		{ "shm-max-bytes", required_argument, NULL, SHM_MAX },
		{ "no-shm", no_argument, NULL, NO_SHM },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	uint64_t v;
	int c;

	while ((c = getopt_long(argc, argv, "a:p:l:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'a':
			if (o->nr_addrs == MAX_LISTENERS) {
				fprintf(stderr, "vaccel-agent: at most %d addresses\n",
					MAX_LISTENERS);
				return -1;
			}
			o->addrs[o->nr_addrs++] = optarg;
			break;
		case 'p':
			o->plugins = optarg;
			break;
		case 'l':
			if (parse_u64(optarg, "log level", 1, 5, &v))
				return -1;
			o->log_level = (long)v;
			break;
		case MAX_FRAME:
			if (parse_u64(optarg, "max frame", RPC_FRAME_MIN,
				      RPC_FRAME_HARD_MAX, &v))
				return -1;
			agent.lim.max_frame = (uint32_t)v;
			break;
		case MAX_SESS:
			if (parse_u64(optarg, "max sessions", 1, 65536, &v))
				return -1;
			agent.lim.max_sessions = (uint32_t)v;
			break;
		case MAX_RES:
			if (parse_u64(optarg, "max resources", 1, 65536, &v))
				return -1;
			agent.lim.max_resources = (uint32_t)v;
			break;
		case MAX_UP:
			if (parse_u64(optarg, "max upload bytes", 0,
				      UINT64_MAX / 2, &v))
				return -1;
			agent.lim.max_upload = v;
			break;
		case MAX_CONNS:
			if (parse_u64(optarg, "max connections", 1, 65536, &v))
				return -1;
			agent.lim.max_conns = (uint32_t)v;
			break;
		case READY:
			if (parse_u64(optarg, "ready fd", 0, 65535, &v))
				return -1;
			o->ready_fd = (int)v;
			break;
		case TOKEN_FILE:
			o->token_file = optarg;
			break;
		case EXEC_ALLOW:
			if (agent_exec_allow(optarg))
				return -1;
			break;
		case EXEC_UPLOADED:
			agent.exec_allow_uploaded = true;
			break;
		case MAX_UNAUTHED:
			if (parse_u64(optarg, "max unauthenticated", 1, 65536,
				      &v))
				return -1;
			agent.lim.max_unauthed = (uint32_t)v;
			break;
		case HS_TIMEOUT:
			if (parse_u64(optarg, "handshake timeout", 0, 86400, &v))
				return -1;
			agent.lim.handshake_timeout_ms = (uint32_t)v * 1000;
			break;
		case IDLE_TIMEOUT:
			if (parse_u64(optarg, "idle timeout", 0, 86400, &v))
				return -1;
			agent.lim.idle_timeout_ms = (uint32_t)v * 1000;
			break;
		case ADMIN_STATS:
			agent.admin_stats = true;
			break;
		case MAX_INFLIGHT:
			if (parse_u64(optarg, "max inflight", 1, 1024, &v))
				return -1;
			agent.lim.max_inflight = (uint32_t)v;
			break;
		case POLL_US:
			if (parse_u64(optarg, "poll us", 0, 1000000, &v))
				return -1;
			agent.lim.poll_us = (uint32_t)v;
			break;
		case SHM_MAX:
			if (parse_u64(optarg, "shm max bytes", RPC_FRAME_MIN,
				      UINT64_MAX / 2, &v))
				return -1;
			agent.shm_max = v;
			break;
		case NO_SHM:
			agent.shm_max = 0;
			break;
		case SPARES:
			if (parse_u64(optarg, "spare workers", 0, 64, &v))
				return -1;
			agent.lim.spare_workers = (uint32_t)v;
			break;
		case TENANTS:
			o->tenants_dir = optarg;
			break;
		case T_SESS:
			if (parse_u64(optarg, "tenant max sessions", 1, 1u << 24, &v))
				return -1;
			agent.lim.tenant_max_sessions = (uint32_t)v;
			break;
		case T_BYTES:
			if (parse_u64(optarg, "tenant max bytes", 0,
				      UINT64_MAX / 2, &v))
				return -1;
			agent.lim.tenant_max_bytes = v;
			break;
		case T_OPS:
			if (parse_u64(optarg, "tenant max ops", 1, 65536, &v))
				return -1;
			agent.lim.tenant_max_ops = (uint32_t)v;
			break;
		case T_CONNS:
			if (parse_u64(optarg, "tenant max connections", 1, 65536,
				      &v))
				return -1;
			agent.lim.tenant_max_conns = (uint32_t)v;
			break;
		case MAX_TENANTS:
			if (parse_u64(optarg, "max tenants", 1, 65536, &v))
				return -1;
			agent.lim.max_tenants = (uint32_t)v;
			break;
		case SOCKET_MODE: {
			char *end;

			errno = 0;
			o->socket_mode = strtol(optarg, &end, 8);
			if (errno || end == optarg || *end ||
			    o->socket_mode < 0 || o->socket_mode > 0777) {
				fprintf(stderr, "vaccel-agent: invalid socket mode '%s' (expected octal 0..0777)\n",
					optarg);
				return -1;
			}
			break;
		}
		case PROBE:
			o->probe = optarg;
			break;
		case 'h':
			usage(stdout);
			exit(0);
		default:
			usage(stderr);
			return -1;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "vaccel-agent: unexpected argument '%s'\n",
			argv[optind]);
		return -1;
	}
	if (o->nr_addrs == 0)
		o->addrs[o->nr_addrs++] = "tcp://127.0.0.1:65500";
	return 0;
}

/* Threads of this process (-1 if unknown): the template should have none
 * but this one, or a worker forked from it could inherit a lock another
 * thread held. */
static int count_threads(void)
{
	char line[128];
	int n = -1;
	FILE *f = fopen("/proc/self/status", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "Threads: %d", &n) == 1)
			break;
	fclose(f);
	return n;
}

static int setup_vaccel(const struct options *o)
{
	struct vaccel_config cfg;
	int ret;

	if (!o->plugins && o->log_level == 0)
		return vaccel_is_initialized() ? VACCEL_OK : vaccel_bootstrap();
	ret = vaccel_config_init_from_env(&cfg);
	if (ret)
		return ret;
	if (o->plugins) {
		free(cfg.plugins);
		cfg.plugins = strdup(o->plugins);
	}
	if (o->log_level)
		cfg.log_level = (vaccel_log_level_t)o->log_level;
	ret = vaccel_bootstrap_with_config(&cfg);
	vaccel_config_release(&cfg);
	return ret;
}

int main(int argc, char **argv)
{
	struct options o = { .ready_fd = -1, .socket_mode = -1 };
	struct vaccel_listener ls[MAX_LISTENERS];
	const char *tmp = getenv("TMPDIR");
	sigset_t set;
	int nr = 0, sfd, threads, ret = 1;

	if (parse_args(argc, argv, &o) || agent_policy_install()) {
		agent_policy_release();
		return 2;
	}
	if (o.probe)
		return agent_probe(o.probe);
	if (agent.nr_exec_allow || agent.exec_allow_uploaded)
		fprintf(stderr, "vaccel-agent: exec enabled for %zu allowed librar%s%s\n",
			agent.nr_exec_allow,
			agent.nr_exec_allow == 1 ? "y" : "ies",
			agent.exec_allow_uploaded ? " and uploaded libraries" : "");
	/* Signals are taken synchronously through a signalfd; workers
	 * inherit the mask (the supervisor stops them). */
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGCHLD);
	sigaddset(&set, SIGHUP);
	sigprocmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);
	sfd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
	if (sfd < 0) {
		perror("vaccel-agent: signalfd");
		return 1;
	}
	if (setup_vaccel(&o)) {
		fprintf(stderr, "vaccel-agent: %s (check --plugins / VACCEL_PLUGINS)\n",
			vaccel_last_error_message());
		goto out_sfd;
	}
	/* After the bootstrap: a refused tenant file is an error line of
	 * the agent's log. */
	if (agent_tenants_init(o.token_file, o.tenants_dir)) {
		ret = 2;
		goto out_sfd;
	}
	/* Workers are forked from this process. A thread a plugin started
	 * in init() does not exist in them: it must cope with fork (libtorch's
	 * thread pool does), see docs/plugins.md. */
	threads = count_threads();
	if (threads > 1)
		vaccel_info("agent: the template has %d threads after loading the plugins",
			    threads);
	if (agent_workdir_create(tmp && tmp[0] ? tmp : "/tmp"))
		goto out_sfd;
	if (agent_table_create(agent.lim.max_conns))
		goto out_workdir;
	for (; nr < o.nr_addrs; nr++) {
		if (vaccel__transport_listen(o.addrs[nr], &ls[nr])) {
			fprintf(stderr, "vaccel-agent: cannot listen on %s\n",
				o.addrs[nr]);
			goto out_listeners;
		}
		if (o.socket_mode >= 0 && !strncmp(ls[nr].bound, "unix:///", 8) &&
		    chmod(ls[nr].bound + 7, (mode_t)o.socket_mode)) {
			fprintf(stderr, "vaccel-agent: cannot chmod %s: %s\n",
				ls[nr].bound + 7, strerror(errno));
			nr++;
			goto out_listeners;
		}
		fprintf(stderr, "vaccel-agent: listening on %s\n", ls[nr].bound);
	}
	if (o.ready_fd >= 0) {
		FILE *f = fdopen(o.ready_fd, "w");

		if (f) {
			for (int i = 0; i < nr; i++)
				fprintf(f, "LISTEN %s\n", ls[i].bound);
			fprintf(f, "READY\n");
			fclose(f);
		}
	}
	ret = agent_supervisor_run(ls, nr, sfd) ? 1 : 0;
out_listeners:
	while (nr--)
		vaccel__listener_close(&ls[nr]);
	agent_table_destroy();
out_workdir:
	agent_workdir_remove();
out_sfd:
	close(sfd);
	agent_tenants_release();
	agent_policy_release();
	return ret;
}
