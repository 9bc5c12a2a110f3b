// SPDX-License-Identifier: Apache-2.0

package vaccel_test

// The tests run against a real libvaccel, its noop, exec, torch and rpc
// plugins and a real vaccel-agent, which internal/testenv finds through the
// environment that go/test.sh sets from a meson build directory.
//
// TestMain starts one agent listening on a UNIX socket and on TCP (port 0)
// and bootstraps libvaccel with every plugin. Tests that run on every
// transport switch the rpc plugin's address by bootstrapping again (the
// plugin reads VACCEL_RPC_ADDRESS when it loads), so tests never run in
// parallel with each other.

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"vaccel"
	"vaccel/internal/testenv"
)

var (
	noopPlugin, execPlugin = testenv.Noop, testenv.Exec
	torchPlugin, rpcPlugin = testenv.Torch, testenv.RPC
	refPlugin              = testenv.Reference
	agentPath, testLib     = testenv.Agent, testenv.Lib
	testImage, torchData   = testenv.Image, testenv.TorchData
	torchRef               = testenv.TorchRef

	agent  *testenv.AgentProc // nil without an agent
	libLog string             // where the tests' libvaccel logs
)

func need(t testing.TB, what string, paths ...string) {
	t.Helper()
	testenv.Need(t, what, paths...)
}

// allPlugins is the plugin list of every bootstrap: noop first, so that
// sessions without flags (and PluginDebug) land on it; the reference plugin
// answers PluginFPGA.
func allPlugins() []string {
	return testenv.Plugins(noopPlugin, execPlugin, torchPlugin, refPlugin, rpcPlugin)
}

func TestMain(m *testing.M) {
	if noopPlugin == "" {
		fmt.Fprintln(os.Stderr, "vaccel tests: VACCEL_TEST_NOOP is not set: they need a build tree's plugins; run go/test.sh BUILD_DIR")
		os.Exit(2)
	}
	os.Exit(run(m))
}

func run(m *testing.M) int {
	tmp, err := os.MkdirTemp("", "vaccel-gotest-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	defer os.RemoveAll(tmp)
	libLog = filepath.Join(tmp, "libvaccel.log")
	if agentPath != "" && rpcPlugin != "" {
		if agent, err = testenv.StartAgent(tmp); err != nil {
			fmt.Fprintln(os.Stderr, "vaccel tests:", err)
			return 2
		}
		defer agent.Stop()
	}
	if err := useTransport(local); err != nil {
		fmt.Fprintln(os.Stderr, "vaccel tests: bootstrap:", err)
		return 2
	}
	defer vaccel.Cleanup()
	return m.Run()
}

// A transport is where a session's ops run: the local plugins, or the
// agent over UNIX or TCP.
type transport struct {
	name   string
	remote bool
}

var (
	local    = transport{"local", false}
	overUnix = transport{"unix", true}
	overTCP  = transport{"tcp", true}
	current  = transport{}
	// currentProfiling is whether the current bootstrap enabled profiling.
	currentProfiling bool
	transports       = []transport{local, overUnix, overTCP}
)

// addr is the agent address the rpc plugin uses on tr (any, locally).
func (tr transport) addr() string {
	switch {
	case agent == nil:
		return ""
	case tr == overTCP:
		return agent.TCP
	}
	return agent.Unix
}

// flags turns a plugin hint into the session flags for this transport.
func (tr transport) flags(hint vaccel.PluginType) vaccel.PluginType {
	if tr.remote {
		return hint | vaccel.PluginRemote
	}
	return hint
}

// useTransport bootstraps libvaccel with every plugin, profiling on, and
// the rpc plugin pointed at tr's agent address (a no-op when that is the
// current state).
func useTransport(tr transport) error { return bootstrap(tr, true) }

// bootstrap is useTransport with profiling on or off (the benchmarks run
// without: profiling times every op).
func bootstrap(tr transport, profiling bool) error {
	if tr == current && profiling == currentProfiling {
		return nil
	}
	if err := os.Setenv("VACCEL_RPC_ADDRESS", tr.addr()); err != nil {
		return err
	}
	cfg := &vaccel.Config{Plugins: allPlugins(), Profiling: profiling, LogFile: libLog}
	if err := vaccel.Bootstrap(cfg); err != nil {
		return err
	}
	current, currentProfiling = tr, profiling
	return nil
}

// forEachTransport runs f as a subtest per transport, skipping the remote
// ones when there is no agent.
func forEachTransport(t *testing.T, f func(t *testing.T, tr transport)) {
	for _, tr := range transports {
		t.Run(tr.name, func(t *testing.T) {
			if tr.remote {
				need(t, "vaccel-agent and the rpc plugin", agentPath, rpcPlugin)
			}
			if err := useTransport(tr); err != nil {
				t.Fatal(err)
			}
			f(t, tr)
		})
	}
}

// session opens a session with flags (through tr) and closes it at the end
// of the test.
func session(t testing.TB, tr transport, hint vaccel.PluginType) *vaccel.Session {
	t.Helper()
	s, err := vaccel.NewSession(tr.flags(hint))
	if err != nil {
		t.Fatalf("NewSession(%v): %v", tr.flags(hint), err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	if s.IsRemote() != tr.remote {
		t.Fatalf("session IsRemote() = %v on %s", s.IsRemote(), tr.name)
	}
	return s
}

// resource opens a resource and closes it at the end of the test.
func resource(t testing.TB, path string, typ vaccel.ResourceType) *vaccel.Resource {
	t.Helper()
	r, err := vaccel.NewResource(path, typ)
	if err != nil {
		t.Fatalf("NewResource(%q): %v", path, err)
	}
	t.Cleanup(func() {
		if err := r.Close(); err != nil {
			t.Errorf("Resource.Close: %v", err)
		}
	})
	return r
}

// registered is resource + Register with s.
func registered(t testing.TB, s *vaccel.Session, path string, typ vaccel.ResourceType) *vaccel.Resource {
	t.Helper()
	r := resource(t, path, typ)
	if err := r.Register(s); err != nil {
		t.Fatalf("Register(%q): %v", path, err)
	}
	return r
}
