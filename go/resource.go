// SPDX-License-Identifier: Apache-2.0

package vaccel

// A Resource is a model, library or data that ops use (struct
// vaccel_resource), made of one or more files or an in-memory copy. It
// lives in C memory until Close. Register it with the sessions that use
// it; a Resource may be registered with several sessions and used by many
// goroutines at once.
type Resource struct {
	c handle[resourceHandle]
}

func newResource(h resourceHandle, err error) (*Resource, error) {
	if err != nil {
		return nil, err
	}
	r := &Resource{}
	r.c.h = h
	return r, nil
}

// NewResource creates a resource from one path: a file, a directory (every
// regular file in it) or a "file://" URL. The path must exist: otherwise
// the error is ErrNotFound (errors.Is(err, fs.ErrNotExist) holds too).
func NewResource(path string, typ ResourceType) (*Resource, error) {
	return newResource(cResourceNew(path, typ))
}

// NewResourcePaths creates a resource from several files (no directories).
// For a ResourceLib used by ExecWithResource, list the dependencies first
// and the library with the function last.
func NewResourcePaths(paths []string, typ ResourceType) (*Resource, error) {
	return newResource(cResourceMultiNew(paths, typ))
}

// NewResourceFromBytes creates a resource from a copy of data. With memOnly
// the copy stays in memory; otherwise it is also written to a file named
// filename (a plain name, no '/') in the resource's run directory, which is
// what plugins that open files (the exec plugin's dlopen) need. data is not
// used after the call returns.
func NewResourceFromBytes(data []byte, typ ResourceType, filename string, memOnly bool) (*Resource, error) {
	return newResource(cResourceFromBytes(data, typ, filename, memOnly))
}

// Close unregisters the resource from every session and frees it. Closing
// again does nothing.
func (r *Resource) Close() error {
	if r == nil {
		return nil
	}
	return r.c.close(cResourceDelete)
}

// acquire returns the C resource for a call named op, holding it (give it
// back with r.c.release) unless it returns an error. Calls that use a
// session and a resource acquire the session first (Session.doWith).
func (r *Resource) acquire(op string) (resourceHandle, error) {
	if r == nil {
		return nil, invalid(op, "nil resource")
	}
	return r.c.acquire(op, "resource")
}

// Register attaches the resource to the session; on a remote session this
// uploads it to the agent once. Registering it again with the same session
// does nothing and returns nil, as in C.
func (r *Resource) Register(s *Session) error {
	return s.doWith("Resource.Register", r, cResourceRegister)
}

// Unregister detaches the resource from the session; ErrPermission when it
// was not registered with it.
func (r *Resource) Unregister(s *Session) error {
	return s.doWith("Resource.Unregister", r, cResourceUnregister)
}

// Sync pulls the current contents of an in-memory resource back from the
// session's plugin.
func (r *Resource) Sync(s *Session) error {
	return s.doWith("Resource.Sync", r, cResourceSync)
}

func resourceInfo[T any](r *Resource, get func(resourceHandle) T) T {
	var zero T
	if r == nil {
		return zero
	}
	return info(&r.c, get)
}

// ID returns the resource's id (0 once closed).
func (r *Resource) ID() int64 { return resourceInfo(r, cResourceID) }

// RemoteID returns the id of the agent's copy once registered with a remote
// session, else 0.
func (r *Resource) RemoteID() int64 { return resourceInfo(r, cResourceRemoteID) }

// Type returns the resource type.
func (r *Resource) Type() ResourceType { return resourceInfo(r, cResourceType) }

// Paths returns the paths the resource was created from (for a resource
// from bytes, the file it was written to, if any).
func (r *Resource) Paths() []string { return resourceInfo(r, cResourcePaths) }

// Refcount returns the number of sessions the resource is registered with.
func (r *Resource) Refcount() int64 { return resourceInfo(r, cResourceRefcount) }
