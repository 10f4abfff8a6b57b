#!/usr/bin/env bash
# A real Secret Service for the keychain tests (tests/secret_service.py starts it on a private D-Bus session bus):
# Debian's gnome-keyring (its secrets daemon) and dbus (dbus-daemon). Idempotent: nothing is fetched when both
# programs are there.
set -euo pipefail
if command -v gnome-keyring-daemon >/dev/null 2>&1 && command -v dbus-daemon >/dev/null 2>&1; then
  exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "install-secret-service: no apt-get here; install gnome-keyring and dbus with your package manager" >&2
  exit 1
fi
SUDO=""
if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q >/dev/null
$SUDO apt-get install -y -q --no-install-recommends gnome-keyring dbus >/dev/null
command -v gnome-keyring-daemon >/dev/null && command -v dbus-daemon >/dev/null
echo "install-secret-service: gnome-keyring and dbus installed"
