// SPDX-License-Identifier: Apache-2.0
#include "conn.h"

#include <stdlib.h>
#include <string.h>

void vsd_conns_init(struct vsd_conns *t, unsigned int max)
{
	memset(t, 0, sizeof(*t));
	t->max = max;
}

static unsigned int bucket_of(uint32_t local, uint32_t peer)
{
	uint32_t h = local * 0x9e3779b1u ^ peer * 0x85ebca6bu;

	return (h ^ h >> 16) % VSD_CONN_BUCKETS;
}

struct vsd_conn *vsd_conn_new(struct vsd_conns *t)
{
	struct vsd_conn *c;

	if (t->count >= t->max)
		return NULL;
	c = calloc(1, sizeof(*c));
	if (!c)
		return NULL;
	c->fd = -1;
	c->next = t->all;
	if (t->all)
		t->all->prev = c;
	t->all = c;
	t->count++;
	return c;
}

void vsd_conn_hash(struct vsd_conns *t, struct vsd_conn *c, uint32_t local,
		   uint32_t peer)
{
	unsigned int b = bucket_of(local, peer);

	c->local_port = local;
	c->peer_port = peer;
	c->hnext = t->bucket[b];
	t->bucket[b] = c;
}

struct vsd_conn *vsd_conn_find(const struct vsd_conns *t, uint32_t local,
			       uint32_t peer)
{
	struct vsd_conn *c = t->bucket[bucket_of(local, peer)];

	while (c && (c->local_port != local || c->peer_port != peer))
		c = c->hnext;
	return c;
}

void vsd_conn_free(struct vsd_conns *t, struct vsd_conn *c)
{
	if (c->state != VSD_CONN_HANDSHAKE) {
		struct vsd_conn **p =
			&t->bucket[bucket_of(c->local_port, c->peer_port)];

		while (*p && *p != c)
			p = &(*p)->hnext;
		if (*p)
			*p = c->hnext;
	}
	if (c->prev)
		c->prev->next = c->next;
	else
		t->all = c->next;
	if (c->next)
		c->next->prev = c->prev;
	t->count--;
	free(c->buf);
	c->buf = NULL;
	c->closed = true;
	c->next = t->dead;
	t->dead = c;
}

void vsd_conns_reap(struct vsd_conns *t)
{
	while (t->dead) {
		struct vsd_conn *c = t->dead;

		t->dead = c->next;
		free(c);
	}
}
