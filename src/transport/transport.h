/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Byte-stream transports. Each address scheme has one file implementing
 * struct vaccel_transport_ops and is found by scheme name:
 *
 *   unix:///path            a UNIX stream socket at an absolute path
 *   unix://@name            the same in the abstract namespace
 *   tcp://host:port         IPv4/IPv6 literal ([::1]:port) or host name
 *   vsock://CID:PORT        AF_VSOCK; CID is honoured ("any" or -1 listens
 *                           on VMADDR_CID_ANY)
 *   virtio://NAME           QEMU virtio-serial port NAME in a guest (or
 *   virtio:///dev/vportNpM  its char device); on the host,
 *   virtio:///path.sock     the UNIX socket of QEMU's chardev (listen)
 *   hvsock:///path:PORT     Firecracker/Cloud Hypervisor hybrid vsock from
 *                           the host: connect = UNIX connect to /path plus
 *                           the "CONNECT PORT\n" handshake; listen = a UNIX
 *                           socket at /path_PORT (where the VMM forwards a
 *                           guest's connections to PORT)
 *
 * A stream is a file descriptor plus the ops that made it. The fd need not
 * be a socket (a virtio-serial char device has no listen/accept): ops a
 * scheme cannot do are NULL and the callers answer VACCEL_ENOTSUP.
 *
 * All functions return VACCEL_OK or a VACCEL_E* code, logging the failure
 * with the address. Thread-safety: distinct streams may be used from
 * distinct threads; one stream may have one reader and one writer thread.
 */
#ifndef VACCEL_TRANSPORT_H
#define VACCEL_TRANSPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <sys/uio.h>

#define VACCEL_ADDR_MAX 512

enum vaccel_addr_scheme {
	VACCEL_ADDR_UNIX,
	VACCEL_ADDR_TCP,
	VACCEL_ADDR_VSOCK,
	VACCEL_ADDR_HVSOCK,
	VACCEL_ADDR_VIRTIO,
};

/* A parsed address. `text` keeps the original string for log lines. */
struct vaccel_addr {
	enum vaccel_addr_scheme scheme;
	char text[VACCEL_ADDR_MAX];
	/* unix, hvsock, virtio: a path (or abstract name without the '@'). */
	char path[108];
	bool abstract;
	/* tcp: host name or literal (without brackets). */
	char host[256];
	/* tcp, vsock, hvsock. */
	uint32_t port;
	/* vsock: the CID, or UINT32_MAX for "any". */
	uint32_t cid;
};

/*
 * Parses `text` into *addr. Schemes are case-insensitive. Returns
 * VACCEL_EINVAL with a log line naming the problem (unknown scheme,
 * missing port, path too long, ...).
 */
int vaccel__addr_parse(const char *text, struct vaccel_addr *addr);

struct vaccel_transport_ops;

struct vaccel_stream {
	int fd;
	const struct vaccel_transport_ops *ops;
	/* How a read waits for data (stream_wait.c): spin up to poll_us
	 * microseconds before sleeping (0: no spin), then sleep at most
	 * read_timeout_ms (<= 0: no limit) before failing with ETIMEDOUT. */
	int read_timeout_ms;
	uint32_t poll_us;
};

/* A listening endpoint. */
struct vaccel_listener {
	int fd;
	const struct vaccel_transport_ops *ops;
	struct vaccel_addr addr;
	/* The address actually bound (tcp port 0 resolved), for printing. */
	char bound[VACCEL_ADDR_MAX];
	/* A filesystem path to remove on close ("" when none). */
	char unlink_path[108];
};

struct vaccel_transport_ops {
	const char *scheme;
	/* Opens a connected stream to `addr`. Required. */
	int (*connect)(const struct vaccel_addr *addr, struct vaccel_stream *s);
	/* Binds and listens; NULL for endpoints that cannot (char devices). */
	int (*listen)(const struct vaccel_addr *addr, struct vaccel_listener *l);
	/* Accepts one connection; NULL when listen is NULL. */
	int (*accept)(struct vaccel_listener *l, struct vaccel_stream *s);
	/* Partial I/O like readv(2)/writev(2): bytes moved, 0 at end of stream
	 * (read), or -1 with errno. Required. */
	ssize_t (*readv)(struct vaccel_stream *s, const struct iovec *iov,
			 int iovcnt);
	ssize_t (*writev)(struct vaccel_stream *s, const struct iovec *iov,
			  int iovcnt);
	/* Stops further reads (wakes a blocked reader); may be NULL. */
	void (*shutdown)(struct vaccel_stream *s);
	/* Closes the fd. Harmless on fd < 0. Required. */
	void (*close)(struct vaccel_stream *s);
};

/* The ops for a scheme, or NULL. */
const struct vaccel_transport_ops *
vaccel__transport_get(enum vaccel_addr_scheme scheme);

/* Convenience wrappers: parse + look up + call. */
int vaccel__transport_connect(const char *text, struct vaccel_stream *s);
int vaccel__transport_listen(const char *text, struct vaccel_listener *l);
int vaccel__transport_accept(struct vaccel_listener *l,
			     struct vaccel_stream *s);
/* Closes the listener and removes its socket file. Harmless on fd < 0. */
void vaccel__listener_close(struct vaccel_listener *l);

/* Stream helpers (loop over partial transfers and EINTR). Return VACCEL_OK,
 * VACCEL_EIO on an error or end of stream (errno kept; read also reports a
 * clean end of stream before any byte as VACCEL_ENOENT). */
int vaccel__stream_write_all(struct vaccel_stream *s, struct iovec *iov,
			     int iovcnt);
int vaccel__stream_read_all(struct vaccel_stream *s, struct iovec *iov,
			    int iovcnt);
void vaccel__stream_shutdown(struct vaccel_stream *s);
/* One partial read (like readv(2)) after the stream's wait: -1 with errno
 * ETIMEDOUT when read_timeout_ms passed without data. Every read of the
 * helpers above and of the framed connections goes through it. */
ssize_t vaccel__stream_readv(struct vaccel_stream *s, const struct iovec *iov,
			     int iovcnt);
/* The wait alone: 0 when the stream is readable (or hung up), -1 with
 * errno (ETIMEDOUT) otherwise. */
int vaccel__stream_wait(struct vaccel_stream *s);
void vaccel__stream_close(struct vaccel_stream *s);

/* Generic fd implementations shared by the socket schemes. */
ssize_t vaccel__fd_readv(struct vaccel_stream *s, const struct iovec *iov,
			 int iovcnt);
ssize_t vaccel__fd_writev(struct vaccel_stream *s, const struct iovec *iov,
			  int iovcnt);
void vaccel__fd_shutdown(struct vaccel_stream *s);
void vaccel__fd_close(struct vaccel_stream *s);
/* accept4() with CLOEXEC on l->fd. */
int vaccel__fd_accept(struct vaccel_listener *l, struct vaccel_stream *s);

/* Scheme tables (one per file). */
extern const struct vaccel_transport_ops vaccel__transport_unix;
extern const struct vaccel_transport_ops vaccel__transport_tcp;
extern const struct vaccel_transport_ops vaccel__transport_vsock;
extern const struct vaccel_transport_ops vaccel__transport_hvsock;
extern const struct vaccel_transport_ops vaccel__transport_virtio;

/*
 * virtio-serial channel resync (virtio_serial.c, docs/protocol.md): a
 * marker is 16 bytes of 0xff (never a valid frame header), an 8-byte tag
 * and an 8-byte little-endian nonce. A client sends SYNC, the agent answers
 * ACK with the same nonce.
 */
#define VACCEL_VIRTIO_SYNC_LEN 32
#define VACCEL_VIRTIO_SYNC_TAG "vAcRSYNC"
#define VACCEL_VIRTIO_ACK_TAG "vAcRSACK"
void vaccel__virtio_sync_marker(uint8_t out[VACCEL_VIRTIO_SYNC_LEN],
				const char *tag, uint64_t nonce);

/* Unix socket helpers shared by unix.c and hvsock.c. */
int vaccel__unix_connect_path(const char *path, bool abstract,
			      const char *text, int *fd);
int vaccel__unix_listen_path(const char *path, bool abstract,
			     const char *text, int *fd);

#endif /* VACCEL_TRANSPORT_H */
