//! Badges from the running server and the command line, checked by the third-party verifier:
//! offline (did:key, no status), hosted (did:web, status list), revocation, key rotation,
//! the public verifier page and the CLI's exit codes.

mod common;

use std::path::Path;
use std::process::Command;

use common::verifier::{node_ready, run_js_at};
use common::{ADMIN_TOKEN, TestServer};
use serde_json::{Value, json};

const PUBLIC_URL: &str = "https://badges.example.test";
const ATELIER: &str = env!("CARGO_BIN_EXE_atelier");

async fn issue(server: &TestServer, name: &str, email: Option<&str>) -> Value {
    server
        .issue_badge(json!({"name": name, "email": email}))
        .await
}

/// Downloads a private link (built on the public URL) from the local server.
async fn fetch(server: &TestServer, public_link: &str) -> reqwest::Response {
    let path = public_link
        .split_once("://")
        .map(|(_, rest)| &rest[rest.find('/').unwrap()..])
        .unwrap();
    server.http().get(server.url(path)).send().await.unwrap()
}

async fn save(server: &TestServer, path: &str, to: &Path) {
    let response = server.http().get(server.url(path)).send().await.unwrap();
    assert_eq!(response.status(), 200, "{path}");
    std::fs::write(to, response.bytes().await.unwrap()).unwrap();
}

#[tokio::test]
async fn an_offline_badge_has_no_dead_links_and_verifies_anywhere() {
    let server = TestServer::start().await;
    let issued = issue(&server, "Ada Lovelace", Some("Ada@Example.org")).await;
    let vc = &issued["credential"];
    assert!(
        vc["issuer"]["id"]
            .as_str()
            .unwrap()
            .starts_with("did:key:z6Mk")
    );
    assert!(
        vc.get("credentialStatus").is_none(),
        "no status list that will not exist later"
    );
    let text = vc.to_string();
    assert!(
        !text.contains("http://127.0.0.1"),
        "no link to the laptop in the badge"
    );
    // No URL at all but the two JSON-LD contexts (which verifiers ship): nothing a verifier
    // would have to fetch, nothing that dies with the laptop.
    fn urls(value: &Value, out: &mut Vec<String>) {
        match value {
            Value::String(s) if s.starts_with("http://") || s.starts_with("https://") => {
                out.push(s.clone())
            }
            Value::Array(items) => items.iter().for_each(|v| urls(v, out)),
            Value::Object(map) => map.values().for_each(|v| urls(v, out)),
            _ => {}
        }
    }
    let mut found = Vec::new();
    urls(vc, &mut found);
    found.sort();
    assert_eq!(
        found,
        [
            "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
            "https://www.w3.org/ns/credentials/v2",
        ],
        "an offline badge holds no other URL"
    );
    assert!(
        !text.to_lowercase().contains("ada@example.org"),
        "only the salted hash of the e-mail"
    );
    assert!(
        vc["credentialSubject"]["achievement"]["image"]["id"]
            .as_str()
            .unwrap()
            .starts_with("data:image/png;base64,")
    );

    let dir = tempfile::tempdir().unwrap();
    for (kind, file) in [
        ("png", "badge.png"),
        ("svg", "badge.svg"),
        ("json", "credential.json"),
    ] {
        let response = fetch(&server, issued["links"][kind].as_str().unwrap()).await;
        assert_eq!(response.status(), 200, "{kind}");
        let path = dir.path().join(file);
        std::fs::write(&path, response.bytes().await.unwrap()).unwrap();
        if node_ready() {
            let result = run_js_at(&path, &[], None);
            assert!(result.ok, "{kind}: {}", result.output);
        }
        let report: Value = server
            .http()
            .post(server.url("/api/verify"))
            .body(std::fs::read(&path).unwrap())
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(report["valid"], true, "{kind}: {report}");
        assert_eq!(report["summary"]["recipient_name"], "Ada Lovelace");
    }

    // The private link needs its secret.
    let link = issued["links"]["png"].as_str().unwrap();
    let without_key = link.split('?').next().unwrap();
    assert_eq!(fetch(&server, without_key).await.status(), 404);
    assert_eq!(
        fetch(&server, &format!("{without_key}?k=wrong"))
            .await
            .status(),
        404
    );
}

#[tokio::test]
async fn a_hosted_badge_is_did_web_with_a_status_list_and_can_be_revoked() {
    let server = TestServer::start_hosted(PUBLIC_URL).await;
    let issued = issue(&server, "Grace Hopper", None).await;
    let vc = &issued["credential"];
    assert_eq!(vc["issuer"]["id"], "did:web:badges.example.test");
    assert_eq!(
        vc["credentialStatus"]["statusListCredential"],
        format!("{PUBLIC_URL}/status/1")
    );

    let dir = tempfile::tempdir().unwrap();
    let (png, did, status) = (
        dir.path().join("b.png"),
        dir.path().join("did.json"),
        dir.path().join("status.json"),
    );
    std::fs::write(
        &png,
        fetch(&server, issued["links"]["png"].as_str().unwrap())
            .await
            .bytes()
            .await
            .unwrap(),
    )
    .unwrap();
    save(&server, "/.well-known/did.json", &did).await;
    save(&server, "/status/1", &status).await;
    let status_url = format!("{PUBLIC_URL}/status/1");
    let docs = [
        ("did:web:badges.example.test", did.as_path()),
        (status_url.as_str(), status.as_path()),
    ];
    if node_ready() {
        let result = run_js_at(&png, &docs, None);
        assert!(result.ok, "{}", result.output);
    }

    // The organiser revokes: the status list changes at once, both verifiers refuse.
    let id = vc["id"]
        .as_str()
        .unwrap()
        .trim_start_matches("urn:uuid:")
        .to_string();
    let revoked = server
        .http()
        .post(server.url(&format!("/api/badges/{id}/revoke")))
        .bearer_auth(ADMIN_TOKEN)
        .send()
        .await
        .unwrap();
    assert_eq!(revoked.status(), 200);
    save(&server, "/status/1", &status).await;
    if node_ready() {
        let result = run_js_at(&png, &docs, None);
        assert!(
            !result.ok,
            "a revoked badge must fail the third-party verifier"
        );
        assert!(
            result.output.to_string().contains("revoked"),
            "{}",
            result.output
        );
    }
    let report: Value = server
        .http()
        .post(server.url("/api/verify"))
        .body(std::fs::read(&png).unwrap())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(report["valid"], false);
    assert!(report["errors"].to_string().contains("revoked"), "{report}");

    // Only organisers issue and revoke.
    let anonymous = server
        .http()
        .post(server.url("/api/badges"))
        .json(&json!({"name": "X"}))
        .send()
        .await
        .unwrap();
    assert_eq!(anonymous.status(), 401);
    let facilitator = server.facilitator_token("fanny").await;
    let refused = server
        .http()
        .post(server.url(&format!("/api/badges/{id}/revoke")))
        .bearer_auth(&facilitator)
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 403);
}

#[tokio::test]
async fn the_public_verifier_page_explains_the_result() {
    let server = TestServer::start().await;
    let issued = issue(&server, "Ada", None).await;
    let png = fetch(&server, issued["links"]["png"].as_str().unwrap())
        .await
        .bytes()
        .await
        .unwrap();
    let form = reqwest::multipart::Form::new().part(
        "badge",
        reqwest::multipart::Part::bytes(png.to_vec()).file_name("b.png"),
    );
    let page = server
        .http()
        .post(server.url("/verify"))
        .header("accept-language", "fr")
        .multipart(form)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("Badge valide"), "{page}");
    assert!(page.contains("Sensibilisation aux Open Badges"));
    let mut tampered = png.to_vec();
    let at = tampered.windows(3).position(|w| w == b"Ada").unwrap();
    tampered[at] = b'E';
    let form = reqwest::multipart::Form::new().part(
        "badge",
        reqwest::multipart::Part::bytes(tampered).file_name("b.png"),
    );
    let page = server
        .http()
        .post(server.url("/verify"))
        .header("accept-language", "en")
        .multipart(form)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("Invalid badge"), "{page}");
    assert!(page.contains("No readable badge in this file"), "{page}");
}

/// Three verdicts a person can act on, in their language, with dates written for people:
/// valid; invalid, with the reason; and "not fully checked" for a genuine badge whose issuer
/// is out of reach from here (the official 1EdTech test vector, an https issuer), never
/// "invalid". The API says the same with stable codes.
#[tokio::test]
async fn verdicts_are_valid_invalid_or_not_fully_checked_in_the_readers_language() {
    let server = TestServer::start().await;
    let upload = |bytes: Vec<u8>, lang: &'static str| {
        let form = reqwest::multipart::Form::new().part(
            "badge",
            reqwest::multipart::Part::bytes(bytes).file_name("badge.json"),
        );
        server
            .http()
            .post(server.url("/verify"))
            .header("accept-language", lang)
            .multipart(form)
            .send()
    };
    let vector = include_bytes!("data/ob3/1edtech-ob-testvector.json").to_vec();
    let page = upload(vector.clone(), "fr")
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("Badge non vérifiable entièrement ici"),
        "{page}"
    );
    assert!(!page.contains("Badge non valide"), "{page}");
    assert!(
        page.contains("(https://example.edu/issuers/565049) ne sont pas accessibles"),
        "{page}"
    );
    // 2010-01-01T00:00:00Z, for people.
    assert!(page.contains("1 janvier 2010, 00:00 UTC"), "{page}");
    let page = upload(vector.clone(), "nl")
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("Badge hier niet volledig te controleren"),
        "{page}"
    );
    assert!(page.contains("1 januari 2010"), "{page}");
    let report: Value = server
        .http()
        .post(server.url("/api/verify"))
        .body(vector)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(report["verdict"], "incomplete", "{report}");
    assert_eq!(report["valid"], false);
    let proof = report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "proof")
        .unwrap();
    assert_eq!(proof["outcome"], "unchecked");
    assert_eq!(proof["line"]["key"], "proof-unreachable");

    // A revoked badge of this installation: invalid, the reason and the date in French.
    let issued = issue(&server, "Ada", None).await;
    let id = issued["id"].as_str().unwrap();
    let revoked = server
        .http()
        .post(server.url(&format!("/api/badges/{id}/revoke")))
        .bearer_auth(ADMIN_TOKEN)
        .send()
        .await
        .unwrap();
    assert_eq!(revoked.status(), 200);
    let page = upload(issued["credential"].to_string().into_bytes(), "fr")
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("Badge non valide"), "{page}");
    assert!(page.contains("dans le registre de cet Atelier"), "{page}");
    let year = time::OffsetDateTime::now_utc().year().to_string();
    assert!(page.contains(&format!(" {year}, ")), "{page}");
    // The summary's date for people, as every date of the page (the technical details too).
    let issued_on = page.split("<dd>").nth(4).unwrap_or_default();
    assert!(issued_on.contains(&format!(" {year}, ")), "{issued_on}");
}

fn atelier(data_dir: &Path, args: &[&str]) -> std::process::Output {
    Command::new(ATELIER)
        .arg("--data-dir")
        .arg(data_dir)
        .args(args)
        .output()
        .expect("run atelier")
}

#[test]
fn the_command_line_issues_verifies_revokes_and_rotates() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let png = dir.path().join("ada.png");
    let out = atelier(
        &data,
        &[
            "issue",
            // A new data directory, on purpose.
            "--create",
            "--name",
            "Ada Lovelace",
            "--email",
            "ada@example.org",
            "--out",
            png.to_str().unwrap(),
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let id = String::from_utf8_lossy(&out.stdout).trim().to_string();
    assert!(id.starts_with("urn:uuid:"));

    // The key file is private.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let private = std::fs::read_dir(data.join("keys"))
            .unwrap()
            .map(|k| k.unwrap().path())
            .chain([data.join("link.key")]);
        for file in private {
            let mode = std::fs::metadata(&file).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o600, "{}", file.display());
        }
    }

    let verified = atelier(&data, &["verify", png.to_str().unwrap()]);
    assert!(
        verified.status.success(),
        "{}",
        String::from_utf8_lossy(&verified.stdout)
    );
    assert!(String::from_utf8_lossy(&verified.stdout).contains("Ada Lovelace"));
    // Anyone, without the data directory, verifies it too (did:key).
    let elsewhere = atelier(
        &dir.path().join("nothing-here"),
        &["verify", png.to_str().unwrap()],
    );
    assert!(elsewhere.status.success());
    if node_ready() {
        assert!(run_js_at(&png, &[], None).ok);
    }

    // After a key rotation, new badges use the new key and old ones still verify.
    assert!(atelier(&data, &["rotate-key"]).status.success());
    let second = dir.path().join("grace.json");
    assert!(
        atelier(
            &data,
            &[
                "issue",
                "--name",
                "Grace",
                "--out",
                second.to_str().unwrap(),
                "--lang",
                "en"
            ]
        )
        .status
        .success()
    );
    let first_vc: Value = serde_json::from_slice(
        &std::fs::read(dir.path().join("ada.png"))
            .map(|b| {
                let (_, json) = atelier::badge::verify::extract(&b).unwrap();
                json.into_bytes()
            })
            .unwrap(),
    )
    .unwrap();
    let second_vc: Value = serde_json::from_slice(&std::fs::read(&second).unwrap()).unwrap();
    assert_ne!(
        first_vc["issuer"]["id"], second_vc["issuer"]["id"],
        "a did:key issuer changes with its key"
    );
    assert_eq!(
        second_vc["credentialSubject"]["achievement"]["name"],
        "Introduction to Open Badges"
    );
    assert!(
        atelier(&data, &["verify", png.to_str().unwrap()])
            .status
            .success()
    );
    assert!(
        atelier(&data, &["verify", second.to_str().unwrap()])
            .status
            .success()
    );

    // Revoked: this Atelier's own verifier refuses it (exit code 1).
    assert!(atelier(&data, &["revoke", &id]).status.success());
    let refused = atelier(&data, &["verify", png.to_str().unwrap()]);
    assert_eq!(refused.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&refused.stdout).contains("revoked"));

    // Garbage is refused with a reason, not a crash.
    let junk = dir.path().join("junk.png");
    std::fs::write(&junk, b"\x89PNG\r\n\x1a\nnot really").unwrap();
    let junk_out = atelier(&data, &["verify", junk.to_str().unwrap()]);
    assert_eq!(junk_out.status.code(), Some(1));
}

/// Revoking a badge issued offline (did:key, no status list): the pages say what that means,
/// the holder's private page shows it, and this installation's verifier (the page, and the
/// command line given the data directory) says "revoked".
#[tokio::test]
async fn an_offline_revocation_says_what_it_means() {
    let server = TestServer::start().await;
    let issued = issue(&server, "Ada", None).await;
    let id = issued["id"].as_str().unwrap().to_string();
    let revoked = server
        .http()
        .post(server.url(&format!("/api/badges/{id}/revoke")))
        .bearer_auth(ADMIN_TOKEN)
        .send()
        .await
        .unwrap();
    assert_eq!(revoked.status(), 200);
    let private = fetch(&server, issued["links"]["page"].as_str().unwrap())
        .await
        .text()
        .await
        .unwrap();
    assert!(
        private.contains("a été révoqué par son émetteur le"),
        "{private}"
    );
    assert!(
        private.contains("un vérificateur ailleurs ne peut pas le savoir"),
        "{private}"
    );
    let organiser = server
        .http()
        .get(server.url("/o/badges"))
        .bearer_auth(ADMIN_TOKEN)
        .header("accept-language", "fr")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        organiser.contains("connu de cet Atelier seulement"),
        "{organiser}"
    );

    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("ada.json");
    std::fs::write(&file, issued["credential"].to_string()).unwrap();
    let with_register = atelier(&server.dir, &["verify", file.to_str().unwrap()]);
    assert_eq!(with_register.status.code(), Some(1));
    let said = String::from_utf8_lossy(&with_register.stdout);
    assert!(said.contains("revoked by the issuer"), "{said}");
    // This directory's server runs offline: the command line issues no hosted badge here,
    // and a verification it cannot set up is not a verdict (exit 3, not 1).
    let hosted = dir.path().join("hosted.json");
    let refused = atelier(
        &server.dir,
        &[
            "issue",
            "--name",
            "Bob",
            "--out",
            hosted.to_str().unwrap(),
            "--public-url",
            "https://badges.example.test",
        ],
    );
    assert!(!refused.status.success());
    assert!(String::from_utf8_lossy(&refused.stderr).contains("runs offline"));
    assert!(!hosted.exists());
    let not_set_up = atelier(
        &server.dir,
        &[
            "verify",
            file.to_str().unwrap(),
            "--public-url",
            "https://badges.example.test",
        ],
    );
    assert_eq!(not_set_up.status.code(), Some(3));
    // Elsewhere (no data directory), nothing says so: the page explained why.
    let elsewhere = Command::new(ATELIER)
        .args(["verify", file.to_str().unwrap()])
        .env_remove("ATELIER_DATA_DIR")
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert_eq!(elsewhere.status.code(), Some(0));
}

/// The `<details>` disclosures of a verification page (the technical account of each check).
fn technical_details(page: &str) -> Vec<&str> {
    page.split("<details>")
        .skip(1)
        .map(|rest| rest.split("</details>").next().unwrap_or_default())
        .collect()
}

/// Whether `text` holds a raw RFC 3339 instant ("2026-05-31T00:00:00Z").
fn has_raw_timestamp(text: &str) -> bool {
    let bytes = text.as_bytes();
    bytes.windows(11).any(|w| {
        w[..4].iter().all(u8::is_ascii_digit)
            && w[4] == b'-'
            && w[5..7].iter().all(u8::is_ascii_digit)
            && w[7] == b'-'
            && w[8..10].iter().all(u8::is_ascii_digit)
            && w[10] == b'T'
    })
}

/// Issue 17: the technical details of `/verify` are in the reader's language too, with dates
/// written for people ("31 mai 2026, 00:00 UTC", "31 mei 2026, 00:00 UTC": the project's
/// `date-time` message), for a valid badge and for tampered, unsigned, expired and revoked
/// ones. Technical values (key ids, algorithm names) may stay as they are, as code.
#[tokio::test]
async fn the_technical_details_are_in_the_readers_language() {
    use atelier::badge::keys::KeyStore;
    use time::macros::datetime;
    // English sentences the details used to show.
    const ENGLISH: &[&str] = &[
        "well-formed",
        "signature valid",
        "valid since",
        "valid from",
        "expired on",
        "revoked by the issuer",
        "does not match",
        "proof invalid",
        "no DataIntegrityProof proof",
        "not revoked",
        " the ",
    ];
    let server = TestServer::start().await;
    let upload = |bytes: Vec<u8>, lang: &'static str| {
        let form = reqwest::multipart::Form::new().part(
            "badge",
            reqwest::multipart::Part::bytes(bytes).file_name("badge.json"),
        );
        let request = server
            .http()
            .post(server.url("/verify"))
            .header("accept-language", lang)
            .multipart(form)
            .send();
        async move { request.await.unwrap().text().await.unwrap() }
    };
    let in_language = |page: &str, case: &str| {
        let details = technical_details(page);
        assert!(!details.is_empty(), "{case}: {page}");
        for detail in &details {
            for english in ENGLISH {
                assert!(!detail.contains(english), "{case}: {english:?} in {detail}");
            }
        }
        assert!(!has_raw_timestamp(page), "{case}: a raw date in {page}");
        details.join("\n")
    };

    let keys = tempfile::tempdir().unwrap();
    let store = KeyStore::load_or_create(keys.path()).unwrap();
    // Valid since 30 May 2026, 16:30 UTC (did:key: checked here without a network).
    let valid = common::badges::issue_badge(&store, None, None, None, None).vc;
    let page = upload(valid.to_string().into_bytes(), "fr").await;
    assert!(page.contains("Badge valide"), "{page}");
    let details = in_language(&page, "valid, fr");
    assert!(details.contains("30 mai 2026, 16:30 UTC"), "{details}");
    let page = upload(valid.to_string().into_bytes(), "nl").await;
    let details = in_language(&page, "valid, nl");
    assert!(details.contains("30 mei 2026, 16:30 UTC"), "{details}");

    // Tampered with: the signature no longer matches.
    let mut tampered = valid.clone();
    tampered["issuer"]["name"] = "Mallory".into();
    let page = upload(tampered.to_string().into_bytes(), "fr").await;
    assert!(page.contains("Badge non valide"), "{page}");
    in_language(&page, "tampered, fr");
    let page = upload(tampered.to_string().into_bytes(), "nl").await;
    in_language(&page, "tampered, nl");

    // Unsigned.
    let mut unsigned = valid.clone();
    unsigned.as_object_mut().unwrap().remove("proof");
    let page = upload(unsigned.to_string().into_bytes(), "fr").await;
    assert!(page.contains("Badge non valide"), "{page}");
    in_language(&page, "unsigned, fr");

    // Expired on 31 May 2026.
    let expired = common::badges::issue_badge(
        &store,
        None,
        None,
        None,
        Some(datetime!(2026-05-31 00:00:00 UTC)),
    )
    .vc;
    let page = upload(expired.to_string().into_bytes(), "fr").await;
    assert!(page.contains("Badge non valide"), "{page}");
    let details = in_language(&page, "expired, fr");
    assert!(details.contains("31 mai 2026, 00:00 UTC"), "{details}");
    let page = upload(expired.to_string().into_bytes(), "nl").await;
    let details = in_language(&page, "expired, nl");
    assert!(details.contains("31 mei 2026, 00:00 UTC"), "{details}");

    // Revoked in this installation's register.
    let issued = issue(&server, "Ada", None).await;
    let id = issued["id"].as_str().unwrap();
    let revoked = server
        .http()
        .post(server.url(&format!("/api/badges/{id}/revoke")))
        .bearer_auth(ADMIN_TOKEN)
        .send()
        .await
        .unwrap();
    assert_eq!(revoked.status(), 200);
    let page = upload(issued["credential"].to_string().into_bytes(), "fr").await;
    assert!(page.contains("Badge non valide"), "{page}");
    in_language(&page, "revoked, fr");
    let page = upload(issued["credential"].to_string().into_bytes(), "nl").await;
    in_language(&page, "revoked, nl");

    // The API keeps its English account for machines.
    let report: Value = server
        .http()
        .post(server.url("/api/verify"))
        .body(expired.to_string())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let validity = report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "validity")
        .unwrap();
    assert_eq!(validity["detail"], "badge expired on 2026-05-31T00:00:00Z");
}
