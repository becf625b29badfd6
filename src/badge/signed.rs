//! What a signed credential says, read from the RDF that its signature covers.
//!
//! A signature covers the credential's RDF, not its JSON text: `"@id"` for `"id"`, or a
//! property written as its full IRI, give the same RDF and the same valid signature. A verifier
//! that reads the credential's id, issuer, dates or status from the JSON's surface can be led
//! to skip a check (a revoked badge whose `credentialStatus` key was renamed looked valid). The
//! verifier therefore takes them from here.

use sophia_api::term::{SimpleTerm, Term};

use crate::badge::jsonld::Dataset;

const RDF_TYPE: &str = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type";
const CRED: &str = "https://www.w3.org/2018/credentials#";
const STATUS: &str = "https://www.w3.org/ns/credentials/status#";

/// A `credentialStatus` entry as signed.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SignedStatus {
    pub types: Vec<String>,
    pub purpose: Option<String>,
    pub index: Option<String>,
    pub list: Option<String>,
}

/// The facts a verifier acts on, as signed.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SignedFacts {
    /// The credential's IRI (`id`), if it has one.
    pub id: Option<String>,
    pub issuer: Option<String>,
    pub valid_from: Option<String>,
    pub valid_until: Option<String>,
    pub statuses: Vec<SignedStatus>,
}

fn iri(term: &SimpleTerm<'static>) -> Option<String> {
    term.iri().map(|i| i.as_str().to_string())
}

fn is_iri(term: &SimpleTerm<'static>, expected: &str) -> bool {
    term.iri().is_some_and(|i| i.as_str() == expected)
}

/// Why the signed data does not read as one credential.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SignedError {
    NoCredential,
    SeveralCredentials,
    /// A property that may have one value has `count`.
    SeveralValues {
        property: String,
        count: usize,
    },
}

impl std::fmt::Display for SignedError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SignedError::NoCredential => {
                f.write_str("the signed data holds no verifiable credential")
            }
            SignedError::SeveralCredentials => {
                f.write_str("the signed data holds more than one credential")
            }
            SignedError::SeveralValues { property, count } => {
                write!(f, "the signed data has {count} values of {property}")
            }
        }
    }
}

/// The facts of the one verifiable credential in `dataset` (its default graph).
pub fn facts(dataset: &Dataset) -> Result<SignedFacts, SignedError> {
    let default_graph = || dataset.iter().filter(|(_, graph)| graph.is_none());
    let credential_type = format!("{CRED}VerifiableCredential");
    // The credential itself is the one no other node points to: credentials nested in it
    // (endorsements of the badge, its achievement or its issuer) are objects of a property.
    let mut credentials = default_graph()
        .filter(|([_, p, o], _)| is_iri(p, RDF_TYPE) && is_iri(o, &credential_type))
        .map(|([s, _, _], _)| s.clone())
        .filter(|candidate| !default_graph().any(|([_, _, o], _)| o == candidate));
    let subject = credentials.next().ok_or(SignedError::NoCredential)?;
    if credentials.next().is_some() {
        return Err(SignedError::SeveralCredentials);
    }
    let values = |node: &SimpleTerm<'static>, property: &str| -> Vec<SimpleTerm<'static>> {
        default_graph()
            .filter(|([s, p, _], _)| s == node && is_iri(p, property))
            .map(|([_, _, o], _)| o.clone())
            .collect()
    };
    let one = |node: &SimpleTerm<'static>,
               property: &str|
     -> Result<Option<SimpleTerm<'static>>, SignedError> {
        let mut found = values(node, property);
        if found.len() > 1 {
            return Err(SignedError::SeveralValues {
                property: property.to_owned(),
                count: found.len(),
            });
        }
        Ok(found.pop())
    };
    let literal = |term: Option<SimpleTerm<'static>>| {
        term.and_then(|t| t.lexical_form().map(|l| l.to_string()))
    };
    let mut statuses = Vec::new();
    for entry in values(&subject, &format!("{CRED}credentialStatus")) {
        statuses.push(SignedStatus {
            types: values(&entry, RDF_TYPE).iter().filter_map(iri).collect(),
            purpose: literal(one(&entry, &format!("{STATUS}statusPurpose"))?),
            index: literal(one(&entry, &format!("{STATUS}statusListIndex"))?),
            list: one(&entry, &format!("{STATUS}statusListCredential"))?
                .as_ref()
                .and_then(iri),
        });
    }
    Ok(SignedFacts {
        id: iri(&subject),
        issuer: one(&subject, &format!("{CRED}issuer"))?
            .as_ref()
            .and_then(iri),
        valid_from: literal(one(&subject, &format!("{CRED}validFrom"))?),
        valid_until: literal(one(&subject, &format!("{CRED}validUntil"))?),
        statuses,
    })
}
