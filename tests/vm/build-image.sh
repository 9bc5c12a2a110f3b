#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# Builds the QEMU guest image for the vAccel VM tests: a Debian kernel and a
# busybox initramfs holding our libvaccel, plugins, agent, examples and every
# shared library they need.
#
#   build-image.sh [options] BUILD_OR_PREFIX_DIR CACHE_DIR
#
# BUILD_OR_PREFIX_DIR is a meson build dir (has build.ninja) or an install
# prefix (has lib*/libvaccel.so*); "none" builds an image without vAccel,
# which the smoke test uses. CACHE_DIR keeps the kernel .deb, its extracted
# tree and (by default) the image in CACHE_DIR/images/<hash of its inputs>/,
# whose path is the last line of the output. An image directory never
# changes once it is there (it is built aside and renamed into place), so
# runs that share a cache, of different builds and at the same time, each
# keep the image they were given; one unused for 2 days is removed. The
# image holds:
#   vmlinux        uncompressed kernel (boots about 3x faster under TCG)
#   bzImage        the .deb's compressed kernel, kept as a fallback
#   initramfs.img  cpio newc archive (see --compress)
#   image.env      KERNEL=... INITRD=... read by run-guest.sh
#   inputs.sha256  hash of every input (the directory's name); the image is
#                  rebuilt only when it changes (inputs.manifest lists what
#                  was hashed)
#
# Options:
#   -o, --out DIR        write the image to DIR instead (rewritten in place
#                        when the inputs change: not for a shared DIR)
#   --compress none|gzip initramfs compression (default none: unpacking a
#                        gzip archive costs more TCG time than it saves)
#   --module NAME        load one more kernel module in the guest (repeatable)
#   --data FILE          copy FILE into /opt/vaccel/share/data (repeatable)
#   --force              rebuild even when the inputs did not change
#
# Needs: apt-get (only to download the .deb once), dpkg-deb, cpio,
# busybox-static, gcc (static guest helpers), ldd. Never installs anything.

set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
srcroot=$(cd "$here/../.." && pwd)
prog=build-image

# Modules the guest always loads: virtio-serial and vsock (the virtio
# transport for a host vhost-vsock device and the loopback one for CID 1).
# Their dependencies are added from each module's .modinfo.
modules=(virtio_pci virtio_console vsock vmw_vsock_virtio_transport
	 vsock_loopback)
compress=none
out=
force=0
extra_data=()

die() {
	echo "$prog: error: $*" >&2
	exit 1
}

log() {
	echo "$prog: $*" >&2
}

usage() {
	awk 'NR >= 4 && /^#/ { sub(/^# ?/, ""); print; next } NR >= 4 { exit }' \
		"${BASH_SOURCE[0]}" >&2
	exit 2
}

while [ $# -gt 0 ]; do
	case "$1" in
	-o|--out) out=$2; shift 2 ;;
	--compress) compress=$2; shift 2 ;;
	--module) modules+=("$2"); shift 2 ;;
	--data) extra_data+=("$(realpath "$2")"); shift 2 ;;
	--force) force=1; shift ;;
	-h|--help) usage ;;
	--) shift; break ;;
	-*) echo "$prog: unknown option $1" >&2; usage ;;
	*) break ;;
	esac
done
[ $# -eq 2 ] || usage
payload_dir=$1
cache=$2
case "$compress" in
none|gzip) ;;
*) die "--compress must be none or gzip, not '$compress'" ;;
esac

mkdir -p "$cache"
cache=$(realpath "$cache")
if [ -n "$out" ]; then
	mkdir -p "$out"
	out=$(realpath "$out")
fi

if [ "$payload_dir" != none ]; then
	[ -d "$payload_dir" ] ||
		die "'$payload_dir' is not a directory (give a build dir, a prefix or 'none')"
	payload_dir=$(realpath "$payload_dir")
fi

for tool in dpkg-deb cpio ldd gcc; do
	command -v "$tool" >/dev/null || die "$tool not found"
done
busybox=$(command -v busybox || true)
[ -n "$busybox" ] || die "busybox not found (apt-get install busybox-static)"
ldd "$busybox" >/dev/null 2>&1 &&
	die "$busybox is dynamically linked; install busybox-static"

# Two builds sharing a cache must not download, extract or write the image
# at the same time.
exec 9>"$cache/.lock"
flock 9

# --- kernel ------------------------------------------------------------------

# The kernel package is the one Debian's linux-image-amd64 depends on, so the
# image follows security updates; offline, the newest .deb in the cache is
# used.
find_kernel_deb() {
	local pkg deb=

	pkg=$(apt-cache depends linux-image-amd64 2>/dev/null |
		awk '$1 == "Depends:" && $2 ~ /^linux-image-6\.1.*-amd64$/ { print $2; exit }')
	if [ -n "$pkg" ]; then
		deb=$(ls -t "$cache/${pkg}"_*.deb 2>/dev/null | head -n1 || true)
		if [ -z "$deb" ]; then
			log "downloading $pkg into $cache"
			if (cd "$cache" && apt-get download -q -o APT::Sandbox::User=root "$pkg" >&2); then
				deb=$(ls -t "$cache/${pkg}"_*.deb 2>/dev/null | head -n1 || true)
			else
				log "warning: apt-get download $pkg failed; trying the cached .deb"
			fi
		fi
	else
		log "apt-cache knows no linux-image-amd64; using the cached .deb"
	fi
	if [ -z "$deb" ]; then
		deb=$(ls -t "$cache"/linux-image-6.1*-amd64_*.deb 2>/dev/null | head -n1 || true)
	fi
	[ -n "$deb" ] || die "no linux-image-6.1*-amd64 .deb in $cache"
	echo "$deb"
}

# Finds the compressed payload inside a bzImage by its magic bytes and
# decompresses it; the first candidate that yields an ELF file wins. This is
# the method of the kernel's scripts/extract-vmlinux.
extract_vmlinux() {
	local bz=$1 dst=$2 fmt magic cmd off
	local -a formats=(
		'gzip|\x1f\x8b\x08|gzip -dc'
		'xz|\xfd\x37\x7a\x58\x5a\x00|xz -dc'
		'zstd|\x28\xb5\x2f\xfd|zstd -dcq'
		'lz4|\x02\x21\x4c\x18|lz4 -dcq'
		'bzip2|\x42\x5a\x68|bzip2 -dc'
		'lzma|\x5d\x00\x00\x00|xz -dc --format=lzma'
	)

	for fmt in "${formats[@]}"; do
		IFS='|' read -r name magic cmd <<<"$fmt"
		command -v "${cmd%% *}" >/dev/null || continue
		for off in $(LC_ALL=C grep -aboP "$magic" "$bz" | cut -d: -f1 | head -n 8); do
			tail -c +"$((off + 1))" "$bz" | $cmd >"$dst.tmp" 2>/dev/null || true
			if [ "$(head -c 4 "$dst.tmp" | od -An -c | tr -d ' ')" = '177ELF' ]; then
				mv "$dst.tmp" "$dst"
				log "extracted vmlinux ($name payload at offset $off)"
				return 0
			fi
		done
	done
	rm -f "$dst.tmp"
	return 1
}

deb=$(find_kernel_deb)
kdir=$cache/kernel-$(basename "$deb" .deb)
if [ ! -e "$kdir/.extracted" ]; then
	log "extracting $(basename "$deb")"
	rm -rf "$kdir"
	mkdir -p "$kdir/tree"
	dpkg-deb -x "$deb" "$kdir/tree"
	bz=$(ls "$kdir"/tree/boot/vmlinuz-* | head -n1)
	[ -f "$bz" ] || die "no boot/vmlinuz-* in $deb"
	cp "$bz" "$kdir/bzImage"
	extract_vmlinux "$bz" "$kdir/vmlinux" ||
		log "could not extract vmlinux from $bz; the guest will boot the bzImage"
	touch "$kdir/.extracted"
fi
moddir=$(ls -d "$kdir"/tree/lib/modules/*/ | head -n1)
[ -d "$moddir" ] || die "no lib/modules/* in $deb"

# Prints the file of module $1 (names may use '-' or '_').
module_file() {
	local alt=${1//_/-}

	find "$moddir" \( -name "$1.ko" -o -name "$1.ko.*" -o \
		-name "$alt.ko" -o -name "$alt.ko.*" \) -print -quit
}

# Reads a module's "depends=" field from its .modinfo strings; the .deb
# ships no modules.dep (depmod makes it at install time).
module_deps() {
	local f=$1

	case "$f" in
	*.ko.xz) xz -dc "$f" ;;
	*.ko.zst) zstd -dcq "$f" ;;
	*.ko.gz) gzip -dc "$f" ;;
	*) cat "$f" ;;
	esac | tr '\0' '\n' | sed -n 's/^depends=//p' | head -n1 | tr ',' ' '
}

# Depth-first walk; a module is printed after all of its dependencies.
declare -A mod_seen=()
mod_order=()
add_module() {
	local name=$1 file dep

	[ -z "${mod_seen[$name]:-}" ] || return 0
	mod_seen[$name]=1
	file=$(module_file "$name")
	[ -n "$file" ] || die "kernel module $name not found under $moddir"
	for dep in $(module_deps "$file"); do
		add_module "$dep"
	done
	mod_order+=("$name|$file")
}
for m in "${modules[@]}"; do
	add_module "$m"
done

# --- vAccel payload ------------------------------------------------------------

# What goes in (payload.sh, shared with host-tree.sh, which lays the same
# files out on the host for the tests' host-side runs).
# shellcheck source=payload.sh
. "$here/payload.sh"
collect_payload "$payload_dir"

if [ "$payload_dir" != none ]; then
	for want in libvaccel.so libvaccel-rpc.so libvaccel-noop.so vaccel-agent; do
		grep -q "/$want|" <<<"$(printf '%s\n' ${payload[@]+"${payload[@]}"})" ||
			log "warning: $want not found in $payload_dir (not built yet?)"
	done
fi

collect_data "$srcroot"
data_files+=(${extra_data[@]+"${extra_data[@]}"})

# Host shared libraries every payload ELF needs, resolved by ldd with the
# payload's own lib dirs first so that libvaccel itself is not looked up on
# the host. glibc dlopens libgcc_s for thread cancellation, so it is added
# by hand.
libpath=
for p in ${payload[@]+"${payload[@]}"}; do
	libpath="$libpath:$(dirname "${p%%|*}")"
done
declare -A host_libs=()
for p in ${payload[@]+"${payload[@]}"}; do
	src=${p%%|*}
	is_elf "$src" || continue
	deps=$(LD_LIBRARY_PATH="${libpath#:}" ldd "$src" 2>/dev/null || true)
	while read -r lib; do
		case "$lib" in
		"$payload_dir"/*) ;;
		/*) host_libs[$lib]=1 ;;
		esac
	done < <(awk '/=> \// { print $3 } /^\t\/[^ ]+ \(/ { print $1 }' <<<"$deps")
	if grep -q 'not found' <<<"$deps"; then
		log "warning: $src has unresolved libraries:"
		grep 'not found' <<<"$deps" >&2
	fi
done
if [ ${#payload[@]} -gt 0 ]; then
	for extra in /lib/x86_64-linux-gnu/libgcc_s.so.1 /lib64/ld-linux-x86-64.so.2; do
		[ -e "$extra" ] && host_libs[$extra]=1
	done
fi

# --- cache check ---------------------------------------------------------------

# Everything that can change the image goes into the manifest: our own
# scripts and guest sources by content, the payload by content, host files
# by size and mtime (they change only with package upgrades).
stat_line() {
	stat -L -c '%n %s %Y' "$1"
}
manifest=$(
	echo "compress=$compress modules=${modules[*]}"
	stat_line "$deb"
	stat_line "$busybox"
	sha256sum "$here/build-image.sh" "$here/payload.sh" "$here/init" "$here"/guest/* |
		sed "s|$srcroot/||"
	for p in ${payload[@]+"${payload[@]}"}; do
		echo "$(sha256sum <"${p%%|*}" | cut -d' ' -f1) ${p#*|}"
	done
	for f in ${data_files[@]+"${data_files[@]}"}; do
		stat_line "$f"
	done
	for lib in "${!host_libs[@]}"; do
		stat_line "$lib"
	done | sort
	gcc --version | head -n1
)
hash=$(sha256sum <<<"$manifest" | cut -d' ' -f1)

keyed=0
if [ -z "$out" ]; then
	keyed=1
	out=$cache/images/$hash
	mkdir -p "$cache/images"
	find "$cache/images" -mindepth 1 -maxdepth 1 -type d \
		\( -name '[0-9a-f]*' -o -name '.stage.*' \) -mtime +2 -exec rm -rf {} + 2>/dev/null || true
fi

if [ "$force" = 0 ] && [ -f "$out/inputs.sha256" ] && [ -f "$out/image.env" ] &&
   [ "$(cat "$out/inputs.sha256")" = "$hash" ]; then
	log "image in $out is up to date"
	[ "$keyed" = 0 ] || touch "$out"  # (in use: not pruned)
	echo "$out"
	exit 0
fi

# --- initramfs ---------------------------------------------------------------

if [ "$keyed" = 1 ]; then
	stage=$(mktemp -d "$cache/images/.stage.XXXXXX")
else
	stage=$(mktemp -d "$out/.stage.XXXXXX")
fi
cleanup() {
	rm -rf "$stage"
}
trap cleanup EXIT

root=$stage/root
# A merged-/usr layout like the host's, so that paths printed by ldd
# (/lib/x86_64-linux-gnu/..., /lib64/ld-linux-x86-64.so.2) are valid as is.
mkdir -p "$root"/usr/{bin,sbin,lib/modules,lib64,local/bin} \
	"$root"/{dev,proc,sys,tmp,run,root,etc/vaccel-vm} \
	"$root"/opt/vaccel/{bin,lib,share/data}
for d in bin sbin lib lib64; do
	ln -s "usr/$d" "$root/$d"
done
chmod 1777 "$root/tmp"

cp "$busybox" "$root/usr/bin/busybox"
while read -r applet; do
	[ "$applet" = bin/busybox ] && continue
	dst=$root/usr/${applet#usr/}
	[ -e "$dst" ] || ln -s /usr/bin/busybox "$dst"
done < <("$busybox" --list-full)

cp "$here/init" "$root/init"
chmod 755 "$root/init"
printf 'root:x:0:0:root:/root:/bin/sh\n' >"$root/etc/passwd"
printf 'root:x:0:\n' >"$root/etc/group"

: >"$root/etc/vaccel-vm/modules"
for m in "${mod_order[@]}"; do
	name=${m%%|*}
	file=${m#*|}
	case "$file" in
	*.ko.xz) xz -dc "$file" ;;
	*.ko.zst) zstd -dcq "$file" ;;
	*.ko.gz) gzip -dc "$file" ;;
	*) cat "$file" ;;
	esac >"$root/lib/modules/$name.ko"
	echo "$name" >>"$root/etc/vaccel-vm/modules"
done

for src in "$here"/guest/*.c; do
	name=$(basename "$src" .c)
	gcc -static -O2 -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror \
		-o "$root/usr/local/bin/$name" "$src" ||
		die "cannot build guest helper $src"
done
for src in "$here"/guest/*.sh; do
	install -m 755 "$src" "$root/usr/local/bin/$(basename "$src" .sh)"
done

for p in ${payload[@]+"${payload[@]}"}; do
	# Symlinks (libvaccel.so -> libvaccel.so.0 ...) are kept as links.
	cp -P "${p%%|*}" "$root${p#*|}"
done
for f in ${data_files[@]+"${data_files[@]}"}; do
	cp -L "$f" "$root/opt/vaccel/share/data/"
done
for lib in "${!host_libs[@]}"; do
	mkdir -p "$root$(dirname "$lib")"
	cp -L "$lib" "$root$lib"
done
printf '%s\n' ${payload[@]+"${payload[@]#*|}"} | sort >"$root/etc/vaccel-vm/payload"

log "packing initramfs (${#mod_order[@]} modules, ${#payload[@]} vAccel files," \
	"${#host_libs[@]} host libraries)"
(cd "$root" && find . | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet) >"$stage/initramfs.img"
if [ "$compress" = gzip ]; then
	gzip -6 -n "$stage/initramfs.img"
	mv "$stage/initramfs.img.gz" "$stage/initramfs.img"
fi

# The kernel is copied next to the initramfs so that one dir is the image.
kernel=bzImage
cp "$kdir/bzImage" "$stage/bzImage"
if [ -f "$kdir/vmlinux" ]; then
	cp "$kdir/vmlinux" "$stage/vmlinux"
	kernel=vmlinux
fi
cat >"$stage/image.env" <<EOF
# Written by build-image.sh; paths are relative to this directory.
KERNEL=$kernel
INITRD=initramfs.img
KERNEL_VERSION=$(basename "$moddir")
DEB=$(basename "$deb")
EOF

if [ "$keyed" = 1 ]; then
	rm -rf "$root"
	echo "$manifest" >"$stage/inputs.manifest"
	echo "$hash" >"$stage/inputs.sha256"
	chmod 755 "$stage"
	rm -rf "$out"  # (only with --force: it is not up to date otherwise)
	mv -T "$stage" "$out"
else
	rm -f "$out/inputs.sha256"
	for f in vmlinux bzImage initramfs.img image.env; do
		if [ -f "$stage/$f" ]; then
			mv -f "$stage/$f" "$out/$f"
		else
			rm -f "$out/$f"
		fi
	done
	echo "$manifest" >"$out/inputs.manifest"
	echo "$hash" >"$out/inputs.sha256"
fi
log "image ready in $out (initramfs $(du -h "$out/initramfs.img" | cut -f1), kernel $kernel)"
echo "$out"
