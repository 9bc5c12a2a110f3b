// SPDX-License-Identifier: Apache-2.0

// Package testenv finds what the tests of this module run against — a
// build tree's plugins, vaccel-agent and test data — and starts agents.
// go/test.sh sets the variables from a meson build directory:
//
//	VACCEL_TEST_NOOP, _EXEC, _TORCH, _RPC   the plugins
//	VACCEL_TEST_REFERENCE                   tests/reference's plugin: results that
//	                                        depend on every argument (reference_test.go)
//	VACCEL_TEST_AGENT                       vaccel-agent
//	VACCEL_TEST_LIB                         libmytestlib.so (mytestfunc doubles an int32)
//	VACCEL_TEST_IMAGE                       a JPEG
//	VACCEL_TEST_TORCH_DATA                  tests/data (tiny_cnn.pt, two_io.pt, dtypes.pt)
//	VACCEL_TEST_TORCH_REF                   tests/python/torch_ref (the C API's answers)
//	VACCEL_TEST_MODELS                      data/models (resnet18.pt, scripts/make-models.py)
//	VACCEL_TORCH_LABELS                     the ImageNet labels
//	VACCEL_TEST_STRICT=1                    fail instead of skipping what is missing
package testenv

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// Paths of the build tree's pieces; "" when unset or missing.
var (
	Noop, Exec, Torch, RPC = existing("VACCEL_TEST_NOOP"), existing("VACCEL_TEST_EXEC"),
		existing("VACCEL_TEST_TORCH"), existing("VACCEL_TEST_RPC")
	Reference = existing("VACCEL_TEST_REFERENCE")
	Agent     = existing("VACCEL_TEST_AGENT")
	Lib       = existing("VACCEL_TEST_LIB")
	Image     = existing("VACCEL_TEST_IMAGE")
	TorchData = existing("VACCEL_TEST_TORCH_DATA")
	TorchRef  = existing("VACCEL_TEST_TORCH_REF")
	Models    = existing("VACCEL_TEST_MODELS")
	Labels    = existing("VACCEL_TORCH_LABELS")
	Strict    = os.Getenv("VACCEL_TEST_STRICT") == "1"
)

func existing(name string) string {
	p := os.Getenv(name)
	if p == "" {
		return ""
	}
	if _, err := os.Stat(p); err != nil {
		return ""
	}
	return p
}

// Need skips the test (fails it with VACCEL_TEST_STRICT=1) when any of
// paths is empty.
func Need(t testing.TB, what string, paths ...string) {
	t.Helper()
	for _, p := range paths {
		if p == "" {
			if Strict {
				t.Fatalf("%s is not available (VACCEL_TEST_STRICT=1)", what)
			}
			t.Skipf("%s is not available: run go/test.sh BUILD_DIR", what)
		}
	}
}

// Plugins returns the paths that are set, in order.
func Plugins(paths ...string) []string {
	var ps []string
	for _, p := range paths {
		if p != "" {
			ps = append(ps, p)
		}
	}
	return ps
}

// An AgentProc is a running vaccel-agent.
type AgentProc struct {
	Unix, TCP string // its addresses
	Log       string // its log file
	cmd       *exec.Cmd
}

// StartAgent starts vaccel-agent on a UNIX socket in dir and on a free TCP
// port with the local noop, exec, torch and reference plugins (in that
// order, as the tests bootstrap their own), allowing exec of the test
// library, of the noop and reference plugins' own files (their exec opens
// no library) and of uploaded libraries, and waits for it to be ready.
func StartAgent(dir string) (*AgentProc, error) {
	args := []string{"-a", "unix://" + filepath.Join(dir, "agent.sock"),
		"-a", "tcp://127.0.0.1:0", "-p", strings.Join(Plugins(Noop, Exec, Torch, Reference), ":"),
		"--ready-fd", "3", "--exec-allow-uploaded"}
	for _, lib := range Plugins(Noop, Reference, Lib) {
		args = append(args, "--exec-allow", lib)
	}
	r, w, err := os.Pipe()
	if err != nil {
		return nil, err
	}
	a := &AgentProc{Log: filepath.Join(dir, "agent.log")}
	log, err := os.Create(a.Log)
	if err != nil {
		return nil, err
	}
	a.cmd = exec.Command(Agent, args...)
	a.cmd.Stdout, a.cmd.Stderr = log, log
	a.cmd.ExtraFiles = []*os.File{w}
	a.cmd.Env = append(os.Environ(), "VACCEL_TORCH_THREADS=2")
	// The agent dies with the test process, even one that panics.
	a.cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGTERM}
	err = a.cmd.Start()
	w.Close()
	log.Close()
	if err != nil {
		r.Close()
		return nil, err
	}
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "LISTEN unix://") {
			a.Unix = strings.TrimPrefix(line, "LISTEN ")
		} else if strings.HasPrefix(line, "LISTEN tcp://") {
			a.TCP = strings.TrimPrefix(line, "LISTEN ")
		} else if line == "READY" {
			break
		}
	}
	r.Close()
	if a.Unix == "" || a.TCP == "" {
		a.Stop()
		out, _ := os.ReadFile(a.Log)
		return nil, fmt.Errorf("vaccel-agent gave no READY with both addresses; log:\n%s", out)
	}
	return a, nil
}

// Stop ends the agent with SIGTERM (SIGKILL after a minute) and waits.
func (a *AgentProc) Stop() {
	_ = a.cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan struct{})
	go func() { _ = a.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(time.Minute):
		_ = a.cmd.Process.Kill()
		<-done
	}
}
