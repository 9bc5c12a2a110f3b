# SPDX-License-Identifier: Apache-2.0
#
# Sourced by go/test.sh and bench/go-bindings.sh: points the Go toolchain
# and the Go tests at a meson build directory.
#
#   source go/env.sh BUILD_DIR
#
# The package compiles against the build tree through its uninstalled
# pkg-config file (BUILD_DIR/meson-uninstalled/vaccel-uninstalled.pc) and
# runs with LD_LIBRARY_PATH at the build's libvaccel; the tests find the
# plugins, the agent and their data through VACCEL_TEST_* variables
# (go/internal/testenv lists them). Offline: GOFLAGS=-mod=mod GOPROXY=off.
go_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
go_build=$(cd "$1" && pwd)

export GOFLAGS=-mod=mod GOPROXY=off CGO_ENABLED=1
# go keeps its build cache (and would keep modules) under $HOME; CI shells
# may have none.
if [ -z "${HOME:-}" ]; then
	export GOCACHE=${GOCACHE:-/tmp/vaccel-go-cache} GOPATH=${GOPATH:-/tmp/vaccel-gopath}
fi
export PKG_CONFIG_PATH="$go_build/meson-uninstalled${PKG_CONFIG_PATH:+:$PKG_CONFIG_PATH}"
# go's build cache does not notice C headers changing (`go help cache`), and
# the cgo glue compiles struct layouts in: a digest of libvaccel's headers
# in CGO_CFLAGS, which the cache keys on, rebuilds the cgo packages when
# the headers change.
go_headers=$(find "$go_root/include" "$go_build/include" -name '*.h' | LC_ALL=C sort |
	xargs cat | sha256sum | cut -c1-16)
export CGO_CFLAGS="${CGO_CFLAGS:--O2 -g} -DVACCEL_HEADERS_DIGEST=$go_headers"
export LD_LIBRARY_PATH="$go_build/src${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"

export VACCEL_TEST_NOOP=$go_build/plugins/noop/libvaccel-noop.so
export VACCEL_TEST_EXEC=$go_build/plugins/exec/libvaccel-exec.so
export VACCEL_TEST_TORCH=$go_build/plugins/torch/libvaccel-torch.so
export VACCEL_TEST_RPC=$go_build/plugins/rpc/libvaccel-rpc.so
export VACCEL_TEST_REFERENCE=$go_build/tests/reference/libvaccel-reference.so
export VACCEL_TEST_AGENT=$go_build/agent/vaccel-agent
export VACCEL_TEST_LIB=$go_build/examples/libmytestlib.so
export VACCEL_TEST_TORCH_REF=$go_build/tests/python/torch_ref
export VACCEL_TEST_IMAGE=$go_root/data/example.jpg
export VACCEL_TEST_TORCH_DATA=$go_root/tests/data
export VACCEL_TEST_MODELS=$go_root/data/models
export VACCEL_TORCH_LABELS=$go_root/data/imagenet.txt
export VACCEL_TORCH_THREADS=2
# libvaccel bootstraps when it loads; the tests bootstrap again with every
# plugin they need.
export VACCEL_PLUGINS=$VACCEL_TEST_NOOP

# Everything present: a missing piece fails its tests instead of skipping
# them.
go_missing=()
for v in VACCEL_TEST_NOOP VACCEL_TEST_EXEC VACCEL_TEST_TORCH VACCEL_TEST_RPC \
	VACCEL_TEST_REFERENCE VACCEL_TEST_AGENT VACCEL_TEST_LIB VACCEL_TEST_TORCH_REF VACCEL_TEST_IMAGE; do
	[ -e "${!v}" ] || go_missing+=("$v=${!v}")
done
if [ ${#go_missing[@]} -eq 0 ]; then
	export VACCEL_TEST_STRICT=1
else
	echo "go/env.sh: missing, their tests skip: ${go_missing[*]}" >&2
fi
