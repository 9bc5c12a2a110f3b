# SPDX-License-Identifier: Apache-2.0
"""Protocol conformance: an independent client (vaccel_proto.py, written
from docs/protocol.md) drives every message and every documented error
against real vaccel-agent processes over UNIX and TCP sockets, and checks
each answer as the document states it.

Environment (set by meson): VACCEL_TEST_AGENT, VACCEL_TEST_AGENT_PLUGINS
(noop:exec[:torch]), VACCEL_TEST_MYTESTLIB (mytestfunc: out = 2 * in),
VACCEL_TEST_SLOWLIB (another library), VACCEL_TEST_CRASH_PLUGIN, and
VACCEL_TEST_TORCH (a directory with tiny_cnn.pt) when torch is built.
"""
import os
import socket
import struct
import sys
import tempfile
import time
import traceback

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import vaccel_proto as vp  # noqa: E402
from vaccel_proto import Arg, Closed, Conn, Error  # noqa: E402

ENV = os.environ
TMP = tempfile.mkdtemp(prefix="vaccel-conf-")
LIB = ENV.get("VACCEL_TEST_MYTESTLIB", "")
OTHER = ENV.get("VACCEL_TEST_SLOWLIB", "")
PLUGINS = ENV.get("VACCEL_TEST_AGENT_PLUGINS", "")
CRASH = ENV.get("VACCEL_TEST_CRASH_PLUGIN", "")
TORCH = ENV.get("VACCEL_TEST_TORCH", "")
TOKEN = b"conformance-token-0123456789"

failures = []
checks = 0


def check(cond, what):
    global checks
    checks += 1
    if not cond:
        raise AssertionError(what)


def expect_error(fn, code, msg=None, closed=None, conn=None):
    """Runs fn(); it must raise Error with `code` (and `msg` within the
    message). With `closed` the connection must (not) be closed after."""
    try:
        fn()
    except Error as e:
        check(e.code == code, "code %d (%s), expected %d" % (e.code, e.msg,
                                                             code))
        if msg is not None:
            check(msg in e.msg, "message %r lacks %r" % (e.msg, msg))
        if closed and conn is not None:
            check(conn.closed_by_peer(60),
                  "connection open after error %d" % code)
        return e
    raise AssertionError("no ERROR %d" % code)


def expect_closed(conn, what):
    check(conn.closed_by_peer(60), "%s: connection not closed" % what)


def unix_addr(name):
    return "unix://%s/%s.sock" % (TMP, name)


def agent(name, extra=(), plugins=PLUGINS, tcp=False, env=None):
    addrs = [unix_addr(name)] + (["tcp://127.0.0.1:0"] if tcp else [])
    return vp.Agent(addrs, plugins, ["--exec-allow", LIB] + list(extra),
                    env=env)


def session(c, flags=vp.PLUGIN_GENERIC):
    return c.sess_create(flags)


def mytestfunc(c, sess, lib=LIB, sym="mytestfunc"):
    (o,) = c.exec(sess, lib, sym, [vp.i32(21)], [vp.out(vp.ARG_INT32, 4)])
    return struct.unpack("<i", o)[0]


# --- section 1: framing ---

def t_framing(a):
    cases = [
        ("unknown type", lambda c: c.send_frame(0x55)),
        ("reply type", lambda c: c.send_frame(vp.STATS | vp.REPLY)),
        ("chunk reply type", lambda c: c.send_frame(vp.RES_CHUNK | vp.REPLY)),
        ("reserved flags", lambda c: c.send_frame(vp.STATS, flags=1)),
        ("over max frame", lambda c: c.send_frame(
            vp.OP, length=c.agent_max_frame + 1)),
        ("RES_CHUNK outside an upload", lambda c: c.send_frame(
            vp.RES_CHUNK, vp.chunk_body(0, 0, b"x"))),
    ]
    for what, send in cases:
        c = Conn(a.addrs[0])
        c.hello()
        send(c)
        expect_closed(c, what)
        c.close()
    # Before HELLO.
    c = Conn(a.addrs[0])
    c.send_frame(vp.STATS)
    expect_closed(c, "STATS before HELLO")
    # Replies echo req_id, whatever it is; in request order when
    # pipelined.
    c = Conn(a.addrs[0])
    c.hello()
    for rid in (0, 1 << 63, 7, 7):
        c.call(vp.STATS, req_id=rid)
    ids = [c.send_frame(vp.STATS, req_id=i) for i in (11, 12, 13)]
    for i in ids:
        c.wait(vp.STATS, i)
    c.close()


# --- section 2: handshake ---

def t_hello(a):
    c = Conn(a.addrs[0])
    c.hello(flags=0xfffffffe)          # unknown client bits are ignored
    check(c.agent_max_frame == 4 << 20, "agent max frame %d"
          % c.agent_max_frame)
    check(not c.agent_flags & vp.HELLO_AUTH, "AUTH flag without a token")
    check(c.agent_flags & vp.HELLO_SOLO, "SOLO flag")
    c.close()
    for what, body, code in [
            ("short", vp.hello_body()[:12], vp.EINVAL),
            ("long", vp.hello_body() + b"\0", vp.EINVAL),
            ("major 2", vp.hello_body(major=2), vp.ENOTSUP),
            ("magic", vp.hello_body(magic=0x12345678), vp.ENOTSUP),
            ("max_frame 4095", vp.hello_body(max_frame=4095), vp.EINVAL)]:
        c = Conn(a.addrs[0])
        expect_error(lambda: c.call(vp.HELLO, body), code, closed=True,
                     conn=c)
        c.close()
    # Minor versions may differ.
    c = Conn(a.addrs[0])
    c.hello(minor=7)
    c.close()
    # No body over 4 KiB before the handshake ends.
    c = Conn(a.addrs[0])
    c.send_frame(vp.HELLO, b"\0" * (vp.PREAUTH_MAX_BODY + 1))
    expect_closed(c, "HELLO of 4097 bytes")


def t_second_hello_resets(a):
    c = Conn(a.addrs[0])
    c.hello()
    s = session(c)
    c.hello()
    expect_error(lambda: c.sess_destroy(s), vp.ENOENT, "unknown session %d"
                 % s)
    check(c.stats()["sessions"] == 0, "sessions kept over a second HELLO")
    c.close()


def t_reply_limit(a):
    # A client asking for 4 GiB frames still gets replies of at most the
    # agent's own max frame.
    c = Conn(a.addrs[0])
    c.hello(max_frame=0xffffffff)
    s = session(c)
    expect_error(lambda: c.op(s, [vp.u8(vp.OP_EXEC), vp.string(LIB),
                                  vp.string("mytestfunc")],
                              [vp.out(vp.ARG_RAW, 5 << 20)]),
                 vp.EINVAL, "exceeds the frame limit")
    check(mytestfunc(c, session(c)) == 42, "connection usable")
    c.close()
    # And a client with a small limit gets nothing bigger.
    c = Conn(a.addrs[0])
    c.hello(max_frame=vp.FRAME_MIN)
    s = session(c)
    expect_error(lambda: c.exec(s, LIB, "mytestfunc", [vp.i32(1)],
                                [vp.out(vp.ARG_RAW, 8192)]),
                 vp.EINVAL, "exceeds the frame limit")
    c.close()


def t_auth():
    tok = os.path.join(TMP, "token")
    with open(tok, "wb") as f:
        f.write(TOKEN + b"\n")
    os.chmod(tok, 0o600)
    a = agent("auth", ["--token-file", tok], tcp=True)
    try:
        for addr in a.addrs:
            c = Conn(addr)
            c.hello()
            check(c.agent_flags & vp.HELLO_AUTH, "AUTH flag")
            expect_error(lambda: c.stats(), vp.EACCES,
                         "authentication required", closed=True, conn=c)
            for bad in (TOKEN[:-1] + b"X", TOKEN[:5], TOKEN + b"x"):
                c = Conn(addr)
                c.hello()
                expect_error(lambda: c.auth(bad), vp.EACCES,
                             "authentication failed", closed=True, conn=c)
            c = Conn(addr)
            c.hello()
            expect_error(lambda: c.auth(TOKEN, reserved=1), vp.EACCES,
                         closed=True, conn=c)
            c = Conn(addr)
            c.hello()
            expect_error(lambda: c.call(vp.AUTH, struct.pack("<II", 0, 0)),
                         vp.EACCES, closed=True, conn=c)
            c = Conn(addr)
            c.hello(token=TOKEN)
            check(mytestfunc(c, session(c)) == 42, "authenticated exec")
            # A second HELLO needs a new AUTH.
            c.hello()
            expect_error(lambda: c.stats(), vp.EACCES, closed=True, conn=c)
        check(a.stop() == 0, "agent exit status")
    finally:
        a.stop()
    # Without a token AUTH is a no-op.
    a = agent("noauth")
    try:
        c = Conn(a.addrs[0])
        c.hello()
        check(c.auth(b"anything") == b"", "AUTH without a token")
        c.close()
    finally:
        a.stop()


def t_handshake_limits():
    # A silent peer is dropped after the handshake timeout.
    a = agent("hs", ["--handshake-timeout", "1"])
    try:
        c = Conn(a.addrs[0])
        expect_closed(c, "silent peer past the handshake timeout")
    finally:
        a.stop()
    a = agent("hs2", ["--max-unauthenticated", "2", "--max-connections",
                      "3", "--admin-stats"])
    try:
        mon = Conn(a.addrs[0])
        mon.hello()
        # The oldest of too many handshaking peers is dropped for a new
        # one; the others may still finish their handshake.
        first, second = Conn(a.addrs[0]), Conn(a.addrs[0])
        check(vp.wait_until(lambda: mon.stats()["unauthenticated"] == 2),
              "two handshaking peers")
        third = Conn(a.addrs[0])
        expect_closed(first, "oldest handshaking peer")
        second.hello()
        third.hello()
        check(mon.stats()["connections"] == 3, "three served")
        # Served connections: --max-connections 3.
        extra = Conn(a.addrs[0])
        expect_error(lambda: extra.hello(), vp.EUSERS, "--max-connections",
                     closed=True, conn=extra)
        for x in (mon, second, third):
            x.close()
    finally:
        a.stop()


def admin(a):
    c = Conn(a.addrs[0])
    c.hello()
    st = c.stats()
    c.close()
    return st


def t_idle_timeout():
    a = agent("idle", ["--idle-timeout", "1"])
    try:
        bare, busy = Conn(a.addrs[0]), Conn(a.addrs[0])
        bare.hello()
        busy.hello()
        s = session(busy)
        expect_closed(bare, "idle connection without state")
        # One that holds a session is never closed for idling: it works
        # after the other one was dropped.
        check(mytestfunc(busy, s) == 42, "stateful connection kept")
        busy.close()
    finally:
        a.stop()


# --- section 4: sessions ---

def t_sessions():
    a = agent("sess", ["--max-sessions", "2"])
    try:
        c = Conn(a.addrs[0])
        c.hello()
        expect_error(lambda: c.call(vp.SESS_CREATE, b"\0\0"), vp.EINVAL,
                     "malformed")
        s1 = c.sess_create(vp.PLUGIN_GENERIC | vp.PLUGIN_REMOTE)
        check(mytestfunc(c, s1) == 42, "REMOTE is cleared by the agent")
        s2 = c.sess_create(0)
        expect_error(lambda: c.sess_create(0), vp.EUSERS)
        check(c.sess_update(s2, vp.PLUGIN_GENERIC) == b"", "update")
        for bad in (0, -1, s1 + 1000, 1 << 62):
            expect_error(lambda: c.sess_update(bad, 0), vp.ENOENT,
                         "unknown session %d" % bad)
            expect_error(lambda: c.sess_destroy(bad), vp.ENOENT,
                         "unknown session %d" % bad)
        expect_error(lambda: c.call(vp.SESS_UPDATE, struct.pack("<q", s2)),
                     vp.EINVAL)
        expect_error(lambda: c.call(vp.SESS_DESTROY, b"\0" * 9), vp.EINVAL)
        check(c.sess_destroy(s2) == b"", "destroy")
        expect_error(lambda: c.sess_destroy(s2), vp.ENOENT)
        check(c.sess_create(0) > 0, "a destroyed session frees its slot")
        # Ids are per connection.
        d = Conn(a.addrs[0])
        d.hello()
        expect_error(lambda: d.sess_destroy(s1), vp.ENOENT,
                     "unknown session %d" % s1)
        d.close()
        c.close()
    finally:
        a.stop()


# --- section 5: resources ---

def t_resources():
    a = agent("res", ["--max-resources", "3", "--max-upload-bytes",
                      "200000"])
    try:
        c = Conn(a.addrs[0])
        c.hello()
        s, s2 = session(c), session(c)
        data = bytes(range(256)) * 40
        r = c.upload(s, vp.RES_DATA, [(vp.BLOB_BUFFER, "a.bin", data)],
                     chunk=1000)
        check(c.sync(s, r) == [data], "sync returns the bytes")
        check(c.link(s2, r) == r, "link")
        expect_error(lambda: c.link(s2, r), vp.EEXIST, "already registered")
        check(c.stats()["resources"] == 1, "one resource")
        # Two file blobs.
        f = c.upload(s, vp.RES_DATA, [(vp.BLOB_FILE, "x", b"1" * 5000),
                                      (vp.BLOB_FILE, "y", b"")])
        check(c.sync(s, f) == [b"1" * 5000, b""], "file blobs")
        # Refusals up front: the chunks that follow are dropped and the
        # connection goes on.
        for what, sess, blobs, rtype, code, reserved in [
                ("unknown session", 999, [(0, b"n", 10)], vp.RES_DATA,
                 vp.ENOENT, 0),
                ("reserved", s, [(0, b"n", 10)], vp.RES_DATA, vp.EINVAL, 1),
                ("slash", s, [(0, b"a/b", 10)], vp.RES_DATA, vp.EINVAL, 0),
                ("dotdot", s, [(0, b"..", 10)], vp.RES_DATA, vp.EINVAL, 0),
                ("nul", s, [(0, b"a\0b", 10)], vp.RES_DATA, vp.EINVAL, 0),
                ("blob type", s, [(7, b"n", 10)], vp.RES_DATA, vp.EINVAL, 0),
                ("res type", s, [(0, b"n", 10)], 9, vp.EINVAL, 0),
                ("duplicate", s, [(0, b"n", 10), (0, b"n", 10)],
                 vp.RES_DATA, vp.EEXIST, 0),
                ("bytes", s, [(0, b"n", 300000)], vp.RES_DATA, vp.ENOSPC, 0)]:
            body = vp.res_register_body(sess, 0, rtype, blobs, reserved)
            rid = c.send_frame(vp.RES_REGISTER, body)
            for i, (_, _, size) in enumerate(blobs):
                for off in range(0, min(size, 30000), 10000):
                    c.send_frame(vp.RES_CHUNK, vp.chunk_body(
                        i, off, b"z" * min(10000, size - off)), req_id=rid)
            e = expect_error(lambda: c.wait(vp.RES_REGISTER, rid), code)
            if code == vp.EEXIST:
                check(TMP not in e.msg and "/" not in e.msg,
                      "EEXIST names no host path: %r" % e.msg)
            check(c.stats()["resources"] == 2, "%s: nothing kept" % what)
        # New without blobs, link with blobs: malformed.
        expect_error(lambda: c.call(vp.RES_REGISTER, vp.res_register_body(
            s, 0, vp.RES_DATA, [])), vp.EINVAL)
        expect_error(lambda: c.call(vp.RES_REGISTER, vp.res_register_body(
            s, r, vp.RES_DATA, [(0, b"n", 1)])), vp.EINVAL)
        expect_error(lambda: c.link(s, 4242), vp.ENOENT,
                     "unknown resource 4242")
        # The resource limit.
        c.upload(s, vp.RES_DATA, [(vp.BLOB_BUFFER, "b", b"b")])
        expect_error(lambda: c.upload(s, vp.RES_DATA,
                                      [(vp.BLOB_BUFFER, "c", b"c")]),
                     vp.EUSERS)
        # Unregister and sync errors.
        for t in (vp.RES_UNREGISTER, vp.RES_SYNC):
            expect_error(lambda: c.res_req(t, 999, r), vp.ENOENT,
                         "unknown session 999")
            expect_error(lambda: c.res_req(t, s, 999), vp.ENOENT,
                         "unknown resource 999")
            expect_error(lambda: c.call(t, b"\0" * 15), vp.EINVAL)
        check(c.res_req(vp.RES_UNREGISTER, s, r) == b"", "unregister")
        expect_error(lambda: c.res_req(vp.RES_UNREGISTER, s, r), vp.EPERM)
        check(c.res_req(vp.RES_UNREGISTER, s2, r) == b"", "unregister 2")
        expect_error(lambda: c.sync(s, r), vp.ENOENT,
                     "unknown resource %d" % r)
        check(c.stats()["resources"] == 2, "released with its last session")
        c.close()
    finally:
        a.stop()


def t_upload_violations():
    a = agent("up", ["--admin-stats"])
    try:
        upload_violations(a)
    finally:
        a.stop()


def upload_violations(a):
    def upload_then(send_bad):
        c = Conn(a.addrs[0])
        c.hello()
        s = session(c)
        rid = c.send_frame(vp.RES_REGISTER, vp.res_register_body(
            s, 0, vp.RES_DATA, [(vp.BLOB_FILE, b"f", 3 << 20)]))
        c.send_frame(vp.RES_CHUNK, vp.chunk_body(0, 0, b"a" * 100),
                     req_id=rid)
        send_bad(c, rid)
        return c

    for what, bad in [
            ("chunk out of order", lambda c, rid: c.send_frame(
                vp.RES_CHUNK, vp.chunk_body(0, 5000, b"a"), req_id=rid)),
            ("wrong blob", lambda c, rid: c.send_frame(
                vp.RES_CHUNK, vp.chunk_body(1, 100, b"a"), req_id=rid)),
            ("empty chunk", lambda c, rid: c.send_frame(
                vp.RES_CHUNK, vp.chunk_body(0, 100, b""), req_id=rid)),
            ("chunk over 1 MiB", lambda c, rid: c.send_frame(
                vp.RES_CHUNK, vp.chunk_body(0, 100, b"a" * (vp.CHUNK_MAX + 1)),
                req_id=rid)),
            ("chunk reserved", lambda c, rid: c.send_frame(
                vp.RES_CHUNK, vp.chunk_body(0, 100, b"a", reserved=1),
                req_id=rid)),
            ("foreign req_id", lambda c, rid: c.send_frame(
                vp.RES_CHUNK, vp.chunk_body(0, 100, b"a"), req_id=rid + 1)),
            ("other frame", lambda c, rid: c.send_frame(vp.STATS))]:
        c = upload_then(bad)
        expect_closed(c, what)
        c.close()
    check(vp.wait_until(lambda: admin(a)["upload_bytes"] == 0),
          "partial uploads released")


# --- section 6: ops ---

def t_ops(addr):
    c = Conn(addr)
    c.hello()
    s = session(c)
    check(c.op(s, [vp.u8(vp.OP_NOOP)]) == [], "NOOP")
    check(c.op(session(c, 0), [Arg(vp.ARG_INT32, struct.pack("<i", 0))])
          == [], "4-byte op type")
    check(mytestfunc(c, s) == 42, "EXEC")
    # INOUT data travels with the request.
    (o,) = c.exec(s, LIB, "mytestfunc", [vp.i32(5)],
                  [vp.out(vp.ARG_INT32, 4, vp.ARG_INOUT, b"\x07\0\0\0")])
    check(struct.unpack("<i", o)[0] == 10, "INOUT")
    # Malformed bodies.
    good = vp.op_body(s, [vp.u8(0)], [])
    for what, body in [
            ("short", good[:10]),
            ("no read args", vp.op_body(s, [], [])),
            ("1025 read args", struct.pack("<qII", s, 1025, 0)),
            ("descriptors past the body", struct.pack("<qII", s, 3, 0)),
            ("read flags", vp.op_body(s, [Arg(vp.ARG_UINT8, b"\0",
                                              flags=vp.ARG_INOUT)], [])),
            ("write flags", vp.op_body(s, [vp.u8(0)],
                                       [Arg(vp.ARG_INT32, size=4, flags=2)])),
            ("arg type", vp.op_body(s, [Arg(vp.ARG_TYPES, b"\0")], [])),
            ("no padding", vp.op_body(s, [vp.u8(0), vp.i32(1)], [],
                                      pad=False)),
            ("trailing bytes", good + b"\0" * 8),
            ("op type size", vp.op_body(s, [Arg(vp.ARG_RAW, b"\0\0")], []))]:
        expect_error(lambda: c.call(vp.OP, body), vp.EINVAL, None)
    expect_error(lambda: c.op(999, [vp.u8(0)]), vp.ENOENT,
                 "unknown session 999")
    expect_error(lambda: c.op(s, [vp.u8(vp.OP_TF_MODEL_RUN)]), vp.ENOTSUP)
    # The exec policy.
    expect_error(lambda: mytestfunc(c, s, lib=OTHER), vp.EPERM,
                 "not in the agent's exec allow-list")
    expect_error(lambda: mytestfunc(c, s, lib="/nonexistent/lib.so"),
                 vp.EPERM, "not in the agent's exec allow-list")
    for sym in ("abort", "exit", "system", "printf"):
        expect_error(lambda: mytestfunc(c, s, sym=sym), vp.EPERM)
    expect_error(lambda: mytestfunc(c, s, sym="no_such_function"),
                 vp.ENOSYS)
    embedded = Arg(vp.ARG_STRING, LIB.encode() + b"\0junk\0")
    expect_error(lambda: c.op(s, [vp.u8(vp.OP_EXEC), embedded,
                                  vp.string("mytestfunc"), vp.i32(1)],
                              [vp.out(vp.ARG_INT32, 4)]), vp.EINVAL)
    # EXEC_WITH_RESOURCE: an uploaded copy of the allowed file runs; another
    # library under the same name does not.
    with open(LIB, "rb") as f:
        lib_bytes = f.read()
    with open(OTHER, "rb") as f:
        other_bytes = f.read()
    name = os.path.basename(LIB)
    for blob in (vp.BLOB_FILE, vp.BLOB_BUFFER):
        r = c.upload(s, vp.RES_LIB, [(blob, name, lib_bytes)])
        (o,) = c.op(s, [vp.u8(vp.OP_EXEC_WITH_RESOURCE), vp.i64(r),
                        vp.string("mytestfunc"), vp.i32(4)],
                    [vp.out(vp.ARG_INT32, 4)])
        check(struct.unpack("<i", o)[0] == 8, "uploaded copy runs")
        expect_error(lambda: c.op(s, [vp.u8(vp.OP_EXEC_WITH_RESOURCE),
                                      vp.i64(r), vp.string("abort")]),
                     vp.EPERM)
        r2 = c.upload(s, vp.RES_LIB, [(blob, name, other_bytes)])
        expect_error(lambda: c.op(s, [vp.u8(vp.OP_EXEC_WITH_RESOURCE),
                                      vp.i64(r2), vp.string("mytestfunc"),
                                      vp.i32(4)], [vp.out(vp.ARG_INT32, 4)]),
                     vp.EPERM, "may not run")
        for x in (r, r2):
            c.res_req(vp.RES_UNREGISTER, s, x)
    expect_error(lambda: c.op(s, [vp.u8(vp.OP_EXEC_WITH_RESOURCE),
                                  vp.i64(777), vp.string("mytestfunc")]),
                 vp.ENOENT, "unknown resource 777")
    expect_error(lambda: c.op(s, [vp.u8(vp.OP_EXEC_WITH_RESOURCE),
                                  vp.i32(1), vp.string("mytestfunc")]),
                 vp.EINVAL, "INT64 resource id")
    check(mytestfunc(c, s) == 42, "still usable")
    c.close()


def t_pipelining(addr):
    """Section 1, "Request ids and ordering": ops pipelined on one
    connection are answered by req_id; a barrier is answered after them;
    SOLO is allowed on OP only; a running op's id is refused."""
    c = Conn(addr)
    c.hello()
    s = session(c)
    ids = {}
    for x in range(50):
        body = vp.op_body(s, [vp.u8(vp.OP_EXEC), vp.string(LIB),
                              vp.string("mytestfunc"), vp.i32(x)],
                          [vp.out(vp.ARG_INT32, 4)])
        ids[c.send_frame(vp.OP, body, req_id=1000 + x,
                         flags=vp.FLAG_SOLO if x % 2 else 0)] = x
    stats = c.send_frame(vp.STATS, req_id=5000)
    for _ in range(50):
        rtype, rid, body = c.recv_frame()
        check(rtype == vp.OP | vp.REPLY and rid in ids,
              "reply 0x%x for %d" % (rtype, rid))
        (o,) = vp.parse_sized(body[vp.PREFIX.size:])
        check(struct.unpack("<i", o)[0] == 2 * ids.pop(rid),
              "result of request %d" % rid)
    rtype, rid, _ = c.recv_frame()
    check(rtype == vp.STATS | vp.REPLY and rid == stats,
          "the barrier after the ops")
    c.close()
    c = Conn(addr)
    c.hello()
    c.send_frame(vp.SESS_CREATE, struct.pack("<I", 0), flags=vp.FLAG_SOLO)
    check(c.closed_by_peer(), "SOLO on SESS_CREATE closes")
    c.close()


def t_symbol_list():
    a = agent("syms", ["--exec-allow", OTHER + ":nothing_here,also_not"])
    try:
        c = Conn(a.addrs[0])
        c.hello()
        s = session(c)
        check(mytestfunc(c, s) == 42, "a library without a list")
        e = expect_error(lambda: mytestfunc(c, s, lib=OTHER, sym="slowfn"),
                         vp.EPERM, "allow-list for this library")
        check(OTHER not in e.msg, "no path in the message")
        c.close()
    finally:
        a.stop()


def t_torch(a):
    c = Conn(a.addrs[0])
    c.hello()
    s = session(c, vp.PLUGIN_TORCH if TORCH else 0)
    expect_error(lambda: c.res_req(vp.TORCH_LOAD, s, 5), vp.ENOENT,
                 "unknown resource 5")
    expect_error(lambda: c.res_req(vp.TORCH_LOAD, 999, 5), vp.ENOENT,
                 "unknown session 999")
    expect_error(lambda: c.call(vp.TORCH_LOAD, b"\0"), vp.EINVAL)
    expect_error(lambda: c.call(vp.TORCH_RUN, b"\0" * 31), vp.EINVAL)
    expect_error(lambda: c.torch_run(s, 5, [], 1), vp.ENOENT)
    if TORCH:
        with open(os.path.join(TORCH, "tiny_cnn.pt"), "rb") as f:
            model = f.read()
        m = c.upload(s, vp.RES_MODEL, [(vp.BLOB_FILE, "tiny_cnn.pt", model)])
        c.res_req(vp.TORCH_LOAD, s, m)
        x = struct.pack("<%df" % (3 * 32 * 32), *([0.5] * (3 * 32 * 32)))
        outs = c.torch_run(s, m, [(vp.TORCH_FLOAT, [1, 3, 32, 32], x)], 1)
        check(len(outs) == 1 and outs[0][0] == vp.TORCH_FLOAT, "run")
        check(len(outs[0][2]) == 4 * eval_dims(outs[0][1]), "output size")
        # A tensor whose size does not match its shape.
        expect_error(lambda: c.torch_run(
            s, m, [(vp.TORCH_FLOAT, [1, 3, 32, 32], x[:-4])], 1), vp.EINVAL)
    c.close()


def eval_dims(dims):
    n = 1
    for d in dims:
        n *= d
    return n


# --- section 7: STATS and PROF ---

def t_stats_prof(a):
    c, other = Conn(a.addrs[0]), Conn(a.addrs[0])
    c.hello()
    other.hello()
    for _ in range(3):
        session(other)
    other.upload(session(other), vp.RES_DATA,
                 [(vp.BLOB_BUFFER, "o", b"o" * 1000)])
    s = session(c)
    st = c.stats()
    check(st == {"connections": 1, "unauthenticated": 0, "sessions": 1,
                 "resources": 0, "upload_bytes": 0, "shm_bytes": 0,
                 "shm_items": 0},
          "STATS shows only the caller's connection: %r" % st)
    mytestfunc(c, s)
    regions = c.prof()
    check(regions["rpc_agent_exec"][1] == 1, "PROF counts the op")
    expect_error(lambda: c.call(vp.STATS, b"x"), vp.EINVAL,
                 "STATS takes no body")
    expect_error(lambda: c.call(vp.PROF, b"x"), vp.EINVAL,
                 "PROF takes no body")
    c.close()
    other.close()


def t_admin_stats():
    a = agent("admin", ["--admin-stats"])
    try:
        c, d = Conn(a.addrs[0]), Conn(a.addrs[0])
        c.hello()
        d.hello()
        session(d)
        d.upload(session(d), vp.RES_DATA, [(vp.BLOB_BUFFER, "o", b"o" * 10)])
        silent = Conn(a.addrs[0])
        vp.wait_until(lambda: c.stats()["unauthenticated"] == 1)
        st = c.stats()
        check(st == {"connections": 2, "unauthenticated": 1, "sessions": 2,
                     "resources": 1, "upload_bytes": 10, "shm_bytes": 0,
                     "shm_items": 0},
              "admin STATS: %r" % st)
        for x in (c, d, silent):
            x.close()
    finally:
        a.stop()


# --- section 3: a worker that dies ---

def t_worker_death():
    if not CRASH:
        print("skip worker death: no crash plugin")
        return
    a = agent("crash", plugins=CRASH + ":" + PLUGINS)
    try:
        bystander = Conn(a.addrs[0])
        bystander.hello()
        bs = session(bystander)
        for mode in ("segv", "abort", "exit", "kill"):
            c = Conn(a.addrs[0])
            c.hello()
            s = session(c, vp.PLUGIN_DEBUG)
            check(c.exec(s, "crash", "ok", [], [vp.out(vp.ARG_INT32, 4)])
                  == [struct.pack("<i", 42)], "crash plugin reached")
            e = expect_error(lambda: c.exec(s, "crash", mode), vp.ESESS,
                             "worker", closed=True, conn=c)
            check("OP" in e.msg, "message names the request: %r" % e.msg)
            check(mytestfunc(bystander, bs) == 42,
                  "another connection after %s" % mode)
        check(a.alive(), "agent alive")
    finally:
        a.stop()


# --- every listener kind ---

def t_listeners():
    """unix, abstract unix, tcp, hybrid vsock (the VMM's side: a UNIX
    socket at PATH_PORT), virtio-serial (QEMU's chardev socket: SYNC
    first) and vsock where the host kernel has vsock loopback."""
    hv = os.path.join(TMP, "hv.sock")
    addrs = [unix_addr("kinds"), "unix://@vaccel-conf-%d" % os.getpid(),
             "tcp://127.0.0.1:0", "hvsock://%s:2048" % hv,
             "virtio://%s/chardev.sock" % TMP]
    vsock = hasattr(socket, "AF_VSOCK")
    if vsock:
        try:
            probe = socket.socket(socket.AF_VSOCK, socket.SOCK_STREAM)
            probe.bind((socket.VMADDR_CID_ANY, socket.VMADDR_PORT_ANY))
            port = probe.getsockname()[1]
            probe.close()
            addrs.append("vsock://any:%d" % port)
        except OSError:
            vsock = False
    try:
        a = vp.Agent(addrs, PLUGINS, ["--exec-allow", LIB])
    except RuntimeError:
        if not vsock:
            raise
        # No vsock here after all: the rest without it.
        vsock = False
        a = vp.Agent(addrs[:-1], PLUGINS, ["--exec-allow", LIB])
    try:
        targets = [("unix", a.addrs[0]), ("abstract", addrs[1]),
                   ("tcp", [x for x in a.addrs if x.startswith("tcp")][0]),
                   ("hvsock", "unix://%s_2048" % hv),
                   ("virtio", addrs[4])]
        for kind, addr in targets:
            c = Conn(addr)
            if kind == "virtio":
                c.sock.sendall(vp.sync_marker(vp.SYNC_TAG, 9))
                check(c.recv_exact(32) == vp.sync_marker(vp.ACK_TAG, 9),
                      "virtio ACK")
            c.hello()
            check(mytestfunc(c, session(c)) == 42, "exec over %s" % kind)
            c.close()
        if vsock:
            s = socket.socket(socket.AF_VSOCK, socket.SOCK_STREAM)
            try:
                s.connect((1, int(addrs[-1].rsplit(":", 1)[1])))
            except OSError as e:
                print("vsock: no loopback on this host (%s)" % e)
                s = None
            if s:
                c = Conn(a.addrs[0])
                c.sock.close()
                c.sock = s
                c.hello()
                check(mytestfunc(c, session(c)) == 42, "exec over vsock")
                c.close()
        else:
            print("vsock: AF_VSOCK not usable on this host")
    finally:
        a.stop()


# --- section 9: SYNC on a socket connection ---

def t_sync_on_socket(a):
    c = Conn(a.addrs[0])
    c.sock.sendall(vp.sync_marker(vp.SYNC_TAG, 0x1122334455667788))
    check(c.recv_exact(32) == vp.sync_marker(vp.ACK_TAG, 0x1122334455667788),
          "ACK echoes the nonce")
    c.hello()
    s = session(c)
    # A SYNC at a frame boundary resets the connection.
    c.sock.sendall(vp.sync_marker(vp.SYNC_TAG, 5))
    check(c.recv_exact(32) == vp.sync_marker(vp.ACK_TAG, 5), "second ACK")
    c.hello()
    expect_error(lambda: c.sess_destroy(s), vp.ENOENT)
    c.close()
    c = Conn(a.addrs[0])
    c.sock.sendall(vp.SYNC_BREAK + b"vAcRNOPE" + b"\0" * 8)
    expect_closed(c, "a 0xff header that is not a SYNC")


def main():
    for v in ("VACCEL_TEST_AGENT", "VACCEL_TEST_AGENT_PLUGINS",
              "VACCEL_TEST_MYTESTLIB", "VACCEL_TEST_SLOWLIB"):
        if not ENV.get(v):
            print("missing %s" % v)
            return 1
    shared = agent("shared", tcp=True)
    tests = [
        ("framing", lambda: t_framing(shared)),
        ("hello", lambda: t_hello(shared)),
        ("second hello", lambda: t_second_hello_resets(shared)),
        ("reply limit", lambda: t_reply_limit(shared)),
        ("auth", t_auth),
        ("handshake limits", t_handshake_limits),
        ("idle timeout", t_idle_timeout),
        ("sessions", t_sessions),
        ("resources", t_resources),
        ("upload violations", t_upload_violations),
        ("ops (unix)", lambda: t_ops(shared.addrs[0])),
        ("ops (tcp)", lambda: t_ops(shared.addrs[1])),
        ("pipelining", lambda: t_pipelining(shared.addrs[0])),
        ("symbol list", t_symbol_list),
        ("torch", lambda: t_torch(shared)),
        ("stats and prof", lambda: t_stats_prof(shared)),
        ("admin stats", t_admin_stats),
        ("worker death", t_worker_death),
        ("every listener kind", t_listeners),
        ("sync on a socket", lambda: t_sync_on_socket(shared)),
    ]
    return run(tests, [shared])


def run(tests, agents):
    """Runs (name, fn) tests in order while agents[0] lives, then stops
    every agent (a non-zero exit status fails the run); the exit status."""
    try:
        for name, fn in tests:
            t0 = time.monotonic()
            try:
                fn()
                print("ok   %s (%.1f s)" % (name, time.monotonic() - t0))
            except Exception:
                failures.append(name)
                print("FAIL %s" % name)
                traceback.print_exc()
            if not agents[0].alive():
                failures.append("agent died")
                break
    finally:
        for a in agents:
            rc = a.stop()
            if rc != 0:
                failures.append("agent exit status %s" % rc)
    print("%d checks, %d tests, %d failed" % (checks, len(tests),
                                             len(failures)))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
