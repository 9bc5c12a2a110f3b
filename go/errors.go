// SPDX-License-Identifier: Apache-2.0

package vaccel

import (
	"io/fs"
	"strconv"
	"syscall"
)

// Code is a vAccel error code (VACCEL_E*). Its values are the Linux errno
// values of the same names, exactly as in C. A Code is itself an error, so
// the Err* codes below are the sentinels to test with errors.Is:
//
//	if errors.Is(err, vaccel.ErrNotFound) { ... }
//
// Codes also match the standard library's sentinels where the meaning is the
// same: ErrNotFound is fs.ErrNotExist, ErrExists fs.ErrExist, ErrPermission and
// ErrAccess fs.ErrPermission, ErrClosed fs.ErrClosed.
type Code int

// The vAccel error codes.
const (
	ErrInvalid        = Code(syscall.EINVAL)       // VACCEL_EINVAL: invalid argument
	ErrNoMemory       = Code(syscall.ENOMEM)       // VACCEL_ENOMEM
	ErrNotSupported   = Code(syscall.ENOTSUP)      // VACCEL_ENOTSUP: no plugin implements the op
	ErrInProgress     = Code(syscall.EINPROGRESS)  // VACCEL_EINPROGRESS
	ErrBusy           = Code(syscall.EBUSY)        // VACCEL_EBUSY
	ErrExists         = Code(syscall.EEXIST)       // VACCEL_EEXIST
	ErrNotFound       = Code(syscall.ENOENT)       // VACCEL_ENOENT: no such file, plugin or entry
	ErrBadPlugin      = Code(syscall.ELIBBAD)      // VACCEL_ELIBBAD: a library that is not a vAccel plugin
	ErrNoDevice       = Code(syscall.ENODEV)       // VACCEL_ENODEV
	ErrIO             = Code(syscall.EIO)          // VACCEL_EIO
	ErrSession        = Code(syscall.ECONNRESET)   // VACCEL_ESESS: session error (the agent's connection)
	ErrBackend        = Code(syscall.EPROTO)       // VACCEL_EBACKEND: the plugin's engine failed
	ErrNoExec         = Code(syscall.ENOEXEC)      // VACCEL_ENOEXEC
	ErrNameTooLong    = Code(syscall.ENAMETOOLONG) // VACCEL_ENAMETOOLONG
	ErrTooManyUsers   = Code(syscall.EUSERS)       // VACCEL_EUSERS: id pool exhausted
	ErrPermission     = Code(syscall.EPERM)        // VACCEL_EPERM: e.g. a resource not registered with the session
	ErrLoop           = Code(syscall.ELOOP)        // VACCEL_ELOOP
	ErrTooManyLinks   = Code(syscall.EMLINK)       // VACCEL_EMLINK
	ErrNoSpace        = Code(syscall.ENOSPC)       // VACCEL_ENOSPC
	ErrNotDir         = Code(syscall.ENOTDIR)      // VACCEL_ENOTDIR
	ErrReadOnly       = Code(syscall.EROFS)        // VACCEL_EROFS
	ErrAccess         = Code(syscall.EACCES)       // VACCEL_EACCES
	ErrClosed         = Code(syscall.EBADF)        // VACCEL_EBADF; the bindings use it for closed objects
	ErrRemoteIO       = Code(syscall.EREMOTEIO)    // VACCEL_EREMOTEIO
	ErrFault          = Code(syscall.EFAULT)       // VACCEL_EFAULT
	ErrRange          = Code(syscall.ERANGE)       // VACCEL_ERANGE
	ErrAgain          = Code(syscall.EAGAIN)       // VACCEL_EAGAIN
	ErrNotImplemented = Code(syscall.ENOSYS)       // VACCEL_ENOSYS: e.g. exec of a symbol the library lacks
	ErrTimedOut       = Code(syscall.ETIMEDOUT)    // VACCEL_ETIMEDOUT: the agent did not answer in time (VACCEL_RPC_TIMEOUT_MS)
)

// Error returns the library's description of the code ("invalid argument").
func (c Code) Error() string { return "vaccel: " + cStrerror(c) }

// Name returns the C name of the code ("VACCEL_EINVAL"), or "VACCEL_E?".
func (c Code) Name() string { return cErrorName(c) }

// Is reports whether the code means the same as one of the standard
// library's sentinels (see Code).
func (c Code) Is(target error) bool {
	switch target {
	case fs.ErrNotExist:
		return c == ErrNotFound
	case fs.ErrExist:
		return c == ErrExists
	case fs.ErrPermission:
		return c == ErrPermission || c == ErrAccess
	case fs.ErrClosed:
		return c == ErrClosed
	}
	return false
}

// Error is the error every failing call of this package returns: the call,
// the vAccel code, and the library's reason when it gave one (the message
// of vaccel_last_error_message(), read on the thread that failed; for a call
// that went through an agent, the agent's reason).
//
// errors.Is(err, vaccel.ErrInvalid) and the like test the code;
// errors.As(err, &e) gives the details.
type Error struct {
	Op      string // the call, e.g. "TorchModelRun" or "Resource.Register"
	Code    Code
	Message string // why it failed, or ""
}

// Error returns "vaccel: <Op>: <description> (<code name>)[: <Message>]".
func (e *Error) Error() string {
	s := "vaccel: " + e.Op + ": " + cStrerror(e.Code) + " (" + e.Code.Name()
	if e.Code.Name() == "VACCEL_E?" {
		s += " " + strconv.Itoa(int(e.Code))
	}
	s += ")"
	if e.Message != "" {
		s += ": " + e.Message
	}
	return s
}

// Unwrap returns the code, so that errors.Is matches the Err* sentinels.
func (e *Error) Unwrap() error { return e.Code }

// invalid is an ErrInvalid *Error that the bindings raise themselves,
// before calling C, for input that C could not check (a slice shorter
// than its declared size, for instance).
func invalid(op, msg string) error {
	return &Error{Op: op, Code: ErrInvalid, Message: msg}
}

// closed is the error for a call on a closed session, resource or region.
func closed(op, what string) error {
	return &Error{Op: op, Code: ErrClosed, Message: what + " is closed"}
}
