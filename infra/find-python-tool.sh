#!/usr/bin/env bash
# Prints the path of a Python tool the build needs: moto_server (local AWS for tests) or cfn-lint (template checks).
# Looks at its variable ($MOTO_SERVER, $CFN_LINT), then the PATH, then pyenv's versions (CI's minimal PATH has no
# pyenv shims). When missing, fails with the command that installs the pinned version.
set -euo pipefail

tool=${1:?usage: find-python-tool.sh moto_server|cfn-lint}
case "$tool" in
  moto_server) variable=MOTO_SERVER; install="pip install 'moto[server]==5.2.1'" ;;
  cfn-lint) variable=CFN_LINT; install="pip install 'cfn-lint==1.51.0'" ;;
  *) echo "unknown tool: $tool" >&2; exit 2 ;;
esac

explicit=${!variable:-}
if [[ -n "$explicit" ]]; then
  if [[ -x "$explicit" ]]; then
    echo "$explicit"
    exit 0
  fi
  echo "$variable=$explicit is not an executable. $install" >&2
  exit 1
fi
if found=$(command -v "$tool"); then
  echo "$found"
  exit 0
fi
# Newest Python version first.
while read -r candidate; do
  if [[ -x "$candidate" ]]; then
    echo "$candidate"
    exit 0
  fi
done < <(ls -d /root/.pyenv/versions/*/bin/"$tool" 2>/dev/null | sort -V -r)
echo "$install" >&2
exit 1
