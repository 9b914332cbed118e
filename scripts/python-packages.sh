# Sourced by setup.sh and test-python.sh: PYTHON_PACKAGES lists every folder of the project with a pyproject.toml
# (clients/*, plugins/*, integrations/*), so both install and test the same set. setup.sh installs them in one pip
# call: the plugins depend on the client (clients/python, the `avatars` package), which pip must take from here, not
# from the package index (where an unrelated `avatars` exists).
PYTHON_PACKAGES=()
for manifest in clients/*/pyproject.toml plugins/*/pyproject.toml integrations/*/pyproject.toml; do
  if [ -f "$manifest" ]; then PYTHON_PACKAGES+=("$(dirname "$manifest")"); fi
done
