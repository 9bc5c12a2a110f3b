// SPDX-License-Identifier: Apache-2.0

package slots_test

import (
	"fmt"
	"log"
	"os"
	"path/filepath"

	"vaccel.dev/device-plugin/slots"
)

// Two slots: a token each, in the agent's tenants folder and in the folder
// of the files mounted into pods.
func ExampleOpen() {
	dir, err := os.MkdirTemp("", "slots")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	s, err := slots.Open(filepath.Join(dir, "tenants"), filepath.Join(dir, "pod-tokens"), 2, slots.Self)
	if err != nil {
		log.Fatal(err)
	}
	tok, _ := os.ReadFile(s.TenantPath("slot-1"))
	fmt.Println(s.IDs(), len(tok), s.Valid("slot-2"))
	// Output: [slot-0 slot-1] 64 false
}
