/* SPDX-License-Identifier: Apache-2.0 */
/*
 * One agent connection driven in process by a scripted or fuzzed guest,
 * shared by the fuzz target fuzz_agent.c and the allocation-failure test
 * (tests/integration/faultinj_alloc_test.c). The including file provides
 * the `struct agent agent` definition through this header (it replaces
 * agent/main.c) and links agent_core_sources.
 *
 * The agent's request loop (agent/conn.c) and every handler run on a
 * memory stream: reads come from the input, replies are parsed and
 * dropped. This covers frame reassembly, the handshake and token gate,
 * sessions, op forwarding to the noop plugin and, above all, resource and
 * blob import from the wire (RES_REGISTER followed by RES_CHUNK frames,
 * written to files under the work directory or kept in memory).
 *
 * Input: byte 0 = mode (bit 0: the agent has a token; bit 1: the harness
 * sends the right AUTH after its HELLO; bit 2: the connection has a 64 KiB
 * shared region, as after SHM_SETUP, so that region items are resolved
 * and run), then records
 *   u8 type, u8 flags, u16 len (LE), len body bytes
 * each sent as one frame of that type. Flags: bit 0 reuses the request id
 * of the last RES_REGISTER (upload chunks), bit 1 replaces body[0..8] with
 * a session id the agent gave out earlier (chosen by body[0]), bit 2
 * replaces body[8..16] with a resource id it gave out (chosen by body[8]),
 * bits 5-7 announce that many more body bytes than are sent (a truncated
 * frame). The ids are learnt from the agent's replies, which is why frames
 * are produced one at a time as the agent reads.
 *
 * After the connection ends, the agent must hold no session, resource,
 * upload byte or file: a failure aborts (a finding).
 */
#ifndef VACCEL_FUZZ_AGENT_HARNESS_H
#define VACCEL_FUZZ_AGENT_HARNESS_H

#include "agent.h"
#include "fuzz_common.h"

#include <dirent.h>
#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

struct agent agent = {
	/* Small limits: every limit is still reachable by a fuzz input, and
	 * no input makes the agent allocate megabytes (which would slow the
	 * fuzzer down, not find more). */
	.lim = {
		.max_frame = 64u << 10,
		.max_sessions = 4,
		.max_resources = 4,
		.max_upload = 256u << 10,
		.max_conns = 4,
		.max_unauthed = 4,
		.tenant_max_sessions = 4,
		.tenant_max_bytes = 256u << 10,
		.tenant_max_ops = 1,
		.tenant_max_conns = 4,
		.max_tenants = 1,
	},
	.supervisor_sock = -1,
};

static const char fuzz_token[] = "fuzz-secret-token";

#define MAX_IDS 16

/* The memory stream: the input being replayed and what was learnt. */
static struct {
	const uint8_t *in;
	size_t len, pos;
	/* The frame being handed out. */
	uint8_t frame[RPC_HDR_SIZE + 65535 + 8];
	size_t flen, fpos;
	uint64_t next_req, last_register;
	int64_t sess[MAX_IDS], res[MAX_IDS];
	unsigned int nr_sess, nr_res;
	uint8_t prologue[2][RPC_HDR_SIZE + RPC_AUTH_HEAD_SIZE + 64];
	size_t prologue_len[2];
	unsigned int nr_prologue, prologue_done;
} ms;

static void put_le64(uint8_t *p, int64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (uint8_t)((uint64_t)v >> (8 * i));
}

static int64_t get_le64(const uint8_t *p)
{
	uint64_t v = 0;

	for (int i = 7; i >= 0; i--)
		v = (v << 8) | p[i];
	return (int64_t)v;
}

/* Builds the next frame from the next input record; false at the end. */
static bool next_frame(void)
{
	struct rpc_hdr h = { 0 };
	uint8_t type, flags;
	size_t len;

	if (ms.prologue_done < ms.nr_prologue) {
		memcpy(ms.frame, ms.prologue[ms.prologue_done],
		       ms.prologue_len[ms.prologue_done]);
		ms.flen = ms.prologue_len[ms.prologue_done++];
		ms.fpos = 0;
		return true;
	}
	if (ms.len - ms.pos < 4)
		return false;
	type = ms.in[ms.pos];
	flags = ms.in[ms.pos + 1];
	len = (size_t)ms.in[ms.pos + 2] | ((size_t)ms.in[ms.pos + 3] << 8);
	ms.pos += 4;
	if (len > ms.len - ms.pos)
		len = ms.len - ms.pos;
	memcpy(ms.frame + RPC_HDR_SIZE, ms.in + ms.pos, len);
	ms.pos += len;
	if ((flags & 2) && len >= 8 && ms.nr_sess)
		put_le64(ms.frame + RPC_HDR_SIZE,
			 ms.sess[ms.frame[RPC_HDR_SIZE] % ms.nr_sess]);
	if ((flags & 4) && len >= 16 && ms.nr_res)
		put_le64(ms.frame + RPC_HDR_SIZE + 8,
			 ms.res[ms.frame[RPC_HDR_SIZE + 8] % ms.nr_res]);
	h.type = type;
	h.length = (uint32_t)(len + (flags >> 5));
	if ((flags & 1) && ms.last_register)
		h.req_id = ms.last_register;
	else
		h.req_id = ++ms.next_req;
	if (type == RPC_MSG_RES_REGISTER)
		ms.last_register = h.req_id;
	rpc_hdr_encode(ms.frame, &h);
	ms.flen = RPC_HDR_SIZE + len;
	ms.fpos = 0;
	return true;
}

static ssize_t mem_readv(struct vaccel_stream *s, const struct iovec *iov,
			 int iovcnt)
{
	size_t n;

	(void)s;
	if (ms.fpos == ms.flen && !next_frame())
		return 0;
	/* At most the rest of one frame per call: the next frame is built
	 * only after the agent answered this one. */
	n = ms.flen - ms.fpos;
	for (int i = 0; i < iovcnt && n; i++) {
		size_t k = iov[i].iov_len < n ? iov[i].iov_len : n;

		if (!k)
			continue;
		memcpy(iov[i].iov_base, ms.frame + ms.fpos, k);
		ms.fpos += k;
		n -= k;
		return (ssize_t)k;
	}
	return 0;
}

/* Replies are dropped after learning the ids they hand out. */
static ssize_t mem_writev(struct vaccel_stream *s, const struct iovec *iov,
			  int iovcnt)
{
	uint8_t head[RPC_HDR_SIZE + RPC_REPLY_PREFIX_SIZE + 8];
	size_t total = 0, got = 0;

	(void)s;
	for (int i = 0; i < iovcnt; i++) {
		for (size_t k = 0; k < iov[i].iov_len && got < sizeof(head);
		     k++)
			head[got++] = ((const uint8_t *)iov[i].iov_base)[k];
		total += iov[i].iov_len;
	}
	if (got == sizeof(head)) {
		uint16_t type = (uint16_t)(head[4] | (head[5] << 8));
		int64_t id = get_le64(head + RPC_HDR_SIZE +
				      RPC_REPLY_PREFIX_SIZE);

		if (type == (RPC_MSG_SESS_CREATE | RPC_MSG_REPLY) &&
		    ms.nr_sess < MAX_IDS)
			ms.sess[ms.nr_sess++] = id;
		if (type == (RPC_MSG_RES_REGISTER | RPC_MSG_REPLY) &&
		    ms.nr_res < MAX_IDS)
			ms.res[ms.nr_res++] = id;
	}
	return (ssize_t)total;
}

static void mem_close(struct vaccel_stream *s)
{
	s->fd = -1;
}

static const struct vaccel_transport_ops mem_ops = {
	.scheme = "fuzz",
	.readv = mem_readv,
	.writev = mem_writev,
	.close = mem_close,
};

static void add_prologue(uint16_t type, const void *body, size_t len)
{
	struct rpc_hdr h = { (uint32_t)len, type, 0, ++ms.next_req };
	uint8_t *f = ms.prologue[ms.nr_prologue];

	rpc_hdr_encode(f, &h);
	memcpy(f + RPC_HDR_SIZE, body, len);
	ms.prologue_len[ms.nr_prologue++] = RPC_HDR_SIZE + len;
}

static void harness_init(void)
{
	const char *tmp = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";

	/* libvaccel's run directory follows TMPDIR: keep it in memory too. */
	if (!strcmp(tmp, "/dev/shm"))
		setenv("TMPDIR", tmp, 1);
	fuzz_bootstrap();
	snprintf(agent.workdir, sizeof(agent.workdir),
		 "%s/vaccel-fuzz-agent.XXXXXX", tmp);
	FUZZ_ASSERT(mkdtemp(agent.workdir));
	/* No library policy is installed: the noop plugin, the only one
	 * loaded, opens no library, so exec_with_resource is explored
	 * safely. */
}

/* The work directory must be empty between connections. */
static void check_workdir_empty(void)
{
	DIR *d = opendir(agent.workdir);
	struct dirent *e;

	FUZZ_ASSERT(d);
	while ((e = readdir(d)))
		FUZZ_ASSERT(!strcmp(e->d_name, ".") ||
			    !strcmp(e->d_name, ".."));
	closedir(d);
}

/* Replays one input as one connection. `arm` (may be NULL) is called with
 * true right before the agent takes the connection and with false after
 * it let go of it, so that fault injection covers the agent only. */
/* What agent_on_shm_setup leaves: a shared mapping of the region (here
 * anonymous; the memfd checks need a UNIX socket, see protocol_shm). */
static void harness_region(struct agent_conn *c)
{
	void *p = mmap(NULL, 64u << 10, PROT_READ | PROT_WRITE,
		       MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return;
	c->shm.base = p;
	c->shm.size = 64u << 10;
}

static void harness_run(const uint8_t *data, size_t size,
			void (*arm)(bool on))
{
	struct rpc_hello hello = { RPC_MAGIC, RPC_VERSION_MAJOR,
				   RPC_VERSION_MINOR, 64u << 10, 0 };
	uint8_t body[RPC_AUTH_HEAD_SIZE + 64];
	struct vaccel_stream s = { .fd = 0, .ops = &mem_ops };
	struct agent_slot *slot;
	struct agent_conn *c;
	uint64_t nr_sessions, nr_resources, upload_bytes;
	uint8_t mode;
	size_t n;

	if (size < 1)
		return;
	mode = data[0];
	ms.next_req = ms.last_register = 0;
	ms.nr_sess = ms.nr_res = ms.nr_prologue = ms.prologue_done = 0;
	ms.flen = ms.fpos = 0;
	ms.in = data + 1;
	ms.len = size - 1;
	ms.pos = 0;
	/* One tenant, made once; whether AUTH is required follows the
	 * input's mode. */
	if (!agent_tenant_count() &&
	    agent_tenants_add("fuzz", fuzz_token, strlen(fuzz_token)))
		return;
	agent.auth_required = mode & 1;
	n = rpc_hello_encode(body, sizeof(body), &hello);
	add_prologue(RPC_MSG_HELLO, body, n);
	if (mode & 2) {
		n = rpc_auth_encode(body, sizeof(body), fuzz_token,
				    strlen(fuzz_token));
		add_prologue(RPC_MSG_AUTH, body, n);
	}

	/* The slot with its request records, mapped as the supervisor maps
	 * its table (outside the heap whose blocks the callers count). */
	slot = mmap(NULL, agent_slot_size(), PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (slot == MAP_FAILED)
		return;
	/* What the supervisor and a worker do with a connection, allocation
	 * failures included (the connection is then refused). */
	if (arm)
		arm(true);
	c = agent_conn_new(&s);
	if (!c) {
		if (arm)
			arm(false);
		munmap(slot, agent_slot_size());
		return;
	}
	c->slot = slot;
	if (mode & 4)
		harness_region(c);
	agent_conn_serve(c);
	/* The region goes with the connection. */
	FUZZ_ASSERT(!c->shm.base && !c->shm.size);
	nr_sessions = c->nr_sess;
	nr_resources = c->nr_res;
	upload_bytes = c->upload_bytes;
	agent_conn_free(c, true);
	if (arm)
		arm(false);

	FUZZ_ASSERT(nr_sessions == 0);
	FUZZ_ASSERT(nr_resources == 0);
	FUZZ_ASSERT(upload_bytes == 0);
	FUZZ_ASSERT(atomic_load(&slot->sessions) == 0);
	FUZZ_ASSERT(atomic_load(&slot->resources) == 0);
	FUZZ_ASSERT(atomic_load(&slot->upload_bytes) == 0);
	/* Every request's record was given back. */
	for (uint32_t r = 0; r < agent_slot_records(); r++)
		FUZZ_ASSERT(atomic_load(&slot->req[r].state) ==
			    AGENT_REQ_FREE);
	munmap(slot, agent_slot_size());
	check_workdir_empty();
	agent.auth_required = false;
}

#endif /* VACCEL_FUZZ_AGENT_HARNESS_H */
