"""The shared-memory data path (docs/protocol.md, section 2b), driven by the
independent client (vaccel_proto.py) against real vaccel-agent processes:
the offer in HELLO, SHM_SETUP and the granted size, ops and a torch run with
their items in the region, and the hostile side (docs/security.md, "Shared
memory"): every SHM_SETUP refusal (no descriptor, a pipe, a file, unsealed
or half-sealed memfds, one sealed against writing, a size that lies, a
second region, an agent with --no-shm, TCP), descriptors attached to other
frames, offsets and sizes out of the region or wrapping around, unaligned,
the op type or a STRING in the region, overlapping write args, a thread
flipping region bytes during calls, and a client killed in the middle of a
call. After each, the connection (or a fresh one) still gets correct
results and the agent holds nothing of the dead.

Environment (set by meson): as conformance.py.
"""
import fcntl
import os
import struct
import subprocess
import sys
import tempfile
import threading

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import vaccel_proto as vp  # noqa: E402
from conformance import check, expect_error, run  # noqa: E402
from vaccel_proto import Arg, Conn  # noqa: E402

ENV = os.environ
TMP = tempfile.mkdtemp(prefix="vaccel-shm-")
LIB = ENV.get("VACCEL_TEST_MYTESTLIB", "")
SLOW = ENV.get("VACCEL_TEST_SLOWLIB", "")
PLUGINS = ENV.get("VACCEL_TEST_AGENT_PLUGINS", "")
TORCH = ENV.get("VACCEL_TEST_TORCH", "")
MB = 1 << 20
SEALS = fcntl.F_SEAL_SHRINK | fcntl.F_SEAL_GROW | fcntl.F_SEAL_SEAL


def agent(name, extra=(), tcp=False):
    addrs = ["unix://%s/%s.sock" % (TMP, name)] + \
        (["tcp://127.0.0.1:0"] if tcp else [])
    return vp.Agent(addrs, PLUGINS, ["--exec-allow", LIB, "--exec-allow",
                                     SLOW, "--admin-stats"] + list(extra))


def hello(addr):
    c = Conn(addr)
    c.hello()
    return c


def mytestfunc(c, sess, rd=None, wr=None):
    """out = 2 * in; rd/wr: region offsets of in and out, or inline."""
    a = vp.i32(21) if rd is None else Arg(vp.ARG_INT32, size=4, shm=rd)
    o = vp.out(vp.ARG_INT32, 4, vp.ARG_INOUT, b"\0" * 4) if wr is None else \
        Arg(vp.ARG_INT32, size=4, flags=vp.ARG_INOUT, shm=wr)
    (d,) = c.exec(sess, LIB, "mytestfunc", [a], [o])
    return d


def works(c):
    s = c.sess_create(vp.PLUGIN_GENERIC)
    (d,) = c.exec(s, LIB, "mytestfunc", [vp.i32(21)],
                  [vp.out(vp.ARG_INT32, 4)])
    check(struct.unpack("<i", d)[0] == 42, "connection gives 42")
    c.sess_destroy(s)


def with_region(c, size=MB):
    fd, m = vp.sealed_memfd(size)
    granted = c.shm_setup(fd, size)
    os.close(fd)
    return granted, m


# --- the offer and the happy path ---

def t_offer(a, off):
    c = hello(a.addrs[0])
    check(c.agent_flags & vp.HELLO_SHM, "UNIX connection is offered shm")
    c.close()
    c = hello(a.addrs[1])
    check(not c.agent_flags & vp.HELLO_SHM, "TCP is not offered shm")
    fd, _ = vp.sealed_memfd(4096)
    expect_error(lambda: c.call(vp.SHM_SETUP, vp.shm_setup_body(4096)),
                 vp.ENOTSUP, "UNIX socket")
    works(c)
    c.close()
    c = hello(off.addrs[0])
    check(not c.agent_flags & vp.HELLO_SHM, "--no-shm: no offer")
    expect_error(lambda: c.shm_setup(fd, 4096), vp.ENOTSUP, "--no-shm")
    works(c)
    c.close()
    os.close(fd)


def t_region_ops(a):
    c = hello(a.addrs[0])
    # STATS is agent-wide here (--admin-stats): the connections of the
    # test before count until their workers are reaped.
    check(vp.wait_until(lambda: c.stats()["connections"] == 1),
          "the earlier connections are gone")
    granted, m = with_region(c)
    check(granted == MB, "granted %d" % granted)
    st = c.stats()
    check(st["shm_bytes"] == MB and st["shm_items"] == 0, "STATS %r" % st)
    s = c.sess_create(vp.PLUGIN_GENERIC)
    m[64:68] = struct.pack("<i", 21)
    m[128:132] = b"\0" * 4
    d = mytestfunc(c, s, rd=64, wr=128)
    check(d == b"", "a region write arg has no data in the reply")
    check(struct.unpack("<i", m[128:132])[0] == 42, "42 in the region")
    # In-region input, inline output, and the other way round.
    check(mytestfunc(c, s, rd=64) == struct.pack("<i", 42), "inline out")
    m[200:204] = b"\0" * 4
    mytestfunc(c, s, wr=200)
    check(struct.unpack("<i", m[200:204])[0] == 42, "region out")
    check(c.stats()["shm_items"] == 4, "STATS counts 4 items")
    expect_error(lambda: with_region(c), vp.EEXIST, "already")
    works(c)
    c.close()
    # The agent caps the region.
    small = agent("small", ["--shm-max-bytes", "65536"])
    try:
        c = hello(small.addrs[0])
        check(with_region(c)[0] == 65536, "capped at --shm-max-bytes")
        s = c.sess_create(vp.PLUGIN_GENERIC)
        expect_error(lambda: mytestfunc(c, s, rd=65536), vp.EINVAL,
                     "outside the 65536 byte shared region")
        works(c)
        c.close()
    finally:
        small.stop()


def t_torch_region(a):
    if not TORCH:
        print("     (torch not built: region tensors not run)")
        return
    check(os.path.exists(os.path.join(TORCH, "tiny_cnn.pt")), "tiny model")
    with open(os.path.join(TORCH, "tiny_cnn.pt"), "rb") as f:
        model = f.read()
    c = hello(a.addrs[0])
    _, m = with_region(c)
    s = c.sess_create(vp.PLUGIN_TORCH)
    r = c.upload(s, vp.RES_MODEL, [(vp.BLOB_FILE, "tiny_cnn.pt", model)])
    c.res_req(vp.TORCH_LOAD, s, r)
    x = b"".join(struct.pack("<f", ((i * 13) % 17) / 17.0)
                 for i in range(3 * 32 * 32))
    inline = c.torch_run(s, r, [(vp.TORCH_FLOAT, [1, 3, 32, 32], x)], 1)
    m[4096:4096 + len(x)] = x
    shm = c.torch_run(s, r, [(vp.TORCH_FLOAT, [1, 3, 32, 32], len(x),
                              4096)], 1)
    check(shm == inline, "same output tensor with the input in the region")
    expect_error(lambda: c.torch_run(s, r, [(vp.TORCH_FLOAT, [1, 3, 32, 32],
                                             len(x), MB - 8)], 1),
                 vp.EINVAL, "outside")
    works(c)
    c.close()


# --- hostile SHM_SETUP ---

def refused(a, fd, size, code, msg, fds=None, body=None):
    c = hello(a.addrs[0])
    expect_error(lambda: c.shm_setup(fd, size, body=body, fds=fds), code, msg)
    # STATS is agent-wide here (--admin-stats): earlier connections count
    # until their workers are reaped.
    check(vp.wait_until(lambda: c.stats()["shm_bytes"] == 0),
          "no region after a refusal")
    works(c)
    c.close()


def t_setup_refusals(a):
    c = hello(a.addrs[0])
    expect_error(lambda: c.call(vp.SHM_SETUP, vp.shm_setup_body(MB)),
                 vp.EBADF, "without a descriptor")
    works(c)
    c.close()
    fd, _ = vp.sealed_memfd(MB, seals=0)
    refused(a, fd, MB, vp.EBADF, "not sealed")
    os.close(fd)
    fd, _ = vp.sealed_memfd(MB, seals=fcntl.F_SEAL_SHRINK)
    refused(a, fd, MB, vp.EBADF, "not sealed")
    os.close(fd)
    # Sealed against writing (no writable mapping may exist for that).
    fd = os.memfd_create("w", os.MFD_ALLOW_SEALING)
    os.ftruncate(fd, MB)
    fcntl.fcntl(fd, fcntl.F_ADD_SEALS, SEALS | fcntl.F_SEAL_WRITE)
    refused(a, fd, MB, vp.EBADF, "sealed against writing")
    os.close(fd)
    fd, _ = vp.sealed_memfd(MB)
    refused(a, fd, 2 * MB, vp.EBADF, "has 1048576 bytes, SHM_SETUP says")
    refused(a, fd, 2048, vp.EINVAL, "below the minimum")
    refused(a, fd, MB, vp.EINVAL, "malformed",
            body=vp.shm_setup_body(MB, flags=1))
    refused(a, fd, MB, vp.EINVAL, "malformed", body=b"\0" * 8)
    os.close(fd)
    r, w = os.pipe()
    refused(a, r, MB, vp.EBADF, "not a memfd")
    os.close(r)
    os.close(w)
    path = os.path.join(TMP, "plain")
    with open(path, "wb") as f:
        f.truncate(MB)
    fd = os.open(path, os.O_RDWR)
    e = refused_any(a, fd, MB)
    check("not a memfd" in e.msg or "not sealed" in e.msg, e.msg)
    os.close(fd)


def refused_any(a, fd, size):
    c = hello(a.addrs[0])
    e = expect_error(lambda: c.shm_setup(fd, size), vp.EBADF)
    works(c)
    c.close()
    return e


def open_fds(pid):
    return len(os.listdir("/proc/%d/fd" % pid))


def t_stray_descriptors(a):
    """Descriptors attached to other frames are closed unused."""
    c = hello(a.addrs[0])
    works(c)
    workers = [p for p in a.children()]
    before = {p: open_fds(p) for p in workers if os.path.exists(
        "/proc/%d" % p)}
    fds = [vp.sealed_memfd(4096)[0] for _ in range(8)]
    for i in range(20):
        c.next_id += 1
        frame = vp.HDR.pack(0, vp.STATS, 0, c.next_id)
        vp.socket.send_fds(c.sock, [frame], fds[:1 + i % 8])
        c.wait(vp.STATS, c.next_id)
    # Agent-wide (--admin-stats): earlier connections count until reaped.
    check(vp.wait_until(lambda: c.stats()["shm_bytes"] == 0),
          "no region from stray descriptors")
    works(c)
    after = {p: open_fds(p) for p in before if os.path.exists(
        "/proc/%d" % p)}
    check(all(after[p] <= before[p] for p in after),
          "worker fds grew: %r -> %r" % (before, after))
    for fd in fds:
        os.close(fd)
    c.close()


# --- hostile items ---

def t_bad_items(a):
    c = hello(a.addrs[0])
    s = c.sess_create(vp.PLUGIN_GENERIC)
    # No region yet.
    expect_error(lambda: mytestfunc(c, s, rd=0), vp.EINVAL, "has none")
    granted, m = with_region(c)
    big = (1 << 64) - 8
    cases = [
        ("offset past the end", [Arg(vp.ARG_INT32, size=4, shm=granted)]),
        ("end past the end", [Arg(vp.ARG_INT32, size=16,
                                  shm=granted - 8)]),
        ("size past the region", [Arg(vp.ARG_RAW, size=granted + 8,
                                      shm=0)]),
        ("wrapping offset", [Arg(vp.ARG_INT32, size=16, shm=big)]),
        ("wrapping size", [Arg(vp.ARG_RAW, size=(1 << 64) - 1, shm=8)]),
        ("unaligned", [Arg(vp.ARG_INT32, size=4, shm=3)]),
    ]
    for what, read in cases:
        expect_error(lambda: c.op(s, [vp.u8(vp.OP_NOOP)] + read),
                     vp.EINVAL, "outside")
    expect_error(lambda: c.op(s, [Arg(vp.ARG_UINT8, size=1, shm=0)]),
                 vp.EINVAL, "op type")
    m[0:8] = b"/x.so\0\0\0"
    expect_error(lambda: c.op(s, [vp.u8(vp.OP_EXEC),
                                  Arg(vp.ARG_STRING, size=6, shm=0),
                                  vp.string("mytestfunc")]),
                 vp.EINVAL, "may not be in the shared region")
    expect_error(lambda: c.op(s, [vp.u8(vp.OP_EXEC_WITH_RESOURCE),
                                  Arg(vp.ARG_INT64, size=8, shm=0),
                                  vp.string("mytestfunc")]),
                 vp.EINVAL, "may not be in the shared region")
    # Write args overlapping a read arg or each other.
    expect_error(lambda: c.op(s, [vp.u8(vp.OP_NOOP),
                                  Arg(vp.ARG_RAW, size=64, shm=0)],
                              [Arg(vp.ARG_RAW, size=64, shm=32)]),
                 vp.EINVAL, "overlaps")
    expect_error(lambda: c.op(s, [vp.u8(vp.OP_NOOP)],
                              [Arg(vp.ARG_RAW, size=64, shm=0),
                               Arg(vp.ARG_RAW, size=8, shm=56)]),
                 vp.EINVAL, "overlaps")
    # A body that lies about its region items (offset slot missing).
    body = vp.op_body(s, [vp.u8(vp.OP_NOOP),
                          Arg(vp.ARG_RAW, size=64, shm=0)], [])[:-8]
    expect_error(lambda: c.call(vp.OP, body), vp.EINVAL, "malformed OP")
    works(c)
    check(mytestfunc(c, s, rd=64, wr=128) == b"", "region ops still work")
    c.close()


def t_flipping(a):
    """A client thread rewrites the whole region while calls use it: the
    agent must neither crash nor misbehave for others."""
    c = hello(a.addrs[0])
    _, m = with_region(c)
    s = c.sess_create(vp.PLUGIN_GENERIC)
    stop = threading.Event()
    flips = [0]

    def flip():
        v = 0
        while not stop.is_set():
            v = (v + 0x5b) & 0xff
            m[0:4096] = bytes([v]) * 4096
            flips[0] += 1

    t = threading.Thread(target=flip)
    t.start()
    try:
        for i in range(300):
            mytestfunc(c, s, rd=64, wr=128)
            mytestfunc(c, s, rd=1024 + 8 * (i % 64))
    finally:
        stop.set()
        t.join()
    check(flips[0] > 0, "the region was rewritten during the calls")
    m[64:68] = struct.pack("<i", 21)
    mytestfunc(c, s, rd=64, wr=128)
    check(struct.unpack("<i", m[128:132])[0] == 42, "42 after the flips")
    other = hello(a.addrs[0])
    works(other)
    other.close()
    c.close()


DYING = r"""
import os, struct, sys, time
sys.path.insert(0, sys.argv[1])
import vaccel_proto as vp
c = vp.Conn(sys.argv[2]); c.hello()
fd, m = vp.sealed_memfd(1 << 20)
c.shm_setup(fd, 1 << 20)
s = c.sess_create(vp.PLUGIN_GENERIC)
m[0:4] = struct.pack("<i", 3000)
c.send_frame(vp.OP, vp.op_body(s, [vp.u8(vp.OP_EXEC), vp.string(sys.argv[3]),
    vp.string("slowfn"), vp.Arg(vp.ARG_INT32, size=4, shm=0)],
    [vp.Arg(vp.ARG_INT32, size=4, flags=vp.ARG_INOUT, shm=64)]))
print("sent", flush=True)
time.sleep(60)
"""


def t_dying_client(a):
    """A client killed while its call runs on its region."""
    base = hello(a.addrs[0])
    p = subprocess.Popen([sys.executable, "-c", DYING,
                          os.path.dirname(os.path.abspath(__file__)),
                          a.addrs[0], SLOW], stdout=subprocess.PIPE)
    check(p.stdout.readline().strip() == b"sent", "the client sent its call")
    check(vp.wait_until(lambda: base.stats()["shm_bytes"] == MB),
          "the dying client's region is mapped")
    p.kill()
    p.wait()
    check(vp.wait_until(lambda: base.stats() == {
        "connections": 1, "unauthenticated": 0, "sessions": 0,
        "resources": 0, "upload_bytes": 0, "shm_bytes": 0,
        "shm_items": 0}), "nothing of the dead client stays: %r"
        % base.stats())
    works(base)
    fresh = hello(a.addrs[0])
    _, m = with_region(fresh)
    s = fresh.sess_create(vp.PLUGIN_GENERIC)
    m[64:68] = struct.pack("<i", 21)
    mytestfunc(fresh, s, rd=64, wr=128)
    check(struct.unpack("<i", m[128:132])[0] == 42, "a fresh client's region")
    fresh.close()
    base.close()


def main():
    a = agent("shm", tcp=True)
    off = agent("off", ["--no-shm"])
    tests = [
        ("offer", lambda: t_offer(a, off)),
        ("region ops", lambda: t_region_ops(a)),
        ("torch with a region input", lambda: t_torch_region(a)),
        ("SHM_SETUP refusals", lambda: t_setup_refusals(a)),
        ("stray descriptors", lambda: t_stray_descriptors(a)),
        ("bad region items", lambda: t_bad_items(a)),
        ("region rewritten during calls", lambda: t_flipping(a)),
        ("client killed mid-call", lambda: t_dying_client(a)),
    ]
    return run(tests, [a, off])


if __name__ == "__main__":
    sys.exit(main())
