#!/bin/sh
# posnode postinst: prepare the state directory, protect the config (it
# may hold the broker password) and start or restart the service.
set -e

case "$1" in
configure)
	install -d -o posnode -g posnode -m 0750 /var/lib/posnode
	chown root:posnode /etc/posnode /etc/posnode/posnode.toml
	chmod 0750 /etc/posnode
	chmod 0640 /etc/posnode/posnode.toml

	if [ -d /run/systemd/system ]; then
		systemctl daemon-reload || true
	fi
	if [ -z "$2" ]; then
		# First install: enable at boot and start now.
		if command -v systemctl >/dev/null; then
			systemctl enable posnode.service >/dev/null 2>&1 || true
		fi
		if [ -d /run/systemd/system ]; then
			systemctl start posnode.service || echo "posnode: the service did not start; run 'posnode doctor --config /etc/posnode/posnode.toml'" >&2
		fi
	else
		# Upgrade from $2: the new binary migrates the database at start,
		# after an automatic backup.
		if [ -d /run/systemd/system ]; then
			systemctl try-restart posnode.service || echo "posnode: the service did not restart; run 'posnode doctor --config /etc/posnode/posnode.toml'" >&2
		fi
	fi
	;;
esac
exit 0
