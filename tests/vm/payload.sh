# SPDX-License-Identifier: Apache-2.0
# shellcheck shell=bash
#
# What the guest image holds, as "src|dst" pairs in the array `payload`
# (dst under /opt/vaccel/{lib,bin}) and the files of `data_files` (for
# /opt/vaccel/share/data). Sourced by build-image.sh, which copies them into
# the image, and by host-tree.sh, which links the same files into a host
# directory so that the tests run the very same programs on the host.
#   collect_payload BUILD_OR_PREFIX_DIR|none
#   collect_data SOURCE_ROOT

is_elf() {
	[ -f "$1" ] && [ "$(head -c 4 "$1" | od -An -c | tr -d ' ')" = '177ELF' ]
}

# From a build dir: the libraries of src, plugins, examples and the tests'
# reference plugin, the agent, the examples and vaccel-ref-check. Meson's
# per-target object dirs (*.p) are never copied.
collect_build_dir() {
	local b=$1 f

	while IFS= read -r f; do
		payload+=("$f|/opt/vaccel/lib/$(basename "$f")")
	done < <(find "$b/src" "$b/plugins" "$b/examples" "$b/tests/reference" \
			-name '*.p' -prune -o \
			\( -name '*.so' -o -name '*.so.*' \) \( -type f -o -type l \) \
			-not -name '*torch*' -print 2>/dev/null | sort)
	[ -x "$b/agent/vaccel-agent" ] &&
		payload+=("$b/agent/vaccel-agent|/opt/vaccel/bin/vaccel-agent")
	while IFS= read -r f; do
		is_elf "$f" && payload+=("$f|/opt/vaccel/bin/$(basename "$f")")
	done < <(find "$b/examples" "$b/tests/reference" -maxdepth 2 -name '*.p' -prune -o \
			-type f -perm -u+x -not -name '*.so*' -print 2>/dev/null | sort)
	return 0
}

collect_prefix() {
	local p=$1 f

	while IFS= read -r f; do
		payload+=("$f|/opt/vaccel/lib/$(basename "$f")")
	done < <(find "$p"/lib* -maxdepth 3 \( -name 'libvaccel*.so' -o \
			-name 'libvaccel*.so.*' -o -name 'libmytestlib*.so' \) \
			\( -type f -o -type l \) -not -name '*torch*' 2>/dev/null | sort)
	while IFS= read -r f; do
		is_elf "$f" && payload+=("$f|/opt/vaccel/bin/$(basename "$f")")
	done < <(find "$p/bin" -maxdepth 1 -type f -perm -u+x 2>/dev/null | sort)
	return 0
}

# Fills `payload` from a build dir or prefix ("none": nothing). The torch
# plugin and anything linked with libtorch stay on the host: they would
# drag hundreds of MiB into the guest, which only forwards to the host.
collect_payload() {
	local p filtered=()

	payload=()
	if [ "$1" = none ]; then
		echo "payload: no vAccel payload ('none'): a bare guest" >&2
		return 0
	elif [ -f "$1/build.ninja" ]; then
		collect_build_dir "$1"
	else
		collect_prefix "$1"
	fi
	for p in ${payload[@]+"${payload[@]}"}; do
		# (grep -q on a pipe would trip pipefail when ldd gets SIGPIPE.)
		if is_elf "${p%%|*}" &&
		   grep -q 'libtorch\|libc10' <<<"$(ldd "${p%%|*}" 2>/dev/null || true)"; then
			echo "payload: leaving out ${p%%|*} (links libtorch; torch stays on the host)" >&2
			continue
		fi
		filtered+=("$p")
	done
	payload=(${filtered[@]+"${filtered[@]}"})
}

# Small data files the examples read (an image, labels). Big models are
# passed per run with run-guest.sh --file instead of bloating every image.
collect_data() {
	local f

	data_files=()
	while IFS= read -r f; do
		data_files+=("$f")
	done < <(find "$1/data" -maxdepth 1 -type f -size -4M \
			\( -name '*.jpg' -o -name '*.png' -o -name '*.txt' \) 2>/dev/null | sort)
}
