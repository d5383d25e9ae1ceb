#!/bin/sh
# Installs what rotd needs to build, run and be tested on Debian 12. Run as root.
set -eu
export DEBIAN_FRONTEND=noninteractive
apt-get update
apt-get install -y --no-install-recommends \
	build-essential autoconf automake libtool pkg-config ca-certificates \
	libcurl4-openssl-dev libarchive-dev libconfuse-dev libjansson-dev libmicrohttpd-dev \
	check valgrind cppcheck \
	docker.io busybox-static curl jq python3 iproute2 util-linux zstd gzip logrotate time shellcheck tzdata \
	prometheus e2fsprogs clang-14 libclang-rt-14-dev clang-tidy faketime
