#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# Builds the Debian packages of vAccel for one architecture:
#
#   scripts/package.sh amd64|arm64|armhf [OUTDIR]    (default out/packages/ARCH)
#
# libvaccel0, libvaccel-dev, vaccel-plugins, vaccel-plugin-torch (where
# libtorch exists for ARCH), vaccel-agent and vaccel-examples, as described
# in packaging/debian/control. A foreign ARCH is cross-built (cross/) against
# the Debian root of cross/sysroot.sh.
#
# The build uses Debian's own tools the way a package build does: the
# compiler and linker flags of dpkg-buildflags (hardening included), meson
# with prefix /usr and the multiarch libdir, dpkg-shlibdeps for the
# dependencies on shared libraries, dpkg-gencontrol for DEBIAN/control and
# dpkg-deb for the .debs (files owned by root, no fakeroot needed). Every
# installed file must go to a package (packaging/debian/*.install) or be
# listed in packaging/debian/not-installed.
set -euo pipefail
cd "$(dirname "$0")/.."
src=$PWD

arch=${1:?usage: package.sh amd64|arm64|armhf [OUTDIR]}
out=${2:-out/packages/$arch}
case $arch in
amd64 | arm64 | armhf) ;;
*)
	echo "package.sh: unknown architecture '$arch' (amd64, arm64, armhf)" >&2
	exit 2
	;;
esac

archvar() { dpkg-architecture -a"$arch" -q"$1" 2>/dev/null; }
# Runs a dpkg tool with the DEB_HOST_* variables of ARCH.
for_arch() { CC=$gnu_type-gcc dpkg-architecture -a"$arch" -c "$@"; }
multiarch=$(archvar DEB_HOST_MULTIARCH)
gnu_type=$(archvar DEB_HOST_GNU_TYPE)
version=$(meson introspect --projectinfo meson.build 2>/dev/null |
	/usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["version"])')
debversion=$version-1
maintainer=${VACCEL_DEB_MAINTAINER:-vAccel maintainers <vaccel@example.org>}
build=$src/build-pkg-$arch
work=$build/debian-work
mkdir -p "$out" "$build"
out=$(cd "$out" && pwd)

# The toolchain: this machine's for its own architecture, a cross compiler
# and the Debian root of ARCH otherwise.
setup_args=()
sysroot_flag=""
lib_dirs=()
shlibs_local=$build/shlibs.local
strip=strip
: >"$shlibs_local"
if [ "$arch" != "$(dpkg --print-architecture)" ]; then
	root=$(bash cross/sysroot.sh "$arch")
	setup_args=(--cross-file "cross/$gnu_type.ini" --cross-file "$root/meson.ini")
	sysroot_flag="--sysroot=$root"
	lib_dirs+=("$root/lib/$multiarch" "$root/usr/lib/$multiarch")
	# No dpkg database knows the root's libraries: their shlibs lines
	# (collected by sysroot.sh) name the packages.
	cat "$root/shlibs" >>"$shlibs_local"
	strip=$gnu_type-strip
fi

flags() { DEB_HOST_ARCH=$arch DEB_BUILD_MAINT_OPTIONS=hardening=+all dpkg-buildflags --get "$1"; }
cflags="$sysroot_flag $(flags CPPFLAGS) $(flags CFLAGS)"
cxxflags="$sysroot_flag $(flags CPPFLAGS) $(flags CXXFLAGS)"
ldflags="$sysroot_flag $(flags LDFLAGS)"
# The device plugin (a static Go binary) ships in its container image
# (deploy/containers, docs/kubernetes.md), not in a package.
options=(--prefix=/usr "--libdir=lib/$multiarch" --sysconfdir=/etc
	--localstatedir=/var -Dbuildtype=plain -Dwerror=true -Dtests=false
	-Dexamples=true -Ddevice-plugin=disabled "-Dc_args=$cflags" "-Dcpp_args=$cxxflags"
	"-Dc_link_args=$ldflags" "-Dcpp_link_args=$ldflags")
if [ -f "$build/build.ninja" ]; then
	meson setup --reconfigure "$build" "${options[@]}" >/dev/null
else
	meson setup "$build" "${setup_args[@]}" "${options[@]}" >/dev/null
fi
ninja -C "$build"

rm -rf "$build/stage" "$work"
DESTDIR=$build/stage meson install -C "$build" --quiet --no-rebuild

# A debian/ directory for the dpkg tools: the metadata of packaging/debian,
# with this build's maintainer, version and date filled in.
mkdir -p "$work/debian"
date=$(date -R -d "@${SOURCE_DATE_EPOCH:-$(git log -1 --format=%ct 2>/dev/null || date +%s)}")
fill() {
	sed -e "s|@MAINTAINER@|$maintainer|g" -e "s|@VERSION@|$debversion|g" \
		-e "s|@DATE@|$date|g" -e "s|@MULTIARCH@|$multiarch|g" "$1"
}
fill packaging/debian/control >"$work/debian/control"
fill packaging/debian/changelog >"$work/debian/changelog"
packages=$(sed -n 's/^Package: //p' "$work/debian/control")

# is_elf FILE: an ELF object (program or shared library).
is_elf() { [ "$(head -c 4 "$1" 2>/dev/null | od -An -c | tr -d ' ')" = '177ELF' ]; }

# claim PKG GLOB [DEST]: moves the staged files matching GLOB into PKG's
# tree (under DEST, or where they were).
claim() {
	local pkg=$1 glob=$2 dest=${3:-} matched=0 f
	for f in "$build"/stage/$glob; do
		[ -e "$f" ] || [ -L "$f" ] || continue
		matched=1
		local rel=${f#"$build/stage/"}
		local to=$work/$pkg/${dest:-$(dirname "$rel")}
		mkdir -p "$to"
		mv "$f" "$to/"
	done
	if [ $matched = 0 ]; then
		echo "package.sh: $pkg: nothing installed matches $glob" >&2
		return 1
	fi
}

while read -r glob; do
	[ -n "$glob" ] || continue
	rm -rf "$build"/stage/$glob
done < <(fill packaging/debian/not-installed)
built=()
for pkg in $packages; do
	list=packaging/debian/$pkg.install
	# The torch plugin exists only where libtorch does; without it, its
	# other files (the labels) go nowhere.
	skip=0
	if [ "$pkg" = vaccel-plugin-torch ] &&
		[ ! -e "$build/stage/usr/lib/$multiarch/libvaccel-torch.so" ]; then
		echo "package.sh: no libtorch for $arch: $pkg not built"
		skip=1
	fi
	while read -r glob dest; do
		[ -n "$glob" ] || continue
		if [ $skip = 1 ]; then
			rm -rf "$build"/stage/$glob
		else
			claim "$pkg" "$glob" "$dest"
		fi
	done < <(fill "$list")
	[ $skip = 1 ] || built+=("$pkg")
done
left=$(cd "$build/stage" && find . ! -type d | sed 's|^\./||')
if [ -n "$left" ]; then
	echo "package.sh: installed but in no package:" >&2
	echo "$left" >&2
	exit 1
fi

for pkg in "${built[@]}"; do
	dir=$work/$pkg
	doc=$dir/usr/share/doc/$pkg
	mkdir -p "$doc" "$dir/DEBIAN"
	cp packaging/debian/copyright "$doc/copyright"
	gzip -9n <"$work/debian/changelog" >"$doc/changelog.Debian.gz"

	# Package-specific files: systemd unit, default configuration,
	# maintainer scripts, lintian overrides.
	case $pkg in
	vaccel-agent)
		install -D -m 0644 packaging/debian/vaccel-agent.service \
			"$dir/usr/lib/systemd/system/vaccel-agent.service"
		install -D -m 0644 packaging/debian/vaccel-agent.default \
			"$dir/etc/default/vaccel-agent"
		echo /etc/default/vaccel-agent >"$dir/DEBIAN/conffiles"
		mkdir -p "$dir/usr/share/man/man1"
		gzip -9n <packaging/debian/vaccel-agent.1 \
			>"$dir/usr/share/man/man1/vaccel-agent.1.gz"
		;;
	esac
	for script in postinst prerm postrm; do
		if [ -f "packaging/debian/$pkg.$script" ]; then
			install -m 0755 "packaging/debian/$pkg.$script" "$dir/DEBIAN/$script"
		fi
	done
	if [ -f "packaging/debian/$pkg.lintian-overrides" ]; then
		install -D -m 0644 "packaging/debian/$pkg.lintian-overrides" \
			"$dir/usr/share/lintian/overrides/$pkg"
	fi

	# Debian's permissions and stripping: shared objects 0644, programs
	# 0755, no symbols but the dynamic ones, no .comment/.note sections.
	elves=()
	while IFS= read -r -d '' f; do
		if is_elf "$f"; then
			elves+=("$f")
			"$strip" --remove-section=.comment --remove-section=.note \
				--strip-unneeded "$f"
			case $f in *.so | *.so.*) chmod 0644 "$f" ;; esac
		fi
	done < <(find "$dir" -type f -print0)

	# A library in the library directory gets an ldconfig trigger; one with
	# a versioned SONAME also shlibs and symbols files (and its shlibs line
	# serves the packages after it: the plugins, the agent and the
	# examples depend on libvaccel0 of this version or later).
	for f in "${elves[@]}"; do
		[[ $f == "$dir/usr/lib/$multiarch/"* ]] || continue
		soname=$(readelf -d "$f" | sed -n 's/.*(SONAME).*\[\(.*\)\]/\1/p')
		[ -n "$soname" ] || continue
		echo "activate-noawait ldconfig" >"$dir/DEBIAN/triggers"
		# libNAME.so.N: shlibs line "libNAME N pkg (>= version)".
		major=${soname##*.so.}
		if [ "$major" != "$soname" ] && [ -n "$major" ] &&
			[ -z "${major//[0-9]/}" ]; then
			line="${soname%.so.*} $major $pkg (>= $version)"
			echo "$line" >>"$dir/DEBIAN/shlibs"
			echo "$line" >>"$shlibs_local"
			(cd "$work" && for_arch \
				dpkg-gensymbols -q -p"$pkg" -P"$pkg" -v"$version" \
				-e"$f")
		fi
	done

	: >"$work/debian/$pkg.substvars"
	if [ ${#elves[@]} -gt 0 ]; then
		# The libraries are found in the packages being built (libvaccel0),
		# then in the Debian root.
		ldirs=()
		for d in "$work"/*/usr/lib/"$multiarch" "${lib_dirs[@]}"; do
			ldirs+=("-l$d")
		done
		(cd "$work" && for_arch \
			dpkg-shlibdeps -L"$shlibs_local" "${ldirs[@]}" \
			-T"debian/$pkg.substvars" "${elves[@]}")
	fi
	(cd "$work" && find "$pkg" -path "$pkg/DEBIAN" -prune -o -type f -print0 |
		sort -z | xargs -0r md5sum | sed "s| $pkg/| |" >"$pkg/DEBIAN/md5sums")
	[ -s "$dir/DEBIAN/md5sums" ] || rm -f "$dir/DEBIAN/md5sums"
	(cd "$work" && for_arch \
		dpkg-gencontrol -p"$pkg" -P"$pkg" -v"$debversion" \
		-T"debian/$pkg.substvars")
	dpkg-deb --root-owner-group -Zxz --build "$dir" \
		"$out/${pkg}_${debversion}_$arch.deb" >/dev/null
	echo "package.sh: $out/${pkg}_${debversion}_$arch.deb"
done
