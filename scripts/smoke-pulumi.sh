#!/usr/bin/env bash
# Proves the offline Pulumi tools from scripts/tools-pulumi.sh run a real program end to end:
# a TypeScript program with one dynamic resource (scripts/smoke-pulumi/index.ts) goes through
# up, preview --expect-no-changes, refresh (clean, then after an out-of-band edit), up (repairs
# the drift), destroy, against a local file backend in a temp dir. Not part of `npm test`.
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
started_at=$(date +%s)

log() { printf '\nsmoke: %s (%ss)\n' "$*" "$(($(date +%s) - started_at))" >&2; }
fail() {
  printf 'smoke: FAILED: %s\n' "$*" >&2
  exit 1
}

bash "$repo_root/scripts/tools-pulumi.sh"
export PATH="$repo_root/.tools/bin:$PATH"

work="$(mktemp -d "${TMPDIR:-/tmp}/flashduty-pulumi-smoke.XXXXXX")"
cleanup() {
  [ "${SMOKE_KEEP:-}" = "1" ] && printf 'smoke: kept %s\n' "$work" >&2 && return
  rm -rf "$work"
}
trap cleanup EXIT

export PULUMI_HOME="$work/pulumi-home"
export PULUMI_CONFIG_PASSPHRASE="smoke-test-passphrase"
export PULUMI_SKIP_UPDATE_CHECK=true
export PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION=true
export PULUMI_SKIP_CONFIRMATIONS=true
# The program's node_modules links to the repo's, so the language host reports every provider
# package there (e.g. @pulumi/alicloud) as a required plugin; none is used, so none is downloaded.

project="$work/project"
mkdir -p "$project" "$work/backend"
cp "$repo_root/scripts/smoke-pulumi/index.ts" "$project/index.ts"
ln -s "$repo_root/node_modules" "$project/node_modules"
cat >"$project/Pulumi.yaml" <<'EOF'
name: smoke
runtime:
  name: nodejs
  options:
    typescript: true
main: index.ts
EOF
cat >"$project/package.json" <<'EOF'
{ "name": "smoke", "private": true, "main": "index.ts" }
EOF
cat >"$project/tsconfig.json" <<'EOF'
{ "compilerOptions": { "target": "ES2022", "module": "commonjs", "strict": true, "esModuleInterop": true, "skipLibCheck": true, "types": ["node"] }, "files": ["index.ts"] }
EOF

cd "$project"
target="$work/managed.txt"
token="smoke-secret-$RANDOM$RANDOM"

log "pulumi $(pulumi version), language host $(command -v pulumi-language-nodejs)"
pulumi login --non-interactive "file://$work/backend"
pulumi stack init --non-interactive smoke
pulumi config set smoke:filePath "$target"
pulumi config set smoke:content "hello from the smoke test"
pulumi config set --secret smoke:token "$token"

log "pulumi up"
pulumi up --yes --non-interactive --skip-preview
[ "$(cat "$target")" = "hello from the smoke test" ] || fail "up did not write $target"
expected_mac="$(node -e 'const c=require("node:crypto");process.stdout.write(c.createHmac("sha256",process.argv[1]).update(process.argv[2]).digest("hex"))' "$token" "hello from the smoke test")"
[ "$(pulumi stack output contentMac)" = "$expected_mac" ] || fail "contentMac is not the HMAC keyed with the secret config: configure did not see smoke:token"

log "pulumi preview --expect-no-changes"
pulumi preview --non-interactive --expect-no-changes

log "pulumi refresh (nothing drifted)"
pulumi refresh --yes --non-interactive --expect-no-changes

log "pulumi refresh (after an out-of-band edit)"
echo "edited out of band" >"$target"
pulumi refresh --yes --non-interactive
state="$(pulumi stack export)"
grep -qF '"content": "edited out of band' <<<"$state" || fail "refresh did not read the drifted content"

log "pulumi preview must now show the repair"
if pulumi preview --non-interactive --expect-no-changes >/dev/null 2>&1; then
  fail "preview reported no changes after drift"
fi

log "pulumi up (repairs the drift through update)"
pulumi up --yes --non-interactive --skip-preview
[ "$(cat "$target")" = "hello from the smoke test" ] || fail "up did not repair $target"
pulumi preview --non-interactive --expect-no-changes

if grep -rqF "$token" "$work/backend" "$project/Pulumi.smoke.yaml"; then
  fail "the secret smoke:token appears in plain text in the state or stack config"
fi

log "pulumi destroy"
pulumi destroy --yes --non-interactive --skip-preview
[ ! -e "$target" ] || fail "destroy left $target behind"
pulumi stack rm --yes --non-interactive smoke

log "PASSED: up, preview --expect-no-changes, refresh, drift repair, destroy"
