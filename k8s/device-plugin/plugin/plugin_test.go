// SPDX-License-Identifier: Apache-2.0

package plugin

import (
	"bytes"
	"context"
	"io"
	"log"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	api "vaccel.dev/device-plugin/api/v1beta1"
	"vaccel.dev/device-plugin/fakekubelet"
	"vaccel.dev/device-plugin/internal/fakeagent"
	"vaccel.dev/device-plugin/slots"
)

type env struct {
	dir     string
	cfg     Config
	kubelet *fakekubelet.Kubelet
	agent   *fakeagent.Agent
	cancel  context.CancelFunc
	done    chan error
}

func timeout(t *testing.T) context.Context {
	c, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	t.Cleanup(cancel)
	return c
}

// start runs a plugin with n slots against a fake kubelet and a fake agent
// that accepts the tokens of the plugin's tenants folder; mods adjust the
// configuration.
func start(t *testing.T, n int, mods ...func(*Config)) *env {
	t.Helper()
	e := &env{dir: t.TempDir(), done: make(chan error, 1)}
	for _, d := range []string{"kubelet", "run"} {
		os.Mkdir(filepath.Join(e.dir, d), 0o700)
	}
	e.cfg = Config{
		ResourceName:       "vaccel.dev/agent",
		Slots:              n,
		PluginDir:          filepath.Join(e.dir, "kubelet"),
		Endpoint:           "vaccel-agent.sock",
		AgentSocket:        filepath.Join(e.dir, "run", "vaccel.sock"),
		TenantsDir:         filepath.Join(e.dir, "tenants"),
		PodTokensDir:       filepath.Join(e.dir, "pod-tokens"),
		AgentOwner:         slots.Self,
		ContainerSocketDir: "/var/run/vaccel",
		ContainerTokenPath: "/var/run/secrets/vaccel.dev/token",
		PollInterval:       20 * time.Millisecond,
		ProbeTimeout:       5 * time.Second,
		AllocateTimeout:    5 * time.Second,
		Log:                log.New(io.Discard, "", 0),
	}
	for _, m := range mods {
		m(&e.cfg)
	}
	var err error
	if e.kubelet, err = fakekubelet.Start(e.cfg.PluginDir); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(e.kubelet.Close)
	e.startAgent(t)
	p, err := New(e.cfg)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	e.cancel = cancel
	go func() { e.done <- p.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		<-e.done
		if e.agent != nil {
			e.agent.Close()
		}
	})
	return e
}

func (e *env) startAgent(t *testing.T) {
	t.Helper()
	a, err := fakeagent.Start(e.cfg.AgentSocket, e.cfg.TenantsDir)
	if err != nil {
		t.Fatal(err)
	}
	e.agent = a
}

func (e *env) stopAgent() {
	e.agent.Close()
	e.agent = nil
}

// dial waits for the plugin's registration and connects as the kubelet.
func (e *env) dial(t *testing.T) *fakekubelet.Plugin {
	t.Helper()
	r, err := e.kubelet.NextRegistration(timeout(t))
	if err != nil {
		t.Fatal(err)
	}
	want := &api.RegisterRequest{Version: "v1beta1", Endpoint: "vaccel-agent.sock",
		ResourceName: "vaccel.dev/agent",
		Options:      &api.DevicePluginOptions{GetPreferredAllocationAvailable: true}}
	if r.Version != want.Version || r.Endpoint != want.Endpoint || r.ResourceName != want.ResourceName ||
		r.Options.GetPreferredAllocationAvailable != true || r.Options.PreStartRequired {
		t.Fatalf("registration %v, want %v", r, want)
	}
	p, err := e.kubelet.Dial(timeout(t), r)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(p.Close)
	return p
}

func TestListAndWatchFollowsTheAgent(t *testing.T) {
	e := start(t, 3)
	p := e.dial(t)
	l, err := p.WaitHealth(timeout(t), 3, Healthy)
	if err != nil {
		t.Fatal(err)
	}
	for i, d := range l {
		if want := "slot-" + string(rune('0'+i)); d.ID != want {
			t.Errorf("device %d is %q, want %q", i, d.ID, want)
		}
	}
	e.stopAgent()
	if _, err := p.WaitHealth(timeout(t), 3, Unhealthy); err != nil {
		t.Fatal(err)
	}
	e.startAgent(t)
	if _, err := p.WaitHealth(timeout(t), 3, Healthy); err != nil {
		t.Fatal(err)
	}
}

func TestAllocate(t *testing.T) {
	e := start(t, 2)
	p := e.dial(t)
	before, _ := os.ReadFile(filepath.Join(e.cfg.TenantsDir, "slot-1"))
	resp, err := p.Allocate(timeout(t), []string{"slot-1"})
	if err != nil {
		t.Fatal(err)
	}
	if len(resp.ContainerResponses) != 1 {
		t.Fatalf("%d container responses", len(resp.ContainerResponses))
	}
	cr := resp.ContainerResponses[0]
	wantEnv := map[string]string{
		"VACCEL_PLUGINS":        "libvaccel-rpc.so",
		"VACCEL_RPC_ADDRESS":    "unix:///var/run/vaccel/vaccel.sock",
		"VACCEL_RPC_TOKEN_FILE": "/var/run/secrets/vaccel.dev/token",
	}
	if !reflect.DeepEqual(cr.Envs, wantEnv) {
		t.Errorf("envs %v, want %v", cr.Envs, wantEnv)
	}
	wantMounts := []*api.Mount{
		{ContainerPath: "/var/run/vaccel", HostPath: filepath.Dir(e.cfg.AgentSocket), ReadOnly: true},
		{ContainerPath: "/var/run/secrets/vaccel.dev/token", HostPath: filepath.Join(e.cfg.PodTokensDir, "slot-1"), ReadOnly: true},
	}
	if len(cr.Mounts) != 2 {
		t.Fatalf("mounts %v", cr.Mounts)
	}
	for i, m := range cr.Mounts {
		w := wantMounts[i]
		if m.ContainerPath != w.ContainerPath || m.HostPath != w.HostPath || m.ReadOnly != w.ReadOnly {
			t.Errorf("mount %d: %v, want %v", i, m, w)
		}
	}
	after, _ := os.ReadFile(filepath.Join(e.cfg.TenantsDir, "slot-1"))
	pod, _ := os.ReadFile(filepath.Join(e.cfg.PodTokensDir, "slot-1"))
	if bytes.Equal(before, after) || !bytes.Equal(after, pod) {
		t.Error("Allocate did not give the slot a new token in both files")
	}

	for _, tc := range []struct {
		name string
		ids  [][]string
	}{
		{"two slots in one container", [][]string{{"slot-0", "slot-1"}}},
		{"no slot", [][]string{{}}},
		{"unknown slot", [][]string{{"slot-2"}}},
		{"not a slot", [][]string{{"../x"}}},
	} {
		if _, err := p.Allocate(timeout(t), tc.ids...); status.Code(err) != codes.InvalidArgument {
			t.Errorf("%s: got %v, want InvalidArgument", tc.name, err)
		}
	}
	// Two containers, one slot each.
	resp, err = p.Allocate(timeout(t), []string{"slot-0"}, []string{"slot-1"})
	if err != nil || len(resp.ContainerResponses) != 2 ||
		resp.ContainerResponses[0].Mounts[1].HostPath == resp.ContainerResponses[1].Mounts[1].HostPath {
		t.Errorf("two containers: %v, %v", resp, err)
	}
}

// Pods that reach the agent by another address (VM-isolated pods over
// vsock) get that address and no socket folder.
func TestAllocatePodAddress(t *testing.T) {
	e := start(t, 1, func(c *Config) { c.PodAddress = "vsock://2:2048" })
	p := e.dial(t)
	resp, err := p.Allocate(timeout(t), []string{"slot-0"})
	if err != nil {
		t.Fatal(err)
	}
	cr := resp.ContainerResponses[0]
	if cr.Envs["VACCEL_RPC_ADDRESS"] != "vsock://2:2048" || len(cr.Mounts) != 1 ||
		cr.Mounts[0].ContainerPath != "/var/run/secrets/vaccel.dev/token" {
		t.Errorf("envs %v, mounts %v", cr.Envs, cr.Mounts)
	}
}

// Allocate waits until the agent accepts the new token, and fails with
// Unavailable when it never does.
func TestAllocateWaitsForTheAgent(t *testing.T) {
	e := start(t, 1, func(c *Config) { c.AllocateTimeout = 300 * time.Millisecond })
	p := e.dial(t)
	e.stopAgent()
	if _, err := p.WaitHealth(timeout(t), 1, Unhealthy); err != nil {
		t.Fatal(err)
	}
	_, err := p.Allocate(timeout(t), []string{"slot-0"})
	if status.Code(err) != codes.Unavailable {
		t.Errorf("allocate with the agent down: %v, want Unavailable", err)
	}
}

func TestPreferredAllocation(t *testing.T) {
	e := start(t, 12)
	p := e.dial(t)
	resp, err := p.Client().GetPreferredAllocation(timeout(t), &api.PreferredAllocationRequest{
		ContainerRequests: []*api.ContainerPreferredAllocationRequest{
			{AvailableDeviceIDs: []string{"slot-10", "slot-3", "slot-2"}, AllocationSize: 2},
			{AvailableDeviceIDs: []string{"slot-10", "slot-3", "slot-2"}, MustIncludeDeviceIDs: []string{"slot-10"}, AllocationSize: 2},
		}})
	if err != nil {
		t.Fatal(err)
	}
	want := [][]string{{"slot-2", "slot-3"}, {"slot-10", "slot-2"}}
	for i, cr := range resp.ContainerResponses {
		if !reflect.DeepEqual(cr.DeviceIDs, want[i]) {
			t.Errorf("container %d: %v, want %v", i, cr.DeviceIDs, want[i])
		}
	}
	if _, err := p.Client().PreStartContainer(timeout(t), &api.PreStartContainerRequest{DevicesIDs: []string{"slot-0"}}); err != nil {
		t.Error(err)
	}
}

func TestReregistersWhenTheKubeletRestarts(t *testing.T) {
	e := start(t, 2)
	p := e.dial(t)
	if _, err := p.WaitHealth(timeout(t), 2, Healthy); err != nil {
		t.Fatal(err)
	}
	if err := e.kubelet.Restart(); err != nil {
		t.Fatal(err)
	}
	if _, err := p.NextList(timeout(t)); err != fakekubelet.ErrStreamEnded {
		t.Errorf("old stream: %v, want ErrStreamEnded", err)
	}
	p2 := e.dial(t)
	if _, err := p2.WaitHealth(timeout(t), 2, Healthy); err != nil {
		t.Fatal(err)
	}
	if _, err := p2.Allocate(timeout(t), []string{"slot-0"}); err != nil {
		t.Error(err)
	}
}

func TestExitsWhenTheKubeletRefuses(t *testing.T) {
	e := start(t, 1)
	e.dial(t)
	e.cancel()
	<-e.done
	e.done <- nil // for the cleanup
	cfg := e.cfg
	cfg.ResourceName = "not a resource name"
	p, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Run(timeout(t)); err == nil {
		t.Error("Run returned nil after the kubelet refused the registration")
	}
}

func TestNewChecksConfig(t *testing.T) {
	base := start(t, 1).cfg
	for _, tc := range []struct {
		name string
		mod  func(*Config)
	}{
		{"endpoint with a folder", func(c *Config) { c.Endpoint = "x/y.sock" }},
		{"endpoint kubelet.sock", func(c *Config) { c.Endpoint = "kubelet.sock" }},
		{"relative agent socket", func(c *Config) { c.AgentSocket = "vaccel.sock" }},
		{"relative token path", func(c *Config) { c.ContainerTokenPath = "token" }},
		{"no slots", func(c *Config) { c.Slots = 0 }},
		{"zero interval", func(c *Config) { c.PollInterval = 0 }},
	} {
		c := base
		tc.mod(&c)
		if _, err := New(c); err == nil {
			t.Errorf("%s: accepted", tc.name)
		}
	}
}
