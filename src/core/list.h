/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Helpers for the intrusive doubly linked list of include/vaccel/list.h.
 * A list head is a struct vaccel_list_entry whose next/prev point to itself
 * when empty. Callers provide all locking.
 */
#ifndef VACCEL_CORE_LIST_H
#define VACCEL_CORE_LIST_H

#include "vaccel/list.h"
#include <stdbool.h>
#include <stddef.h>

#define vaccel__container_of(ptr, type, member) \
	((type *)(void *)((char *)(ptr)-offsetof(type, member)))

static inline void vaccel__list_init(struct vaccel_list_entry *head)
{
	head->next = head;
	head->prev = head;
}

static inline bool vaccel__list_empty(const struct vaccel_list_entry *head)
{
	return head->next == head;
}

static inline void vaccel__list_add_tail(struct vaccel_list_entry *head,
					 struct vaccel_list_entry *node)
{
	node->prev = head->prev;
	node->next = head;
	head->prev->next = node;
	head->prev = node;
}

/* Unlinks `node` and points it at itself, so a second unlink is harmless. */
static inline void vaccel__list_del(struct vaccel_list_entry *node)
{
	node->prev->next = node->next;
	node->next->prev = node->prev;
	node->next = node;
	node->prev = node;
}

/* Iterates over list nodes; `tmp` allows removing `pos` inside the loop. */
#define vaccel__list_for_each_safe(pos, tmp, head)                   \
	for ((pos) = (head)->next, (tmp) = (pos)->next; (pos) != (head); \
	     (pos) = (tmp), (tmp) = (pos)->next)

#define vaccel__list_for_each(pos, head) \
	for ((pos) = (head)->next; (pos) != (head); (pos) = (pos)->next)

#endif /* VACCEL_CORE_LIST_H */
