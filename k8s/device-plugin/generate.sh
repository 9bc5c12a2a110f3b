#!/usr/bin/env bash
# Regenerates api/v1beta1/*.pb.go from api/v1beta1/api.proto with Debian's
# protoc and the two Go generators built from Debian's sources:
# protoc-gen-go (golang-google-protobuf-dev) and protoc-gen-go-grpc
# (golang-google-grpc-dev, which ships its source but no binary).
#
#   generate.sh [WORK]      WORK: scratch folder (default: a temp folder)
#   generate.sh --check     exit 1 when the committed files are stale
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
check=0
if [ "${1:-}" = --check ]; then
	check=1
	shift
fi
work=${1:-$(mktemp -d)}
# shellcheck source=goenv.sh
source "$here/goenv.sh" "$work"

go build -o "$work/bin/protoc-gen-go" google.golang.org/protobuf/cmd/protoc-gen-go
go build -o "$work/bin/protoc-gen-go-grpc" google.golang.org/grpc/cmd/protoc-gen-go-grpc

out=$work/out
rm -rf "$out"
mkdir -p "$out"
PATH="$work/bin:$PATH" protoc -I "$here/api/v1beta1" \
	--go_out="$out" --go_opt=paths=source_relative \
	--go-grpc_out="$out" --go-grpc_opt=paths=source_relative \
	"$here/api/v1beta1/api.proto"

status=0
for f in api.pb.go api_grpc.pb.go; do
	if [ $check = 1 ]; then
		if ! cmp -s "$out/$f" "$here/api/v1beta1/$f"; then
			echo "generate.sh: api/v1beta1/$f is stale; run k8s/device-plugin/generate.sh" >&2
			status=1
		fi
	else
		cp "$out/$f" "$here/api/v1beta1/$f"
	fi
done
exit $status
