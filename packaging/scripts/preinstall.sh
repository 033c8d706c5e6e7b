#!/bin/sh
# posnode preinst: the service runs as the system user posnode, in group
# dialout for the serial devices. Existing users and groups are kept.
set -e

case "$1" in
install|upgrade)
	if ! getent group dialout >/dev/null; then
		groupadd --system dialout
	fi
	if ! getent group posnode >/dev/null; then
		groupadd --system posnode
	fi
	if ! getent passwd posnode >/dev/null; then
		useradd --system --gid posnode --groups dialout \
			--home-dir /var/lib/posnode --no-create-home \
			--shell /usr/sbin/nologin --comment "posnode point of sale" posnode
	else
		usermod --append --groups dialout posnode
	fi
	;;
esac
exit 0
