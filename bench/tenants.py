#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""bench/tenants.py: what tenants cost, and what one agent sustains.

  bench/tenants.py --build DIR [--clients 1,8,32] [--seconds 5] [--rounds 3]
                   [--mix 1,0,0,0] [--plugins LIST]

Starts three agents of --build side by side with the same plugins (by
default noop and exec, plus the torch plugin when it is built, so that each
worker is a fork of a template with libtorch loaded, as on a node):

  open       no tenants (no AUTH);
  1 tenant   --tenants with one token file: every client is that tenant;
  N tenants  --tenants with one token file per client (the device plugin's
             shape: one pod per slot).

For each client count C, the variants run in turns, --rounds times
(interleaved: open, 1 tenant, N tenants, open, ...), each a
tests/load/vaccel-load run of C client processes for --seconds with the
op mix --mix (noop, exec, genop, classify weights). Prints the machine,
then per C and variant the medians over the rounds of the throughput and
of the p50 and p99 latency, the agent's peak PSS (supervisor and workers)
with the C clients connected, and its growth over the idle agent per
connection.
"""
import argparse
import os
import platform
import re
import statistics
import subprocess
import sys
import tempfile
import time


def machine():
    with open("/proc/loadavg") as f:
        load = " ".join(f.read().split()[:3])
    cpu = ""
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return "%s, %d CPUs (%s), load average %s" % (
        platform.platform(), os.cpu_count(), cpu, load)


def start_agent(build, plugins, sock, tenants):
    r, w = os.pipe()
    args = [os.path.join(build, "agent", "vaccel-agent"), "-a",
            "unix://" + sock, "--plugins", plugins, "--ready-fd", str(w),
            "--max-connections", "4096", "--tenant-max-connections", "4096",
            "--exec-allow", os.path.join(build, "examples", "libmytestlib.so")]
    if tenants:
        args += ["--tenants", tenants]
    env = dict(os.environ, VACCEL_TORCH_THREADS="1")
    p = subprocess.Popen(args, pass_fds=(w,), env=env,
                         stderr=subprocess.DEVNULL)
    os.close(w)
    with os.fdopen(r) as f:
        if "READY" not in f.read():
            sys.exit("bench/tenants.py: the agent did not start")
    return p


def tenants_dir(root, name, n):
    d = os.path.join(root, name)
    os.mkdir(d, 0o700)
    for i in range(n):
        path = os.path.join(d, "slot-%04d" % i)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT, 0o600)
        os.write(fd, os.urandom(16).hex().encode())
        os.close(fd)
    return d


def pss_kb(pid):
    """PSS of the agent's supervisor and its workers, as vaccel-load
    reports it."""
    total = 0
    try:
        with open("/proc/%d/task/%d/children" % (pid, pid)) as f:
            pids = [pid] + [int(p) for p in f.read().split()]
    except OSError:
        return 0
    for p in pids:
        try:
            with open("/proc/%d/smaps_rollup" % p) as f:
                for line in f:
                    if line.startswith("Pss:"):
                        total += int(line.split()[1])
        except OSError:
            pass
    return total


LINE = re.compile(r"^all\s+(\d+)\s+(\d+)\s+(\d+)\s+([\d.]+)\s+([\d.]+)")
PSS = re.compile(r"agent rss \(KiB\): start \d+, .* peak (\d+)")


def load(build, sock, agent, clients, seconds, mix, tokens):
    args = [os.path.join(build, "tests", "integration", "vaccel-load"),
            "-a", "unix://" + sock, "-c", str(clients), "-d", str(seconds),
            "-m", mix, "-p",
            os.path.join(build, "plugins", "rpc", "libvaccel-rpc.so"),
            "-l", os.path.join(build, "examples", "libmytestlib.so"),
            "--agent-pid", str(agent.pid), "--warmup", "0"]
    if tokens:
        args += ["--tokens", tokens]
    base = pss_kb(agent.pid)
    out = subprocess.run(args, capture_output=True, text=True)
    m = None
    for line in out.stdout.splitlines():
        m = LINE.match(line) or m
    pss = PSS.search(out.stdout)
    if out.returncode != 0 or not m or not pss:
        sys.exit("bench/tenants.py: vaccel-load failed:\n" + out.stdout +
                 out.stderr)
    return {"ops_s": int(m.group(3)), "p50": float(m.group(4)),
            "p99": float(m.group(5)), "pss_base": base,
            "pss_peak": int(pss.group(1))}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--build", required=True)
    ap.add_argument("--clients", default="1,8,32")
    ap.add_argument("--seconds", type=float, default=5)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--mix", default="1,0,0,0")
    ap.add_argument("--plugins")
    a = ap.parse_args()
    b = os.path.abspath(a.build)
    plugins = a.plugins
    if not plugins:
        names = ["exec", "noop"]
        if os.path.exists(os.path.join(b, "plugins", "torch",
                                       "libvaccel-torch.so")):
            names.insert(1, "torch")
        plugins = ":".join(os.path.join(b, "plugins", n, "libvaccel-%s.so" % n)
                           for n in names)
    counts = [int(c) for c in a.clients.split(",")]
    tmp = tempfile.mkdtemp(prefix="vaccel-bench-tenants-")
    one = tenants_dir(tmp, "one", 1)
    many = tenants_dir(tmp, "many", max(counts))
    variants = [("open", None, None), ("1 tenant", one, one),
                ("N tenants", many, many)]
    agents = [start_agent(b, plugins, os.path.join(tmp, "a%d.sock" % i), d)
              for i, (_, d, _) in enumerate(variants)]
    print("machine:", machine())
    print("agent plugins:", plugins)
    print("mix (noop,exec,genop,classify): %s; %d rounds of %g s each, "
          "variants interleaved" % (a.mix, a.rounds, a.seconds))
    print()
    print("%7s  %-9s  %9s  %8s  %8s  %10s  %9s" % (
        "clients", "variant", "ops/s", "p50 us", "p99 us", "PSS KiB",
        "KiB/conn"))
    try:
        for c in counts:
            runs = {v[0]: [] for v in variants}
            for _ in range(a.rounds):
                for i, (name, _, tokens) in enumerate(variants):
                    sock = os.path.join(tmp, "a%d.sock" % i)
                    runs[name].append(load(b, sock, agents[i], c, a.seconds,
                                           a.mix, tokens))
                    time.sleep(0.5)
            for name, _, _ in variants:
                r = runs[name]
                med = {k: statistics.median(x[k] for x in r) for k in r[0]}
                print("%7d  %-9s  %9.0f  %8.1f  %8.1f  %10.0f  %9.0f" % (
                    c, name, med["ops_s"], med["p50"], med["p99"],
                    med["pss_peak"],
                    (med["pss_peak"] - med["pss_base"]) / c))
    finally:
        for p in agents:
            p.terminate()
            p.wait()
        subprocess.run(["rm", "-rf", tmp])


if __name__ == "__main__":
    main()
