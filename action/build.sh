#!/usr/bin/env bash
# Builds sgcheck from the action's own source into $RUNNER_TEMP/sgcheck-bin,
# stamped with the ref the action is pinned to.
set -euo pipefail
cd "$GITHUB_ACTION_PATH"
exe=""
if [[ "$(go env GOOS)" == windows ]]; then
  exe=".exe" # Git Bash runs sgcheck.exe as sgcheck
fi
go build -trimpath -ldflags "-X main.version=0.1.0-dev+${SGCHECK_REF:-source}" -o "$RUNNER_TEMP/sgcheck-bin/sgcheck$exe" ./cmd/sgcheck
"$RUNNER_TEMP/sgcheck-bin/sgcheck" version
