#!/bin/sh
# posnode prerm: stop and disable the service on removal. On upgrade the
# node keeps running until postinst restarts it with the new binary.
set -e

case "$1" in
remove|deconfigure)
	if [ -d /run/systemd/system ]; then
		systemctl stop posnode.service || true
	fi
	if command -v systemctl >/dev/null; then
		systemctl disable posnode.service >/dev/null 2>&1 || true
	fi
	;;
esac
exit 0
