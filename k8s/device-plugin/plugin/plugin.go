// SPDX-License-Identifier: Apache-2.0

// Package plugin is the device plugin of vaccel-agent for the kubelet
// (Device Plugin API v1beta1). It advertises one extended resource
// (vaccel.dev/agent by default) with a fixed number of slots; each slot is
// one tenant of the node's agent, with its own token (package slots). A
// container that is allocated a slot gets the agent's socket folder, the
// slot's token file and the environment that points libvaccel's rpc plugin
// at them. Slots are healthy while the agent answers a HELLO on its socket.
// The plugin registers with the kubelet and registers again whenever the
// kubelet's socket is recreated (a kubelet restart).
package plugin

import (
	"context"
	"errors"
	"fmt"
	"log"
	"net"
	"os"
	"path/filepath"
	"sort"
	"sync"
	"syscall"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"vaccel.dev/device-plugin/agent"
	api "vaccel.dev/device-plugin/api/v1beta1"
	"vaccel.dev/device-plugin/slots"
)

// Kubelet constants of the Device Plugin API.
const (
	Version       = "v1beta1"
	KubeletSocket = "kubelet.sock"
	Healthy       = "Healthy"
	Unhealthy     = "Unhealthy"
)

// Config holds the plugin's settings. Paths are host paths: the plugin's
// own container must mount them at the same paths, because the kubelet
// reads the mounts of an Allocate response as host paths.
type Config struct {
	ResourceName string // the extended resource, "vaccel.dev/agent"
	Slots        int    // slots (tenants) advertised by this node
	PluginDir    string // the kubelet's device-plugins folder
	Endpoint     string // this plugin's socket file in PluginDir

	AgentSocket  string      // the agent's UNIX socket
	TenantsDir   string      // the agent's --tenants folder
	PodTokensDir string      // the per-slot token files mounted into pods
	AgentOwner   slots.Owner // the agent's user, who must own its tenants files

	ContainerSocketDir string // where the agent's socket folder appears in a pod
	ContainerTokenPath string // where the slot's token file appears in a pod
	// PodAddress, when set, is the agent's address as pods reach it
	// without the socket folder (vsock://2:2048 for VM-isolated pods);
	// the socket folder is then not mounted.
	PodAddress string

	PollInterval    time.Duration // agent health and kubelet socket checks
	ProbeTimeout    time.Duration // one agent HELLO
	AllocateTimeout time.Duration // how long Allocate waits for the agent to accept a new token

	Log *log.Logger // nil: standard error
}

// Plugin is one running device plugin.
type Plugin struct {
	api.UnimplementedDevicePluginServer

	cfg   Config
	store *slots.Store
	log   *log.Logger
	addr  string // the agent, as a protocol address

	mu      sync.Mutex
	healthy bool
	known   bool          // healthy has been measured once
	changed chan struct{} // closed (and replaced) when health changes
}

// New checks cfg and opens the slot tokens (slots.Open).
func New(cfg Config) (*Plugin, error) {
	switch {
	case cfg.ResourceName == "" || cfg.Endpoint == "" || cfg.PluginDir == "":
		return nil, errors.New("plugin: resource name, endpoint and plugin folder are required")
	case filepath.Base(cfg.Endpoint) != cfg.Endpoint || cfg.Endpoint == KubeletSocket:
		return nil, fmt.Errorf("plugin: endpoint %q must be a plain file name other than %s", cfg.Endpoint, KubeletSocket)
	case !filepath.IsAbs(cfg.AgentSocket) || !filepath.IsAbs(cfg.ContainerSocketDir) ||
		!filepath.IsAbs(cfg.ContainerTokenPath):
		return nil, errors.New("plugin: the agent socket and the container paths must be absolute")
	case cfg.PollInterval <= 0 || cfg.ProbeTimeout <= 0 || cfg.AllocateTimeout <= 0:
		return nil, errors.New("plugin: intervals and timeouts must be positive")
	}
	store, err := slots.Open(cfg.TenantsDir, cfg.PodTokensDir, cfg.Slots, cfg.AgentOwner)
	if err != nil {
		return nil, err
	}
	lg := cfg.Log
	if lg == nil {
		lg = log.New(os.Stderr, "vaccel-device-plugin: ", log.LstdFlags)
	}
	return &Plugin{
		cfg:     cfg,
		store:   store,
		log:     lg,
		addr:    "unix://" + cfg.AgentSocket,
		changed: make(chan struct{}),
	}, nil
}

// Run serves the DevicePlugin service, registers it with the kubelet and
// keeps the slots' health current until ctx is done; it registers again
// each time the kubelet's socket is recreated or the plugin's own socket is
// removed. It returns nil when ctx is done, or the kubelet's refusal of the
// registration (the plugin should then exit).
func (p *Plugin) Run(ctx context.Context) error {
	p.checkHealth(ctx)
	go p.healthLoop(ctx)
	endpoint := filepath.Join(p.cfg.PluginDir, p.cfg.Endpoint)
	defer os.Remove(endpoint)
	for {
		kubelet, ok := p.waitKubelet(ctx)
		if !ok {
			return nil
		}
		srv, err := p.serve(endpoint)
		if err != nil {
			return err
		}
		err = p.register(ctx)
		if err == nil {
			p.log.Printf("registered %s (%d slots) with the kubelet as %s", p.cfg.ResourceName, p.cfg.Slots, endpoint)
			p.watch(ctx, kubelet, endpoint)
		}
		srv.Stop()
		if ctx.Err() != nil {
			return nil
		}
		if refused(err) {
			return fmt.Errorf("plugin: the kubelet refused the registration: %w", err)
		}
		if err != nil {
			p.log.Printf("registration failed, retrying: %v", err)
			sleep(ctx, p.cfg.PollInterval)
		} else {
			p.log.Printf("the kubelet restarted (or removed %s): registering again", endpoint)
		}
	}
}

// fileID identifies a file: a recreated socket has a new inode.
type fileID struct{ dev, ino uint64 }

func statID(path string) (fileID, bool) {
	st, err := os.Stat(path)
	if err != nil {
		return fileID{}, false
	}
	sys, ok := st.Sys().(*syscall.Stat_t)
	if !ok {
		return fileID{}, false
	}
	return fileID{uint64(sys.Dev), uint64(sys.Ino)}, true
}

// waitKubelet waits for kubelet.sock to exist and returns its identity;
// false when ctx ended first.
func (p *Plugin) waitKubelet(ctx context.Context) (fileID, bool) {
	path := filepath.Join(p.cfg.PluginDir, KubeletSocket)
	for {
		if id, ok := statID(path); ok {
			return id, true
		}
		if !sleep(ctx, p.cfg.PollInterval) {
			return fileID{}, false
		}
	}
}

// watch returns when ctx is done, when kubelet.sock is no longer the file
// registered with, or when the plugin's socket has been removed.
func (p *Plugin) watch(ctx context.Context, kubelet fileID, endpoint string) {
	for sleep(ctx, p.cfg.PollInterval) {
		if id, ok := statID(filepath.Join(p.cfg.PluginDir, KubeletSocket)); !ok || id != kubelet {
			return
		}
		if _, ok := statID(endpoint); !ok {
			return
		}
	}
}

// sleep waits d; false when ctx ended first.
func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}

func (p *Plugin) serve(endpoint string) (*grpc.Server, error) {
	if err := os.Remove(endpoint); err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("plugin: %w", err)
	}
	l, err := net.Listen("unix", endpoint)
	if err != nil {
		return nil, fmt.Errorf("plugin: %w", err)
	}
	srv := grpc.NewServer()
	api.RegisterDevicePluginServer(srv, p)
	go func() {
		if err := srv.Serve(l); err != nil {
			p.log.Printf("serving %s: %v", endpoint, err)
		}
	}()
	return srv, nil
}

func unixDialer(ctx context.Context, path string) (net.Conn, error) {
	var d net.Dialer
	return d.DialContext(ctx, "unix", path)
}

func (p *Plugin) register(ctx context.Context) error {
	dctx, cancel := context.WithTimeout(ctx, p.cfg.ProbeTimeout)
	defer cancel()
	conn, err := grpc.DialContext(dctx, filepath.Join(p.cfg.PluginDir, KubeletSocket),
		grpc.WithInsecure(), grpc.WithBlock(), grpc.WithContextDialer(unixDialer))
	if err != nil {
		return err
	}
	defer conn.Close()
	_, err = api.NewRegistrationClient(conn).Register(dctx, &api.RegisterRequest{
		Version:      Version,
		Endpoint:     p.cfg.Endpoint,
		ResourceName: p.cfg.ResourceName,
		Options:      p.options(),
	})
	return err
}

// refused tells a kubelet that answered Register with an error (the plugin
// is expected to exit) from one that could not be reached.
func refused(err error) bool {
	s, ok := status.FromError(err)
	if !ok || err == nil {
		return false
	}
	switch s.Code() {
	case codes.Unavailable, codes.DeadlineExceeded, codes.Canceled:
		return false
	}
	return true
}

func (p *Plugin) options() *api.DevicePluginOptions {
	return &api.DevicePluginOptions{GetPreferredAllocationAvailable: true}
}

func (p *Plugin) healthLoop(ctx context.Context) {
	for sleep(ctx, p.cfg.PollInterval) {
		p.checkHealth(ctx)
	}
}

// checkHealth asks the agent for a HELLO and records the answer.
func (p *Plugin) checkHealth(ctx context.Context) {
	pctx, cancel := context.WithTimeout(ctx, p.cfg.ProbeTimeout)
	err := agent.Probe(pctx, p.addr, nil)
	cancel()
	if ctx.Err() != nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	healthy := err == nil
	if p.known && healthy == p.healthy {
		return
	}
	p.healthy, p.known = healthy, true
	close(p.changed)
	p.changed = make(chan struct{})
	if healthy {
		p.log.Printf("agent %s answers: slots healthy", p.addr)
	} else {
		p.log.Printf("agent %s does not answer (%v): slots unhealthy", p.addr, err)
	}
}

// devices returns the device list and the channel closed at its next
// change.
func (p *Plugin) devices() ([]*api.Device, <-chan struct{}) {
	p.mu.Lock()
	defer p.mu.Unlock()
	health := Unhealthy
	if p.healthy {
		health = Healthy
	}
	var devs []*api.Device
	for _, id := range p.store.IDs() {
		devs = append(devs, &api.Device{ID: id, Health: health})
	}
	return devs, p.changed
}

// GetDevicePluginOptions implements api.DevicePluginServer.
func (p *Plugin) GetDevicePluginOptions(context.Context, *api.Empty) (*api.DevicePluginOptions, error) {
	return p.options(), nil
}

// ListAndWatch implements api.DevicePluginServer: the slot list at once,
// then again at every health change, until the kubelet goes away or the
// server stops.
func (p *Plugin) ListAndWatch(_ *api.Empty, stream api.DevicePlugin_ListAndWatchServer) error {
	for {
		devs, changed := p.devices()
		if err := stream.Send(&api.ListAndWatchResponse{Devices: devs}); err != nil {
			return err
		}
		select {
		case <-changed:
		case <-stream.Context().Done():
			return nil
		}
	}
}

// GetPreferredAllocation implements api.DevicePluginServer. Slots are
// interchangeable: the must-include ones, then the lowest-numbered
// available ones.
func (p *Plugin) GetPreferredAllocation(_ context.Context, req *api.PreferredAllocationRequest) (*api.PreferredAllocationResponse, error) {
	resp := &api.PreferredAllocationResponse{}
	for _, cr := range req.ContainerRequests {
		picked := append([]string(nil), cr.MustIncludeDeviceIDs...)
		seen := map[string]bool{}
		for _, id := range picked {
			seen[id] = true
		}
		avail := append([]string(nil), cr.AvailableDeviceIDs...)
		sort.Slice(avail, func(i, j int) bool { return slotLess(avail[i], avail[j]) })
		for _, id := range avail {
			if len(picked) >= int(cr.AllocationSize) {
				break
			}
			if !seen[id] {
				picked = append(picked, id)
				seen[id] = true
			}
		}
		resp.ContainerResponses = append(resp.ContainerResponses,
			&api.ContainerPreferredAllocationResponse{DeviceIDs: picked})
	}
	return resp, nil
}

// slotLess orders "slot-2" before "slot-10".
func slotLess(a, b string) bool {
	if len(a) != len(b) {
		return len(a) < len(b)
	}
	return a < b
}

// Allocate implements api.DevicePluginServer. Each container gets exactly
// one slot. The slot's token is replaced (a new pod never inherits the
// previous holder's token, and the agent closes whatever connection is
// left from it), and Allocate answers only once the agent accepts the new
// token, so the container can connect as soon as it starts.
func (p *Plugin) Allocate(ctx context.Context, req *api.AllocateRequest) (*api.AllocateResponse, error) {
	resp := &api.AllocateResponse{}
	for _, cr := range req.ContainerRequests {
		if len(cr.DevicesIDs) != 1 {
			return nil, status.Errorf(codes.InvalidArgument,
				"%s: a container holds one slot (one connection to the agent); this one asks for %d",
				p.cfg.ResourceName, len(cr.DevicesIDs))
		}
		id := cr.DevicesIDs[0]
		if !p.store.Valid(id) {
			return nil, status.Errorf(codes.InvalidArgument, "%s: no device %q", p.cfg.ResourceName, id)
		}
		tok, err := p.store.Rotate(id)
		if err != nil {
			return nil, status.Errorf(codes.Internal, "%s: %v", id, err)
		}
		if err := p.waitAccepted(ctx, tok); err != nil {
			return nil, status.Errorf(codes.Unavailable, "%s: the agent did not accept the slot's new token within %v: %v",
				id, p.cfg.AllocateTimeout, err)
		}
		p.log.Printf("allocated %s", id)
		resp.ContainerResponses = append(resp.ContainerResponses, p.containerResponse(id))
	}
	return resp, nil
}

// waitAccepted retries HELLO + AUTH with tok until the agent accepts it
// (it re-reads its tenants folder on a change, within milliseconds).
func (p *Plugin) waitAccepted(ctx context.Context, tok []byte) error {
	ctx, cancel := context.WithTimeout(ctx, p.cfg.AllocateTimeout)
	defer cancel()
	for {
		pctx, pcancel := context.WithTimeout(ctx, p.cfg.ProbeTimeout)
		err := agent.Probe(pctx, p.addr, tok)
		pcancel()
		if err == nil {
			return nil
		}
		if !sleep(ctx, 20*time.Millisecond) {
			return err
		}
	}
}

func (p *Plugin) containerResponse(id string) *api.ContainerAllocateResponse {
	r := &api.ContainerAllocateResponse{
		Envs: map[string]string{
			"VACCEL_PLUGINS":        "libvaccel-rpc.so",
			"VACCEL_RPC_ADDRESS":    p.cfg.PodAddress,
			"VACCEL_RPC_TOKEN_FILE": p.cfg.ContainerTokenPath,
		},
		Mounts: []*api.Mount{
			{ContainerPath: p.cfg.ContainerTokenPath, HostPath: p.store.PodTokenPath(id), ReadOnly: true},
		},
	}
	if p.cfg.PodAddress == "" {
		sock := filepath.Join(p.cfg.ContainerSocketDir, filepath.Base(p.cfg.AgentSocket))
		r.Envs["VACCEL_RPC_ADDRESS"] = "unix://" + sock
		r.Mounts = append([]*api.Mount{
			{ContainerPath: p.cfg.ContainerSocketDir, HostPath: filepath.Dir(p.cfg.AgentSocket), ReadOnly: true},
		}, r.Mounts...)
	}
	return r
}

// PreStartContainer implements api.DevicePluginServer; the plugin does not
// ask for it (nothing to prepare before a container starts).
func (p *Plugin) PreStartContainer(context.Context, *api.PreStartContainerRequest) (*api.PreStartContainerResponse, error) {
	return &api.PreStartContainerResponse{}, nil
}
