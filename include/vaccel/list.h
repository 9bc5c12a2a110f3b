/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Intrusive doubly linked list node. Sessions and resources embed these so
 * that their layouts match upstream's; applications never need to touch them.
 */
#ifndef VACCEL_LIST_H
#define VACCEL_LIST_H

#ifdef __cplusplus
extern "C" {
#endif

struct vaccel_list_entry {
	struct vaccel_list_entry *next;
	struct vaccel_list_entry *prev;
};

typedef struct vaccel_list_entry vaccel_list_t;

#ifdef __cplusplus
}
#endif

#endif /* VACCEL_LIST_H */
