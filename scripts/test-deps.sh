#!/usr/bin/env bash
# Makes sure the system packages the integration tests need are installed.
# As root it installs what is missing; otherwise it prints the command.
set -euo pipefail
declare -A bin=([mosquitto]=/usr/sbin/mosquitto [socat]=/usr/bin/socat [chromium]=/usr/bin/chromium [unifont]=/usr/share/unifont/unifont.hex)
missing=()
for p in "$@"; do
	b=${bin[$p]:-$p}
	if [ ! -e "$b" ] && ! command -v "$p" >/dev/null 2>&1; then
		missing+=("$p")
	fi
done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
	echo "installing: ${missing[*]}"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	apt-get install -y -qq --no-install-recommends "${missing[@]}"
else
	echo "the integration tests need: ${missing[*]}"
	echo "install them with: sudo apt-get install -y ${missing[*]}"
	if [ -n "${CI:-}" ]; then exit 1; fi
fi
