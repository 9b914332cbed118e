# Sourced by setup.sh and test-python.sh: PYTHON_PACKAGES lists every folder of the project with a pyproject.toml
# (clients/*, plugins/*, integrations/*), so both install and test the same set. The order counts: setup.sh installs
# them one by one, and the plugins depend on the client (clients/python, the `avatars` package), which must be there
# first or pip would look for it on the package index.
PYTHON_PACKAGES=()
for manifest in clients/*/pyproject.toml plugins/*/pyproject.toml integrations/*/pyproject.toml; do
  if [ -f "$manifest" ]; then PYTHON_PACKAGES+=("$(dirname "$manifest")"); fi
done
