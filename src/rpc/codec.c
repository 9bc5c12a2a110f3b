// SPDX-License-Identifier: Apache-2.0
/*
 * Encoding and decoding of RPC message bodies. Pure code: no I/O, no
 * globals. See codec.h for the contract and wire.h for the layout.
 */
#include "codec.h"

#include "vaccel.h"

#include <stdlib.h>
#include <string.h>

void rpc_wbuf_init(struct rpc_wbuf *w, void *buf, size_t cap)
{
	w->p = buf;
	w->len = 0;
	w->cap = buf ? cap : 0;
	w->overflow = false;
}

static uint8_t *wbuf_take(struct rpc_wbuf *w, size_t n)
{
	uint8_t *dst;

	if (w->overflow || w->cap - w->len < n) {
		w->overflow = true;
		return NULL;
	}
	dst = w->p + w->len;
	w->len += n;
	return dst;
}

void rpc_put_u16(struct rpc_wbuf *w, uint16_t v)
{
	uint8_t *d = wbuf_take(w, 2);

	if (d) {
		d[0] = (uint8_t)v;
		d[1] = (uint8_t)(v >> 8);
	}
}

void rpc_put_u32(struct rpc_wbuf *w, uint32_t v)
{
	uint8_t *d = wbuf_take(w, 4);

	if (d)
		for (int i = 0; i < 4; i++)
			d[i] = (uint8_t)(v >> (8 * i));
}

void rpc_put_u64(struct rpc_wbuf *w, uint64_t v)
{
	uint8_t *d = wbuf_take(w, 8);

	if (d)
		for (int i = 0; i < 8; i++)
			d[i] = (uint8_t)(v >> (8 * i));
}

void rpc_put_bytes(struct rpc_wbuf *w, const void *src, size_t n)
{
	uint8_t *d = wbuf_take(w, n);

	if (d && n)
		memcpy(d, src, n);
}

void rpc_rbuf_init(struct rpc_rbuf *r, const void *buf, size_t len)
{
	r->p = buf;
	r->len = buf ? len : 0;
	r->pos = 0;
	r->err = false;
}

size_t rpc_rbuf_left(const struct rpc_rbuf *r)
{
	return r->len - r->pos;
}

const void *rpc_get_bytes(struct rpc_rbuf *r, size_t n)
{
	const uint8_t *s;

	if (r->err || rpc_rbuf_left(r) < n) {
		r->err = true;
		return NULL;
	}
	s = r->p + r->pos;
	r->pos += n;
	return s;
}

uint16_t rpc_get_u16(struct rpc_rbuf *r)
{
	const uint8_t *s = rpc_get_bytes(r, 2);

	return s ? (uint16_t)(s[0] | (s[1] << 8)) : 0;
}

uint32_t rpc_get_u32(struct rpc_rbuf *r)
{
	const uint8_t *s = rpc_get_bytes(r, 4);
	uint32_t v = 0;

	if (s)
		for (int i = 3; i >= 0; i--)
			v = (v << 8) | s[i];
	return v;
}

uint64_t rpc_get_u64(struct rpc_rbuf *r)
{
	const uint8_t *s = rpc_get_bytes(r, 8);
	uint64_t v = 0;

	if (s)
		for (int i = 7; i >= 0; i--)
			v = (v << 8) | s[i];
	return v;
}

/* Ends a decode: the reader must have consumed exactly the whole body. */
static int rbuf_done(const struct rpc_rbuf *r, const char *what)
{
	if (r->err) {
		vaccel_error("rpc: %s body truncated (%zu bytes)", what, r->len);
		return VACCEL_EINVAL;
	}
	if (r->pos != r->len) {
		vaccel_error("rpc: %s body has %zu trailing bytes", what,
			     r->len - r->pos);
		return VACCEL_EINVAL;
	}
	return VACCEL_OK;
}

static size_t wbuf_done(const struct rpc_wbuf *w)
{
	return w->overflow ? 0 : w->len;
}

/* Frame header */

#define RPC__MSG_CASE(name, value) \
	case (value):              \
		return #name + 8;

const char *rpc_msg_type_name(uint16_t type)
{
	switch (type & ~RPC_MSG_REPLY) {
		RPC_MSG_LIST(RPC__MSG_CASE)
	default:
		return "UNKNOWN";
	}
}

#undef RPC__MSG_CASE

bool rpc_msg_type_valid(uint16_t type)
{
	uint16_t base = type & (uint16_t)~RPC_MSG_REPLY;

	if (type > 0xff)
		return false;
	if (base == RPC_MSG_ERROR)
		return type == RPC_MSG_ERROR;
	/* Chunks are never answered on their own. */
	if (type == (RPC_MSG_RES_CHUNK | RPC_MSG_REPLY))
		return false;
	return base >= RPC_MSG_HELLO && base <= RPC_MSG_SHM_SETUP;
}

void rpc_hdr_encode(uint8_t out[RPC_HDR_SIZE], const struct rpc_hdr *h)
{
	struct rpc_wbuf w;

	rpc_wbuf_init(&w, out, RPC_HDR_SIZE);
	rpc_put_u32(&w, h->length);
	rpc_put_u16(&w, h->type);
	rpc_put_u16(&w, h->flags);
	rpc_put_u64(&w, h->req_id);
}

int rpc_hdr_decode(const uint8_t in[RPC_HDR_SIZE], uint32_t max_frame,
		   struct rpc_hdr *h)
{
	struct rpc_rbuf r;

	rpc_rbuf_init(&r, in, RPC_HDR_SIZE);
	h->length = rpc_get_u32(&r);
	h->type = rpc_get_u16(&r);
	h->flags = rpc_get_u16(&r);
	h->req_id = rpc_get_u64(&r);

	if (!rpc_msg_type_valid(h->type)) {
		vaccel_error("rpc: frame %llu has unknown type 0x%x",
			     (unsigned long long)h->req_id, h->type);
		return VACCEL_EINVAL;
	}
	if (h->flags & ~(h->type == RPC_MSG_OP || h->type == RPC_MSG_TORCH_RUN ?
				 RPC_FLAG_SOLO :
				 0u)) {
		vaccel_error("rpc: frame %llu (%s) has reserved flags 0x%x set",
			     (unsigned long long)h->req_id,
			     rpc_msg_type_name(h->type), h->flags);
		return VACCEL_EINVAL;
	}
	if (h->length > max_frame) {
		vaccel_error("rpc: frame %llu (%s) of %u bytes exceeds the %u byte limit",
			     (unsigned long long)h->req_id,
			     rpc_msg_type_name(h->type), h->length, max_frame);
		return VACCEL_EINVAL;
	}
	return VACCEL_OK;
}

/* HELLO */

size_t rpc_hello_encode(void *out, size_t cap, const struct rpc_hello *h)
{
	struct rpc_wbuf w;

	rpc_wbuf_init(&w, out, cap);
	rpc_put_u32(&w, h->magic);
	rpc_put_u16(&w, h->major);
	rpc_put_u16(&w, h->minor);
	rpc_put_u32(&w, h->max_frame);
	rpc_put_u32(&w, h->flags);
	return wbuf_done(&w);
}

int rpc_hello_decode(const void *in, size_t len, struct rpc_hello *h)
{
	struct rpc_rbuf r;

	rpc_rbuf_init(&r, in, len);
	h->magic = rpc_get_u32(&r);
	h->major = rpc_get_u16(&r);
	h->minor = rpc_get_u16(&r);
	h->max_frame = rpc_get_u32(&r);
	h->flags = rpc_get_u32(&r);
	return rbuf_done(&r, "HELLO");
}

int rpc_hello_check(const struct rpc_hello *peer)
{
	if (peer->magic != RPC_MAGIC) {
		vaccel_error("rpc: peer is not a vAccel RPC peer (magic 0x%08x, expected 0x%08x)",
			     peer->magic, RPC_MAGIC);
		return VACCEL_ENOTSUP;
	}
	if (peer->major != RPC_VERSION_MAJOR) {
		vaccel_error("rpc: incompatible protocol version %u.%u (this side speaks %u.%u)",
			     peer->major, peer->minor, RPC_VERSION_MAJOR,
			     RPC_VERSION_MINOR);
		return VACCEL_ENOTSUP;
	}
	if (peer->max_frame < RPC_FRAME_MIN) {
		vaccel_error("rpc: peer max frame %u is below the %u byte minimum",
			     peer->max_frame, RPC_FRAME_MIN);
		return VACCEL_ENOTSUP;
	}
	return VACCEL_OK;
}

/* SHM_SETUP */

size_t rpc_shm_setup_encode(void *out, size_t cap, uint64_t size)
{
	struct rpc_wbuf w;

	rpc_wbuf_init(&w, out, cap);
	rpc_put_u64(&w, size);
	rpc_put_u32(&w, 0);
	rpc_put_u32(&w, 0);
	return wbuf_done(&w);
}

int rpc_shm_setup_decode(const void *in, size_t len, uint64_t *size)
{
	struct rpc_rbuf r;
	uint32_t flags, reserved;

	rpc_rbuf_init(&r, in, len);
	*size = rpc_get_u64(&r);
	flags = rpc_get_u32(&r);
	reserved = rpc_get_u32(&r);
	if (!r.err && (flags || reserved)) {
		vaccel_error("rpc: SHM_SETUP with flags 0x%x / reserved 0x%x (both must be 0)",
			     flags, reserved);
		return VACCEL_EINVAL;
	}
	return rbuf_done(&r, "SHM_SETUP");
}

/* AUTH */

size_t rpc_auth_encode(void *out, size_t cap, const void *token, size_t len)
{
	struct rpc_wbuf w;

	if (len == 0 || len > RPC_MAX_TOKEN)
		return 0;
	rpc_wbuf_init(&w, out, cap);
	rpc_put_u32(&w, (uint32_t)len);
	rpc_put_u32(&w, 0);
	rpc_put_bytes(&w, token, len);
	return wbuf_done(&w);
}

int rpc_auth_decode(const void *in, size_t len, struct rpc_auth *a)
{
	struct rpc_rbuf r;
	uint32_t reserved;

	rpc_rbuf_init(&r, in, len);
	a->len = rpc_get_u32(&r);
	reserved = rpc_get_u32(&r);
	a->token = NULL;
	if (r.err)
		return rbuf_done(&r, "AUTH");
	if (a->len == 0 || a->len > RPC_MAX_TOKEN || reserved != 0) {
		vaccel_error("rpc: AUTH token of %u bytes (1..%u) or reserved 0x%x",
			     a->len, RPC_MAX_TOKEN, reserved);
		return VACCEL_EINVAL;
	}
	a->token = rpc_get_bytes(&r, a->len);
	return rbuf_done(&r, "AUTH");
}

/* Reply prefix, errors, ids */

void rpc_reply_prefix_put(struct rpc_wbuf *w, const struct rpc_reply_prefix *p)
{
	rpc_put_u64(w, p->t_recv);
	rpc_put_u64(w, p->t_reply);
	rpc_put_u64(w, p->t_exec);
}

void rpc_reply_prefix_get(struct rpc_rbuf *r, struct rpc_reply_prefix *p)
{
	p->t_recv = rpc_get_u64(r);
	p->t_reply = rpc_get_u64(r);
	p->t_exec = rpc_get_u64(r);
}

size_t rpc_error_encode(void *out, size_t cap, int code, const char *msg)
{
	struct rpc_wbuf w;
	size_t n = msg ? strnlen(msg, RPC_MAX_ERRMSG) : 0;

	rpc_wbuf_init(&w, out, cap);
	rpc_put_u32(&w, (uint32_t)(int32_t)code);
	rpc_put_u32(&w, (uint32_t)n);
	rpc_put_bytes(&w, msg, n);
	return wbuf_done(&w);
}

int rpc_error_decode(const void *in, size_t len, struct rpc_error *e)
{
	struct rpc_rbuf r;
	uint32_t n;
	const char *s;

	rpc_rbuf_init(&r, in, len);
	e->code = (int32_t)rpc_get_u32(&r);
	n = rpc_get_u32(&r);
	e->msg[0] = '\0';
	if (n > RPC_MAX_ERRMSG) {
		vaccel_error("rpc: ERROR message of %u bytes exceeds %u", n,
			     RPC_MAX_ERRMSG);
		return VACCEL_EINVAL;
	}
	s = rpc_get_bytes(&r, n);
	if (s) {
		/* The message ends up in logs and exceptions: control bytes
		 * (a newline, a terminal escape) become spaces. */
		for (uint32_t i = 0; i < n; i++)
			e->msg[i] = (unsigned char)s[i] < 0x20 || s[i] == 0x7f ?
					    ' ' :
					    s[i];
		e->msg[n] = '\0';
	}
	if (e->code <= 0) {
		vaccel_error("rpc: ERROR carries invalid code %d", e->code);
		return VACCEL_EINVAL;
	}
	return rbuf_done(&r, "ERROR");
}

size_t rpc_sess_req_encode(void *out, size_t cap, uint16_t type,
			   const struct rpc_sess_req *s)
{
	struct rpc_wbuf w;

	rpc_wbuf_init(&w, out, cap);
	if (type != RPC_MSG_SESS_CREATE)
		rpc_put_u64(&w, (uint64_t)s->sess_id);
	if (type != RPC_MSG_SESS_DESTROY)
		rpc_put_u32(&w, s->flags);
	return wbuf_done(&w);
}

int rpc_sess_req_decode(const void *in, size_t len, uint16_t type,
			struct rpc_sess_req *s)
{
	struct rpc_rbuf r;

	rpc_rbuf_init(&r, in, len);
	s->sess_id = 0;
	s->flags = 0;
	if (type != RPC_MSG_SESS_CREATE)
		s->sess_id = (int64_t)rpc_get_u64(&r);
	if (type != RPC_MSG_SESS_DESTROY)
		s->flags = rpc_get_u32(&r);
	return rbuf_done(&r, rpc_msg_type_name(type));
}

size_t rpc_res_req_encode(void *out, size_t cap, const struct rpc_res_req *q)
{
	struct rpc_wbuf w;

	rpc_wbuf_init(&w, out, cap);
	rpc_put_u64(&w, (uint64_t)q->sess_id);
	rpc_put_u64(&w, (uint64_t)q->res_id);
	return wbuf_done(&w);
}

int rpc_res_req_decode(const void *in, size_t len, struct rpc_res_req *q)
{
	struct rpc_rbuf r;

	rpc_rbuf_init(&r, in, len);
	q->sess_id = (int64_t)rpc_get_u64(&r);
	q->res_id = (int64_t)rpc_get_u64(&r);
	return rbuf_done(&r, "resource request");
}

size_t rpc_id_reply_encode(void *out, size_t cap,
			   const struct rpc_reply_prefix *p, int64_t id)
{
	struct rpc_wbuf w;

	rpc_wbuf_init(&w, out, cap);
	rpc_reply_prefix_put(&w, p);
	rpc_put_u64(&w, (uint64_t)id);
	return wbuf_done(&w);
}

int rpc_id_reply_decode(const void *in, size_t len,
			struct rpc_reply_prefix *p, int64_t *id)
{
	struct rpc_rbuf r;

	rpc_rbuf_init(&r, in, len);
	rpc_reply_prefix_get(&r, p);
	*id = (int64_t)rpc_get_u64(&r);
	if (!r.err && *id <= 0) {
		vaccel_error("rpc: reply carries invalid id %lld",
			     (long long)*id);
		return VACCEL_EINVAL;
	}
	return rbuf_done(&r, "id reply");
}

size_t rpc_empty_reply_encode(void *out, size_t cap,
			      const struct rpc_reply_prefix *p)
{
	struct rpc_wbuf w;

	rpc_wbuf_init(&w, out, cap);
	rpc_reply_prefix_put(&w, p);
	return wbuf_done(&w);
}

int rpc_empty_reply_decode(const void *in, size_t len,
			   struct rpc_reply_prefix *p)
{
	struct rpc_rbuf r;

	rpc_rbuf_init(&r, in, len);
	rpc_reply_prefix_get(&r, p);
	return rbuf_done(&r, "empty reply");
}

/* RES_REGISTER */

static bool blob_name_ok(const char *name, uint32_t n)
{
	if (n == 0 || n > RPC_MAX_NAME)
		return false;
	if (memchr(name, '/', n) || memchr(name, '\0', n))
		return false;
	if ((n == 1 && name[0] == '.') ||
	    (n == 2 && name[0] == '.' && name[1] == '.'))
		return false;
	return true;
}

size_t rpc_res_register_size(const struct rpc_res_register *m)
{
	size_t n = 32;

	if (m->nr_blobs > RPC_MAX_BLOBS)
		return 0;
	for (uint32_t i = 0; i < m->nr_blobs; i++) {
		if (m->blobs[i].name_len > RPC_MAX_NAME)
			return 0;
		n += RPC_BLOB_DESC_SIZE + m->blobs[i].name_len;
	}
	return n;
}

size_t rpc_res_register_encode(void *out, size_t cap,
			       const struct rpc_res_register *m)
{
	struct rpc_wbuf w;

	if (rpc_res_register_size(m) == 0)
		return 0;
	rpc_wbuf_init(&w, out, cap);
	rpc_put_u64(&w, (uint64_t)m->sess_id);
	rpc_put_u64(&w, (uint64_t)m->res_id);
	rpc_put_u32(&w, m->res_type);
	rpc_put_u32(&w, m->nr_blobs);
	/* Pads the fixed part to 32 bytes so that descriptors are aligned. */
	rpc_put_u64(&w, 0);
	for (uint32_t i = 0; i < m->nr_blobs; i++) {
		const struct rpc_blob_desc *b = &m->blobs[i];

		rpc_put_u32(&w, b->type);
		rpc_put_u32(&w, b->name_len);
		rpc_put_u64(&w, b->size);
		rpc_put_bytes(&w, b->name, b->name_len);
	}
	return wbuf_done(&w);
}

int rpc_res_register_decode(const void *in, size_t len,
			    struct rpc_res_register *m)
{
	struct rpc_rbuf r;
	uint64_t total = 0;

	memset(m, 0, sizeof(*m));
	rpc_rbuf_init(&r, in, len);
	m->sess_id = (int64_t)rpc_get_u64(&r);
	m->res_id = (int64_t)rpc_get_u64(&r);
	m->res_type = rpc_get_u32(&r);
	m->nr_blobs = rpc_get_u32(&r);
	if (rpc_get_u64(&r) != 0 && !r.err) {
		vaccel_error("rpc: RES_REGISTER reserved field is not zero");
		return VACCEL_EINVAL;
	}
	if (r.err)
		return rbuf_done(&r, "RES_REGISTER");
	if (m->nr_blobs > RPC_MAX_BLOBS ||
	    (size_t)m->nr_blobs * RPC_BLOB_DESC_SIZE > rpc_rbuf_left(&r)) {
		vaccel_error("rpc: RES_REGISTER declares %u blobs in %zu bytes (max %u)",
			     m->nr_blobs, rpc_rbuf_left(&r), RPC_MAX_BLOBS);
		m->nr_blobs = 0;
		return VACCEL_EINVAL;
	}
	if (m->res_id == 0 && m->nr_blobs == 0) {
		vaccel_error("rpc: RES_REGISTER of a new resource without blobs");
		return VACCEL_EINVAL;
	}
	if (m->res_id != 0 && m->nr_blobs != 0) {
		vaccel_error("rpc: RES_REGISTER links resource %lld but also declares %u blobs",
			     (long long)m->res_id, m->nr_blobs);
		m->nr_blobs = 0;
		return VACCEL_EINVAL;
	}
	if (m->nr_blobs) {
		m->blobs = calloc(m->nr_blobs, sizeof(*m->blobs));
		if (!m->blobs) {
			m->nr_blobs = 0;
			return VACCEL_ENOMEM;
		}
	}
	for (uint32_t i = 0; i < m->nr_blobs; i++) {
		struct rpc_blob_desc *b = &m->blobs[i];

		b->type = rpc_get_u32(&r);
		b->name_len = rpc_get_u32(&r);
		b->size = rpc_get_u64(&r);
		if (r.err)
			break;
		if (b->type >= VACCEL_BLOB_MAX) {
			vaccel_error("rpc: RES_REGISTER blob %u has bad type %u",
				     i, b->type);
			goto fail;
		}
		if (b->name_len > RPC_MAX_NAME) {
			vaccel_error("rpc: RES_REGISTER blob %u name of %u bytes exceeds %u",
				     i, b->name_len, RPC_MAX_NAME);
			goto fail;
		}
		b->name = rpc_get_bytes(&r, b->name_len);
		if (!b->name)
			break;
		if (!blob_name_ok(b->name, b->name_len)) {
			vaccel_error("rpc: RES_REGISTER blob %u has an unsafe name",
				     i);
			goto fail;
		}
		if (b->size > UINT64_MAX - total) {
			vaccel_error("rpc: RES_REGISTER blob sizes overflow");
			goto fail;
		}
		total += b->size;
	}
	if (rbuf_done(&r, "RES_REGISTER"))
		goto fail;
	return VACCEL_OK;

fail:
	rpc_res_register_release(m);
	return VACCEL_EINVAL;
}

void rpc_res_register_release(struct rpc_res_register *m)
{
	free(m->blobs);
	m->blobs = NULL;
	m->nr_blobs = 0;
}

size_t rpc_chunk_head_encode(void *out, size_t cap, uint32_t blob,
			     uint64_t offset)
{
	struct rpc_wbuf w;

	rpc_wbuf_init(&w, out, cap);
	rpc_put_u32(&w, blob);
	rpc_put_u32(&w, 0);
	rpc_put_u64(&w, offset);
	return wbuf_done(&w);
}

int rpc_chunk_decode(const void *in, size_t len, struct rpc_chunk *c)
{
	struct rpc_rbuf r;

	rpc_rbuf_init(&r, in, len);
	c->blob = rpc_get_u32(&r);
	if (rpc_get_u32(&r) != 0 && !r.err) {
		vaccel_error("rpc: RES_CHUNK reserved field is not zero");
		return VACCEL_EINVAL;
	}
	c->offset = rpc_get_u64(&r);
	if (r.err)
		return rbuf_done(&r, "RES_CHUNK");
	c->len = rpc_rbuf_left(&r);
	c->data = rpc_get_bytes(&r, (size_t)c->len);
	return rbuf_done(&r, "RES_CHUNK");
}

/* OP */

/* Skips the padding after an item of n bytes; false when it is missing. */
static bool get_pad(struct rpc_rbuf *r, uint64_t n)
{
	size_t pad = RPC_PAD(n);

	if (pad && !rpc_get_bytes(r, pad)) {
		vaccel_error("rpc: padding after a %llu byte item is missing",
			     (unsigned long long)n);
		return false;
	}
	return true;
}

size_t rpc_op_req_head_size(uint32_t nr_read, uint32_t nr_write)
{
	return 16 + ((size_t)nr_read + nr_write) * RPC_ARG_DESC_SIZE;
}

static void put_arg_desc(struct rpc_wbuf *w, const struct rpc_arg *a)
{
	rpc_put_u16(w, (uint16_t)a->type);
	rpc_put_u16(w, a->flags);
	rpc_put_u32(w, a->custom_id);
	rpc_put_u64(w, a->size);
}

size_t rpc_op_req_head_encode(void *out, size_t cap,
			      const struct rpc_op_req *m)
{
	struct rpc_wbuf w;

	if (m->nr_read > RPC_MAX_ARGS || m->nr_write > RPC_MAX_ARGS)
		return 0;
	rpc_wbuf_init(&w, out, cap);
	rpc_put_u64(&w, (uint64_t)m->sess_id);
	rpc_put_u32(&w, m->nr_read);
	rpc_put_u32(&w, m->nr_write);
	for (uint32_t i = 0; i < m->nr_read; i++)
		put_arg_desc(&w, &m->read[i]);
	for (uint32_t i = 0; i < m->nr_write; i++)
		put_arg_desc(&w, &m->write[i]);
	return wbuf_done(&w);
}

static int get_arg_desc(struct rpc_rbuf *r, struct rpc_arg *a,
			const char *dir, uint32_t i)
{
	a->type = rpc_get_u16(r);
	a->flags = rpc_get_u16(r);
	a->custom_id = rpc_get_u32(r);
	a->size = rpc_get_u64(r);
	a->data = NULL;
	if (r->err)
		return VACCEL_EINVAL;
	a->shm_off = 0;
	if (a->flags & ~(RPC_ARG_SHM | (dir[0] == 'w' ? RPC_ARG_INOUT : 0u))) {
		vaccel_error("rpc: OP %s arg %u has bad flags 0x%x", dir, i,
			     a->flags);
		return VACCEL_EINVAL;
	}
	if (a->type >= VACCEL_ARG_MAX) {
		vaccel_error("rpc: OP %s arg %u has bad type %u", dir, i,
			     a->type);
		return VACCEL_EINVAL;
	}
	return VACCEL_OK;
}

int rpc_op_req_decode(const void *in, size_t len, struct rpc_op_req *m)
{
	struct rpc_rbuf r;
	struct rpc_arg *args = NULL;
	size_t nargs;

	memset(m, 0, sizeof(*m));
	rpc_rbuf_init(&r, in, len);
	m->sess_id = (int64_t)rpc_get_u64(&r);
	m->nr_read = rpc_get_u32(&r);
	m->nr_write = rpc_get_u32(&r);
	if (r.err)
		return rbuf_done(&r, "OP");
	nargs = (size_t)m->nr_read + m->nr_write;
	if (m->nr_read > RPC_MAX_ARGS || m->nr_write > RPC_MAX_ARGS ||
	    nargs * RPC_ARG_DESC_SIZE > rpc_rbuf_left(&r)) {
		vaccel_error("rpc: OP declares %u read and %u write args in %zu bytes (max %u each)",
			     m->nr_read, m->nr_write, rpc_rbuf_left(&r),
			     RPC_MAX_ARGS);
		m->nr_read = m->nr_write = 0;
		return VACCEL_EINVAL;
	}
	if (nargs) {
		args = calloc(nargs, sizeof(*args));
		if (!args) {
			m->nr_read = m->nr_write = 0;
			return VACCEL_ENOMEM;
		}
	}
	m->read = args;
	m->write = args ? args + m->nr_read : NULL;
	for (uint32_t i = 0; i < m->nr_read; i++)
		if (get_arg_desc(&r, &m->read[i], "read", i))
			goto fail;
	for (uint32_t i = 0; i < m->nr_write; i++)
		if (get_arg_desc(&r, &m->write[i], "write", i))
			goto fail;
	for (uint32_t i = 0; i < m->nr_read; i++) {
		if (m->read[i].flags & RPC_ARG_SHM) {
			m->read[i].shm_off = rpc_get_u64(&r);
			continue;
		}
		if (m->read[i].size > rpc_rbuf_left(&r)) {
			vaccel_error("rpc: OP read arg %u of %llu bytes runs past the body (%zu left)",
				     i, (unsigned long long)m->read[i].size,
				     rpc_rbuf_left(&r));
			goto fail;
		}
		m->read[i].data = rpc_get_bytes(&r, (size_t)m->read[i].size);
		if (!get_pad(&r, m->read[i].size))
			goto fail;
	}
	for (uint32_t i = 0; i < m->nr_write; i++) {
		if (m->write[i].flags & RPC_ARG_SHM) {
			m->write[i].shm_off = rpc_get_u64(&r);
			continue;
		}
		if (!(m->write[i].flags & RPC_ARG_INOUT))
			continue;
		if (m->write[i].size > rpc_rbuf_left(&r)) {
			vaccel_error("rpc: OP in-out arg %u of %llu bytes runs past the body (%zu left)",
				     i, (unsigned long long)m->write[i].size,
				     rpc_rbuf_left(&r));
			goto fail;
		}
		m->write[i].data = rpc_get_bytes(&r, (size_t)m->write[i].size);
		if (!get_pad(&r, m->write[i].size))
			goto fail;
	}
	if (rbuf_done(&r, "OP"))
		goto fail;
	return VACCEL_OK;

fail:
	rpc_op_req_release(m);
	return VACCEL_EINVAL;
}

void rpc_op_req_release(struct rpc_op_req *m)
{
	free(m->read ? m->read : m->write);
	m->read = m->write = NULL;
	m->nr_read = m->nr_write = 0;
}

size_t rpc_op_reply_head_size(uint32_t nr_write)
{
	return RPC_REPLY_PREFIX_SIZE + 8 + (size_t)nr_write * 8;
}

size_t rpc_op_reply_head_encode(void *out, size_t cap,
				const struct rpc_reply_prefix *p,
				uint32_t nr_write, const uint64_t *sizes)
{
	struct rpc_wbuf w;

	if (nr_write > RPC_MAX_ARGS)
		return 0;
	rpc_wbuf_init(&w, out, cap);
	rpc_reply_prefix_put(&w, p);
	rpc_put_u32(&w, nr_write);
	rpc_put_u32(&w, 0);
	for (uint32_t i = 0; i < nr_write; i++)
		rpc_put_u64(&w, sizes[i]);
	return wbuf_done(&w);
}

int rpc_op_reply_head_decode(const void *in, size_t len, size_t body_len,
			     uint32_t expect_nr, const struct rpc_arg *wr,
			     struct rpc_reply_prefix *p, uint64_t *sizes)
{
	struct rpc_rbuf r;
	uint32_t nr;
	uint64_t left;

	if (expect_nr > RPC_MAX_ARGS || body_len < len) {
		vaccel_error("rpc: bad reply head request (%u args, %zu/%zu bytes)",
			     expect_nr, len, body_len);
		return VACCEL_EINVAL;
	}
	rpc_rbuf_init(&r, in, len);
	rpc_reply_prefix_get(&r, p);
	nr = rpc_get_u32(&r);
	rpc_get_u32(&r);
	if (r.err)
		return rbuf_done(&r, "OP reply");
	if (nr != expect_nr) {
		vaccel_error("rpc: reply carries %u write args, expected %u",
			     nr, expect_nr);
		return VACCEL_EINVAL;
	}
	for (uint32_t i = 0; i < nr; i++)
		sizes[i] = rpc_get_u64(&r);
	if (r.err || r.pos != len)
		return rbuf_done(&r, "OP reply head");
	left = body_len - len;
	for (uint32_t i = 0; i < nr; i++) {
		/* Data of a region arg stay in the region. */
		if (wr && (wr[i].flags & RPC_ARG_SHM))
			continue;
		if (sizes[i] > left) {
			vaccel_error("rpc: reply write arg %u of %llu bytes runs past the body",
				     i, (unsigned long long)sizes[i]);
			return VACCEL_EINVAL;
		}
		left -= sizes[i];
	}
	if (left) {
		vaccel_error("rpc: reply has %llu unexplained bytes",
			     (unsigned long long)left);
		return VACCEL_EINVAL;
	}
	return VACCEL_OK;
}

/* Torch tensors */

static void put_tensor_desc(struct rpc_wbuf *w, const struct rpc_tensor *t)
{
	rpc_put_u32(w, t->dtype);
	rpc_put_u16(w, (uint16_t)t->nr_dims);
	rpc_put_u16(w, t->flags);
	rpc_put_u64(w, t->size);
	for (uint32_t d = 0; d < t->nr_dims && d < RPC_MAX_DIMS; d++)
		rpc_put_u64(w, (uint64_t)t->dims[d]);
}

/* `flags`: the descriptor flags allowed here. */
static int get_tensor_desc(struct rpc_rbuf *r, struct rpc_tensor *t,
			   uint32_t i, uint16_t flags)
{
	t->dtype = rpc_get_u32(r);
	t->nr_dims = rpc_get_u16(r);
	t->flags = rpc_get_u16(r);
	t->size = rpc_get_u64(r);
	t->data = NULL;
	t->shm_off = 0;
	if (r->err)
		return VACCEL_EINVAL;
	if (t->flags & ~flags) {
		vaccel_error("rpc: tensor %u has bad flags 0x%x", i, t->flags);
		return VACCEL_EINVAL;
	}
	if (t->nr_dims > RPC_MAX_DIMS) {
		vaccel_error("rpc: tensor %u has %u dims (max %u)", i,
			     t->nr_dims, RPC_MAX_DIMS);
		return VACCEL_EINVAL;
	}
	for (uint32_t d = 0; d < t->nr_dims; d++) {
		t->dims[d] = (int64_t)rpc_get_u64(r);
		if (!r->err && t->dims[d] < 0) {
			vaccel_error("rpc: tensor %u dim %u is negative", i, d);
			return VACCEL_EINVAL;
		}
	}
	return r->err ? VACCEL_EINVAL : VACCEL_OK;
}

static size_t tensors_desc_size(const struct rpc_tensor *t, uint32_t nr)
{
	size_t n = 0;

	for (uint32_t i = 0; i < nr; i++) {
		if (t[i].nr_dims > RPC_MAX_DIMS)
			return 0;
		n += RPC_TENSOR_DESC_SIZE + (size_t)t[i].nr_dims * 8;
	}
	return n;
}

size_t rpc_torch_run_head_size(const struct rpc_torch_run *m)
{
	if (m->nr_in > RPC_MAX_TENSORS || m->nr_out > RPC_MAX_TENSORS)
		return 0;
	return 32 + tensors_desc_size(m->in, m->nr_in);
}

size_t rpc_torch_run_head_encode(void *out, size_t cap,
				 const struct rpc_torch_run *m)
{
	struct rpc_wbuf w;

	if (rpc_torch_run_head_size(m) == 0 ||
	    (m->nr_in && tensors_desc_size(m->in, m->nr_in) == 0))
		return 0;
	rpc_wbuf_init(&w, out, cap);
	rpc_put_u64(&w, (uint64_t)m->sess_id);
	rpc_put_u64(&w, (uint64_t)m->res_id);
	rpc_put_u32(&w, m->nr_in);
	rpc_put_u32(&w, m->nr_out);
	rpc_put_u64(&w, m->opts_len);
	for (uint32_t i = 0; i < m->nr_in; i++)
		put_tensor_desc(&w, &m->in[i]);
	return wbuf_done(&w);
}

/* Points each tensor's data into the reader, in order (each padded when
 * `padded`). */
static int get_tensor_data(struct rpc_rbuf *r, struct rpc_tensor *t,
			   uint32_t nr, bool padded)
{
	for (uint32_t i = 0; i < nr; i++) {
		if (t[i].flags & RPC_TENSOR_SHM) {
			t[i].shm_off = rpc_get_u64(r);
			continue;
		}
		if (t[i].size > rpc_rbuf_left(r)) {
			vaccel_error("rpc: tensor %u of %llu bytes runs past the body (%zu left)",
				     i, (unsigned long long)t[i].size,
				     rpc_rbuf_left(r));
			return VACCEL_EINVAL;
		}
		t[i].data = rpc_get_bytes(r, (size_t)t[i].size);
		if (padded && !get_pad(r, t[i].size))
			return VACCEL_EINVAL;
	}
	return VACCEL_OK;
}

int rpc_torch_run_decode(const void *in, size_t len, struct rpc_torch_run *m)
{
	struct rpc_rbuf r;

	memset(m, 0, sizeof(*m));
	rpc_rbuf_init(&r, in, len);
	m->sess_id = (int64_t)rpc_get_u64(&r);
	m->res_id = (int64_t)rpc_get_u64(&r);
	m->nr_in = rpc_get_u32(&r);
	m->nr_out = rpc_get_u32(&r);
	m->opts_len = rpc_get_u64(&r);
	if (r.err)
		return rbuf_done(&r, "TORCH_RUN");
	if (m->nr_in > RPC_MAX_TENSORS || m->nr_out > RPC_MAX_TENSORS ||
	    (size_t)m->nr_in * RPC_TENSOR_DESC_SIZE > rpc_rbuf_left(&r)) {
		vaccel_error("rpc: TORCH_RUN declares %u inputs and %u outputs in %zu bytes (max %u)",
			     m->nr_in, m->nr_out, rpc_rbuf_left(&r),
			     RPC_MAX_TENSORS);
		m->nr_in = 0;
		return VACCEL_EINVAL;
	}
	if (m->nr_in) {
		m->in = calloc(m->nr_in, sizeof(*m->in));
		if (!m->in) {
			m->nr_in = 0;
			return VACCEL_ENOMEM;
		}
	}
	for (uint32_t i = 0; i < m->nr_in; i++)
		if (get_tensor_desc(&r, &m->in[i], i, RPC_TENSOR_SHM))
			goto fail;
	if (m->opts_len > rpc_rbuf_left(&r)) {
		vaccel_error("rpc: TORCH_RUN options of %llu bytes run past the body",
			     (unsigned long long)m->opts_len);
		goto fail;
	}
	m->opts = rpc_get_bytes(&r, (size_t)m->opts_len);
	if (!get_pad(&r, m->opts_len) ||
	    get_tensor_data(&r, m->in, m->nr_in, true))
		goto fail;
	if (rbuf_done(&r, "TORCH_RUN"))
		goto fail;
	return VACCEL_OK;

fail:
	rpc_torch_run_release(m);
	return VACCEL_EINVAL;
}

void rpc_torch_run_release(struct rpc_torch_run *m)
{
	free(m->in);
	m->in = NULL;
	m->nr_in = 0;
}

size_t rpc_tensors_reply_head_size(const struct rpc_tensor *t, uint32_t nr)
{
	if (nr > RPC_MAX_TENSORS || (nr && tensors_desc_size(t, nr) == 0))
		return 0;
	return RPC_REPLY_PREFIX_SIZE + 8 + tensors_desc_size(t, nr);
}

size_t rpc_tensors_reply_head_encode(void *out, size_t cap,
				     const struct rpc_reply_prefix *p,
				     const struct rpc_tensor *t, uint32_t nr)
{
	struct rpc_wbuf w;

	if (rpc_tensors_reply_head_size(t, nr) == 0)
		return 0;
	rpc_wbuf_init(&w, out, cap);
	rpc_reply_prefix_put(&w, p);
	rpc_put_u32(&w, nr);
	rpc_put_u32(&w, 0);
	for (uint32_t i = 0; i < nr; i++)
		put_tensor_desc(&w, &t[i]);
	return wbuf_done(&w);
}

int rpc_tensors_reply_decode(const void *in, size_t len,
			     struct rpc_reply_prefix *p, struct rpc_tensor **t,
			     uint32_t *nr)
{
	struct rpc_rbuf r;
	struct rpc_tensor *arr = NULL;
	uint32_t n;

	*t = NULL;
	*nr = 0;
	rpc_rbuf_init(&r, in, len);
	rpc_reply_prefix_get(&r, p);
	n = rpc_get_u32(&r);
	rpc_get_u32(&r);
	if (r.err)
		return rbuf_done(&r, "tensors reply");
	if (n > RPC_MAX_TENSORS ||
	    (size_t)n * RPC_TENSOR_DESC_SIZE > rpc_rbuf_left(&r)) {
		vaccel_error("rpc: reply declares %u tensors in %zu bytes", n,
			     rpc_rbuf_left(&r));
		return VACCEL_EINVAL;
	}
	if (n) {
		arr = calloc(n, sizeof(*arr));
		if (!arr)
			return VACCEL_ENOMEM;
	}
	for (uint32_t i = 0; i < n; i++)
		if (get_tensor_desc(&r, &arr[i], i, 0))
			goto fail;
	if (get_tensor_data(&r, arr, n, false) || rbuf_done(&r, "tensors reply"))
		goto fail;
	*t = arr;
	*nr = n;
	return VACCEL_OK;

fail:
	free(arr);
	return VACCEL_EINVAL;
}

/* STATS, PROF */

size_t rpc_stats_reply_encode(void *out, size_t cap,
			      const struct rpc_reply_prefix *p,
			      const struct rpc_stats *s)
{
	struct rpc_wbuf w;

	rpc_wbuf_init(&w, out, cap);
	rpc_reply_prefix_put(&w, p);
	rpc_put_u32(&w, s->connections);
	rpc_put_u32(&w, s->unauthenticated);
	rpc_put_u64(&w, s->sessions);
	rpc_put_u64(&w, s->resources);
	rpc_put_u64(&w, s->upload_bytes);
	rpc_put_u64(&w, s->shm_bytes);
	rpc_put_u64(&w, s->shm_items);
	return wbuf_done(&w);
}

int rpc_stats_reply_decode(const void *in, size_t len,
			   struct rpc_reply_prefix *p, struct rpc_stats *s)
{
	struct rpc_rbuf r;

	rpc_rbuf_init(&r, in, len);
	rpc_reply_prefix_get(&r, p);
	s->connections = rpc_get_u32(&r);
	s->unauthenticated = rpc_get_u32(&r);
	s->sessions = rpc_get_u64(&r);
	s->resources = rpc_get_u64(&r);
	s->upload_bytes = rpc_get_u64(&r);
	s->shm_bytes = rpc_get_u64(&r);
	s->shm_items = rpc_get_u64(&r);
	return rbuf_done(&r, "STATS reply");
}

size_t rpc_prof_reply_encode(void *out, size_t cap,
			     const struct rpc_reply_prefix *p,
			     const struct rpc_prof_entry *e, uint32_t nr)
{
	struct rpc_wbuf w;

	if (nr > RPC_MAX_PROF)
		return 0;
	rpc_wbuf_init(&w, out, cap);
	rpc_reply_prefix_put(&w, p);
	rpc_put_u32(&w, nr);
	rpc_put_u32(&w, 0);
	for (uint32_t i = 0; i < nr; i++) {
		size_t n = strnlen(e[i].name, sizeof(e[i].name) - 1);

		rpc_put_u32(&w, (uint32_t)n);
		rpc_put_u32(&w, 0);
		rpc_put_u64(&w, e[i].total_ns);
		rpc_put_u64(&w, e[i].nr_entries);
		rpc_put_bytes(&w, e[i].name, n);
	}
	return wbuf_done(&w);
}

int rpc_prof_reply_decode(const void *in, size_t len,
			  struct rpc_reply_prefix *p,
			  struct rpc_prof_entry **e, uint32_t *nr)
{
	struct rpc_rbuf r;
	struct rpc_prof_entry *arr = NULL;
	uint32_t n;

	*e = NULL;
	*nr = 0;
	rpc_rbuf_init(&r, in, len);
	rpc_reply_prefix_get(&r, p);
	n = rpc_get_u32(&r);
	rpc_get_u32(&r);
	if (r.err)
		return rbuf_done(&r, "PROF reply");
	if (n > RPC_MAX_PROF || (size_t)n * 24 > rpc_rbuf_left(&r)) {
		vaccel_error("rpc: PROF reply declares %u regions in %zu bytes",
			     n, rpc_rbuf_left(&r));
		return VACCEL_EINVAL;
	}
	if (n) {
		arr = calloc(n, sizeof(*arr));
		if (!arr)
			return VACCEL_ENOMEM;
	}
	for (uint32_t i = 0; i < n; i++) {
		uint32_t nl = rpc_get_u32(&r);
		const char *s;

		rpc_get_u32(&r);
		arr[i].total_ns = rpc_get_u64(&r);
		arr[i].nr_entries = rpc_get_u64(&r);
		if (!r.err && nl >= sizeof(arr[i].name)) {
			vaccel_error("rpc: PROF region %u name of %u bytes is too long",
				     i, nl);
			goto fail;
		}
		s = rpc_get_bytes(&r, nl);
		if (!s)
			break;
		memcpy(arr[i].name, s, nl);
		arr[i].name[nl] = '\0';
	}
	if (rbuf_done(&r, "PROF reply"))
		goto fail;
	*e = arr;
	*nr = n;
	return VACCEL_OK;

fail:
	free(arr);
	return VACCEL_EINVAL;
}
