// SPDX-License-Identifier: Apache-2.0

package vaccel

import "strings"

// Config is the runtime configuration of libvaccel (struct vaccel_config).
//
// libvaccel configures itself from the environment when the program starts
// (VACCEL_PLUGINS, VACCEL_LOG_LEVEL, ... see docs/configuration.md), so most
// programs never need a Config. Bootstrap applies one explicitly.
type Config struct {
	// Plugins are loaded in this order: paths or sonames
	// ("libvaccel-torch.so"). The first plugin matching a session's
	// flags runs its ops.
	Plugins []string
	// LogLevel is LogError when zero.
	LogLevel LogLevel
	// LogFile is where the library logs; "" means standard output.
	LogFile string
	// Profiling enables the profiling regions (ProfRegion and the
	// library's per-op regions).
	Profiling bool
	// VersionIgnore skips the plugins' version check.
	VersionIgnore bool
}

func (c *Config) pluginList() string { return strings.Join(c.Plugins, ":") }

func (c *Config) setPluginList(s string) {
	c.Plugins = nil
	for _, p := range strings.Split(s, ":") {
		if p != "" {
			c.Plugins = append(c.Plugins, p)
		}
	}
}

// ConfigFromEnv reads the configuration from the environment with the
// library's own parser, as the automatic bootstrap does. Invalid values
// return an ErrInvalid error naming the variable.
func ConfigFromEnv() (*Config, error) { return cConfigFromEnv() }

// Bootstrap (re)initializes the runtime: with a nil cfg from the
// environment, otherwise from cfg. When the runtime is already initialized,
// it is cleaned up first, which releases every live session and resource:
// their Go values then return errors. It must not run while other
// goroutines use vAccel.
func Bootstrap(cfg *Config) error {
	if cfg != nil && cfg.LogLevel == 0 {
		c := *cfg
		c.LogLevel = LogError
		cfg = &c
	}
	return cBootstrap(cfg)
}

// Cleanup releases every live session and resource and unloads the
// plugins. Safe to call when not initialized; must not run while other
// goroutines use vAccel.
func Cleanup() error { return cCleanup() }

// IsInitialized reports whether the runtime is bootstrapped.
func IsInitialized() bool { return cIsInitialized() }

// Rundir returns this process's run directory, or "" when the runtime is
// not initialized.
func Rundir() string { return cRundir() }

// CurrentConfig returns a copy of the active configuration, or nil when
// the runtime is not initialized.
func CurrentConfig() *Config { return cCurrentConfig() }

// SetLogLevel changes the library's log level at run time.
func SetLogLevel(l LogLevel) { cSetLogLevel(l) }
