#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# Mutation check: plants each bug of tests/mutations.txt, one at a time, in
# a scratch copy of the tree, rebuilds, runs the tests named with it, and
# reports whether they caught it. A bug the tests do not catch "survives":
# the suite has a hole there. Exits 0 only when every bug was caught; a
# block whose text no longer occurs exactly once in its file, or that does
# not build, fails too (the list must follow the code).
#
#   scripts/mutate.sh [ID...]        all bugs, or only those named
#
# MUTATE_DIR (default build-mutate) holds the scratch copy (MUTATE_DIR/src)
# and its build (MUTATE_DIR/build, kept between runs: later runs rebuild
# only what changed). The copy is refreshed from the working tree first, so
# uncommitted changes count; the tree itself is never touched. Before any
# bug is planted the named tests must pass on the clean copy. The VM test of
# the vsock bug uses VACCEL_VM_CACHE (default MUTATE_DIR/vm-cache).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
dir=$(realpath -m "${MUTATE_DIR:-$root/build-mutate}")
src=$dir/src
build=$dir/build
list=$root/tests/mutations.txt
jobs=$(nproc)
export VACCEL_VM_CACHE=${VACCEL_VM_CACHE:-$dir/vm-cache}

# --- the scratch copy --------------------------------------------------------
# Tracked and untracked (not ignored) files, and the ignored data/models
# link. Against the previous copy (which the build was made from), a file
# with the same content keeps that copy's mtime and any other gets a new
# one, so that the build redoes exactly what changed.
mkdir -p "$dir"
rm -rf "$src.new"
mkdir -p "$src.new"
git ls-files -z --cached --others --exclude-standard |
	cpio -pdm0 --quiet "$src.new" 2>/dev/null
if [ -L data/models ] || [ -d data/models ]; then
	ln -s "$(realpath data/models)" "$src.new/data/models"
fi
if [ -d "$src" ]; then
	(cd "$src.new" && find . -type f) | while IFS= read -r f; do
		if cmp -s "$src.new/$f" "$src/$f"; then
			touch -r "$src/$f" "$src.new/$f"
		else
			touch "$src.new/$f"
		fi
	done
fi
rm -rf "$src"
mv "$src.new" "$src"

if [ ! -f "$build/build.ninja" ]; then
	meson setup "$build" "$src" -Dbuildtype=debugoptimized -Dplugin-torch=enabled >/dev/null
fi
echo "mutate: building the clean copy in $build"
if ! ninja -C "$build" -j "$jobs" >"$dir/clean-build.log" 2>&1; then
	echo "mutate: FAIL: the clean copy does not build:"
	grep -E -A5 'error|FAILED' "$dir/clean-build.log" | head -n 40
	exit 1
fi

# --- the list ---------------------------------------------------------------
# One directory per bug under $dir/list: file, tests, what, search, replace.
rm -rf "$dir/list"
/usr/bin/python3 - "$list" "$dir/list" "$@" <<'EOF'
import os, sys
path, out, only = sys.argv[1], sys.argv[2], set(sys.argv[3:])
blocks, cur, part = [], None, None
for n, line in enumerate(open(path), 1):
    if line.startswith("=== "):
        head = [f.strip() for f in line[4:].split("|")]
        if len(head) != 3 or not all(head):
            sys.exit(f"{path}:{n}: want '=== ID | FILE | TEST...'")
        cur = {"id": head[0], "file": head[1], "tests": head[2],
               "what": None, "search": [], "replace": [], "line": n}
        blocks.append(cur)
        part = "what"
    elif cur is None or (part is None and line.startswith("#")):
        continue
    elif part == "what":
        cur["what"] = line.strip()
        part = "pre"
    elif part == "pre":
        if line.rstrip("\n") != "<<<":
            sys.exit(f"{path}:{n}: want '<<<'")
        part = "search"
    elif line.rstrip("\n") == "---" and part == "search":
        part = "replace"
    elif line.rstrip("\n") == ">>>" and part == "replace":
        part = None
    elif part in ("search", "replace"):
        cur[part].append(line)
    elif line.strip() and not line.startswith("#"):
        sys.exit(f"{path}:{n}: text outside a block")
if part is not None:
    sys.exit(f"{path}: the last block is not closed with '>>>'")
ids = [b["id"] for b in blocks]
if len(ids) != len(set(ids)):
    sys.exit(f"{path}: duplicate ids")
unknown = only - set(ids)
if unknown:
    sys.exit(f"unknown mutation ids: {' '.join(sorted(unknown))}")
for i, b in enumerate(blocks):
    if only and b["id"] not in only:
        continue
    d = os.path.join(out, f"{i:03d}-{b['id']}")
    os.makedirs(d)
    for k in ("file", "tests", "what"):
        open(os.path.join(d, k), "w").write(b[k] + "\n")
    for k in ("search", "replace"):
        open(os.path.join(d, k), "w").write("".join(b[k]))
EOF

# plant FILE SEARCH REPLACE: replaces the one occurrence of SEARCH's text in
# FILE; fails when it occurs zero or several times.
plant() {
	/usr/bin/python3 - "$@" <<'EOF'
import sys
path, search, replace = sys.argv[1:]
text = open(path).read()
old, new = open(search).read(), open(replace).read()
n = text.count(old)
if n != 1:
    sys.exit(f"the text occurs {n} times in {path}")
open(path, "w").write(text.replace(old, new))
EOF
}

mutations=("$dir"/list/*)
[ -d "${mutations[0]}" ] || { echo "mutate: no mutations selected"; exit 1; }

# The tests must pass before anything is planted, or a "caught" bug proves
# nothing.
all_tests=$(cat "$dir"/list/*/tests | tr ' ' '\n' | sort -u | tr '\n' ' ')
echo "mutate: the clean copy must pass: $all_tests"
# shellcheck disable=SC2086
if ! meson test -C "$build" --no-rebuild --num-processes "$jobs" --logbase mutate-clean \
	$all_tests >"$dir/clean.log" 2>&1; then
	echo "mutate: FAIL: the tests fail without any planted bug:"
	grep -E '^ *[0-9]+/[0-9]+ .*(FAIL|TIMEOUT)' "$dir/clean.log" || tail -n 20 "$dir/clean.log"
	exit 1
fi

caught=0
survived=0
broken=0
report=()
start=$(date +%s)
for m in "${mutations[@]}"; do
	id=${m##*/}
	id=${id#*-}
	file=$(cat "$m/file")
	tests=$(cat "$m/tests")
	what=$(cat "$m/what")
	t0=$(date +%s)
	cp -p "$src/$file" "$dir/original"
	verdict=
	if ! err=$(plant "$src/$file" "$m/search" "$m/replace" 2>&1); then
		verdict="NOT APPLIED ($err)"
	elif ! ninja -C "$build" -j "$jobs" >"$dir/$id.build.log" 2>&1; then
		verdict="DOES NOT BUILD (see $dir/$id.build.log)"
	else
		# shellcheck disable=SC2086
		# Half the usual time limits: a planted bug that hangs a test
		# is caught by the timeout, and the clean tests take far less.
		if meson test -C "$build" --no-rebuild --num-processes "$jobs" \
			--timeout-multiplier 0.5 --logbase "mutate-$id" $tests \
			>"$dir/$id.test.log" 2>&1; then
			verdict=SURVIVED
		else
			verdict=caught
		fi
	fi
	# The original comes back with a new mtime, so that it is rebuilt
	# (the next run's copy keeps that mtime while the content is equal).
	cp "$dir/original" "$src/$file"
	touch "$src/$file"
	case "$verdict" in
	caught) caught=$((caught + 1)) ;;
	SURVIVED) survived=$((survived + 1)) ;;
	*) broken=$((broken + 1)) ;;
	esac
	line=$(printf '%-26s %-8s %4ss  %s  [%s]' "$id" "${verdict%% (*}" \
		"$(($(date +%s) - t0))" "$what" "$tests")
	echo "$line"
	[ "${verdict%% (*}" = "$verdict" ] || echo "    $verdict"
	report+=("$line")
done
ninja -C "$build" -j "$jobs" >/dev/null

echo
echo "mutate: ${#mutations[@]} planted bugs: $caught caught, $survived survived," \
	"$broken not applied or not built ($(($(date +%s) - start)) s)"
[ "$survived" = 0 ] && [ "$broken" = 0 ]
