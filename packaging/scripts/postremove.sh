#!/bin/sh
# posnode postrm. Removal keeps /etc/posnode and /var/lib/posnode. Purge
# removes the configuration, but never the data: the database holds the
# store's sales records, which bookkeeping rules require to be kept.
set -e

case "$1" in
remove)
	if [ -d /run/systemd/system ]; then
		systemctl daemon-reload || true
	fi
	;;
purge)
	if [ -d /run/systemd/system ]; then
		systemctl daemon-reload || true
	fi
	rmdir /etc/posnode 2>/dev/null || true
	if [ -d /var/lib/posnode ]; then
		echo "posnode: sales data kept in /var/lib/posnode; the user posnode is kept too." >&2
		echo "posnode: once the records are archived: rm -r /var/lib/posnode && userdel posnode" >&2
	fi
	;;
esac
exit 0
