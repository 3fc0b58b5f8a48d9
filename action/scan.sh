#!/usr/bin/env bash
# One scan, every report: annotations (--format github), the job summary
# (Markdown), the SARIF file and the count of findings (JUnit). Inputs come from the
# environment (INPUT_*), never from the workflow text, so nothing a pull
# request controls is run as shell.
set -euo pipefail
bin="${SGCHECK_BIN:-$RUNNER_TEMP/sgcheck-bin/sgcheck}"
args=()

base="${INPUT_BASE:-}"
if [[ -z "$base" && "${GITHUB_EVENT_NAME:-}" == pull_request* ]]; then
  base="${PR_BASE_SHA:-}"
fi
if [[ -n "$base" ]]; then
  # actions/checkout clones one commit by default: fetch the base if missing
  if ! git rev-parse --verify --quiet "${base}^{commit}" >/dev/null &&
     ! git rev-parse --verify --quiet "origin/${base}^{commit}" >/dev/null; then
    git fetch --quiet --no-tags --depth=1 origin "$base" || true
    if git rev-parse --verify --quiet FETCH_HEAD >/dev/null && ! git rev-parse --verify --quiet "${base}^{commit}" >/dev/null; then
      base="$(git rev-parse FETCH_HEAD)"
    fi
  fi
  args+=(--base "$base")
fi
if [[ -n "${INPUT_CONFIG:-}" ]]; then
  args+=(--config "$INPUT_CONFIG")
fi
args+=(--fail-on "${INPUT_FAIL_ON:-low}")

out="$(mktemp -d)"
args+=(--format github --format "markdown=$out/summary.md" --format "junit=$out/junit.xml")
sarif="${INPUT_SARIF:-}"
if [[ -n "$sarif" ]]; then
  args+=(--format "sarif=$sarif")
fi
read -r -a paths <<< "${INPUT_PATHS:-.}"

set +e
"$bin" "${args[@]}" -- "${paths[@]}"
code=$?
set -e

if [[ -f "$out/summary.md" && -n "${GITHUB_STEP_SUMMARY:-}" ]]; then
  cat "$out/summary.md" >> "$GITHUB_STEP_SUMMARY"
fi
# the JUnit report counts findings as failures (suppressed ones are not)
findings=0
if [[ -f "$out/junit.xml" ]]; then
  findings="$(grep -o -m1 '<testsuites [^>]*failures="[0-9]*"' "$out/junit.xml" | sed 's/.*failures="\([0-9]*\)"/\1/')"
fi
if [[ -n "$sarif" && ! -f "$sarif" ]]; then
  sarif=""
fi
if [[ -n "${GITHUB_OUTPUT:-}" ]]; then
  {
    echo "findings=$findings"
    echo "sarif=$sarif"
  } >> "$GITHUB_OUTPUT"
fi
exit "$code"
