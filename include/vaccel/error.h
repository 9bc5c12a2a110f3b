/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Error codes. Every public function returns VACCEL_OK (0) or one of these
 * codes. The numeric values equal the Linux errno values of the same name,
 * exactly as upstream vAccel defines them, so existing programs that compare
 * against either keep working.
 */
#ifndef VACCEL_ERROR_H
#define VACCEL_ERROR_H

#include <errno.h>

#ifdef __cplusplus
extern "C" {
#endif

/* X(name, value, description) */
#define VACCEL_ERROR_LIST(X)                                                  \
	X(VACCEL_OK, 0, "success")                                            \
	X(VACCEL_EINVAL, EINVAL, "invalid argument")                          \
	X(VACCEL_ENOMEM, ENOMEM, "out of memory")                             \
	X(VACCEL_ENOTSUP, ENOTSUP, "operation not supported")                 \
	X(VACCEL_EINPROGRESS, EINPROGRESS, "operation in progress")           \
	X(VACCEL_EBUSY, EBUSY, "resource busy")                               \
	X(VACCEL_EEXIST, EEXIST, "already exists")                            \
	X(VACCEL_ENOENT, ENOENT, "no such entry")                             \
	X(VACCEL_ELIBBAD, ELIBBAD, "bad plugin library")                      \
	X(VACCEL_ENODEV, ENODEV, "no such device")                            \
	X(VACCEL_EIO, EIO, "input/output error")                              \
	X(VACCEL_ESESS, ECONNRESET, "session error")                          \
	X(VACCEL_EBACKEND, EPROTO, "backend error")                           \
	X(VACCEL_ENOEXEC, ENOEXEC, "exec format error")                       \
	X(VACCEL_ENAMETOOLONG, ENAMETOOLONG, "name too long")                 \
	X(VACCEL_EUSERS, EUSERS, "too many users (id pool exhausted)")        \
	X(VACCEL_EPERM, EPERM, "operation not permitted")                     \
	X(VACCEL_ELOOP, ELOOP, "too many levels of symbolic links")           \
	X(VACCEL_EMLINK, EMLINK, "too many links")                            \
	X(VACCEL_ENOSPC, ENOSPC, "no space left")                             \
	X(VACCEL_ENOTDIR, ENOTDIR, "not a directory")                         \
	X(VACCEL_EROFS, EROFS, "read-only file system")                       \
	X(VACCEL_EACCES, EACCES, "permission denied")                         \
	X(VACCEL_EBADF, EBADF, "bad file descriptor")                         \
	X(VACCEL_EREMOTEIO, EREMOTEIO, "remote I/O error")                    \
	X(VACCEL_EFAULT, EFAULT, "bad address")                               \
	X(VACCEL_ERANGE, ERANGE, "result out of range")                       \
	X(VACCEL_EAGAIN, EAGAIN, "try again")                                 \
	X(VACCEL_ENOSYS, ENOSYS, "function not implemented")                  \
	X(VACCEL_ETIMEDOUT, ETIMEDOUT, "timed out")

#define VACCEL__ERROR_ENUM(name, value, desc) name = (value),
enum vaccel_error { VACCEL_ERROR_LIST(VACCEL__ERROR_ENUM) };
#undef VACCEL__ERROR_ENUM

/* Returns a static, human-readable description of `code` ("invalid
 * argument"). Accepts negated codes too. Never returns NULL. Thread-safe. */
const char *vaccel_strerror(int code);

/* Returns the code's name ("VACCEL_EINVAL"), or "VACCEL_E?" if unknown. */
const char *vaccel_error_name(int code);

/*
 * The reason for the most recent failure on the calling thread: the message
 * its failure site logged at error level, without the time stamp and level
 * prefix ("[torch] forward() of model resource 2 failed: expected input[1,
 * 1, 224, 224] to have 3 channels, but got 1 channels instead"). For a call
 * forwarded to vaccel-agent it is the agent's reason, as the rpc plugin
 * logged it (docs/protocol.md). "" when nothing has failed on this thread.
 *
 * Read it right after a vAccel function returned an error, as one reads
 * errno: a call that succeeds leaves it unchanged. Messages longer than
 * VACCEL_ERROR_MSG_MAX - 1 bytes are cut.
 *
 * Thread-safe: every thread has its own message. Never returns NULL. The
 * text lives in the calling thread's storage and stays valid until that
 * thread's next vAccel call (which may replace it); copy it to keep it
 * longer or to hand it to another thread.
 */
const char *vaccel_last_error_message(void);

/* Size of the buffer behind vaccel_last_error_message(), NUL included. */
#define VACCEL_ERROR_MSG_MAX 1024

#ifdef __cplusplus
}
#endif

#endif /* VACCEL_ERROR_H */
