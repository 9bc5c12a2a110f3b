// SPDX-License-Identifier: Apache-2.0
/*
 * The shared-memory data path (docs/protocol.md, section 2b;
 * docs/security.md, "Shared memory"). A client on a UNIX socket may hand
 * its worker a sealed memfd (SHM_SETUP); request items flagged SHM then
 * name (offset, size) in that region instead of carrying their bytes, and
 * the plugin reads and writes the region in place.
 *
 * The client can rewrite its region at any moment. So the region holds
 * payload bytes only: every descriptor, size and offset travels in the
 * request body, which the worker has in its own memory, and is checked
 * there once. Nothing the agent itself interprets (the op type, a resource
 * id, a STRING) may live in the region, and the read args of ops whose
 * plugin parses their bytes (image decoders) are copied out first. The
 * seals keep the region from shrinking under the mapping (no SIGBUS); the
 * mapping belongs to the worker process, so a client that dies leaves
 * nothing behind.
 */
#include "agent.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

/* What a region's memfd must be sealed with: it can neither shrink nor
 * grow, and its seals cannot change any more. */
#define SHM_SEALS (F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL)

static const struct rpc_reply_prefix zero_prefix;

bool agent_shm_offered(const struct agent_conn *c)
{
	return agent.shm_max && !c->serial &&
	       c->rc.s.ops == &vaccel__transport_unix;
}

/* Checks what the client passed: a memfd of exactly `size` bytes, sealed
 * as SHM_SEALS and writable. VACCEL_EBADF with c->err set otherwise. */
static int check_memfd(struct agent_conn *c, int fd, uint64_t size)
{
	struct statfs fs;
	struct stat st;
	int seals;

	if (fstat(fd, &st) || !S_ISREG(st.st_mode) || fstatfs(fd, &fs) ||
	    fs.f_type != TMPFS_MAGIC)
		return agent_fail(c, VACCEL_EBADF,
				  "the descriptor passed with SHM_SETUP is not a memfd");
	seals = fcntl(fd, F_GET_SEALS);
	if (seals < 0)
		return agent_fail(c, VACCEL_EBADF,
				  "the descriptor passed with SHM_SETUP is not a memfd");
	if ((seals & SHM_SEALS) != SHM_SEALS)
		return agent_fail(c, VACCEL_EBADF,
				  "the memfd is not sealed against shrinking, growing and resealing (seals 0x%x, need 0x%x)",
				  (unsigned int)seals, SHM_SEALS);
	if (seals & (F_SEAL_WRITE | F_SEAL_FUTURE_WRITE))
		return agent_fail(c, VACCEL_EBADF,
				  "the memfd is sealed against writing (seals 0x%x)",
				  (unsigned int)seals);
	if ((uint64_t)st.st_size != size)
		return agent_fail(c, VACCEL_EBADF,
				  "the memfd has %lld bytes, SHM_SETUP says %llu",
				  (long long)st.st_size,
				  (unsigned long long)size);
	return VACCEL_OK;
}

static int setup(struct agent_conn *c, int fd, uint64_t size)
{
	uint64_t granted;
	void *p;
	int ret;

	if (!agent_shm_offered(c))
		return agent_fail(c, VACCEL_ENOTSUP,
				  agent.shm_max ?
					  "shared memory needs a UNIX socket connection" :
					  "shared memory is off on this agent (--no-shm)");
	if (c->shm.base)
		return agent_fail(c, VACCEL_EEXIST,
				  "this connection has a shared region already");
	if (fd < 0)
		return agent_fail(c, VACCEL_EBADF,
				  "SHM_SETUP came without a descriptor (SCM_RIGHTS)");
	if (size < RPC_FRAME_MIN)
		return agent_fail(c, VACCEL_EINVAL,
				  "a shared region of %llu bytes is below the minimum %u",
				  (unsigned long long)size, RPC_FRAME_MIN);
	ret = check_memfd(c, fd, size);
	if (ret)
		return ret;
	/* The agent caps the region; the client uses what it is granted.
	 * The seals keep the whole file in place, so mapping a prefix is
	 * safe. */
	granted = size < agent.shm_max ? size : agent.shm_max;
	granted -= granted % RPC_SHM_ALIGN;
	ret = agent_tenant_take(c, AGENT_USE_BYTES, granted);
	if (ret)
		return ret;
	p = mmap(NULL, (size_t)granted, PROT_READ | PROT_WRITE, MAP_SHARED,
		 fd, 0);
	if (p == MAP_FAILED) {
		agent_tenant_give(c, AGENT_USE_BYTES, granted);
		return agent_fail(c, VACCEL_ENOMEM,
				  "cannot map a shared region of %llu bytes: %s",
				  (unsigned long long)granted, strerror(errno));
	}
	c->shm.base = p;
	c->shm.size = granted;
	return VACCEL_OK;
}

int agent_on_shm_setup(struct agent_conn *c, const struct rpc_hdr *h)
{
	uint8_t out[RPC_REPLY_PREFIX_SIZE + 8];
	int fd = rpc_conn_take_fd(&c->rc);
	struct rpc_wbuf w;
	uint64_t size;
	int ret;

	if (rpc_shm_setup_decode(c->body, h->length, &size))
		ret = agent_fail(c, VACCEL_EINVAL, "malformed SHM_SETUP");
	else
		ret = setup(c, fd, size);
	if (fd >= 0)
		close(fd);
	if (ret) {
		vaccel_warn("agent: conn %llu: shared region refused: %s",
			    (unsigned long long)c->id, c->err);
		return ret;
	}
	vaccel_info("agent: conn %llu: shared region of %llu bytes (asked %llu)",
		    (unsigned long long)c->id,
		    (unsigned long long)c->shm.size,
		    (unsigned long long)size);
	rpc_wbuf_init(&w, out, sizeof(out));
	rpc_reply_prefix_put(&w, &zero_prefix);
	rpc_put_u64(&w, c->shm.size);
	return agent_reply(c, h, out, sizeof(out), NULL, 0);
}

void agent_shm_release(struct agent_conn *c)
{
	if (c->shm.base) {
		munmap(c->shm.base, (size_t)c->shm.size);
		agent_tenant_give(c, AGENT_USE_BYTES, c->shm.size);
	}
	free(c->shm.copy);
	memset(&c->shm, 0, sizeof(c->shm));
}

/* Checks that [off, off + size) lies in the region (no wrap) at an
 * aligned offset. */
static int in_region(struct agent_conn *c, const char *what, uint32_t i,
		     uint64_t off, uint64_t size)
{
	if (!c->shm.base)
		return agent_fail(c, VACCEL_EINVAL,
				  "%s %u is in a shared region, but the connection has none",
				  what, i);
	if (off % RPC_SHM_ALIGN || off > c->shm.size ||
	    size > c->shm.size - off)
		return agent_fail(c, VACCEL_EINVAL,
				  "%s %u at offset %llu with %llu bytes is outside the %llu byte shared region (or not %u-aligned)",
				  what, i, (unsigned long long)off,
				  (unsigned long long)size,
				  (unsigned long long)c->shm.size,
				  RPC_SHM_ALIGN);
	return VACCEL_OK;
}

static bool overlap(const struct rpc_arg *a, const struct rpc_arg *b)
{
	return a->size && b->size && a->shm_off < b->shm_off + b->size &&
	       b->shm_off < a->shm_off + a->size;
}

/* A write arg in the region may share bytes with no other region arg: a
 * plugin never sees its output aliasing an input. */
static int check_overlaps(struct agent_conn *c, const struct rpc_op_req *m)
{
	uint32_t n = m->nr_read + m->nr_write;

	for (uint32_t i = 0; i < m->nr_write; i++) {
		const struct rpc_arg *w = &m->write[i];

		if (!(w->flags & RPC_ARG_SHM))
			continue;
		for (uint32_t j = 0; j < n; j++) {
			const struct rpc_arg *o = &m->read[j];

			if (o != w && (o->flags & RPC_ARG_SHM) && overlap(w, o))
				return agent_fail(c, VACCEL_EINVAL,
						  "write arg %u overlaps another arg in the shared region",
						  i);
		}
	}
	return VACCEL_OK;
}

/* Copies the region read args into c->shm.copy, each padded to
 * RPC_ALIGN, and points them there. */
static int copy_out(struct agent_conn *c, struct rpc_op_req *m)
{
	size_t total = 0, off = 0;

	for (uint32_t i = 0; i < m->nr_read; i++)
		if (m->read[i].flags & RPC_ARG_SHM)
			total += m->read[i].size + RPC_PAD(m->read[i].size);
	/* Empty region args stay where they are (no bytes to copy). */
	if (!total)
		return VACCEL_OK;
	if (total > c->shm.copy_cap) {
		uint8_t *p = realloc(c->shm.copy, total);

		if (!p)
			return agent_fail(c, VACCEL_ENOMEM,
					  "cannot copy %zu bytes out of the shared region",
					  total);
		c->shm.copy = p;
		c->shm.copy_cap = total;
	}
	for (uint32_t i = 0; i < m->nr_read; i++) {
		struct rpc_arg *a = &m->read[i];

		if (!(a->flags & RPC_ARG_SHM))
			continue;
		memcpy(c->shm.copy + off, a->data, (size_t)a->size);
		a->data = c->shm.copy + off;
		off += a->size + RPC_PAD(a->size);
	}
	return VACCEL_OK;
}

int agent_shm_op_args(struct agent_conn *c, struct rpc_op_req *m, uint32_t op)
{
	uint32_t n = m->nr_read + m->nr_write, used = 0;
	uint32_t own = op == VACCEL_OP_EXEC_WITH_RESOURCE ? 2 : 1;
	/* Image ops decode their input: they get a private copy of it. */
	bool copy = op >= VACCEL_OP_IMAGE_CLASSIFY &&
		    op <= VACCEL_OP_IMAGE_DEPTH;
	int ret;

	for (uint32_t i = 0; i < n; i++) {
		struct rpc_arg *a = &m->read[i];
		bool wr = i >= m->nr_read;
		uint32_t idx = wr ? i - m->nr_read : i;

		if (!(a->flags & RPC_ARG_SHM))
			continue;
		/* What the agent reads itself is read once, from its own
		 * copy of the body: the op type and EXEC_WITH_RESOURCE's
		 * resource id (read[0], read[1]); and a STRING's single NUL
		 * is a property the region cannot keep. */
		if ((!wr && idx < own) || a->type == VACCEL_ARG_STRING)
			return agent_fail(c, VACCEL_EINVAL,
					  "%s arg %u may not be in the shared region (the op type, a resource id and STRING args travel in the request)",
					  wr ? "write" : "read", idx);
		ret = in_region(c, wr ? "write arg" : "read arg", idx,
				a->shm_off, a->size);
		if (ret)
			return ret;
		a->data = c->shm.base + a->shm_off;
		used++;
	}
	if (!used)
		return VACCEL_OK;
	ret = check_overlaps(c, m);
	if (!ret && copy)
		ret = copy_out(c, m);
	if (!ret)
		c->shm.items += used;
	return ret;
}

int agent_shm_tensors(struct agent_conn *c, struct rpc_tensor *t, uint32_t nr)
{
	for (uint32_t i = 0; i < nr; i++) {
		int ret;

		if (!(t[i].flags & RPC_TENSOR_SHM))
			continue;
		ret = in_region(c, "input tensor", i, t[i].shm_off, t[i].size);
		if (ret)
			return ret;
		t[i].data = c->shm.base + t[i].shm_off;
		c->shm.items++;
	}
	return VACCEL_OK;
}
