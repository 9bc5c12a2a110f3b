#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# Builds a Debian 12 root for a foreign architecture from Debian's own
# packages, for what needs more than the cross toolchain's libc: the torch
# plugin (libtorch), running it under qemu-user, and the dependencies of
# the .debs (scripts/package.sh):
#
#   cross/sysroot.sh ARCH [PACKAGE...]      ARCH: arm64, armhf
#
# prints the root's path on stdout. The default packages are libc6-dev and
# libstdc++6, plus libtorch-dev and libstb-dev where Debian builds libtorch
# for ARCH (arm64: yes; armhf: no). apt runs with a private state directory
# and APT::Architecture=ARCH (the machine's dpkg configuration is left
# alone: no `dpkg --add-architecture`), resolves the packages' complete
# dependency closure from an empty dpkg status, downloads the .debs and
# unpacks each with `dpkg -x`. No maintainer script runs. The root is kept
# under $VACCEL_CROSS_CACHE (default ~/.cache/vaccel-cross) and rebuilt only
# when the package list or the resolved versions change.
#
# The root holds, besides the files:
#   ROOT/meson.ini  a second meson cross file to give after the
#                   architecture's own: it compiles and links against the
#                   root (--sysroot), tells the torch plugin where the root
#                   is (sys_root), and runs tests with qemu's library prefix
#                   on the root;
#   ROOT/shlibs     the shlibs lines of every unpacked package, for
#                   dpkg-shlibdeps -L (the packages are not in any dpkg
#                   database).
set -euo pipefail

arch=${1:?usage: sysroot.sh ARCH [PACKAGE...]}
shift
pkgs=("$@")
multiarch=$(dpkg-architecture -a"$arch" -qDEB_HOST_MULTIARCH 2>/dev/null)

cache=${VACCEL_CROSS_CACHE:-$HOME/.cache/vaccel-cross}
state=$cache/apt-$arch
root=$cache/sysroot-$arch
mkdir -p "$state/lists/partial" "$state/archives/partial" \
	"$state/etc/preferences.d"
: >"$state/status"

apt_opts=(
	-o "APT::Architecture=$arch" -o "APT::Architectures::=$arch"
	-o "Dir::State=$state" -o "Dir::State::Lists=$state/lists"
	-o "Dir::State::status=$state/status"
	-o "Dir::Cache=$state" -o "Dir::Cache::archives=$state/archives"
	-o "Dir::Etc::Preferences=$state/etc/preferences"
	-o "Dir::Etc::PreferencesParts=$state/etc/preferences.d"
	-o "Debug::NoLocking=1" -o "APT::Sandbox::User=root"
	-o "APT::Install-Recommends=0" -q=2
)

# Package lists for the architecture, fetched again after a day.
if [ -z "$(find "$state/updated" -mtime -1 2>/dev/null)" ]; then
	echo "sysroot: fetching $arch package lists" >&2
	apt-get "${apt_opts[@]}" update >&2
	touch "$state/updated"
fi

if [ ${#pkgs[@]} = 0 ]; then
	pkgs=(libc6-dev libstdc++6)
	if apt-cache "${apt_opts[@]}" show libtorch-dev >/dev/null 2>&1; then
		pkgs+=(libtorch-dev libstb-dev)
	fi
fi

# The full closure from nothing installed, with the versions apt picks.
closure=$(apt-get "${apt_opts[@]}" install --simulate "${pkgs[@]}" |
	sed -n 's/^Inst \([^ ]*\) (\([^ ]*\) .*/\1=\2/p' | sort)
if [ -z "$closure" ]; then
	echo "sysroot: apt resolved no packages for ${pkgs[*]} ($arch)" >&2
	exit 1
fi
stamp=$(printf '%s\n' "${pkgs[@]}" "$closure" | sha256sum | cut -c1-16)

if [ "$(cat "$root/.stamp" 2>/dev/null)" != "$stamp" ]; then
	echo "sysroot: downloading $(wc -l <<<"$closure") $arch packages" >&2
	apt-get "${apt_opts[@]}" install --download-only -y "${pkgs[@]}" >&2
	rm -rf "$root.tmp"
	mkdir -p "$root.tmp"
	while read -r pv; do
		p=${pv%%=*} v=${pv#*=}
		deb=$(ls "$state/archives/${p}_${v//:/%3a}_"*.deb 2>/dev/null | head -n1)
		if [ -z "$deb" ]; then
			echo "sysroot: $p $v was not downloaded" >&2
			exit 1
		fi
		dpkg -x "$deb" "$root.tmp"
		dpkg-deb -I "$deb" shlibs >>"$root.tmp/shlibs" 2>/dev/null || true
	done <<<"$closure"
	# What update-alternatives would have linked: the BLAS and LAPACK
	# that libtorch loads by their generic names (an OpenBLAS when one is
	# there, else the reference one).
	lib=$root.tmp/usr/lib/$multiarch
	for name in libblas.so.3 liblapack.so.3; do
		for impl in "$lib"/openblas*/"$name" "$lib"/*/"$name"; do
			if [ -e "$impl" ] && [ ! -e "$lib/$name" ]; then
				ln -s "${impl#"$lib"/}" "$lib/$name"
			fi
		done
	done
	echo "$stamp" >"$root.tmp/.stamp"
	rm -rf "$root"
	mv "$root.tmp" "$root"
fi

qemu=$(dpkg-architecture -a"$arch" -qDEB_HOST_GNU_CPU 2>/dev/null)
cat >"$root/meson.ini.new" <<INI
# Written by cross/sysroot.sh: builds against the Debian $arch root here.
[constants]
root = '$root'
sysroot_args = ['--sysroot=' + root]

[binaries]
exe_wrapper = ['qemu-$qemu-static', '-L', root]

[properties]
sys_root = root

[built-in options]
c_args = sysroot_args
cpp_args = sysroot_args
c_link_args = sysroot_args
cpp_link_args = sysroot_args
INI
# Rewritten only when it changes: meson reconfigures build trees whose cross
# files are newer than they are.
if cmp -s "$root/meson.ini.new" "$root/meson.ini"; then
	rm "$root/meson.ini.new"
else
	mv "$root/meson.ini.new" "$root/meson.ini"
fi
echo "$root"
