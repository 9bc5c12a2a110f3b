// SPDX-License-Identifier: Apache-2.0
/*
 * vaccel-agent: serves vAccel RPC clients (libvaccel-rpc.so) on one or
 * more addresses and runs their ops on this host's plugins. See
 * docs/remote.md.
 */
#include "agent.h"

#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <unistd.h>

#define MAX_LISTENERS 16

struct agent agent = {
	.lock = PTHREAD_MUTEX_INITIALIZER,
	.lim = {
		.max_frame = RPC_FRAME_DEFAULT,
		.max_sessions = 64,
		.max_resources = 256,
		.max_upload = 2ull << 30,
		.max_conns = 1024,
	},
};

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: vaccel-agent [options]\n"
		"Serves vAccel RPC clients and runs their ops on this host's plugins.\n"
		"\n"
		"  -a, --address ADDR         listen on ADDR (repeatable; default tcp://127.0.0.1:65500)\n"
		"                             unix:///path, unix://@name, tcp://host:port,\n"
		"                             vsock://CID:PORT (CID 'any' for all), hvsock:///uds:PORT\n"
		"  -p, --plugins LIST         ':'-separated host plugins (default: VACCEL_PLUGINS)\n"
		"  -l, --log-level N          1=error 2=warn 3=info 4=debug (default: VACCEL_LOG_LEVEL)\n"
		"      --max-frame BYTES      largest frame accepted (default 4194304)\n"
		"      --max-sessions N       sessions per connection (default 64)\n"
		"      --max-resources N      resources per connection (default 256)\n"
		"      --max-upload-bytes B   uploaded resource bytes per connection (default 2147483648)\n"
		"      --max-connections N    concurrent connections (default 1024)\n"
		"      --ready-fd FD          write 'LISTEN <addr>' lines and 'READY' to FD, then close it\n"
		"      --token-file PATH      require every client to present the token in PATH\n"
		"                             (default: VACCEL_AGENT_TOKEN when set; none otherwise)\n"
		"      --exec-allow PATH      let exec run functions of the library PATH (repeatable;\n"
		"                             compared by canonical real path). Default: exec refused\n"
		"      --exec-allow-uploaded  let exec_with_resource run libraries clients upload\n"
		"                             (they run with this agent's rights). Default: refused\n"
		"  -h, --help                 show this help\n"
		"\n"
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
};

static int parse_args(int argc, char **argv, struct options *o)
{
	enum { MAX_FRAME = 256, MAX_SESS, MAX_RES, MAX_UP, MAX_CONNS, READY,
	       TOKEN_FILE, EXEC_ALLOW, EXEC_UPLOADED };
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

/* Joins the threads of closed connections and frees them. With `all`,
 * waits for every connection. */
static void reap(bool all)
{
	struct agent_conn **pp, *c;

	pthread_mutex_lock(&agent.lock);
	pp = &agent.conns;
	while ((c = *pp)) {
		if (all || atomic_load(&c->done)) {
			*pp = c->next;
			pthread_mutex_unlock(&agent.lock);
			pthread_join(c->thread, NULL);
			free(c);
			pthread_mutex_lock(&agent.lock);
			pp = &agent.conns;
			continue;
		}
		pp = &c->next;
	}
	pthread_mutex_unlock(&agent.lock);
}

static void start_conn(struct vaccel_listener *l, struct vaccel_stream *s)
{
	struct agent_conn *c;

	if (atomic_load(&agent.nr_conns) >= agent.lim.max_conns) {
		vaccel_warn("agent: connection limit %u reached, refusing a client on %s",
			    agent.lim.max_conns, l->bound);
		vaccel__stream_close(s);
		return;
	}
	c = calloc(1, sizeof(*c));
	if (c) {
		c->sess = calloc(agent.lim.max_sessions, sizeof(*c->sess));
		c->res = calloc(agent.lim.max_resources, sizeof(*c->res));
	}
	if (!c || !c->sess || !c->res ||
	    rpc_conn_init(&c->rc, s, agent.lim.max_frame)) {
		vaccel_error("agent: out of memory for a connection on %s",
			     l->bound);
		if (c) {
			free(c->sess);
			free(c->res);
		}
		free(c);
		vaccel__stream_close(s);
		return;
	}
	c->peer_max_frame = RPC_FRAME_MIN;
	pthread_mutex_lock(&agent.lock);
	c->id = ++agent.next_conn_id;
	atomic_fetch_add(&agent.nr_conns, 1);
	if (pthread_create(&c->thread, NULL, agent_conn_main, c)) {
		atomic_fetch_sub(&agent.nr_conns, 1);
		pthread_mutex_unlock(&agent.lock);
		vaccel_error("agent: cannot start a thread for a client on %s",
			     l->bound);
		rpc_conn_release(&c->rc);
		free(c->sess);
		free(c->res);
		free(c);
		return;
	}
	c->next = agent.conns;
	agent.conns = c;
	pthread_mutex_unlock(&agent.lock);
	vaccel_info("agent: conn %llu accepted on %s",
		    (unsigned long long)c->id, l->bound);
}

static int serve(struct vaccel_listener *ls, int nr, int sfd)
{
	struct pollfd pfd[MAX_LISTENERS + 1];

	pfd[0] = (struct pollfd){ .fd = sfd, .events = POLLIN };
	for (int i = 0; i < nr; i++)
		pfd[i + 1] = (struct pollfd){ .fd = ls[i].fd, .events = POLLIN };
	for (;;) {
		int n = poll(pfd, (nfds_t)nr + 1, 1000);

		if (n < 0 && errno != EINTR) {
			vaccel_error("agent: poll: %s", strerror(errno));
			return -1;
		}
		if (n > 0 && (pfd[0].revents & POLLIN)) {
			struct signalfd_siginfo si;

			if (read(sfd, &si, sizeof(si)) == sizeof(si))
				fprintf(stderr, "vaccel-agent: signal %u, shutting down\n",
					si.ssi_signo);
			return 0;
		}
		for (int i = 0; n > 0 && i < nr; i++) {
			struct vaccel_stream s;

			if (!(pfd[i + 1].revents & POLLIN))
				continue;
			if (vaccel__transport_accept(&ls[i], &s) == VACCEL_OK)
				start_conn(&ls[i], &s);
		}
		reap(false);
	}
}

/* Stops every connection: reads end (so idle clients are dropped and a
 * call in flight still sends its reply), then waits for the threads. */
static void stop_all(void)
{
	struct agent_conn *c;

	atomic_store(&agent.stopping, true);
	pthread_mutex_lock(&agent.lock);
	for (c = agent.conns; c; c = c->next)
		if (!atomic_load(&c->done))
			vaccel__stream_shutdown(&c->rc.s);
	pthread_mutex_unlock(&agent.lock);
	reap(true);
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
	struct options o = { .ready_fd = -1 };
	struct vaccel_listener ls[MAX_LISTENERS];
	const char *tmp = getenv("TMPDIR");
	sigset_t set;
	int nr = 0, sfd, ret = 1;

	if (parse_args(argc, argv, &o) || agent_token_load(o.token_file)) {
		agent_policy_release();
		return 2;
	}
	if (agent.nr_exec_allow || agent.exec_allow_uploaded)
		fprintf(stderr, "vaccel-agent: exec enabled for %zu allowed librar%s%s\n",
			agent.nr_exec_allow,
			agent.nr_exec_allow == 1 ? "y" : "ies",
			agent.exec_allow_uploaded ? " and uploaded libraries" : "");
	/* Signals are taken synchronously through a signalfd; every thread
	 * created later inherits the mask. */
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);
	sfd = signalfd(-1, &set, SFD_CLOEXEC);
	if (sfd < 0) {
		perror("vaccel-agent: signalfd");
		return 1;
	}
	if (setup_vaccel(&o)) {
		fprintf(stderr, "vaccel-agent: vAccel bootstrap failed (check --plugins / VACCEL_PLUGINS)\n");
		goto out_sfd;
	}
	if (agent_workdir_create(tmp && tmp[0] ? tmp : "/tmp"))
		goto out_sfd;
	for (; nr < o.nr_addrs; nr++) {
		if (vaccel__transport_listen(o.addrs[nr], &ls[nr])) {
			fprintf(stderr, "vaccel-agent: cannot listen on %s\n",
				o.addrs[nr]);
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
	ret = serve(ls, nr, sfd) ? 1 : 0;
	stop_all();
out_listeners:
	while (nr--)
		vaccel__listener_close(&ls[nr]);
	agent_workdir_remove();
out_sfd:
	close(sfd);
	agent_policy_release();
	return ret;
}
