// SPDX-License-Identifier: Apache-2.0

package vaccel

import "sync"

// handle guards a C object that Go values refer to (a session, a
// resource): calls use it under the read lock, so many run at once; close
// frees it under the write lock, after the calls in progress, and later
// calls get ErrClosed.
type handle[H comparable] struct {
	mu sync.RWMutex
	h  H // the zero value once closed
}

// acquire returns the C object for a call named op, holding the read lock
// (give it back with release) unless it returns an error. what names the
// object in the error.
func (g *handle[H]) acquire(op, what string) (H, error) {
	var zero H
	g.mu.RLock()
	if g.h == zero {
		g.mu.RUnlock()
		return zero, closed(op, what)
	}
	return g.h, nil
}

func (g *handle[H]) release() { g.mu.RUnlock() }

// close frees the C object with free, once.
func (g *handle[H]) close(free func(H) error) error {
	var zero H
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.h == zero {
		return nil
	}
	err := free(g.h)
	g.h = zero
	return err
}

// info reads something of the C object, or returns the zero value once
// it is closed.
func info[H comparable, T any](g *handle[H], get func(H) T) T {
	var zero T
	h, err := g.acquire("", "")
	if err != nil {
		return zero
	}
	defer g.release()
	return get(h)
}
