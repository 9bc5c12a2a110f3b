// SPDX-License-Identifier: Apache-2.0

package agent_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"time"

	"vaccel.dev/device-plugin/agent"
	"vaccel.dev/device-plugin/internal/fakeagent"
)

// Probe tells an agent that answers from one that does not, and a token
// the agent accepts from one it refuses.
func ExampleProbe() {
	dir, err := os.MkdirTemp("", "probe")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	os.WriteFile(filepath.Join(dir, "team-a"), []byte("secret"), 0o600)
	a, err := fakeagent.Start(filepath.Join(dir, "agent.sock"), dir)
	if err != nil {
		log.Fatal(err)
	}
	defer a.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()

	addr := "unix://" + a.Path
	fmt.Println(agent.Probe(ctx, addr, nil))
	fmt.Println(agent.Probe(ctx, addr, []byte("secret")))
	var refused *agent.Error
	err = agent.Probe(ctx, addr, []byte("guess"))
	fmt.Println(errors.As(err, &refused) && refused.Code == agent.EACCES)
	// Output:
	// <nil>
	// <nil>
	// true
}
