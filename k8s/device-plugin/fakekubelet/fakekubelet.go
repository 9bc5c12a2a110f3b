// SPDX-License-Identifier: Apache-2.0

// Package fakekubelet stands in for the kubelet's device manager in tests.
// It serves the Registration service on kubelet.sock in a folder, checks
// each RegisterRequest the way the kubelet does, and then talks to the
// registered plugin as the kubelet does: it dials the plugin's endpoint in
// the same folder, asks for its options, keeps a ListAndWatch stream open
// and calls Allocate. Restart mimics a kubelet restart: every socket in the
// folder is removed and kubelet.sock is created anew.
package fakekubelet

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"sync"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	api "vaccel.dev/device-plugin/api/v1beta1"
)

// resourceName is the kubelet's rule for extended resources:
// "domain/name", the domain not kubernetes.io.
var resourceName = regexp.MustCompile(`^[a-z0-9]([-a-z0-9.]*[a-z0-9])?/[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$`)

// Kubelet is a fake kubelet serving Registration in Dir.
type Kubelet struct {
	api.UnimplementedRegistrationServer

	Dir  string
	regs chan *api.RegisterRequest

	mu  sync.Mutex
	srv *grpc.Server
}

// Start serves Registration on dir/kubelet.sock.
func Start(dir string) (*Kubelet, error) {
	k := &Kubelet{Dir: dir, regs: make(chan *api.RegisterRequest, 16)}
	if err := k.listen(); err != nil {
		return nil, err
	}
	return k, nil
}

func (k *Kubelet) listen() error {
	path := filepath.Join(k.Dir, "kubelet.sock")
	os.Remove(path)
	l, err := net.Listen("unix", path)
	if err != nil {
		return fmt.Errorf("fakekubelet: %w", err)
	}
	srv := grpc.NewServer()
	api.RegisterRegistrationServer(srv, k)
	go srv.Serve(l)
	k.mu.Lock()
	k.srv = srv
	k.mu.Unlock()
	return nil
}

// Register implements api.RegistrationServer with the kubelet's checks.
func (k *Kubelet) Register(_ context.Context, r *api.RegisterRequest) (*api.Empty, error) {
	switch {
	case r.Version != "v1beta1":
		return nil, status.Errorf(codes.InvalidArgument, "unsupported device plugin API version %q", r.Version)
	case !resourceName.MatchString(r.ResourceName):
		return nil, status.Errorf(codes.InvalidArgument, "invalid extended resource name %q", r.ResourceName)
	case r.Endpoint == "" || filepath.Base(r.Endpoint) != r.Endpoint:
		return nil, status.Errorf(codes.InvalidArgument, "invalid endpoint %q", r.Endpoint)
	}
	k.regs <- r
	return &api.Empty{}, nil
}

// NextRegistration waits for the next accepted RegisterRequest.
func (k *Kubelet) NextRegistration(ctx context.Context) (*api.RegisterRequest, error) {
	select {
	case r := <-k.regs:
		return r, nil
	case <-ctx.Done():
		return nil, fmt.Errorf("fakekubelet: no registration: %w", ctx.Err())
	}
}

// Stop stops serving and removes kubelet.sock (a kubelet that died).
func (k *Kubelet) Stop() {
	k.mu.Lock()
	srv := k.srv
	k.srv = nil
	k.mu.Unlock()
	if srv != nil {
		srv.Stop()
	}
	os.Remove(filepath.Join(k.Dir, "kubelet.sock"))
}

// Restart is a kubelet restart: stop, remove every socket in the folder
// (the kubelet clears its device-plugins folder when it starts), serve a
// new kubelet.sock.
func (k *Kubelet) Restart() error {
	k.Stop()
	ents, err := os.ReadDir(k.Dir)
	if err != nil {
		return fmt.Errorf("fakekubelet: %w", err)
	}
	for _, e := range ents {
		if e.Type()&os.ModeSocket != 0 {
			os.Remove(filepath.Join(k.Dir, e.Name()))
		}
	}
	return k.listen()
}

// Plugin is the kubelet's side of one registered plugin.
type Plugin struct {
	Options *api.DevicePluginOptions

	conn   *grpc.ClientConn
	client api.DevicePluginClient
	cancel context.CancelFunc
	lists  chan []*api.Device
	done   chan error
}

// Dial connects to a registered plugin's endpoint as the kubelet does:
// GetDevicePluginOptions, then a ListAndWatch stream whose lists come out
// of NextList.
func (k *Kubelet) Dial(ctx context.Context, r *api.RegisterRequest) (*Plugin, error) {
	conn, err := grpc.DialContext(ctx, filepath.Join(k.Dir, r.Endpoint),
		grpc.WithInsecure(), grpc.WithBlock(),
		grpc.WithContextDialer(func(ctx context.Context, path string) (net.Conn, error) {
			var d net.Dialer
			return d.DialContext(ctx, "unix", path)
		}))
	if err != nil {
		return nil, fmt.Errorf("fakekubelet: dial %s: %w", r.Endpoint, err)
	}
	p := &Plugin{conn: conn, client: api.NewDevicePluginClient(conn),
		lists: make(chan []*api.Device, 64), done: make(chan error, 1)}
	if p.Options, err = p.client.GetDevicePluginOptions(ctx, &api.Empty{}); err != nil {
		conn.Close()
		return nil, fmt.Errorf("fakekubelet: GetDevicePluginOptions: %w", err)
	}
	sctx, cancel := context.WithCancel(context.Background())
	p.cancel = cancel
	stream, err := p.client.ListAndWatch(sctx, &api.Empty{})
	if err != nil {
		cancel()
		conn.Close()
		return nil, fmt.Errorf("fakekubelet: ListAndWatch: %w", err)
	}
	go func() {
		for {
			resp, err := stream.Recv()
			if err != nil {
				p.done <- err
				close(p.lists)
				return
			}
			p.lists <- resp.Devices
		}
	}()
	return p, nil
}

// ErrStreamEnded is returned by NextList once the ListAndWatch stream has
// ended (the plugin stopped).
var ErrStreamEnded = errors.New("fakekubelet: the ListAndWatch stream ended")

// NextList returns the next device list the plugin sent.
func (p *Plugin) NextList(ctx context.Context) ([]*api.Device, error) {
	select {
	case l, ok := <-p.lists:
		if !ok {
			return nil, ErrStreamEnded
		}
		return l, nil
	case <-ctx.Done():
		return nil, fmt.Errorf("fakekubelet: no device list: %w", ctx.Err())
	}
}

// WaitHealth reads device lists until one has n devices that all have the
// given health, and returns it.
func (p *Plugin) WaitHealth(ctx context.Context, n int, health string) ([]*api.Device, error) {
	for {
		l, err := p.NextList(ctx)
		if err != nil {
			return nil, err
		}
		ok := len(l) == n
		for _, d := range l {
			ok = ok && d.Health == health
		}
		if ok {
			return l, nil
		}
	}
}

// Allocate asks for one container per argument, each with those devices.
func (p *Plugin) Allocate(ctx context.Context, containers ...[]string) (*api.AllocateResponse, error) {
	req := &api.AllocateRequest{}
	for _, ids := range containers {
		req.ContainerRequests = append(req.ContainerRequests, &api.ContainerAllocateRequest{DevicesIDs: ids})
	}
	return p.client.Allocate(ctx, req)
}

// Client is the plugin's DevicePlugin client, for the calls Plugin does
// not wrap.
func (p *Plugin) Client() api.DevicePluginClient { return p.client }

// Close ends the stream and the connection.
func (p *Plugin) Close() {
	p.cancel()
	p.conn.Close()
}

// Close stops the fake kubelet.
func (k *Kubelet) Close() { k.Stop() }
