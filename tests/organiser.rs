//! The organiser console over HTTP: access rules, the issuer profile and achievement texts that
//! go into the next badge, validated image uploads, revocation, sessions with their figures.

mod common;

use common::{ADMIN_TOKEN, Client, TestServer};
use reqwest::header::{CONTENT_TYPE, LOCATION, ORIGIN};
use serde_json::{Value, json};

/// A client that does not follow redirects (to see the 303 of each form).
fn no_redirect() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

fn encode(value: &str) -> String {
    value
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// Posts an HTML form (urlencoded) as the admin organiser.
async fn post_form(server: &TestServer, path: &str, fields: &[(&str, &str)]) -> reqwest::Response {
    let body = fields
        .iter()
        .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
        .collect::<Vec<_>>()
        .join("&");
    no_redirect()
        .post(server.url(path))
        .bearer_auth(ADMIN_TOKEN)
        .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(body)
        .send()
        .await
        .unwrap()
}

async fn upload(
    server: &TestServer,
    path: &str,
    id: Option<&str>,
    name: &str,
    bytes: Vec<u8>,
) -> reqwest::Response {
    let mut form = reqwest::multipart::Form::new().part(
        "image",
        reqwest::multipart::Part::bytes(bytes).file_name(name.to_string()),
    );
    if let Some(id) = id {
        form = form.text("id", id.to_string());
    }
    no_redirect()
        .post(server.url(path))
        .bearer_auth(ADMIN_TOKEN)
        .multipart(form)
        .send()
        .await
        .unwrap()
}

async fn page(server: &TestServer, path: &str) -> String {
    let response = server
        .http()
        .get(server.url(path))
        .bearer_auth(ADMIN_TOKEN)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200, "{path}");
    response.text().await.unwrap()
}

async fn issue(server: &TestServer, name: &str) -> Value {
    let response = server
        .http()
        .post(server.url("/api/badges"))
        .bearer_auth(ADMIN_TOKEN)
        .json(&json!({"name": name, "lang": "fr"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201);
    response.json().await.unwrap()
}

fn small_png() -> Vec<u8> {
    let mut out = Vec::new();
    {
        let mut encoder = png::Encoder::new(&mut out, 4, 4);
        encoder.set_color(png::ColorType::Rgba);
        encoder.set_depth(png::BitDepth::Eight);
        let mut writer = encoder.write_header().unwrap();
        writer.write_image_data(&[200u8; 4 * 4 * 4]).unwrap();
    }
    out
}

fn assert_done(response: &reqwest::Response, location: &str) {
    assert_eq!(response.status(), 303, "a redirect after the change");
    assert_eq!(response.headers()[LOCATION], location);
}

crate::on_both_stores! {
    #[tokio::test]
    async fn only_organisers_use_the_console() {
        let server = TestServer::start().await;
        let anonymous = no_redirect().get(server.url("/o")).send().await.unwrap();
        assert_eq!(anonymous.status(), 303);
        assert_eq!(anonymous.headers()[LOCATION], "/login");
        let facilitator = server.facilitator_token("claire").await;
        for path in ["/o", "/o/badges", "/o/issuer", "/o/accounts"] {
            let refused = server
                .http()
                .get(server.url(path))
                .bearer_auth(&facilitator)
                .send()
                .await
                .unwrap();
            assert_eq!(refused.status(), 403, "{path}");
        }
        let refused = server
            .http()
            .post(server.url("/o/issuer"))
            .bearer_auth(&facilitator)
            .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body("name=Pirate")
            .send()
            .await
            .unwrap();
        assert_eq!(refused.status(), 403);
        // A form posted from another site is refused (CSRF).
        let cross_site = no_redirect()
            .post(server.url("/o/issuer"))
            .bearer_auth(ADMIN_TOKEN)
            .header(ORIGIN, "http://evil.example")
            .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body("name=Pirate")
            .send()
            .await
            .unwrap();
        assert_eq!(cross_site.status(), 403);
        assert!(!page(&server, "/o/issuer").await.contains("Pirate"));
        for path in ["/o", "/o/badges", "/o/issuer", "/o/accounts"] {
            page(&server, path).await;
        }
    }
}

crate::on_both_stores! {
    #[tokio::test]
    async fn the_issuer_profile_and_achievement_texts_go_into_the_next_badge() {
        let server = TestServer::start().await;
        let before = issue(&server, "Ada").await;
        assert_ne!(
            before["credential"]["issuer"]["name"],
            "Région Hauts-de-France"
        );

        // A bad URL or e-mail is refused and changes nothing.
        let refused = post_form(
            &server,
            "/o/issuer",
            &[("name", "Région"), ("url", "javascript:alert(1)")],
        )
        .await;
        assert_eq!(refused.status(), 422);
        assert!(refused.text().await.unwrap().contains("https://"));
        let refused = post_form(
            &server,
            "/o/issuer",
            &[("name", "Région"), ("email", "not an address")],
        )
        .await;
        assert_eq!(refused.status(), 422);
        let refused = post_form(&server, "/o/issuer", &[("name", "  ")]).await;
        assert_eq!(refused.status(), 422);

        let saved = post_form(
            &server,
            "/o/issuer",
            &[
                ("name", "Région Hauts-de-France"),
                ("url", "https://www.hautsdefrance.example"),
                ("email", "badges@hautsdefrance.example"),
                ("description", "Open Badges for IT"),
            ],
        )
        .await;
        assert_done(&saved, "/o/issuer?done=issuer");
        let shown = page(&server, "/o/issuer?done=issuer").await;
        assert!(shown.contains("Région Hauts-de-France"));
        assert!(shown.contains("émetteur enregistré"));

        let after = issue(&server, "Grace").await;
        let issuer = &after["credential"]["issuer"];
        assert_eq!(issuer["name"], "Région Hauts-de-France");
        assert_eq!(issuer["email"], "badges@hautsdefrance.example");
        assert!(
            issuer["url"]
                .as_str()
                .unwrap()
                .starts_with("https://www.hautsdefrance.example")
        );

        // The achievement's texts, in three languages.
        let state = &server.running.as_ref().unwrap().state;
        let id = state.issuer.default_achievement().await.unwrap();
        let mut fields = vec![("id", id.as_str())];
        let texts = [
            ("name_fr", "Explorateur des Open Badges"),
            ("name_nl", "Verkenner van Open Badges"),
            ("name_en", "Open Badges explorer"),
            ("description_fr", "A découvert les Open Badges."),
            ("description_nl", "Ontdekte Open Badges."),
            ("description_en", "Discovered Open Badges."),
            ("criteria_fr", "Participer à l'atelier."),
            ("criteria_nl", "Deelnemen aan de workshop."),
            ("criteria_en", "Take part in the workshop."),
            ("competence_fr", "Reconnaître les compétences"),
            ("competence_nl", "Competenties erkennen"),
            ("competence_en", "Recognising competences"),
        ];
        fields.extend(texts);
        // One field empty: refused.
        let mut missing = fields.clone();
        missing.retain(|(k, _)| *k != "criteria_nl");
        let refused = post_form(&server, "/o/achievements", &missing).await;
        assert_eq!(refused.status(), 422);
        let saved = post_form(&server, "/o/achievements", &fields).await;
        assert_done(&saved, "/o/issuer?done=achievement");
        let badge = issue(&server, "Hedy").await;
        let achievement = &badge["credential"]["credentialSubject"]["achievement"];
        assert_eq!(achievement["name"], "Explorateur des Open Badges");
        assert_eq!(
            achievement["criteria"]["narrative"],
            "Participer à l'atelier."
        );
        let unknown = post_form(
            &server,
            "/o/achievements",
            &[("id", "urn:uuid:00000000-0000-0000-0000-000000000000")],
        )
        .await;
        assert_eq!(unknown.status(), 422);
    }
}

crate::on_both_stores! {
    #[tokio::test]
    async fn image_uploads_are_validated() {
        let server = TestServer::start().await;
        let state = &server.running.as_ref().unwrap().state;
        let id = state.issuer.default_achievement().await.unwrap();

        // Not an image.
        let refused = upload(
            &server,
            "/o/issuer/image",
            None,
            "notes.txt",
            b"just some text, not an image".to_vec(),
        )
        .await;
        assert_eq!(refused.status(), 422);
        assert!(refused.text().await.unwrap().contains("Image refusée"));
        // Too big (a PNG signature followed by 1.5 MiB).
        let mut big = b"\x89PNG\r\n\x1a\n".to_vec();
        big.resize(1536 * 1024, 0);
        let refused = upload(&server, "/o/issuer/image", None, "big.png", big.clone()).await;
        assert_eq!(refused.status(), 422);
        assert!(refused.text().await.unwrap().contains("1 MiB"));
        let refused = upload(&server, "/o/achievements/image", Some(&id), "big.png", big).await;
        assert_eq!(refused.status(), 422);
        // An SVG with a script.
        let evil = br#"<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>"#;
        let refused = upload(
            &server,
            "/o/achievements/image",
            Some(&id),
            "evil.svg",
            evil.to_vec(),
        )
        .await;
        assert_eq!(refused.status(), 422);
        assert!(state.store.setting("issuer_image").await.unwrap().is_none());
        assert!(
            state
                .store
                .achievement(&id)
                .await
                .unwrap()
                .unwrap()
                .image
                .is_none()
        );

        // Good images are stored.
        let svg = br##"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><rect width="10" height="10" fill="#0b5cad"/></svg>"##;
        let saved = upload(&server, "/o/issuer/image", None, "logo.svg", svg.to_vec()).await;
        assert_done(&saved, "/o/issuer?done=image");
        let stored: Value =
            serde_json::from_str(&state.store.setting("issuer_image").await.unwrap().unwrap()).unwrap();
        assert_eq!(stored["type"], "image/svg+xml");
        let saved = upload(
            &server,
            "/o/achievements/image",
            Some(&id),
            "badge.png",
            small_png(),
        )
        .await;
        assert_done(&saved, "/o/issuer?done=image");
        let row = state.store.achievement(&id).await.unwrap().unwrap();
        assert_eq!(row.image.unwrap().1, "image/png");
        let shown = page(&server, "/o/issuer").await;
        assert!(shown.contains("data:image/png;base64,"));
        assert!(shown.contains("data:image/svg+xml;base64,"));
        // The next badge carries the uploaded picture.
        let badge = issue(&server, "Ada").await;
        let image = badge["credential"]["credentialSubject"]["achievement"]["image"]["id"]
            .as_str()
            .unwrap()
            .to_string();
        assert!(image.starts_with("data:image/png;base64,"), "{image}");

        // And can be removed again.
        let form = reqwest::multipart::Form::new()
            .text("id", id.clone())
            .text("remove", "1");
        let removed = no_redirect()
            .post(server.url("/o/achievements/image"))
            .bearer_auth(ADMIN_TOKEN)
            .multipart(form)
            .send()
            .await
            .unwrap();
        assert_done(&removed, "/o/issuer?done=image-removed");
        assert!(
            state
                .store
                .achievement(&id)
                .await
                .unwrap()
                .unwrap()
                .image
                .is_none()
        );
    }
}

crate::on_both_stores! {
    #[tokio::test]
    async fn badges_are_revoked_from_the_console() {
        let server = TestServer::start().await;
        let issued = issue(&server, "Ada Lovelace").await;
        let id = issued["id"].as_str().unwrap().to_string();
        let listed = page(&server, "/o/badges").await;
        assert!(listed.contains("Ada Lovelace"));
        assert!(listed.contains("Valide"));

        let revoked = post_form(&server, "/o/badges/revoke", &[("id", &id)]).await;
        assert_done(&revoked, "/o/badges?done=revoked");
        let badges: Value = server
            .http()
            .get(server.url("/api/badges"))
            .bearer_auth(ADMIN_TOKEN)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let row = badges["badges"]
            .as_array()
            .unwrap()
            .iter()
            .find(|b| b["id"] == id.as_str())
            .unwrap()
            .clone();
        assert!(row["revoked_at"].is_string());
        let listed = page(&server, "/o/badges?done=revoked").await;
        assert!(listed.contains("Révoqué le"));
        assert!(listed.contains("Badge révoqué"));
        // The verifier agrees.
        let report: Value = server
            .http()
            .post(server.url("/api/verify"))
            .body(issued["credential"].to_string())
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_ne!(report["valid"], true, "{report}");

        let unknown = post_form(
            &server,
            "/o/badges/revoke",
            &[("id", "urn:uuid:00000000-0000-0000-0000-000000000000")],
        )
        .await;
        assert_eq!(unknown.status(), 404);
    }
}

crate::on_both_stores! {
    #[tokio::test]
    async fn the_overview_shows_sessions_feedback_and_charts() {
        let server = TestServer::start().await;
        let facilitator = server.facilitator_token("claire").await;
        let session = server
            .create_session_as(&facilitator, &["bingo", "fresque"])
            .await;
        let code = session["code"].as_str().unwrap().to_string();
        let (mut staff, _) = Client::staff(server.addr, &code, ADMIN_TOKEN).await;
        let mut phones = Vec::new();
        for (i, rating) in [5, 4, 4].iter().enumerate() {
            let (client, welcome) = Client::join(server.addr, &code, &format!("P{i}")).await;
            phones.push((
                client,
                welcome["token"].as_str().unwrap().to_string(),
                rating,
            ));
        }
        staff
            .send(json!({"type": "phase.set", "phase": {"kind": "feedback"}}))
            .await;
        staff.expect("phase.changed").await;
        for (_, token, rating) in &phones {
            let response = server
                .http()
                .post(server.url("/api/feedback"))
                .json(&json!({"token": token, "overall": rating, "comment": "Génial <b>vraiment</b>"}))
                .send()
                .await
                .unwrap();
            assert_eq!(response.status(), 201);
        }
        let html = page(&server, "/o").await;
        assert!(html.contains(&code));
        assert!(html.contains("claire"));
        assert!(html.contains("4,3"), "average in French");
        assert!(
            html.contains("<svg class=\"chart\""),
            "server-rendered charts"
        );
        assert!(
            html.contains("Génial &#60;b&#62;vraiment&#60;/b&#62;"),
            "comments escaped"
        );
        assert!(html.contains("/api/feedback.csv"));
        // The participant count of the session row: 3.
        let row = html
            .split("<tr>")
            .find(|r| r.contains(&code) && r.contains("claire"))
            .unwrap();
        assert!(row.contains(">3</td>"), "{row}");

        // Filters.
        let filtered = page(&server, "/o?facilitator=nobody-else").await;
        assert!(filtered.contains("Filtre ignoré"));
        let filtered = page(&server, "/o?from=2999-01-01").await;
        assert!(!filtered.contains(&format!("<code>{code}</code>")));
        let filtered = page(&server, "/o?deck=open-badges&facilitator=claire").await;
        assert!(filtered.contains(&code));
        let bad = page(&server, "/o?from=demain").await;
        assert!(bad.contains("YYYY-MM-DD"));

        // Facilitator accounts, moved here from the old page.
        let created = post_form(
            &server,
            "/o/users",
            &[("username", "bruno"), ("password", "un mot de passe long")],
        )
        .await;
        assert_eq!(created.status(), 200);
        assert!(created.text().await.unwrap().contains("bruno"));
        let taken = post_form(
            &server,
            "/o/users",
            &[("username", "bruno"), ("password", "un mot de passe long")],
        )
        .await;
        assert_eq!(taken.status(), 422);
        assert!(page(&server, "/o/accounts").await.contains("bruno"));
        // Common and trivial passwords are refused, and the page says why in French.
        let weak = post_form(
            &server,
            "/o/users",
            &[("username", "chloe"), ("password", "password1234")],
        )
        .await;
        assert_eq!(weak.status(), 422);
        assert!(weak.text().await.unwrap().contains("trop facile à deviner"));
        let short = post_form(
            &server,
            "/o/users",
            &[("username", "chloe"), ("password", "Zq8#kP2!xw")],
        )
        .await;
        assert!(short.text().await.unwrap().contains("12 caractères"));
        assert!(!page(&server, "/o/accounts").await.contains("chloe"));
    }
}

crate::on_both_stores! {
    #[tokio::test]
    async fn the_api_refuses_weak_passwords_with_stable_codes() {
        let server = TestServer::start().await;
        for (password, code) in [
            ("aaaaaaaaaaaa", "password_too_weak"),
            ("password1234", "password_too_weak"),
            ("daniel123456", "password_too_weak"),
            ("Zq8#kP2!xw", "password_too_short"),
        ] {
            let answer = server
                .http()
                .post(server.url("/api/users"))
                .bearer_auth(ADMIN_TOKEN)
                .json(&json!({"username": "daniel", "password": password}))
                .send()
                .await
                .unwrap();
            assert_eq!(answer.status(), 422, "{password}");
            let body: Value = answer.json().await.unwrap();
            assert_eq!(body["error"]["code"], code, "{password}: {body}");
        }
    }
}

crate::on_both_stores! {
    #[tokio::test]
    async fn the_privacy_page_speaks_three_languages() {
        let server = TestServer::start().await;
        for (lang, words) in [("fr", "90 jours"), ("nl", "90 dagen"), ("en", "90 days")] {
            let html = server
                .http()
                .get(server.url(&format!("/privacy?lang={lang}")))
                .send()
                .await
                .unwrap()
                .text()
                .await
                .unwrap();
            assert!(html.contains(words), "{lang}: {html}");
            assert!(html.contains(&format!("lang=\"{lang}\"")));
        }
        // Linked from every page, the phone's too.
        let home = server
            .http()
            .get(server.url("/"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(home.contains("href=\"/privacy\""));
    }
}

crate::on_both_stores! {
    /// The first organiser, through the one-time link, is asked at once for the organisation that
    /// issues the badges (until then they carry the software's name), and the overview reminds
    /// them until it is set.
    #[tokio::test]
    async fn the_first_organiser_is_asked_for_the_organisation() {
        let server = TestServer::start().await;
        let link = server
            .running
            .as_ref()
            .unwrap()
            .signin_url
            .clone()
            .expect("a one-time link while there is no organiser");
        let path = link
            .split_once("/signin/")
            .map(|(_, t)| format!("/signin/{t}"))
            .unwrap();
        let no_redirect = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        let created = no_redirect
            .post(server.url(&path))
            .form(&[
                ("username", "olga"),
                ("password", "Tulipe-Moulin-Escalier-42"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(created.status(), 303);
        assert_eq!(created.headers()[LOCATION], "/o/issuer?done=welcome");
        let cookie = created.headers()["set-cookie"]
            .to_str()
            .unwrap()
            .split(';')
            .next()
            .unwrap()
            .to_string();
        let page = |path: &'static str| {
            let request = no_redirect
                .get(server.url(path))
                .header("cookie", cookie.clone())
                .header("accept-language", "fr");
            async move { request.send().await.unwrap().text().await.unwrap() }
        };
        let welcome = page("/o/issuer?done=welcome").await;
        assert!(
            welcome.contains("Commencez par votre organisation"),
            "{welcome}"
        );
        let overview = page("/o").await;
        assert!(overview.contains("id=\"issuer-missing\""), "{overview}");
        server
            .set_issuer(&[("name", "Région & Co"), ("url", "https://example.org")])
            .await;
        let overview = page("/o").await;
        assert!(!overview.contains("id=\"issuer-missing\""), "{overview}");
    }
}

crate::on_both_stores! {
    /// One-time sign-in links: a new one voids the older, they expire after an hour, and every
    /// one is void once an organiser exists (two starts made two links, and two organisers).
    #[tokio::test]
    async fn one_time_links_expire_and_void_each_other() {
        let mut server = TestServer::start().await;
        let link_of = |server: &TestServer| {
            let link = server.running.as_ref().unwrap().signin_url.clone();
            link.map(|l| {
                l.split_once("/signin/")
                    .map(|(_, t)| format!("/signin/{t}"))
                    .unwrap()
            })
        };
        let status = |server: &TestServer, path: String| {
            let request = server.http().get(server.url(&path)).send();
            async move { request.await.unwrap().status().as_u16() }
        };
        let first = link_of(&server).expect("a link");
        assert_eq!(status(&server, first.clone()).await, 200);
        server.restart().await;
        let second = link_of(&server).expect("a new link");
        assert_eq!(status(&server, first).await, 404, "the older link is void");
        assert_eq!(status(&server, second.clone()).await, 200);

        // An hour later it no longer works.
        common::RawDb::of(&server)
            .await
            .run("UPDATE signin_links SET created_at = '2020-01-01T00:00:00Z'")
            .await;
        assert_eq!(status(&server, second).await, 404, "expired");

        // An organiser made from the shell voids the link of the running server.
        server.restart().await;
        let third = link_of(&server).expect("a new link");
        let mut add = std::process::Command::new(env!("CARGO_BIN_EXE_atelier"))
            .args(["user", "add", "--role", "organiser", "olga", "--data-dir"])
            .arg(&server.dir)
            .envs(
                server
                    .database
                    .as_ref()
                    .map(|url| ("ATELIER_DATABASE_URL", url)),
            )
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::null())
            .spawn()
            .unwrap();
        use std::io::Write as _;
        add.stdin
            .take()
            .unwrap()
            .write_all(b"Tulipe-Moulin-Escalier-42\n")
            .unwrap();
        assert!(add.wait().unwrap().success());
        assert_eq!(status(&server, third.clone()).await, 404);
        let refused = server
            .http()
            .post(server.url(&third))
            .form(&[
                ("username", "mallory"),
                ("password", "Tulipe-Moulin-Escalier-43"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(refused.status(), 404, "no second organiser");
        server.restart().await;
        assert!(
            link_of(&server).is_none(),
            "no link once an organiser exists"
        );
    }
}
