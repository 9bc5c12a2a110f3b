// SPDX-License-Identifier: Apache-2.0

package vaccel

// A Session is the context ops run in, bound to one plugin (struct
// vaccel_session). Its C state lives in C memory until Close.
//
// A Session may be used by many goroutines at once, as the C API allows:
// ops run concurrently. Close waits for the calls in progress and makes
// every later call return an ErrClosed error.
type Session struct {
	c handle[sessionHandle]
}

// NewSession creates a session. flags picks the plugin, as in C and
// upstream: with PluginRemote the first loaded transport plugin (the rpc
// plugin; ErrNotSupported when none is loaded), which forwards the other
// bits to its agent; with hint bits such as PluginTorch the first loaded
// plugin of a hinted type, and when none matches (a hint is a preference)
// or without flags the first loaded local plugin, or the only plugin when
// just one is loaded. An op the session's local plugin lacks runs on the
// next loaded local plugin that has it.
//
// Errors: the bootstrap error when libvaccel could not load its plugins
// (for instance ErrNotFound for a VACCEL_PLUGINS entry that does not exist),
// ErrNotSupported when no plugin fits, ErrSession or ErrIO when the agent
// cannot be reached.
func NewSession(flags PluginType) (*Session, error) {
	h, err := cSessionNew(flags)
	if err != nil {
		return nil, err
	}
	s := &Session{}
	s.c.h = h
	return s, nil
}

// Close releases the session: it unregisters its resources and, on a
// transport plugin, ends the agent's session. Closing again does nothing.
func (s *Session) Close() error {
	if s == nil {
		return nil
	}
	return s.c.close(cSessionDelete)
}

// acquire returns the C session for a call named op, holding it (give it
// back with s.c.release) unless it returns an error.
func (s *Session) acquire(op string) (sessionHandle, error) {
	if s == nil {
		return nil, invalid(op, "nil session")
	}
	return s.c.acquire(op, "session")
}

// do runs f with the C session held, for a call named op.
func (s *Session) do(op string, f func(sessionHandle) error) error {
	h, err := s.acquire(op)
	if err != nil {
		return err
	}
	defer s.c.release()
	return f(h)
}

// doWith runs f with the C session and the C resource r held (session
// first, always), for a call named op.
func (s *Session) doWith(op string, r *Resource, f func(sessionHandle, resourceHandle) error) error {
	return s.do(op, func(sh sessionHandle) error {
		rh, err := r.acquire(op)
		if err != nil {
			return err
		}
		defer r.c.release()
		return f(sh, rh)
	})
}

func sessionInfo[T any](s *Session, get func(sessionHandle) T) T {
	var zero T
	if s == nil {
		return zero
	}
	return info(&s.c, get)
}

// ID returns the session's id (0 once closed).
func (s *Session) ID() int64 { return sessionInfo(s, cSessionID) }

// RemoteID returns the id of the agent's mirror session for a remote
// session, else 0.
func (s *Session) RemoteID() int64 { return sessionInfo(s, cSessionRemoteID) }

// Flags returns the flags the session was created with (hint bits, and
// PluginRemote when given).
func (s *Session) Flags() PluginType { return sessionInfo(s, cSessionHint) }

// IsRemote reports whether the session runs on a transport plugin (its ops
// go to an agent).
func (s *Session) IsRemote() bool { return sessionInfo(s, cSessionIsRemote) }

// HasResource reports whether r is registered with the session.
func (s *Session) HasResource(r *Resource) bool {
	var has bool
	_ = s.doWith("", r, func(sh sessionHandle, rh resourceHandle) error {
		has = cSessionHasResource(sh, rh)
		return nil
	})
	return has
}
