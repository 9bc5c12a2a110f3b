// SPDX-License-Identifier: Apache-2.0
/*
 * The accounting table: one slot per served connection, in memory shared
 * between the supervisor and every worker (an anonymous MAP_SHARED mapping
 * made before the first fork). A worker writes only its own slot: the
 * requests it has in flight, one record each, up to --max-inflight of
 * them (so that the supervisor can answer every request a dead worker was
 * serving), and how much it holds (so that an admin STATS can add up the
 * agent). A record is claimed when a request's header has been read and
 * freed when its handling is over, on whichever thread runs it: one
 * thread per request, so one record per request, and --max-inflight
 * threads at most. The supervisor claims and frees slots and reads them only
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
	_Atomic uint64_t unauthed;
	/* nr slots of agent_slot_size() bytes each, then:
	 * _Atomic uint64_t use[max_tenants][AGENT_NR_USES] */
	unsigned char area[];
};

/* The table's geometry lives in each process's private memory, never in
 * the shared mapping a worker could scribble over. */
static size_t table_size, slot_size;
static uint32_t table_nr, slot_records;
static _Atomic uint64_t (*tenant_use)[AGENT_NR_USES];

uint32_t agent_slot_records(void)
{
	return agent.lim.max_inflight ? agent.lim.max_inflight : 1;
}

size_t agent_slot_size(void)
{
	return sizeof(struct agent_slot) +
	       (size_t)agent_slot_records() * sizeof(struct agent_req_rec);
}

int agent_table_create(uint32_t nr)
{
	size_t slots = sizeof(struct agent_table) +
		       (size_t)nr * agent_slot_size();
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
	slot_size = agent_slot_size();
	slot_records = agent_slot_records();
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

struct agent_slot *agent_table_slot(int index)
{
	return (struct agent_slot *)(agent.table->area +
				     (size_t)index * slot_size);
}

static void clear_requests(struct agent_slot *s)
{
	for (uint32_t r = 0; r < slot_records; r++) {
		atomic_store(&s->req[r].req_id, 0);
		atomic_store(&s->req[r].msg_type, 0);
		atomic_store(&s->req[r].state, AGENT_REQ_FREE);
	}
}

int agent_table_claim(uint64_t conn_id)
{
	for (uint32_t i = 0; agent.table && i < table_nr; i++) {
		struct agent_slot *s = agent_table_slot((int)i);

		if (atomic_load(&s->state) != AGENT_SLOT_FREE)
			continue;
		atomic_store(&s->conn_id, conn_id);
		atomic_store(&s->sessions, 0);
		atomic_store(&s->resources, 0);
		atomic_store(&s->upload_bytes, 0);
		atomic_store(&s->shm_bytes, 0);
		atomic_store(&s->shm_items, 0);
		for (int u = 0; u < AGENT_NR_USES; u++)
			atomic_store(&s->held[u], 0);
		clear_requests(s);
		atomic_store(&s->state, AGENT_SLOT_LIVE);
		return (int)i;
	}
	return -1;
}

void agent_table_rearm(int index, uint64_t conn_id)
{
	struct agent_slot *s = agent_table_slot(index);

	clear_requests(s);
	atomic_store(&s->conn_id, conn_id);
	atomic_store(&s->state, AGENT_SLOT_LIVE);
}

void agent_table_free(int index)
{
	atomic_store(&agent_table_slot(index)->state, AGENT_SLOT_FREE);
}

void agent_table_set_unauthed(uint32_t n)
{
	if (agent.table)
		atomic_store(&agent.table->unauthed, n);
}

void agent_table_totals(struct rpc_stats *st)
{
	memset(st, 0, sizeof(*st));
	st->unauthenticated = (uint32_t)atomic_load(&agent.table->unauthed);
	for (uint32_t i = 0; i < table_nr; i++) {
		const struct agent_slot *s = agent_table_slot((int)i);

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
	uint32_t n = c->slot ? agent_slot_records() : 0;

	/* A record left by the previous request of this thread (its
	 * handling did not say it ended) is this one's. */
	if (!c->rec) {
		for (uint32_t r = 0; r < n; r++) {
			uint32_t free_state = AGENT_REQ_FREE;

			if (atomic_compare_exchange_strong(
				    &c->slot->req[r].state, &free_state,
				    AGENT_REQ_SENT)) {
				c->rec = &c->slot->req[r];
				break;
			}
		}
	}
	if (!c->rec) {
		if (c->slot)
			vaccel_error("agent: conn %llu: no free request record for %s request %llu; it cannot be answered if the worker dies",
				     (unsigned long long)c->id,
				     rpc_msg_type_name(h->type),
				     (unsigned long long)h->req_id);
		return;
	}
	atomic_store_explicit(&c->rec->req_id, h->req_id,
			      memory_order_relaxed);
	atomic_store_explicit(&c->rec->msg_type, h->type,
			      memory_order_relaxed);
	atomic_store_explicit(&c->rec->state, AGENT_REQ_BUSY,
			      memory_order_release);
}

void agent_slot_reply(struct agent_conn *c, enum agent_req_state s)
{
	if (c->rec)
		atomic_store_explicit(&c->rec->state, s, memory_order_release);
}

void agent_slot_end(struct agent_conn *c)
{
	if (!c->rec)
		return;
	atomic_store_explicit(&c->rec->state, AGENT_REQ_FREE,
			      memory_order_release);
	c->rec = NULL;
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
