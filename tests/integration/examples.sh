#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
#
# Runs every example program through a real plugin from the build tree and
# checks what it prints. Under valgrind (when installed) each run must also
# be free of memory errors and leaks.
#
#   examples.sh <build_root> <source_root>
set -u

build=$1
src=$2
ex=$build/examples
noop=$build/plugins/noop/libvaccel-noop.so
exec_plugin=$build/plugins/exec/libvaccel-exec.so
mbench=$build/plugins/mbench/libvaccel-mbench.so
torch=$build/plugins/torch/libvaccel-torch.so
lib=$ex/libmytestlib.so
img=$src/data/example.jpg
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

failures=0
passes=0

# Valgrind cannot run sanitizer builds; those check memory themselves.
# valgrind-torch.supp hides what memcheck reports inside ld.so and
# libtorch's own dependencies (anchored on their frames only), so the torch
# examples run under valgrind too and a leak of ours still fails them.
vg=()
if command -v valgrind >/dev/null 2>&1 && [ "${EXAMPLES_NO_VALGRIND:-0}" != 1 ] &&
   ! ldd "$ex/noop" 2>/dev/null | grep -q 'lib[at]san'; then
	vg=(valgrind -q --error-exitcode=99 --leak-check=full
	    --errors-for-leak-kinds=definite,indirect --show-possibly-lost=no
	    "--suppressions=$src/tests/integration/valgrind-torch.supp")
fi

fail() {
	echo "FAIL: $*"
	failures=$((failures + 1))
}

# run <name> <plugins> <expected exit: 0|nonzero> <cmd...>: runs one example,
# keeping its output in $out/<name>.
run() {
	local name=$1 plugins=$2 want=$3
	shift 3
	VACCEL_PLUGINS=$plugins "${vg[@]}" "$@" >"$out/$name" 2>&1
	local rc=$?
	# Valgrind stops at an instruction it cannot emulate (a CPU feature
	# newer than it knows). Say so and check the result without it.
	if [ ${#vg[@]} -gt 0 ] && grep -q 'unhandled instruction bytes' "$out/$name"; then
		echo "note: $name: valgrind cannot emulate an instruction on this CPU; ran it without valgrind (no leak check):"
		grep -m1 'unhandled instruction bytes' "$out/$name"
		VACCEL_PLUGINS=$plugins "$@" >"$out/$name" 2>&1
		rc=$?
	fi
	if [ "$rc" = 99 ]; then
		fail "$name: valgrind reported errors"
		cat "$out/$name"
		return 1
	fi
	if { [ "$want" = 0 ] && [ "$rc" != 0 ]; } ||
	   { [ "$want" != 0 ] && [ "$rc" = 0 ]; }; then
		fail "$name: exit status $rc, expected $want"
		cat "$out/$name"
		return 1
	fi
	return 0
}

# expect <name> <fixed string>: the output of <name> contains the string.
expect() {
	if grep -qF -- "$2" "$out/$1"; then
		passes=$((passes + 1))
	else
		fail "$1: output lacks '$2'"
		cat "$out/$1"
	fi
}

run noop "$noop" 0 "$ex/noop" 3 && {
	expect noop "noop: 3 call(s) OK"
	expect noop "iteration 3:"
}

for e in exec exec_generic; do
	run "$e" "$exec_plugin" 0 "$ex/$e" "$lib" 2 &&
		expect "$e" "$e: mytestfunc(10) = 20"
done
run exec_with_resource "$exec_plugin" 0 "$ex/exec_with_resource" "$lib" && {
	expect exec_with_resource "exec_with_resource (file): mytestfunc(10) = 20"
	expect exec_with_resource "exec_with_resource (buffer): mytestfunc(10) = 20"
}
run exec_missing_lib "$exec_plugin" nonzero "$ex/exec" "$out/nope.so" &&
	expect exec_missing_lib "exec failed: no such entry"

for g in "" _generic; do
	run "classify$g" "$noop" 0 "$ex/classify$g" "$img" 2 && {
		expect "classify$g" "classification tags: This is a dummy classification tag!"
		expect "classify$g" "imgname: This is a dummy imgname!"
	}
	for e in detect segment pose depth; do
		# A model file registers as the session's MODEL resource.
		run "$e$g" "$noop" 0 "$ex/$e$g" "$img" 1 "$src/data/imagenet.txt" &&
			expect "$e$g" "image_$e imgname: This is a dummy imgname!"
	done
	run "sgemm$g" "$noop" 0 "$ex/sgemm$g" 2 "$out/c$g.txt" && {
		# noop (like upstream's) leaves C, initialised to -1, as it is.
		expect "sgemm$g" "sgemm: C[0]=-1 C[767]=-1"
		expect "sgemm$g" "expected: C[0]=46 C[767]=141"
		[ "$(wc -l <"$out/c$g.txt")" = 32 ] || fail "sgemm$g: out_file has not 32 rows"
	}
done
run classify_missing "$noop" nonzero "$ex/classify" "$out/nope.jpg"
run noop_bad_iterations "$noop" nonzero "$ex/noop" abc

# noop's minmax reports upstream's fixed bounds.
run minmax "$noop" 0 "$ex/minmax" && expect minmax "minmax: min=-1 max=10000"
run mbench "$mbench" 0 "$ex/mbench" 5 "$lib" 2 && expect mbench "mbench: 2 x 5 ms"
run mbench_bad_time "$mbench" nonzero "$ex/mbench" 0 "$lib"

# The torch examples on the real libtorch plugin, under valgrind like the
# others (about a minute each there: libtorch is large), with the tiny CNN
# of tests/data. A plugin that really computes sgemm must print the
# expected values.
if [ -f "$torch" ]; then
	tiny=$src/tests/data/tiny_cnn.pt
	labels=$src/data/imagenet.txt
	export VACCEL_TORCH_THREADS=1 VACCEL_TORCH_LABELS=$labels
	run torch_sgemm "$torch" 0 "$ex/sgemm" 1 "$out/torch_c.txt" &&
		expect torch_sgemm "sgemm: C[0]=46 C[767]=141"
	run torch_classify "$torch" 0 "$ex/classify" "$img" 1 "$tiny" &&
		expect torch_classify "classification tags: "
	run torch_inference "$torch" 0 "$ex/torch_inference" "$img" "$tiny" \
		"$labels" 2 && expect torch_inference "top-1: "
	# The _generic forms and the refusals run without valgrind.
	vg_saved=("${vg[@]}")
	vg=()
	run torch_sgemm_generic "$torch" 0 "$ex/sgemm_generic" &&
		expect torch_sgemm_generic "sgemm: C[0]=46 C[767]=141"
	run torch_inference_no_labels "$torch" nonzero "$ex/torch_inference" \
		"$img" "$tiny" "$out/no-labels.txt" 1 &&
		expect torch_inference_no_labels "cannot read labels file $out/no-labels.txt: No such file or directory"
	run torch_inference_bad_model "$torch" nonzero "$ex/torch_inference" \
		"$img" "$labels" "$labels" 1 &&
		expect torch_inference_bad_model "PytorchStreamReader failed reading zip archive"
	vg=("${vg_saved[@]}")
else
	echo "note: no torch plugin built, the torch examples did not run"
fi

echo "$passes passed, $failures failed"
[ "$failures" = 0 ]
