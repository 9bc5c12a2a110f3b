// SPDX-License-Identifier: Apache-2.0
/*
 * The requests of one connection, several at once (docs/protocol.md,
 * "Request ids and ordering"). A connection is served by up to
 * --max-inflight threads of its worker, leader/follower style: one thread
 * at a time reads the next request from the stream; when it is an op (OP,
 * TORCH_RUN), that thread hands the reading over to an idle thread (or a
 * new one) and runs the op itself, so that the next request is read while
 * it runs and replies go out as their ops finish. Every other request is a
 * barrier: its reader waits until no op is running and handles it alone,
 * as a connection with one thread would, so the tables of sessions and
 * resources change only while nothing uses them.
 *
 * An op runs on a copy of the connection (struct agent_conn) that has its
 * own body, error message, timings and request record in the slot
 * (table.c) and shares everything else: the tables (not changed while ops
 * run), the slot's counters, the stream (written under the send lock;
 * only the reader reads it). An op sent with RPC_FLAG_SOLO
 * (its client sends nothing before the reply) runs on the thread that read
 * it, which keeps the reading: no hand-over for a single-threaded client.
 *
 * With --max-inflight 1, or when a connection is driven in process (the
 * fuzz target), one thread serves it and nothing runs concurrently.
 */
#include "agent.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

struct agent_mux {
	pthread_mutex_t lock;
	/* Signalled when the reader's place is free. */
	pthread_cond_t lead;
	/* Broadcast when the last running op ended. */
	pthread_cond_t drained;
	/* Held while a frame is written to the stream. */
	pthread_mutex_t send;
	struct agent_conn *c;
	uint32_t max;
	/* Threads serving the connection (the caller's included), those
	 * waiting for the reader's place, and ops running. */
	uint32_t threads, idle, running;
	bool reading;
	bool closing;
	/* The req ids of the running ops (max entries). */
	uint64_t *ids;
	/* The threads started here, joined at the end. */
	pthread_t *tids;
	uint32_t nr_tids;
};

static bool concurrent(uint16_t type)
{
	return type == RPC_MSG_OP || type == RPC_MSG_TORCH_RUN;
}

static bool in_flight(const struct agent_mux *m, uint64_t id)
{
	for (uint32_t i = 0; i < m->running; i++)
		if (m->ids[i] == id)
			return true;
	return false;
}

static void forget(struct agent_mux *m, uint64_t id)
{
	for (uint32_t i = 0; i < m->running; i++)
		if (m->ids[i] == id) {
			m->ids[i] = m->ids[--m->running];
			return;
		}
}

/* Ends the connection: the reader (blocked in a read) is woken by the
 * shutdown of the stream, idle threads by the broadcast. With m->lock. */
static void close_all(struct agent_mux *m)
{
	if (!m->closing && m->reading)
		vaccel__stream_shutdown(&m->c->rc.s);
	m->closing = true;
	pthread_cond_broadcast(&m->lead);
}

static void *serve(void *arg);

/* Someone else reads the next request: an idle thread, else a new one
 * while there are fewer than max. With m->lock. */
static void pass_reading(struct agent_mux *m)
{
	pthread_t t;

	m->reading = false;
	if (m->idle) {
		pthread_cond_signal(&m->lead);
		return;
	}
	if (m->threads >= m->max)
		return;
	if (pthread_create(&t, NULL, serve, m)) {
		/* Not fatal: the op's thread reads again when it is done. */
		vaccel_warn("agent: conn %llu: cannot start another thread; requests wait for the running ones",
			    (unsigned long long)m->c->id);
		return;
	}
	m->tids[m->nr_tids++] = t;
	m->threads++;
}

/* Runs op `h` (its body in c->body) on a copy of the connection; `buf`
 * is this thread's spare body buffer, exchanged with the connection's.
 * The reading goes to another thread first, unless the client said that
 * it sends nothing before the reply (RPC_FLAG_SOLO): then this thread
 * keeps it, and a single-threaded client pays no hand-over. With
 * m->lock, released while the op runs. */
static void run_op(struct agent_mux *m, const struct rpc_hdr *h,
		   uint8_t **buf, size_t *cap)
{
	bool solo = h->flags & RPC_FLAG_SOLO;
	struct agent_conn *c = m->c;
	struct agent_conn view, *v = &view;
	uint64_t items = c->shm.items;
	int ret;

	*v = *c;
	v->nr_ops = 0;
	v->exec_total = 0;
	/* Private copies of region items are the op's own (shm.c). */
	v->shm.copy = NULL;
	v->shm.copy_cap = 0;
	/* The op keeps the body it came with; the reader gets this
	 * thread's spare buffer for the next one. */
	c->body = *buf;
	c->body_cap = *cap;
	/* So does the record of its request in the slot. */
	c->rec = NULL;
	m->ids[m->running++] = h->req_id;
	if (!solo)
		pass_reading(m);
	pthread_mutex_unlock(&m->lock);

	ret = agent_handle(v, h);
	agent_slot_end(v);

	pthread_mutex_lock(&m->lock);
	*buf = v->body;
	*cap = v->body_cap;
	/* A big body is not kept between ops: a connection's idle threads
	 * hold little memory, whatever sizes its ops had. */
	if (*cap > RPC_CHUNK_MAX) {
		free(*buf);
		*buf = NULL;
		*cap = 0;
	}
	c->nr_ops += v->nr_ops;
	c->exec_total += v->exec_total;
	c->shm.items += v->shm.items - items;
	free(v->shm.copy);
	forget(m, h->req_id);
	if (!m->running)
		pthread_cond_broadcast(&m->drained);
	if (solo)
		m->reading = false;
	/* Its reply could not be sent: the stream is broken. On a
	 * virtio-serial channel the reader finds out and resynchronises. */
	if (ret == AGENT_CLOSE && !c->serial)
		close_all(m);
}

/* The reader's failure: a virtio-serial channel resynchronises (its next
 * client starts over), anything else ends. With m->lock. */
static void reader_failed(struct agent_mux *m)
{
	struct agent_conn *c = m->c;
	bool again = false;

	if (c->serial && !m->closing) {
		pthread_mutex_unlock(&m->lock);
		/* Resets the connection, which waits for running ops. */
		again = agent_serial_resync(c, 0) == VACCEL_OK;
		pthread_mutex_lock(&m->lock);
	}
	m->reading = false;
	if (again)
		return;
	close_all(m);
}

static void *serve(void *arg)
{
	struct agent_mux *m = arg;
	struct agent_conn *c = m->c;
	uint8_t *buf = NULL;
	size_t cap = 0;

	pthread_mutex_lock(&m->lock);
	while (!m->closing) {
		struct rpc_hdr h;
		int ret;

		m->idle++;
		while (m->reading && !m->closing)
			pthread_cond_wait(&m->lead, &m->lock);
		m->idle--;
		if (m->closing)
			break;
		m->reading = true;
		pthread_mutex_unlock(&m->lock);
		ret = agent_conn_next(c, &h);
		pthread_mutex_lock(&m->lock);
		if (ret == AGENT_CLOSE) {
			agent_slot_end(c);
			reader_failed(m);
			continue;
		}
		if (ret != AGENT_HANDLE) {
			agent_slot_end(c);
			m->reading = false;
			continue;
		}
		if (m->max > 1 && concurrent(h.type)) {
			if (!in_flight(m, h.req_id)) {
				run_op(m, &h, &buf, &cap);
				continue;
			}
			/* Two replies with one id would be ambiguous: the
			 * second request is refused, the first runs on. */
			pthread_mutex_unlock(&m->lock);
			vaccel_warn("agent: conn %llu: %s request %llu while a request with that id is running, refused",
				    (unsigned long long)c->id,
				    rpc_msg_type_name(h.type),
				    (unsigned long long)h.req_id);
			ret = agent_send_error(
				c, h.req_id, VACCEL_EINVAL,
				"a request with this id is still running on this connection");
			pthread_mutex_lock(&m->lock);
		} else {
			while (m->running)
				pthread_cond_wait(&m->drained, &m->lock);
			pthread_mutex_unlock(&m->lock);
			ret = agent_handle(c, &h);
			pthread_mutex_lock(&m->lock);
		}
		agent_slot_end(c);
		if (ret == AGENT_CLOSE)
			reader_failed(m);
		else
			m->reading = false;
	}
	m->threads--;
	pthread_mutex_unlock(&m->lock);
	free(buf);
	return NULL;
}

void agent_mux_serve(struct agent_conn *c)
{
	struct agent_mux m = { .c = c, .threads = 1 };

	m.max = agent.lim.max_inflight ? agent.lim.max_inflight : 1;
	if (m.max > 1) {
		m.ids = calloc(m.max, sizeof(*m.ids));
		m.tids = calloc(m.max, sizeof(*m.tids));
		if (!m.ids || !m.tids) {
			vaccel_warn("agent: conn %llu: out of memory for concurrent requests; served one at a time",
				    (unsigned long long)c->id);
			m.max = 1;
		}
	}
	pthread_mutex_init(&m.lock, NULL);
	pthread_mutex_init(&m.send, NULL);
	pthread_cond_init(&m.lead, NULL);
	pthread_cond_init(&m.drained, NULL);
	c->mux = &m;
	serve(&m);
	for (uint32_t i = 0; i < m.nr_tids; i++)
		pthread_join(m.tids[i], NULL);
	/* Everything ran and ended: the caller resets the connection. */
	c->mux = NULL;
	pthread_cond_destroy(&m.drained);
	pthread_cond_destroy(&m.lead);
	pthread_mutex_destroy(&m.send);
	pthread_mutex_destroy(&m.lock);
	free(m.ids);
	free(m.tids);
}

void agent_mux_drain(struct agent_conn *c)
{
	struct agent_mux *m = c->mux;

	if (!m)
		return;
	pthread_mutex_lock(&m->lock);
	while (m->running)
		pthread_cond_wait(&m->drained, &m->lock);
	pthread_mutex_unlock(&m->lock);
}

void agent_mux_send_lock(struct agent_conn *c)
{
	if (c->mux)
		pthread_mutex_lock(&c->mux->send);
}

void agent_mux_send_unlock(struct agent_conn *c)
{
	if (c->mux)
		pthread_mutex_unlock(&c->mux->send);
}
