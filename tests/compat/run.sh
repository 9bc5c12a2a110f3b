#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
#
# One case of the compat suite. Programs written the way upstream vAccel's
# examples are (tests/compat/programs, built against the installed headers
# by stage.sh) run as a user runs them: locally on the matching plugin, and
# again through vaccel-agent over a UNIX socket (the agent at its default
# policy plus --exec-allow of the test library). Each program prints the
# results it read from its own variables; a case passes when those match
# what the program computed itself or what upstream documents, and when the
# local and the agent runs print the same.
#
#   run.sh <build_root> <source_root> <sanitize option> <case>
set -u
build=$1
src=$2
sanitize=$3
case=$4

stage=$build/tests/compat/stage
bash "$src/tests/compat/stage.sh" "$build" "$src" "$stage" "$sanitize" || {
	echo "FAIL: staging the install and the programs"
	exit 1
}
# shellcheck source=/dev/null
. "$stage/env"

tmp=$(mktemp -d)
agent_pid=
cleanup() {
	if [ -n "$agent_pid" ]; then
		kill -TERM "$agent_pid" 2>/dev/null
		wait "$agent_pid" 2>/dev/null
	fi
	rm -rf "$tmp"
}
trap cleanup EXIT

passes=0
failures=0
fail() {
	echo "FAIL: $*"
	failures=$((failures + 1))
}
pass() {
	passes=$((passes + 1))
}

# Libraries, data and plugins of the staged install.
img=$src/data/example.jpg
labels=$src/data/imagenet.txt
tiny=$src/tests/data/tiny_cnn.pt
two_io=$src/tests/data/two_io.pt
resnet=$src/data/models/resnet18.pt
export LD_LIBRARY_PATH=$LIB
export VACCEL_TORCH_THREADS=1 VACCEL_TORCH_LABELS=$labels
unset VACCEL_BOOTSTRAP_ENABLED VACCEL_LOG_LEVEL

# plugins NAME...: the staged plugins' paths, ':'-separated.
plugins() {
	local list=
	for p in "$@"; do
		list=${list:+$list:}$LIB/libvaccel-$p.so
	done
	echo "$list"
}

# run_local TAG PLUGINS PROGRAM ARGS...: runs a program locally; its
# output goes to $tmp/TAG.local, its log to $tmp/TAG.local.log.
run_local() {
	local tag=$1 list=$2
	shift 2
	VACCEL_PLUGINS=$list VACCEL_LOG_FILE=$tmp/$tag.local.log \
		"$BIN/$@" >"$tmp/$tag.local" 2>&1
	echo "$?" >"$tmp/$tag.local.rc"
}

# agent_start PLUGINS: starts the staged agent on a UNIX socket.
agent_start() {
	agent_stop
	rm -f "$tmp/ready" "$tmp/agent.sock"
	mkfifo "$tmp/ready"
	env -u VACCEL_PLUGINS "$AGENT" -a "unix://$tmp/agent.sock" \
		--plugins "$1" --exec-allow "$COMPATLIB" --ready-fd 3 \
		3>"$tmp/ready" >>"$tmp/agent.log" 2>&1 &
	agent_pid=$!
	local line ready=
	while IFS= read -r line; do
		[ "$line" = READY ] && ready=1
	done <"$tmp/ready"
	[ -n "$ready" ] || { fail "vaccel-agent did not start"; cat "$tmp/agent.log"; return 1; }
}

agent_stop() {
	if [ -n "$agent_pid" ]; then
		kill -TERM "$agent_pid" 2>/dev/null
		wait "$agent_pid" 2>/dev/null || fail "vaccel-agent exited with status $?"
		agent_pid=
	fi
}

# run_agent TAG PROGRAM ARGS...: the same program through the agent.
run_agent() {
	local tag=$1
	shift
	VACCEL_PLUGINS=$(plugins rpc) VACCEL_RPC_ADDRESS=unix://$tmp/agent.sock \
		VACCEL_LOG_FILE=$tmp/$tag.agent.log \
		"$BIN/$@" >"$tmp/$tag.agent" 2>&1
	echo "$?" >"$tmp/$tag.agent.rc"
}

# show TAG WHERE: prints a run's output and log after a failure.
show() {
	echo "--- $1 ($2): exit status $(cat "$tmp/$1.$2.rc")"
	cat "$tmp/$1.$2"
	[ -s "$tmp/$1.$2.log" ] && { echo "--- log:"; cat "$tmp/$1.$2.log"; }
	echo "---"
}

# ok TAG WHERE: the run exited 0 and printed no WRONG.
ok() {
	if [ "$(cat "$tmp/$1.$2.rc")" != 0 ] || grep -q WRONG "$tmp/$1.$2"; then
		fail "$1 ($2) failed"
		show "$1" "$2"
	else
		pass
	fi
}

# expect TAG WHERE LINE: the run printed exactly this line.
expect() {
	if grep -qxF -- "$3" "$tmp/$1.$2"; then
		pass
	else
		fail "$1 ($2): no line '$3'"
		show "$1" "$2"
	fi
}

# same TAG [REGEX]: the local and agent runs printed the same lines
# (except those matching REGEX, which differ on purpose).
same() {
	local skip=${2:-'^$'}
	if diff <(grep -Ev "$skip" "$tmp/$1.local") \
		<(grep -Ev "$skip" "$tmp/$1.agent") >"$tmp/$1.diff"; then
		pass
	else
		fail "$1: the agent run printed other results than the local run"
		cat "$tmp/$1.diff"
	fi
}

# both TAG LOCAL_PLUGINS PROGRAM ARGS...: local run, agent run (the agent
# must already be up with the same plugins), both ok, both the same.
both() {
	local tag=$1 list=$2
	shift 2
	run_local "$tag" "$list" "$@"
	run_agent "$tag" "$@"
	ok "$tag" local
	ok "$tag" agent
	same "$tag"
}

case_exec() {
	agent_start "$(plugins exec)" || return
	both exec "$(plugins exec)" exec "$COMPATLIB"
	both exec_serialized "$(plugins exec)" exec_serialized "$COMPATLIB"
	expect exec local "exec add_int32 mytestfunc(21): 42 ok"
	expect exec local "exec accumulate 100+5: 105 ok"
	expect exec local "exec upper: \"HELLO, VACCEL\" ok"
	expect exec_serialized local "arg-list serial exec mytestfunc(17): 34 ok"
	expect exec_serialized local "arg-list add past the end: refused"
}

# Through the agent (default policy plus --exec-allow of the test library)
# the uploaded resource is a byte-identical copy of the allowed file, so it
# runs as the file itself does.
case_exec_with_resource() {
	agent_start "$(plugins exec)" || return
	both ewr "$(plugins exec)" exec_with_resource "$COMPATLIB"
	for where in local agent; do
		for label in file buffer "memory only" multi; do
			expect ewr $where "exec_with_resource ($label): mytestfunc(10) = 20 ok"
		done
		expect ewr $where "genop exec_with_resource: mytestfunc(11) = 22 ok"
	done
}

# The mbench plugin's exec opens no library: the agent at its default
# policy runs it (upstream's mbench example names the plugin's own file).
case_mbench() {
	agent_start "$(plugins mbench)" || return
	both mbench "$(plugins mbench)" mbench 1 "$(plugins mbench)"
	for where in local agent; do
		expect mbench $where "mbench 1 ms: ok"
	done
}

case_sessions() {
	local list
	list=$(plugins exec noop)
	agent_start "$list" || return
	run_local sessions "$list" sessions "$COMPATLIB"
	run_agent sessions sessions "$COMPATLIB"
	for where in local agent; do
		ok sessions $where
		# The exec plugin doubles; noop (DEBUG) copies, as upstream's.
		expect sessions $where "no hint: exec mytestfunc(21) = 42"
		expect sessions $where "DEBUG: exec mytestfunc(21) = 21"
		expect sessions $where "DEBUG: hint 0x100"
		expect sessions $where "JETSON (no such plugin): exec mytestfunc(21) = 42"
		expect sessions $where "GPU|DEBUG: exec mytestfunc(21) = 21"
		expect sessions $where "vaccel_sess_has_resource: yes"
		expect sessions $where "vaccel_sess_free: 0"
	done
	# REMOTE takes the first transport plugin: none locally (upstream
	# fails the same way), the rpc plugin through the agent.
	expect sessions local "REMOTE: session_init: error $(errno_of ENOTSUP)"
	expect sessions agent "REMOTE: exec mytestfunc(21) = 42"
	same sessions '^REMOTE:'
}

# Profiling regions read as upstream hands them out: the size query, the
# region count returned, one NUL-terminated line per region with samples.
case_profiling() {
	export VACCEL_PROFILING_ENABLED=1
	agent_start "$(plugins noop)" || return
	both profiling "$(plugins noop)" profiling
	for where in local agent; do
		expect profiling $where "print_all_to_buf: 3 regions"
		expect profiling $where "line: session 1 entries"
		expect profiling $where "line: noop 4 entries"
		expect profiling $where "2 lines"
	done
}

errno_of() {
	/usr/bin/python3 -c 'import errno,sys; print(getattr(errno, sys.argv[1]))' "$1"
}

case_image() {
	agent_start "$(plugins noop)" || return
	both image "$(plugins noop)" image "$img" "$tiny"
	local n
	n=$(grep -c '"This is a dummy imgname!"$' "$tmp/image.local")
	# 5 ops x (typed + genop) x (no model, model).
	[ "$n" = 20 ] && pass || { fail "image: $n of 20 imgnames are upstream's"; show image local; }
	n=$(grep -c 'classification tag: "This is a dummy classification tag!"$' "$tmp/image.local")
	[ "$n" = 4 ] && pass || { fail "image: $n of 4 tags are upstream's"; show image local; }
}

# The noop plugin's results, as upstream's noop documents them.
case_noop_ops() {
	agent_start "$(plugins noop)" || return
	both noop_ops "$(plugins noop)" noop_ops "$tiny"
	for where in local agent; do
		expect noop_ops $where "minmax: 0 min -1 max 10000"
		expect noop_ops $where "minmax out: 3.5 -12.5 112.4 7"
		expect noop_ops $where "genop minmax: 0 min -1 max 10000"
		expect noop_ops $where "genop minmax out: 3.5 -12.5 112.4 7"
		expect noop_ops $where "fpga_arraycopy: 0 out 7 8 9"
		expect noop_ops $where "fpga_mmult c: 9.1 9.1 9.1"
		expect noop_ops $where "fpga_parallel add: 11 22 33"
		expect noop_ops $where "fpga_parallel mult: 1 1 1"
		expect noop_ops $where "fpga_vadd c: 11 22 33"
		expect noop_ops $where "sgemm c: -1 -1 -1 -1"
		expect noop_ops $where "torch out: type 7 dims 2 x 3 size 24"
		expect noop_ops $where "torch out data: 0.5 1.5 -2 4 8 16"
	done
	# TF and TFLite runs are not forwarded by the rpc plugin: local only.
	run_local tf_models "$(plugins noop)" tf_models "$tiny"
	ok tf_models local
	expect tf_models local "tf status: 0 \"Operation handled by noop plugin\""
	expect tf_models local "tf out: type 1 dims 2 x 3 size 24"
	expect tf_models local "tf out data: 0.5 1.5 -2 4 8 16"
	expect tf_models local "tflite_model_run: 0 status 0"
	expect tf_models local "tflite out: type 1 dims 3 x 2 size 24"
	expect tf_models local "tflite out data: 0.5 1.5 -2 4 8 16"
}

# torch_case TAG MODEL SHAPES NR_OUT: a model through torch_run, locally and
# through the agent, both checked against PyTorch itself.
torch_case() {
	local tag=$1
	shift
	both "$tag" "$(plugins torch)" torch_run "$@"
	if /usr/bin/python3 "$src/tests/compat/torch_reference.py" "$@" \
		"$tmp/$tag.local" >"$tmp/$tag.ref" 2>&1; then
		pass
	else
		fail "$tag: results differ from PyTorch's"
		cat "$tmp/$tag.ref"
		show "$tag" local
	fi
}

case_torch() {
	agent_start "$(plugins torch)" || return
	torch_case tiny_cnn "$tiny" 1x3x32x32 1
	torch_case two_io "$two_io" 2x3,2x3 2
	if [ -f "$resnet" ]; then
		torch_case resnet18 "$resnet" 1x3x224x224 1
		# Classification on the torch plugin, with and without a model.
		both classify "$(plugins torch)" image "$img" "$resnet"
		local tag
		tag=$(sed -n 's/^model: classification tag: "\(.*\)"$/\1/p' "$tmp/classify.local")
		if [ -n "$tag" ] && grep -qxF -- "$tag" "$labels"; then
			pass
		else
			fail "classify: tag '$tag' is not an imagenet label"
			show classify local
		fi
	else
		fail "no $resnet (python3 scripts/make-models.py --models resnet18)"
	fi
}

case_sgemm() {
	agent_start "$(plugins torch)" || return
	both sgemm "$(plugins torch)" sgemm
	# The program compares with the product it computed itself.
	for where in local agent; do
		for form in sgemm "genop sgemm"; do
			grep -q "^$form: .* ok\$" "$tmp/sgemm.$where" && pass ||
				fail "sgemm ($where): no '$form' result"
		done
	done
}

case_api_names() {
	run_local names "" api_names
	ok names local
	expect names local "op: VACCEL_OP_NOOP IMAGE_CLASSIFY torch_model_run blas_sgemm"
	expect names local "arg: VACCEL_ARG_INT32_ARRAY string"
	expect names local "resource: VACCEL_RESOURCE_MODEL LIB"
	expect names local "path: LOCAL_DIR blob: buffer"
	expect names local "log: VACCEL_LOG_WARN DEBUG error"
	expect names local "plugin: VACCEL_PLUGIN_TORCH REMOTE debug"
	expect names local "truncated: exec"
	expect names local "str_to_lower: mixed case 42"
	expect names local "str_to_lower alloc: mixed case 42"
	expect names local "str_to_lower in place: mixed case 42"
	expect names local "str_to_lower NULL: $(errno_of EINVAL)"
}

# Every name in upstream's list of public functions is exported by the
# installed libvaccel.so, or, for those upstream defines static inline in
# its headers, defined static inline by the installed vaccel.h (and then
# not exported, as upstream's are not).
case_symbols() {
	local list=$src/tests/compat/upstream-public-functions.txt
	local exported header missing=0 name kind
	exported=$(nm -D --defined-only "$LIB/libvaccel.so" | awk '{print $3}')
	# shellcheck disable=SC2086
	header=$(echo '#include <vaccel.h>' | cc -E $CFLAGS -x c - 2>&1) ||
		{ fail "cc -E vaccel.h failed"; echo "$header"; return; }
	while read -r name kind; do
		case $name in '' | '#'*) continue ;; esac
		if [ "$kind" = inline ]; then
			if ! grep -qE "static inline [^;{]*\\b$name *\\(" <<<"$header"; then
				fail "symbols: $name is not defined static inline by vaccel.h"
				missing=$((missing + 1))
			elif grep -qx "$name" <<<"$exported"; then
				fail "symbols: $name is exported, upstream defines it inline"
			fi
		elif ! grep -qx "$name" <<<"$exported"; then
			fail "symbols: $name is not exported by libvaccel.so"
			missing=$((missing + 1))
		fi
	done <"$list"
	[ "$missing" = 0 ] && pass
	echo "symbols: $(grep -cv '^#' "$list") upstream names, $missing missing"
}

# The installed header as binding generators read it: cc -E, pycparser,
# cffi's cdef.
case_header_cffi() {
	# shellcheck disable=SC2086
	if /usr/bin/python3 "$src/tests/compat/check_header.py" "$INCLUDE" \
		"$src/tests/compat/upstream-public-functions.txt" $CFLAGS; then
		pass
	else
		fail "header_cffi: the installed vaccel.h does not parse"
	fi
	# The checker itself sees a GNU attribute: with the opt-in format
	# checks on, the same header must be refused.
	# shellcheck disable=SC2086
	if /usr/bin/python3 "$src/tests/compat/check_header.py" "$INCLUDE" \
		"$src/tests/compat/upstream-public-functions.txt" $CFLAGS \
		-DVACCEL_FORMAT_CHECK >"$tmp/format_check" 2>&1; then
		fail "header_cffi: a header with format attributes parsed"
	elif grep -q "__attribute__" "$tmp/format_check"; then
		pass
	else
		fail "header_cffi: refused for another reason"
		cat "$tmp/format_check"
	fi
}

# A program written as upstream's users write theirs (only <vaccel.h> and
# upstream's names), after a check that the install holds what a user's
# build looks for where it looks.
case_upstream_style() {
	local f
	for f in "$INCLUDE/vaccel.h" "$INCLUDE/vaccel/session.h" \
		"$INCLUDE/vaccel/ops/torch.h" "$INCLUDE/vaccel/version.h" \
		"$LIB/libvaccel.so" "$LIB/libvaccel-noop.so" \
		"$LIB/libvaccel-exec.so" "$LIB/libvaccel-mbench.so" \
		"$LIB/pkgconfig/vaccel.pc" "$ROOT/bin/noop"; do
		if [ -e "$f" ]; then pass; else fail "not installed: $f"; fi
	done
	agent_start "$(plugins exec noop)" || return
	both upstream "$(plugins exec noop)" upstream_style "$COMPATLIB" "$tiny"
	for where in local agent; do
		expect upstream $where "exec_with_resource: 21 -> 42"
		expect upstream $where "genop exec: 21 -> 42"
		expect upstream $where "VACCEL_OP_NOOP: OK"
	done
}

"case_$case"
agent_stop
echo "$case: $passes passed, $failures failed"
[ "$failures" = 0 ] && [ "$passes" -gt 0 ]
