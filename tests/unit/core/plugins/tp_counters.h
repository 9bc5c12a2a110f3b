/* SPDX-License-Identifier: Apache-2.0 */
/* Layout of the hook counters the test plugins export (see counters.h). */
#ifndef TP_COUNTERS_STRUCT_H
#define TP_COUNTERS_STRUCT_H

#include <stdatomic.h>

struct tp_counters {
	atomic_int inits, finis;
	atomic_int session_inits, session_releases;
	atomic_int registers, unregisters;
	atomic_int ops;
};

#endif /* TP_COUNTERS_STRUCT_H */
