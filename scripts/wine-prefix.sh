# scripts/wine-prefix.sh: how rdlsctl's scripts and tests make a Wine prefix ready. Sourced by
# scripts/rdlsctl-wine, scripts/demo.sh and tests/wine/lib.sh, so that there is one procedure.
#
# "This prefix is booted" means: the marker file $PREFIX/.rdlsctl-booted exists. It is written
# by rdls_prefix_boot only after the boot's wineserver has exited, i.e. after the registry of
# the new prefix is on disk, and a booted prefix is moved into place in one rename. Whether
# system.reg exists is no such test: the wineserver writes the registry to the .reg files only
# when it exits, so while a persistent wineserver runs a booted prefix may have none.
#
# A booted prefix has, besides what `wineboot -i` makes:
#   - Windows' service start timeout, 30 s (Wine's own is 10 s, which the first start of the
#     credential helper service can exceed on a loaded machine: error 1053);
#   - a stopped stand-in service named TermServLicensing (`sc create`), because Wine has no
#     RD Licensing role and rdlsctl refuses to configure a license server without it.
#     Tests that need "the role is not installed" delete it (`sc delete TermServLicensing`).

RDLS_PREFIX_MARKER=.rdlsctl-booted

# rdls_prefix_booted PREFIX
rdls_prefix_booted() {
	[ -f "$1/$RDLS_PREFIX_MARKER" ]
}

# rdls_prefix_boot PREFIX: boots PREFIX unless it is booted already. PREFIX must be absent or
# an empty directory (mktemp -d); a directory with other content and no marker is refused,
# since it is some other prefix that this procedure did not prepare. Parallel callers are
# serialised by a lock file beside PREFIX. Returns non-zero with the reason on stderr.
rdls_prefix_boot() {
	_rpb_dst=$1
	mkdir -p "$(dirname "$_rpb_dst")" || return 1
	(
		if command -v flock >/dev/null 2>&1; then
			flock 9 || exit 1
		fi
		rdls_prefix_booted "$_rpb_dst" && exit 0
		if [ -d "$_rpb_dst" ] && [ -n "$(ls -A "$_rpb_dst" 2>/dev/null)" ]; then
			echo "'$_rpb_dst' is not empty but was not booted by rdlsctl's scripts (no $RDLS_PREFIX_MARKER): remove it or choose another WINEPREFIX" >&2
			exit 1
		fi
		_rpb_tmp=$_rpb_dst.boot.$$
		rm -rf "$_rpb_tmp"
		mkdir -p "$_rpb_tmp" || exit 1
		_rpb_log=$_rpb_tmp.log
		if ! _rpb_setup "$_rpb_tmp" >"$_rpb_log" 2>&1; then
			echo "cannot boot a Wine prefix in '$_rpb_tmp':" >&2
			cat "$_rpb_log" >&2
			WINEPREFIX=$_rpb_tmp wineserver -k >/dev/null 2>&1
			rm -rf "$_rpb_tmp" "$_rpb_log"
			exit 1
		fi
		rm -f "$_rpb_log"
		if [ -d "$_rpb_dst" ]; then
			rmdir "$_rpb_dst" || exit 1
		fi
		mv "$_rpb_tmp" "$_rpb_dst"
	) 9>"$_rpb_dst.lock"
}

# The boot itself, in a directory nobody else uses yet.
_rpb_setup() {
	WINEPREFIX=$1
	export WINEPREFIX
	wine64 wineboot -i </dev/null || return 1
	wine64 reg add 'HKLM\SYSTEM\CurrentControlSet\Control' /v ServicesPipeTimeout \
		/t REG_DWORD /d 30000 /f </dev/null || return 1
	wine64 sc create TermServLicensing binPath= 'C:\windows\system32\svchost.exe -k NetworkService' \
		start= demand DisplayName= 'Remote Desktop Licensing (Wine stand-in)' </dev/null || return 1
	# The registry reaches the .reg files only when the wineserver exits; services.exe reads
	# the timeout when it starts, so the next session must be a new one anyway.
	wineserver -w || return 1
	[ -f "$1/system.reg" ] || { echo "no system.reg after the boot's wineserver exited"; return 1; }
	wine64 --version >"$1/$RDLS_PREFIX_MARKER" 2>&1 </dev/null || return 1
	# `wine64 --version` starts no wineserver; make sure none is left either way.
	wineserver -w
}
