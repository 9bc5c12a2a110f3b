# SPDX-License-Identifier: Apache-2.0
"""The VM modes of bench/run: the same bench-vaccel worker inside a QEMU
guest (tests/vm), forwarding to a vaccel-agent on the host over
virtio-serial (mode vm-virtio), over AF_VSOCK through QEMU's
vhost-user-vsock device and vaccel-vsock-device (mode vm-vsock, hybrid
vsock: the agent listens on <uds>_2048), and, where /dev/vhost-vsock works,
over AF_VSOCK through the host kernel's vhost-vsock (mode vm-vhost-vsock).

A guest worker joins the host modes' round-robin like any other worker:
each VM mode has a control port of its own (a virtio-serial port whose QEMU
chardev connects to a socket bench/run listens on), on which the guest runs
bench-vaccel in a loop with its stdin and stdout on the port. bench/run
speaks bench_worker.h's protocol over it as over a host worker's pipes, so
the guest's blocks alternate with Native's and the others' and are paired
with them. Each loop turn announces itself with a "BENCH-READY" line; a
worker told "quit" ends and the next one starts, so every phase and round
gets a fresh guest worker. The guests boot once per run (a boot takes
minutes under TCG) and their agent lives for the whole run.

Guests(suite, agent_class).start() returns None when the guests are up,
else "skipped: <reason>" or "failed: <reason>"; channel(mode) gives the
object bench/run's Worker takes as its process.
"""
import os
import shutil
import socket
import subprocess
import tempfile
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
VM = os.path.join(REPO, "tests", "vm")
PORT = "org.vaccel.0"
VSOCK_PORT = 2048
READY = "BENCH-READY"
EXIT = "BENCH-EXIT"  # a guest worker that ended without "quit"
# Seconds a guest may take from QEMU's start to its workers' first READY,
# and from a worker's "quit" to the next READY.
BOOT_S = 600
RESTART_S = 120


class Channel:
    """A guest worker's control port, with the parts of subprocess.Popen
    that bench/run's Worker uses: stdin (host paths in each line are
    replaced by the guest's copies), stdout (a worker that exits on its own
    reads as the end of the stream), poll(), wait() (after "quit": until
    the next worker is ready) and kill()."""

    def __init__(self, conn, paths, guest):
        self.conn = conn
        self.paths = paths
        self.guest = guest
        self.lines = conn.makefile("r", encoding="utf-8", newline="\n")
        self.out = conn.makefile("w", encoding="utf-8", newline="\n")
        self.stdin = self.stdout = self
        self.returncode = None
        self.ended = False  # the worker ended without "quit"

    def write(self, text):
        if self.ended:
            # Its successor is already starting: "quit" would end that one.
            self.ended = text != "quit\n"
            return
        line = text.rstrip("\n")
        self.out.write(" ".join(self.paths.get(w, w)
                                for w in line.split(" ")) + text[len(line):])

    def flush(self):
        self.out.flush()

    def readline(self):
        if self.ended:
            return ""
        line = self.lines.readline()
        if line.startswith(EXIT):
            self.ended = True
            return ""
        return line

    def poll(self):
        if self.returncode is None and self.guest.poll() is not None:
            self.returncode = self.guest.returncode
        return self.returncode

    def ready(self, timeout):
        """Reads up to the next worker's READY line."""
        self.conn.settimeout(timeout)
        try:
            for line in self.lines:
                if line.strip() == READY:
                    return True
        except (OSError, ValueError):
            pass
        finally:
            self.conn.settimeout(None)
        rc = self.guest.poll()
        self.returncode = -1 if rc is None else rc
        return False

    def wait(self, timeout=None):
        if self.returncode is None and \
                not self.ready(max(timeout or 0, RESTART_S)):
            raise subprocess.TimeoutExpired("guest worker", RESTART_S)
        return self.returncode

    def kill(self):
        self.returncode = -1
        self.conn.close()


class VsockDevice:
    """vaccel-vsock-device for one guest (CID 3): QEMU connects to
    `socket`; the guest's connections to host port P arrive at
    `uds`_P."""

    def __init__(self, path, tmp, pin, log):
        self.socket = os.path.join(tmp, "vhost.sock")
        self.uds = os.path.join(tmp, "v.sock")
        self.proc = subprocess.Popen(
            pin.prefix("client") + [path, "--socket", self.socket,
                                    "--guest-cid", "3", "--uds-path",
                                    self.uds], stdout=log, stderr=log)
        for _ in range(300):
            if os.path.exists(self.socket) or self.proc.poll() is not None:
                break
            time.sleep(0.1)
        if not os.path.exists(self.socket):
            self.stop()
            raise RuntimeError("vaccel-vsock-device did not start "
                               "(see vm.log)")

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait()


def guest_script(workers, lib):
    """The guest's script: per (control port, rpc address), a loop that
    runs bench-vaccel on that port, each turn announced with READY."""
    out = ["#!/bin/sh",
           "export VACCEL_PLUGINS=/opt/vaccel/lib/libvaccel-rpc.so",
           "export VACCEL_PROFILING_ENABLED=1",
           # The guest names the host's noop plugin file as its exec
           # library (a string only: the noop plugin opens nothing), which
           # the agent allows.
           "export BENCH_EXEC_LIB=%s" % lib,
           "serve() {",
           "\twhile :; do",
           "\t\techo %s" % READY,
           "\t\tVACCEL_RPC_ADDRESS=$2 /vaccel-run/bench-vaccel "
           "2>/dev/console || { echo \"%s $?\"; sleep 1; }" % EXIT,
           # One open of the port for both directions: a virtio-serial
           # port can be open once at a time.
           "\tdone <>/dev/virtio-ports/$1 >&0",
           "}"]
    for ctl, addr in workers:
        out.append("serve %s %s &" % (ctl, addr))
    out.append("wait")
    return "\n".join(out) + "\n"


class Guest:
    """One QEMU guest and the listening sockets of its control ports."""

    def __init__(self, modes, qemu_args, tmp, index):
        self.modes = modes  # [(mode, guest rpc address)]
        self.qemu_args = list(qemu_args)
        self.listeners = {}
        self.proc = None
        for i, (mode, _) in enumerate(modes):
            name = "org.vaccel.ctl%d" % i
            path = os.path.join(tmp, "ctl%d-%d.sock" % (index, i))
            s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            s.bind(path)
            s.listen(1)
            self.listeners[mode] = (name, s)
            self.qemu_args += ["--serial", "%s=%s" % (name, path)]


class Guests:
    def __init__(self, suite, agent_class, modes):
        self.suite = suite
        self.agent_class = agent_class
        self.want = modes  # the vm modes asked for ("vm": all that work)
        self.modes = []  # the modes whose guests are up
        self.notes = []
        self.channels = {}
        self.guests = []
        self.agent = None
        self.backend = None
        self.tmp = tempfile.mkdtemp(prefix="vaccel-bench-vm.")
        self.log = open(os.path.join(suite.out, "vm.log"), "a")

    def asked(self, mode):
        return "vm" in self.want or mode in self.want

    def plan(self, sock):
        """The guests to boot: [(modes, QEMU options)], the agent's
        addresses. A guest has one vsock transport, so the kernel's
        vhost-vsock gets a guest of its own."""
        p = self.suite.p
        boots, addrs, first = [], [], []
        if self.asked("vm-virtio"):
            first.append(("vm-virtio", "virtio://" + PORT))
            addrs.append("unix://" + sock)
            self.serial = ["--serial", "%s=%s" % (PORT, sock)]
        device = os.path.join(p.build, "vsock-device", "vaccel-vsock-device")
        if not self.asked("vm-vsock"):
            pass
        elif not os.access(device, os.X_OK):
            self.notes.append("vm-vsock skipped: vaccel-vsock-device not "
                              "built")
        else:
            try:
                self.backend = VsockDevice(device, self.tmp, self.suite.pin,
                                           self.log)
                first.append(("vm-vsock", "vsock://2:%d" % VSOCK_PORT))
                addrs.append("unix://%s_%d" % (self.backend.uds, VSOCK_PORT))
            except RuntimeError as e:
                self.notes.append("vm-vsock failed: %s" % e)
        qemu = (self.serial if self.asked("vm-virtio") else []) + \
            (["--vhost-user-vsock", self.backend.socket]
             if self.backend else [])
        if first:
            boots.append((first, qemu))
        if not self.asked("vm-vhost-vsock"):
            pass
        elif os.access("/dev/vhost-vsock", os.R_OK | os.W_OK):
            boots.append(([("vm-vhost-vsock", "vsock://2:%d" % VSOCK_PORT)],
                          ["--vsock", "3"]))
            addrs.append("vsock://any:%d" % VSOCK_PORT)
        else:
            self.notes.append("vm-vhost-vsock skipped: /dev/vhost-vsock not "
                              "usable")
        return boots, addrs

    def files(self, extra):
        """The host files the guest workers name, and where the guest has
        them."""
        p = self.suite.p
        files = [p.worker, p.image] + [f for f in extra if f]
        return {f: "/vaccel-run/" + os.path.basename(f) for f in files}

    def start(self, files):
        """Builds the image, boots the guests and waits for every
        worker's first READY. `files`: the models and images the torch
        cases use."""
        s = self.suite
        rg = os.path.join(VM, "run-guest.sh")
        bi = os.path.join(VM, "build-image.sh")
        if not os.access(rg, os.X_OK) or not os.access(bi, os.X_OK):
            return "skipped: tests/vm/run-guest.sh or build-image.sh not found"
        if not shutil.which("qemu-system-x86_64"):
            return "skipped: qemu-system-x86_64 not installed"
        cache = os.environ.get("BENCH_VM_CACHE",
                               os.path.join(s.p.build, "vm-cache"))
        s.progress("vm", "vm", "image", 0, 1, 0)
        r = subprocess.run([bi, s.p.build, cache], stdout=subprocess.PIPE,
                           stderr=self.log, text=True)
        if r.returncode != 0:
            return "skipped: build-image.sh failed (rc %d, see vm.log)" % \
                r.returncode
        image = r.stdout.strip().splitlines()[-1]
        boots, addrs = self.plan(os.path.join(self.tmp, "agent.sock"))
        if not boots:
            return "skipped: " + "; ".join(self.notes)
        lib = os.path.realpath(s.p.plugin["noop"])
        plugins = ":".join(x for x in (s.p.plugin["torch"],
                                       s.p.plugin["noop"])
                           if os.path.exists(x))
        self.agent = self.agent_class(s.p, plugins, addrs, s.env(), s.pin,
                                      s.errlog, ["--exec-allow", lib])
        paths = self.files(files)
        # The guest holds its files in RAM (an initramfs) and reads a model
        # once more to upload it.
        mem = 512 + 3 * sum(os.path.getsize(f) for f in paths) // (1 << 20)
        for i, (modes, qemu) in enumerate(boots):
            g = Guest(modes, qemu, self.tmp, i)
            self.guests.append(g)
            script = os.path.join(self.tmp, "script%d" % i)
            with open(script, "w") as f:
                f.write(guest_script([(g.listeners[m][0], a)
                                      for m, a in modes], lib))
            argv = s.pin.prefix("client") + [
                rg, "--timeout", str(7 * 24 * 3600), "--quiet",
                "--mem", "%dM" % mem, "--log",
                os.path.join(self.tmp, "console%d.log" % i),
                "--script", script] + g.qemu_args
            for f in paths:
                argv += ["--file", f]
            g.proc = subprocess.Popen(argv + [image], stdout=self.log,
                                      stderr=self.log)
        s.progress("vm", "vm", "boot", 0, 1, 0)
        deadline = time.monotonic() + BOOT_S
        for g in self.guests:
            for mode, (_, lsock) in g.listeners.items():
                err = self.connect(g, mode, lsock, paths, deadline)
                if err:
                    self.notes.append("%s failed: %s" % (mode, err))
                else:
                    self.modes.append(mode)
        return None if self.modes else "failed: " + "; ".join(self.notes)

    def connect(self, g, mode, lsock, paths, deadline):
        lsock.settimeout(max(1, deadline - time.monotonic()))
        try:
            conn, _ = lsock.accept()
        except OSError:
            return "QEMU did not connect its control port (see vm.log)"
        finally:
            lsock.close()
        ch = Channel(conn, paths, g.proc)
        if not ch.ready(max(1, deadline - time.monotonic())):
            return "the guest's worker did not start (see vm.log)"
        self.channels[mode] = ch
        return None

    def channel(self, mode):
        return self.channels[mode]

    def stop(self):
        for g in self.guests:
            if g.proc and g.proc.poll() is None:
                # run-guest.sh kills QEMU on SIGTERM.
                g.proc.terminate()
                try:
                    g.proc.wait(timeout=60)
                except subprocess.TimeoutExpired:
                    g.proc.kill()
                    g.proc.wait()
        for i in range(len(self.guests)):
            try:
                with open(os.path.join(self.tmp, "console%d.log" % i),
                          errors="replace") as f:
                    self.log.write(f.read().replace("\r", ""))
            except OSError:
                pass
        if self.agent:
            self.agent.stop()
        if self.backend:
            self.backend.stop()
        shutil.rmtree(self.tmp, ignore_errors=True)
        self.log.close()
