/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Every op family the reference plugin implements, called on one session
 * in typed and in genop form, each result compared with reference.h
 * computed here from the same inputs. Used by rpc_ops_test (through the
 * agent over unix and tcp) and by vaccel-ref-check (in the VM guests).
 */
#ifndef VACCEL_TEST_REF_CHECK_H
#define VACCEL_TEST_REF_CHECK_H

#include "vaccel.h"
#include <stdbool.h>

/* Called once per check: the check's name, whether it passed, and what
 * differed when it did not. */
typedef void (*ref_report_fn)(const char *check, bool ok, const char *detail);

/*
 * Runs the checks on `sess`, a session whose ops reach the reference
 * plugin (locally, or on an agent that loads it; VACCEL_PLUGIN_FPGA is
 * the hint that selects it). `exec_lib` is exec's library name (only
 * hashed, but an agent must allow it: --exec-allow); `res_file` a file
 * readable here that becomes the LIB resource of exec_with_resource
 * (uploaded to an agent, hashed by the plugin where it runs). Returns the
 * number of failed checks.
 */
int ref_check_ops(struct vaccel_session *sess, const char *exec_lib,
		  const char *res_file, ref_report_fn report);

#endif /* VACCEL_TEST_REF_CHECK_H */
