// SPDX-License-Identifier: Apache-2.0
/*
 * Resource handlers. A new resource arrives as RES_REGISTER (blob names
 * and sizes) followed by RES_CHUNK frames carrying the bytes in order; file
 * blobs are written to disk as they arrive (a large model is never held
 * in memory), a single BUFFER blob is kept in memory (it can be synced).
 */
#include "agent.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const struct rpc_reply_prefix zero_prefix;

struct upload {
	const struct rpc_res_register *m;
	char dir[PATH_MAX];
	char **paths;
	int *fds;
	uint8_t *mem;
	bool in_memory;
};

static void upload_release(struct upload *u, bool remove_files)
{
	for (uint32_t i = 0; u->paths && i < u->m->nr_blobs; i++) {
		if (u->fds && u->fds[i] >= 0)
			close(u->fds[i]);
		if (remove_files && u->paths[i])
			unlink(u->paths[i]);
		free(u->paths[i]);
	}
	if (remove_files && u->dir[0])
		rmdir(u->dir);
	free(u->paths);
	free(u->fds);
	free(u->mem);
	u->paths = NULL;
	u->fds = NULL;
	u->mem = NULL;
}

/* Creates the upload directory and the (empty) blob files. */
static int upload_prepare(struct agent_conn *c, struct upload *u)
{
	const struct rpc_res_register *m = u->m;

	u->in_memory = m->nr_blobs == 1 &&
		       m->blobs[0].type == VACCEL_BLOB_BUFFER;
	if (u->in_memory) {
		u->mem = malloc(m->blobs[0].size ? m->blobs[0].size : 1);
		if (!u->mem)
			return agent_fail(c, VACCEL_ENOMEM,
					  "cannot hold a %llu byte buffer",
					  (unsigned long long)m->blobs[0].size);
		return VACCEL_OK;
	}
	{
		char conn_dir[PATH_MAX];
		int ret = agent_conn_dir(c->id, conn_dir, sizeof(conn_dir));

		if (ret)
			return agent_fail(c, ret,
					  "cannot create the connection's upload directory");
		if (snprintf(u->dir, sizeof(u->dir), "%s/r%llu", conn_dir,
			     (unsigned long long)++c->next_upload) >=
		    (int)sizeof(u->dir)) {
			u->dir[0] = '\0';
			return agent_fail(c, VACCEL_ENAMETOOLONG,
					  "upload directory path too long");
		}
	}
	if (mkdir(u->dir, 0700) < 0) {
		int err = errno;

		vaccel_error("agent: conn %llu: cannot create %s: %s",
			     (unsigned long long)c->id, u->dir, strerror(err));
		u->dir[0] = '\0';
		return agent_fail(c, VACCEL_EIO,
				  "cannot create the upload directory: %s",
				  strerror(err));
	}
	u->paths = calloc(m->nr_blobs, sizeof(*u->paths));
	u->fds = malloc(m->nr_blobs * sizeof(*u->fds));
	if (!u->paths || !u->fds)
		return agent_fail(c, VACCEL_ENOMEM, "out of memory");
	for (uint32_t i = 0; i < m->nr_blobs; i++)
		u->fds[i] = -1;
	for (uint32_t i = 0; i < m->nr_blobs; i++) {
		const struct rpc_blob_desc *b = &m->blobs[i];

		if (asprintf(&u->paths[i], "%s/%.*s", u->dir, (int)b->name_len,
			     b->name) < 0) {
			u->paths[i] = NULL;
			return agent_fail(c, VACCEL_ENOMEM, "out of memory");
		}
		/* O_EXCL: two blobs with one name are refused, and nothing
		 * that already exists is ever overwritten. */
		u->fds[i] = open(u->paths[i],
				 O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC |
					 O_NOFOLLOW,
				 0600);
		/* The message names the blob as the client did, never the
		 * host path it would have had. */
		if (u->fds[i] < 0)
			return agent_fail(c, errno == EEXIST ? VACCEL_EEXIST :
							       VACCEL_EIO,
					  "cannot create blob %u '%.*s': %s", i,
					  (int)b->name_len, b->name,
					  errno == EEXIST ?
						  "another blob of this resource has that name" :
						  strerror(errno));
	}
	return VACCEL_OK;
}

/* Receives the RES_CHUNK frames of request `req_id`, in order. A local
 * failure (disk full) keeps reading so that the stream stays framed and
 * is reported afterwards; a protocol violation closes the connection. */
static int upload_receive(struct agent_conn *c, struct upload *u,
			  uint64_t req_id)
{
	const struct rpc_res_register *m = u->m;
	int failed = VACCEL_OK;

	for (uint32_t i = 0; i < m->nr_blobs; i++) {
		uint64_t off = 0, size = m->blobs[i].size;

		while (off < size) {
			struct rpc_hdr h;
			struct rpc_chunk ch;

			if (rpc_conn_recv_hdr(&c->rc, &h) ||
			    h.type != RPC_MSG_RES_CHUNK || h.req_id != req_id) {
				vaccel_warn("agent: conn %llu: upload %llu interrupted at blob %u offset %llu",
					    (unsigned long long)c->id,
					    (unsigned long long)req_id, i,
					    (unsigned long long)off);
				return AGENT_CLOSE;
			}
			if (h.length > c->body_cap) {
				uint8_t *n = realloc(c->body, h.length);

				if (!n)
					return AGENT_CLOSE;
				c->body = n;
				c->body_cap = h.length;
			}
			if (rpc_conn_recv(&c->rc, c->body, h.length) ||
			    rpc_chunk_decode(c->body, h.length, &ch))
				return AGENT_CLOSE;
			if (ch.len > RPC_CHUNK_MAX) {
				vaccel_warn("agent: conn %llu: chunk of %llu bytes exceeds the %u byte chunk limit",
					    (unsigned long long)c->id,
					    (unsigned long long)ch.len,
					    RPC_CHUNK_MAX);
				return AGENT_CLOSE;
			}
			if (ch.blob != i || ch.offset != off || ch.len == 0 ||
			    ch.len > size - off) {
				vaccel_warn("agent: conn %llu: chunk for blob %u offset %llu (%llu bytes) where blob %u offset %llu of %llu was expected",
					    (unsigned long long)c->id, ch.blob,
					    (unsigned long long)ch.offset,
					    (unsigned long long)ch.len, i,
					    (unsigned long long)off,
					    (unsigned long long)size);
				return AGENT_CLOSE;
			}
			if (!failed && u->in_memory) {
				memcpy(u->mem + off, ch.data, ch.len);
			} else if (!failed) {
				const uint8_t *p = ch.data;
				size_t left = ch.len;

				while (left) {
					ssize_t w = write(u->fds[i], p, left);

					if (w < 0 && errno == EINTR)
						continue;
					if (w <= 0) {
						failed = agent_fail(
							c, VACCEL_EIO,
							"writing blob %u: %s",
							i, strerror(errno));
						break;
					}
					p += w;
					left -= (size_t)w;
				}
			}
			off += ch.len;
		}
	}
	return failed;
}

static int create_resource(struct agent_conn *c, struct upload *u,
			   struct vaccel_resource **res)
{
	const struct rpc_res_register *m = u->m;
	vaccel_resource_type_t type = (vaccel_resource_type_t)m->res_type;
	int ret;

	if (u->in_memory) {
		char name[RPC_MAX_NAME + 1];

		snprintf(name, sizeof(name), "%.*s", (int)m->blobs[0].name_len,
			 m->blobs[0].name);
		ret = vaccel_resource_from_buf(res, u->mem,
					       (size_t)m->blobs[0].size, type,
					       name, true);
	} else {
		for (uint32_t i = 0; i < m->nr_blobs; i++) {
			close(u->fds[i]);
			u->fds[i] = -1;
		}
		ret = vaccel_resource_multi_new(res, (const char **)u->paths,
						m->nr_blobs, type);
	}
	if (ret)
		return agent_fail_host(c, ret, "cannot create a %s resource of %u blobs",
				       vaccel_resource_type_to_str((int)type),
				       m->nr_blobs);
	return VACCEL_OK;
}

static int register_new(struct agent_conn *c, const struct rpc_hdr *h,
			const struct rpc_res_register *m,
			struct agent_sess *s, int64_t *id)
{
	struct upload u = { .m = m };
	struct vaccel_resource *res = NULL;
	char *dir = NULL;
	uint64_t total = 0;
	int ret;

	for (uint32_t i = 0; i < m->nr_blobs; i++)
		total += m->blobs[i].size;
	/* Refusals before any chunk is read: the chunks that follow are
	 * dropped by the request loop (c->skipping). */
	c->skipping = true;
	c->skip_req = h->req_id;
	if (m->res_type >= VACCEL_RESOURCE_MAX)
		return agent_fail(c, VACCEL_EINVAL, "bad resource type %u",
				  m->res_type);
	ret = agent_res_reserve(c);
	if (ret == VACCEL_EUSERS)
		return agent_fail(c, ret,
				  "resource limit of %u per connection reached",
				  agent.lim.max_resources);
	if (ret)
		return agent_fail(c, ret, "out of memory for a resource");
	if (total > agent.lim.max_upload ||
	    c->upload_bytes + total > agent.lim.max_upload)
		return agent_fail(c, VACCEL_ENOSPC,
				  "upload of %llu bytes exceeds the %llu byte limit (%llu in use)",
				  (unsigned long long)total,
				  (unsigned long long)agent.lim.max_upload,
				  (unsigned long long)c->upload_bytes);
	ret = agent_tenant_take(c, AGENT_USE_BYTES, total);
	if (ret)
		return ret;
	ret = upload_prepare(c, &u);
	if (ret)
		goto fail;
	c->skipping = false;
	ret = upload_receive(c, &u, h->req_id);
	if (ret)
		goto fail;
	ret = create_resource(c, &u, &res);
	if (ret)
		goto fail;
	if (u.dir[0]) {
		dir = strdup(u.dir);
		if (!dir) {
			vaccel_resource_delete(res);
			ret = agent_fail(c, VACCEL_ENOMEM, "out of memory");
			goto fail;
		}
	}
	ret = vaccel_resource_register(res, s->s);
	if (ret) {
		vaccel_resource_delete(res);
		free(dir);
		ret = agent_fail_host(c, ret, "cannot register resource with session %lld",
				      (long long)s->id);
		goto fail;
	}
	c->res[c->nr_res] = (struct agent_res){ res->id, res, dir, total };
	c->nr_res++;
	c->upload_bytes += total;
	upload_release(&u, false);
	*id = res->id;
	vaccel_debug("agent: conn %llu: resource %lld uploaded (%llu bytes, %u blobs)",
		     (unsigned long long)c->id, (long long)res->id,
		     (unsigned long long)total, m->nr_blobs);
	return VACCEL_OK;

fail:
	agent_tenant_give(c, AGENT_USE_BYTES, total);
	upload_release(&u, true);
	return ret;
}

int agent_on_res_register(struct agent_conn *c, const struct rpc_hdr *h)
{
	uint8_t out[RPC_REPLY_PREFIX_SIZE + 8];
	struct rpc_res_register m;
	struct agent_sess *s;
	struct agent_res *r;
	int64_t id = 0;
	int ret;

	ret = rpc_res_register_decode(c->body, h->length, &m);
	if (ret) {
		/* Nothing tells how many chunks may follow: drop them all. */
		c->skipping = true;
		c->skip_req = h->req_id;
		return agent_fail(c, VACCEL_EINVAL, "malformed RES_REGISTER");
	}
	s = agent_sess_find(c, m.sess_id);
	if (!s) {
		c->skipping = m.res_id == 0;
		c->skip_req = h->req_id;
		ret = agent_fail(c, VACCEL_ENOENT, "unknown session %lld",
				 (long long)m.sess_id);
		goto out;
	}
	if (m.res_id == 0) {
		ret = register_new(c, h, &m, s, &id);
		if (ret)
			goto out;
	} else {
		r = agent_res_find(c, m.res_id);
		if (!r) {
			ret = agent_fail(c, VACCEL_ENOENT,
					 "unknown resource %lld",
					 (long long)m.res_id);
			goto out;
		}
		/* Linking twice would leave the client believing in two
		 * registrations that one unregister undoes. */
		if (vaccel_session_has_resource(s->s, r->r)) {
			ret = agent_fail(c, VACCEL_EEXIST,
					 "resource %lld is already registered with session %lld",
					 (long long)m.res_id,
					 (long long)m.sess_id);
			goto out;
		}
		ret = vaccel_resource_register(r->r, s->s);
		if (ret) {
			ret = agent_fail_host(c, ret,
					      "cannot register resource %lld with session %lld",
					      (long long)m.res_id,
					      (long long)m.sess_id);
			goto out;
		}
		id = r->id;
	}
	rpc_id_reply_encode(out, sizeof(out), &zero_prefix, id);
	ret = agent_reply(c, h, out, sizeof(out), NULL, 0);
out:
	rpc_res_register_release(&m);
	return ret;
}

int agent_on_res_unregister(struct agent_conn *c, const struct rpc_hdr *h)
{
	uint8_t out[RPC_REPLY_PREFIX_SIZE];
	struct rpc_res_req q;
	struct agent_sess *s;
	struct agent_res *r;
	int ret;

	if (rpc_res_req_decode(c->body, h->length, &q))
		return agent_fail(c, VACCEL_EINVAL, "malformed RES_UNREGISTER");
	s = agent_sess_find(c, q.sess_id);
	if (!s)
		return agent_fail(c, VACCEL_ENOENT, "unknown session %lld",
				  (long long)q.sess_id);
	r = agent_res_find(c, q.res_id);
	if (!r)
		return agent_fail(c, VACCEL_ENOENT, "unknown resource %lld",
				  (long long)q.res_id);
	ret = vaccel_resource_unregister(r->r, s->s);
	if (ret)
		return agent_fail_host(c, ret,
				       "cannot unregister resource %lld from session %lld",
				       (long long)q.res_id, (long long)q.sess_id);
	if (vaccel_resource_refcount(r->r) == 0)
		agent_res_drop(c, r);
	rpc_empty_reply_encode(out, sizeof(out), &zero_prefix);
	return agent_reply(c, h, out, sizeof(out), NULL, 0);
}

int agent_on_res_sync(struct agent_conn *c, const struct rpc_hdr *h)
{
	struct rpc_res_req q;
	struct agent_sess *s;
	struct agent_res *r;
	struct iovec *iov = NULL;
	uint64_t *sizes = NULL;
	uint8_t *head = NULL;
	size_t head_len, nr;
	int ret;

	if (rpc_res_req_decode(c->body, h->length, &q))
		return agent_fail(c, VACCEL_EINVAL, "malformed RES_SYNC");
	s = agent_sess_find(c, q.sess_id);
	if (!s)
		return agent_fail(c, VACCEL_ENOENT, "unknown session %lld",
				  (long long)q.sess_id);
	r = agent_res_find(c, q.res_id);
	if (!r)
		return agent_fail(c, VACCEL_ENOENT, "unknown resource %lld",
				  (long long)q.res_id);
	ret = vaccel_resource_sync(r->r, s->s);
	if (ret && ret != VACCEL_ENOTSUP)
		return agent_fail_host(c, ret, "cannot sync resource %lld",
				       (long long)q.res_id);
	nr = r->r->nr_blobs;
	head_len = rpc_op_reply_head_size((uint32_t)nr);
	iov = calloc(nr + 1, sizeof(*iov));
	sizes = calloc(nr + 1, sizeof(*sizes));
	head = malloc(head_len);
	if (!iov || !sizes || !head) {
		ret = agent_fail(c, VACCEL_ENOMEM, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < nr; i++) {
		size_t size = 0;
		uint8_t *d = vaccel_blob_data(r->r->blobs[i], &size);

		if (!d && size) {
			ret = agent_fail(c, VACCEL_EIO,
					 "cannot read blob %zu of resource %lld",
					 i, (long long)q.res_id);
			goto out;
		}
		iov[i] = (struct iovec){ d, size };
		sizes[i] = size;
	}
	rpc_op_reply_head_encode(head, head_len, &zero_prefix, (uint32_t)nr,
				 sizes);
	ret = agent_reply(c, h, head, head_len, iov, (int)nr);
out:
	free(iov);
	free(sizes);
	free(head);
	return ret;
}
