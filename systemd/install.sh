#!/bin/sh
# Installs wirefeed as a systemd service. Safe to run again (that is how you upgrade): the code in
# /opt/wirefeed is replaced, an existing /etc/wirefeed/wirefeed.yaml and the state in
# /var/lib/wirefeed are never touched.
#
#   sudo systemd/install.sh                 install or upgrade, then (re)start the service
#   systemd/install.sh --root /tmp/r        everything under /tmp/r, no systemctl (DESTDIR=/tmp/r works too)
#   systemd/install.sh --no-npm             copy only; no npm ci/build/prune (you bring node_modules and dist)
#
# Why not just `npm ci --omit=dev`: the `prepare` script builds dist/ with tsc, a dev dependency.
# So: `npm ci` (everything, builds dist/), then `npm prune --omit=dev` drops the dev tools again.
set -eu

usage() {
  echo "usage: $0 [--root DIR] [--no-npm]" >&2
  exit 2
}

ROOT=${DESTDIR:-}
NPM=yes
while [ $# -gt 0 ]; do
  case $1 in
    --root) [ $# -ge 2 ] || usage; ROOT=$2; shift 2 ;;
    --root=*) ROOT=${1#--root=}; shift ;;
    --no-npm) NPM=no; shift ;;
    -h|--help) usage ;;
    *) echo "install.sh: unknown option $1" >&2; usage ;;
  esac
done
ROOT=${ROOT%/}

SRC=$(cd "$(dirname "$0")/.." && pwd)
PREFIX=/opt/wirefeed
CODE=$ROOT$PREFIX
ETC=$ROOT/etc/wirefeed
UNIT=$ROOT/etc/systemd/system/wirefeed.service
SYSUSERS=$ROOT/etc/sysusers.d/wirefeed.conf
# The service's group (Group= in the unit): the only one besides root that may read the config.
GROUP=wirefeed-config
# Everything the daemon and its build need; not tests/, node_modules/, dist/ or state/.
PARTS="bin config src systemd package.json package-lock.json tsconfig.json tsconfig.build.json rolldown.config.mjs README.md"

# The service runs as a dynamic user: what we install must be readable by everyone.
umask 022

say() { echo "install.sh: $*"; }

# 1. The code. Old files go first, so that a file removed upstream does not linger after an upgrade.
mkdir -p "$CODE"
for part in $PARTS; do
  [ -e "$SRC/$part" ] || { say "missing $SRC/$part: run me from a wirefeed checkout"; exit 1; }
  rm -rf "${CODE:?}/$part"
  cp -R "$SRC/$part" "$CODE/$part"
done
say "code in $CODE"

if [ "$NPM" = yes ]; then
  # dist/ goes too: tsc never deletes the output of a source file that no longer exists.
  rm -rf "${CODE:?}/dist"
  (cd "$CODE" && npm ci --no-audit --no-fund && npm prune --omit=dev --no-audit --no-fund)
  say "dependencies installed, dist/ built, dev dependencies pruned"
else
  say "--no-npm: skipped npm ci, build and prune"
fi

# 2. The unit. ExecStart names /usr/bin/node (Debian's nodejs, NodeSource); another node is
# written into the installed copy. ProtectHome=yes hides /root and /home from the service.
NODE=$(command -v node || true)
mkdir -p "$(dirname "$UNIT")"
if [ -n "$NODE" ] && [ "$NODE" != /usr/bin/node ]; then
  case $NODE in /home/* | /root/*) say "warning: $NODE is under a home directory, which the service cannot see (ProtectHome=yes)" ;; esac
  sed "s#^ExecStart=/usr/bin/node #ExecStart=$NODE #" "$SRC/systemd/wirefeed.service" > "$UNIT.tmp"
  mv "$UNIT.tmp" "$UNIT"
  chmod 0644 "$UNIT"
  say "unit in $UNIT (node: $NODE)"
else
  install -m 0644 "$SRC/systemd/wirefeed.service" "$UNIT"
  say "unit in $UNIT"
fi

# 3. The group that may read the config, made by systemd-sysusers from our sysusers.d file (inside
# --root when given). Only root can make a group or give a file to it.
mkdir -p "$(dirname "$SYSUSERS")"
install -m 0644 "$SRC/systemd/wirefeed.sysusers" "$SYSUSERS"
CONFIG_GID=
if [ "$(id -u)" -ne 0 ]; then
  say "not root: no group $GROUP made; the config keeps your group"
else
  if [ -n "$ROOT" ]; then
    out=$(systemd-sysusers --root="$ROOT" "$SYSUSERS" 2>&1) || { echo "$out" >&2; exit 1; }
    CONFIG_GID=$(awk -F: -v g="$GROUP" '$1 == g { print $3 }' "$ROOT/etc/group")
  else
    out=$(systemd-sysusers "$SYSUSERS" 2>&1) || { echo "$out" >&2; exit 1; }
    CONFIG_GID=$(getent group "$GROUP" | cut -d: -f3)
  fi
  [ -z "$out" ] || say "$out"
  [ -n "$CONFIG_GID" ] || { echo "install.sh: group $GROUP was not made" >&2; exit 1; }
fi

# The config holds the tokens of private feeds: 0640, root and the service's group only.
protect_config() {
  [ -z "$CONFIG_GID" ] || chgrp "$CONFIG_GID" "$1"
  chmod 0640 "$1"
}

# 4. The config, only when there is none. Relative paths in it are relative to the file, so the
# sample goes beside it; state.dir names the system place ($STATE_DIRECTORY wins under systemd
# anyway, but `wirefeed check` and a manual run then agree with the service).
mkdir -p "$ETC"
if [ -e "$ETC/wirefeed.yaml" ]; then
  say "kept the existing $ETC/wirefeed.yaml"
  # Its content, that is: an older install left it readable by all.
  protect_config "$ETC/wirefeed.yaml"
else
  mkdir -p "$ETC/samples"
  [ -e "$ETC/samples/nl-buitenland.txt" ] || install -m 0644 "$SRC/config/samples/nl-buitenland.txt" "$ETC/samples/nl-buitenland.txt"
  sed -e "s#\$schema=./wirefeed.schema.json#\$schema=$PREFIX/config/wirefeed.schema.json#" \
    -e "s#wirefeed check --config config/wirefeed.yaml#node $PREFIX/bin/wirefeed.js check --config /etc/wirefeed/wirefeed.yaml#" \
    -e "s#^  dir: \.\./state\$#  dir: /var/lib/wirefeed#" \
    "$SRC/config/wirefeed.yaml" > "$ETC/wirefeed.yaml.tmp"
  protect_config "$ETC/wirefeed.yaml.tmp"
  mv "$ETC/wirefeed.yaml.tmp" "$ETC/wirefeed.yaml"
  say "config in $ETC/wirefeed.yaml (from config/wirefeed.yaml; edit it, then: systemctl reload wirefeed)"
fi
[ -z "$CONFIG_GID" ] || say "$ETC/wirefeed.yaml: mode 0640, group $GROUP"

# 5. Start it, when this is the live system and systemd runs it (not in a container or a --root).
if [ -n "$ROOT" ]; then
  say "--root given: not calling systemctl"
elif [ ! -d /run/systemd/system ]; then
  say "systemd is not running here: not calling systemctl. On the target machine run:"
  say "  systemctl daemon-reload && systemctl enable --now wirefeed"
else
  systemctl daemon-reload
  systemctl enable wirefeed
  # restart, not start: after an upgrade the new code must run. The state is flushed on stop.
  systemctl restart wirefeed
  say "wirefeed enabled and (re)started; logs: journalctl -u wirefeed"
fi
