#!/usr/bin/env bash
# The logic of the stagegate GitHub Action (action.yml): turn the STAGEGATE_INPUT_* variables
# action.yml sets from its inputs into one `stagegate evaluate` (no key) or `stagegate gate`
# (a key, or `keyless`: sign) run, then hand the result to GitHub the way it reads it:
#
#   - annotations: `--format github` on standard output (workflow commands);
#   - the job summary: the Markdown decision appended to $GITHUB_STEP_SUMMARY;
#   - step outputs in $GITHUB_OUTPUT: result (pass | fail | error), exit-code, decision,
#     bundle, decision-bundle, sarif, junit (paths; empty when not written);
#   - SARIF and JUnit files when asked for.
#
# Exit status: 0 pass; 1 policy failure (0 with fail-on-policy: false); 2 error, always.
# tests/it/action.rs runs this script with the files and variables a runner provides.
# STAGEGATE_BIN names the binary (default: `stagegate` on PATH).
set -euo pipefail

stagegate=${STAGEGATE_BIN:-stagegate}

fail() {
  echo "::error title=stagegate::$*"
  echo "stagegate action: $*" >&2
  exit 2
}

# true/false inputs, as GitHub spells booleans in `with:`.
flag() {
  local name=$1 value=${2:-}
  case "${value,,}" in
    true | yes | on | 1) return 0 ;;
    false | no | off | 0 | "") return 1 ;;
    *) fail "input \`$name\` must be true or false, not \`$value\`" ;;
  esac
}

# One entry per non-empty line (leading and trailing blanks trimmed): paths may hold spaces.
lines() {
  local line
  while IFS= read -r line || [ -n "$line" ]; do
    line=${line%$'\r'}
    line="${line#"${line%%[![:space:]]*}"}"
    line="${line%"${line##*[![:space:]]}"}"
    [ -n "$line" ] && printf '%s\n' "$line"
  done <<<"${1:-}"
}

output() { # NAME VALUE -> $GITHUB_OUTPUT (or stdout when run by hand)
  if [ -n "${GITHUB_OUTPUT:-}" ]; then
    printf '%s=%s\n' "$1" "$2" >>"$GITHUB_OUTPUT"
  else
    printf 'output %s=%s\n' "$1" "$2" >&2
  fi
}

stage=${STAGEGATE_INPUT_STAGE:-}
[ -n "$stage" ] || fail "the \`stage\` input is required"
case "$stage" in *[!A-Za-z0-9._-]*) fail "stage \`$stage\` holds characters a stage name does not" ;; esac
config=${STAGEGATE_INPUT_CONFIG:-stagegate.yaml}

# Everything the step keeps (decision, summary) lives under the runner's temporary
# directory, which lasts as long as the job; the key file is removed on exit.
base=${RUNNER_TEMP:-${TMPDIR:-/tmp}}
out_dir=$(mktemp -d "$base/stagegate-$stage.XXXXXX")
decision="$out_dir/decision.json"
markdown="$out_dir/summary.md"
key_dir=""
cleanup() { if [ -n "$key_dir" ]; then rm -rf "$key_dir"; fi; }
trap cleanup EXIT

args=(--stage "$stage" --config "$config")
[ -n "${STAGEGATE_INPUT_EVIDENCE:-}" ] && args+=(--evidence "$STAGEGATE_INPUT_EVIDENCE")
[ -n "${STAGEGATE_INPUT_SUBJECT:-}" ] && args+=(--subject "$STAGEGATE_INPUT_SUBJECT")
[ -n "${STAGEGATE_INPUT_IMAGE:-}" ] && args+=(--image "$STAGEGATE_INPUT_IMAGE")
while IFS= read -r f; do args+=(--sbom "$f"); done < <(lines "${STAGEGATE_INPUT_SBOM:-}")
while IFS= read -r f; do args+=(--scan "$f"); done < <(lines "${STAGEGATE_INPUT_SCAN:-}")
while IFS= read -r f; do args+=(--tests "$f"); done < <(lines "${STAGEGATE_INPUT_TESTS:-}")
while IFS= read -r f; do args+=(--attestation "$f"); done < <(lines "${STAGEGATE_INPUT_ATTESTATION:-}")
[ -n "${STAGEGATE_INPUT_EFFECTIVE_TIME:-}" ] && args+=(--effective-time "$STAGEGATE_INPUT_EFFECTIVE_TIME")
if flag fail-on-warn "${STAGEGATE_INPUT_FAIL_ON_WARN:-false}"; then args+=(--fail-on-warn); fi

args+=(--format "json=$decision" --format "markdown=$markdown")
sarif=${STAGEGATE_INPUT_SARIF:-}
junit=${STAGEGATE_INPUT_JUNIT:-}
[ -n "$sarif" ] && args+=(--format "sarif=$sarif")
[ -n "$junit" ] && args+=(--format "junit=$junit")
# Annotations are workflow commands on standard output; without them the text table is
# printed there instead.
if flag annotations "${STAGEGATE_INPUT_ANNOTATIONS:-true}"; then args+=(--format github); fi

key=${STAGEGATE_INPUT_KEY:-}
if [ -n "${STAGEGATE_INPUT_KEY_PEM:-}" ]; then
  [ -z "$key" ] || fail "give \`key\` or \`key-pem\`, not both"
  key_dir=$(mktemp -d "$base/stagegate-key.XXXXXX")
  chmod 700 "$key_dir"
  key="$key_dir/cosign.key"
  (umask 077 && printf '%s\n' "$STAGEGATE_INPUT_KEY_PEM" >"$key")
fi
if [ -n "${STAGEGATE_INPUT_PASSWORD:-}" ]; then
  export STAGEGATE_PASSWORD="$STAGEGATE_INPUT_PASSWORD"
fi

# Keyless: the job's OIDC token (ACTIONS_ID_TOKEN_REQUEST_*, which GitHub sets with
# `permissions: id-token: write`) is read by stagegate itself, never by this script.
signer=()
if flag keyless "${STAGEGATE_INPUT_KEYLESS:-false}"; then
  [ -z "$key" ] || fail "give \`key\` (or \`key-pem\`) or \`keyless: true\`, not both"
  signer=(--keyless)
  [ -n "${STAGEGATE_INPUT_FULCIO_URL:-}" ] && signer+=(--fulcio-url "$STAGEGATE_INPUT_FULCIO_URL")
  [ -n "${STAGEGATE_INPUT_REKOR_URL:-}" ] && signer+=(--rekor-url "$STAGEGATE_INPUT_REKOR_URL")
  [ -n "${STAGEGATE_INPUT_TRUSTED_ROOT:-}" ] && signer+=(--trusted-root "$STAGEGATE_INPUT_TRUSTED_ROOT")
elif [ -n "$key" ]; then
  signer=(--key "$key")
else
  for input in FULCIO_URL REKOR_URL TRUSTED_ROOT; do
    name="STAGEGATE_INPUT_$input"
    [ -z "${!name:-}" ] || fail "\`$(printf '%s' "${input,,}" | tr _ -)\` is for \`keyless: true\`"
  done
fi

bundle=""
decision_bundle=""
if [ "${#signer[@]}" -gt 0 ]; then
  command=gate
  if flag allow-effective-time "${STAGEGATE_INPUT_ALLOW_EFFECTIVE_TIME:-false}"; then
    args+=(--allow-effective-time)
  fi
  bundle=${STAGEGATE_INPUT_BUNDLE_OUT:-stagegate-$stage.sigstore.json}
  case "$bundle" in
    *.sigstore.json) decision_bundle="${bundle%.sigstore.json}.decision.sigstore.json" ;;
    *.json) decision_bundle="${bundle%.json}.decision.sigstore.json" ;;
    *) decision_bundle="$bundle.decision.sigstore.json" ;;
  esac
  args+=("${signer[@]}" --bundle-out "$bundle" --decision-bundle-out "$decision_bundle")
  while IFS= read -r d; do args+=(--chain-dir "$d"); done < <(lines "${STAGEGATE_INPUT_CHAIN_DIR:-}")
  if flag push "${STAGEGATE_INPUT_PUSH:-false}"; then
    [ -n "${STAGEGATE_INPUT_IMAGE:-}" ] || fail "\`push: true\` needs the \`image\` input"
    args+=(--push)
  fi
else
  command=evaluate
  if flag push "${STAGEGATE_INPUT_PUSH:-false}"; then
    fail "\`push: true\` needs a signer (\`key\`, \`key-pem\` or \`keyless: true\`)"
  fi
  [ -z "${STAGEGATE_INPUT_CHAIN_DIR:-}" ] || fail "\`chain-dir\` is read by the signing gate only: give \`key\`, \`key-pem\` or \`keyless: true\`"
  [ -z "${STAGEGATE_INPUT_BUNDLE_OUT:-}" ] || fail "\`bundle-out\` needs a signer (\`key\`, \`key-pem\` or \`keyless: true\`)"
fi

echo "::group::stagegate $command --stage $stage"
set +e
"$stagegate" "$command" "${args[@]}"
code=$?
set -e
echo "::endgroup::"

case "$code" in
  0) result=pass ;;
  1) result=fail ;;
  *) result=error ;;
esac
output result "$result"
output exit-code "$code"
if [ -f "$decision" ]; then output decision "$decision"; else output decision ""; fi
if [ "$command" = gate ] && [ -f "$bundle" ] && [ "$code" = 0 ]; then
  output bundle "$bundle"
  output decision-bundle "$decision_bundle"
else
  output bundle ""
  output decision-bundle ""
fi
if [ -n "$sarif" ] && [ -f "$sarif" ]; then output sarif "$sarif"; else output sarif ""; fi
if [ -n "$junit" ] && [ -f "$junit" ]; then output junit "$junit"; else output junit ""; fi

if flag summary "${STAGEGATE_INPUT_SUMMARY:-true}" && [ -n "${GITHUB_STEP_SUMMARY:-}" ]; then
  if [ -f "$markdown" ]; then
    cat "$markdown" >>"$GITHUB_STEP_SUMMARY"
    if [ -n "$bundle" ] && [ "$code" = 0 ]; then
      printf '\nSigned: `%s` (SLSA VSA), `%s` (decision).\n' "$bundle" "$decision_bundle" >>"$GITHUB_STEP_SUMMARY"
    fi
  else
    printf '## stagegate: error at stage `%s`\n\n`stagegate %s` exited %s: nothing was decided or signed. The step log names the cause.\n' \
      "$stage" "$command" "$code" >>"$GITHUB_STEP_SUMMARY"
  fi
fi

case "$result" in
  pass) exit 0 ;;
  fail)
    if flag fail-on-policy "${STAGEGATE_INPUT_FAIL_ON_POLICY:-true}"; then exit 1; fi
    echo "::warning title=stagegate::stage \`$stage\` failed on policy; not failing the step (fail-on-policy: false)"
    exit 0
    ;;
  *)
    echo "::error title=stagegate::stagegate $command failed with an error (exit $code): nothing was decided or signed"
    exit 2
    ;;
esac
