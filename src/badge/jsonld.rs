//! JSON-LD → RDF → RDFC-1.0 canonical N-Quads, fully offline.
//!
//! Expansion and RDF conversion are done by `sophia_jsonld` (Haudebourg's `json-ld` crate) and
//! canonicalisation by `sophia_c14n`'s RDFC-1.0; both reproduce the reference implementations'
//! N-Quads. Nothing is hand-rolled here: this module only supplies the compiled-in contexts and
//! drives the parser.
//!
//! The parser's `async` API is used, not its blocking one (which builds its own tokio runtime and
//! panics inside another). Since the only I/O is our in-memory loader, every future is ready at
//! once, so it is driven by polling with a no-op waker: callable from sync code, from a CLI without
//! runtime and from inside tokio tasks alike (it is plain CPU work).

use std::collections::{HashMap, HashSet};
use std::future::Future;
use std::pin::pin;
use std::sync::{Arc, OnceLock};
use std::task::{Context, Poll, Waker};

use locspan::{Location, Meta};
use sophia_api::quad::Spog;
use sophia_api::source::QuadSource;
use sophia_api::term::{SimpleTerm, Term};
use sophia_jsonld::json_ld::future::{BoxFuture, FutureExt};
use sophia_jsonld::json_ld::syntax::{Parse, Value as LdValue};
use sophia_jsonld::json_ld::{Loader, LoadingResult, RemoteDocument};
use sophia_jsonld::vocabulary::ArcIri;
use sophia_jsonld::{JsonLdOptions, JsonLdParser, Policy};

use crate::badge::BadgeError;

/// Context URL of the W3C Verifiable Credentials Data Model 2.0.
pub const VC_V2_CONTEXT: &str = "https://www.w3.org/ns/credentials/v2";
/// Context URL of Open Badges 3.0 used for new badges.
pub const OB_V3_CONTEXT: &str = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json";

macro_rules! context {
    ($url:expr, $file:expr) => {
        ($url, include_str!(concat!("../../assets/contexts/", $file)))
    };
}

/// Every JSON-LD document the loader knows, by URL: published copies taken from the npm context
/// packages (see `assets/contexts/SOURCE.md`). Any other URL is refused.
pub const CONTEXTS: &[(&str, &str)] = &[
    context!(VC_V2_CONTEXT, "www.w3.org_ns_credentials_v2.json"),
    context!(
        "https://www.w3.org/ns/credentials/undefined-terms/v2",
        "www.w3.org_ns_credentials_undefined-terms_v2.json"
    ),
    context!(
        "https://www.w3.org/2018/credentials/v1",
        "www.w3.org_2018_credentials_v1.json"
    ),
    context!(
        OB_V3_CONTEXT,
        "purl.imsglobal.org_spec_ob_v3p0_context-3.0.3.json"
    ),
    context!(
        "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.2.json",
        "purl.imsglobal.org_spec_ob_v3p0_context-3.0.2.json"
    ),
    context!(
        "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.1.json",
        "purl.imsglobal.org_spec_ob_v3p0_context-3.0.1.json"
    ),
    context!(
        "https://purl.imsglobal.org/spec/ob/v3p0/context.json",
        "purl.imsglobal.org_spec_ob_v3p0_context.json"
    ),
    context!(
        "https://purl.imsglobal.org/spec/ob/v3p0/extensions.json",
        "purl.imsglobal.org_spec_ob_v3p0_extensions.json"
    ),
    context!(
        "https://w3id.org/security/data-integrity/v2",
        "w3id.org_security_data-integrity_v2.json"
    ),
    context!(
        "https://w3id.org/security/data-integrity/v1",
        "w3id.org_security_data-integrity_v1.json"
    ),
    context!(
        "https://w3id.org/security/multikey/v1",
        "w3id.org_security_multikey_v1.json"
    ),
    context!("https://w3id.org/security/v2", "w3id.org_security_v2.json"),
    context!("https://w3id.org/security/v1", "w3id.org_security_v1.json"),
    context!("https://www.w3.org/ns/did/v1", "www.w3.org_ns_did_v1.json"),
];

/// Whether `url` is one of the compiled-in contexts.
pub fn is_known_context(url: &str) -> bool {
    CONTEXTS.iter().any(|(u, _)| *u == url)
}

type Loc = Location<ArcIri>;
type Json = LdValue<Loc>;

/// Document loader serving only the compiled-in contexts, pre-parsed once and shared.
#[derive(Clone)]
pub struct OfflineLoader {
    docs: Arc<HashMap<&'static str, Meta<Json, Loc>>>,
}

/// A document the offline loader does not have (it never goes to the network).
#[derive(Debug, thiserror::Error)]
#[error("unknown JSON-LD context {0} (only compiled-in contexts are loaded)")]
pub struct UnknownDocument(String);

impl OfflineLoader {
    fn new() -> Result<Self, BadgeError> {
        let mut docs = HashMap::new();
        for (url, text) in CONTEXTS {
            let iri = ArcIri::new(Arc::from(*url))
                .map_err(|_| BadgeError::JsonLd(format!("bad context IRI {url}")))?;
            let doc = LdValue::parse_str(text, |span| Location::new(iri.clone(), span))
                .map_err(|e| BadgeError::JsonLd(format!("compiled-in context {url}: {e:?}")))?;
            docs.insert(*url, doc);
        }
        Ok(Self {
            docs: Arc::new(docs),
        })
    }
}

impl Loader<ArcIri, Loc> for OfflineLoader {
    type Output = Json;
    type Error = UnknownDocument;

    fn load_with<'a>(
        &'a mut self,
        _vocabulary: &'a mut (impl Sync + Send + rdf_types::IriVocabularyMut<Iri = ArcIri>),
        url: ArcIri,
    ) -> BoxFuture<'a, LoadingResult<ArcIri, Loc, Json, UnknownDocument>>
    where
        ArcIri: 'a,
    {
        let result = match self.docs.get(url.as_str()) {
            Some(doc) => Ok(RemoteDocument::new(Some(url), None, doc.clone())),
            None => Err(UnknownDocument(url.as_str().to_owned())),
        };
        async move { result }.boxed()
    }
}

/// Turns JSON-LD documents into canonical N-Quads. Build once (or use [`Canonicalizer::shared`])
/// and reuse: the contexts are parsed at construction, not per document.
#[derive(Clone)]
pub struct Canonicalizer {
    loader: OfflineLoader,
}

impl Canonicalizer {
    pub fn new() -> Result<Self, BadgeError> {
        Ok(Self {
            loader: OfflineLoader::new()?,
        })
    }

    /// A process-wide instance.
    pub fn shared() -> &'static Canonicalizer {
        static SHARED: OnceLock<Canonicalizer> = OnceLock::new();
        // The contexts are compiled in and covered by tests, so parsing them cannot fail at run
        // time; a failure here would be a build defect, not bad input.
        SHARED.get_or_init(|| Canonicalizer::new().expect("compiled-in JSON-LD contexts parse"))
    }

    /// RDFC-1.0 canonical N-Quads of `doc`.
    ///
    /// Expansion uses the strictest policy: a property that no context defines is an error, not
    /// silently dropped, so nothing in a signed badge escapes the signature (as jsonld.js "safe
    /// mode" in Digital Bazaar's verifier).
    pub fn canonical_nquads(&self, doc: &serde_json::Value) -> Result<String, BadgeError> {
        let text = serde_json::to_string(doc)?;
        let options = JsonLdOptions::new()
            .with_expansion_policy(Policy::Strictest)
            .with_document_loader(self.loader.clone());
        let parser = JsonLdParser::new_with_options(options);
        let mut source = run_ready(parser.async_parse_str(&text))?;
        let mut dataset: HashSet<Spog<SimpleTerm<'static>>> = HashSet::new();
        source
            .for_each_quad(|q| {
                let ([s, p, o], g) = q;
                dataset.insert((
                    [s.into_term(), p.into_term(), o.into_term()],
                    g.map(|g| g.into_term()),
                ));
            })
            .map_err(|e| BadgeError::JsonLd(e.to_string()))?;
        let mut out = Vec::new();
        sophia_c14n::rdfc10::normalize(&dataset, &mut out)
            .map_err(|e| BadgeError::Canonicalization(e.to_string()))?;
        String::from_utf8(out).map_err(|e| BadgeError::Canonicalization(e.to_string()))
    }
}

/// Drives a future whose I/O is all in memory, without a runtime.
fn run_ready<F: Future>(fut: F) -> Result<F::Output, BadgeError> {
    let mut fut = pin!(fut);
    let mut cx = Context::from_waker(Waker::noop());
    // A few polls of slack in case a dependency yields once; real I/O would never complete.
    for _ in 0..64 {
        if let Poll::Ready(out) = fut.as_mut().poll(&mut cx) {
            return Ok(out);
        }
    }
    Err(BadgeError::JsonLd(
        "JSON-LD processing unexpectedly waited for I/O".into(),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn refuses_unknown_context_and_undefined_terms() {
        let c = Canonicalizer::shared();
        let doc = json!({"@context": ["https://evil.example/ctx"], "name": "x"});
        assert!(c.canonical_nquads(&doc).is_err());
        let doc = json!({"@context": [VC_V2_CONTEXT], "id": "urn:x", "notDefinedAnywhere": "x"});
        assert!(c.canonical_nquads(&doc).is_err());
    }

    #[test]
    fn works_inside_tokio() {
        let rt = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        let out = rt.block_on(async {
            let doc = json!({"@context": [VC_V2_CONTEXT], "id": "urn:x", "type": ["VerifiableCredential"]});
            Canonicalizer::shared().canonical_nquads(&doc)
        });
        assert_eq!(
            out.unwrap(),
            "<urn:x> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <https://www.w3.org/2018/credentials#VerifiableCredential> .\n"
        );
    }
}
