#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""bench/threads.py: many threads of one client, and the adaptive poll.

  bench/threads.py --build DIR [--rounds 3] [--threads 8]
                   [--calls-tiny 500] [--calls-resnet 10] [--poll-us 50]
                   [--poll-calls 3000] [--out FILE.md]

Starts vaccel-agents of --build with the torch plugin (VACCEL_TORCH_THREADS=1
everywhere, so that 8 concurrent runs do not oversubscribe the CPUs) on a
UNIX socket and runs bench-threads (bench/threads.c) against them.

threads case: for the tiny model (1x3x32x32) and ResNet18 (1x3x224x224),
  four variants in turns, --rounds times (interleaved):
    1 proc x T threads   one client process, T threads, a session each
    1 proc x T, shared   the same on one session used by all T threads
    1 proc x T, --max-inflight 1   the first against an agent that runs
                         one request of a connection at a time
    T procs x 1 thread   T client processes (T connections, T workers)
  Reports per variant the medians over the rounds of the throughput (calls
  per second over the whole run) and of the per-call p50 and p99.

poll case: the tiny model from one thread, per-call p50 and p99 and the CPU
  time per call of the client (getrusage) and of the agent (from /proc),
  with polling off (against the agent and against one with --max-inflight
  1: a one-thread client's ops go SOLO, so both should match), with
  VACCEL_RPC_POLL_US=N on the client only, and with it and --poll-us N on
  the agent, in turns.

Prints a Markdown report (and writes it to --out).
"""
import argparse
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def machine():
    with open("/proc/loadavg") as f:
        load = " ".join(f.read().split()[:3])
    cpu = ""
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    return "%s, %d CPUs (%s), load average %s" % (
        platform.platform(), os.cpu_count(), cpu, load)


def start_agent(build, sock, extra, env):
    r, w = os.pipe()
    plugins = os.path.join(build, "plugins", "torch", "libvaccel-torch.so")
    args = [os.path.join(build, "agent", "vaccel-agent"), "-a",
            "unix://" + sock, "--plugins", plugins, "--ready-fd", str(w),
            "--max-frame", str(64 << 20)] + extra
    p = subprocess.Popen(args, pass_fds=(w,), env=env,
                         stderr=subprocess.DEVNULL)
    os.close(w)
    with os.fdopen(r) as f:
        for line in f:
            if line.strip() == "READY":
                return p
    raise RuntimeError("agent did not start")


def worker_cpu_ns(agent):
    """CPU time (user + system) of the agent's processes, in ns."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % pid) as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        ppid = int(fields[1])
        # The supervisor's own time and that of its reaped workers, and
        # the time of the workers still there.
        if int(pid) == agent.pid:
            total += sum(int(x) for x in fields[11:15])
        elif ppid == agent.pid and fields[0] != "Z":
            total += int(fields[11]) + int(fields[12])
    return total * 1000000000 // tick


def clients(build, model, size, procs, threads, calls, shared, env):
    """Runs `procs` bench-threads processes together; returns (calls/s,
    latencies, client cpu ns)."""
    argv = [os.path.join(build, "bench", "bench-threads"), model,
            str(size), str(threads), str(calls)] + (["shared"] if shared
                                                    else [])
    ps = [subprocess.Popen(argv, env=env, stdin=subprocess.PIPE,
                           stdout=subprocess.PIPE, text=True)
          for _ in range(procs)]
    for p in ps:
        if p.stdout.readline().strip() != "ready":
            raise RuntimeError("bench-threads did not get ready")
    for p in ps:
        p.stdin.write("go\n")
        p.stdin.flush()
    lat, starts, ends, cpu = [], [], [], 0
    for p in ps:
        out, _ = p.communicate()
        if p.returncode:
            raise RuntimeError("bench-threads failed (%d)" % p.returncode)
        for line in out.splitlines():
            f = line.split()
            if f[0] == "lat":
                lat.append(int(f[1]))
            elif f[0] == "run":
                starts.append(int(f[1]))
                ends.append(int(f[2]))
                cpu += int(f[3]) + int(f[4])
    wall = (max(ends) - min(starts)) / 1e9
    return len(lat) / wall, lat, cpu


def pct(xs, q):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(q * len(xs)))]


def ms(ns):
    return "%.3f" % (ns / 1e6)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--build", default=os.path.join(REPO, "build"))
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--threads", type=int, default=8)
    ap.add_argument("--calls-tiny", type=int, default=500)
    ap.add_argument("--calls-resnet", type=int, default=10)
    ap.add_argument("--poll-us", type=int, default=50)
    ap.add_argument("--poll-calls", type=int, default=3000)
    ap.add_argument("--out")
    a = ap.parse_args()
    tiny = os.path.join(REPO, "tests", "data", "tiny_cnn.pt")
    resnet = os.path.join(REPO, "data", "models", "resnet18.pt")
    tmp = tempfile.mkdtemp(prefix="bench-threads-")
    env = dict(os.environ, VACCEL_TORCH_THREADS="1", OMP_NUM_THREADS="1")
    env.pop("VACCEL_PLUGINS", None)
    agents = []
    report = ["# bench/threads.py", "", "machine: " + machine(), ""]
    try:
        plain = start_agent(a.build, os.path.join(tmp, "a.sock"), [], env)
        agents.append(plain)
        polled = start_agent(a.build, os.path.join(tmp, "p.sock"),
                             ["--poll-us", str(a.poll_us)], env)
        agents.append(polled)
        serial = start_agent(a.build, os.path.join(tmp, "s.sock"),
                             ["--max-inflight", "1"], env)
        agents.append(serial)
        cenv = dict(env, VACCEL_PLUGINS=os.path.join(
            a.build, "plugins", "rpc", "libvaccel-rpc.so"),
            VACCEL_RPC_ADDRESS="unix://" + os.path.join(tmp, "a.sock"))
        senv = dict(cenv, VACCEL_RPC_ADDRESS="unix://" +
                    os.path.join(tmp, "s.sock"))
        t = a.threads
        variants = [("1 proc x %d threads" % t, 1, t, False, cenv),
                    ("1 proc x %d threads, one session" % t, 1, t, True,
                     cenv),
                    ("1 proc x %d threads, agent --max-inflight 1" % t, 1,
                     t, False, senv),
                    ("%d procs x 1 thread" % t, t, 1, False, cenv)]
        report += ["## Threads: %d threads of one process vs %d processes"
                   % (t, t), "",
                   "Medians over %d interleaved rounds; throughput over the "
                   "whole run, p50/p99 per call." % a.rounds, "",
                   "| model | variant | calls | calls/s | p50 ms | p99 ms |",
                   "|---|---|---:|---:|---:|---:|"]
        for name, path, size, calls in (
                ("tiny 32x32", tiny, 32, a.calls_tiny),
                ("ResNet18 224x224", resnet, 224, a.calls_resnet)):
            if not os.path.exists(path):
                report.append("| %s | missing %s | | | | |" % (name, path))
                continue
            res = {v[0]: [] for v in variants}
            for r in range(a.rounds):
                for label, procs, threads, shared, e in variants:
                    rate, lat, _ = clients(a.build, path, size, procs,
                                           threads, calls, shared, e)
                    res[label].append((rate, pct(lat, 0.5),
                                       pct(lat, 0.99), len(lat)))
                    print("%s, %s, round %d: %.1f calls/s" %
                          (name, label, r + 1, rate), file=sys.stderr)
            for label, _, _, _, _ in variants:
                rs = res[label]
                report.append("| %s | %s | %d | %.1f | %s | %s |" % (
                    name, label, rs[0][3],
                    statistics.median(x[0] for x in rs),
                    ms(statistics.median(x[1] for x in rs)),
                    ms(statistics.median(x[2] for x in rs))))
        report += ["", "## Adaptive poll: tiny model, one thread", "",
                   "Medians over %d interleaved rounds of %d calls; CPU per "
                   "call of the client process and of the agent's worker."
                   % (a.rounds, a.poll_calls), "",
                   "| poll | p50 ms | p99 ms | client CPU us/call | "
                   "agent CPU us/call |", "|---|---:|---:|---:|---:|"]
        penv = dict(cenv, VACCEL_RPC_POLL_US=str(a.poll_us),
                    VACCEL_RPC_ADDRESS="unix://" + os.path.join(tmp,
                                                                "p.sock"))
        pv = [("off", cenv, plain),
              ("off, agent --max-inflight 1", senv, serial),
              ("%d us, client only" % a.poll_us,
               dict(cenv, VACCEL_RPC_POLL_US=str(a.poll_us)), plain),
              ("%d us, client and agent" % a.poll_us, penv, polled)]
        pres = {v[0]: [] for v in pv}
        for r in range(a.rounds):
            for label, e, ag in pv:
                c0 = worker_cpu_ns(ag)
                _, lat, ccpu = clients(a.build, tiny, 32, 1, 1,
                                       a.poll_calls, False, e)
                # The worker exits when its client does: let the
                # supervisor reap it, so that its time is counted once.
                time.sleep(0.5)
                acpu = worker_cpu_ns(ag) - c0
                pres[label].append((pct(lat, 0.5), pct(lat, 0.99),
                                    ccpu / len(lat), acpu / len(lat)))
                print("poll %s, round %d: p50 %s ms" %
                      (label, r + 1, ms(pct(lat, 0.5))), file=sys.stderr)
        for label, _, _ in pv:
            rs = pres[label]
            report.append("| %s | %s | %s | %.1f | %.1f |" % (
                label, ms(statistics.median(x[0] for x in rs)),
                ms(statistics.median(x[1] for x in rs)),
                statistics.median(x[2] for x in rs) / 1e3,
                statistics.median(x[3] for x in rs) / 1e3))
        report += ["", "load average at the end: " +
                   " ".join(open("/proc/loadavg").read().split()[:3])]
    finally:
        for p in agents:
            p.terminate()
            p.wait()
    text = "\n".join(report) + "\n"
    print(text)
    if a.out:
        with open(a.out, "w") as f:
            f.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
