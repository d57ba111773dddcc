#!/bin/sh
# Starts the image's host (PROJECT_DLL). Other silos and the API hosts reach a silo at the address it writes into the
# Orleans membership table: unless Orleans__AdvertisedAddress is set, this container's own address, as /etc/hosts
# lists it for the container's host name (a silo otherwise advertises loopback, which no other container can reach).
set -eu
if [ -z "${Orleans__AdvertisedAddress:-}" ]; then
  address="$(getent hosts "$(cat /etc/hostname)" || true)"
  address="${address%% *}"
  if [ -n "$address" ]; then
    export Orleans__AdvertisedAddress="$address"
  fi
fi
exec dotnet "$PROJECT_DLL" "$@"
