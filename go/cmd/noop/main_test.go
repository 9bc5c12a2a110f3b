// SPDX-License-Identifier: Apache-2.0

package main

import (
	"testing"

	"vaccel"
	"vaccel/internal/testenv"
)

func TestNoop(t *testing.T) {
	testenv.Need(t, "the noop plugin", testenv.Noop)
	if err := vaccel.Bootstrap(&vaccel.Config{Plugins: []string{testenv.Noop}}); err != nil {
		t.Fatal(err)
	}
	defer vaccel.Cleanup()
	if err := run(false, 3); err != nil {
		t.Fatal(err)
	}
	// No transport plugin loaded: a remote session is refused.
	if err := run(true, 1); err == nil {
		t.Error("remote session without the rpc plugin: no error")
	} else {
		t.Logf("remote without the rpc plugin: %v", err)
	}
}
