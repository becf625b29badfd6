//! JSON-LD → RDF → RDFC-1.0 canonical N-Quads, fully offline.
//!
//! Expansion and RDF conversion are done by `sophia_jsonld` (Haudebourg's `json-ld` crate) and
//! canonicalisation by `sophia_c14n`'s RDFC-1.0; both reproduce the reference implementations'
//! N-Quads. Nothing is hand-rolled here: this module only supplies the compiled-in contexts,
//! drives the library and keeps what does not change between badges (the processed active
//! context of the badges' `@context`, the canonical form of a repeated proof configuration).
//!
//! The parser's `async` API is used, not its blocking one (which builds its own tokio runtime and
//! panics inside another). Since the only I/O is our in-memory loader, every future is ready at
//! once, so it is driven by polling with a no-op waker: callable from sync code, from a CLI without
//! runtime and from inside tokio tasks alike (it is plain CPU work).

use std::collections::{HashMap, HashSet, VecDeque};
use std::future::Future;
use std::pin::pin;
use std::sync::{Arc, Mutex, OnceLock};
use std::task::{Context, Poll, Waker};

use locspan::{Location, Meta, Span};
use sophia_api::quad::Spog;
use sophia_api::source::QuadSource;
use sophia_api::term::{SimpleTerm, Term};
use sophia_jsonld::json_ld::future::{BoxFuture, FutureExt};
use sophia_jsonld::json_ld::rdf::RdfQuads;
use sophia_jsonld::json_ld::syntax::TryFromJson;
use sophia_jsonld::json_ld::syntax::context::Value as ContextValue;
use sophia_jsonld::json_ld::syntax::{Object as ObjectSyntax, Parse, Value as LdValue};
use sophia_jsonld::json_ld::{
    Context as LdContext, Expand, ExpandedDocument, Loader, LoadingResult,
    Options as JsonLdProcessorOptions, Process, RemoteDocument,
};
use sophia_jsonld::parser::RdfTerm;
use sophia_jsonld::vocabulary::{ArcBnode, ArcIri, ArcVoc};
use sophia_jsonld::{JsonLdOptions, JsonLdParser, Policy};

use crate::badge::BadgeError;

mod template;

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

/// An active context processed from the compiled-in contexts.
type ActiveContext = LdContext<ArcIri, ArcBnode, ContextValue<Loc>, Loc>;

/// Every document is read with this base IRI, as `sophia_jsonld` does for a string without base:
/// the cached and uncached paths must resolve relative IRIs alike.
const DOCUMENT_BASE: &str = "x-string://";

/// `@context` values whose processing is cached: the one every Atelier badge and its proof
/// configuration carry.
fn cached_context_values() -> Vec<serde_json::Value> {
    vec![serde_json::json!([VC_V2_CONTEXT, OB_V3_CONTEXT])]
}

/// Turns JSON-LD documents into canonical N-Quads. Build once (or use [`Canonicalizer::shared`])
/// and reuse: the contexts are parsed at construction, not per document, and the active context
/// of the usual `@context` is processed once (see [`Canonicalizer::canonical_nquads`]).
#[derive(Clone)]
pub struct Canonicalizer {
    loader: OfflineLoader,
    base: ArcIri,
    /// Processed active contexts, by the exact `@context` value they were processed from.
    contexts: Arc<Vec<(serde_json::Value, ActiveContext)>>,
    memo: Arc<Memo>,
    templates: Arc<template::Templates>,
    /// Templates that disagreed with full processing on their first document (and were not
    /// used): always 0, or something is wrong with the shortcut (it is logged as an error).
    rejected_templates: Arc<std::sync::atomic::AtomicUsize>,
}

impl Canonicalizer {
    pub fn new() -> Result<Self, BadgeError> {
        let loader = OfflineLoader::new()?;
        let base = ArcIri::new(Arc::from(DOCUMENT_BASE))
            .map_err(|_| BadgeError::JsonLd("bad document base IRI".into()))?;
        let mut canon = Self {
            loader,
            base,
            contexts: Arc::new(Vec::new()),
            memo: Arc::default(),
            templates: Arc::default(),
            rejected_templates: Arc::default(),
        };
        let contexts = cached_context_values()
            .into_iter()
            .map(|value| {
                let processed = canon.process_context(&value)?;
                Ok((value, processed))
            })
            .collect::<Result<Vec<_>, BadgeError>>()?;
        canon.contexts = Arc::new(contexts);
        Ok(canon)
    }

    /// A process-wide instance.
    pub fn shared() -> &'static Canonicalizer {
        static SHARED: OnceLock<Canonicalizer> = OnceLock::new();
        // The contexts are compiled in and covered by tests, so processing them cannot fail at
        // run time; a failure here would be a build defect, not bad input.
        SHARED.get_or_init(|| Canonicalizer::new().expect("compiled-in JSON-LD contexts process"))
    }

    /// Runs the JSON-LD context processing algorithm on `value` from the initial context, as
    /// expansion does for a top-level `@context` entry.
    fn process_context(&self, value: &serde_json::Value) -> Result<ActiveContext, BadgeError> {
        let json = to_ld_json(value, &Location::new(self.base.clone(), Span::default()))?;
        let local = ContextValue::try_from_json(json)
            .map_err(|e| BadgeError::JsonLd(format!("invalid @context: {e:?}")))?;
        let initial = ActiveContext::new(Some(self.base.clone()));
        let mut loader = self.loader.clone();
        let processed = run_ready(local.process_full(
            &mut ArcVoc {},
            &initial,
            &mut loader,
            Some(self.base.clone()),
            JsonLdProcessorOptions::<ArcIri, Loc>::default().context_processing_options(),
            (),
        ))?
        .map_err(|e| BadgeError::JsonLd(format!("context processing: {e:?}")))?;
        Ok(processed.into_processed())
    }

    /// RDFC-1.0 canonical N-Quads of `doc`.
    ///
    /// Expansion uses the strictest policy: a property that no context defines is an error, not
    /// silently dropped, so nothing in a signed badge escapes the signature (as jsonld.js "safe
    /// mode" in Digital Bazaar's verifier).
    ///
    /// Small documents (proof configurations) are memoised: see [`Memo`].
    pub fn canonical_nquads(&self, doc: &serde_json::Value) -> Result<String, BadgeError> {
        self.memoised(doc, || self.compute_nquads(doc))
    }

    /// Canonical N-Quads of a document about to be signed: the same result as
    /// [`Self::canonical_nquads`], with the RDF of credentials of a shape already seen reused
    /// (see [`template`]). Verification keeps the library's full processing, so that verifying
    /// what was signed checks this path.
    pub fn canonical_nquads_for_signing(
        &self,
        doc: &serde_json::Value,
    ) -> Result<String, BadgeError> {
        self.memoised(doc, || self.templated_nquads(doc))
    }

    /// `compute`'s result, remembered for small documents (proof configurations): see [`Memo`].
    fn memoised(
        &self,
        doc: &serde_json::Value,
        compute: impl FnOnce() -> Result<String, BadgeError>,
    ) -> Result<String, BadgeError> {
        let small = is_small(doc);
        if small && let Some(hit) = self.memo.get(doc) {
            return Ok(hit);
        }
        let nquads = compute()?;
        if small {
            self.memo.put(doc, &nquads);
        }
        Ok(nquads)
    }

    /// Canonical N-Quads through a template of the document's shape, when it can have one.
    fn templated_nquads(&self, doc: &serde_json::Value) -> Result<String, BadgeError> {
        let Some(split) = self.cached_context(doc).and_then(|_| template::split(doc)) else {
            return self.compute_nquads(doc);
        };
        let to_rdf = |skeleton: &serde_json::Value| match self.cached_context(skeleton) {
            Some((object, active)) => self.expand_to_rdf(object, active),
            None => Err(BadgeError::JsonLd("the skeleton lost its @context".into())),
        };
        // The first document of every shape also goes through `sophia_jsonld` alone, and the
        // template is kept only if both give the same canonical form, byte for byte (a
        // property test checks thousands of generated credentials the same way).
        let first_check = |dataset: &Dataset| match (
            canonicalize(dataset),
            self.canonical_nquads_uncached(doc),
        ) {
            (Ok(fast), Ok(full)) if fast == full => true,
            (fast, full) => {
                self.rejected_templates
                    .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                tracing::error!(
                    same = fast.as_ref().ok() == full.as_ref().ok(),
                    "a credential template disagrees with full JSON-LD processing: not used"
                );
                false
            }
        };
        match self.templates.dataset(&split, to_rdf, first_check) {
            Ok(Some(dataset)) => canonicalize(&dataset),
            // No template for this document, or building one failed: the library's own
            // processing decides (and reports the error, if the document has one).
            Ok(None) | Err(_) => self.compute_nquads(doc),
        }
    }

    /// The document as an object and the processed active context of its `@context`, when that
    /// is one of the cached ones.
    fn cached_context<'a>(
        &'a self,
        doc: &'a serde_json::Value,
    ) -> Option<(
        &'a serde_json::Map<String, serde_json::Value>,
        &'a ActiveContext,
    )> {
        let object = doc.as_object()?;
        let context = object.get("@context")?;
        let (_, active) = self.contexts.iter().find(|(value, _)| value == context)?;
        Some((object, active))
    }

    /// Canonical N-Quads, without the memo.
    ///
    /// When the document's `@context` is one whose processing is cached, the document is expanded
    /// without its `@context` entry from that processed active context: the JSON-LD expansion
    /// algorithm does exactly this with a top-level `@context` (processes it against the initial
    /// context, then expands the rest), so the result is the same, minus the per-document cost
    /// of processing the VC and OB contexts. Any other `@context` takes the general path.
    /// (`json-ld` takes the active context by value, hence one clone per document: far cheaper
    /// than processing it.)
    fn compute_nquads(&self, doc: &serde_json::Value) -> Result<String, BadgeError> {
        canonicalize(&self.dataset(doc)?)
    }

    /// The dataset of a document from anyone, refused before canonicalisation when it is
    /// larger than [`UNTRUSTED_LIMITS`] allow: RDFC-1.0's cost grows steeply with blank nodes
    /// that look alike (a ring of 400 took 7 s of CPU), a credential needs a few dozen.
    pub fn dataset_untrusted(&self, doc: &serde_json::Value) -> Result<Dataset, BadgeError> {
        check_json_size(doc)?;
        let dataset = self.dataset(doc)?;
        UNTRUSTED_LIMITS.check(&dataset)?;
        Ok(dataset)
    }

    /// The RDF dataset of `doc`, as [`Self::canonical_nquads`] canonicalises it: what a
    /// signature over `doc` covers, for a verifier to read the signed facts from.
    pub fn dataset(&self, doc: &serde_json::Value) -> Result<Dataset, BadgeError> {
        match self.cached_context(doc) {
            Some((object, active)) => self.expand_to_rdf(object, active),
            None => self.dataset_uncached(doc),
        }
    }

    /// How many templates were refused on their first document (see `templated_nquads`).
    pub fn rejected_templates(&self) -> usize {
        self.rejected_templates
            .load(std::sync::atomic::Ordering::Relaxed)
    }

    /// RDF of a document (its `@context` already processed into `active`).
    fn expand_to_rdf(
        &self,
        object: &serde_json::Map<String, serde_json::Value>,
        active: &ActiveContext,
    ) -> Result<HashSet<Spog<SimpleTerm<'static>>>, BadgeError> {
        let loc = Location::new(self.base.clone(), Span::default());
        let mut body = ObjectSyntax::new();
        for (key, value) in object.iter().filter(|(key, _)| *key != "@context") {
            body.push(
                Meta(key.as_str().into(), loc.clone()),
                to_ld_json(value, &loc)?,
            );
        }
        let json = Meta(LdValue::Object(body), loc);
        let mut loader = self.loader.clone();
        let options = JsonLdProcessorOptions::<ArcIri, Loc> {
            expansion_policy: Policy::Strictest,
            ..Default::default()
        };
        let expanded = run_ready(json.expand_full(
            &mut ArcVoc {},
            active.clone(),
            Some(&self.base),
            &mut loader,
            options.expansion_options(),
            (),
        ))?
        .map_err(|e| BadgeError::JsonLd(format!("expansion: {e:?}")))?;
        Ok(expanded_to_rdf(expanded))
    }

    /// Same as [`Self::canonical_nquads`] without the cached contexts: the document is handed
    /// whole to `sophia_jsonld`. Kept as the reference the cached path is tested against.
    pub fn canonical_nquads_uncached(&self, doc: &serde_json::Value) -> Result<String, BadgeError> {
        canonicalize(&self.dataset_uncached(doc)?)
    }

    /// The dataset of `doc` through `sophia_jsonld` alone.
    fn dataset_uncached(&self, doc: &serde_json::Value) -> Result<Dataset, BadgeError> {
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
        Ok(dataset)
    }
}

/// An RDF dataset as JSON-LD processing produces it.
pub type Dataset = HashSet<Spog<SimpleTerm<'static>>>;

/// How large a dataset from an untrusted document may be before it is canonicalised.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    pub max_quads: usize,
    pub max_blank_nodes: usize,
}

/// Generous for any Open Badges credential (Atelier's have ~60 quads and ~10 blank nodes; one
/// with endorsements and evidence a few dozen blank nodes), and small enough that the worst
/// shape of blank nodes canonicalises in milliseconds (BENCHMARKS.md).
pub const UNTRUSTED_LIMITS: Limits = Limits {
    max_quads: 2_000,
    max_blank_nodes: 64,
};

/// JSON values (objects, arrays, strings, numbers…) a document from anyone may hold before it
/// is expanded: an Open Badges credential has ~150 (an embedded image is one string), one with
/// endorsements a few hundred. Expansion costs CPU in proportion to the document: a 2 MiB ring
/// of 30,000 blank nodes took 1.5 s before the dataset limits above could refuse it.
pub const UNTRUSTED_JSON_VALUES: usize = 4_000;

/// Refuses a document from anyone with more than [`UNTRUSTED_JSON_VALUES`] values, counted
/// without recursion and stopping at the limit (for documents parsed before; files to verify
/// are parsed by [`parse_untrusted`], which stops at the limit itself).
pub fn check_json_size(doc: &serde_json::Value) -> Result<(), BadgeError> {
    let mut stack = vec![doc];
    let mut count = 0usize;
    while let Some(value) = stack.pop() {
        count += 1;
        if count > UNTRUSTED_JSON_VALUES {
            return Err(BadgeError::InvalidInput(format!(
                "the document holds more than {UNTRUSTED_JSON_VALUES} JSON values"
            )));
        }
        match value {
            serde_json::Value::Array(items) => stack.extend(items),
            serde_json::Value::Object(members) => stack.extend(members.values()),
            _ => {}
        }
    }
    Ok(())
}

/// Parses JSON from anyone, stopping as soon as it holds more than
/// [`UNTRUSTED_JSON_VALUES`] values: parsing costs ~55 ms of CPU per MiB of small objects,
/// so a 4 MiB document would cost 200 ms before [`check_json_size`] could refuse it.
pub fn parse_untrusted(text: &str) -> Result<serde_json::Value, String> {
    use serde::de::DeserializeSeed;
    let budget = std::cell::Cell::new(UNTRUSTED_JSON_VALUES);
    let mut parser = serde_json::Deserializer::from_str(text);
    let value = Bounded { budget: &budget }
        .deserialize(&mut parser)
        .map_err(|e| e.to_string())?;
    parser.end().map_err(|e| e.to_string())?;
    Ok(value)
}

/// A `serde_json::Value` built by serde's visitor, one value at a time from a shared budget.
struct Bounded<'b> {
    budget: &'b std::cell::Cell<usize>,
}

impl Bounded<'_> {
    fn take<E: serde::de::Error>(&self) -> Result<(), E> {
        match self.budget.get() {
            0 => Err(E::custom(format!(
                "the document holds more than {UNTRUSTED_JSON_VALUES} JSON values"
            ))),
            left => {
                self.budget.set(left - 1);
                Ok(())
            }
        }
    }
}

impl<'de> serde::de::DeserializeSeed<'de> for Bounded<'_> {
    type Value = serde_json::Value;
    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> serde::de::Visitor<'de> for Bounded<'_> {
    type Value = serde_json::Value;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_bool<E: serde::de::Error>(self, v: bool) -> Result<Self::Value, E> {
        self.take()?;
        Ok(v.into())
    }
    fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<Self::Value, E> {
        self.take()?;
        Ok(v.into())
    }
    fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<Self::Value, E> {
        self.take()?;
        Ok(v.into())
    }
    fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<Self::Value, E> {
        self.take()?;
        Ok(serde_json::Number::from_f64(v).map_or(serde_json::Value::Null, Into::into))
    }
    fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Self::Value, E> {
        self.take()?;
        Ok(v.into())
    }
    fn visit_string<E: serde::de::Error>(self, v: String) -> Result<Self::Value, E> {
        self.take()?;
        Ok(v.into())
    }
    fn visit_unit<E: serde::de::Error>(self) -> Result<Self::Value, E> {
        self.take()?;
        Ok(serde_json::Value::Null)
    }
    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        self.take()?;
        let mut items = Vec::new();
        while let Some(item) = seq.next_element_seed(Bounded {
            budget: self.budget,
        })? {
            items.push(item);
        }
        Ok(serde_json::Value::Array(items))
    }
    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        self.take()?;
        let mut members = serde_json::Map::new();
        while let Some(key) = map.next_key::<String>()? {
            let value = map.next_value_seed(Bounded {
                budget: self.budget,
            })?;
            members.insert(key, value);
        }
        Ok(serde_json::Value::Object(members))
    }
}

impl Limits {
    pub fn check(&self, dataset: &Dataset) -> Result<(), BadgeError> {
        if dataset.len() > self.max_quads {
            return Err(BadgeError::InvalidInput(format!(
                "the credential holds {} RDF statements, more than the {} accepted",
                dataset.len(),
                self.max_quads
            )));
        }
        let mut blank: HashSet<&SimpleTerm<'static>> = HashSet::new();
        for ([s, _, o], g) in dataset {
            for term in [Some(s), Some(o), g.as_ref()].into_iter().flatten() {
                if term.is_blank_node() {
                    blank.insert(term);
                }
            }
        }
        if blank.len() > self.max_blank_nodes {
            return Err(BadgeError::InvalidInput(format!(
                "the credential holds {} blank nodes, more than the {} accepted",
                blank.len(),
                self.max_blank_nodes
            )));
        }
        Ok(())
    }
}

/// RDFC-1.0 canonical N-Quads of a dataset.
pub fn canonical_form(dataset: &Dataset) -> Result<String, BadgeError> {
    canonicalize(dataset)
}

/// JSON-LD to RDF of an expanded document, as `sophia_jsonld`'s parser does it (same blank node
/// generator, relabelling and term conversion).
fn expanded_to_rdf(
    mut expanded: Meta<ExpandedDocument<ArcIri, ArcBnode, Loc>, Loc>,
) -> HashSet<Spog<SimpleTerm<'static>>> {
    let gen_loc = Location::new(
        ArcIri::new_unchecked(Arc::from("x-bnode-gen://")),
        Span::default(),
    );
    let mut generator = rdf_types::generator::Blank::new().with_metadata(gen_loc);
    let mut vocabulary = ArcVoc {};
    expanded.relabel_and_canonicalize_with(&mut vocabulary, &mut generator);
    let term = |t: RdfTerm| t.into_term::<SimpleTerm<'static>>();
    expanded
        .rdf_quads_full(&mut vocabulary, &mut generator, None, false)
        .cloned()
        .map(|rdf_types::Quad(s, p, o, g)| {
            (
                [
                    term(RdfTerm::from(s)),
                    term(RdfTerm::from(p)),
                    term(RdfTerm::from(o)),
                ],
                g.map(|g| term(RdfTerm::from(g))),
            )
        })
        .collect()
}

/// The JSON syntax tree that `json-ld` works on, built straight from a `serde_json` value (what
/// parsing its serialisation would give, without printing and re-reading the whole credential).
/// Numbers go through their decimal text, exactly as the parser would read them.
fn to_ld_json(value: &serde_json::Value, loc: &Loc) -> Result<Meta<Json, Loc>, BadgeError> {
    use serde_json::Value as V;
    let v = match value {
        V::Null => LdValue::Null,
        V::Bool(b) => LdValue::Boolean(*b),
        V::Number(n) => LdValue::Number(
            n.to_string()
                .parse()
                .map_err(|_| BadgeError::JsonLd(format!("unsupported JSON number {n}")))?,
        ),
        V::String(s) => LdValue::String(s.as_str().into()),
        V::Array(items) => LdValue::Array(
            items
                .iter()
                .map(|item| to_ld_json(item, loc))
                .collect::<Result<_, _>>()?,
        ),
        V::Object(map) => {
            let mut object = ObjectSyntax::new();
            for (key, item) in map {
                object.push(
                    Meta(key.as_str().into(), loc.clone()),
                    to_ld_json(item, loc)?,
                );
            }
            LdValue::Object(object)
        }
    };
    Ok(Meta(v, loc.clone()))
}

/// Whether `doc` is small enough to memoise (a proof configuration, not a credential): at most
/// [`MEMO_MAX_BYTES`] of strings and keys, counted with an early exit.
fn is_small(doc: &serde_json::Value) -> bool {
    fn size(v: &serde_json::Value, budget: &mut usize) -> bool {
        let cost = match v {
            serde_json::Value::String(s) => s.len(),
            serde_json::Value::Array(items) => {
                return items.iter().all(|item| size(item, budget));
            }
            serde_json::Value::Object(map) => {
                return map.iter().all(|(k, item)| {
                    *budget = budget.saturating_sub(k.len());
                    *budget > 0 && size(item, budget)
                });
            }
            _ => 8,
        };
        *budget = budget.saturating_sub(cost);
        *budget > 0
    }
    let mut budget = MEMO_MAX_BYTES;
    size(doc, &mut budget)
}

/// Largest document (in string bytes) whose canonical form is memoised.
const MEMO_MAX_BYTES: usize = 1024;
/// How many small documents are remembered: one proof configuration per signing key and second
/// is the usual pattern; a few more cover key rotation and concurrent issuers.
const MEMO_ENTRIES: usize = 8;

/// Canonical N-Quads of recently seen small documents. Canonicalisation is a pure function of
/// the JSON value, so a hit returns exactly what recomputing would. It pays off for proof
/// configurations: every badge signed in the same second with the same key has the same one.
#[derive(Default)]
struct Memo(Mutex<VecDeque<(serde_json::Value, String)>>);

impl Memo {
    /// Looks `doc` up and marks it as recently used, so that a proof configuration that every
    /// badge hits outlives one-off documents.
    fn get(&self, doc: &serde_json::Value) -> Option<String> {
        let mut entries = self.0.lock().unwrap_or_else(|e| e.into_inner());
        let at = entries.iter().position(|(key, _)| key == doc)?;
        let entry = entries.remove(at)?;
        let nquads = entry.1.clone();
        entries.push_back(entry);
        Some(nquads)
    }

    fn put(&self, doc: &serde_json::Value, nquads: &str) {
        let mut entries = self.0.lock().unwrap_or_else(|e| e.into_inner());
        if entries.len() >= MEMO_ENTRIES {
            entries.pop_front();
        }
        entries.push_back((doc.clone(), nquads.to_owned()));
    }
}

fn canonicalize(dataset: &HashSet<Spog<SimpleTerm<'static>>>) -> Result<String, BadgeError> {
    let mut out = Vec::new();
    sophia_c14n::rdfc10::normalize(dataset, &mut out)
        .map_err(|e| BadgeError::Canonicalization(e.to_string()))?;
    String::from_utf8(out).map_err(|e| BadgeError::Canonicalization(e.to_string()))
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
mod proptests;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::badge::credential::{
        AchievementSpec, Competence, ImageSource, IssueOptions, IssuerProfile, Recipient,
        StatusRef, build_credential,
    };
    use serde_json::json;
    use time::macros::datetime;

    #[test]
    fn untrusted_json_parses_like_serde_json_and_stops_at_its_budget() {
        let text = r#"{"a": [1, -2, 3.5, true, null, "x", {"b": {}}], "a": "last wins", "é": []}"#;
        let expected: serde_json::Value = serde_json::from_str(text).unwrap();
        assert_eq!(parse_untrusted(text).unwrap(), expected);
        let ring: Vec<String> = (0..5_000)
            .map(|i| format!(r#"{{"@id": "_:b{i}"}}"#))
            .collect();
        let big = format!("[{}]", ring.join(","));
        let refused = parse_untrusted(&big).unwrap_err();
        assert!(refused.contains("JSON values"), "{refused}");
        assert!(check_json_size(&serde_json::from_str(&big).unwrap()).is_err());
        assert!(parse_untrusted("{} trailing").is_err());
    }

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

    const DID: &str = "did:key:z6MkjZRZv3aez3r18pB1RBFJR1kwUVJ5jHt92JmQwXbd5hwi";

    /// Credentials covering what varies between badges: awkward text, optional parts.
    fn varied_credentials() -> Vec<serde_json::Value> {
        let names = [
            "Ada Lovelace",
            "Zoë \"Zozo\" Ñúñez-O'Brien",
            "Line one\nline two\ttab \\ backslash",
            "🚲 <b>&amp;</b> עברית e\u{301}",
            "  padded  ",
        ];
        let mut out = Vec::new();
        for (i, name) in names.iter().enumerate() {
            let issuer = IssuerProfile {
                name: format!("Atelier {name}"),
                url: (i % 2 == 0).then(|| "https://velo.example.org".into()),
                email: (i % 3 == 0).then(|| "contact@velo.example.org".into()),
                description: (i % 2 == 1).then(|| format!("Description \"{name}\"\n")),
                image: (i == 1)
                    .then(|| ImageSource::Url("https://velo.example.org/logo.png".into())),
            };
            let achievement = AchievementSpec {
                id: format!("urn:uuid:5b0b2f4e-3a43-4cf5-9a53-0d5d3c1e2f1{i}"),
                name: format!("Badge {name}"),
                description: "Sait réparer « une » crevaison.".into(),
                criteria_narrative: format!("Criteria for {name}"),
                image: (i % 2 == 0)
                    .then(|| ImageSource::png(vec![0x89, b'P', b'N', b'G', i as u8])),
                competence: (i != 2).then(|| Competence {
                    name: format!("Compétence {name}"),
                    description: (i % 2 == 0).then(|| "desc".into()),
                    framework: Some("Référentiel".into()),
                    code: Some(format!("C-{i}")),
                    url: (i % 2 == 1).then(|| "https://velo.example.org/c/1".into()),
                }),
            };
            for with_email in [false, true] {
                let recipient = Recipient {
                    name: name.to_string(),
                    email: with_email.then(|| format!("Ada.{i}@Example.org")),
                };
                let mut options = IssueOptions::new(datetime!(2026-05-30 16:30:00 UTC));
                if with_email {
                    options.status = Some(StatusRef {
                        status_list_credential: "https://badges.example.org/status/1".into(),
                        index: 40 + i as u64,
                    });
                    options.valid_until = Some(datetime!(2030-01-01 00:00:00 UTC));
                }
                out.push(
                    build_credential(DID, &issuer, &achievement, &recipient, &options).unwrap(),
                );
            }
        }
        out
    }

    fn proof_config(context: &serde_json::Value, created: &str, method: &str) -> serde_json::Value {
        json!({"@context": context, "type": "DataIntegrityProof", "cryptosuite": "eddsa-rdfc-2022",
            "created": created, "verificationMethod": method, "proofPurpose": "assertionMethod"})
    }

    #[test]
    fn cached_contexts_give_the_same_nquads_as_full_processing() {
        let c = Canonicalizer::shared();
        for vc in varied_credentials() {
            assert!(c.contexts.iter().any(|(value, _)| *value == vc["@context"]));
            let fast = c.compute_nquads(&vc).unwrap();
            assert_eq!(fast, c.canonical_nquads_uncached(&vc).unwrap(), "{vc}");
            assert!(
                fast.contains("_:c14n0"),
                "blank nodes are canonically labelled"
            );
            for (created, method) in [
                ("2026-05-30T16:30:00Z", format!("{DID}#{}", &DID[8..])),
                (
                    "2027-01-02T03:04:05Z",
                    "did:web:badges.example.org#key-1".into(),
                ),
            ] {
                let config = proof_config(&vc["@context"], created, &method);
                assert_eq!(
                    c.compute_nquads(&config).unwrap(),
                    c.canonical_nquads_uncached(&config).unwrap()
                );
            }
        }
    }

    #[test]
    fn signing_path_gives_the_same_nquads_as_full_processing() {
        let c = Canonicalizer::new().unwrap();
        let credentials = varied_credentials();
        // The first round builds the templates, the second uses them.
        for round in 0..2 {
            for vc in &credentials {
                assert_eq!(
                    c.canonical_nquads_for_signing(vc).unwrap(),
                    c.canonical_nquads_uncached(vc).unwrap(),
                    "round {round}: {vc}"
                );
            }
        }
        let shapes = c.templates.len();
        // Another recipient of a known shape: the template is reused, not rebuilt.
        let mut other = credentials[3].clone();
        other["id"] = json!("urn:uuid:00000000-0000-4000-8000-000000000001");
        other["validFrom"] = json!("2031-02-03T04:05:06Z");
        other["credentialSubject"]["identifier"][1]["identityHash"] = json!("Grace Hopper");
        assert_ne!(other, credentials[3]);
        assert_eq!(
            c.canonical_nquads_for_signing(&other).unwrap(),
            c.canonical_nquads_uncached(&other).unwrap()
        );
        assert_eq!(
            c.templates.len(),
            shapes,
            "credentials of one shape share a template"
        );
        // Proof configurations: one shape, every `created` and key different.
        for i in 0..MEMO_ENTRIES * 2 {
            let config = proof_config(
                &credentials[0]["@context"],
                &format!("2026-01-01T00:{:02}:{:02}Z", i / 60, i % 60),
                &format!("{DID}#key-{i}"),
            );
            assert_eq!(
                c.canonical_nquads_for_signing(&config).unwrap(),
                c.canonical_nquads_uncached(&config).unwrap()
            );
        }
        assert_eq!(c.templates.len(), shapes + 1);

        // Values a template must not copy blindly: either the template handles them or the
        // document is processed whole; the result is the library's either way.
        let base = credentials[3].clone();
        let awkward = [
            ("/id", "urn:uuid:a/../b"),
            ("/id", "https://x.example/a/./b/../c?q#f"),
            ("/id", "not an iri"),
            ("/id", "relative/path"),
            ("/id", ""),
            ("/id", "_:b0"),
            ("/id", "urn:x-atelier-slot-1-"),
            ("/credentialStatus/id", "https://x.example/status/1#7"),
            ("/credentialSubject/identifier/0/identityHash", ""),
            ("/credentialSubject/identifier/0/identityType", "name"),
            (
                "/credentialSubject/identifier/1/identityType",
                "https://example.org/kind",
            ),
            ("/name", "x-atelier-slot-0-"),
            ("/name", "https:x-atelier-slot-0-"),
            ("/validFrom", "not a date"),
            ("/issuer/id", "did:key:other"),
            (
                "/credentialSubject/achievement/alignment/0/targetUrl",
                "http://[::1]/a b",
            ),
            (
                "/credentialSubject/achievement/alignment/0/targetType",
                "ceterms:Credential",
            ),
        ];
        for (pointer, value) in awkward {
            let mut doc = base.clone();
            *doc.pointer_mut(pointer)
                .unwrap_or_else(|| panic!("{pointer} in {base}")) = json!(value);
            let fast = c
                .canonical_nquads_for_signing(&doc)
                .map_err(|e| e.to_string());
            let full = c.canonical_nquads_uncached(&doc).map_err(|e| e.to_string());
            assert_eq!(
                fast.is_ok(),
                full.is_ok(),
                "{pointer} = {value:?}: {fast:?} vs {full:?}"
            );
            if let (Ok(fast), Ok(full)) = (fast, full) {
                assert_eq!(fast, full, "{pointer} = {value:?}");
            }
        }
    }

    #[test]
    fn cached_path_is_as_strict_as_full_processing() {
        let c = Canonicalizer::shared();
        let base = varied_credentials().remove(1);
        let mut undefined_property = base.clone();
        undefined_property["credentialSubject"]["notInAnyContext"] = json!("x");
        let mut undefined_type = base.clone();
        undefined_type["type"] = json!(["VerifiableCredential", "NotAType"]);
        let mut relative_id = base.clone();
        relative_id["id"] = json!("relative/id");
        let mut nested_context = base.clone();
        nested_context["credentialSubject"]["@context"] =
            json!({"extra": "https://example.org/extra"});
        nested_context["credentialSubject"]["extra"] = json!("y");
        for doc in [
            undefined_property,
            undefined_type,
            relative_id,
            nested_context,
        ] {
            let fast = c.compute_nquads(&doc).map_err(|e| e.to_string());
            let full = c.canonical_nquads_uncached(&doc).map_err(|e| e.to_string());
            assert_eq!(fast.is_ok(), full.is_ok(), "{doc}: {fast:?} vs {full:?}");
            if let (Ok(fast), Ok(full)) = (fast, full) {
                assert_eq!(fast, full);
            }
        }
        let mut undefined_property = base;
        undefined_property["notInAnyContext"] = json!("x");
        assert!(c.canonical_nquads(&undefined_property).is_err());
    }

    #[test]
    fn other_contexts_take_the_general_path() {
        let c = Canonicalizer::shared();
        let mut vc = varied_credentials().remove(0);
        vc["@context"] = json!([
            VC_V2_CONTEXT,
            "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.2.json"
        ]);
        assert_eq!(
            c.canonical_nquads(&vc).unwrap(),
            c.canonical_nquads_uncached(&vc).unwrap()
        );
    }

    #[test]
    fn memoised_small_documents_are_recomputed_identically() {
        let c = Canonicalizer::new().unwrap();
        let context = json!([VC_V2_CONTEXT, OB_V3_CONTEXT]);
        let configs: Vec<_> = (0..MEMO_ENTRIES + 3)
            .map(|i| {
                proof_config(
                    &context,
                    &format!("2026-01-01T00:00:{i:02}Z"),
                    "did:example:1#k",
                )
            })
            .collect();
        for config in configs.iter().chain(&configs).chain(configs.iter().rev()) {
            assert!(is_small(config));
            assert_eq!(
                c.canonical_nquads(config).unwrap(),
                c.canonical_nquads_uncached(config).unwrap()
            );
        }
        let mut large = configs[0].clone();
        large["verificationMethod"] = json!("x".repeat(MEMO_MAX_BYTES));
        assert!(!is_small(&large));
        // A proof configuration used by every badge stays memoised among one-off documents.
        c.canonical_nquads(&configs[0]).unwrap();
        for config in &configs[1..] {
            c.canonical_nquads(config).unwrap();
            assert!(c.memo.get(&configs[0]).is_some());
        }
    }
}
