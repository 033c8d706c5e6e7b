#!/usr/bin/env bash
# Installs the amd64 Debian package on this machine, checks files, user and
# unit, runs `posnode version` and `posnode doctor`, upgrades to a newer
# build with data in place, removes and purges it, and checks that config
# and data are kept as documented. Needs root and dpkg; changes the machine
# (meant for CI). Run with `make test-install`.
set -euo pipefail

cd "$(dirname "$0")/.."
fail() { echo "test-install: FAIL: $*" >&2; exit 1; }
step() { echo "test-install: $*"; }

[ "$(id -u)" = 0 ] || fail "must run as root (it installs a package)"
command -v dpkg >/dev/null || { echo "test-install: SKIP: dpkg not found (not a Debian system)"; exit 0; }
[ "$(dpkg --print-architecture)" = amd64 ] || { echo "test-install: SKIP: not an amd64 machine"; exit 0; }
if dpkg-query -W -f='${Status}' posnode 2>/dev/null | grep -q 'install ok'; then
	fail "posnode is already installed here; not touching it"
fi
had_user=no
getent passwd posnode >/dev/null && had_user=yes
had_data=no
[ -e /var/lib/posnode ] && had_data=yes

work=$(mktemp -d)
node_pid=
cleanup() {
	[ -n "$node_pid" ] && kill "$node_pid" 2>/dev/null || true
	dpkg --purge posnode >/dev/null 2>&1 || true
	[ "$had_data" = no ] && rm -rf /var/lib/posnode
	if [ "$had_user" = no ] && getent passwd posnode >/dev/null; then
		userdel posnode 2>/dev/null || true
		getent group posnode >/dev/null && groupdel posnode 2>/dev/null || true
	fi
	rm -rf "$work"
}
trap cleanup EXIT

# http_get PATH prints the node's whole HTTP response (bash's /dev/tcp:
# no curl needed).
http_get() {
	( exec 3<>"/dev/tcp/127.0.0.1/$port" &&
		printf 'GET %s HTTP/1.0\r\nHost: localhost\r\n\r\n' "$1" >&3 &&
		cat <&3 ) 2>/dev/null || true
}

step "building two versions of the amd64 package"
make -s deb-amd64 TARGETS=linux/amd64 DIST="$work/v1" VERSION=test-1 DEB_VERSION=0.0.1~test1 >/dev/null
make -s deb-amd64 TARGETS=linux/amd64 DIST="$work/v2" VERSION=test-2 DEB_VERSION=0.0.2~test2 >/dev/null
deb1=$(ls "$work"/v1/posnode_*_amd64.deb)
deb2=$(ls "$work"/v2/posnode_*_amd64.deb)

step "install $(basename "$deb1")"
dpkg -i "$deb1" >/dev/null

for f in /usr/bin/posnode /usr/lib/systemd/system/posnode.service /etc/posnode/posnode.toml \
	/usr/share/posnode/udev/99-posnode-serial.rules.example /usr/share/doc/posnode/operations.md \
	/usr/share/doc/posnode/posnode.example.toml; do
	[ -f "$f" ] || fail "$f not installed"
done
[ -x /usr/bin/posnode ] || fail "/usr/bin/posnode not executable"
[ "$(stat -c '%U:%G %a' /etc/posnode/posnode.toml)" = "root:posnode 640" ] || fail "config owner/mode: $(stat -c '%U:%G %a' /etc/posnode/posnode.toml)"
[ "$(stat -c '%U:%G %a' /var/lib/posnode)" = "posnode:posnode 750" ] || fail "data dir owner/mode: $(stat -c '%U:%G %a' /var/lib/posnode)"
getent passwd posnode >/dev/null || fail "user posnode not created"
uid=$(id -u posnode)
[ "$uid" -lt 1000 ] || fail "posnode is not a system user (uid $uid)"
id -nG posnode | tr ' ' '\n' | grep -qx dialout || fail "posnode is not in group dialout: $(id -nG posnode)"
case "$(getent passwd posnode | cut -d: -f7)" in */nologin|/bin/false) ;; *) fail "posnode has a login shell" ;; esac
dpkg-query -W -f='${Conffiles}\n' posnode | grep -q /etc/posnode/posnode.toml || fail "posnode.toml is not a conffile"

if command -v systemd-analyze >/dev/null; then
	step "systemd-analyze verify"
	out=$(systemd-analyze verify /usr/lib/systemd/system/posnode.service 2>&1) || fail "systemd-analyze verify: $out"
	echo "$out" | grep -i posnode.service && fail "systemd-analyze verify warns about the unit"
else
	step "SKIP systemd-analyze verify: systemd-analyze not installed"
fi

posnode version | grep -q 'posnode test-1 ' || fail "posnode version: $(posnode version)"

if [ -d /run/systemd/system ]; then
	step "systemd runs here: the package enabled and started the service"
	systemctl is-enabled --quiet posnode || fail "posnode.service not enabled"
	active=no
	for _ in $(seq 1 50); do
		systemctl is-active --quiet posnode && { active=yes; break; }
		sleep 0.1
	done
	[ "$active" = yes ] || fail "posnode.service not running: $(systemctl status posnode --no-pager 2>&1 | tail -20)"
	systemctl stop posnode
else
	step "no systemd running here: service start not checked"
fi

step "posnode doctor on the fresh install"
doctor=$(posnode doctor --config /etc/posnode/posnode.toml) || fail "doctor failed:"$'\n'"$doctor"
echo "$doctor" | grep -q '^OK    config' || fail "doctor did not accept the default config:"$'\n'"$doctor"

step "data: a catalog imported and the node run as the service user"
runuser -u posnode -- posnode import catalog cmd/posnode/demo_catalog.csv --config /etc/posnode/posnode.toml >/dev/null
items=$(grep -vc '^sku' cmd/posnode/demo_catalog.csv || true)
# The first manager, added as root and typed without --config:
# the installed config is taken, and the files stay the service user's.
echo 482913 | posnode staff add --id 1 --name "Store IT" --role manager >/dev/null 2>"$work/staff.err" ||
	fail "staff add: $(cat "$work/staff.err")"
grep -q 'using /etc/posnode/posnode.toml' "$work/staff.err" || fail "staff add did not take the installed config: $(cat "$work/staff.err")"
stray=$(find /var/lib/posnode ! -user posnode)
[ -z "$stray" ] || fail "files left root's under /var/lib/posnode: $stray"
doctor=$(posnode doctor --config /etc/posnode/posnode.toml) || fail "doctor after staff add:"$'\n'"$doctor"
echo "$doctor" | grep -q 'no active manager' && fail "doctor finds no manager after staff add:"$'\n'"$doctor"
port=$(( 20000 + RANDOM % 20000 ))
runuser -u posnode -- posnode run --config /etc/posnode/posnode.toml --http 127.0.0.1:$port >"$work/run.log" 2>&1 &
node_pid=$!
ready=no
for _ in $(seq 1 100); do
	if http_get /readyz | head -1 | grep -q ' 200 '; then ready=yes; break; fi
	sleep 0.1
done
[ "$ready" = yes ] || fail "the node did not become ready:"$'\n'"$(cat "$work/run.log")"
http_get /metrics | grep -q '^posnode_build_info{commit=".*",version="test-1"} 1' || fail "no metrics on loopback"
out=$(runuser -u posnode -- posnode restore /dev/null --config /etc/posnode/posnode.toml 2>&1) && fail "restore ran under a running node"
echo "$out" | grep -q 'is running' || fail "restore did not say the node runs: $out"
kill -TERM "$node_pid"; wait "$node_pid" || true; node_pid=
grep -q '"msg":"posnode stopped"' "$work/run.log" || fail "the node did not stop cleanly:"$'\n'"$(cat "$work/run.log")"

# An edited config must survive the upgrade.
sed -i 's/^store = "store-1"/store = "store-42"/' /etc/posnode/posnode.toml

step "upgrade to $(basename "$deb2")"
dpkg -i "$deb2" >/dev/null
posnode version | grep -q 'posnode test-2 ' || fail "after upgrade: $(posnode version)"
grep -q '^store = "store-42"' /etc/posnode/posnode.toml || fail "the edited config was replaced on upgrade"
[ -f /etc/posnode/posnode.toml.dpkg-new ] && fail "upgrade left posnode.toml.dpkg-new"
doctor=$(posnode doctor --config /etc/posnode/posnode.toml) || fail "doctor after upgrade:"$'\n'"$doctor"
echo "$doctor" | grep -q "integrity ok, $items items" || fail "data not in place after upgrade:"$'\n'"$doctor"

step "remove"
dpkg -r posnode >/dev/null
[ ! -e /usr/bin/posnode ] || fail "binary left after removal"
[ ! -e /usr/lib/systemd/system/posnode.service ] || fail "unit left after removal"
grep -q '^store = "store-42"' /etc/posnode/posnode.toml || fail "config not kept on removal"
[ -f /var/lib/posnode/posnode.db ] || fail "database not kept on removal"
getent passwd posnode >/dev/null || fail "user removed on removal"

step "purge"
dpkg --purge posnode >/dev/null 2>&1
[ ! -e /etc/posnode/posnode.toml ] || fail "config left after purge"
[ -f /var/lib/posnode/posnode.db ] || fail "database removed on purge (sales records must be kept)"

step "OK"
