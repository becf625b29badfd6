//! Open Badges 2.0, hosted: the Issuer, BadgeClass and Assertion documents that backpacks which
//! read only 2.0 (Open Badge Passport's public code, older Badgr-based services) verify by
//! fetching them from the issuer's origin. A hosted Atelier publishes them beside the signed
//! 3.0 credential and bakes the assertion into the same PNG (keyword `openbadges`).
//!
//! Everything is derived from what the 3.0 credential already holds: the recipient stays a
//! salted e-mail hash (the same `sha256$…` of the address and salt), so no e-mail address is
//! stored to publish it. A badge without an e-mail has no 2.0 side: 2.0 backpacks match badges
//! to accounts by e-mail and nothing else.

use serde_json::{Map, Value, json};

/// The Open Badges 2.0 JSON-LD context.
pub const OB2_CONTEXT: &str = "https://w3id.org/openbadges/v2";

/// Where the 2.0 documents live under the public URL.
pub fn issuer_url(base: &str) -> String {
    format!("{base}/ob2/issuer")
}

/// One badge class per achievement and language (the texts are the achievement's, translated).
pub fn badge_class_url(base: &str, achievement_id: &str, lang: &str) -> String {
    let id = achievement_id.trim_start_matches("urn:uuid:");
    format!("{base}/ob2/classes/{id}/{lang}")
}

pub fn badge_class_image_url(base: &str, achievement_id: &str, lang: &str) -> String {
    format!("{}/image", badge_class_url(base, achievement_id, lang))
}

pub fn assertion_url(base: &str, badge_id: &str) -> String {
    let id = badge_id.trim_start_matches("urn:uuid:");
    format!("{base}/ob2/assertions/{id}")
}

/// What the hosted assertion of an erased badge answers (with 410 Gone): the recipient asked
/// for their personal data to be erased, so the assertion, which names them by their e-mail's
/// hash, is no longer published. OB 2.0 backpacks read 410 with `revoked` as "no longer
/// verifiable here" and show the reason; the signed OB 3.0 credential is not affected.
pub fn erased_assertion(base: &str, badge_id: &str) -> Value {
    json!({
        "@context": OB2_CONTEXT,
        "type": "Assertion",
        "id": assertion_url(base, badge_id),
        "revoked": true,
        "revocationReason": ERASED_REASON,
    })
}

/// The reason an erased badge's hosted assertion gives.
pub const ERASED_REASON: &str = "The recipient's personal data was erased at their request: \
    this hosted Open Badges 2.0 assertion is no longer published. The signed Open Badges 3.0 \
    credential in the recipient's badge file stays valid.";

/// The issuer as OB 2.0 requires it: a name, a web page and an e-mail address (the official
/// validator refuses an issuer without one, so a hosted 2.0 side needs the organiser's e-mail).
pub struct Ob2Issuer<'a> {
    pub name: &'a str,
    pub url: &'a str,
    pub email: &'a str,
    pub description: Option<&'a str>,
}

pub fn issuer_profile(base: &str, issuer: &Ob2Issuer<'_>) -> Value {
    let mut profile = Map::new();
    profile.insert("@context".into(), OB2_CONTEXT.into());
    profile.insert("type".into(), "Issuer".into());
    profile.insert("id".into(), issuer_url(base).into());
    profile.insert("name".into(), issuer.name.into());
    profile.insert("url".into(), issuer.url.into());
    profile.insert("email".into(), issuer.email.into());
    if let Some(description) = issuer.description.filter(|d| !d.trim().is_empty()) {
        profile.insert("description".into(), description.into());
    }
    Value::Object(profile)
}

/// A badge class: what the badge recognises, in one language.
pub struct Ob2BadgeClass<'a> {
    pub achievement_id: &'a str,
    pub lang: &'a str,
    pub name: &'a str,
    pub description: &'a str,
    pub criteria: &'a str,
    pub competence: Option<&'a str>,
}

pub fn badge_class(base: &str, class: &Ob2BadgeClass<'_>) -> Value {
    let mut doc = json!({
        "@context": OB2_CONTEXT,
        "type": "BadgeClass",
        "id": badge_class_url(base, class.achievement_id, class.lang),
        "name": class.name,
        "description": class.description,
        "image": badge_class_image_url(base, class.achievement_id, class.lang),
        "criteria": {"narrative": class.criteria},
        "issuer": issuer_url(base),
    });
    if let Some(competence) = class.competence.filter(|c| !c.trim().is_empty()) {
        doc["tags"] = json!([competence]);
    }
    doc
}

/// The credential's hashed e-mail identifier, if its recipient gave an address.
pub fn email_identifier(credential: &Value) -> Option<&Value> {
    credential
        .pointer("/credentialSubject/identifier")?
        .as_array()?
        .iter()
        .find(|i| i["identityType"] == "emailAddress" && i["hashed"] == true)
}

/// The hosted assertion of a 3.0 credential, when it names its recipient by e-mail.
/// A revoked badge's assertion says so (`revoked`, with the reason), as OB 2.0 hosted
/// verification expects.
pub fn assertion(
    base: &str,
    credential: &Value,
    lang: &str,
    revoked: Option<&str>,
) -> Option<Value> {
    let badge_id = credential["id"].as_str()?;
    let achievement_id = credential
        .pointer("/credentialSubject/achievement/id")?
        .as_str()?;
    let identifier = email_identifier(credential)?;
    let identity = identifier["identityHash"].as_str()?;
    let salt = identifier["salt"].as_str()?;
    let issued_on = credential["validFrom"].as_str()?;
    let mut doc = json!({
        "@context": OB2_CONTEXT,
        "type": "Assertion",
        "id": assertion_url(base, badge_id),
        "recipient": {
            "type": "email",
            "hashed": true,
            "salt": salt,
            "identity": identity,
        },
        "badge": badge_class_url(base, achievement_id, lang),
        "verification": {"type": "HostedBadge"},
        "issuedOn": issued_on,
    });
    if let Some(until) = credential["validUntil"].as_str() {
        doc["expires"] = until.into();
    }
    if let Some(reason) = revoked {
        doc["revoked"] = true.into();
        doc["revocationReason"] = reason.into();
    }
    Some(doc)
}

#[cfg(test)]
mod tests {
    use super::*;

    const BASE: &str = "https://badges.example.org";

    fn credential(with_email: bool) -> Value {
        let mut identifiers = vec![json!({
            "type": "IdentityObject", "identityType": "name", "hashed": false,
            "identityHash": "Ada"
        })];
        if with_email {
            identifiers.insert(
                0,
                json!({
                    "type": "IdentityObject", "identityType": "emailAddress", "hashed": true,
                    "identityHash": "sha256$abc", "salt": "s1"
                }),
            );
        }
        json!({
            "id": "urn:uuid:1234",
            "validFrom": "2026-11-27T10:00:00Z",
            "credentialSubject": {
                "achievement": {"id": "urn:uuid:ach"},
                "identifier": identifiers,
            }
        })
    }

    #[test]
    fn the_assertion_reuses_the_salted_hash_and_links_its_class() {
        let doc = assertion(BASE, &credential(true), "nl", None).unwrap();
        assert_eq!(doc["id"], "https://badges.example.org/ob2/assertions/1234");
        assert_eq!(doc["recipient"]["identity"], "sha256$abc");
        assert_eq!(doc["recipient"]["salt"], "s1");
        assert_eq!(doc["recipient"]["type"], "email");
        assert_eq!(
            doc["badge"],
            "https://badges.example.org/ob2/classes/ach/nl"
        );
        assert_eq!(doc["issuedOn"], "2026-11-27T10:00:00Z");
        assert!(doc.get("revoked").is_none());
        let revoked = assertion(BASE, &credential(true), "nl", Some("withdrawn")).unwrap();
        assert_eq!(revoked["revoked"], true);
        assert_eq!(revoked["revocationReason"], "withdrawn");
    }

    #[test]
    fn no_email_no_assertion() {
        assert!(assertion(BASE, &credential(false), "fr", None).is_none());
        assert!(assertion(BASE, &json!({}), "fr", None).is_none());
    }

    #[test]
    fn documents_share_one_origin() {
        let issuer = issuer_profile(
            BASE,
            &Ob2Issuer {
                name: "N",
                url: "https://example.org",
                email: "badges@example.org",
                description: None,
            },
        );
        let class = badge_class(
            BASE,
            &Ob2BadgeClass {
                achievement_id: "urn:uuid:ach",
                lang: "fr",
                name: "n",
                description: "d",
                criteria: "c",
                competence: Some("Innover"),
            },
        );
        assert_eq!(class["issuer"], issuer["id"]);
        assert!(class["image"].as_str().unwrap().starts_with(BASE));
        assert_eq!(class["tags"], json!(["Innover"]));
    }
}
