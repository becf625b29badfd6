//! Memoised JSON-LD → RDF for documents that differ only in their string values.
//!
//! An issuer signs many credentials of one shape: same keys, types, issuer and achievement;
//! different ids, dates, names, salts and hashes. `json-ld` spends most of a badge's time on
//! expansion (each typed node re-processes its type-scoped context), work that depends on the
//! shape and not on strings the library copies into the output verbatim. So a *skeleton* of the
//! document (every string value replaced by a unique placeholder) is turned into RDF once, by
//! the library; a document of the same shape then gets its dataset by putting its own strings
//! where the placeholders are, and RDFC-1.0 canonicalises that dataset as usual.
//!
//! That is only sound where the library copies a string into exactly one whole RDF term, which
//! is checked on the library's own output rather than assumed: a placeholder found anywhere else
//! (an IRI resolved against a base, expanded as a compact IRI or vocabulary term, a language tag,
//! part of a JSON literal, a blank node label) or nowhere at all turns its value into part of the
//! template's key instead of a slot. An IRI slot's placeholder keeps the value's scheme
//! (`urn:…`, `https:…`), so that a prefix definition for that scheme would catch it; the value
//! itself must be an absolute IRI, which JSON-LD returns as is.
//!
//! Signing uses this path; verification does not, so every test that verifies an issued badge
//! (with Atelier's verifier or a third party's) checks it against the library's full processing.

use std::collections::{HashSet, VecDeque};
use std::sync::{Arc, Mutex};

use serde_json::Value;
use sophia_api::MownStr;
use sophia_api::prelude::{Iri, IriRef};
use sophia_api::quad::Spog;
use sophia_api::term::{BaseDirection, LanguageTag, SimpleTerm};

/// Marks a placeholder. Documents holding this text anywhere are not templated.
const MARK: &str = "x-atelier-slot-";
/// Shapes remembered: one per (issuer profile, achievement, with or without e-mail, status) in
/// use at once.
const TEMPLATES: usize = 16;

pub type Dataset = HashSet<Spog<SimpleTerm<'static>>>;

/// A document split into its skeleton and its string values, in document order.
pub struct Split {
    skeleton: Value,
    values: Vec<String>,
    /// The placeholder of each value, by slot number.
    placeholders: Vec<String>,
}

/// Splits `doc`, or `None` when it cannot be templated (it holds the placeholder mark).
pub fn split(doc: &Value) -> Option<Split> {
    let mut values = Vec::new();
    let skeleton = skeletonize(doc, &mut values)?;
    let placeholders = values
        .iter()
        .enumerate()
        .map(|(n, v)| placeholder(n, v))
        .collect();
    Some(Split {
        skeleton,
        values,
        placeholders,
    })
}

fn skeletonize(value: &Value, values: &mut Vec<String>) -> Option<Value> {
    Some(match value {
        Value::String(s) => {
            if s.contains(MARK) {
                return None;
            }
            let placeholder = placeholder(values.len(), s);
            values.push(s.clone());
            Value::String(placeholder)
        }
        Value::Array(items) => Value::Array(
            items
                .iter()
                .map(|item| skeletonize(item, values))
                .collect::<Option<_>>()?,
        ),
        Value::Object(map) => {
            let mut out = serde_json::Map::new();
            for (key, item) in map {
                if key.contains(MARK) {
                    return None;
                }
                let item = if shapes_the_document(key) {
                    if item.to_string().contains(MARK) {
                        return None;
                    }
                    item.clone()
                } else {
                    skeletonize(item, values)?
                };
                out.insert(key.clone(), item);
            }
            Value::Object(out)
        }
        other => other.clone(),
    })
}

/// Whether the values under `key` are part of the shape, never slots: keywords (`@context`,
/// `@language`…) and types change what JSON-LD does with everything else.
fn shapes_the_document(key: &str) -> bool {
    key.starts_with('@') || key == "type"
}

/// `scheme:x-atelier-slot-N-` for a value with a URI scheme, `x-atelier-slot-N-` otherwise. The
/// trailing `-` keeps slot 1 from being a prefix of slot 12.
fn placeholder(n: usize, value: &str) -> String {
    match scheme(value) {
        Some(scheme) => format!("{scheme}:{MARK}{n}-"),
        None => format!("{MARK}{n}-"),
    }
}

fn scheme(value: &str) -> Option<&str> {
    let (scheme, _) = value.split_once(':')?;
    let mut chars = scheme.chars();
    let first = chars.next()?;
    (first.is_ascii_alphabetic()
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.')))
    .then_some(scheme)
}

/// The number in the first placeholder of `text`.
fn first_slot(text: &str) -> Option<usize> {
    let digits = &text[text.find(MARK)? + MARK.len()..];
    let end = digits
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(digits.len());
    digits[..end].parse().ok()
}

/// The slot `text` is the placeholder of, if it is exactly one.
fn whole_slot(text: &str, placeholders: &[String]) -> Option<usize> {
    let n = first_slot(text)?;
    (placeholders.get(n)? == text).then_some(n)
}

/// Every slot whose placeholder occurs in `text`, whole or not.
fn slots_in(text: &str, out: &mut HashSet<usize>) {
    for (at, _) in text.match_indices(MARK) {
        if let Some(n) = first_slot(&text[at..]) {
            out.insert(n);
        }
    }
}

#[derive(Clone)]
enum Part {
    Fixed(SimpleTerm<'static>),
    Iri(usize),
    Typed(usize, IriRef<MownStr<'static>>),
    Tagged(usize, LanguageTag<MownStr<'static>>, Option<BaseDirection>),
}

/// The RDF of one shape, with slots where the documents' own strings go.
struct Template {
    skeleton: Value,
    /// Slots the library does not copy verbatim: their values are part of the key.
    fixed: Vec<(usize, String)>,
    /// IRI slots with the value they were checked with (the common case: the same artwork or
    /// issuer URL in every badge is not validated again).
    iri_checked: Vec<(usize, String)>,
    quads: Vec<([Part; 3], Option<Part>)>,
}

impl Template {
    fn matches(&self, split: &Split) -> bool {
        self.skeleton == split.skeleton
            && self
                .fixed
                .iter()
                .all(|(n, v)| split.values.get(*n) == Some(v))
    }

    /// The dataset of `split`'s document, or `None` if one of its IRI slots holds something
    /// that is not an absolute IRI (the library might resolve or expand it).
    fn instantiate(&self, split: &Split) -> Option<Dataset> {
        for (n, checked) in &self.iri_checked {
            let value = split.values.get(*n)?;
            if value != checked && Iri::new(value.as_str()).is_err() {
                return None;
            }
        }
        let term = |part: &Part| -> Option<SimpleTerm<'static>> {
            let value = |n: &usize| split.values.get(*n).map(|v| MownStr::from(v.clone()));
            Some(match part {
                Part::Fixed(term) => term.clone(),
                Part::Iri(n) => SimpleTerm::Iri(IriRef::new_unchecked(value(n)?)),
                Part::Typed(n, datatype) => {
                    SimpleTerm::LiteralDatatype(value(n)?, datatype.clone())
                }
                Part::Tagged(n, tag, direction) => {
                    SimpleTerm::LiteralLanguage(value(n)?, tag.clone(), *direction)
                }
            })
        };
        let mut dataset = Dataset::with_capacity(self.quads.len());
        for ([s, p, o], g) in &self.quads {
            let graph = match g {
                Some(g) => Some(term(g)?),
                None => None,
            };
            dataset.insert(([term(s)?, term(p)?, term(o)?], graph));
        }
        Some(dataset)
    }
}

/// How a skeleton's RDF uses its placeholders.
struct Classified {
    quads: Vec<([Part; 3], Option<Part>)>,
    /// Slots seen as a whole IRI or a whole lexical form.
    clean: HashSet<usize>,
    /// Slots seen anywhere else.
    dirty: HashSet<usize>,
}

fn classify(dataset: &Dataset, placeholders: &[String]) -> Classified {
    let mut clean = HashSet::new();
    let mut dirty = HashSet::new();
    let mut part = |term: &SimpleTerm<'static>| -> Part {
        let whole = match term {
            SimpleTerm::Iri(iri) => {
                whole_slot(iri.as_str(), placeholders).map(|n| (n, Part::Iri(n)))
            }
            SimpleTerm::LiteralDatatype(lexical, datatype) => {
                slots_in(datatype.as_str(), &mut dirty);
                whole_slot(lexical, placeholders).map(|n| (n, Part::Typed(n, datatype.clone())))
            }
            SimpleTerm::LiteralLanguage(lexical, tag, direction) => {
                slots_in(tag.as_str(), &mut dirty);
                whole_slot(lexical, placeholders)
                    .map(|n| (n, Part::Tagged(n, tag.clone(), *direction)))
            }
            _ => None,
        };
        match whole {
            Some((n, part)) => {
                clean.insert(n);
                part
            }
            None => {
                match term {
                    SimpleTerm::Iri(iri) => slots_in(iri.as_str(), &mut dirty),
                    SimpleTerm::BlankNode(id) => slots_in(id.as_str(), &mut dirty),
                    SimpleTerm::LiteralDatatype(lexical, _)
                    | SimpleTerm::LiteralLanguage(lexical, ..) => slots_in(lexical, &mut dirty),
                    SimpleTerm::Triple(_) | SimpleTerm::Variable(_) => {
                        slots_in(&format!("{term:?}"), &mut dirty)
                    }
                }
                Part::Fixed(term.clone())
            }
        }
    };
    let quads = dataset
        .iter()
        .map(|([s, p, o], g)| ([part(s), part(p), part(o)], g.as_ref().map(&mut part)))
        .collect();
    Classified {
        quads,
        clean,
        dirty,
    }
}

/// The templates in use, most recently used last.
#[derive(Default)]
pub struct Templates(Mutex<VecDeque<Arc<Template>>>);

impl Templates {
    /// The dataset of the document `split` was made from: from a template of its shape, built
    /// with `to_rdf` (the library's processing) if there is none yet. `None` when this document
    /// cannot use a template; the caller then processes it whole.
    ///
    /// A template just built is kept only if `first_check` accepts its first dataset (the
    /// caller compares it with the library's full processing of the same document).
    pub fn dataset<E>(
        &self,
        split: &Split,
        to_rdf: impl Fn(&Value) -> Result<Dataset, E>,
        first_check: impl FnOnce(&Dataset) -> bool,
    ) -> Result<Option<Dataset>, E> {
        if let Some(template) = self.find(split) {
            return Ok(template.instantiate(split));
        }
        let Some(template) = build(split, to_rdf)? else {
            return Ok(None);
        };
        let dataset = template.instantiate(split);
        if !dataset.as_ref().is_some_and(first_check) {
            return Ok(None);
        }
        let mut templates = self.0.lock().unwrap_or_else(|e| e.into_inner());
        if templates.len() >= TEMPLATES {
            templates.pop_front();
        }
        templates.push_back(Arc::new(template));
        Ok(dataset)
    }

    fn find(&self, split: &Split) -> Option<Arc<Template>> {
        let mut templates = self.0.lock().unwrap_or_else(|e| e.into_inner());
        let at = templates.iter().position(|t| t.matches(split))?;
        let template = templates.remove(at)?;
        templates.push_back(Arc::clone(&template));
        Some(template)
    }

    #[cfg(test)]
    pub fn len(&self) -> usize {
        self.0.lock().map(|t| t.len()).unwrap_or(0)
    }
}

/// Builds the template of `split`'s shape: the skeleton's RDF, then again with the values of
/// the slots that were not copied verbatim put back. `None` if that still leaves a placeholder
/// used otherwise than whole.
fn build<E>(
    split: &Split,
    to_rdf: impl Fn(&Value) -> Result<Dataset, E>,
) -> Result<Option<Template>, E> {
    let mut classified = classify(&to_rdf(&split.skeleton)?, &split.placeholders);
    let mut fixed: Vec<(usize, String)> = Vec::new();
    let unused = (0..split.values.len()).filter(|n| !classified.clean.contains(n));
    let put_back: HashSet<usize> = classified.dirty.iter().copied().chain(unused).collect();
    if !put_back.is_empty() {
        let skeleton = fill(&split.skeleton, &split.values, &put_back);
        classified = classify(&to_rdf(&skeleton)?, &split.placeholders);
        if !classified.dirty.is_empty() || classified.clean.iter().any(|n| put_back.contains(n)) {
            return Ok(None);
        }
        fixed = put_back
            .into_iter()
            .map(|n| (n, split.values[n].clone()))
            .collect();
        fixed.sort();
    }
    let mut iri_checked = Vec::new();
    for ([s, p, o], g) in &classified.quads {
        for part in [s, p, o].into_iter().chain(g) {
            if let Part::Iri(n) = part
                && !iri_checked.iter().any(|(m, _)| m == n)
            {
                let value = &split.values[*n];
                if Iri::new(value.as_str()).is_err() {
                    return Ok(None);
                }
                iri_checked.push((*n, value.clone()));
            }
        }
    }
    Ok(Some(Template {
        skeleton: split.skeleton.clone(),
        fixed,
        iri_checked,
        quads: classified.quads,
    }))
}

/// The skeleton with the values of the `put_back` slots in place of their placeholders.
fn fill(skeleton: &Value, values: &[String], put_back: &HashSet<usize>) -> Value {
    match skeleton {
        Value::String(s) => match first_slot(s) {
            Some(n) if put_back.contains(&n) => Value::String(values[n].clone()),
            _ => Value::String(s.clone()),
        },
        Value::Array(items) => Value::Array(
            items
                .iter()
                .map(|item| fill(item, values, put_back))
                .collect(),
        ),
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(key, item)| {
                    let item = if shapes_the_document(key) {
                        item.clone()
                    } else {
                        fill(item, values, put_back)
                    };
                    (key.clone(), item)
                })
                .collect(),
        ),
        other => other.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_keep_the_scheme_and_name_their_slot() {
        assert_eq!(placeholder(3, "urn:uuid:1"), "urn:x-atelier-slot-3-");
        assert_eq!(placeholder(12, "Ada Lovelace"), "x-atelier-slot-12-");
        assert_eq!(placeholder(0, "1st: Ada"), "x-atelier-slot-0-");
        let placeholders: Vec<String> = (0..13)
            .map(|n| placeholder(n, if n == 12 { "https://a" } else { "b" }))
            .collect();
        assert_eq!(
            whole_slot("https:x-atelier-slot-12-", &placeholders),
            Some(12)
        );
        assert_eq!(whole_slot("x-atelier-slot-7-", &placeholders), Some(7));
        assert_eq!(
            whole_slot("x-string://x-atelier-slot-7-", &placeholders),
            None
        );
        assert_eq!(whole_slot("x-atelier-slot-12-", &placeholders), None);
        assert_eq!(whole_slot("x-atelier-slot-7-tail", &placeholders), None);
        assert_eq!(whole_slot("x-atelier-slot--", &placeholders), None);
        let mut seen = HashSet::new();
        slots_in("x-string://x-atelier-slot-7-/x-atelier-slot-12-", &mut seen);
        assert_eq!(seen, HashSet::from([7, 12]));
    }

    #[test]
    fn documents_holding_the_mark_are_not_templated() {
        assert!(split(&serde_json::json!({"name": "x-atelier-slot-1-"})).is_none());
        assert!(split(&serde_json::json!({"x-atelier-slot-1-": "a"})).is_none());
        assert!(split(&serde_json::json!({"type": ["x-atelier-slot-1-"]})).is_none());
        let ok = split(
            &serde_json::json!({"@context": ["https://a"], "type": ["T"],
            "id": "urn:uuid:1", "n": [1, "b"]}),
        )
        .unwrap();
        assert_eq!(ok.values, ["urn:uuid:1", "b"]);
        assert_eq!(
            ok.skeleton,
            serde_json::json!({"@context": ["https://a"], "type": ["T"],
                "id": "urn:x-atelier-slot-0-", "n": [1, "x-atelier-slot-1-"]})
        );
    }
}
