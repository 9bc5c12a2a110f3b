// SPDX-License-Identifier: Apache-2.0
/*
 * The accounting table: one slot per served connection, in memory shared
 * between the supervisor and every worker (an anonymous MAP_SHARED mapping
 * made before the first fork). A worker writes only its own slot: what it
 * is doing (so that the supervisor can answer the request a dead worker
 * was serving) and how much it holds (so that an admin STATS can add up
 * the agent). The supervisor claims and frees slots and reads them only
 * after their worker is gone. After the slots come the tenants' counters
 * (sessions, bytes, running ops of all a tenant's connections), which the
 * workers take from and give back to with atomic operations, checking the
 * per-tenant limits (kept in each process's private memory). A worker
 * takes from its tenant first and records it in its slot second, and
 * gives back in the other order, so that the supervisor, giving back what
 * the slot of a dead worker records, never gives back more than was
 * taken. Values read from a slot come from a process that runs
 * guest-reachable code: they are used as numbers to report (or, clamped,
 * to give back), never as sizes or pointers.
 */
#include "agent.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

struct agent_table {
	_Atomic uint32_t unauthed;
	struct agent_slot slot[];
	/* then: _Atomic uint64_t use[max_tenants][AGENT_NR_USES] */
};

/* The table's geometry lives in each process's private memory, never in
 * the shared mapping a worker could scribble over. */
static size_t table_size;
static uint32_t table_nr;
static _Atomic uint64_t (*tenant_use)[AGENT_NR_USES];

int agent_table_create(uint32_t nr)
{
	size_t slots = sizeof(struct agent_table) +
		       (size_t)nr * sizeof(struct agent_slot);
	size_t size = slots + (size_t)agent.lim.max_tenants *
				      sizeof(*tenant_use);
	struct agent_table *t = mmap(NULL, size, PROT_READ | PROT_WRITE,
				     MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	if (t == MAP_FAILED) {
		fprintf(stderr, "vaccel-agent: cannot map the connection table (%zu bytes): %s\n",
			size, strerror(errno));
		return -1;
	}
	/* Fresh anonymous memory is zero: every slot is AGENT_SLOT_FREE. */
	table_size = size;
	table_nr = nr;
	tenant_use = (void *)((uint8_t *)t + slots);
	agent.table = t;
	return 0;
}

void agent_table_destroy(void)
{
	if (!agent.table)
		return;
	munmap(agent.table, table_size);
	agent.table = NULL;
	tenant_use = NULL;
}

int agent_table_claim(uint64_t conn_id)
{
	struct agent_table *t = agent.table;

	for (uint32_t i = 0; t && i < table_nr; i++) {
		struct agent_slot *s = &t->slot[i];

		if (atomic_load(&s->state) != AGENT_SLOT_FREE)
			continue;
		atomic_store(&s->conn_id, conn_id);
		atomic_store(&s->req_id, 0);
		atomic_store(&s->msg_type, 0);
		atomic_store(&s->sessions, 0);
		atomic_store(&s->resources, 0);
		atomic_store(&s->upload_bytes, 0);
		atomic_store(&s->shm_bytes, 0);
		atomic_store(&s->shm_items, 0);
		for (int u = 0; u < AGENT_NR_USES; u++)
			atomic_store(&s->held[u], 0);
		atomic_store(&s->state, AGENT_SLOT_IDLE);
		return (int)i;
	}
	return -1;
}

struct agent_slot *agent_table_slot(int index)
{
	return &agent.table->slot[index];
}

void agent_table_free(int index)
{
	atomic_store(&agent.table->slot[index].state, AGENT_SLOT_FREE);
}

void agent_table_set_unauthed(uint32_t n)
{
	if (agent.table)
		atomic_store(&agent.table->unauthed, n);
}

void agent_table_totals(struct rpc_stats *st)
{
	const struct agent_table *t = agent.table;

	memset(st, 0, sizeof(*st));
	st->unauthenticated = atomic_load(&t->unauthed);
	for (uint32_t i = 0; i < table_nr; i++) {
		const struct agent_slot *s = &t->slot[i];

		/* A finished connection counts until the supervisor has
		 * reaped its worker: until then it holds its slot and its
		 * tenant's limits, so a monitor that sees 1 can open more. */
		if (atomic_load(&s->state) == AGENT_SLOT_FREE)
			continue;
		st->connections++;
		st->sessions += atomic_load(&s->sessions);
		st->resources += atomic_load(&s->resources);
		st->upload_bytes += atomic_load(&s->upload_bytes);
		st->shm_bytes += atomic_load(&s->shm_bytes);
		st->shm_items += atomic_load(&s->shm_items);
	}
}

void agent_slot_publish(struct agent_conn *c)
{
	if (!c->slot)
		return;
	atomic_store_explicit(&c->slot->sessions, c->nr_sess,
			      memory_order_relaxed);
	atomic_store_explicit(&c->slot->resources, c->nr_res,
			      memory_order_relaxed);
	atomic_store_explicit(&c->slot->upload_bytes, c->upload_bytes,
			      memory_order_relaxed);
	atomic_store_explicit(&c->slot->shm_bytes, c->shm.size,
			      memory_order_relaxed);
	atomic_store_explicit(&c->slot->shm_items, c->shm.items,
			      memory_order_relaxed);
}

void agent_slot_state(struct agent_conn *c, enum agent_slot_state s)
{
	if (c->slot)
		atomic_store_explicit(&c->slot->state, s, memory_order_release);
}

void agent_slot_request(struct agent_conn *c, const struct rpc_hdr *h)
{
	if (!c->slot)
		return;
	atomic_store_explicit(&c->slot->req_id, h->req_id,
			      memory_order_relaxed);
	atomic_store_explicit(&c->slot->msg_type, h->type,
			      memory_order_relaxed);
	atomic_store_explicit(&c->slot->state, AGENT_SLOT_BUSY,
			      memory_order_release);
}

static uint64_t use_limit(enum agent_tenant_use use)
{
	switch (use) {
	case AGENT_USE_SESSIONS:
		return agent.lim.tenant_max_sessions;
	case AGENT_USE_BYTES:
		return agent.lim.tenant_max_bytes;
	default:
		return agent.lim.tenant_max_ops;
	}
}

static bool counted(const struct agent_conn *c)
{
	return tenant_use && c->slot && c->tenant >= 0 &&
	       (uint32_t)c->tenant < agent.lim.max_tenants;
}

int agent_tenant_take(struct agent_conn *c, enum agent_tenant_use use,
		      uint64_t n)
{
	uint64_t limit = use_limit(use), was;

	if (!counted(c) || n == 0)
		return VACCEL_OK;
	was = atomic_fetch_add(&tenant_use[c->tenant][use], n);
	if (was + n < was || was + n > limit) {
		atomic_fetch_sub(&tenant_use[c->tenant][use], n);
		switch (use) {
		case AGENT_USE_SESSIONS:
			return agent_fail(c, VACCEL_EUSERS,
					  "tenant %s: session limit of %llu reached (--tenant-max-sessions)",
					  c->tenant_name,
					  (unsigned long long)limit);
		case AGENT_USE_BYTES:
			return agent_fail(c, VACCEL_ENOSPC,
					  "tenant %s: %llu more resource bytes exceed its limit of %llu (%llu held, --tenant-max-bytes)",
					  c->tenant_name, (unsigned long long)n,
					  (unsigned long long)limit,
					  (unsigned long long)was);
		default:
			return agent_fail(c, VACCEL_EBUSY,
					  "tenant %s: %llu ops are running already (--tenant-max-ops)",
					  c->tenant_name,
					  (unsigned long long)limit);
		}
	}
	atomic_fetch_add(&c->slot->held[use], n);
	return VACCEL_OK;
}

void agent_tenant_give(struct agent_conn *c, enum agent_tenant_use use,
		       uint64_t n)
{
	if (!counted(c) || n == 0)
		return;
	atomic_fetch_sub(&c->slot->held[use], n);
	atomic_fetch_sub(&tenant_use[c->tenant][use], n);
}

void agent_tenant_reclaim(int index, int32_t t)
{
	struct agent_slot *s = agent_table_slot(index);

	for (int u = 0; u < AGENT_NR_USES; u++) {
		/* The slot is the dead worker's word: never give back more
		 * than the tenant holds. */
		uint64_t held = atomic_exchange(&s->held[u], 0), now;

		if (t < 0 || (uint32_t)t >= agent.lim.max_tenants || !tenant_use)
			continue;
		now = atomic_load(&tenant_use[t][u]);
		while (!atomic_compare_exchange_weak(
			&tenant_use[t][u], &now, now - (held < now ? held : now)))
			;
	}
}

void agent_tenant_use_reset(int32_t t)
{
	if (!tenant_use || t < 0 || (uint32_t)t >= agent.lim.max_tenants)
		return;
	for (int u = 0; u < AGENT_NR_USES; u++)
		atomic_store(&tenant_use[t][u], 0);
}
