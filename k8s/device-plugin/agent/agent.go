// SPDX-License-Identifier: Apache-2.0

// Package agent speaks the opening of the vaccel-agent protocol
// (docs/protocol.md, sections 1, 2 and 2a): the HELLO handshake and AUTH.
// The device plugin uses it to ask an agent whether it is up and whether it
// accepts a token; nothing here runs an operation.
package agent

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
)

// Protocol constants (docs/protocol.md).
const (
	headerSize  = 16
	prefixSize  = 24 // agent timings at the start of every reply body
	helloSize   = 16
	magic       = 0x52634176 // "vAcR"
	major       = 1
	minor       = 0
	maxFrame    = 4096 // what this client accepts: replies here are tiny
	maxToken    = 1024
	maxErrorMsg = 1024

	msgHello = 0x01
	msgAuth  = 0x0e
	msgError = 0x7f
	reply    = 0x80

	helloFlagAuth = 1 // agent: a token is required
)

// ErrNotAgent reports a peer that answered with something other than the
// vaccel-agent protocol.
var ErrNotAgent = errors.New("the peer does not speak the vaccel-agent protocol")

// Error is an ERROR reply of the agent: a vAccel error code and the agent's
// message.
type Error struct {
	Op   string // "HELLO" or "AUTH"
	Code uint32 // a VACCEL_E* value
	Msg  string
}

func (e *Error) Error() string {
	return fmt.Sprintf("agent refused %s: %s (vAccel error %d)", e.Op, e.Msg, e.Code)
}

// EACCES is the code of a refused or missing token.
const EACCES = 13

// Conn is a connection to an agent that has been through HELLO.
type Conn struct {
	c            net.Conn
	next         uint64
	AuthRequired bool // the agent's HELLO reply asks for a token
}

// Dial connects to address ("unix:///path", "unix://@name" or
// "tcp://host:port") and performs HELLO. The context bounds the whole
// exchange and every later call on the connection.
func Dial(ctx context.Context, address string) (*Conn, error) {
	network, where, err := parseAddress(address)
	if err != nil {
		return nil, err
	}
	var d net.Dialer
	nc, err := d.DialContext(ctx, network, where)
	if err != nil {
		return nil, err
	}
	if dl, ok := ctx.Deadline(); ok {
		nc.SetDeadline(dl)
	}
	c := &Conn{c: nc}
	if err := c.hello(); err != nil {
		nc.Close()
		return nil, err
	}
	return c, nil
}

// Close closes the connection.
func (c *Conn) Close() error { return c.c.Close() }

func (c *Conn) hello() error {
	body := make([]byte, helloSize)
	binary.LittleEndian.PutUint32(body[0:], magic)
	binary.LittleEndian.PutUint16(body[4:], major)
	binary.LittleEndian.PutUint16(body[6:], minor)
	binary.LittleEndian.PutUint32(body[8:], maxFrame)
	got, err := c.call("HELLO", msgHello, body)
	if err != nil {
		return err
	}
	if len(got) != helloSize || binary.LittleEndian.Uint32(got[0:]) != magic ||
		binary.LittleEndian.Uint16(got[4:]) != major {
		return ErrNotAgent
	}
	c.AuthRequired = binary.LittleEndian.Uint32(got[12:])&helloFlagAuth != 0
	return nil
}

// Auth presents token (1..1024 bytes). A refused token is an *Error with
// Code EACCES; the agent then closes the connection.
func (c *Conn) Auth(token []byte) error {
	if len(token) == 0 || len(token) > maxToken {
		return fmt.Errorf("a token has 1 to %d bytes, not %d", maxToken, len(token))
	}
	body := make([]byte, 8+len(token))
	binary.LittleEndian.PutUint32(body[0:], uint32(len(token)))
	copy(body[8:], token)
	got, err := c.call("AUTH", msgAuth, body)
	if err == nil && len(got) != 0 {
		err = ErrNotAgent
	}
	return err
}

// call sends one request and returns the body of its reply after the
// timing prefix; an ERROR reply becomes an *Error.
func (c *Conn) call(op string, typ uint16, body []byte) ([]byte, error) {
	c.next++
	frame := make([]byte, headerSize+len(body))
	binary.LittleEndian.PutUint32(frame[0:], uint32(len(body)))
	binary.LittleEndian.PutUint16(frame[4:], typ)
	binary.LittleEndian.PutUint64(frame[8:], c.next)
	copy(frame[headerSize:], body)
	if _, err := c.c.Write(frame); err != nil {
		return nil, err
	}
	var h [headerSize]byte
	if _, err := io.ReadFull(c.c, h[:]); err != nil {
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			return nil, fmt.Errorf("%s: the agent closed the connection", op)
		}
		return nil, err
	}
	n := binary.LittleEndian.Uint32(h[0:])
	rtype := binary.LittleEndian.Uint16(h[4:])
	if n > maxFrame || binary.LittleEndian.Uint64(h[8:]) != c.next {
		return nil, ErrNotAgent
	}
	got := make([]byte, n)
	if _, err := io.ReadFull(c.c, got); err != nil {
		return nil, err
	}
	switch {
	case rtype == msgError:
		return nil, decodeError(op, got)
	case rtype != typ|reply || n < prefixSize:
		return nil, ErrNotAgent
	}
	return got[prefixSize:], nil
}

func decodeError(op string, b []byte) error {
	if len(b) < 8 {
		return ErrNotAgent
	}
	code := binary.LittleEndian.Uint32(b[0:])
	n := binary.LittleEndian.Uint32(b[4:])
	if n > maxErrorMsg || int(n) != len(b)-8 {
		return ErrNotAgent
	}
	return &Error{Op: op, Code: code, Msg: string(b[8:])}
}

// Probe dials address and completes the handshake: HELLO, then AUTH with
// token when token is not nil. It returns nil when the agent answered
// every step; the connection is closed before Probe returns.
func Probe(ctx context.Context, address string, token []byte) error {
	c, err := Dial(ctx, address)
	if err != nil {
		return err
	}
	defer c.Close()
	if token != nil {
		return c.Auth(token)
	}
	return nil
}

func parseAddress(address string) (network, where string, err error) {
	switch {
	case strings.HasPrefix(address, "unix://@"):
		// Go names Linux abstract sockets with a leading "@".
		return "unix", address[len("unix://"):], nil
	case strings.HasPrefix(address, "unix://") && len(address) > len("unix://"):
		return "unix", address[len("unix://"):], nil
	case strings.HasPrefix(address, "tcp://") && len(address) > len("tcp://"):
		return "tcp", address[len("tcp://"):], nil
	}
	return "", "", fmt.Errorf("address %q: want unix:///path, unix://@name or tcp://host:port", address)
}
