#!/usr/bin/env node
// Independent OpenID for Verifiable Credential Issuance 1.0 holder (wallet) test harness.
//
// Pre-authorized code flow only, built on @openid4vc/openid4vci (OWF / Animo oid4vc-ts).
// All protocol HTTP (offer parsing, issuer + AS metadata, token, nonce, credential) is done
// by the library; this file only supplies keys, signing callbacks, CLI and fault injection.
//
// Usage:
//   node wallet.mjs --offer 'openid-credential-offer://?credential_offer=...' --tx-code 123456
//        [--did-method key|jwk] [--key-type ed25519|p256] [--proof-key other] [--nonce stale]
//        [--configuration <id>] [--allow-draft] [--verbose]
//
// Prints exactly one JSON object on stdout; exit code 0 on success, 1 otherwise.
// With --verbose (or OID4VCI_WALLET_DEBUG=1) every HTTP exchange is logged to stderr.

import crypto from 'node:crypto';
import { parseArgs } from 'node:util';
import * as jose from 'jose';
import {
  Openid4vciClient,
  Openid4vciVersion,
  Openid4vciRetrieveCredentialsError,
  setGlobalConfig,
} from '@openid4vc/openid4vci';
import { clientAuthenticationAnonymous, Oauth2ClientErrorResponseError } from '@openid4vc/oauth2';
import { InvalidFetchResponseError, ValidationError } from '@openid4vc/utils';

// ---------------------------------------------------------------------------------------------
// CLI
// ---------------------------------------------------------------------------------------------
const USAGE = `usage: node wallet.mjs --offer '<openid-credential-offer://?credential_offer=...>' [--tx-code CODE]
       [--did-method key|jwk] [--key-type ed25519|p256] [--proof-key other] [--nonce stale]
       [--configuration ID] [--allow-draft] [--verbose]`;

let args;
try {
  ({ values: args } = parseArgs({
    options: {
      offer: { type: 'string' },
      'tx-code': { type: 'string' },
      'did-method': { type: 'string', default: 'key' },
      'key-type': { type: 'string', default: 'ed25519' },
      'proof-key': { type: 'string' },
      nonce: { type: 'string' },
      configuration: { type: 'string' },
      'allow-draft': { type: 'boolean', default: false },
      verbose: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  }));
} catch (e) {
  finish({ ok: false, step: 'args', status: null, error: 'invalid_arguments', description: `${e.message}\n${USAGE}` });
}
if (args.help) {
  process.stderr.write(`${USAGE}\n`);
  process.exit(0);
}
const badArg = (d) => finish({ ok: false, step: 'args', status: null, error: 'invalid_arguments', description: `${d}\n${USAGE}` });
if (!args.offer) badArg('--offer is required');
if (!['key', 'jwk'].includes(args['did-method'])) badArg('--did-method must be key or jwk');
if (!['ed25519', 'p256'].includes(args['key-type'])) badArg('--key-type must be ed25519 or p256');
if (args['did-method'] === 'key' && args['key-type'] !== 'ed25519') badArg('did:key is only implemented for ed25519; use --did-method jwk for p256');
if (args['proof-key'] !== undefined && args['proof-key'] !== 'other') badArg('--proof-key only accepts "other"');
if (args.nonce !== undefined && args.nonce !== 'stale') badArg('--nonce only accepts "stale"');
const verbose = args.verbose || !!process.env.OID4VCI_WALLET_DEBUG;

// Our issuer runs on http://127.0.0.1 in tests: the library rejects non-https URLs unless told.
setGlobalConfig({ allowInsecureUrls: true });

// ---------------------------------------------------------------------------------------------
// Keys and DIDs
// ---------------------------------------------------------------------------------------------
const B58 = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz';
function base58btc(bytes) {
  let n = 0n;
  for (const b of bytes) n = (n << 8n) | BigInt(b);
  let out = '';
  while (n > 0n) {
    out = B58[Number(n % 58n)] + out;
    n /= 58n;
  }
  for (const b of bytes) {
    if (b !== 0) break;
    out = `1${out}`;
  }
  return out;
}

async function generateHolderKey(keyType) {
  const alg = keyType === 'ed25519' ? 'EdDSA' : 'ES256';
  const { privateKey, publicKey } = await jose.generateKeyPair(alg, { crv: keyType === 'ed25519' ? 'Ed25519' : undefined, extractable: true });
  const full = await jose.exportJWK(publicKey);
  // minimal public JWK (members in lexicographic order, as used for did:jwk and thumbprints)
  const publicJwk = full.kty === 'OKP' ? { crv: full.crv, kty: full.kty, x: full.x } : { crv: full.crv, kty: full.kty, x: full.x, y: full.y };
  return { alg, privateKey, publicJwk };
}

function didFor(method, key) {
  if (method === 'key') {
    // did:key for Ed25519: multibase base58btc ('z') of multicodec ed25519-pub (0xed 0x01) || 32-byte key
    const raw = Buffer.from(key.publicJwk.x, 'base64url');
    const fingerprint = `z${base58btc(Buffer.concat([Buffer.from([0xed, 0x01]), raw]))}`;
    const did = `did:key:${fingerprint}`;
    return { did, didUrl: `${did}#${fingerprint}` };
  }
  const did = `did:jwk:${Buffer.from(JSON.stringify(key.publicJwk)).toString('base64url')}`;
  return { did, didUrl: `${did}#0` };
}

// ---------------------------------------------------------------------------------------------
// Output helpers
// ---------------------------------------------------------------------------------------------
function finish(obj) {
  process.stdout.write(`${JSON.stringify(obj)}\n`);
  process.exit(obj.ok ? 0 : 1);
}

function parseJsonOrNull(text) {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

function errorFromWwwAuthenticate(header) {
  if (!header) return {};
  const err = /error="([^"]*)"/.exec(header);
  const desc = /error_description="([^"]*)"/.exec(header);
  return { error: err?.[1], error_description: desc?.[1] };
}

// Turn any library / network error into the harness's failure object.
async function failure(step, e) {
  let status = null;
  let body = null;
  let response = null;
  if (e instanceof Openid4vciRetrieveCredentialsError) {
    response = e.response?.response;
    body = e.response?.credentialErrorResponseResult?.data ?? null;
  } else if (e instanceof Oauth2ClientErrorResponseError) {
    response = e.response;
    body = e.errorResponse;
  } else if (e instanceof InvalidFetchResponseError) {
    response = e.response;
    body = parseJsonOrNull(e.textResponse);
  }
  if (response) {
    status = response.status;
    if (!body) body = parseJsonOrNull(await response.clone().text().catch(() => ''));
  }
  const www = response ? errorFromWwwAuthenticate(response.headers.get('WWW-Authenticate')) : {};
  let description = body?.error_description ?? www.error_description ?? e?.message ?? String(e);
  if (e instanceof ValidationError && e.zodError) description = `${e.message}: ${JSON.stringify(e.zodError.issues ?? e.zodError)}`;
  return {
    ok: false,
    step,
    status,
    error: body?.error ?? www.error ?? (response ? 'http_error' : 'client_error'),
    description,
  };
}

// ---------------------------------------------------------------------------------------------
// Library callbacks
// ---------------------------------------------------------------------------------------------
function loggingFetch(input, init = {}) {
  if (!verbose) return fetch(input, init);
  const method = init.method ?? 'GET';
  const headers = new Headers(init.headers);
  const hdrs = [...headers.entries()].map(([k, v]) => `  ${k}: ${v}`).join('\n');
  process.stderr.write(`\n>>> ${method} ${input}\n${hdrs}${init.body ? `\n  body: ${init.body}` : ''}\n`);
  return fetch(input, init).then(async (res) => {
    const text = await res.clone().text();
    process.stderr.write(`<<< ${res.status} ${res.headers.get('content-type') ?? ''}\n  ${text.slice(0, 4000)}\n`);
    return res;
  });
}

function makeCallbacks(signingKeyFor) {
  return {
    fetch: loggingFetch,
    hash: (data, alg) => {
      const name = { 'sha-256': 'sha256', 'sha-384': 'sha384', 'sha-512': 'sha512' }[String(alg).toLowerCase()] ?? 'sha256';
      return new Uint8Array(crypto.createHash(name).update(data).digest());
    },
    generateRandom: (n) => new Uint8Array(crypto.randomBytes(n)),
    // Pre-authorized code flow with pre-authorized_grant_anonymous_access_supported: no client auth.
    clientAuthentication: clientAuthenticationAnonymous(),
    signJwt: async (signer, { header, payload }) => {
      const key = signingKeyFor(signer);
      const jwt = await new jose.CompactSign(Buffer.from(JSON.stringify(payload)))
        .setProtectedHeader(header)
        .sign(key.privateKey);
      if (verbose) process.stderr.write(`\n--- signed JWT\n  header: ${JSON.stringify(header)}\n  payload: ${JSON.stringify(payload)}\n`);
      return { jwt, signerJwk: key.publicJwk };
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Flow
// ---------------------------------------------------------------------------------------------
async function main() {
  const holderKey = await generateHolderKey(args['key-type']);
  // For --proof-key other: a second key of the same type; the JWT names holderKey (kid) but is signed with this.
  const otherKey = args['proof-key'] === 'other' ? await generateHolderKey(args['key-type']) : null;
  const { did, didUrl } = didFor(args['did-method'], holderKey);

  const client = new Openid4vciClient({ callbacks: makeCallbacks(() => otherKey ?? holderKey) });

  // 1. Credential offer (by value or by reference)
  let offer;
  try {
    offer = await client.resolveCredentialOffer(args.offer);
  } catch (e) {
    return failure('offer', e);
  }

  // 2. Credential issuer metadata + authorization server metadata
  let issuerMetadata;
  try {
    issuerMetadata = await client.resolveIssuerMetadata(offer.credential_issuer);
  } catch (e) {
    return failure('metadata', e);
  }
  const metadata = issuerMetadata.credentialIssuer;
  if (issuerMetadata.originalDraftVersion !== Openid4vciVersion.V1 && !args['allow-draft']) {
    return {
      ok: false,
      step: 'metadata',
      status: 200,
      error: 'not_openid4vci_1_0',
      description: `@openid4vc/openid4vci detected the issuer metadata as ${issuerMetadata.originalDraftVersion}, not V1 (1.0 final). 1.0 is detected when a credential configuration carries 'credential_metadata'. Pass --allow-draft to continue anyway.`,
    };
  }

  const configurationId = args.configuration ?? offer.credential_configuration_ids[0];
  const configuration = metadata.credential_configurations_supported[configurationId];

  // 3. Token request (pre-authorized code + tx_code)
  let accessTokenResponse;
  try {
    ({ accessTokenResponse } = await client.retrievePreAuthorizedCodeAccessTokenFromOffer({
      credentialOffer: offer,
      issuerMetadata,
      txCode: args['tx-code'],
    }));
  } catch (e) {
    return failure('token', e);
  }

  // 4. Nonce endpoint
  let cNonce;
  try {
    ({ c_nonce: cNonce } = await client.requestNonce({ issuerMetadata }));
  } catch (e) {
    return failure('nonce', e);
  }
  if (args.nonce === 'stale') cNonce = `stale-${crypto.randomBytes(12).toString('base64url')}`;

  // --configuration <unknown id>: the library refuses to build a request for a configuration id
  // that is not in the issuer metadata. To let the *issuer* reject it, we hand the library a
  // private copy of the metadata in which the unknown id aliases the offered configuration.
  let requestMetadata = issuerMetadata;
  if (!configuration) {
    const template = metadata.credential_configurations_supported[offer.credential_configuration_ids[0]];
    requestMetadata = {
      ...issuerMetadata,
      credentialIssuer: {
        ...metadata,
        credential_configurations_supported: { ...metadata.credential_configurations_supported, [configurationId]: template },
      },
      knownCredentialConfigurations: { ...issuerMetadata.knownCredentialConfigurations, [configurationId]: template },
    };
  }

  // 5. Proof JWT (typ openid4vci-proof+jwt, kid = DID URL, aud = credential issuer, iat, nonce)
  let proofJwt;
  try {
    ({ jwt: proofJwt } = await client.createCredentialRequestJwtProof({
      issuerMetadata: requestMetadata,
      credentialConfigurationId: configurationId,
      signer: { method: 'did', didUrl, alg: holderKey.alg },
      nonce: cNonce,
      issuedAt: new Date(),
    }));
  } catch (e) {
    return failure('proof', e);
  }

  // 6. Credential request: { credential_configuration_id, proofs: { jwt: [ ... ] } }
  let credentialResponse;
  try {
    ({ credentialResponse } = await client.retrieveCredentials({
      issuerMetadata: requestMetadata,
      accessToken: accessTokenResponse.access_token,
      credentialConfigurationId: configurationId,
      proofs: { jwt: [proofJwt] },
    }));
  } catch (e) {
    return failure('credential', e);
  }

  const creds = credentialResponse.credentials ?? (credentialResponse.credential !== undefined ? [credentialResponse.credential] : []);
  if (creds.length === 0) {
    return {
      ok: false,
      step: 'credential',
      status: 200,
      error: 'no_credential',
      description: `credential response contained no credentials: ${JSON.stringify(credentialResponse)}`,
    };
  }
  const first = creds[0];
  const credential = first && typeof first === 'object' && 'credential' in first ? first.credential : first;
  return {
    ok: true,
    holder: did,
    format: configuration?.format ?? null,
    credential,
    metadata,
    credential_configuration_id: configurationId,
    spec_version: issuerMetadata.originalDraftVersion,
    credential_count: creds.length,
    notification_id: credentialResponse.notification_id,
  };
}

main().then(finish, async (e) => finish(await failure('internal', e)));
