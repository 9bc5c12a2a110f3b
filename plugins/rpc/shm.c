// SPDX-License-Identifier: Apache-2.0
/*
 * The client's side of the shared-memory data path (docs/protocol.md,
 * section 2b). On a UNIX socket to an agent that offers it, the plugin
 * creates a sealed memfd, maps it and passes it with SHM_SETUP. Request
 * items of at least VACCEL_RPC_SHM_MIN bytes are then copied into the
 * region instead of being written to the socket, and write args come back
 * in place: one memcpy each way instead of two socket copies.
 *
 * The region belongs to the link: it is unmapped when the link's last
 * reference goes (a lost link's calls may still hold it), and a new link
 * sets up its own. Calls of several threads are in flight at once, so
 * each item takes a free part of the region (first fit) that its call
 * holds until rpcc_xfer_end, after its write args were copied back. An
 * item for which no part is free travels on the socket.
 *
 * VACCEL_RPC_SHM=0 turns it off; VACCEL_RPC_SHM_BYTES sets the size asked
 * for (default 64 MiB; the agent may grant less).
 */
#include "rpc_plugin.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define SHM_DEFAULT_BYTES (64ull << 20)
#define SHM_DEFAULT_MIN (16ull << 10)
/* Items start on cache lines. */
#define SHM_ITEM_ALIGN 64u

static const uint8_t zeros[RPC_ALIGN];

static uint64_t env_u64(const char *name, uint64_t def)
{
	const char *s = getenv(name);
	unsigned long long v;
	char *end;

	if (!s || !s[0])
		return def;
	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || *end || s[0] == '-') {
		vaccel_warn("rpc: ignoring %s=%s (not a number)", name, s);
		return def;
	}
	return v;
}

bool rpcc_shm_wanted(const struct rpcc_link *l)
{
	const char *s = getenv("VACCEL_RPC_SHM");

	if (s && strcmp(s, "0") == 0)
		return false;
	return l->conn.s.ops == &vaccel__transport_unix;
}

void rpcc_shm_release(struct rpcc_link *l)
{
	struct rpcc_shm *s = &l->shm;

	if (s->base)
		munmap(s->base, (size_t)s->mapped);
	free(s->spans);
	pthread_mutex_destroy(&s->lock);
	s->base = NULL;
	s->spans = NULL;
	s->nr_spans = s->cap_spans = 0;
}

/* A sealed memfd of `size` bytes, mapped at *base; -1 on failure. */
static int make_region(uint64_t size, uint8_t **base)
{
	int fd = memfd_create("vaccel-rpc-shm", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	void *p;

	if (fd < 0)
		return -1;
	if (ftruncate(fd, (off_t)size) ||
	    fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL))
		goto fail;
	p = mmap(NULL, (size_t)size, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
		 0);
	if (p == MAP_FAILED)
		goto fail;
	*base = p;
	return fd;
fail:
	close(fd);
	return -1;
}

/* The SHM_SETUP exchange: the granted size, or 0 after a refusal (the
 * connection stays usable); a lost connection fails. */
static int offer(struct rpcc_link *l, int fd, uint64_t size,
		 uint64_t *granted)
{
	uint8_t out[RPC_SHM_SETUP_SIZE], body[RPC_REPLY_PREFIX_SIZE + 8];
	struct rpc_reply_prefix p;
	struct rpcc_xfer x;
	struct rpc_rbuf r;
	uint32_t len;
	int ret;

	*granted = 0;
	rpc_shm_setup_encode(out, sizeof(out), size);
	rpcc_xfer_begin(&x, l);
	ret = rpcc_send_fd(&x, RPC_MSG_SHM_SETUP, out, sizeof(out), fd);
	if (!ret)
		ret = rpcc_wait(&x, RPC_MSG_SHM_SETUP);
	len = x.h.length;
	if (!ret)
		ret = rpcc_recv_body(&x, body, sizeof(body));
	rpcc_xfer_end(&x);
	if (ret) {
		if (atomic_load(&l->broken))
			return ret;
		vaccel_warn("rpc: agent %s refused the shared region: arguments travel on the socket",
			    rpcc.address);
		return VACCEL_OK;
	}
	rpc_rbuf_init(&r, body, len);
	rpc_reply_prefix_get(&r, &p);
	*granted = rpc_get_u64(&r);
	if (r.err || r.pos != r.len || *granted > size ||
	    *granted < RPC_FRAME_MIN) {
		errno = EPROTO;
		return rpcc_bad_reply(l, RPC_MSG_SHM_SETUP);
	}
	return VACCEL_OK;
}

int rpcc_shm_setup(struct rpcc_link *l)
{
	uint64_t size = env_u64("VACCEL_RPC_SHM_BYTES", SHM_DEFAULT_BYTES);
	uint64_t granted;
	uint8_t *base = NULL;
	int fd, ret;

	size -= size % RPC_SHM_ALIGN;
	if (size < RPC_FRAME_MIN) {
		vaccel_warn("rpc: VACCEL_RPC_SHM_BYTES below %u: no shared memory",
			    RPC_FRAME_MIN);
		return VACCEL_OK;
	}
	fd = make_region(size, &base);
	if (fd < 0) {
		vaccel_warn("rpc: cannot create a %llu byte shared region (%s): arguments travel on the socket",
			    (unsigned long long)size, strerror(errno));
		return VACCEL_OK;
	}
	ret = offer(l, fd, size, &granted);
	close(fd);
	if (ret || !granted) {
		munmap(base, (size_t)size);
		return ret;
	}
	l->shm.base = base;
	l->shm.mapped = size;
	l->shm.size = granted;
	l->shm.min_item = env_u64("VACCEL_RPC_SHM_MIN", SHM_DEFAULT_MIN);
	vaccel_debug("rpc: shared region of %llu bytes with agent %s",
		     (unsigned long long)granted, rpcc.address);
	return VACCEL_OK;
}

static uint64_t align_up(uint64_t v)
{
	return v + (SHM_ITEM_ALIGN - v % SHM_ITEM_ALIGN) % SHM_ITEM_ALIGN;
}

/* Takes the first free part of `size` bytes for x, at an aligned offset;
 * false when none is free. With s->lock. */
static bool take(struct rpcc_shm *s, const struct rpcc_xfer *x,
		 uint64_t size, uint64_t *off)
{
	uint64_t at = 0;
	size_t i;

	for (i = 0; i <= s->nr_spans; i++) {
		uint64_t end = i < s->nr_spans ? s->spans[i].off : s->size;

		if (end >= at && end - at >= size)
			break;
		if (i < s->nr_spans)
			at = align_up(s->spans[i].end);
	}
	if (i > s->nr_spans)
		return false;
	if (s->nr_spans == s->cap_spans) {
		size_t cap = s->cap_spans ? 2 * s->cap_spans : 16;
		struct rpcc_span *p = realloc(s->spans, cap * sizeof(*p));

		if (!p)
			return false;
		s->spans = p;
		s->cap_spans = cap;
	}
	memmove(&s->spans[i + 1], &s->spans[i],
		(s->nr_spans - i) * sizeof(*s->spans));
	s->spans[i] = (struct rpcc_span){ at, at + size, x };
	s->nr_spans++;
	*off = at;
	return true;
}

void rpcc_shm_put(const struct rpcc_xfer *x)
{
	struct rpcc_shm *s = &x->link->shm;
	size_t n = 0;

	if (!s->base)
		return;
	pthread_mutex_lock(&s->lock);
	for (size_t i = 0; i < s->nr_spans; i++)
		if (s->spans[i].owner != x)
			s->spans[n++] = s->spans[i];
	s->nr_spans = n;
	pthread_mutex_unlock(&s->lock);
}

int rpcc_item(struct rpcc_xfer *x, struct iovec *iov, int n,
	      const void *data, uint64_t size, bool may_shm,
	      struct rpcc_item *it, uint64_t *body)
{
	struct rpcc_shm *s = &x->link->shm;
	struct rpc_wbuf w;

	it->shm = false;
	if (may_shm && s->base && size && size >= s->min_item &&
	    size <= s->size) {
		pthread_mutex_lock(&s->lock);
		it->shm = take(s, x, size, &it->off);
		pthread_mutex_unlock(&s->lock);
	}
	if (it->shm) {
		memcpy(s->base + it->off, data, (size_t)size);
		rpc_wbuf_init(&w, it->slot, sizeof(it->slot));
		rpc_put_u64(&w, it->off);
		iov[n++] = (struct iovec){ it->slot, sizeof(it->slot) };
		*body += sizeof(it->slot);
		return n;
	}
	if (size)
		iov[n++] = (struct iovec){ (void *)data, (size_t)size };
	if (RPC_PAD(size))
		iov[n++] = (struct iovec){ (void *)zeros, RPC_PAD(size) };
	*body += size + RPC_PAD(size);
	return n;
}

const void *rpcc_shm_at(const struct rpcc_xfer *x, uint64_t off)
{
	return x->link->shm.base + off;
}
