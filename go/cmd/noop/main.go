// SPDX-License-Identifier: Apache-2.0

// Noop opens a vAccel session and calls the no-op op on it:
//
//	noop [-remote] [-n COUNT]
//
// The plugin is the one VACCEL_PLUGINS selects (with -remote, the rpc
// plugin, whose agent VACCEL_RPC_ADDRESS names). It prints the session and
// the mean time per call.
package main

import (
	"flag"
	"fmt"
	"os"
	"time"

	"vaccel"
)

func main() {
	remote := flag.Bool("remote", false, "run on an agent (the rpc plugin)")
	n := flag.Int("n", 1, "how many calls")
	flag.Parse()
	if err := run(*remote, *n); err != nil {
		fmt.Fprintln(os.Stderr, "noop:", err)
		os.Exit(1)
	}
}

func run(remote bool, n int) error {
	var flags vaccel.PluginType
	if remote {
		flags = vaccel.PluginRemote
	}
	sess, err := vaccel.NewSession(flags)
	if err != nil {
		return err
	}
	defer sess.Close()
	if n < 1 {
		n = 1
	}
	start := time.Now()
	for i := 0; i < n; i++ {
		if err := sess.Noop(); err != nil {
			return err
		}
	}
	per := time.Since(start) / time.Duration(n)
	fmt.Printf("session %d (remote %v): %d noop calls, %v per call\n", sess.ID(), sess.IsRemote(), n, per)
	return nil
}
