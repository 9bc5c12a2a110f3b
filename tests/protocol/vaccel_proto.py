# SPDX-License-Identifier: Apache-2.0
"""A vAccel RPC client written from docs/protocol.md alone (Python standard
library only): framing, every message body, and a connection that speaks
them. Used by the conformance test (conformance.py) and the attack suite
(tests/attack/attack.py). Nothing here is derived from the C sources.
"""
import os
import socket
import struct
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "common"))
import child  # noqa: E402

# Section 1: message types.
HELLO, SESS_CREATE, SESS_UPDATE, SESS_DESTROY = 0x01, 0x02, 0x03, 0x04
RES_REGISTER, RES_CHUNK, RES_UNREGISTER, RES_SYNC = 0x05, 0x06, 0x07, 0x08
OP, TORCH_LOAD, TORCH_RUN, STATS, PROF, AUTH = 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e
SHM_SETUP = 0x0f
ERROR = 0x7f
REPLY = 0x80

HDR = struct.Struct("<IHHQ")          # length, type, flags, req_id
PREFIX = struct.Struct("<QQQ")        # t_recv, t_reply, t_exec
MAGIC, MAJOR, MINOR = 0x52634176, 1, 0
HELLO_AUTH = 0x1
HELLO_SOLO = 0x2
HELLO_SHM = 0x4
FLAG_SOLO = 0x1
PREAUTH_MAX_BODY = 4096
FRAME_MIN = 4096
CHUNK_MAX = 1 << 20
MAX_TOKEN = 1024
MAX_ERRMSG = 1024

# Section 3: error codes.
EPERM, ENOENT, EIO, ENOMEM, EACCES, EEXIST = 1, 2, 5, 12, 13, 17
EBADF = 9
EINVAL, ENOSPC, ENOSYS, EBACKEND, EUSERS, ENOTSUP, ESESS = \
    22, 28, 38, 71, 87, 95, 104

# Section 4: plugin type hint bits.
PLUGIN_CPU, PLUGIN_SOFTWARE, PLUGIN_TORCH = 0x1, 0x8, 0x20
PLUGIN_GENERIC, PLUGIN_DEBUG, PLUGIN_REMOTE = 0x80, 0x100, 0x4000

# Section 5: resource and blob types.
RES_LIB, RES_DATA, RES_MODEL = 0, 1, 2
BLOB_FILE, BLOB_BUFFER, BLOB_MAPPED = 0, 1, 2

# Section 6: argument types, the INOUT flag, op types.
ARG_RAW, ARG_INT32, ARG_INT64, ARG_UINT8 = 0, 5, 7, 9
ARG_FLOAT64, ARG_FLOAT64_ARRAY, ARG_STRING, ARG_BUFFER = 19, 20, 27, 28
ARG_TYPES = 30
ARG_INOUT = 0x1
ARG_SHM = 0x2          # section 2b: a u64 region offset in place of data
TENSOR_SHM = 0x1
OP_NOOP, OP_EXEC, OP_EXEC_WITH_RESOURCE = 0, 1, 2
OP_TF_MODEL_RUN, OP_MINMAX = 10, 22

# Torch dtypes.
TORCH_FLOAT = 7

# Section 9: virtio-serial markers.
SYNC_BREAK = b"\xff" * 16
SYNC_TAG, ACK_TAG = b"vAcRSYNC", b"vAcRSACK"


def pad8(n):
    """Padding after a bulk item of n bytes (section 1)."""
    return (8 - n % 8) % 8


class Closed(Exception):
    """The agent closed the connection."""


class Error(Exception):
    """An ERROR frame: .code, .msg."""

    def __init__(self, code, msg, req_id):
        super().__init__("%d %s" % (code, msg))
        self.code, self.msg, self.req_id = code, msg, req_id


class Arg:
    """An OP argument: type, data (bytes) or size only, flags, custom_id;
    with `shm` an offset into the shared region (section 2b) whose bytes
    the caller put there: the arg is flagged SHM and the body carries the
    offset."""

    def __init__(self, type_, data=b"", size=None, flags=0, custom_id=0,
                 shm=None):
        self.type, self.flags, self.custom_id = type_, flags, custom_id
        self.data = data
        self.size = len(data) if size is None else size
        self.shm = shm
        if shm is not None:
            self.flags |= ARG_SHM


def u8(v):
    return Arg(ARG_UINT8, struct.pack("<B", v))


def i32(v):
    return Arg(ARG_INT32, struct.pack("<i", v))


def i64(v):
    return Arg(ARG_INT64, struct.pack("<q", v))


def string(s):
    return Arg(ARG_STRING, s.encode() + b"\0")


def out(type_, size, flags=0, data=b""):
    return Arg(type_, data, size, flags)


def hello_body(max_frame=64 << 20, major=MAJOR, minor=MINOR, magic=MAGIC,
               flags=0):
    return struct.pack("<IHHII", magic, major, minor, max_frame, flags)


def auth_body(token, reserved=0):
    return struct.pack("<II", len(token), reserved) + token


def res_register_body(sess, res_id, res_type, blobs, reserved=0):
    """blobs: list of (type, name bytes, size)."""
    b = struct.pack("<qqIIQ", sess, res_id, res_type, len(blobs), reserved)
    for t, name, size in blobs:
        b += struct.pack("<IIQ", t, len(name), size) + name
    return b


def chunk_body(blob, offset, data, reserved=0):
    return struct.pack("<IIQ", blob, reserved, offset) + data


def op_body(sess, read, write, pad=True):
    b = struct.pack("<qII", sess, len(read), len(write))
    for a in list(read) + list(write):
        b += struct.pack("<HHIQ", a.type, a.flags, a.custom_id, a.size)
    for a in read:
        if a.shm is not None:
            b += struct.pack("<Q", a.shm)
            continue
        b += a.data + (b"\0" * pad8(len(a.data)) if pad else b"")
    for a in write:
        if a.shm is not None:
            b += struct.pack("<Q", a.shm)
        elif a.flags & ARG_INOUT:
            b += a.data + b"\0" * pad8(len(a.data))
    return b


def tensor_desc(dtype, dims, size, flags=0):
    return struct.pack("<IHHQ", dtype, len(dims), flags, size) + \
        b"".join(struct.pack("<q", d) for d in dims)


def torch_run_body(sess, model, inputs, nr_out, opts=b""):
    """inputs: list of (dtype, dims, data bytes), or (dtype, dims, size,
    region offset) for an input in the shared region (section 2b)."""
    b = struct.pack("<qqIIQ", sess, model, len(inputs), nr_out, len(opts))
    for t in inputs:
        if len(t) == 4:
            b += tensor_desc(t[0], t[1], t[2], TENSOR_SHM)
        else:
            b += tensor_desc(t[0], t[1], len(t[2]))
    b += opts + b"\0" * pad8(len(opts))
    for t in inputs:
        if len(t) == 4:
            b += struct.pack("<Q", t[3])
        else:
            b += t[2] + b"\0" * pad8(len(t[2]))
    return b


def shm_setup_body(size, flags=0, reserved=0):
    return struct.pack("<QII", size, flags, reserved)


def sealed_memfd(size, seals=None):
    """A memfd of `size` bytes sealed as section 2b asks (or with
    `seals`), and its shared mapping."""
    import fcntl
    import mmap
    fd = os.memfd_create("vaccel-proto-shm", os.MFD_CLOEXEC |
                         os.MFD_ALLOW_SEALING)
    os.ftruncate(fd, size)
    m = mmap.mmap(fd, size) if size else None
    if seals is None:
        seals = fcntl.F_SEAL_SHRINK | fcntl.F_SEAL_GROW | fcntl.F_SEAL_SEAL
    if seals:
        fcntl.fcntl(fd, fcntl.F_ADD_SEALS, seals)
    return fd, m


def sync_marker(tag, nonce):
    return SYNC_BREAK + tag + struct.pack("<Q", nonce)


class Conn:
    """One connection to the agent."""

    def __init__(self, addr, timeout=60.0):
        self.addr = addr
        self.sock = connect(addr, timeout)
        self.next_id = 0
        self.agent_max_frame = FRAME_MIN
        self.agent_flags = 0

    def close(self):
        self.sock.close()

    # --- raw framing ---

    def send_frame(self, type_, body=b"", req_id=None, flags=0, length=None):
        if req_id is None:
            self.next_id += 1
            req_id = self.next_id
        n = len(body) if length is None else length
        self.sock.sendall(HDR.pack(n, type_, flags, req_id) + body)
        return req_id

    def recv_exact(self, n):
        b = b""
        while len(b) < n:
            try:
                part = self.sock.recv(n - len(b))
            except ConnectionResetError:
                part = b""
            if not part:
                raise Closed("connection closed after %d of %d bytes"
                             % (len(b), n))
            b += part
        return b

    def recv_frame(self):
        length, type_, flags, req_id = HDR.unpack(self.recv_exact(HDR.size))
        if flags != 0:
            raise AssertionError("reply with flags 0x%x" % flags)
        return type_, req_id, self.recv_exact(length)

    def call(self, type_, body=b"", req_id=None):
        """Sends a request; returns the reply body after the prefix, or
        raises Error / Closed."""
        rid = self.send_frame(type_, body, req_id)
        return self.wait(type_, rid)

    def wait(self, type_, rid):
        rtype, got_id, body = self.recv_frame()
        if got_id != rid:
            raise AssertionError("reply for %d while waiting for %d"
                                 % (got_id, rid))
        if rtype == ERROR:
            code, n = struct.unpack_from("<iI", body)
            if n > MAX_ERRMSG or len(body) != 8 + n or code <= 0:
                raise AssertionError("malformed ERROR %r" % body)
            raise Error(code, body[8:].decode(), got_id)
        if rtype != type_ | REPLY:
            raise AssertionError("reply type 0x%x to 0x%x" % (rtype, type_))
        if len(body) < PREFIX.size:
            raise AssertionError("reply without prefix")
        t_recv, t_reply, t_exec = PREFIX.unpack_from(body)
        if t_reply < t_recv:
            raise AssertionError("t_reply before t_recv")
        return body[PREFIX.size:]

    def closed_by_peer(self, timeout=60.0):
        """True when the agent closes the connection (EOF) within timeout,
        skipping whatever it still sends."""
        self.sock.settimeout(timeout)
        try:
            while True:
                b = self.sock.recv(65536)
                if not b:
                    return True
        except ConnectionResetError:
            return True
        except socket.timeout:
            return False
        finally:
            self.sock.settimeout(60.0)

    # --- messages ---

    def hello(self, max_frame=64 << 20, token=None, **kw):
        r = self.call(HELLO, hello_body(max_frame, **kw))
        magic, major, minor, mf, flags = struct.unpack("<IHHII", r)
        assert magic == MAGIC and major == MAJOR, (magic, major)
        self.agent_max_frame, self.agent_flags = mf, flags
        if flags & HELLO_AUTH and token is not None:
            self.auth(token)
        return r

    def auth(self, token, reserved=0):
        return self.call(AUTH, auth_body(token, reserved))

    def shm_setup(self, fd, size, body=None, fds=None):
        """SHM_SETUP (section 2b): the body and header in one sendmsg with
        `fds` (default [fd]) attached; returns the granted size."""
        self.next_id += 1
        body = shm_setup_body(size) if body is None else body
        frame = HDR.pack(len(body), SHM_SETUP, 0, self.next_id) + body
        socket.send_fds(self.sock, [frame], [fd] if fds is None else fds)
        (granted,) = struct.unpack("<Q", self.wait(SHM_SETUP,
                                                   self.next_id))
        return granted

    def sess_create(self, flags=0):
        r = self.call(SESS_CREATE, struct.pack("<I", flags))
        (sid,) = struct.unpack("<q", r)
        assert sid > 0
        return sid

    def sess_update(self, sess, flags):
        return self.call(SESS_UPDATE, struct.pack("<qI", sess, flags))

    def sess_destroy(self, sess):
        return self.call(SESS_DESTROY, struct.pack("<q", sess))

    def upload(self, sess, res_type, blobs, chunk=65536):
        """blobs: list of (blob type, name, data). Returns the agent id."""
        body = res_register_body(sess, 0, res_type,
                                 [(t, n.encode(), len(d)) for t, n, d in blobs])
        rid = self.send_frame(RES_REGISTER, body)
        for i, (_, _, data) in enumerate(blobs):
            for off in range(0, len(data), chunk):
                self.send_frame(RES_CHUNK, chunk_body(
                    i, off, data[off:off + chunk]), req_id=rid)
        (res,) = struct.unpack("<q", self.wait(RES_REGISTER, rid))
        assert res > 0
        return res

    def link(self, sess, res):
        (got,) = struct.unpack("<q", self.call(
            RES_REGISTER, res_register_body(sess, res, RES_DATA, [])))
        return got

    def res_req(self, type_, sess, res):
        return self.call(type_, struct.pack("<qq", sess, res))

    def sync(self, sess, res):
        return parse_sized(self.res_req(RES_SYNC, sess, res))

    def op(self, sess, read, write=()):
        """Returns the write args' data as a list of bytes."""
        r = self.call(OP, op_body(sess, read, write))
        data = parse_sized(r, write)
        assert len(data) == len(write)
        for a, d in zip(write, data):
            assert len(d) <= a.size
        return data

    def exec(self, sess, lib, sym, read=(), write=()):
        return self.op(sess, [u8(OP_EXEC), string(lib), string(sym)] +
                       list(read), write)

    def stats(self):
        r = self.call(STATS)
        return dict(zip(("connections", "unauthenticated", "sessions",
                         "resources", "upload_bytes", "shm_bytes",
                         "shm_items"),
                        struct.unpack("<IIQQQQQ", r)))

    def prof(self):
        r = self.call(PROF)
        nr, _ = struct.unpack_from("<II", r)
        off, regions = 8, {}
        for _ in range(nr):
            n, _, total, entries = struct.unpack_from("<IIQQ", r, off)
            off += 24
            regions[r[off:off + n].decode()] = (total, entries)
            off += n
        assert off == len(r)
        return regions

    def torch_run(self, sess, model, inputs, nr_out):
        r = self.call(TORCH_RUN, torch_run_body(sess, model, inputs, nr_out))
        nr, _ = struct.unpack_from("<II", r)
        off, descs = 8, []
        for _ in range(nr):
            dtype, nd, size = struct.unpack_from("<IIQ", r, off)
            off += 16
            dims = list(struct.unpack_from("<%dq" % nd, r, off))
            off += 8 * nd
            descs.append((dtype, dims, size))
        outs = []
        for dtype, dims, size in descs:
            outs.append((dtype, dims, r[off:off + size]))
            off += size
        assert off == len(r)
        return outs


def parse_sized(r, write=()):
    """An OP or RES_SYNC reply after the prefix: u32 nr, u32 0, sizes,
    data back to back; the data of `write` args in the shared region are
    not in the reply (section 2b): they come back as b""."""
    nr, zero = struct.unpack_from("<II", r)
    assert zero == 0
    sizes = struct.unpack_from("<%dQ" % nr, r, 8)
    off, data = 8 + 8 * nr, []
    for i, s in enumerate(sizes):
        if i < len(write) and write[i].shm is not None:
            data.append(b"")
            continue
        data.append(r[off:off + s])
        off += s
    assert off == len(r), (off, len(r))
    return data


def connect(addr, timeout=60.0):
    if addr.startswith("unix://"):
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        path = addr[len("unix://"):]
        s.connect("\0" + path[1:] if path.startswith("@") else path)
    elif addr.startswith("virtio://") or addr.startswith("hvsock://"):
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.connect(addr.split("://", 1)[1])
    elif addr.startswith("tcp://"):
        host, port = addr[len("tcp://"):].rsplit(":", 1)
        s = socket.create_connection((host.strip("[]"), int(port)))
    else:
        raise ValueError("address %s" % addr)
    s.settimeout(timeout)
    return s


class Agent:
    """A vaccel-agent child process with its listeners (--ready-fd)."""

    def __init__(self, addrs, plugins, extra=(), env=None, log=None):
        r, w = os.pipe()
        argv = [os.environ["VACCEL_TEST_AGENT"], "--plugins", plugins,
                "--ready-fd", str(w)]
        for a in addrs:
            argv += ["-a", a]
        argv += list(extra)
        e = dict(os.environ)
        e.pop("VACCEL_PLUGINS", None)
        e.pop("VACCEL_BOOTSTRAP_ENABLED", None)
        if log:
            e["VACCEL_LOG_FILE"] = log
            e.setdefault("VACCEL_LOG_LEVEL", "3")
        e.update(env or {})
        self.proc = child.popen(argv, pass_fds=(w,), env=e)
        os.close(w)
        self.addrs = []
        with os.fdopen(r) as f:
            for line in f:
                line = line.strip()
                if line == "READY":
                    break
                if line.startswith("LISTEN "):
                    self.addrs.append(line[7:])
            else:
                self.proc.wait()
                raise RuntimeError("agent did not start (rc %s)"
                                   % self.proc.returncode)
        self.pid = self.proc.pid
        child.fail_fast("vaccel-agent")

    def alive(self):
        return self.proc.poll() is None

    def children(self):
        """Pids of all the agent's child processes, reaped or not."""
        try:
            with open("/proc/%d/task/%d/children" % (self.pid, self.pid)) as f:
                return [int(p) for p in f.read().split()]
        except OSError:
            return []

    def workers(self):
        """Pids of the agent's live worker processes (exited ones that are
        not reaped yet left out)."""
        pids = self.children()
        live = []
        for p in pids:
            try:
                with open("/proc/%d/stat" % p) as f:
                    if f.read().rsplit(")", 1)[1].split()[0] not in "ZX":
                        live.append(p)
            except OSError:
                pass
        return live

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
        return self.proc.wait(timeout=120)


def wait_until(pred, timeout=60.0, step=0.02):
    """Polls pred() until it is true; the timeout only keeps a broken run
    from hanging, it is not a time bound being tested."""
    end = time.monotonic() + timeout
    while True:
        v = pred()
        if v or time.monotonic() > end:
            return v
        time.sleep(step)
