//! Building the Open Badges 3.0 `OpenBadgeCredential` (a W3C VC 2.0).
//!
//! The shape follows the official 1EdTech JSON schema in its strict, canonical form: `type` is an
//! array wherever the schema says so (credential, Profile, AchievementSubject, Achievement,
//! Alignment) and a plain string where the schema requires a string (`Image`, `IdentityObject`,
//! the proof and `credentialStatus`).
//!
//! The competence a badge recognises is written in two ways, both defined by the OB 3.0 context
//! and schema: always as a `tag` (searchable keyword shown by wallets and backpacks), and as an
//! `alignment` (`targetType: "ceasn:Competency"`) when a framework URL is known — the schema makes
//! `targetUrl` mandatory, and an offline badge must not carry a made-up link. `resultDescription`
//! was not used: it describes graded results, not what a badge stands for.

use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use serde_json::{Map, Value, json};
use sha2::{Digest, Sha256};
use time::OffsetDateTime;

use crate::badge::BadgeError;
use crate::badge::jsonld::{Canonicalizer, OB_V3_CONTEXT, VC_V2_CONTEXT};
use crate::badge::keys::{IssuerIdentity, IssuerKey};
use crate::badge::proof::{self, format_utc};

/// An image: a link, or bytes embedded as a `data:` URI (the default for Atelier, so that a badge
/// is self-contained and has no link that could die).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ImageSource {
    Url(String),
    Embedded { media_type: String, bytes: Vec<u8> },
}

impl ImageSource {
    pub fn png(bytes: Vec<u8>) -> Self {
        Self::Embedded {
            media_type: "image/png".into(),
            bytes,
        }
    }

    pub fn svg(bytes: Vec<u8>) -> Self {
        Self::Embedded {
            media_type: "image/svg+xml".into(),
            bytes,
        }
    }

    /// The URI to put in `Image.id`.
    pub fn uri(&self) -> String {
        match self {
            Self::Url(url) => url.clone(),
            Self::Embedded { media_type, bytes } => {
                format!("data:{media_type};base64,{}", BASE64.encode(bytes))
            }
        }
    }

    fn to_json(&self, caption: &str) -> Value {
        json!({"id": self.uri(), "type": "Image", "caption": caption})
    }
}

/// The organiser's identity as shown in the badge.
#[derive(Clone, Debug, Default)]
pub struct IssuerProfile {
    pub name: String,
    pub url: Option<String>,
    pub email: Option<String>,
    pub description: Option<String>,
    pub image: Option<ImageSource>,
}

/// The competence an achievement recognises.
#[derive(Clone, Debug, Default)]
pub struct Competence {
    pub name: String,
    pub description: Option<String>,
    /// Name of the competence framework (e.g. "DigComp 2.2").
    pub framework: Option<String>,
    /// Code of the competence within its framework (e.g. "3.4").
    pub code: Option<String>,
    /// URL of the competence's official description; without it no `alignment` is emitted.
    pub url: Option<String>,
}

/// What the badge is for.
#[derive(Clone, Debug, Default)]
pub struct AchievementSpec {
    /// Absolute URI: an https URL when hosted, otherwise a stable `urn:uuid:`.
    pub id: String,
    pub name: String,
    pub description: String,
    pub criteria_narrative: String,
    pub image: Option<ImageSource>,
    pub competence: Option<Competence>,
}

/// Who receives the badge. The name is mandatory; the e-mail is optional and only stored hashed.
#[derive(Clone, Debug, Default)]
pub struct Recipient {
    pub name: String,
    pub email: Option<String>,
}

/// Pointer to the revocation bit of a badge in a `BitstringStatusListCredential`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StatusRef {
    /// URL of the status list credential (must be reachable by verifiers: hosted badges only).
    pub status_list_credential: String,
    pub index: u64,
}

/// Per-badge issuing options.
#[derive(Clone, Debug)]
pub struct IssueOptions {
    /// Credential id, a `urn:uuid:`.
    pub id: String,
    pub valid_from: OffsetDateTime,
    pub valid_until: Option<OffsetDateTime>,
    /// `None` for offline badges: a status URL that will never exist makes strict verifiers fail.
    pub status: Option<StatusRef>,
    /// Salt of the e-mail hash; random per badge so hashes cannot be correlated across badges.
    pub salt: String,
}

impl IssueOptions {
    /// Fresh id and salt, valid from `valid_from`, no expiry, no status.
    pub fn new(valid_from: OffsetDateTime) -> Self {
        let salt: [u8; 16] = rand::random();
        Self {
            id: format!("urn:uuid:{}", uuid::Uuid::new_v4()),
            valid_from,
            valid_until: None,
            status: None,
            salt: hex(&salt),
        }
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// `sha256$<hex of sha256(email + salt)>`, the OB 3.0 IdentityHash. The address is trimmed and
/// lower-cased first so that the same person matches however they typed it.
pub fn email_identity_hash(email: &str, salt: &str) -> String {
    let normalised = email.trim().to_lowercase();
    let digest = Sha256::digest(format!("{normalised}{salt}").as_bytes());
    format!("sha256${}", hex(&digest))
}

fn require_text(what: &str, value: &str) -> Result<(), BadgeError> {
    if value.trim().is_empty() {
        return Err(BadgeError::InvalidInput(format!(
            "{what} must not be empty"
        )));
    }
    Ok(())
}

fn require_uri(what: &str, value: &str) -> Result<(), BadgeError> {
    let scheme_ok = value.split_once(':').is_some_and(|(scheme, rest)| {
        !rest.is_empty()
            && scheme.starts_with(|c: char| c.is_ascii_alphabetic())
            && scheme
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
    });
    if !scheme_ok || value.contains(char::is_whitespace) {
        return Err(BadgeError::InvalidInput(format!(
            "{what} must be an absolute URI, got {value:?}"
        )));
    }
    Ok(())
}

/// Builds the unsigned credential. `issuer_id` is the issuer DID (see
/// [`crate::badge::keys::KeyStore::identity`]).
pub fn build_credential(
    issuer_id: &str,
    issuer: &IssuerProfile,
    achievement: &AchievementSpec,
    recipient: &Recipient,
    options: &IssueOptions,
) -> Result<Value, BadgeError> {
    require_uri("issuer id", issuer_id)?;
    require_uri("credential id", &options.id)?;
    require_uri("achievement id", &achievement.id)?;
    require_text("issuer name", &issuer.name)?;
    require_text("achievement name", &achievement.name)?;
    require_text("achievement description", &achievement.description)?;
    require_text("criteria", &achievement.criteria_narrative)?;
    require_text("recipient name", &recipient.name)?;

    let mut profile = Map::new();
    profile.insert("id".into(), issuer_id.into());
    profile.insert("type".into(), json!(["Profile"]));
    profile.insert("name".into(), issuer.name.trim().into());
    if let Some(url) = &issuer.url {
        require_uri("issuer url", url)?;
        profile.insert("url".into(), url.as_str().into());
    }
    if let Some(email) = &issuer.email {
        profile.insert("email".into(), email.trim().into());
    }
    if let Some(description) = &issuer.description {
        profile.insert("description".into(), description.as_str().into());
    }
    if let Some(image) = &issuer.image {
        profile.insert("image".into(), image.to_json(&issuer.name));
    }

    let mut ach = Map::new();
    ach.insert("id".into(), achievement.id.as_str().into());
    ach.insert("type".into(), json!(["Achievement"]));
    ach.insert("name".into(), achievement.name.trim().into());
    ach.insert(
        "description".into(),
        achievement.description.as_str().into(),
    );
    ach.insert(
        "criteria".into(),
        json!({"narrative": achievement.criteria_narrative}),
    );
    if let Some(image) = &achievement.image {
        ach.insert("image".into(), image.to_json(&achievement.name));
    }
    if let Some(c) = &achievement.competence {
        require_text("competence name", &c.name)?;
        ach.insert("tag".into(), json!([c.name.trim()]));
        if let Some(url) = &c.url {
            require_uri("competence url", url)?;
            let mut alignment = Map::new();
            alignment.insert("type".into(), json!(["Alignment"]));
            alignment.insert("targetName".into(), c.name.trim().into());
            alignment.insert("targetUrl".into(), url.as_str().into());
            alignment.insert("targetType".into(), "ceasn:Competency".into());
            if let Some(d) = &c.description {
                alignment.insert("targetDescription".into(), d.as_str().into());
            }
            if let Some(f) = &c.framework {
                alignment.insert("targetFramework".into(), f.as_str().into());
            }
            if let Some(code) = &c.code {
                alignment.insert("targetCode".into(), code.as_str().into());
            }
            ach.insert("alignment".into(), json!([alignment]));
        }
    }

    let mut identifiers = Vec::new();
    if let Some(email) = recipient.email.as_deref().filter(|e| !e.trim().is_empty()) {
        if !email.contains('@') {
            return Err(BadgeError::InvalidInput(format!(
                "recipient e-mail {email:?} is not an address"
            )));
        }
        require_text("salt", &options.salt)?;
        identifiers.push(json!({
            "type": "IdentityObject",
            "identityHash": email_identity_hash(email, &options.salt),
            "identityType": "emailAddress",
            "hashed": true,
            "salt": options.salt,
        }));
    }
    identifiers.push(json!({
        "type": "IdentityObject",
        "identityHash": recipient.name.trim(),
        "identityType": "name",
        "hashed": false,
    }));

    let mut vc = Map::new();
    vc.insert("@context".into(), json!([VC_V2_CONTEXT, OB_V3_CONTEXT]));
    vc.insert("id".into(), options.id.as_str().into());
    vc.insert(
        "type".into(),
        json!(["VerifiableCredential", "OpenBadgeCredential"]),
    );
    vc.insert("name".into(), achievement.name.trim().into());
    vc.insert("issuer".into(), Value::Object(profile));
    vc.insert("validFrom".into(), format_utc(options.valid_from).into());
    if let Some(until) = options.valid_until {
        if until <= options.valid_from {
            return Err(BadgeError::InvalidInput(
                "validUntil must be after validFrom".into(),
            ));
        }
        vc.insert("validUntil".into(), format_utc(until).into());
    }
    vc.insert(
        "credentialSubject".into(),
        json!({
            "type": ["AchievementSubject"],
            "achievement": ach,
            "identifier": identifiers,
        }),
    );
    if let Some(status) = &options.status {
        require_uri("status list URL", &status.status_list_credential)?;
        vc.insert(
            "credentialStatus".into(),
            json!({
                "id": format!("{}#{}", status.status_list_credential, status.index),
                "type": "BitstringStatusListEntry",
                "statusPurpose": "revocation",
                "statusListIndex": status.index.to_string(),
                "statusListCredential": status.status_list_credential,
            }),
        );
    }
    Ok(Value::Object(vc))
}

/// Builds and signs a badge with the current key. `created` of the proof is `valid_from`.
pub fn issue(
    canon: &Canonicalizer,
    key: &IssuerKey,
    identity: &IssuerIdentity,
    issuer: &IssuerProfile,
    achievement: &AchievementSpec,
    recipient: &Recipient,
    options: &IssueOptions,
) -> Result<Value, BadgeError> {
    let vc = build_credential(&identity.did, issuer, achievement, recipient, options)?;
    proof::sign(
        canon,
        &vc,
        key,
        &identity.verification_method,
        options.valid_from,
    )
}

/// Whether the credential names `email` among its recipient identifiers (hashed or plain).
pub fn recipient_has_email(credential: &Value, email: &str) -> bool {
    let Some(ids) = credential
        .pointer("/credentialSubject/identifier")
        .and_then(Value::as_array)
    else {
        return false;
    };
    ids.iter().any(|id| {
        if id.get("identityType").and_then(Value::as_str) != Some("emailAddress") {
            return false;
        }
        let Some(hash) = id.get("identityHash").and_then(Value::as_str) else {
            return false;
        };
        if id.get("hashed").and_then(Value::as_bool) == Some(true) {
            let salt = id.get("salt").and_then(Value::as_str).unwrap_or("");
            hash.eq_ignore_ascii_case(&email_identity_hash(email, salt))
        } else {
            hash.trim().eq_ignore_ascii_case(email.trim())
        }
    })
}
