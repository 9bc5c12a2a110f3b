// SPDX-License-Identifier: Apache-2.0
/*
 * A library for test_lib.c: one function of its own, one data symbol, and
 * calls into libc, so that libc's functions are in its dependency scope.
 */
#include <stdio.h>
#include <stdlib.h>

__attribute__((visibility("default"))) int fixture_data = 7;

__attribute__((visibility("default"))) int fixture_fn(int x);

int fixture_fn(int x)
{
	if (x < 0)
		abort();
	if (x > 1000)
		printf("big %d\n", x);
	return x * 3;
}
