/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Runtime configuration. vaccel_config_init_from_env() reads:
 *   VACCEL_PLUGINS            ':'-separated plugin paths or sonames (none)
 *   VACCEL_LOG_LEVEL          1=error 2=warn 3=info 4=debug 5=trace (1)
 *   VACCEL_LOG_FILE           log destination (stdout)
 *   VACCEL_PROFILING_ENABLED  non-zero enables profiling regions (0)
 *   VACCEL_VERSION_IGNORE     non-zero skips plugin version checks (0)
 * The deprecated names VACCEL_BACKENDS, VACCEL_DEBUG_LEVEL and
 * VACCEL_IGNORE_VERSION are honoured, with a warning, when the new name is
 * unset. Strings in a config are owned by it.
 */
#ifndef VACCEL_CONFIG_H
#define VACCEL_CONFIG_H

#include "log.h"
#include <stdbool.h>

#ifdef __cplusplus
extern "C" {
#endif

struct vaccel_config {
	char *plugins;
	vaccel_log_level_t log_level;
	char *log_file;
	bool profiling_enabled;
	bool version_ignore;
};

/* Fills `config`, copying the strings (either may be NULL). */
int vaccel_config_init(struct vaccel_config *config, const char *plugins,
		       vaccel_log_level_t log_level, const char *log_file,
		       bool profiling_enabled, bool version_ignore);
/* Fills `config` from the environment (see above). Invalid numbers are
 * reported with VACCEL_EINVAL and a log line naming the variable. */
int vaccel_config_init_from_env(struct vaccel_config *config);
/* Deep-copies `config_src` into `config`. */
int vaccel_config_init_from(struct vaccel_config *config,
			    struct vaccel_config *config_src);
/* Frees the strings; the struct may be reused. Harmless on a zeroed struct. */
int vaccel_config_release(struct vaccel_config *config);

int vaccel_config_new(struct vaccel_config **config, const char *plugins,
		      vaccel_log_level_t log_level, const char *log_file,
		      bool profiling_enabled, bool version_ignore);
int vaccel_config_from_env(struct vaccel_config **config);
int vaccel_config_from(struct vaccel_config **config,
		       struct vaccel_config *config_src);
/* Releases and frees. NULL is harmless. */
int vaccel_config_delete(struct vaccel_config *config);
/* Logs every field at debug level. */
void vaccel_config_print_debug(struct vaccel_config *config);

#ifdef __cplusplus
}
#endif

#endif /* VACCEL_CONFIG_H */
