// SPDX-License-Identifier: Apache-2.0

package agent

import (
	"context"
	"errors"
	"io"
	"net"
	"os"
	"path/filepath"
	"testing"
	"time"

	"vaccel.dev/device-plugin/internal/fakeagent"
)

func TestParseAddress(t *testing.T) {
	for _, tc := range []struct {
		in, network, where string
		ok                 bool
	}{
		{"unix:///run/vaccel/vaccel.sock", "unix", "/run/vaccel/vaccel.sock", true},
		{"unix://@vaccel", "unix", "@vaccel", true},
		{"tcp://127.0.0.1:8888", "tcp", "127.0.0.1:8888", true},
		{"tcp://[::1]:8888", "tcp", "[::1]:8888", true},
		{"unix://", "", "", false},
		{"vsock://2:2048", "", "", false},
		{"/run/vaccel.sock", "", "", false},
	} {
		n, w, err := parseAddress(tc.in)
		if (err == nil) != tc.ok || n != tc.network || w != tc.where {
			t.Errorf("parseAddress(%q) = %q, %q, %v", tc.in, n, w, err)
		}
	}
}

func ctx(t *testing.T) context.Context {
	c, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return c
}

func TestProbe(t *testing.T) {
	dir := t.TempDir()
	tenants := filepath.Join(dir, "tenants")
	os.Mkdir(tenants, 0o700)
	os.WriteFile(filepath.Join(tenants, "a"), []byte("token-a"), 0o600)
	open, err := fakeagent.Start(filepath.Join(dir, "open.sock"), "")
	if err != nil {
		t.Fatal(err)
	}
	defer open.Close()
	locked, err := fakeagent.Start(filepath.Join(dir, "locked.sock"), tenants)
	if err != nil {
		t.Fatal(err)
	}
	defer locked.Close()

	c, err := Dial(ctx(t), "unix://"+open.Path)
	if err != nil || c.AuthRequired {
		t.Fatalf("open agent: %v, auth required %v", err, c != nil && c.AuthRequired)
	}
	c.Close()
	c, err = Dial(ctx(t), "unix://"+locked.Path)
	if err != nil || !c.AuthRequired {
		t.Fatalf("agent with tenants: %v, auth required %v", err, c != nil && c.AuthRequired)
	}
	c.Close()

	for _, tc := range []struct {
		name  string
		addr  string
		token []byte
		code  uint32 // an *Error with this code; 0: success
	}{
		{"hello only", locked.Path, nil, 0},
		{"right token", locked.Path, []byte("token-a"), 0},
		{"wrong token", locked.Path, []byte("token-b"), EACCES},
		{"prefix of a token", locked.Path, []byte("token"), EACCES},
		{"token to an open agent", open.Path, []byte("anything"), 0},
	} {
		err := Probe(ctx(t), "unix://"+tc.addr, tc.token)
		var ae *Error
		switch {
		case tc.code == 0 && err != nil:
			t.Errorf("%s: %v", tc.name, err)
		case tc.code != 0 && (!errors.As(err, &ae) || ae.Code != tc.code || ae.Op != "AUTH"):
			t.Errorf("%s: got %v, want an AUTH error with code %d", tc.name, err, tc.code)
		}
	}
	if err := Probe(ctx(t), "unix://"+locked.Path, make([]byte, 1025)); err == nil {
		t.Error("an oversized token was sent")
	}
}

// A peer that answers with something else is not an agent.
func TestProbeNotAgent(t *testing.T) {
	path := filepath.Join(t.TempDir(), "other.sock")
	l, err := net.Listen("unix", path)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			// Read the HELLO, answer like a web server.
			io.ReadFull(c, make([]byte, 32))
			c.Write([]byte("HTTP/1.1 400 Bad Request\r\n\r\n"))
			c.Close()
		}
	}()
	if err := Probe(ctx(t), "unix://"+path, nil); !errors.Is(err, ErrNotAgent) {
		t.Errorf("got %v, want ErrNotAgent", err)
	}
	if err := Probe(ctx(t), "unix://"+path+".missing", nil); err == nil {
		t.Error("a missing socket answered")
	}
}
