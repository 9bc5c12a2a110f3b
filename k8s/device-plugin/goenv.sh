# shellcheck shell=bash
# Sourced by build.sh and generate.sh: an offline Go build of the device
# plugin against Debian's Go packages (/usr/share/gocode: grpc, protobuf,
# x/net, x/sys, genproto), in GOPATH mode — Debian's sources carry go.mod
# files whose requirements cannot be resolved offline, so module mode is
# not used. The plugin's import path is vaccel.dev/device-plugin: a link in
# WORK/gopath/src points at this folder.
#
#   source goenv.sh WORK
goenv_src=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
goenv_work=$(mkdir -p "$1" && cd "$1" && pwd)
mkdir -p "$goenv_work/gopath/src/vaccel.dev"
ln -sfn "$goenv_src" "$goenv_work/gopath/src/vaccel.dev/device-plugin"
export GO111MODULE=off GOFLAGS= GOPROXY=off CGO_ENABLED=0
export GOPATH="$goenv_work/gopath:/usr/share/gocode"
# Go keeps its build cache under $HOME/.cache; without a HOME, in WORK.
if [ -z "${GOCACHE:-}" ] && [ -z "${HOME:-}" ]; then
	export GOCACHE="$goenv_work/cache"
fi
# Go resolves the current folder by its real path, which is outside
# GOPATH: commands name packages by import path, from the link.
goenv_pkg="$goenv_work/gopath/src/vaccel.dev/device-plugin"
