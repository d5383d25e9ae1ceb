#!/bin/sh
# Installs what rotd needs to build, run and be tested on Debian 12. Run as root.
#
# The tests start every server themselves (dockerd, Podman's API service,
# Alertmanager, node-exporter, a systemd-nspawn machine) on loopback or unix
# sockets; a policy-rc.d keeps the packages' own services from starting while
# they install.
set -eu
export DEBIAN_FRONTEND=noninteractive
policy=/usr/sbin/policy-rc.d
own_policy=0
if [ ! -e "$policy" ]; then
	printf '#!/bin/sh\n# rotd .ci/deps.sh: no service starts during the install\nexit 101\n' >"$policy"
	chmod 755 "$policy"
	own_policy=1
fi
trap '[ "$own_policy" -eq 0 ] || rm -f "$policy"' EXIT
apt-get update
apt-get install -y --no-install-recommends \
	build-essential autoconf automake libtool pkg-config ca-certificates \
	libcurl4-openssl-dev libarchive-dev libdeflate-dev libzstd-dev libconfuse-dev libjansson-dev libmicrohttpd-dev \
	check valgrind cppcheck \
	docker.io busybox-static curl jq python3 iproute2 util-linux zstd gzip logrotate time shellcheck tzdata \
	prometheus e2fsprogs clang-14 libclang-rt-14-dev clang-tidy faketime \
	podman prometheus-alertmanager prometheus-node-exporter systemd-container debootstrap
