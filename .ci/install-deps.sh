#!/usr/bin/env bash
# .ci/install-deps.sh - installs what the build, the tests and the benchmarks
# need: the compilers, cmake, libedit for the shell, and the malloc peers
# bench/ measures kmm against.  Idempotent: does nothing (not even apt-get update) when every
# package is already installed.  Run as root, or with sudo available.
set -euo pipefail

packages=(
	cmake
	gcc
	clang
	e2fsprogs		# tests/fs/test_ext2.c: mke2fs, e2fsck, debugfs
	libedit-dev		# the kmm shell: line editing and history (optional)
	libmimalloc-dev		# bench/: mimalloc peer
	libjemalloc-dev		# bench/: jemalloc peer
	libgoogle-perftools-dev	# bench/: tcmalloc peer
)

missing=()
for pkg in "${packages[@]}"; do
	if ! dpkg -s "$pkg" 2>/dev/null | grep -q '^Status: install ok installed$'; then
		missing+=("$pkg")
	fi
done

if [ ${#missing[@]} -eq 0 ]; then
	echo "install-deps: all ${#packages[@]} packages already installed"
	exit 0
fi

sudo=()
if [ "$(id -u)" -ne 0 ]; then
	sudo=(sudo)
fi
echo "install-deps: installing ${missing[*]}"
"${sudo[@]}" apt-get update
"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive \
	apt-get install -y --no-install-recommends "${missing[@]}"
