//! Badges that travel, on a hosted Atelier: the public page (HTML or the credential by content
//! negotiation, hidden when the participant opts out), the LinkedIn link, and Open Badges 2.0
//! hosted documents checked by the 1EdTech OB 2.0 validator, beside the OB 3.0 credential
//! checked by the third-party OB 3.0 verifier, both fetching from the running server.
//!
//! The server's public URL is `https://badges.example.test`; both verifiers map it to the test
//! server (like a hosts-file entry), so every document they use is served by Atelier itself.

mod common;

use atelier::badge::bake::{PNG_KEYWORD, PNG_KEYWORD_OB2, png_texts};
use common::verifier::{node_ready, ob2_python, run_js_hosted, run_ob2};
use common::{ADMIN_TOKEN, TestServer};
use reqwest::header::ACCEPT;
use serde_json::{Value, json};

const PUBLIC_URL: &str = "https://badges.example.test";
const ISSUER_NAME: &str = "Région & Co — Liège";

/// A server hosted at PUBLIC_URL whose organiser gave the issuer an e-mail (OB 2.0 needs one).
async fn hosted() -> TestServer {
    let server = TestServer::start_hosted(PUBLIC_URL).await;
    server
        .set_issuer(&[
            ("name", ISSUER_NAME),
            ("email", "badges@example.org"),
            ("url", "https://example.org"),
        ])
        .await;
    server
}

async fn issue(server: &TestServer, name: &str, email: Option<&str>) -> Value {
    server
        .issue_badge(json!({"name": name, "email": email, "lang": "fr"}))
        .await
}

/// The path of a link built on the public URL, to fetch it from the test server.
fn path_of(link: &str) -> &str {
    link.strip_prefix(PUBLIC_URL).expect("a public link")
}

fn uuid_of(issued: &Value) -> String {
    issued["id"]
        .as_str()
        .unwrap()
        .trim_start_matches("urn:uuid:")
        .to_string()
}

async fn get(server: &TestServer, path: &str, accept: &str) -> reqwest::Response {
    server
        .http()
        .get(server.url(path))
        .header(ACCEPT, accept)
        .send()
        .await
        .unwrap()
}

// The verifiers run as child processes that fetch from the server: the test blocks one worker
// while the server answers on another.
crate::on_both_stores! {
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_hosted_badge_travels_as_open_badges_3_and_2() {
        let server = hosted().await;
        let issued = issue(&server, "Zoé Dupont", Some("zoe@example.org")).await;
        let uuid = uuid_of(&issued);
        let local = format!("http://{}", server.addr);

        // The baked PNG holds exactly one chunk of each keyword.
        let png = server
            .http()
            .get(server.url(path_of(issued["links"]["png"].as_str().unwrap())))
            .send()
            .await
            .unwrap()
            .bytes()
            .await
            .unwrap();
        let v3 = png_texts(&png, PNG_KEYWORD).unwrap();
        let v2 = png_texts(&png, PNG_KEYWORD_OB2).unwrap();
        assert_eq!((v3.len(), v2.len()), (1, 1));
        let assertion: Value = serde_json::from_str(&v2[0]).unwrap();
        let assertion_url = format!("{PUBLIC_URL}/ob2/assertions/{uuid}");
        assert_eq!(assertion["id"], assertion_url);
        assert_eq!(assertion["recipient"]["type"], "email");
        assert!(!v2[0].contains("zoe@example.org"), "only a salted hash");
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("badge.png");
        std::fs::write(&file, &png).unwrap();

        // OB 3.0: the third-party verifier resolves did:web and fetches the status list from
        // the server.
        if node_ready() {
            let result = run_js_hosted(&file, PUBLIC_URL, &local);
            assert!(result.ok, "{}", result.output);
        }

        // OB 2.0: the 1EdTech validator fetches the assertion, badge class, issuer and image.
        if let Some(python) = ob2_python() {
            let (valid, report) = run_ob2(
                &python,
                &assertion_url,
                Some("zoe@example.org"),
                PUBLIC_URL,
                &local,
            );
            assert!(valid, "{report}");
            let (valid, report) = run_ob2(
                &python,
                file.to_str().unwrap(),
                Some("zoe@example.org"),
                PUBLIC_URL,
                &local,
            );
            assert!(valid, "the baked PNG: {report}");
            let (valid, report) = run_ob2(
                &python,
                &assertion_url,
                Some("someone.else@example.org"),
                PUBLIC_URL,
                &local,
            );
            assert!(!valid, "a wrong recipient must be refused: {report}");
            assert!(
                report.to_string().contains("did not match"),
                "the validator says why: {report}"
            );
        }

        // The 2.0 documents are served with their content type, readable from any origin.
        for path in [
            "/ob2/issuer".to_string(),
            path_of(assertion["badge"].as_str().unwrap()).to_string(),
            format!("/ob2/assertions/{uuid}"),
        ] {
            let response = get(&server, &path, "application/ld+json").await;
            assert_eq!(response.status(), 200, "{path}");
            assert_eq!(response.headers()["access-control-allow-origin"], "*");
            let doc: Value = response.json().await.unwrap();
            assert_eq!(doc["@context"], "https://w3id.org/openbadges/v2", "{path}");
        }
        let class: Value = get(
            &server,
            path_of(assertion["badge"].as_str().unwrap()),
            "application/json",
        )
        .await
        .json()
        .await
        .unwrap();
        assert_eq!(class["issuer"], format!("{PUBLIC_URL}/ob2/issuer"));
        let image = get(
            &server,
            path_of(class["image"].as_str().unwrap()),
            "image/png",
        )
        .await;
        assert_eq!(image.status(), 200);
        assert_eq!(image.headers()["content-type"], "image/png");

        // Revoked: OB 3.0 refuses (status list); the hosted 2.0 assertion answers 410 Gone with
        // `revoked: true`, as OB 2.0 hosted verification expects.
        let revoked = server
            .http()
            .post(server.url(&format!("/api/badges/{uuid}/revoke")))
            .bearer_auth(ADMIN_TOKEN)
            .send()
            .await
            .unwrap();
        assert_eq!(revoked.status(), 200);
        if node_ready() {
            let result = run_js_hosted(&file, PUBLIC_URL, &local);
            assert!(!result.ok, "revoked: {}", result.output);
        }
        let gone = get(
            &server,
            &format!("/ob2/assertions/{uuid}"),
            "application/json",
        )
        .await;
        assert_eq!(gone.status(), 410);
        let gone: Value = gone.json().await.unwrap();
        assert_eq!(gone["revoked"], true);
    }
}

crate::on_both_stores! {
    #[tokio::test]
    async fn the_public_page_negotiates_hides_the_email_and_can_be_hidden() {
        let server = hosted().await;
        let issued = issue(&server, "Zoé Dupont", Some("zoe@example.org")).await;
        let uuid = uuid_of(&issued);
        let public = format!("/badges/{uuid}");

        // People get a page: the name, the issuer, the date, Atelier's verdict; no e-mail.
        let page = get(
            &server,
            &public,
            "text/html,application/xhtml+xml,*/*;q=0.8",
        )
        .await;
        assert_eq!(page.status(), 200);
        assert_eq!(page.headers()["vary"], "Accept");
        assert!(
            page.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with("text/html")
        );
        let html = page.text().await.unwrap();
        assert!(html.contains("Zoé Dupont"), "{html}");
        assert!(html.contains("Région &#38; Co — Liège"), "{html}");
        assert!(html.contains("Badge authentique et valide"), "{html}");
        assert!(!html.to_lowercase().contains("zoe@example.org"));
        assert!(html.contains(r#"<meta name="robots" content="noindex">"#));

        // Programs asking for JSON get the signed credential itself.
        for accept in [
            "application/ld+json",
            "application/json",
            "text/html;q=0.1, application/vc+ld+json",
        ] {
            let response = get(&server, &public, accept).await;
            assert_eq!(response.status(), 200, "{accept}");
            let credential: Value = response.json().await.unwrap();
            assert_eq!(credential, issued["credential"], "{accept}");
        }

        // The participant's private page offers the public page and LinkedIn, values encoded.
        let private_path = path_of(issued["links"]["page"].as_str().unwrap()).to_string();
        let private = get(&server, &private_path, "text/html")
            .await
            .text()
            .await
            .unwrap();
        let linkedin = private
            .split("href=\"https://www.linkedin.com/profile/add?")
            .nth(1)
            .and_then(|rest| rest.split('"').next())
            .expect("a LinkedIn link")
            .replace("&#38;", "&")
            .replace("&amp;", "&");
        let params: Vec<(String, String)> = linkedin
            .split('&')
            .map(|pair| {
                let (k, v) = pair.split_once('=').unwrap();
                let decoded = percent_encoding::percent_decode_str(v)
                    .decode_utf8()
                    .unwrap()
                    .into_owned();
                (k.to_string(), decoded)
            })
            .collect();
        let param = |k: &str| {
            params
                .iter()
                .find(|(key, _)| key == k)
                .map(|(_, v)| v.clone())
                .unwrap_or_default()
        };
        assert_eq!(param("startTask"), "CERTIFICATION_NAME");
        assert_eq!(param("organizationName"), ISSUER_NAME);
        assert_eq!(param("name"), "Sensibilisation aux Open Badges");
        assert_eq!(param("certUrl"), format!("{PUBLIC_URL}/badges/{uuid}"));
        assert_eq!(param("certId"), issued["id"].as_str().unwrap());
        assert!(param("issueYear").len() == 4 && !param("issueMonth").is_empty());
        assert!(
            !linkedin.contains(' ') && !linkedin.contains('é') && linkedin.contains("%26"),
            "every value is URL-encoded: {linkedin}"
        );

        // Opting out hides the page, its picture and its JSON; the private page still works and
        // can bring it back. A wrong secret changes nothing.
        let key = private_path.split("k=").nth(1).unwrap().to_string();
        let choose = |k: String, public: &'static str| {
            let server = &server;
            let uuid = uuid.clone();
            async move {
                server
                    .http()
                    .post(server.url(&format!("/b/{uuid}/public")))
                    .form(&[("k", k.as_str()), ("public", public)])
                    .send()
                    .await
                    .unwrap()
            }
        };
        let refused = choose("wrong".into(), "0").await;
        assert_eq!(refused.status(), 404);
        assert_eq!(get(&server, &public, "text/html").await.status(), 200);
        let hidden = choose(key.clone(), "0").await;
        assert!(hidden.status().is_success(), "{}", hidden.status());
        for accept in ["text/html", "application/ld+json"] {
            assert_eq!(get(&server, &public, accept).await.status(), 404);
        }
        assert_eq!(
            get(&server, &format!("{public}/image.png"), "image/png")
                .await
                .status(),
            404
        );
        // The OB 2.0 assertion goes with it: its salted e-mail hash would confirm a guessed address.
        let assertion = format!("/ob2/assertions/{uuid}");
        assert_eq!(
            get(&server, &assertion, "application/json").await.status(),
            404
        );
        let private = get(&server, &private_path, "text/html")
            .await
            .text()
            .await
            .unwrap();
        assert!(
            !private.contains("linkedin.com"),
            "no LinkedIn link to a hidden page"
        );
        assert!(private.contains("Rétablir ma page publique"));
        choose(key, "1").await;
        assert_eq!(get(&server, &public, "text/html").await.status(), 200);
        assert_eq!(
            get(&server, &assertion, "application/json").await.status(),
            200
        );
    }
}

crate::on_both_stores! {
    #[tokio::test]
    async fn without_email_or_public_url_there_is_no_second_chunk_and_no_public_page() {
        // Hosted, but the recipient gave no e-mail: OB 2.0 backpacks could not match it.
        let server = hosted().await;
        let issued = issue(&server, "Sans Courriel", None).await;
        let uuid = uuid_of(&issued);
        let png = get(
            &server,
            path_of(issued["links"]["png"].as_str().unwrap()),
            "image/png",
        )
        .await
        .bytes()
        .await
        .unwrap();
        assert_eq!(png_texts(&png, PNG_KEYWORD).unwrap().len(), 1);
        assert!(png_texts(&png, PNG_KEYWORD_OB2).unwrap().is_empty());
        assert_eq!(
            get(
                &server,
                &format!("/ob2/assertions/{uuid}"),
                "application/json"
            )
            .await
            .status(),
            404
        );
        let private_path = path_of(issued["links"]["page"].as_str().unwrap()).to_string();
        let private = get(&server, &private_path, "text/html")
            .await
            .text()
            .await
            .unwrap();
        assert!(
            private.contains("adresse e-mail : les sacs à badges"),
            "the page says why an e-mail matters: {private}"
        );

        // Offline (no public URL): no public page, no 2.0 documents, no second chunk.
        let offline = TestServer::start().await;
        let issued = issue(&offline, "Hors Ligne", Some("hl@example.org")).await;
        let uuid = uuid_of(&issued);
        for path in [
            format!("/badges/{uuid}"),
            format!("/ob2/assertions/{uuid}"),
            "/ob2/issuer".to_string(),
        ] {
            assert_eq!(
                get(&offline, &path, "text/html").await.status(),
                404,
                "{path}"
            );
        }
        let link = issued["links"]["png"].as_str().unwrap();
        let path = &link[link.find("/b/").unwrap()..];
        let png = get(&offline, path, "image/png")
            .await
            .bytes()
            .await
            .unwrap();
        assert!(png_texts(&png, PNG_KEYWORD_OB2).unwrap().is_empty());
        let page_link = issued["links"]["page"].as_str().unwrap();
        let private = get(
            &offline,
            &page_link[page_link.find("/b/").unwrap()..],
            "text/html",
        )
        .await
        .text()
        .await
        .unwrap();
        assert!(!private.contains("linkedin.com"));
    }
}

crate::on_both_stores! {
    /// README promises that downloaded badges stay valid after a participant's data is erased:
    /// the signed OB 3.0 file still verifies (Atelier and the third-party verifier, status list
    /// fetched from the server), while what named the person is no longer published: the OB 2.0
    /// hosted assertion answers 410 Gone with the reason (not 404, which backpacks show as a
    /// broken badge) and the public page says why it is gone.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn an_erased_participants_downloaded_badge_stays_valid() {
        use common::Client;
        let server = hosted().await;
        let code = server.create_session(&[]).await["code"]
            .as_str()
            .unwrap()
            .to_string();
        let (mut staff, _) = Client::staff(server.addr, &code, ADMIN_TOKEN).await;
        let (mut phone, welcome) = Client::join(server.addr, &code, "Inès").await;
        let pid = welcome["you"]["pid"].as_u64().unwrap();
        staff.send(json!({"type": "phase.next"})).await;
        staff.expect("phase.changed").await;
        staff
            .send(json!({"type": "badge.open", "mode": "automatic"}))
            .await;
        phone.expect("badge.opened").await;
        phone
            .send(json!({"type": "badge.request", "name": "Inès Martin", "email": "ines@example.org"}))
            .await;
        let ready = phone.expect("badge.ready").await;
        let link = ready["links"]["png"].as_str().unwrap();
        let png = server
            .http()
            .get(server.url(link.strip_prefix(PUBLIC_URL).unwrap_or(link)))
            .send()
            .await
            .unwrap()
            .bytes()
            .await
            .unwrap();
        let v2: Value = serde_json::from_str(&png_texts(&png, PNG_KEYWORD_OB2).unwrap()[0]).unwrap();
        let uuid = v2["id"]
            .as_str()
            .unwrap()
            .rsplit('/')
            .next()
            .unwrap()
            .to_string();
        assert_eq!(
            get(
                &server,
                &format!("/ob2/assertions/{uuid}"),
                "application/json"
            )
            .await
            .status(),
            200
        );

        let erased = server
            .http()
            .post(server.url(&format!("/api/sessions/{code}/participants/{pid}/erase")))
            .bearer_auth(ADMIN_TOKEN)
            .send()
            .await
            .unwrap();
        assert_eq!(erased.status(), 200);

        let gone = get(
            &server,
            &format!("/ob2/assertions/{uuid}"),
            "application/json",
        )
        .await;
        assert_eq!(gone.status(), 410);
        let gone: Value = gone.json().await.unwrap();
        assert_eq!(gone["revoked"], true);
        assert_eq!(gone["id"], format!("{PUBLIC_URL}/ob2/assertions/{uuid}"));
        let reason = gone["revocationReason"].as_str().unwrap();
        assert!(reason.contains("erased at their request"), "{reason}");
        assert!(!gone.to_string().contains("Inès"), "{gone}");
        let page = get(&server, &format!("/badges/{uuid}"), "text/html").await;
        assert_eq!(page.status(), 410);
        let page = page.text().await.unwrap();
        assert!(
            page.contains("retirée à la demande de son titulaire"),
            "{page}"
        );
        assert!(!page.contains("Inès"));

        // The file Inès downloaded: valid for Atelier's verifier and for the third-party one.
        let report: Value = server
            .http()
            .post(server.url("/api/verify"))
            .body(png.to_vec())
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(report["valid"], true, "{report}");
        if node_ready() {
            let dir = tempfile::tempdir().unwrap();
            let file = dir.path().join("badge.png");
            std::fs::write(&file, &png).unwrap();
            let result = run_js_hosted(&file, PUBLIC_URL, &format!("http://{}", server.addr));
            assert!(result.ok, "{}", result.output);
        }
    }
}

crate::on_both_stores! {
    /// Browser-based verifiers fetch the status list and the DID document from another origin.
    #[tokio::test]
    async fn the_status_list_and_the_did_document_may_be_read_from_any_origin() {
        let server = hosted().await;
        issue(&server, "Zoé", None).await;
        for path in ["/status/1", "/.well-known/did.json"] {
            let response = get(&server, path, "application/json").await;
            assert_eq!(response.status(), 200, "{path}");
            assert_eq!(
                response.headers()["access-control-allow-origin"],
                "*",
                "{path}"
            );
        }
    }
}

/// The URL of a `did:web` DID's document, by the did:web method's rules: the method-specific
/// id's `:`-separated parts are host (percent-decoded, so `%3A` is a port) and path; no path
/// means `/.well-known/did.json`.
fn did_web_url(did: &str) -> String {
    let id = did.strip_prefix("did:web:").expect("a did:web");
    let mut parts = id.split(':');
    let host = parts
        .next()
        .unwrap()
        .replace("%3A", ":")
        .replace("%3a", ":");
    let path: Vec<&str> = parts.collect();
    if path.is_empty() {
        format!("https://{host}/.well-known/did.json")
    } else {
        format!("https://{host}/{}/did.json", path.join("/"))
    }
}

crate::on_both_stores! {
    /// A hosted Atelier under a path (`https://host:8443/atelier`, behind a proxy that forwards
    /// that prefix to Atelier's root): its did:web resolves, and the verifiers agree.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn did_web_under_a_path_resolves() {
        const UNDER_A_PATH: &str = "https://badges.example.test:8443/atelier";
        let server = TestServer::start_hosted(UNDER_A_PATH).await;
        let issued = server
            .issue_badge(json!({"name": "Zoé", "lang": "fr"}))
            .await;
        let credential = &issued["credential"];
        let did = credential["issuer"]["id"].as_str().unwrap().to_string();
        assert_eq!(did, "did:web:badges.example.test%3A8443:atelier");
        let url = did_web_url(&did);
        assert_eq!(url, "https://badges.example.test:8443/atelier/did.json");
        // What the proxy does: the public prefix becomes the server's root.
        let local = url.strip_prefix(UNDER_A_PATH).unwrap();
        let response = get(&server, local, "application/json").await;
        assert_eq!(response.status(), 200);
        let document: Value = response.json().await.unwrap();
        assert_eq!(document["id"], did);
        let method = credential["proof"][0]["verificationMethod"]
            .as_str()
            .unwrap();
        assert!(
            document["assertionMethod"]
                .as_array()
                .unwrap()
                .iter()
                .any(|m| m["id"] == method),
            "{document}"
        );
        if node_ready() {
            let link = issued["links"]["png"].as_str().unwrap();
            let png = server
                .http()
                .get(server.url(link.strip_prefix(UNDER_A_PATH).unwrap_or(link)))
                .send()
                .await
                .unwrap()
                .bytes()
                .await
                .unwrap();
            let dir = tempfile::tempdir().unwrap();
            let file = dir.path().join("badge.png");
            std::fs::write(&file, &png).unwrap();
            let result = run_js_hosted(&file, UNDER_A_PATH, &format!("http://{}", server.addr));
            assert!(result.ok, "{}", result.output);
        }
    }
}

crate::on_both_stores! {
    /// `atelier rotate-key` on the data directory of a running server: the server signs with the
    /// new key at once and publishes it, badges signed before keep verifying, and so does a badge
    /// the command line signs with the new key.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_key_rotated_beside_a_running_server_is_used_at_once() {
        let server = hosted().await;
        let before = issue(&server, "Avant", None).await;
        let cli = |args: &[&str]| {
            let output = std::process::Command::new(env!("CARGO_BIN_EXE_atelier"))
                .args(args)
                .arg("--data-dir")
                .arg(&server.dir)
                .args(["--public-url", PUBLIC_URL])
                .env_remove("ATELIER_DATA_DIR")
                .envs(
                    server
                        .database
                        .as_ref()
                        .map(|url| ("ATELIER_DATABASE_URL", url)),
                )
                .output()
                .unwrap();
            assert!(
                output.status.success(),
                "{args:?}: {}",
                String::from_utf8_lossy(&output.stderr)
            );
            String::from_utf8(output.stdout).unwrap()
        };
        let rotated = cli(&["rotate-key"]);
        let new_key = rotated
            .trim()
            .strip_prefix("new signing key ")
            .unwrap()
            .to_string();
        let after = issue(&server, "Après", None).await;
        let method = after["credential"]["proof"][0]["verificationMethod"]
            .as_str()
            .unwrap();
        assert!(method.ends_with(&format!("#{new_key}")), "{method}");
        let document: Value = get(&server, "/.well-known/did.json", "application/json")
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(document["assertionMethod"].as_array().unwrap().len(), 2);

        let dir = tempfile::tempdir().unwrap();
        let from_cli = dir.path().join("cli.json");
        cli(&[
            "issue",
            "--name",
            "Ligne de commande",
            "--out",
            from_cli.to_str().unwrap(),
        ]);
        let cli_badge = std::fs::read(&from_cli).unwrap();
        for (what, body) in [
            ("before", before["credential"].to_string().into_bytes()),
            ("after", after["credential"].to_string().into_bytes()),
            ("cli", cli_badge),
        ] {
            let report: Value = server
                .http()
                .post(server.url("/api/verify"))
                .body(body)
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            assert_eq!(report["valid"], true, "{what}: {report}");
        }
    }
}

crate::on_both_stores! {
    /// Rewrites of a signed badge that keep its RDF (so its signature) but change its JSON: the
    /// verdict must be the reference verifier's, and a revoked badge must never come out valid
    /// because its status was written under another key.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn rewrites_that_keep_the_signature_do_not_fool_the_verifier() {
        use common::verifier::run_js_at;
        let status_iri = "https://www.w3.org/2018/credentials#credentialStatus";
        for hosted_run in [true, false] {
            let server = if hosted_run {
                hosted().await
            } else {
                TestServer::start().await
            };
            let issued = issue(&server, "Zoé", None).await;
            let id = issued["id"].as_str().unwrap().to_string();
            let revoked = server
                .http()
                .post(server.url(&format!("/api/badges/{id}/revoke")))
                .bearer_auth(ADMIN_TOKEN)
                .send()
                .await
                .unwrap();
            assert_eq!(revoked.status(), 200);
            let original = issued["credential"].clone();
            let mut cases: Vec<(&str, Value)> = Vec::new();
            let mut at_id = original.clone();
            let object = at_id.as_object_mut().unwrap();
            let the_id = object.remove("id").unwrap();
            object.insert("@id".into(), the_id);
            cases.push(("@id for id", at_id.clone()));
            if hosted_run {
                // Same RDF, and the status is no longer where a JSON reader looks for it.
                let mut renamed = original.clone();
                let object = renamed.as_object_mut().unwrap();
                let status = object.remove("credentialStatus").unwrap();
                object.insert(status_iri.into(), status.clone());
                cases.push(("credentialStatus as its IRI", renamed));
                let object = at_id.as_object_mut().unwrap();
                let status = object.remove("credentialStatus").unwrap();
                object.insert(status_iri.into(), status);
                cases.push(("both", at_id));
            }
            let mut extra = |what: &'static str, edit: &dyn Fn(&mut Value)| {
                let mut changed = original.clone();
                edit(&mut changed);
                cases.push((what, changed));
            };
            extra("@comment", &|v| v["@comment"] = json!("unsigned"));
            extra("@foo", &|v| {
                v["credentialSubject"]["@foo"] = json!("unsigned")
            });
            extra("null issuer description", &|v| {
                v["issuer"]["description"] = Value::Null
            });
            extra("tag as a string", &|v| {
                v["credentialSubject"]["achievement"]["tag"] = json!("t")
            });
            let dir = tempfile::tempdir().unwrap();
            for (what, credential) in cases {
                let report: Value = server
                    .http()
                    .post(server.url("/api/verify"))
                    .body(credential.to_string())
                    .send()
                    .await
                    .unwrap()
                    .json()
                    .await
                    .unwrap();
                assert_eq!(
                    report["valid"], false,
                    "hosted={hosted_run} {what}: {report}"
                );
                if what == "credentialStatus as its IRI" {
                    // The schema allows the member (additionalProperties), the signature holds:
                    // the status is read from what was signed, and the badge is revoked. (The
                    // reference verifier's harness reads the JSON's `credentialStatus` member and
                    // misses it: Atelier is stricter here, on purpose.)
                    assert!(report.to_string().contains("revoked"), "{report}");
                    continue;
                }
                if node_ready() {
                    let file = dir.path().join("rewritten.json");
                    std::fs::write(&file, credential.to_string()).unwrap();
                    let reference = if hosted_run {
                        run_js_hosted(&file, PUBLIC_URL, &format!("http://{}", server.addr))
                    } else {
                        run_js_at(&file, &[], None)
                    };
                    assert!(!reference.ok, "the reference accepts {what}?");
                }
            }
            // The revoked original itself: not valid, and said so.
            let report: Value = server
                .http()
                .post(server.url("/api/verify"))
                .body(original.to_string())
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            assert_eq!(report["valid"], false, "{report}");
        }
    }
}

crate::on_both_stores! {
    /// The command line on a hosted server's data directory issues what the server issues (a
    /// status list entry, did:web) without being told the public URL again, and refuses another.
    #[tokio::test]
    async fn the_command_line_issues_the_same_kind_of_badge_as_the_server() {
        let server = hosted().await;
        let cli = |args: &[&str]| {
            std::process::Command::new(env!("CARGO_BIN_EXE_atelier"))
                .args(args)
                .arg("--data-dir")
                .arg(&server.dir)
                .env_remove("ATELIER_DATA_DIR")
                .envs(
                    server
                        .database
                        .as_ref()
                        .map(|url| ("ATELIER_DATABASE_URL", url)),
                )
                .env_remove("ATELIER_PUBLIC_URL")
                .output()
                .unwrap()
        };
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("cli.json");
        let issued = cli(&[
            "issue",
            "--name",
            "Sans URL",
            "--out",
            out.to_str().unwrap(),
        ]);
        assert!(
            issued.status.success(),
            "{}",
            String::from_utf8_lossy(&issued.stderr)
        );
        assert!(String::from_utf8_lossy(&issued.stderr).contains(PUBLIC_URL));
        let credential: Value = serde_json::from_slice(&std::fs::read(&out).unwrap()).unwrap();
        assert_eq!(credential["issuer"]["id"], "did:web:badges.example.test");
        assert!(
            credential["credentialStatus"]["statusListCredential"]
                .as_str()
                .unwrap()
                .starts_with(PUBLIC_URL),
            "{credential}"
        );
        let other = dir.path().join("other.json");
        let refused = cli(&[
            "issue",
            "--name",
            "Autre URL",
            "--out",
            other.to_str().unwrap(),
            "--public-url",
            "https://elsewhere.example.test",
        ]);
        assert!(!refused.status.success());
        assert!(String::from_utf8_lossy(&refused.stderr).contains("runs with --public-url"));
        assert!(!other.exists());
    }
}
