#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# The Kubernetes manifests, checked without a cluster: every kustomization
# under deploy/kubernetes renders with `kubectl kustomize`, every file there
# is part of one, and every rendered object validates strictly against the
# Kubernetes OpenAPI schemas (kubernetes-models, installed by
# scripts/setup.sh with `npm ci` in tests/k8s/validate) and, for the shapes,
# against the project's deployment rules (validate.mjs --policy). Then the
# deliberately wrong manifests of tests/k8s/bad are each refused with the
# one problem their "# expect:" line names.
#
#   manifests_test.sh SOURCE_ROOT
set -uo pipefail
src=$1
deploy=$src/deploy/kubernetes
here=$src/tests/k8s
validate=(node "$here/validate/validate.mjs")
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

for tool in kubectl node; do
	if ! command -v $tool >/dev/null; then
		echo "SKIP: $tool is not installed (scripts/setup.sh installs it)"
		exit 77
	fi
done
if [ ! -d "$here/validate/node_modules/kubernetes-models" ]; then
	echo "FAIL: tests/k8s/validate/node_modules is missing: run scripts/setup.sh (npm ci)"
	exit 1
fi

failures=0
passes=0
fail() {
	echo "FAIL: $*"
	failures=$((failures + 1))
}
pass() {
	echo "ok: $*"
	passes=$((passes + 1))
}

# Every kustomization renders and validates; the shapes (all but base,
# which is never applied alone) also follow the deployment rules.
mapfile -t dirs < <(cd "$deploy" && find . -name kustomization.yaml -printf '%h\n' | sed 's|^\./||' | sort)
for d in "${dirs[@]}"; do
	if ! kubectl kustomize "$deploy/$d" >"$out/$d.yaml" 2>"$out/$d.err"; then
		fail "kubectl kustomize $d: $(cat "$out/$d.err")"
		continue
	fi
	flags=(--policy)
	[ "$d" = base ] && flags=()
	if "${validate[@]}" "${flags[@]}" "$out/$d.yaml" >"$out/$d.check"; then
		pass "$d: $(tail -1 "$out/$d.check")"
	else
		fail "$d:"
		cat "$out/$d.check"
	fi
done

# Every file in deploy/kubernetes is a kustomization or named by one.
while read -r f; do
	name=$(basename "$f")
	[ "$name" = kustomization.yaml ] && continue
	if ! grep -qE "^\s*-\s*$name\s*$" "$(dirname "$f")/kustomization.yaml" 2>/dev/null; then
		fail "$f is not part of its folder's kustomization"
	fi
done < <(find "$deploy" -type f)

# The GPU shape asks for a GPU (the rules allow it only in the agent).
if grep -q 'nvidia.com/gpu: 1' "$out/node-gpu.yaml"; then
	pass "node-gpu: the agent asks for nvidia.com/gpu"
else
	fail "node-gpu: no GPU request"
fi

# The wrong manifests: refused, for exactly the expected reason.
for f in "$here"/bad/*.yaml "$here"/bad/*/kustomization.yaml; do
	name=${f#"$here"/bad/}
	want=$(sed -n 's/^# expect: //p' "$f")
	flags=()
	grep -q '^# policy' "$f" && flags=(--policy)
	input=$f
	if [ "$(basename "$f")" = kustomization.yaml ]; then
		input=$out/bad-render.yaml
		kubectl kustomize "$(dirname "$f")" >"$input" || { fail "$name: does not render"; continue; }
	fi
	if "${validate[@]}" "${flags[@]}" "$input" >"$out/bad.check"; then
		fail "$name: accepted"
		continue
	fi
	if grep -qF -- "$want" "$out/bad.check" && grep -q ', 1 problems$' "$out/bad.check"; then
		pass "$name: refused: $want"
	else
		fail "$name: refused, but not (only) for '$want':"
		cat "$out/bad.check"
	fi
done

echo "$passes passed, $failures failed"
[ $failures = 0 ]
