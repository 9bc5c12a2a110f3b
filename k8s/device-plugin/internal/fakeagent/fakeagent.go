// SPDX-License-Identifier: Apache-2.0

// Package fakeagent is a stand-in for vaccel-agent in the unit tests: it
// answers HELLO and AUTH (docs/protocol.md) on a UNIX socket and nothing
// else. With a tenants folder it asks for a token and accepts the contents
// of any file in the folder, read at each AUTH. The real agent is used by
// the end-to-end test (package e2e).
package fakeagent

import (
	"bytes"
	"encoding/binary"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
)

// Agent is a fake agent listening on Path.
type Agent struct {
	Path       string
	TenantsDir string // "": no token required

	l  net.Listener
	wg sync.WaitGroup
}

// Start listens on path.
func Start(path, tenantsDir string) (*Agent, error) {
	l, err := net.Listen("unix", path)
	if err != nil {
		return nil, err
	}
	a := &Agent{Path: path, TenantsDir: tenantsDir, l: l}
	a.wg.Add(1)
	go a.accept()
	return a, nil
}

// Close stops listening (the socket file is removed) and waits for the
// connections to end.
func (a *Agent) Close() {
	a.l.Close()
	a.wg.Wait()
}

func (a *Agent) accept() {
	defer a.wg.Done()
	for {
		c, err := a.l.Accept()
		if err != nil {
			return
		}
		a.wg.Add(1)
		go func() {
			defer a.wg.Done()
			defer c.Close()
			a.serve(c)
		}()
	}
}

func (a *Agent) serve(c net.Conn) {
	for {
		var h [16]byte
		if _, err := io.ReadFull(c, h[:]); err != nil {
			return
		}
		n := binary.LittleEndian.Uint32(h[0:])
		typ := binary.LittleEndian.Uint16(h[4:])
		if n > 4096 {
			return
		}
		body := make([]byte, n)
		if _, err := io.ReadFull(c, body); err != nil {
			return
		}
		switch typ {
		case 0x01: // HELLO
			out := make([]byte, 24+16)
			copy(out[24:], body[:12])
			if a.TenantsDir != "" {
				binary.LittleEndian.PutUint32(out[24+12:], 1)
			}
			send(c, 0x81, h[8:], out)
		case 0x0e: // AUTH
			if len(body) < 8 || !a.known(body[8:]) {
				msg := "authentication failed"
				out := make([]byte, 8+len(msg))
				binary.LittleEndian.PutUint32(out[0:], 13)
				binary.LittleEndian.PutUint32(out[4:], uint32(len(msg)))
				copy(out[8:], msg)
				send(c, 0x7f, h[8:], out)
				return
			}
			send(c, 0x8e, h[8:], make([]byte, 24))
		default:
			return
		}
	}
}

func (a *Agent) known(tok []byte) bool {
	if a.TenantsDir == "" {
		return true
	}
	ents, _ := os.ReadDir(a.TenantsDir)
	for _, e := range ents {
		if strings.HasPrefix(e.Name(), ".") {
			continue
		}
		b, err := os.ReadFile(filepath.Join(a.TenantsDir, e.Name()))
		if err == nil && bytes.Equal(b, tok) {
			return true
		}
	}
	return false
}

func send(c net.Conn, typ uint16, reqID []byte, body []byte) {
	frame := make([]byte, 16+len(body))
	binary.LittleEndian.PutUint32(frame[0:], uint32(len(body)))
	binary.LittleEndian.PutUint16(frame[4:], typ)
	copy(frame[8:], reqID)
	copy(frame[16:], body)
	c.Write(frame)
}
