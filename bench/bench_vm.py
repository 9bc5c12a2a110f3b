# SPDX-License-Identifier: Apache-2.0
"""The VM mode of bench/run: the same bench-vaccel worker inside a QEMU
guest (tests/vm), forwarding to a vaccel-agent on the host over
virtio-serial (mode vm-virtio) and, where /dev/vhost-vsock works, AF_VSOCK
(mode vm-vsock).

A guest cannot take part in the round-robin (its worker runs a fixed
command batch in one boot), so its cases run after the host modes; their
overhead is computed against the Native blocks of the same case and is
marked as not interleaved in docs/benchmarks.md.

run(suite, agent_class) returns None when the mode ran, else "skipped: <reason>" or
"failed: <reason>".
"""
import os
import shutil
import subprocess
import tempfile

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
VM = os.path.join(REPO, "tests", "vm")
PORT = "org.vaccel.0"
VSOCK_PORT = 2048


def batch(suite, model_path):
    """The guest's command list: (label, command, is_timed_run)."""
    iters = max(5, suite.a.micro_iterations // 10)
    cmds = []
    for size in (0, 4096, 614400):
        cmds.append(("noop", "exec noop %d" % size, str(size)))
        cmds.append(("warm", "run 3", None))
        cmds.append(("run", "run %d" % iters, str(size)))
    if model_path:
        cmds.append(("torch", "torch /vaccel-run/%s 224 /vaccel-run/%s" %
                     (os.path.basename(model_path),
                      os.path.basename(suite.p.image)), "224"))
        cmds.append(("warm", "run 2", None))
        cmds.append(("run", "run %d" % max(3, min(suite.a.iterations, 10)),
                     "224"))
    cmds.append(("quit", "quit", None))
    return cmds


def parse(suite, mode, cmds, text, model):
    """Feeds the guest worker's answers to the suite's CSV writers."""
    lines = [x.strip() for x in text.splitlines()]
    # Kernel messages may interleave with the worker's lines on the console.
    lines = [x for x in lines if not x.startswith("[")]
    try:
        i = lines.index("BENCH-BEGIN") + 1
    except ValueError:
        return "no BENCH-BEGIN in the guest output"
    workload, case_model = None, None
    block = 0
    for label, _, size in cmds:
        if label == "quit":
            break
        if label in ("noop", "torch"):
            if i >= len(lines) or not lines[i].startswith("ok"):
                return "guest: %s" % (lines[i] if i < len(lines) else "EOF")
            if label == "torch" and "load_ns=" in lines[i]:
                suite.lw.writerow([mode, "torch", model, "224", "%.3f" % (
                    int(lines[i].split("load_ns=")[1]) / 1e6)])
            workload = "noop" if label == "noop" else "torch"
            case_model = "noop" if label == "noop" else model
            i += 1
            continue
        samples = []
        while i < len(lines) and lines[i].startswith("it "):
            _, e, p, t = lines[i].split()
            samples.append((int(e), int(p), int(t)))
            i += 1
        if i >= len(lines) or lines[i] != "done":
            return "guest: %s" % (lines[i] if i < len(lines) else "EOF")
        i += 1
        if label == "run":
            suite.record(mode, workload, case_model, size, block, samples)
            suite.ran.append(("vm", "%s@%s" % (case_model, size),
                              len(samples), len(samples), [mode]))
    return None


def run(suite, agent_class):
    rg = os.path.join(VM, "run-guest.sh")
    bi = os.path.join(VM, "build-image.sh")
    if not os.access(rg, os.X_OK) or not os.access(bi, os.X_OK):
        return "skipped: tests/vm/run-guest.sh or build-image.sh not found"
    if not shutil.which("qemu-system-x86_64"):
        return "skipped: qemu-system-x86_64 not installed"
    cache = os.environ.get("BENCH_VM_CACHE",
                           os.path.join(suite.p.build, "vm-cache"))
    log = open(os.path.join(suite.out, "vm.log"), "a")
    suite.progress("vm", "vm", "image", 0, 1, 0)
    r = subprocess.run([bi, suite.p.build, cache], stdout=log, stderr=log)
    image = os.path.join(cache, "image")
    if r.returncode != 0:
        return "skipped: build-image.sh failed (rc %d, see vm.log)" % \
            r.returncode
    suite.progress("vm", "vm", "boot", 0, 1, 0)
    r = subprocess.run([rg, "--timeout", "240", "--quiet", image, "--",
                        "true"], stdout=log, stderr=log)
    if r.returncode != 0:
        return "skipped: the guest does not boot (run-guest.sh rc %d, " \
               "see vm.log)" % r.returncode

    model = os.path.join(suite.p.models, "resnet18.pt")
    model = model if os.path.exists(model) and not suite.a.no_torch \
        else None
    tmp = tempfile.mkdtemp(prefix="vaccel-bench-vm.")
    status = []
    try:
        for mode in ("vm-virtio", "vm-vsock"):
            sock = os.path.join(tmp, "agent.sock")
            if mode == "vm-virtio":
                addrs, guest_addr = ["unix://" + sock], "virtio://" + PORT
                qemu_args = ["--serial", "%s=%s" % (PORT, sock)]
            else:
                if not os.access("/dev/vhost-vsock", os.R_OK | os.W_OK):
                    status.append("vm-vsock skipped: /dev/vhost-vsock not "
                                  "usable")
                    continue
                addrs = ["vsock://any:%d" % VSOCK_PORT]
                guest_addr = "vsock://2:%d" % VSOCK_PORT
                qemu_args = ["--vsock", "3"]
            # The guest names the host's noop plugin file as its exec
            # library (a string only: the noop plugin opens nothing), which
            # the agent allows.
            lib = os.path.realpath(suite.p.plugin["noop"])
            cmds = batch(suite, model)
            cmdfile = os.path.join(tmp, "cmds")
            with open(cmdfile, "w") as f:
                f.write("".join(c + "\n" for _, c, _ in cmds))
            script = os.path.join(tmp, "script")
            with open(script, "w") as f:
                f.write("#!/bin/sh\n"
                        "export VACCEL_PLUGINS=/opt/vaccel/lib/"
                        "libvaccel-rpc.so\n"
                        "export VACCEL_RPC_ADDRESS=%s\n"
                        "export VACCEL_PROFILING_ENABLED=1\n"
                        "export BENCH_EXEC_LIB=%s\n"
                        "echo BENCH-BEGIN\n"
                        "/vaccel-run/bench-vaccel < /vaccel-run/cmds\n"
                        "echo BENCH-END $?\n" % (guest_addr, lib))
            files = [suite.p.worker, cmdfile, suite.p.image] + \
                ([model] if model else [])
            plugins = ":".join(p for p in (suite.p.plugin["torch"],
                                           suite.p.plugin["noop"])
                               if os.path.exists(p))
            agent = agent_class(suite.p, plugins, addrs, suite.env(),
                                suite.pin, suite.errlog,
                                ["--exec-allow", lib])
            try:
                console = os.path.join(tmp, "console.log")
                argv = [rg, "--timeout", "900", "--quiet", "--mem", "1G",
                        "--log", console, "--script", script] + qemu_args
                for f in files:
                    argv += ["--file", f]
                argv += [image]
                suite.progress("vm", mode, "guest run", 0, 1, 0)
                r = subprocess.run(argv, capture_output=True, text=True)
                try:
                    with open(console, errors="replace") as f:
                        guest_out = f.read().replace("\r", "")
                except OSError:
                    guest_out = ""
                log.write(r.stdout + r.stderr + guest_out)
            finally:
                agent.stop()
            err = parse(suite, mode, cmds, guest_out, "resnet18")
            if err:
                status.append("%s failed: %s (rc %d, see vm.log)" %
                              (mode, err, r.returncode))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
        log.close()
    return "; ".join(status) if status else None

