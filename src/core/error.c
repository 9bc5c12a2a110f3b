// SPDX-License-Identifier: Apache-2.0

#include "core_priv.h"
#include "vaccel/error.h"
#include <stdlib.h>

const char *vaccel_strerror(int code)
{
	/* Callers often pass errors negated (-VACCEL_EINVAL); both forms
	 * name the same code. */
	switch (abs(code)) {
#define X(name, value, desc) \
	case name:           \
		return desc;
		VACCEL_ERROR_LIST(X)
#undef X
	default:
		return "unknown error";
	}
}

const char *vaccel_error_name(int code)
{
	switch (abs(code)) {
#define X(name, value, desc) \
	case name:           \
		return #name;
		VACCEL_ERROR_LIST(X)
#undef X
	default:
		return "VACCEL_E?";
	}
}

int vaccel__errno_to_error(int err)
{
	/* A zero errno means the failure did not say why. */
	if (err == 0)
		return VACCEL_EIO;

	switch (err) {
#define X(name, value, desc) \
	case name:           \
		return name;
		VACCEL_ERROR_LIST(X)
#undef X
	default:
		return VACCEL_EIO;
	}
}
