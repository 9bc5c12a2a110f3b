# SPDX-License-Identifier: Apache-2.0
"""The attack suite: a hostile guest against a real vaccel-agent.

Each attack is followed by the same checks, all of them on state, none on
time: the agent is alive; a well-behaved client on another connection (one
that has been connected since the start, and a fresh one) still gets
correct results; and the agent is back at its baseline: no worker but the
good client's, no connection in its handshake, no session, resource or
uploaded byte but the good client's, the supervisor's fds and the work
directory as before, and the supervisor's resident memory within a small
margin of where it started.

Attacks: truncated and lying frames, foreign ids, slowloris (before and
after the handshake), 300 idle connections, 5 rounds of 500 silent peers
(memory must stay flat), half uploads, 1000 connect/disconnect cycles, exec
of libc functions through an allowed library, a crafted model and exec
calls that crash a plugin (segfault, abort, exit, SIGKILL as the OOM killer
sends it), a worker killed from outside, and a crash on a virtio-serial
channel (the channel lives on).

Environment: as tests/protocol/conformance.py, plus VACCEL_TEST_CRASH_PLUGIN.
"""
import os
import signal
import struct
import sys
import tempfile
import time
import traceback

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "protocol"))
import vaccel_proto as vp  # noqa: E402
from vaccel_proto import Closed, Conn, Error  # noqa: E402

ENV = os.environ
LIB = ENV.get("VACCEL_TEST_MYTESTLIB", "")
TMP = tempfile.mkdtemp(prefix="vaccel-attack-")
# Resident memory the supervisor may keep above its baseline after an
# attack: allocator slack, not per-connection state (one connection's
# state alone is larger than this times nothing: 300 connections would
# need 300 x this).
RSS_SLACK_KB = 1024
# Idle workers the agent keeps forked in advance (--spare-workers).
SPARES = 2


def sanitized(pid):
    """AddressSanitizer keeps freed memory in quarantine: the supervisor's
    RSS then says nothing about what it holds."""
    with open("/proc/%d/maps" % pid) as f:
        return "libasan" in f.read()


def rss_kb(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def proc_state(pid):
    try:
        with open("/proc/%d/stat" % pid) as f:
            return f.read().rsplit(")", 1)[1].split()[0]
    except OSError:
        return "gone"


def nr_fds(pid):
    return len(os.listdir("/proc/%d/fd" % pid))


def tree(path):
    out = []
    for root, dirs, files in os.walk(path):
        for n in dirs + files:
            out.append(os.path.relpath(os.path.join(root, n), path))
    return sorted(out)


class Suite:
    def __init__(self):
        self.workdir_parent = os.path.join(TMP, "tmp")
        os.mkdir(self.workdir_parent)
        plugins = ENV["VACCEL_TEST_CRASH_PLUGIN"] + ":" + \
            ENV["VACCEL_TEST_AGENT_PLUGINS"]
        self.unix = "unix://%s/agent.sock" % TMP
        self.virtio = "virtio://%s/chardev.sock" % TMP
        self.agent = vp.Agent(
            [self.unix, "tcp://127.0.0.1:0", self.virtio], plugins,
            ["--exec-allow", LIB, "--admin-stats", "--handshake-timeout",
             "2", "--spare-workers", str(SPARES)],
            env={"TMPDIR": self.workdir_parent,
                        "VACCEL_LOG_LEVEL": "1"})
        self.tcp = self.agent.addrs[1]
        self.workdir = [os.path.join(self.workdir_parent, d)
                        for d in os.listdir(self.workdir_parent)
                        if d.startswith("vaccel-agent.")][0]
        # The well-behaved client, connected for the whole run.
        self.good = Conn(self.unix)
        self.good.hello()
        self.good_sess = self.good.sess_create(vp.PLUGIN_GENERIC)
        self.good_data = os.urandom(10000)
        self.good_res = self.good.upload(
            self.good_sess, vp.RES_DATA,
            [(vp.BLOB_FILE, "good.bin", self.good_data)])
        self.check_good()
        self.settle()
        self.base = self.snapshot()
        self.base_rss = rss_kb(self.agent.pid)
        self.peak_rss = self.base_rss
        self.check_rss = not sanitized(self.agent.pid)
        if not self.check_rss:
            print("the agent runs under AddressSanitizer: its RSS is "
                  "reported, not checked")

    def snapshot(self):
        st = self.admin_stats()
        return {
            "workers": len(self.agent.workers()),
            "fds": nr_fds(self.agent.pid),
            "files": tree(self.workdir),
            "stats": st,
        }

    def admin_stats(self):
        st = self.good.stats()
        # The asking connection is the good client's own.
        return st

    def settle(self):
        """Waits until no connection but the good one is left (its worker
        and the spares are the agent's only children)."""
        def settled():
            # STATS first: once it shows only the good connection, every
            # other worker has been reaped, and the children left are the
            # good client's worker and the spares.
            # The fds last: a spare being forked is a live child while
            # the supervisor still holds both ends of its socket pair, so
            # the baseline is a count that holds for a while, and later
            # counts must come back to it.
            st = self.admin_stats()
            if not (st["unauthenticated"] == 0 and
                    st["connections"] == 1 and
                    len(self.agent.workers()) == 1 + SPARES):
                return False
            if hasattr(self, "base"):
                return nr_fds(self.agent.pid) == self.base["fds"]
            fds = nr_fds(self.agent.pid)
            time.sleep(0.2)
            return nr_fds(self.agent.pid) == fds

        assert vp.wait_until(settled), \
            "the agent did not settle: %d workers, %d fds, %r" % (
                len(self.agent.workers()), nr_fds(self.agent.pid),
                self.admin_stats())

    def check_good(self):
        (o,) = self.good.exec(self.good_sess, LIB, "mytestfunc",
                              [vp.i32(21)], [vp.out(vp.ARG_INT32, 4)])
        assert struct.unpack("<i", o)[0] == 42, "good client: wrong result"
        assert self.good.sync(self.good_sess, self.good_res) == \
            [self.good_data], "good client: its resource changed"
        # And a client that connects now.
        for addr in (self.unix, self.tcp):
            c = Conn(addr)
            c.hello()
            s = c.sess_create(vp.PLUGIN_GENERIC)
            (o,) = c.exec(s, LIB, "mytestfunc", [vp.i32(-8)],
                          [vp.out(vp.ARG_INT32, 4)])
            assert struct.unpack("<i", o)[0] == -16, "fresh client"
            c.close()

    def after(self, what):
        """The checks every attack is followed by."""
        assert self.agent.alive(), "agent died after %s" % what
        self.check_good()
        self.settle()
        now = self.snapshot()
        for k in ("workers", "fds", "files", "stats"):
            assert now[k] == self.base[k], "%s: %s %r, baseline %r" % (
                what, k, now[k], self.base[k])
        rss = rss_kb(self.agent.pid)
        self.peak_rss = max(self.peak_rss, rss)
        assert not self.check_rss or rss <= self.base_rss + RSS_SLACK_KB, \
            "%s: supervisor RSS %d KiB, baseline %d KiB" % (
                what, rss, self.base_rss)
        return rss


def bad_frames(s):
    raw = [
        # Truncated: 100 body bytes announced, 10 sent, then EOF.
        vp.HDR.pack(100, vp.OP, 0, 1) + b"\0" * 10,
        # Lying lengths: far more than the limit, or than is ever sent.
        vp.HDR.pack(0xffffffff, vp.OP, 0, 1),
        vp.HDR.pack(4 << 20, vp.RES_REGISTER, 0, 1) + b"x" * 100,
        b"\x00" * 64,
        os.urandom(256),
    ]
    for before_hello in (True, False):
        for b in raw:
            c = Conn(s.unix)
            if not before_hello:
                c.hello()
            c.sock.sendall(b)
            c.sock.shutdown(1)
            assert c.closed_by_peer(60), "bad frame left the connection open"
            c.close()
    # Lying bodies inside well-formed frames: an error, the connection goes
    # on, nothing is kept.
    c = Conn(s.unix)
    c.hello()
    sess = c.sess_create(vp.PLUGIN_GENERIC)
    lies = [
        struct.pack("<qII", sess, 1000, 1000),           # counts
        vp.op_body(sess, [vp.Arg(vp.ARG_UINT8, b"\0", size=1 << 40)], []),
        vp.res_register_body(sess, 0, vp.RES_DATA,
                             [(0, b"n", 1 << 62), (0, b"m", 1 << 62)]),
    ]
    for body in lies[:2]:
        try:
            c.call(vp.OP, body)
            raise AssertionError("lying OP accepted")
        except Error as e:
            assert e.code == vp.EINVAL, e
    try:
        c.call(vp.RES_REGISTER, lies[2])
        raise AssertionError("lying RES_REGISTER accepted")
    except Error as e:
        assert e.code in (vp.EINVAL, vp.ENOSPC), e
    c.close()


def foreign_ids(s):
    c = Conn(s.tcp)
    c.hello()
    own = c.sess_create(0)
    for sid in (s.good_sess, s.good_sess + 1, 0, -1, 1 << 62):
        if sid == own:
            continue
        for fn in (lambda: c.sess_destroy(sid),
                   lambda: c.res_req(vp.RES_SYNC, sid, s.good_res),
                   lambda: c.op(sid, [vp.u8(0)])):
            try:
                fn()
                raise AssertionError("foreign session %d accepted" % sid)
            except Error as e:
                assert e.code == vp.ENOENT and e.msg == \
                    "unknown session %d" % sid, e
    for rid in (s.good_res, s.good_res + 1, 0, -5):
        try:
            c.sync(own, rid)
            raise AssertionError("foreign resource %d accepted" % rid)
        except Error as e:
            assert e.code == vp.ENOENT and e.msg == \
                "unknown resource %d" % rid, e
    c.close()


def slowloris(s):
    # Before the handshake: a HELLO one byte at a time, slower than the
    # handshake timeout allows. The good client is served meanwhile.
    hello = vp.HDR.pack(16, vp.HELLO, 0, 1) + vp.hello_body()
    slow = [Conn(s.unix) for _ in range(20)]
    for i in range(3):
        for c in slow:
            try:
                c.sock.send(hello[i:i + 1])
            except OSError:
                pass
        s.check_good()
        time.sleep(1)
    for c in slow:
        assert c.closed_by_peer(60), "slowloris peer kept"
        c.close()
    # After the handshake: a body dribbled in costs its own worker only.
    c = Conn(s.unix)
    c.hello()
    c.sock.send(vp.HDR.pack(1000, vp.STATS, 0, 9) + b"\0")
    s.check_good()
    c.close()


def idle_connections(s):
    idle = [Conn(s.unix if i % 2 else s.tcp) for i in range(300)]
    # The agent holds at most 64 of them; the good clients still get in.
    s.check_good()
    st = s.admin_stats()
    assert st["unauthenticated"] <= 64, st
    for c in idle:
        c.close()


def silent_rounds(s):
    rounds = []
    for _ in range(5):
        peers = [Conn(s.unix) for _ in range(500)]
        assert vp.wait_until(
            lambda: s.admin_stats()["unauthenticated"] == 64), \
            "the agent holds the 64 newest of 500 silent peers"
        s.check_good()
        for c in peers:
            c.close()
        rounds.append(s.after("500 silent peers"))
    print("supervisor RSS after each of 5 rounds of 500 silent peers: %s KiB"
          " (baseline %d KiB)" % (rounds, s.base_rss))
    assert not s.check_rss or max(rounds) - min(rounds) <= RSS_SLACK_KB, \
        rounds


def half_uploads(s):
    for blob in (vp.BLOB_FILE, vp.BLOB_BUFFER):
        c = Conn(s.unix)
        c.hello()
        sess = c.sess_create(0)
        rid = c.send_frame(vp.RES_REGISTER, vp.res_register_body(
            sess, 0, vp.RES_DATA, [(blob, b"half", 8 << 20)]))
        for off in range(0, 3 << 20, 1 << 20):
            c.send_frame(vp.RES_CHUNK, vp.chunk_body(0, off, b"h" * (1 << 20)),
                         req_id=rid)
        vp.wait_until(lambda: len(tree(s.workdir)) > len(s.base["files"]) or
                      blob == vp.BLOB_BUFFER)
        c.close()


def connect_cycles(s):
    for i in range(1000):
        c = Conn(s.unix if i % 2 else s.tcp)
        if i % 3 == 0:
            c.hello()
        if i % 5 == 0:
            c.hello()
            c.sess_create(0)
        c.close()


def exec_symbols(s):
    c = Conn(s.unix)
    c.hello()
    sess = c.sess_create(vp.PLUGIN_GENERIC)
    for sym in ("abort", "exit", "system", "_exit", "kill", "raise",
                "fprintf"):
        try:
            c.exec(sess, LIB, sym, [vp.string("true")],
                   [vp.out(vp.ARG_INT32, 4)])
            raise AssertionError("%s ran" % sym)
        except Error as e:
            assert e.code == vp.EPERM, (sym, e)
    c.close()


def crash(s, how):
    c = Conn(s.unix)
    c.hello()
    sess = c.sess_create(vp.PLUGIN_DEBUG)
    try:
        if how == "model":
            m = c.upload(sess, vp.RES_MODEL, [(vp.BLOB_FILE, "evil.pt",
                                               b"CRASH:segv")])
            c.res_req(vp.TORCH_LOAD, sess, m)
        else:
            c.exec(sess, "crash", how)
        raise AssertionError("%s did not crash the worker" % how)
    except Error as e:
        assert e.code == vp.ESESS, (how, e)
    assert c.closed_by_peer(60), "connection of a dead worker kept"
    c.close()


def crash_model(s):
    crash(s, "model")


def crash_modes(s):
    for how in ("segv", "abort", "exit", "kill"):
        crash(s, how)


def worker_of(s, conn):
    """The agent process serving TCP connection `conn`: the child that
    holds the socket whose peer is conn's local port (/proc/net/tcp)."""
    port = conn.sock.getsockname()[1]
    inodes = set()
    with open("/proc/net/tcp") as f:
        for line in f.readlines()[1:]:
            fields = line.split()
            remote_port = int(fields[2].split(":")[1], 16)
            if remote_port == port:
                inodes.add("socket:[%s]" % fields[9])
    for pid in s.agent.workers():
        fd_dir = "/proc/%d/fd" % pid
        for fd in os.listdir(fd_dir):
            try:
                if os.readlink(os.path.join(fd_dir, fd)) in inodes:
                    return pid
            except OSError:
                pass
    return None


def kill_worker(s):
    c = Conn(s.tcp)
    c.hello()
    c.sess_create(0)
    victim = vp.wait_until(lambda: worker_of(s, c))
    assert victim, "no worker holds the connection"
    os.kill(victim, signal.SIGKILL)
    assert c.closed_by_peer(60), "connection of a killed worker kept"
    c.close()


def virtio_channel(s):
    """A QEMU chardev's view: the channel outlives a crash of its worker."""
    ch = Conn(s.virtio)
    ch.sock.sendall(vp.sync_marker(vp.SYNC_TAG, 1))
    assert ch.recv_exact(32) == vp.sync_marker(vp.ACK_TAG, 1)
    ch.hello()
    sess = ch.sess_create(vp.PLUGIN_DEBUG)
    try:
        ch.exec(sess, "crash", "segv")
        raise AssertionError("no crash")
    except Error as e:
        assert e.code == vp.ESESS, e
    # The guest process that used it is told until it starts over.
    try:
        ch.sess_create(0)
        raise AssertionError("orphaned channel served a request")
    except Error as e:
        assert e.code == vp.ESESS and "start over" in e.msg, e
    ch.sock.sendall(vp.sync_marker(vp.SYNC_TAG, 2))
    assert ch.recv_exact(32) == vp.sync_marker(vp.ACK_TAG, 2)
    ch.hello()
    sess = ch.sess_create(vp.PLUGIN_GENERIC)
    (o,) = ch.exec(sess, LIB, "mytestfunc", [vp.i32(4)],
                   [vp.out(vp.ARG_INT32, 4)])
    assert struct.unpack("<i", o)[0] == 8
    ch.close()


def main():
    for v in ("VACCEL_TEST_AGENT", "VACCEL_TEST_AGENT_PLUGINS",
              "VACCEL_TEST_MYTESTLIB", "VACCEL_TEST_CRASH_PLUGIN"):
        if not ENV.get(v):
            print("missing %s" % v)
            return 1
    s = Suite()
    attacks = [
        ("truncated and lying frames", bad_frames),
        ("foreign ids", foreign_ids),
        ("slowloris", slowloris),
        ("300 idle connections", idle_connections),
        ("5 rounds of 500 silent peers", silent_rounds),
        ("half uploads", half_uploads),
        ("1000 connect/disconnect cycles", connect_cycles),
        ("exec of libc functions", exec_symbols),
        ("a crafted model crashes the plugin", crash_model),
        ("exec crashes (segv, abort, exit, SIGKILL)", crash_modes),
        ("a worker killed from outside", kill_worker),
        ("a crash on a virtio-serial channel", virtio_channel),
    ]
    failed = 0
    for name, attack in attacks:
        t0 = time.monotonic()
        try:
            attack(s)
            rss = s.after(name)
            print("ok   %s (%.1f s; supervisor RSS %d KiB)"
                  % (name, time.monotonic() - t0, rss))
        except Exception:
            failed += 1
            print("FAIL %s" % name)
            traceback.print_exc()
            if not s.agent.alive():
                break
            s.settle()
    print("baseline: supervisor RSS %d KiB (peak %d KiB), %d fds, %d "
          "workers" % (s.base_rss, s.peak_rss, s.base["fds"],
                       s.base["workers"]))
    s.good.close()
    rc = s.agent.stop()
    if rc != 0:
        print("FAIL agent exit status %s" % rc)
        failed += 1
    print("%d attacks, %d failed" % (len(attacks), failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
