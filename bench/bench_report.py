# SPDX-License-Identifier: Apache-2.0
"""Statistics, the markdown summary and the plots of a bench/run output
folder. Also usable alone to redo them:

  /usr/bin/python3 bench/bench_report.py OUT_DIR [--no-plots]

A folder without samples.csv (the committed docs/bench-results keep only
results.csv) gets its figures, their captions and the target verdicts
redone in its existing summary.md; the tables stay as the run wrote them,
since their percentiles need the single samples.
"""
import csv
import json
import math
import os
import re
import sys

import bench_plots

RESULT_FIELDS = ["mode", "workload", "model", "size", "round", "block",
                 "iterations",
                 "mean_us", "p50_us", "p99_us", "std_us", "min_us", "max_us",
                 "plugin_us", "transport_us", "rest_us"]
SAMPLE_FIELDS = ["mode", "workload", "model", "size", "round", "block", "i",
                 "e2e_ns",
                 "plugin_ns", "transport_ns"]
MODE_ORDER = ["native", "local", "rpc-unix", "rpc-unix-base", "rpc-shm",
              "rpc-tcp", "vm-virtio", "vm-vsock", "vm-vhost-vsock", "raw-unix",
              "raw-memcpy", "raw-tcp"]
TARGETS = {"local": 0.5, "rpc-unix": 1.0, "rpc-shm": 0.3, "rpc-tcp": 1.0}


def pct(values, p):
    """The p-th percentile (nearest rank) of a sorted list."""
    if not values:
        return float("nan")
    k = max(0, min(len(values) - 1, int(math.ceil(p / 100.0 * len(values)))
                   - 1))
    return values[k]


def mean(v):
    return sum(v) / len(v) if v else float("nan")


def std(v):
    if len(v) < 2:
        return 0.0
    m = mean(v)
    return math.sqrt(sum((x - m) ** 2 for x in v) / (len(v) - 1))


def parts(samples):
    """Mean plugin, transport and rest (us) of (e2e, plugin, transport)
    samples; a part that was not measured (-1) counts as 0."""
    e2e = mean([s[0] for s in samples]) / 1e3
    plugin = mean([max(s[1], 0) for s in samples]) / 1e3
    transport = mean([max(s[2], 0) for s in samples]) / 1e3
    return plugin, transport, e2e - plugin - transport


def block_row(mode, workload, model, size, rnd, block, samples):
    e2e = sorted(s[0] / 1e3 for s in samples)
    plugin, transport, rest = parts(samples)
    return [mode, workload, model, size, rnd, block, len(samples),
            "%.3f" % mean(e2e), "%.3f" % pct(e2e, 50), "%.3f" % pct(e2e, 99),
            "%.3f" % std(e2e), "%.3f" % e2e[0], "%.3f" % e2e[-1],
            "%.3f" % plugin, "%.3f" % transport, "%.3f" % rest]


def mode_key(m):
    return MODE_ORDER.index(m) if m in MODE_ORDER else len(MODE_ORDER)


def size_key(s):
    return (1, 0) if s == "photo" else (0, int(s))


def model_key(m):
    order = ["tiny", "resnet18", "resnet34", "resnet50", "resnet101",
             "resnet152", "noop", "mbench"]
    return order.index(m) if m in order else len(order)


class Data:
    def __init__(self, out):
        self.out = out
        self.samples = {}
        self.blocks = {}
        self.block_rows = {}
        path = os.path.join(out, "samples.csv")
        self.has_samples = os.path.exists(path)
        if self.has_samples:
            with open(path) as f:
                for r in csv.DictReader(f):
                    key = (r["workload"], r["model"], r["size"], r["mode"])
                    self.samples.setdefault(key, []).append(
                        (int(r["e2e_ns"]), int(r["plugin_ns"]),
                         int(r["transport_ns"])))
        with open(os.path.join(out, "results.csv")) as f:
            for r in csv.DictReader(f):
                key = (r["workload"], r["model"], r["size"], r["mode"])
                # Folders written before rounds existed have one round.
                rb = (int(r.get("round") or 0), int(r["block"]))
                self.blocks.setdefault(key, {})[rb] = float(r["mean_us"])
                self.block_rows.setdefault(key, []).append(r)
        self.loads = {}
        path = os.path.join(out, "loads.csv")
        if os.path.exists(path):
            with open(path) as f:
                for r in csv.DictReader(f):
                    self.loads.setdefault((r["model"], r["mode"]), []).append(
                        float(r["load_ms"]))
        with open(os.path.join(out, "machine.json")) as f:
            self.machine = json.load(f)

    def cases(self, workloads):
        keys = {(w, m, s) for (w, m, s, _) in self.block_rows
                if w in workloads}
        return sorted(keys, key=lambda k: (model_key(k[1]), size_key(k[2])
                                           if k[0] != "noop" and
                                           k[0] != "mbench" else
                                           (0, int(k[2]))))

    def modes(self, case):
        return sorted({m for (w, mo, s, m) in self.block_rows
                       if (w, mo, s) == case}, key=mode_key)

    def block_stats(self, case, mode):
        """stats() from the block rows alone: means and the pooled
        standard deviation are exact; p50 and p99 are the iteration-weighted
        means of the blocks' percentiles (marked approx when there are
        several blocks)."""
        rows = self.block_rows.get(case + (mode,))
        if not rows:
            return None
        its = [int(r["iterations"]) for r in rows]
        n = sum(its)

        def wmean(field):
            return sum(i * float(r[field]) for i, r in zip(its, rows)) / n
        m = wmean("mean_us")
        ss = sum((i - 1) * float(r["std_us"]) ** 2 +
                 i * (float(r["mean_us"]) - m) ** 2
                 for i, r in zip(its, rows))
        return {"n": n, "mean": m, "p50": wmean("p50_us"),
                "p99": wmean("p99_us"),
                "std": math.sqrt(ss / (n - 1)) if n > 1 else 0.0,
                "plugin": wmean("plugin_us"),
                "transport": wmean("transport_us"),
                "rest": wmean("rest_us"), "approx": len(rows) > 1}

    def stats(self, case, mode):
        if not self.has_samples:
            return self.block_stats(case, mode)
        s = self.samples.get(case + (mode,))
        if not s:
            return None
        e2e = sorted(x[0] / 1e3 for x in s)
        plugin, transport, rest = parts(s)
        return {"n": len(s), "mean": mean(e2e), "p50": pct(e2e, 50),
                "p99": pct(e2e, 99), "std": std(e2e), "plugin": plugin,
                "transport": transport, "rest": rest}

    def rounds(self, case):
        return sorted({rb[0] for m in self.modes(case)
                       for rb in self.blocks.get(case + (m,), {})})

    def round_plugin(self, case, mode, rnd):
        """The mean plugin time (us) of `mode` in round `rnd`."""
        rows = [r for r in self.block_rows.get(case + (mode,), [])
                if int(r.get("round") or 0) == rnd]
        n = sum(int(r["iterations"]) for r in rows)
        return sum(int(r["iterations"]) * float(r["plugin_us"])
                   for r in rows) / n if n else float("nan")

    def overhead(self, case, mode, base="native", rnd=None):
        """(overhead %, 95 % CI half-width %, mean difference us) of `mode`
        against `base`, from the block means paired by block (both ran in
        the same pass of the round-robin), over every round or only round
        `rnd` (then relative to that round's `base` mean)."""
        a = self.blocks.get(case + (mode,), {})
        b = self.blocks.get(case + (base,), {})
        common = sorted(k for k in set(a) & set(b)
                        if rnd is None or k[0] == rnd)
        bs = self.stats(case, base)
        if rnd is not None and common:
            bs = {"mean": mean([b[k] for k in common])}
        if not common or not bs:
            return None
        diffs = [a[k] - b[k] for k in common]
        d = mean(diffs)
        ci = 1.96 * std(diffs) / math.sqrt(len(diffs)) if len(diffs) > 1 \
            else float("nan")
        return 100.0 * d / bs["mean"], 100.0 * ci / bs["mean"], d, ci


def f(x, nd=1):
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "-"
    return ("%%.%df" % nd) % x


def ms(x):
    return f(x / 1e3, 2) if x is not None else "-"


def verdict(ok):
    """The verdict of a target measured without a confidence interval."""
    return "**met**" if ok else "**missed**"


def verdict_ci(value, ci, limit, unit):
    """The verdict of an at-most target from its estimate and 95 % CI
    half-width: met only when the whole interval is within the goal,
    missed only when all of it is beyond, otherwise not resolved."""
    if ci is None or math.isnan(ci):
        return "**not resolved** (no confidence interval)"
    if value + ci <= limit:
        return "**met**"
    if value - ci > limit:
        return "**missed**"
    return ("**not resolved** (the 95 %% CI, +/- %s %s, reaches both sides "
            "of the goal)" % (f(ci, 2), unit))


def shm_targets(d):
    """The shared-memory path against the socket path and its floor (a
    0-byte ping-pong plus one memcpy of the argument, raw-memcpy)."""
    rows = []
    case = ("noop", "noop", "614400")
    shm, sock, floor = (d.stats(case, m) for m in
                        ("rpc-shm", "rpc-unix", "raw-memcpy"))
    if shm and sock:
        r = shm["p50"] / sock["p50"]
        rows.append(["600 KiB round trip, rpc-shm vs rpc-unix", "<= 0.5x",
                     "p50 %s vs %s us = %sx; p99 %s vs %s us" %
                     (f(shm["p50"]), f(sock["p50"]), f(r, 2),
                      f(shm["p99"]), f(sock["p99"])), verdict(r <= 0.5)])
    if shm and floor:
        r = shm["p50"] / floor["p50"]
        rows.append(["600 KiB round trip, rpc-shm vs 0-byte ping + memcpy",
                     "<= 2x", "p50 %s vs %s us = %sx; p99 %s vs %s us" %
                     (f(shm["p50"]), f(floor["p50"]), f(r, 2),
                      f(shm["p99"]), f(floor["p99"])), verdict(r <= 2.0)])
    case = ("noop", "noop", str(8 << 20))
    shm, sock = d.stats(case, "rpc-shm"), d.stats(case, "rpc-unix")
    if shm and sock:
        r = sock["p50"] / shm["p50"]
        rows.append(["8 MiB argument throughput, rpc-shm vs rpc-unix",
                     ">= 3x", "p50 %s vs %s MB/s = %sx (p99 %s vs %s us)" %
                     (f((8 << 20) / shm["p50"]), f((8 << 20) / sock["p50"]),
                      f(r, 2), f(shm["p99"]), f(sock["p99"])),
                     verdict(r >= 3.0)])
    return rows


def targets(d):
    rows = []
    case = ("torch", "resnet18", "224")
    for mode, limit in TARGETS.items():
        o = d.overhead(case, mode)
        if o is None:
            rows.append(["%s overhead on ResNet18 224x224" % mode,
                         "<= %.1f %%" % limit, "not measured", "-"])
            continue
        rows.append(["%s overhead on ResNet18 224x224" % mode,
                     "<= %.1f %%" % limit,
                     "%s %% (95%% CI +/- %s %%)" % (f(o[0], 2), f(o[1], 2)),
                     verdict_ci(o[0], o[1], limit, "%")])
    raw = d.stats(("noop", "noop", "0"), "raw-unix")
    rpc = d.stats(("noop", "noop", "0"), "rpc-unix")
    if raw and rpc:
        r = rpc["mean"] / raw["mean"]
        rows.append(["noop call over UNIX vs raw socket round trip (0 B)",
                     "<= 1.5x", "mean %s us vs %s us = %sx; p50 %s vs %s us "
                     "= %sx" % (f(rpc["mean"]), f(raw["mean"]), f(r, 2),
                                f(rpc["p50"]), f(raw["p50"]),
                                f(rpc["p50"] / raw["p50"], 2)),
                     verdict(r <= 1.5)])
    else:
        rows.append(["noop call over UNIX vs raw round trip", "<= 1.5x",
                     "not measured", "-"])
    raw = d.stats(("noop", "noop", "614400"), "raw-unix")
    rpc = d.stats(("noop", "noop", "614400"), "rpc-unix")
    if raw and rpc:
        r = raw["mean"] / rpc["mean"]
        mbs = 614400 / rpc["mean"]
        rows.append(["600 KiB argument over UNIX, throughput vs raw socket",
                     ">= 70 %", "mean %s MB/s vs %s MB/s = %s %%; p50 %s "
                     "%%" % (f(mbs), f(614400 / raw["mean"]), f(100 * r),
                             f(100 * raw["p50"] / rpc["p50"])),
                     verdict(r >= 0.70)])
    else:
        rows.append(["600 KiB over UNIX vs raw", ">= 70 %", "not measured",
                     "-"])
    rows += shm_targets(d)
    for model, size in (("tiny", "32"), ("resnet18", "224")):
        o = d.overhead(("torch", model, size), "local")
        if o is None:
            continue
        rows.append(["Local model_run overhead per call (%s %sx%s)" %
                     (model, size, size), "< 20 us",
                     "%s us (95%% CI +/- %s us)" % (f(o[2], 2), f(o[3], 2)),
                     verdict_ci(o[2], o[3], 20, "us")])
    return rows


def table(head, rows):
    out = ["| " + " | ".join(head) + " |",
           "|" + "|".join("---" for _ in head) + "|"]
    out += ["| " + " | ".join(str(c) for c in r) + " |" for r in rows]
    return "\n".join(out)


def summary(d, plots):
    m = d.machine
    lines = ["# vAccel benchmark results", "",
             "Command: `%s`, %s, %s s." % (m.get("command", "?"),
                                            m.get("date", "?"),
                                            m.get("duration_s", "?")), "",
             "## Machine", "",
             table(["", ""], [
                 ["CPU", m["cpu"]],
                 ["cpus", "%s online, allowed %s" % (m["online_cpus"],
                                                     m["allowed_cpus"])],
                 ["kernel", m["kernel"]],
                 ["libtorch", m["libtorch"]],
                 ["BLAS", m["blas"]],
                 ["GPU", m["gpu"]],
                 ["threads per mode", m["threads"]],
                 ["pinning", m["pinning"]],
                 ["load average (start / end)", "%s / %s" % (
                     " ".join("%.1f" % x for x in m["loadavg_start"]),
                     " ".join("%.1f" % x for x in m.get("loadavg_end",
                                                        [])))],
                 ["git", m["git"]]]), "",
             "## Targets", "", table(["target", "goal", "measured", ""],
                                     targets(d)), ""]
    if m.get("skipped"):
        lines += ["Modes not run: " + "; ".join(
            "%s: %s" % kv for kv in m["skipped"].items()) + ".", ""]
    if m.get("failures"):
        lines += ["Failures: " + "; ".join(m["failures"]) + ".", ""]

    rows = []
    for case in d.cases({"torch", "classify"}):
        for mode in d.modes(case):
            s = d.stats(case, mode)
            o = d.overhead(case, mode) if mode != "native" else None
            rows.append([case[1], case[2], mode, s["n"], ms(s["mean"]),
                         ms(s["p50"]), ms(s["p99"]), ms(s["std"]),
                         ms(s["plugin"]), f(s["transport"]), f(s["rest"]),
                         "-" if o is None else "%s +/- %s" % (f(o[0], 2),
                                                              f(o[1], 2))])
    if rows:
        lines += ["## Inference (TorchScript ResNets)", "",
                  "Latency in ms per call; plugin time in ms; transport and "
                  "rest in us; overhead in %% against Native, paired by "
                  "round-robin block, with its 95 %% confidence interval. "
                  "`photo` is a %s JPEG classified with decoding and "
                  "resizing to 224x224 inside the timed call." %
                  "4032x3024", "",
                  table(["model", "size", "mode", "iterations", "mean",
                         "p50", "p99", "std", "plugin", "transport us",
                         "rest us", "overhead %"], rows), ""]
    lines += spread_section(d)
    if d.loads:
        models = sorted({k[0] for k in d.loads}, key=model_key)
        modes = sorted({k[1] for k in d.loads}, key=mode_key)
        lrows = [[mo] + [f(mean(d.loads.get((mo, md), [])), 1)
                         if d.loads.get((mo, md)) else "-" for md in modes]
                 for mo in models]
        lines += ["## Model loading (ms, mean over the cases)", "",
                  "Register + load (Native: `torch::jit::load`; RPC: "
                  "includes uploading the file to the agent).", "",
                  table(["model"] + modes, lrows), ""]
    for kind, title in (("noop", "noop exec"), ("mbench", "mbench exec "
                                                           "(1 ms busy wait)")):
        rows = []
        for case in d.cases({kind}):
            size = int(case[2])
            for mode in d.modes(case):
                s = d.stats(case, mode)
                rows.append([size, mode, s["n"], f(s["mean"]), f(s["p50"]),
                             f(s["p99"]), f(s["std"]), f(s["plugin"]),
                             f(s["transport"]),
                             f(size / s["mean"]) if size else "-"])
        if rows:
            lines += ["## Micro-benchmark: %s" % title, "",
                      "Times in us per call; MB/s = argument bytes / mean "
                      "latency. raw-* is the C ping-pong moving the same "
                      "bytes as the RPC call.", "",
                      table(["bytes", "mode", "iterations", "mean", "p50",
                             "p99", "std", "plugin", "transport", "MB/s"],
                            rows), ""]
    if plots:
        lines += plots_section(plots)
    ran = m.get("ran", [])
    if ran:
        lines += ["## What ran", "",
                  table(["phase", "case", "iterations per mode", "block",
                         "modes"],
                        [[r["phase"], r["case"], r["iterations"], r["block"],
                          " ".join(r["modes"])] for r in ran]), ""]
    return "\n".join(lines) + "\n"


def spread_section(d):
    """The "## Run-to-run spread" section, for runs of several rounds (each
    with fresh agent and worker processes): each round's overhead against
    Native, and for the RPC modes the agent's plugin time against Local's
    plugin time in the same round."""
    rows = []
    for case in d.cases({"torch", "classify"}):
        rounds = d.rounds(case)
        if len(rounds) < 2:
            continue
        for mode in d.modes(case):
            if mode == "native":
                continue
            per = [d.overhead(case, mode, rnd=r) for r in rounds]
            ov = [o[0] for o in per if o]
            if not ov:
                continue
            plug = "-"
            if mode.startswith("rpc") and "local" in d.modes(case):
                pv = [100.0 * (d.round_plugin(case, mode, r) /
                               d.round_plugin(case, "local", r) - 1)
                      for r in rounds]
                plug = "%s (max abs %s)" % (
                    " / ".join(f(x, 2) for x in pv),
                    f(max(abs(x) for x in pv), 2))
            rows.append([case[1], case[2], mode, len(rounds),
                         " / ".join(f(x, 2) for x in ov), f(min(ov), 2),
                         f(max(ov), 2), f(max(ov) - min(ov), 2), plug])
    if not rows:
        return []
    return ["## Run-to-run spread", "",
            "Each round ran the whole torch phase again with fresh agent and "
            "worker processes. Overhead in % against Native per round "
            "(blocks paired within the round); plugin time of the RPC modes "
            "(measured inside the agent) in % against Local's plugin time "
            "in the same round.", "",
            table(["model", "size", "mode", "rounds", "overhead % per round",
                   "min", "max", "spread", "agent plugin vs local % per "
                   "round"], rows), ""]


def plots_section(plots):
    """The "## Plots" section: each figure with its caption line."""
    lines = ["## Plots", ""]
    for name, caption in plots:
        lines += ["![%s](%s)" % (name, name), "", "*%s*" % caption, ""]
    return lines


def refresh_summary(out, made):
    """Redoes, in an existing summary.md, the target verdicts that carry a
    confidence interval (from the numbers printed next to them) and the
    Plots section; everything else stays as the run wrote it."""
    path = os.path.join(out, "summary.md")
    with open(path) as fh:
        text = fh.read()
    ci_row = re.compile(r"^\| (.*) \| <=? ([-0-9.]+) (%|us) \| ([-0-9.]+) "
                        r"(?:%|us) \(95% CI \+/- ([0-9.]+) (?:%|us)\) \| "
                        r"(.*) \|$")
    lines = []
    for line in text.split("\n"):
        m = ci_row.match(line)
        if m:
            new = verdict_ci(float(m.group(4)), float(m.group(5)),
                             float(m.group(2)), m.group(3))
            line = line[:len(line) - len(m.group(6)) - 2] + new + " |"
        lines.append(line)
    text = "\n".join(lines)
    start = text.find("## Plots\n")
    if start >= 0:
        end = text.find("\n## ", start + 1)
        end = len(text) if end < 0 else end + 1
        text = text[:start] + "\n".join(plots_section(made)) + "\n" + \
            text[end:]
    with open(path, "w") as fh:
        fh.write(text)


def report(out, plots=True):
    d = Data(out)
    made = bench_plots.plot_all(d) if plots else []
    if not d.has_samples:
        refresh_summary(out, made)
        return
    with open(os.path.join(out, "summary.md"), "w") as fh:
        fh.write(summary(d, made))


def smoke_check(out, torch_modes, micro_modes):
    """The --smoke verdict: every mode that was asked for produced samples
    for ResNet18 (torch_modes) and the noop micro-benchmark (micro_modes).
    Returns the exit status."""
    d = Data(out)
    want = [(("torch", "resnet18", "224"), m) for m in torch_modes]
    want += [(("noop", "noop", "0"), m) for m in micro_modes]
    missing = ["%s %s" % (c[1] + "@" + c[2], m) for c, m in want
               if not d.stats(c, m)]
    if missing:
        print("bench: smoke FAILED, no samples for: " + ", ".join(missing),
              file=sys.stderr)
        return 1
    print("bench: smoke ok (%s)" % os.path.join(out, "summary.md"),
          file=sys.stderr)
    return 0


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit("usage: bench_report.py OUT_DIR [--no-plots]")
    report(sys.argv[1], plots="--no-plots" not in sys.argv)
