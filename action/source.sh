#!/usr/bin/env bash
# Decides how the action gets sgcheck: the release binary of the version
# the action is pinned to, when that is a release tag and the binary
# downloads and matches its checksum; otherwise a build of the action's
# own source (the exact commit it is pinned to). Writes the outputs
# release, gomod and key, and the binary to $RUNNER_TEMP/sgcheck-bin.
set -euo pipefail
bin_dir="$RUNNER_TEMP/sgcheck-bin"
mkdir -p "$bin_dir"
# GITHUB_ACTION_PATH is .../_actions/OWNER/REPO/REF for a pinned action.
ref="$(basename "$GITHUB_ACTION_PATH")"
release=false
if [[ "$ref" =~ ^v[0-9]+\.[0-9]+\.[0-9]+$ ]]; then
  "$GITHUB_ACTION_PATH/action/download.sh" "$ref" "$bin_dir" && release=true || true
fi
{
  echo "release=$release"
  echo "gomod=$GITHUB_ACTION_PATH/go.mod"
  echo "key=$(sha256sum "$GITHUB_ACTION_PATH/go.sum" | cut -c1-16)"
} >> "$GITHUB_OUTPUT"
echo "SGCHECK_REF=$ref" >> "$GITHUB_ENV"
