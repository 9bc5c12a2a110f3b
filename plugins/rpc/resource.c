// SPDX-License-Identifier: Apache-2.0
/*
 * Resource hooks. The first registration of a resource uploads its blobs
 * (RES_REGISTER followed by RES_CHUNK frames of bounded size, read straight
 * from the blob's memory or file); registering it with another session of
 * the same connection only links the agent's copy.
 */
#include "rpc_plugin.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct rpcc_res *rpcc_res_find(vaccel_id_t local)
{
	for (size_t i = 0; i < rpcc.nr_res; i++)
		if (rpcc.res[i].local == local)
			return &rpcc.res[i];
	return NULL;
}

static struct rpcc_res *res_add(vaccel_id_t local, int64_t remote)
{
	if (rpcc.nr_res == rpcc.cap_res) {
		size_t cap = rpcc.cap_res ? rpcc.cap_res * 2 : 16;
		struct rpcc_res *n = realloc(rpcc.res, cap * sizeof(*n));

		if (!n) {
			vaccel_error("rpc: cannot grow the resource table to %zu",
				     cap);
			return NULL;
		}
		rpcc.res = n;
		rpcc.cap_res = cap;
	}
	rpcc.res[rpcc.nr_res] = (struct rpcc_res){ local, remote, rpcc.gen, 0 };
	return &rpcc.res[rpcc.nr_res++];
}

static void res_del(struct rpcc_res *r)
{
	*r = rpcc.res[--rpcc.nr_res];
}

/* The name a blob travels under: its own, else its file's base name,
 * else "blob<i>" when neither is a safe single path component. */
static const char *blob_name(const struct vaccel_blob *b, size_t i,
			     char *fallback, size_t cap)
{
	const char *name = b->name;

	if ((!name || !name[0]) && b->path) {
		name = strrchr(b->path, '/');
		name = name ? name + 1 : b->path;
	}
	if (!name || !name[0] || strchr(name, '/') ||
	    strlen(name) > RPC_MAX_NAME || strcmp(name, ".") == 0 ||
	    strcmp(name, "..") == 0) {
		snprintf(fallback, cap, "blob%u", (unsigned int)(i % RPC_MAX_BLOBS));
		return fallback;
	}
	return name;
}

static int blob_size(const struct vaccel_blob *b, uint64_t *size)
{
	struct stat st;

	if (b->data) {
		*size = b->size;
		return VACCEL_OK;
	}
	if (!b->path || stat(b->path, &st) < 0) {
		vaccel_error("rpc: blob %s of a resource has no data and no readable file: %s",
			     b->path ? b->path : "(no path)", strerror(errno));
		return VACCEL_ENOENT;
	}
	*size = (uint64_t)st.st_size;
	return VACCEL_OK;
}

/* Streams one blob as RES_CHUNK frames. A failure to read the file after
 * the upload started leaves the stream mid-request, so the connection is
 * dropped. */
static int send_blob(struct rpcc_xfer *x, const struct vaccel_blob *b,
		     uint32_t idx, uint64_t size, uint8_t *fbuf, size_t chunk)
{
	uint8_t head[RPC_CHUNK_HEAD_SIZE];
	uint64_t off = 0;
	int fd = -1;
	int ret = VACCEL_OK;

	if (!b->data && size) {
		fd = open(b->path, O_RDONLY | O_CLOEXEC);
		if (fd < 0) {
			vaccel_error("rpc: cannot open blob %s: %s", b->path,
				     strerror(errno));
			return rpcc_lost(x->link, "resource upload");
		}
	}
	while (off < size) {
		size_t len = size - off < chunk ? (size_t)(size - off) : chunk;
		struct iovec iov;

		if (b->data) {
			iov = (struct iovec){ b->data + off, len };
		} else {
			ssize_t r = pread(fd, fbuf, len, (off_t)off);

			if (r != (ssize_t)len) {
				vaccel_error("rpc: short read of blob %s at %llu (file changed?)",
					     b->path, (unsigned long long)off);
				ret = rpcc_lost(x->link, "resource upload");
				break;
			}
			iov = (struct iovec){ fbuf, len };
		}
		rpc_chunk_head_encode(head, sizeof(head), idx, off);
		ret = rpcc_send_chunk(x, head, sizeof(head), &iov);
		if (ret)
			break;
		off += len;
	}
	if (fd >= 0)
		close(fd);
	return ret;
}

/* Sends RES_REGISTER for a new resource, its chunks, and reads the id. */
static int upload(struct vaccel_resource *res, int64_t sess_remote,
		  int64_t *id)
{
	struct rpc_res_register m = { sess_remote, 0, (uint32_t)res->type,
				      (uint32_t)res->nr_blobs, NULL };
	char (*names)[32] = NULL;
	uint8_t *head = NULL, *fbuf = NULL;
	uint8_t body[RPC_REPLY_PREFIX_SIZE + 8];
	struct rpc_reply_prefix p;
	struct rpcc_xfer x;
	size_t head_len, chunk;
	uint64_t t0 = vaccel_prof_get_tstamp();
	int ret;

	if (res->nr_blobs == 0 || res->nr_blobs > RPC_MAX_BLOBS) {
		vaccel_error("rpc: resource %lld has %zu blobs (1..%u can be uploaded; remote URLs are not forwarded)",
			     (long long)res->id, res->nr_blobs, RPC_MAX_BLOBS);
		return res->nr_blobs ? VACCEL_EINVAL : VACCEL_ENOTSUP;
	}
	m.blobs = calloc(res->nr_blobs, sizeof(*m.blobs));
	names = calloc(res->nr_blobs, sizeof(*names));
	chunk = rpcc.peer_max_frame - RPC_CHUNK_HEAD_SIZE;
	if (chunk > RPC_CHUNK_DEFAULT)
		chunk = RPC_CHUNK_DEFAULT;
	fbuf = malloc(chunk);
	if (!m.blobs || !names || !fbuf) {
		vaccel_error("rpc: out of memory preparing upload of resource %lld",
			     (long long)res->id);
		ret = VACCEL_ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < res->nr_blobs; i++) {
		const struct vaccel_blob *b = res->blobs[i];
		const char *name = blob_name(b, i, names[i], sizeof(names[i]));

		ret = blob_size(b, &m.blobs[i].size);
		if (ret)
			goto out;
		m.blobs[i].type = (uint32_t)b->type;
		m.blobs[i].name = name;
		m.blobs[i].name_len = (uint32_t)strlen(name);
	}
	head_len = rpc_res_register_size(&m);
	head = malloc(head_len);
	if (!head) {
		ret = VACCEL_ENOMEM;
		goto out;
	}
	rpc_res_register_encode(head, head_len, &m);
	if (head_len > rpcc.peer_max_frame) {
		vaccel_error("rpc: resource %lld descriptor of %zu bytes exceeds the agent's max frame %u",
			     (long long)res->id, head_len, rpcc.peer_max_frame);
		ret = VACCEL_EINVAL;
		goto out;
	}
	/* The chunks follow their RES_REGISTER with no other frame in
	 * between (docs/protocol.md, section 5). */
	rpcc_xfer_begin(&x, rpcc.link);
	rpcc_send_hold(x.link);
	ret = rpcc_send(&x, RPC_MSG_RES_REGISTER, head, head_len, NULL, 0);
	for (size_t i = 0; !ret && i < res->nr_blobs; i++)
		ret = send_blob(&x, res->blobs[i], (uint32_t)i,
				m.blobs[i].size, fbuf, chunk);
	rpcc_send_release(x.link);
	if (!ret)
		ret = rpcc_wait(&x, RPC_MSG_RES_REGISTER);
	if (!ret)
		ret = rpcc_recv_body(&x, body, sizeof(body));
	if (!ret && rpc_id_reply_decode(body, x.h.length, &p, id))
		ret = rpcc_bad_reply(x.link, RPC_MSG_RES_REGISTER);
	else if (!ret)
		rpcc_prof(t0, &p);
	rpcc_xfer_end(&x);
out:
	free(head);
	free(fbuf);
	free(names);
	free(m.blobs);
	return ret;
}

/* Registers an already uploaded resource with one more agent session. */
static int link_remote(int64_t sess_remote, int64_t res_remote)
{
	struct rpc_res_register m = { sess_remote, res_remote, 0, 0, NULL };
	uint8_t head[64], body[RPC_REPLY_PREFIX_SIZE + 8];
	struct rpc_reply_prefix p;
	struct rpcc_xfer x;
	int64_t id;
	size_t n = rpc_res_register_encode(head, sizeof(head), &m);
	int ret;

	rpcc_xfer_begin(&x, rpcc.link);
	ret = rpcc_call(&x, RPC_MSG_RES_REGISTER, head, n, NULL, 0);
	if (!ret)
		ret = rpcc_recv_body(&x, body, sizeof(body));
	if (!ret && (rpc_id_reply_decode(body, x.h.length, &p, &id) ||
		     id != res_remote))
		ret = rpcc_bad_reply(x.link, RPC_MSG_RES_REGISTER);
	rpcc_xfer_end(&x);
	return ret;
}

int rpcc_resource_register(struct vaccel_resource *res,
			   struct vaccel_session *sess)
{
	struct rpcc_res *r;
	int64_t sess_remote, id = 0;
	int ret;

	if (!res || !sess) {
		vaccel_error("rpc: resource_register with NULL %s",
			     res ? "session" : "resource");
		return VACCEL_EINVAL;
	}
	pthread_mutex_lock(&rpcc.lock);
	ret = rpcc_sess_remote(sess, &sess_remote);
	if (ret)
		goto out;
	r = rpcc_res_find(res->id);
	if (r && r->gen != rpcc.gen) {
		/* Uploaded over a connection that is gone. */
		res_del(r);
		r = NULL;
	}
	if (r) {
		ret = link_remote(sess_remote, r->remote);
		if (ret == VACCEL_OK)
			r->nr_sessions++;
		goto out;
	}
	ret = upload(res, sess_remote, &id);
	if (ret)
		goto out;
	r = res_add(res->id, id);
	if (!r) {
		ret = VACCEL_ENOMEM;
		goto out;
	}
	r->nr_sessions = 1;
	res->remote_id = id;
	vaccel_debug("rpc: resource %lld uploaded as agent resource %lld",
		     (long long)res->id, (long long)id);
out:
	pthread_mutex_unlock(&rpcc.lock);
	return ret;
}

int rpcc_resource_unregister(struct vaccel_resource *res,
			     struct vaccel_session *sess)
{
	struct rpc_res_req q;
	struct rpcc_sess *s;
	struct rpcc_res *r;
	uint8_t out[16], body[RPC_REPLY_PREFIX_SIZE];
	struct rpc_reply_prefix p;
	struct rpcc_xfer x;
	int ret = VACCEL_OK;

	if (!res || !sess) {
		vaccel_error("rpc: resource_unregister with NULL %s",
			     res ? "session" : "resource");
		return VACCEL_EINVAL;
	}
	pthread_mutex_lock(&rpcc.lock);
	/* This hook runs for every unregistration in the process: only ours
	 * concern us. */
	s = rpcc_sess_find(sess->id);
	r = rpcc_res_find(res->id);
	if (!s || !r)
		goto out;
	if (rpcc_connected() && s->gen == rpcc.gen && r->gen == rpcc.gen) {
		q = (struct rpc_res_req){ s->remote, r->remote };
		rpcc_xfer_begin(&x, rpcc.link);
		ret = rpcc_call(&x, RPC_MSG_RES_UNREGISTER, out,
				rpc_res_req_encode(out, sizeof(out), &q), NULL,
				0);
		if (!ret)
			ret = rpcc_recv_body(&x, body, sizeof(body));
		if (!ret && rpc_empty_reply_decode(body, x.h.length, &p))
			ret = rpcc_bad_reply(x.link, RPC_MSG_RES_UNREGISTER);
		rpcc_xfer_end(&x);
	}
	r = rpcc_res_find(res->id);
	if (r && (r->nr_sessions <= 1 || r->gen != rpcc.gen)) {
		res_del(r);
		res->remote_id = 0;
	} else if (r) {
		r->nr_sessions--;
	}
out:
	pthread_mutex_unlock(&rpcc.lock);
	return ret;
}

int rpcc_resource_sync(struct vaccel_resource *res,
		       struct vaccel_session *sess)
{
	struct rpc_res_req q;
	struct rpcc_res *r;
	uint8_t out[16];
	uint8_t *head = NULL;
	uint64_t *sizes = NULL;
	struct iovec *iov = NULL;
	struct rpc_reply_prefix p;
	struct rpcc_xfer x = { 0 };
	size_t head_len;
	int ret;

	if (!res || !sess) {
		vaccel_error("rpc: resource_sync with NULL %s",
			     res ? "session" : "resource");
		return VACCEL_EINVAL;
	}
	pthread_mutex_lock(&rpcc.lock);
	ret = rpcc_sess_remote(sess, &q.sess_id);
	if (ret)
		goto out;
	r = rpcc_res_find(res->id);
	if (!r || r->gen != rpcc.gen) {
		vaccel_error("rpc: resource %lld is not registered with the agent",
			     (long long)res->id);
		ret = VACCEL_EPERM;
		goto out;
	}
	q.res_id = r->remote;
	head_len = rpc_op_reply_head_size((uint32_t)res->nr_blobs);
	head = malloc(head_len);
	sizes = calloc(res->nr_blobs + 1, sizeof(*sizes));
	iov = calloc(res->nr_blobs + 1, sizeof(*iov));
	if (!head || !sizes || !iov) {
		ret = VACCEL_ENOMEM;
		goto out;
	}
	rpcc_xfer_begin(&x, rpcc.link);
	ret = rpcc_call(&x, RPC_MSG_RES_SYNC, out,
			rpc_res_req_encode(out, sizeof(out), &q), NULL, 0);
	if (ret)
		goto out;
	if (x.h.length < head_len) {
		ret = rpcc_bad_reply(x.link, RPC_MSG_RES_SYNC);
		goto out;
	}
	ret = rpcc_recv(&x, head, head_len);
	if (ret)
		goto out;
	if (rpc_op_reply_head_decode(head, head_len, x.h.length,
				     (uint32_t)res->nr_blobs, NULL, &p, sizes)) {
		ret = rpcc_bad_reply(x.link, RPC_MSG_RES_SYNC);
		goto out;
	}
	for (size_t i = 0; i < res->nr_blobs; i++) {
		struct vaccel_blob *b = res->blobs[i];

		if (!b->data || b->size != sizes[i]) {
			/* Reads the data anyway to keep the stream framed. */
			vaccel_error("rpc: blob %zu of resource %lld: agent has %llu bytes, local buffer %zu",
				     i, (long long)res->id,
				     (unsigned long long)sizes[i], b->size);
			ret = rpcc_recv(&x, NULL, x.left);
			if (!ret)
				ret = VACCEL_EINVAL;
			goto out;
		}
		iov[i] = (struct iovec){ b->data, b->size };
	}
	ret = rpcc_recv_iov(&x, iov, (int)res->nr_blobs);
out:
	rpcc_xfer_end(&x);
	pthread_mutex_unlock(&rpcc.lock);
	free(head);
	free(sizes);
	free(iov);
	return ret;
}
