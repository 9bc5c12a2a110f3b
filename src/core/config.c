// SPDX-License-Identifier: Apache-2.0

#include "core_priv.h"
#include "vaccel/config.h"
#include "vaccel/error.h"
#include "vaccel/log.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Copies `src` (which may be NULL) into *dst. */
static int dup_str(char **dst, const char *src, const char *what)
{
	*dst = NULL;
	if (!src)
		return VACCEL_OK;
	*dst = strdup(src);
	if (!*dst) {
		vaccel_error("Could not copy config %s", what);
		return VACCEL_ENOMEM;
	}
	return VACCEL_OK;
}

int vaccel_config_init(struct vaccel_config *config, const char *plugins,
		       vaccel_log_level_t log_level, const char *log_file,
		       bool profiling_enabled, bool version_ignore)
{
	int ret;

	if (!config) {
		vaccel_error("vaccel_config_init: config is NULL");
		return VACCEL_EINVAL;
	}
	if (log_level < VACCEL_LOG_ERROR || log_level > VACCEL_LOG_TRACE) {
		vaccel_error("vaccel_config_init: invalid log level %d (1..5)",
			     (int)log_level);
		return VACCEL_EINVAL;
	}

	ret = dup_str(&config->plugins, plugins, "plugins");
	if (ret)
		return ret;
	ret = dup_str(&config->log_file, log_file, "log_file");
	if (ret) {
		free(config->plugins);
		config->plugins = NULL;
		return ret;
	}
	config->log_level = log_level;
	config->profiling_enabled = profiling_enabled;
	config->version_ignore = version_ignore;
	return VACCEL_OK;
}

/*
 * Returns the value of `name`, or of the deprecated `old_name` (with a
 * warning on stderr) when `name` is unset. The log is not set up while the
 * config is read, hence stderr.
 */
static const char *env_get(const char *name, const char *old_name)
{
	const char *val = getenv(name);

	if (val || !old_name)
		return val;
	val = getenv(old_name);
	if (val)
		fprintf(stderr, "Warning: %s is deprecated. Use %s instead.\n",
			old_name, name);
	return val;
}

/* Strictly parses a whole decimal string: no sign, no junk, no overflow. */
static int parse_ulong(const char *val, unsigned long *out)
{
	char *end;

	if (!val || *val < '0' || *val > '9')
		return VACCEL_EINVAL;
	errno = 0;
	*out = strtoul(val, &end, 10);
	if (errno || *end != '\0')
		return VACCEL_EINVAL;
	return VACCEL_OK;
}

static int env_log_level(vaccel_log_level_t *level)
{
	const char *val = env_get("VACCEL_LOG_LEVEL", "VACCEL_DEBUG_LEVEL");
	unsigned long n;

	if (!val) {
		*level = VACCEL_LOG_ERROR;
		return VACCEL_OK;
	}
	if (parse_ulong(val, &n) || n < VACCEL_LOG_ERROR ||
	    n > VACCEL_LOG_TRACE) {
		vaccel_error("Invalid VACCEL_LOG_LEVEL \"%s\": expected 1..5",
			     val);
		return VACCEL_EINVAL;
	}
	*level = (vaccel_log_level_t)n;
	return VACCEL_OK;
}

/* A flag is a number (non-zero = true) or the words true/false. */
static int env_bool(const char *name, const char *old_name, bool *out)
{
	const char *val = env_get(name, old_name);
	unsigned long n;

	*out = false;
	if (!val)
		return VACCEL_OK;
	if (strcasecmp(val, "true") == 0) {
		*out = true;
		return VACCEL_OK;
	}
	if (strcasecmp(val, "false") == 0)
		return VACCEL_OK;
	if (parse_ulong(val, &n)) {
		vaccel_error("Invalid %s \"%s\": expected a number or true/false",
			     name, val);
		return VACCEL_EINVAL;
	}
	*out = n != 0;
	return VACCEL_OK;
}

int vaccel_config_init_from_env(struct vaccel_config *config)
{
	vaccel_log_level_t level;
	bool prof, ignore;
	int ret;

	if (!config) {
		vaccel_error("vaccel_config_init_from_env: config is NULL");
		return VACCEL_EINVAL;
	}

	ret = env_log_level(&level);
	if (ret)
		return ret;
	ret = env_bool("VACCEL_PROFILING_ENABLED", NULL, &prof);
	if (ret)
		return ret;
	ret = env_bool("VACCEL_VERSION_IGNORE", "VACCEL_IGNORE_VERSION",
		       &ignore);
	if (ret)
		return ret;

	return vaccel_config_init(config,
				  env_get("VACCEL_PLUGINS", "VACCEL_BACKENDS"),
				  level, getenv("VACCEL_LOG_FILE"), prof,
				  ignore);
}

int vaccel_config_init_from(struct vaccel_config *config,
			    struct vaccel_config *config_src)
{
	if (!config || !config_src) {
		vaccel_error("vaccel_config_init_from: %s is NULL",
			     config ? "config_src" : "config");
		return VACCEL_EINVAL;
	}
	return vaccel_config_init(config, config_src->plugins,
				  config_src->log_level, config_src->log_file,
				  config_src->profiling_enabled,
				  config_src->version_ignore);
}

int vaccel_config_release(struct vaccel_config *config)
{
	if (!config) {
		vaccel_error("vaccel_config_release: config is NULL");
		return VACCEL_EINVAL;
	}
	free(config->plugins);
	free(config->log_file);
	config->plugins = NULL;
	config->log_file = NULL;
	config->log_level = VACCEL_LOG_ERROR;
	config->profiling_enabled = false;
	config->version_ignore = false;
	return VACCEL_OK;
}

/* Allocates a zeroed config into *config. */
static int config_alloc(struct vaccel_config **config, const char *func)
{
	if (!config) {
		vaccel_error("%s: config is NULL", func);
		return VACCEL_EINVAL;
	}
	*config = calloc(1, sizeof(**config));
	if (!*config) {
		vaccel_error("%s: could not allocate a config", func);
		return VACCEL_ENOMEM;
	}
	return VACCEL_OK;
}

/* Frees a half-built config after its init failed and passes the error on. */
static int config_alloc_done(struct vaccel_config **config, int ret)
{
	if (ret) {
		free(*config);
		*config = NULL;
	}
	return ret;
}

int vaccel_config_new(struct vaccel_config **config, const char *plugins,
		      vaccel_log_level_t log_level, const char *log_file,
		      bool profiling_enabled, bool version_ignore)
{
	int ret = config_alloc(config, __func__);

	if (ret)
		return ret;
	ret = vaccel_config_init(*config, plugins, log_level, log_file,
				 profiling_enabled, version_ignore);
	return config_alloc_done(config, ret);
}

int vaccel_config_from_env(struct vaccel_config **config)
{
	int ret = config_alloc(config, __func__);

	if (ret)
		return ret;
	return config_alloc_done(config, vaccel_config_init_from_env(*config));
}

int vaccel_config_from(struct vaccel_config **config,
		       struct vaccel_config *config_src)
{
	int ret = config_alloc(config, __func__);

	if (ret)
		return ret;
	return config_alloc_done(config,
				 vaccel_config_init_from(*config, config_src));
}

int vaccel_config_delete(struct vaccel_config *config)
{
	if (!config)
		return VACCEL_OK;
	vaccel_config_release(config);
	free(config);
	return VACCEL_OK;
}

void vaccel_config_print_debug(struct vaccel_config *config)
{
	if (!config)
		return;
	vaccel_debug("Config:");
	vaccel_debug("  plugins = %s",
		     config->plugins ? config->plugins : "(none)");
	vaccel_debug("  log_level = %d", (int)config->log_level);
	vaccel_debug("  log_file = %s",
		     config->log_file ? config->log_file : "(stdout)");
	vaccel_debug("  profiling_enabled = %s",
		     config->profiling_enabled ? "true" : "false");
	vaccel_debug("  version_ignore = %s",
		     config->version_ignore ? "true" : "false");
}
