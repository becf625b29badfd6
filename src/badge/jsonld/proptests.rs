//! The signing shortcut, proven on generated credentials: for every credential, the RDF
//! canonical form through a template of its shape is byte for byte what `sophia_jsonld` alone
//! gives (or both refuse it). Names with combining marks, emoji, right-to-left text, quotes
//! and control characters; every optional field present and absent; long texts; several
//! languages; then another credential of the same shape, which goes through the template.
//! `PROPTEST_CASES` sets how many (default below).

use proptest::prelude::*;
use serde_json::Value;
use time::OffsetDateTime;

use super::Canonicalizer;
use crate::badge::credential::{
    AchievementSpec, Competence, ImageSource, IssueOptions, IssuerProfile, Recipient, StatusRef,
    build_credential,
};

/// Cases per run when `PROPTEST_CASES` is not set: each compares two credentials (the first
/// of its shape, then another of the same shape), so 2,000 credentials (~45 s unoptimised).
const CASES: u32 = 1_000;

/// Text as people type it in three languages, and as they should not.
fn text(max: usize) -> impl Strategy<Value = String> {
    let samples = prop::sample::select(vec![
        "Ada Lovelace",
        "Zoë \"Zozo\" Ñúñez-O'Brien",
        "e\u{301}le\u{300}ve a\u{308}",
        "🚲🏳️‍🌈 👩🏽‍💻",
        "עברית ومعها العربية",
        "Line one\nline two\ttab \\ backslash",
        "Innover et créer : reconnaître une compétence",
        "Innoveren en creëren — erkennen",
        "<b>&amp;</b> ]]> \u{200b}\u{feff}",
        "x-atelier-slot-0-",
        "https:x-atelier-slot-1-",
    ]);
    prop_oneof![
        3 => samples.prop_map(str::to_string),
        3 => proptest::string::string_regex(&format!("[\\PC\\u{{300}}-\\u{{36F}}]{{1,{max}}}"))
            .expect("a valid regex"),
        1 => proptest::string::string_regex(&format!("[a-zA-Zàéèçëï \\n]{{{},{}}}", max / 2, max))
            .expect("a valid regex"),
    ]
}

fn url() -> impl Strategy<Value = String> {
    prop::sample::select(vec![
        "https://example.org",
        "https://example.org/a/b?c=d#e",
        "https://badges.example.test:8443/atelier",
        "urn:uuid:1b4e28ba-2fa1-11d2-883f-0016d3cca427",
    ])
    .prop_map(str::to_string)
}

fn image() -> impl Strategy<Value = Option<ImageSource>> {
    prop_oneof![
        Just(None),
        Just(Some(ImageSource::png(vec![
            0x89, b'P', b'N', b'G', 1, 2, 3
        ]))),
        Just(Some(ImageSource::svg(
            b"<svg xmlns=\"http://www.w3.org/2000/svg\"/>".to_vec()
        ))),
        url().prop_map(|u| Some(ImageSource::Url(u))),
    ]
}

prop_compose! {
    fn issuer()(
        name in text(80),
        url in prop::option::of(url()),
        email in prop::option::of(Just("badges@example.org".to_string())),
        description in prop::option::of(text(300)),
        image in image(),
    ) -> IssuerProfile {
        IssuerProfile { name, url, email, description, image }
    }
}

prop_compose! {
    fn competence()(
        name in text(60),
        description in prop::option::of(text(200)),
        framework in prop::option::of(Just("DigComp 2.2".to_string())),
        code in prop::option::of(Just("3.4".to_string())),
        url in prop::option::of(url()),
    ) -> Competence {
        Competence { name, description, framework, code, url }
    }
}

prop_compose! {
    fn achievement()(
        name in text(120),
        description in text(2000),
        criteria_narrative in text(2000),
        image in image(),
        competence in prop::option::of(competence()),
    ) -> AchievementSpec {
        AchievementSpec {
            id: "urn:uuid:6a1f0c8e-0d7e-4a51-9a44-2b1f5f3c9e10".into(),
            name,
            description,
            criteria_narrative,
            image,
            competence,
        }
    }
}

prop_compose! {
    fn options()(
        seconds in 0i64..2_000_000_000,
        until in prop::option::of(1i64..1_000_000_000),
        status in prop::option::of(0u64..131_072),
    ) -> IssueOptions {
        let from = OffsetDateTime::from_unix_timestamp(seconds).expect("a date");
        let mut options = IssueOptions::new(from);
        options.valid_until = until.map(|u| from + time::Duration::seconds(u));
        options.status = status.map(|index| StatusRef {
            status_list_credential: "https://badges.example.test/status/1".into(),
            index,
        });
        options
    }
}

const ISSUERS: [&str; 2] = [
    "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK",
    "did:web:badges.example.test%3A8443:atelier",
];

fn cases() -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(CASES)
}

/// Another recipient of the same shape: new id, salt, date and name.
fn same_shape(vc: &Value, name: &str) -> Value {
    let mut other = vc.clone();
    other["id"] = "urn:uuid:00000000-0000-4000-8000-000000000002".into();
    other["validFrom"] = "2031-02-03T04:05:06Z".into();
    if let Some(identifiers) = other
        .pointer_mut("/credentialSubject/identifier")
        .and_then(Value::as_array_mut)
    {
        for identifier in identifiers {
            if identifier["identityType"] == "name" {
                identifier["identityHash"] = name.into();
            } else if identifier.get("salt").is_some() {
                identifier["salt"] = "another-salt".into();
            }
        }
    }
    other
}

fn agree(c: &Canonicalizer, doc: &Value) -> Result<(), TestCaseError> {
    let fast = c
        .canonical_nquads_for_signing(doc)
        .map_err(|e| e.to_string());
    let full = c.canonical_nquads_uncached(doc).map_err(|e| e.to_string());
    prop_assert_eq!(
        fast.is_ok(),
        full.is_ok(),
        "{:?} vs {:?}: {}",
        fast,
        full,
        doc
    );
    if let (Ok(fast), Ok(full)) = (fast, full) {
        prop_assert_eq!(fast, full, "{}", doc);
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(cases()))]

    #[test]
    fn the_template_path_is_the_librarys_canonical_form(
        issuer in issuer(),
        achievement in achievement(),
        name in text(60),
        other_name in text(60),
        email in prop::option::of(Just("ada@example.org".to_string())),
        options in options(),
        did in prop::sample::select(ISSUERS.to_vec()),
    ) {
        let c = Canonicalizer::shared();
        let recipient = Recipient { name, email };
        let Ok(vc) = build_credential(did, &issuer, &achievement, &recipient, &options) else {
            // The builder refuses what it must (empty names, relative URLs): nothing to sign.
            return Ok(());
        };
        // The first of its shape builds the template (checked against the full path), the
        // second uses it.
        agree(c, &vc)?;
        agree(c, &same_shape(&vc, &other_name))?;
        // Every template built so far agreed with full processing on its first document.
        prop_assert_eq!(c.rejected_templates(), 0);
    }
}
