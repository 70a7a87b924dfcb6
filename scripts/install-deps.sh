#!/bin/sh
# Installs what building and testing rdlsctl needs on Debian 12, and only what is missing.
# Idempotent: a second run installs nothing. Needs root (or sudo) only when something is missing.
set -eu

PKGS="make gcc clang libclang-rt-14-dev libinih-dev libcmocka-dev libssl-dev pkg-config
      wine64 wine64-tools gcc-mingw-w64-x86-64 util-linux procps python3-jsonschema yamllint
      ansible ansible-lint"

missing=""
for p in $PKGS; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
		missing="$missing $p"
	fi
done

if [ -z "$missing" ]; then
	echo "install-deps: everything is installed"
	exit 0
fi

echo "install-deps: installing:$missing"
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
	if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
		echo "install-deps: run as root (or install sudo) to install:$missing" >&2
		exit 1
	fi
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
# shellcheck disable=SC2086
$SUDO apt-get install -y -q $missing
