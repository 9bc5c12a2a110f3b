# SPDX-License-Identifier: Apache-2.0
"""The figures of a bench/run output folder, one per question, each with the
caption line that summary.md prints under it:

  overhead.png   how much slower than Native is each mode, per model and size?
  breakdown.png  where does the time of one call go (plugin / transport / rest)?
  micro.png      how does a call's latency grow with the bytes it carries?

Used by bench_report.py; `d` is its Data (stats(), overhead(), cases()).
"""
import math
import os

MODE_COLORS = {"native": "#555555", "local": "#1f77b4", "rpc-unix": "#2ca02c",
               "rpc-tcp": "#d62728", "vm-virtio": "#e377c2",
               "vm-vsock": "#bcbd22", "vm-vhost-vsock": "#17becf",
               "raw-unix": "#9467bd", "rpc-shm": "#98df8a",
               "raw-memcpy": "#c5b0d5",
               "raw-tcp": "#8c564b"}
MODE_LETTERS = {"native": "N", "local": "L", "rpc-unix": "U", "rpc-shm": "M",
                "rpc-tcp": "T",
                "vm-virtio": "V", "vm-vsock": "S", "vm-vhost-vsock": "K"}
PART_COLORS = {"plugin": "#b0b0b0", "transport": "#ff7f0e", "rest": "#1f77b4"}
SIZE_TITLES = {"photo": "4032x3024 JPEG (classify)"}
DPI = 110


def short(model):
    return model.replace("resnet", "ResNet")


def size_title(size):
    return SIZE_TITLES.get(size, "%sx%s input" % (size, size))


def nice_ceiling(x):
    """The smallest of 1, 2, 2.5, 5 x 10^k at or above x."""
    if x <= 0:
        return 1.0
    k = math.floor(math.log10(x))
    for m in (1, 2, 2.5, 5, 10):
        if m * 10 ** k >= x:
            return m * 10 ** k
    return 10 ** (k + 1)


def quantile(values, q):
    v = sorted(values)
    if not v:
        return 0.0
    return v[min(len(v) - 1, int(q * (len(v) - 1) + 0.5))]


def plain_log_axis(axis, ticker):
    """Log-scale ticks at 1, 2, 5 x 10^k written as plain numbers (no 1e3,
    no offset)."""
    axis.set_major_locator(ticker.LogLocator(base=10, subs=(1, 2, 5)))
    axis.set_minor_locator(ticker.NullLocator())
    axis.set_major_formatter(ticker.FuncFormatter(
        lambda v, _: ("%g" % v) if v < 1e5 else "%.0f" % v))


def torch_cases(d):
    """(model, size) -> case of the ResNet inference cases, and the sizes
    and models in display order."""
    from bench_report import model_key, size_key
    cases = [c for c in d.cases({"torch", "classify"}) if c[1] != "tiny"]
    by = {(c[1], c[2]): c for c in cases}
    sizes = sorted({c[2] for c in cases}, key=size_key)
    models = sorted({c[1] for c in cases}, key=model_key)
    return by, sizes, models


def per_case(by, modes, fn):
    """{(model, size, mode): fn(case, mode)} where fn has a value."""
    out = {}
    for key, case in by.items():
        for mode in modes:
            v = fn(case, mode)
            if v:
                out[key + (mode,)] = v
    return out


def finish(d, plt, fig, name, title, caption):
    """Titles and writes a laid-out figure; returns (file, caption)."""
    fig.suptitle(title, fontsize=10, x=0.02, y=0.985, ha="left")
    fig.savefig(os.path.join(d.out, name), dpi=DPI)
    plt.close(fig)
    return name, caption


def plot_overhead(d, plt, ticker):
    by, sizes, models = torch_cases(d)
    modes = [m for m in ("local", "rpc-unix", "rpc-shm", "rpc-tcp",
                         "vm-virtio", "vm-vsock", "vm-vhost-vsock")
             if any(c + (m,) in d.blocks for c in by.values())]
    vals = per_case(by, modes, d.overhead)
    if not vals:
        return None
    # One y scale for every panel, wide enough for most bars: the 90th
    # percentile of |overhead|, at least +/- 10 %. Bars beyond it are cut
    # and their value is printed at the edge.
    lim = nice_ceiling(max(10.0, quantile([abs(o[0]) for o in vals.values()],
                                          0.9) * 1.15))
    fig, axes = plt.subplots(1, len(sizes),
                             figsize=(max(7.5, 3.6 * len(sizes)), 4.2),
                             sharey=True, squeeze=False)
    w = 0.8 / len(modes)
    for ax, size in zip(axes[0], sizes):
        present = [mo for mo in models if (mo, size) in by]
        for j, mode in enumerate(modes):
            xs, ys, es = [], [], []
            for i, mo in enumerate(present):
                o = vals.get((mo, size, mode))
                if not o:
                    continue
                x = i - 0.4 + w * (j + 0.5)
                xs.append(x)
                ys.append(max(-lim, min(lim, o[0])))
                es.append(0 if math.isnan(o[1]) else o[1])
                if abs(o[0]) > lim:
                    ax.text(x, math.copysign(lim * 0.97, o[0]),
                            "%+.0f" % o[0], rotation=90, fontsize=7,
                            ha="center", va="top" if o[0] > 0 else "bottom",
                            color="white", fontweight="bold")
            ax.bar(xs, ys, w, yerr=es, capsize=2, color=MODE_COLORS[mode],
                   error_kw={"elinewidth": 0.8, "alpha": 0.7},
                   label=mode if size == sizes[0] else None)
        ax.axhline(0, color="black", lw=0.7)
        ax.set_ylim(-lim, lim)
        ax.set_xticks(range(len(present)))
        ax.set_xticklabels([short(m) for m in present], rotation=30,
                           fontsize=8)
        ax.set_title(size_title(size), fontsize=10)
        ax.grid(axis="y", lw=0.3, alpha=0.6)
    axes[0][0].set_ylabel("overhead against Native (%)")
    axes[0][0].yaxis.set_major_formatter(ticker.FuncFormatter(
        lambda v, _: "%+g" % v if v else "0"))
    fig.legend(loc="upper right", fontsize=8, ncol=len(modes),
               bbox_to_anchor=(0.99, 0.99))
    fig.tight_layout(rect=(0, 0, 1, 0.9))
    return finish(
        d, plt, fig, "overhead.png",
        "How much slower than Native is each mode?\n"
        "Same y scale in every panel (+/- %g %%); whiskers: 95 %% CI" % lim,
        "Mean extra time per call of each vAccel mode against Native on the "
        "same model and input, from round-robin blocks paired with "
        "Native's; whiskers are the 95 %% confidence interval. All panels "
        "share the y scale (+/- %g %%); a bar beyond it is cut and its value "
        "printed inside it." % lim)


def plot_breakdown(d, plt, ticker):
    by, sizes, models = torch_cases(d)
    modes = [m for m in ("native", "local", "rpc-unix", "rpc-shm",
                         "rpc-tcp", "vm-virtio", "vm-vsock", "vm-vhost-vsock")
             if any(d.stats(c, m) for c in by.values())]

    def parts(case, mode):
        # (rest, transport, whole call) in ms; Native has no boundary,
        # so all of it is "plugin".
        s = d.stats(case, mode)
        return s and (max(s["rest"], 0.0) / 1e3, s["transport"] / 1e3,
                      s["mean"] / 1e3)
    bars = per_case(by, modes, parts)
    if not bars:
        return None
    # The broken axis: the lower panel (linear, ms) is tall enough for the
    # transport + rest of nearly every bar; the upper one (log, ms) spans
    # the whole calls.
    outside = [b[0] + b[1] for b in bars.values()]
    low = nice_ceiling(max(0.05, quantile(outside, 0.9) * 1.2))
    tops = [b[2] for b in bars.values()]
    hi_lo = max(low * 1.5, min(tops) / 1.6)
    hi_hi = max(tops) * 1.6
    width = max(7.5, 4.2 * len(sizes))
    fig, axes = plt.subplots(2, len(sizes), figsize=(width, 5.8),
                             sharex="col", sharey="row", squeeze=False,
                             gridspec_kw={"height_ratios": [3, 2],
                                          "hspace": 0.06})
    w = 0.8 / len(modes)
    for col, size in enumerate(sizes):
        top, bot = axes[0][col], axes[1][col]
        present = [mo for mo in models if (mo, size) in by]
        ticks, letters = [], []
        for i, mo in enumerate(present):
            for j, mode in enumerate(modes):
                b = bars.get((mo, size, mode))
                if not b:
                    continue
                x = i - 0.4 + w * (j + 0.5)
                rest, tr, total = b
                plugin = max(total - rest - tr, 0.0)
                for ax in (top, bot):
                    ax.bar(x, rest, w * 0.9, color=PART_COLORS["rest"])
                    ax.bar(x, tr, w * 0.9, bottom=rest,
                           color=PART_COLORS["transport"])
                    ax.bar(x, plugin, w * 0.9, bottom=rest + tr,
                           color=PART_COLORS["plugin"])
                if rest + tr > low:
                    bot.text(x, low * 0.97, "%.1f" % (rest + tr),
                             rotation=90, fontsize=6, ha="center", va="top")
                ticks.append(x)
                letters.append(MODE_LETTERS.get(mode, mode[0].upper()))
        top.set_yscale("log")
        top.set_ylim(hi_lo, hi_hi)
        plain_log_axis(top.yaxis, ticker)
        bot.set_ylim(0, low)
        bot.yaxis.set_major_formatter(ticker.FuncFormatter(
            lambda v, _: "%g" % v))
        bot.set_xticks(ticks)
        bot.set_xticklabels(letters, fontsize=6)
        for i, mo in enumerate(present):
            bot.annotate(short(mo), (i, 0), xycoords=("data", "axes fraction"),
                         xytext=(0, -22), textcoords="offset points",
                         ha="center", fontsize=8)
        top.spines["bottom"].set_visible(False)
        bot.spines["top"].set_visible(False)
        top.tick_params(axis="x", bottom=False)
        # The break marks.
        kw = {"marker": [(-1, -0.5), (1, 0.5)], "markersize": 8,
              "linestyle": "none", "color": "k", "mec": "k", "mew": 1,
              "clip_on": False}
        top.plot([0, 1], [0, 0], transform=top.transAxes, **kw)
        bot.plot([0, 1], [1, 1], transform=bot.transAxes, **kw)
        top.set_title(size_title(size), fontsize=10)
        top.grid(axis="y", lw=0.3, alpha=0.6)
        bot.grid(axis="y", lw=0.3, alpha=0.6)
    axes[0][0].set_ylabel("ms per call (log)")
    axes[1][0].set_ylabel("ms per call")
    from matplotlib.patches import Patch
    handles = [Patch(color=PART_COLORS[p], label=p)
               for p in ("plugin", "transport", "rest")]
    names = ", ".join("%s %s" % (MODE_LETTERS.get(m, m), m) for m in modes)
    fig.legend(handles=handles, loc="upper right", fontsize=8, ncol=3,
               bbox_to_anchor=(0.99, 0.99))
    fig.subplots_adjust(left=0.8 / width, right=1 - 0.15 / width, top=0.86,
                        bottom=0.12, wspace=0.08)
    return finish(
        d, plt, fig, "breakdown.png",
        "Where does one call's time go? (broken y axis)\n"
        "Bars per mode: %s" % names,
        "Mean time of one call, stacked: rest (validation, dispatch, "
        "packing, the agent's decoding), transport (the wire, both "
        "directions) and plugin (the model itself; all of Native). The y "
        "axis is broken: below, linear from 0 to %g ms, where the "
        "non-plugin parts are visible; above, logarithmic from %.3g ms, "
        "where whole calls end. Both rows share their scale across the "
        "panels; a bar taller than the lower range is labelled with its "
        "non-plugin ms." % (low, hi_lo))


def size_label(b):
    if b == 0:
        return "0 B"
    for unit, n in (("MiB", 1 << 20), ("KiB", 1 << 10)):
        if b >= n:
            return "%g %s" % (b / n, unit)
    return "%d B" % b


def plot_micro(d, plt, ticker):
    micro = d.cases({"noop"})
    if not micro:
        return None
    sizes = sorted({int(c[2]) for c in micro})
    # 0 bytes cannot sit on a log axis: it is drawn one step left of the
    # smallest non-zero size and labelled "0 B".
    nonzero = [b for b in sizes if b] or [64]
    xpos = {b: (b if b else nonzero[0] / 4) for b in sizes}
    # One panel per transport, each with Local and the raw ping-pong over
    # the same socket type, so that the bands do not pile up.
    panels = [(title, [m for m in group if any(d.stats(c, m) for c in micro)])
              for title, group in (
                  ("UNIX socket", ("local", "rpc-unix", "raw-unix")),
                  ("UNIX + shared memory", ("local", "rpc-shm",
                                            "raw-memcpy")),
                  ("TCP on 127.0.0.1", ("local", "rpc-tcp", "raw-tcp")),
                  ("QEMU guest", ("local", "vm-virtio", "vm-vsock",
                                  "vm-vhost-vsock")))]
    panels = [p for p in panels if len(p[1]) > 1]
    if not panels:
        return None
    fig, axes = plt.subplots(1, len(panels), figsize=(5.2 * len(panels), 4.6),
                             sharey=True, squeeze=False)
    approx = False
    for ax, (title, modes) in zip(axes[0], panels):
        for mode in modes:
            pts = []
            for c in micro:
                s = d.stats(c, mode)
                if s:
                    pts.append((xpos[int(c[2])], s["p50"], s["p99"]))
                    approx = approx or s.get("approx", False)
            pts.sort()
            xs = [p[0] for p in pts]
            color = MODE_COLORS[mode]
            ax.plot(xs, [p[1] for p in pts], "o-", ms=3, lw=1.4,
                    color=color, label=mode)
            ax.fill_between(xs, [p[1] for p in pts], [p[2] for p in pts],
                            color=color, alpha=0.15, lw=0)
            ax.plot(xs, [p[2] for p in pts], ":", lw=0.9, color=color)
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xticks([xpos[b] for b in sizes])
        ax.set_xticklabels([size_label(b) for b in sizes], rotation=45,
                           ha="right", fontsize=7)
        ax.xaxis.set_minor_locator(ticker.NullLocator())
        ax.yaxis.set_major_locator(ticker.LogLocator(base=10))
        ax.yaxis.set_minor_locator(ticker.NullLocator())
        ax.yaxis.set_major_formatter(ticker.FuncFormatter(
            lambda v, _: "%g" % v))
        ax.set_xlabel("bytes of the one argument")
        ax.set_title(title, fontsize=10)
        ax.grid(lw=0.3, alpha=0.6)
        ax.legend(fontsize=8, loc="upper left")
    axes[0][0].set_ylabel("latency per call (us, log)")
    fig.tight_layout(rect=(0, 0, 1, 0.93))
    how = ("iteration-weighted means of the per-block percentiles, as "
           "results.csv keeps no single samples") if approx else \
        "percentiles of every sample"
    return finish(
        d, plt, fig, "micro.png",
        "How does latency grow with the bytes a call carries?\n"
        "noop exec; line: p50, shaded up to the dotted p99",
        "Latency of `vaccel_exec()` through the noop plugin against the "
        "size of its one argument, log-log, one panel per transport with "
        "the same y scale: the solid line is the median, the shaded band "
        "reaches the dotted 99th percentile (%s). raw-* is the C ping-pong "
        "moving the same bytes over the same socket type; local is the "
        "plugin in the calling process." % how)


def plot_all(d):
    """Draws every figure that the data allows; returns [(file, caption)]."""
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
        import matplotlib.ticker as ticker
    except ImportError:
        import sys
        print("bench: no matplotlib (apt install python3-matplotlib); "
              "no plots", file=sys.stderr)
        return []
    made = []
    for fn in (plot_overhead, plot_breakdown, plot_micro):
        r = fn(d, plt, ticker)
        if r:
            made.append(r)
    return made
