// SPDX-License-Identifier: Apache-2.0

#include "core_priv.h"
#include "vaccel/error.h"
#include "vaccel/log.h"
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The calling thread's last failure message (vaccel_last_error_message)
 * and how many messages it has had. */
static _Thread_local char last_error[VACCEL_ERROR_MSG_MAX];
static _Thread_local unsigned long last_error_seq;

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

const char *vaccel_last_error_message(void)
{
	return last_error;
}

void vaccel__last_error_set(const char *msg, size_t len)
{
	if (len >= sizeof(last_error))
		len = sizeof(last_error) - 1;
	memcpy(last_error, msg, len);
	last_error[len] = '\0';
	last_error_seq++;
}

unsigned long vaccel__last_error_seq(void)
{
	return last_error_seq;
}

void vaccel__hook_failed(unsigned long seq, int code, const char *fmt, ...)
{
	char context[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(context, sizeof(context), fmt, ap);
	va_end(ap);
	if (last_error_seq != seq)
		vaccel_debug("%s: %s", context, vaccel_strerror(code));
	else
		vaccel_error("%s: %s", context, vaccel_strerror(code));
}
