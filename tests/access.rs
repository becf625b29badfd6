//! Who may do what: EVERY HTTP route (src/web/*.rs) and EVERY WebSocket message
//! (docs/protocol.md), tried by six callers, each allowed or refused as the table says.
//!
//! Callers, in the order of each row's six letters:
//!   0 anonymous · 1 participant of session A · 2 participant of session B ·
//!   3 facilitator of session B · 4 facilitator of session A · 5 organiser.
//! A participant's credential is its resume token (as `Authorization: Bearer`, which is how
//! `/api/me` reads it); staff use API tokens from `POST /api/login` (pages read cookies and
//! bearer tokens the same way: `web::principal_from`).
//!
//! `A` = allowed: the request passes authorisation (any answer but 401, 403, 404 or a
//! redirect to `/login`; some rows check more). `R` = refused: 401, 403, 404 (a session
//! that is not yours is "not found") or a redirect to `/login`.
//!
//! Brute force: join codes (`core_ws::guessing_join_codes_is_cut_off`), claim codes
//! (`badge_desk`), and logins (`logins_are_rate_limited` below).

mod common;

use std::collections::HashMap;

use common::{ADMIN_TOKEN, Client, TestServer};
use reqwest::StatusCode;
use reqwest::header::{CONTENT_TYPE, LOCATION};
use serde_json::{Value, json};

const PASSWORD: &str = "a long enough password";

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum Who {
    Anonymous,
    ParticipantA,
    ParticipantB,
    FacilitatorB,
    FacilitatorA,
    Organiser,
}

const EVERYONE: [Who; 6] = [
    Who::Anonymous,
    Who::ParticipantA,
    Who::ParticipantB,
    Who::FacilitatorB,
    Who::FacilitatorA,
    Who::Organiser,
];

/// Two sessions, their people, and the ids the routes need.
struct World {
    server: TestServer,
    code_a: String,
    code_b: String,
    key_a: String,
    key_b: String,
    credentials: HashMap<Who, Option<String>>,
    /// A participant of A that the organiser may erase.
    erasable_pid: u64,
    /// A badge issued by hand, with its private link secret.
    badge_id: String,
    badge_secret: String,
    /// Badges the organiser revokes (API, console).
    revocable_api: String,
    revocable_form: String,
    deck: String,
}

fn no_redirect() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

fn key_of(session: &Value) -> String {
    session["screen_url"]
        .as_str()
        .unwrap()
        .split("?k=")
        .nth(1)
        .unwrap()
        .to_string()
}

async fn issue(server: &TestServer, name: &str) -> Value {
    let response = server
        .http()
        .post(server.url("/api/badges"))
        .bearer_auth(ADMIN_TOKEN)
        .json(&json!({"name": name}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201);
    response.json().await.unwrap()
}

async fn world() -> World {
    let server = TestServer::start().await;
    let state = &server.running.as_ref().unwrap().state;
    let hash = atelier::auth::hash_password("staff", PASSWORD).unwrap();
    state
        .store
        .create_user("olga", &hash, atelier::store::Role::Organiser)
        .await
        .unwrap();
    let organiser: Value = server
        .http()
        .post(server.url("/api/login"))
        .json(&json!({"username": "olga", "password": PASSWORD}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let organiser = organiser["token"].as_str().unwrap().to_string();
    let fac_a = server.facilitator_token("alice").await;
    let fac_b = server.facilitator_token("bruno").await;
    let session_a = server
        .create_session_as(&fac_a, &["bingo", "fresque"])
        .await;
    let session_b = server
        .create_session_as(&fac_b, &["bingo", "fresque"])
        .await;
    let code_a = session_a["code"].as_str().unwrap().to_string();
    let code_b = session_b["code"].as_str().unwrap().to_string();
    let (pa, welcome_a) = Client::join(server.addr, &code_a, "Ada").await;
    let (pb, welcome_b) = Client::join(server.addr, &code_b, "Bob").await;
    let (px, welcome_x) = Client::join(server.addr, &code_a, "Xavier").await;
    pa.close().await;
    pb.close().await;
    px.close().await;
    let badge = issue(&server, "Hand Issued").await;
    let page = badge["links"]["page"].as_str().unwrap();
    let badge_secret = page.split("?k=").nth(1).unwrap().to_string();
    let revocable_api = issue(&server, "Revoked By Api").await["id"]
        .as_str()
        .unwrap()
        .to_string();
    let revocable_form = issue(&server, "Revoked By Form").await["id"]
        .as_str()
        .unwrap()
        .to_string();
    let credentials = HashMap::from([
        (Who::Anonymous, None),
        (
            Who::ParticipantA,
            Some(welcome_a["token"].as_str().unwrap().to_string()),
        ),
        (
            Who::ParticipantB,
            Some(welcome_b["token"].as_str().unwrap().to_string()),
        ),
        (Who::FacilitatorB, Some(fac_b)),
        (Who::FacilitatorA, Some(fac_a)),
        (Who::Organiser, Some(organiser)),
    ]);
    World {
        key_a: key_of(&session_a),
        key_b: key_of(&session_b),
        deck: session_a["deck"].as_str().unwrap().to_string(),
        server,
        code_a,
        code_b,
        credentials,
        erasable_pid: welcome_x["you"]["pid"].as_u64().unwrap(),
        badge_id: badge["id"].as_str().unwrap().to_string(),
        badge_secret,
        revocable_api,
        revocable_form,
    }
}

impl World {
    fn fill(&self, template: &str) -> String {
        let uuid = self.badge_id.trim_start_matches("urn:uuid:");
        template
            .replace("{A}", &self.code_a)
            .replace("{B}", &self.code_b)
            .replace("{KEY_A}", &self.key_a)
            .replace("{KEY_B}", &self.key_b)
            .replace("{X}", &self.erasable_pid.to_string())
            .replace("{BADGE}", uuid)
            .replace("{SECRET}", &self.badge_secret)
            .replace("{REVOKE_API}", &self.revocable_api)
            .replace("{REVOKE_FORM}", &self.revocable_form)
            .replace("{DECK}", &self.deck)
    }

    fn credential(&self, who: Who) -> Option<&str> {
        self.credentials[&who].as_deref()
    }
}

#[derive(Clone, Copy)]
enum Body {
    None,
    Json(&'static str),
    Form(&'static str),
    /// A multipart form with one empty file field of this name.
    Multipart(&'static str),
    Bytes(&'static [u8]),
}

/// One row of the table: method, path (with placeholders), body, and six letters.
struct Route {
    method: &'static str,
    path: &'static str,
    body: Body,
    expect: &'static str,
}

const fn r(method: &'static str, path: &'static str, body: Body, expect: &'static str) -> Route {
    Route {
        method,
        path,
        body,
        expect,
    }
}

/// Every route of `web::router`, in the order of the source files.
const ROUTES: &[Route] = &[
    // web/mod.rs
    r("GET", "/healthz", Body::None, "AAAAAA"),
    r("GET", "/static/ws.js", Body::None, "AAAAAA"),
    r("GET", "/i18n/fr.ftl", Body::None, "AAAAAA"),
    // web/pages.rs
    r("GET", "/", Body::None, "AAAAAA"),
    r("GET", "/me", Body::None, "AAAAAA"),
    r("GET", "/join?code={A}", Body::None, "AAAAAA"),
    r("GET", "/j/{A}", Body::None, "AAAAAA"),
    r("GET", "/login", Body::None, "AAAAAA"),
    r("POST", "/logout", Body::Form(""), "AAAAAA"),
    // A sign-in link is its own credential: a made-up one is refused to everyone.
    r("GET", "/signin/not-a-real-link", Body::None, "RRRRRR"),
    r(
        "POST",
        "/signin/not-a-real-link",
        Body::Form("username=eve&password=a+long+enough+password"),
        "RRRRRR",
    ),
    r("GET", "/f", Body::None, "RRRAAA"),
    r(
        "POST",
        "/f/sessions",
        Body::Form("title=T&lang=fr&activities=bingo"),
        "RRRAAA",
    ),
    r("GET", "/f/s/{A}", Body::None, "RRRRAA"),
    // The projector page is a shell: its WebSocket checks the key (see the WS table).
    r("GET", "/screen/{A}?k={KEY_A}", Body::None, "AAAAAA"),
    // The deck WITH definitions (the bingo's answers): staff of A, or A's projector key.
    r("GET", "/s/{A}/deck/fr.json", Body::None, "RRRRAA"),
    r("GET", "/s/{A}/deck/fr.json?k={KEY_A}", Body::None, "AAAAAA"),
    r("GET", "/s/{A}/deck/fr.json?k={KEY_B}", Body::None, "RRRRAA"),
    r("GET", "/qr/{A}.svg", Body::None, "AAAAAA"),
    // web/api.rs
    r(
        "POST",
        "/api/sessions",
        Body::Json(r#"{"title":"T","lang":"fr","activities":["bingo"]}"#),
        "RRRAAA",
    ),
    r("GET", "/api/sessions", Body::None, "RRRAAA"),
    r("GET", "/api/sessions/{A}", Body::None, "RRRRAA"),
    r(
        "POST",
        "/api/login",
        Body::Json(r#"{"username":"nobody","password":"wrong password"}"#),
        "RRRRRR",
    ),
    r(
        "POST",
        "/api/users",
        Body::Json(r#"{"username":"made-by-api","password":"a long enough password"}"#),
        "RRRRRA",
    ),
    r(
        "POST",
        "/api/sessions/{A}/participants/{X}/erase",
        Body::None,
        "RRRRRA",
    ),
    r("GET", "/api/settings/retention", Body::None, "RRRRRA"),
    r(
        "PUT",
        "/api/settings/retention",
        Body::Json(r#"{"days":90}"#),
        "RRRRRA",
    ),
    r("POST", "/api/retention/run", Body::None, "RRRRRA"),
    // Right of access: a participant's own data, with their resume token.
    r("GET", "/api/me", Body::None, "RAARRR"),
    // The public deck texts (no definitions).
    r("GET", "/decks/{DECK}/fr.json", Body::None, "AAAAAA"),
    // web/badges.rs (did.json and the status list need a public URL: 404 here for all)
    r("GET", "/.well-known/did.json", Body::None, "RRRRRR"),
    r("GET", "/status/1", Body::None, "RRRRRR"),
    r("GET", "/verify", Body::None, "AAAAAA"),
    r("POST", "/verify", Body::Multipart("badge"), "AAAAAA"),
    r("POST", "/api/verify", Body::Bytes(b"{}"), "AAAAAA"),
    r(
        "POST",
        "/api/badges",
        Body::Json(r#"{"name":"Made By Api"}"#),
        "RRRRRA",
    ),
    r("GET", "/api/badges", Body::None, "RRRRRA"),
    r(
        "POST",
        "/api/badges/{REVOKE_API}/revoke",
        Body::None,
        "RRRRRA",
    ),
    // A badge's private page and downloads: its secret, or an organiser.
    r("GET", "/b/{BADGE}?k={SECRET}", Body::None, "AAAAAA"),
    r("GET", "/b/{BADGE}", Body::None, "RRRRRR"),
    r("GET", "/b/{BADGE}?k=wrong", Body::None, "RRRRRR"),
    r(
        "GET",
        "/b/{BADGE}/badge.png?k={SECRET}",
        Body::None,
        "AAAAAA",
    ),
    r("GET", "/b/{BADGE}/credential.json", Body::None, "RRRRRA"),
    r("GET", "/b/{BADGE}/badge.svg?k=wrong", Body::None, "RRRRRA"),
    // web/hosted.rs: public pages and OB 2.0 documents exist only with a public URL (404 for
    // all here; tests/badge_hosted.rs checks them hosted). Hiding or showing the public page
    // takes the badge's secret, whoever asks.
    r("GET", "/badges/{BADGE}", Body::None, "RRRRRR"),
    r(
        "GET",
        "/badges/{BADGE}/credential.json",
        Body::None,
        "RRRRRR",
    ),
    r("GET", "/ob2/issuer", Body::None, "RRRRRR"),
    r("GET", "/ob2/assertions/{BADGE}", Body::None, "RRRRRR"),
    r(
        "POST",
        "/b/{BADGE}/public",
        Body::Form("k=wrong&public=0"),
        "RRRRRR",
    ),
    r(
        "POST",
        "/b/{BADGE}/public",
        Body::Form("k={SECRET}&public=1"),
        "AAAAAA",
    ),
    r("GET", "/claim", Body::None, "AAAAAA"),
    r("GET", "/qr/claim/K7M2QX.svg", Body::None, "AAAAAA"),
    // web/feedback.rs (a feedback is authorised by the resume token in its body: see below)
    r(
        "POST",
        "/api/feedback",
        Body::Json(r#"{"token":"not-a-token","overall":5}"#),
        "RRRRRR",
    ),
    r("GET", "/api/feedback.csv", Body::None, "RRRRRA"),
    r("GET", "/api/feedback.json", Body::None, "RRRRRA"),
    r(
        "GET",
        "/api/sessions/{A}/feedback/stats",
        Body::None,
        "RRRRAA",
    ),
    r(
        "GET",
        "/api/sessions/{A}/feedback/stats?k={KEY_A}",
        Body::None,
        "AAAAAA",
    ),
    r(
        "POST",
        "/api/sessions/{A}/feedback/comments",
        Body::Json(r#"{"show":false}"#),
        "RRRRAA",
    ),
    r("GET", "/privacy", Body::None, "AAAAAA"),
    // web/organiser.rs
    r("GET", "/o", Body::None, "RRRRRA"),
    r("GET", "/o/badges", Body::None, "RRRRRA"),
    r(
        "POST",
        "/o/badges/revoke",
        Body::Form("id={REVOKE_FORM}"),
        "RRRRRA",
    ),
    r("GET", "/o/issuer", Body::None, "RRRRRA"),
    r("POST", "/o/issuer", Body::Form("name="), "RRRRRA"),
    r(
        "POST",
        "/o/issuer/image",
        Body::Multipart("image"),
        "RRRRRA",
    ),
    r("POST", "/o/achievements", Body::Form("id=nope"), "RRRRRA"),
    r(
        "POST",
        "/o/achievements/image",
        Body::Multipart("image"),
        "RRRRRA",
    ),
    r("GET", "/o/accounts", Body::None, "RRRRRA"),
    r(
        "POST",
        "/o/users",
        Body::Form("username=made-by-form&password=a+long+enough+password"),
        "RRRRRA",
    ),
];

async fn call(world: &World, route: &Route, who: Who) -> (StatusCode, Option<String>, String) {
    let url = world.server.url(&world.fill(route.path));
    let method = reqwest::Method::from_bytes(route.method.as_bytes()).unwrap();
    let mut request = no_redirect().request(method, url);
    if let Some(token) = world.credential(who) {
        request = request.bearer_auth(token);
    }
    request = match route.body {
        Body::None => request,
        Body::Json(text) => request
            .header(CONTENT_TYPE, "application/json")
            .body(world.fill(text)),
        Body::Form(text) => request
            .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(world.fill(text)),
        Body::Multipart(field) => request.multipart(reqwest::multipart::Form::new().part(
            field,
            reqwest::multipart::Part::bytes(Vec::new()).file_name("empty.png"),
        )),
        Body::Bytes(bytes) => request.body(bytes.to_vec()),
    };
    let response = request.send().await.unwrap();
    let status = response.status();
    let location = response
        .headers()
        .get(LOCATION)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let body = response.text().await.unwrap_or_default();
    (status, location, body)
}

fn refused(status: StatusCode, location: Option<&str>) -> bool {
    matches!(status.as_u16(), 401 | 403 | 404)
        || (status.is_redirection() && location.is_some_and(|l| l.starts_with("/login")))
}

#[tokio::test]
async fn every_http_route_is_allowed_or_refused_as_intended() {
    let world = world().await;
    let mut failures = Vec::new();
    for route in ROUTES {
        assert_eq!(route.expect.len(), 6, "{}", route.path);
        for (who, letter) in EVERYONE.iter().zip(route.expect.chars()) {
            let (status, location, body) = call(&world, route, *who).await;
            let was_refused = refused(status, location.as_deref());
            let ok = match letter {
                'A' => !was_refused && !status.is_server_error(),
                'R' => was_refused,
                other => panic!("bad letter {other}"),
            };
            if !ok {
                failures.push(format!(
                    "{} {} as {who:?}: expected {}, got {status} {location:?} {}",
                    route.method,
                    route.path,
                    if letter == 'A' { "allowed" } else { "refused" },
                    body.chars().take(200).collect::<String>()
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Rows whose "allowed" answer must also be limited to the caller's own data.
#[tokio::test]
async fn what_each_caller_sees_is_only_their_own() {
    let world = world().await;
    let get = |path: String, who: Who| {
        let world = &world;
        async move {
            let route = Route {
                method: "GET",
                path: Box::leak(path.into_boxed_str()),
                body: Body::None,
                expect: "AAAAAA",
            };
            call(world, &route, who).await
        }
    };
    // Facilitators list their own sessions; the organiser lists all.
    let (_, _, list) = get("/api/sessions".into(), Who::FacilitatorB).await;
    assert!(list.contains(&world.code_b) && !list.contains(&world.code_a));
    let (_, _, list) = get("/api/sessions".into(), Who::Organiser).await;
    assert!(list.contains(&world.code_b) && list.contains(&world.code_a));
    let (_, _, page) = get("/f".into(), Who::FacilitatorB).await;
    assert!(page.contains(&world.code_b) && !page.contains(&world.code_a));
    // A participant's data is theirs alone.
    let (_, _, me) = get("/api/me".into(), Who::ParticipantA).await;
    assert!(me.contains("Ada") && !me.contains("Bob") && !me.contains("Xavier"));
    let (_, _, me) = get("/api/me".into(), Who::ParticipantB).await;
    assert!(me.contains("Bob") && !me.contains("Ada"));
    // The public deck has no definitions; the staff deck has them.
    let (_, _, public) = get(world.fill("/decks/{DECK}/fr.json"), Who::Anonymous).await;
    let (_, _, staff) = get(world.fill("/s/{A}/deck/fr.json"), Who::FacilitatorA).await;
    assert!(
        !public.contains("\"definition\":\"") && staff.contains("\"definition\":\""),
        "definitions (the bingo's answers) reach staff only"
    );
    // A feedback is accepted only with a real resume token in the body.
    let response = world
        .server
        .http()
        .post(world.server.url("/api/feedback"))
        .bearer_auth(world.credential(Who::Organiser).unwrap())
        .json(&json!({"overall": 5}))
        .send()
        .await
        .unwrap();
    assert!(matches!(response.status().as_u16(), 401 | 422));
}

// ---- WebSocket ----------------------------------------------------------------------------

/// The first answer to a hello sent by `who` (their credential on the upgrade request).
async fn hello(world: &World, who: Who, frame: Value) -> Value {
    let mut client = Client::connect_with(world.server.addr, world.credential(who)).await;
    client.send(frame).await;
    let answer = client.next().await;
    client.close().await;
    answer
}

fn outcome(answer: &Value) -> String {
    if answer["type"] == "welcome" {
        format!("welcome:{}:{}", answer["role"].as_str().unwrap(), {
            answer["session"]["code"].as_str().unwrap()
        })
    } else {
        format!("error:{}", answer["code"].as_str().unwrap_or("?"))
    }
}

#[tokio::test]
async fn every_hello_is_allowed_or_refused_as_intended() {
    let world = world().await;
    let (a, b) = (world.code_a.clone(), world.code_b.clone());
    let fac_a = format!("welcome:facilitator:{a}");
    let screen_a = format!("welcome:screen:{a}");
    // (hello, expected outcome for each of the six callers)
    let table: Vec<(Value, [String; 6])> = vec![
        // The facilitator console: the session's facilitator or an organiser.
        (json!({"type": "staff", "code": a}), {
            let u = "error:unauthorized".to_string();
            [
                u.clone(),
                u.clone(),
                u,
                "error:forbidden".into(),
                fac_a.clone(),
                fac_a.clone(),
            ]
        }),
        // The projector: its key is the credential, whoever holds it.
        (
            json!({"type": "screen", "code": a, "key": world.key_a}),
            std::array::from_fn(|_| screen_a.clone()),
        ),
        (
            json!({"type": "screen", "code": a, "key": world.key_b}),
            std::array::from_fn(|_| "error:forbidden".to_string()),
        ),
        (
            json!({"type": "screen", "code": a, "key": ""}),
            std::array::from_fn(|_| "error:forbidden".to_string()),
        ),
        // A made-up resume token.
        (
            json!({"type": "resume", "token": "made-up-token"}),
            std::array::from_fn(|_| "error:unknown_token".to_string()),
        ),
    ];
    let mut failures = Vec::new();
    for (frame, expected) in &table {
        for (who, want) in EVERYONE.iter().zip(expected) {
            let got = outcome(&hello(&world, *who, frame.clone()).await);
            if &got != want {
                failures.push(format!("{frame} as {who:?}: expected {want}, got {got}"));
            }
        }
    }
    // Each participant's token resumes into their own session only.
    for (who, code) in [(Who::ParticipantA, &a), (Who::ParticipantB, &b)] {
        let token = world.credential(who).unwrap();
        let got = outcome(&hello(&world, who, json!({"type": "resume", "token": token})).await);
        if got != format!("welcome:participant:{code}") {
            failures.push(format!("resume as {who:?}: got {got}"));
        }
    }
    // Anyone with the code may join as a participant (that is what the code is for).
    for who in EVERYONE {
        let got = outcome(
            &hello(
                &world,
                who,
                // One name per person: a session has one participant per name.
                json!({"type": "join", "code": a, "name": format!("New {who:?}")}),
            )
            .await,
        );
        if got != format!("welcome:participant:{a}") {
            failures.push(format!("join as {who:?}: got {got}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Who may send each session message (docs/protocol.md). `Staff` messages: the facilitator
/// (an organiser on the console is the facilitator); `Member` messages: a participant.
#[derive(Clone, Copy, PartialEq, Debug)]
enum Sender {
    Staff,
    Member,
    Nobody,
}

/// Messages grouped by the phase in which they make sense (the phase is set first, so that
/// a refusal is about the sender, not the timing).
fn messages(removable: u64) -> Vec<(Value, Vec<(Value, Sender)>)> {
    use Sender::*;
    let card = "open-badge";
    vec![
        (
            json!({"kind": "lobby"}),
            vec![
                (
                    json!({"type": "participant.remove", "pid": removable}),
                    Staff,
                ),
                (
                    json!({"type": "phase.set", "phase": {"kind": "activity", "index": 0}}),
                    Staff,
                ),
                (json!({"type": "phase.next"}), Staff),
                // Server-only or hello frames are not actions, from anyone.
                (
                    json!({"type": "badge.issued", "pid": 1, "badge_id": "x"}),
                    Nobody,
                ),
                (
                    json!({"type": "join", "code": "ACDEFG", "name": "x"}),
                    Nobody,
                ),
                (json!({"type": "welcome"}), Nobody),
            ],
        ),
        (
            json!({"kind": "activity", "index": 0}),
            vec![
                (json!({"type": "bingo.tap", "card": card}), Member),
                (json!({"type": "bingo.mark", "card": card}), Member),
                (json!({"type": "bingo.claim"}), Member),
                (json!({"type": "bingo.draw"}), Staff),
                (json!({"type": "bingo.reveal"}), Staff),
                (json!({"type": "bingo.call", "card": card}), Staff),
                (json!({"type": "bingo.pause"}), Staff),
                (json!({"type": "bingo.resume"}), Staff),
                (json!({"type": "bingo.end"}), Staff),
            ],
        ),
        (
            json!({"kind": "activity", "index": 1}),
            vec![
                (json!({"type": "fresque.place", "card": card}), Member),
                (json!({"type": "fresque.move", "card": card}), Member),
                (json!({"type": "fresque.return", "card": card}), Member),
                (json!({"type": "fresque.form_teams", "count": 1}), Staff),
                (
                    json!({"type": "fresque.move_member", "participant": 1, "team": 0}),
                    Staff,
                ),
                (json!({"type": "fresque.deal"}), Staff),
                (json!({"type": "fresque.show_team", "team": 0}), Staff),
                (json!({"type": "fresque.reveal"}), Staff),
                (json!({"type": "fresque.debrief", "index": 0}), Staff),
            ],
        ),
        (
            json!({"kind": "badges"}),
            vec![
                (json!({"type": "badge.request", "name": "Ada"}), Member),
                (json!({"type": "badge.open", "mode": "review"}), Staff),
                (
                    json!({"type": "badge.decide", "pid": 1, "approve": false}),
                    Staff,
                ),
            ],
        ),
    ]
}

/// The next error frame's code (events are skipped): for senders that must be refused.
async fn refusal(client: &mut Client, frame: &Value) -> Option<String> {
    client.send(frame.clone()).await;
    client.expect("error").await["code"]
        .as_str()
        .map(str::to_string)
}

/// For senders that may be allowed: sends `frame`, then `barrier` (a frame the room always
/// refuses with `barrier_code` for this sender). The room answers a connection's frames in
/// order, so any error before the barrier's is the frame's own; None = accepted.
async fn attempt(
    client: &mut Client,
    frame: &Value,
    barrier: &Value,
    barrier_code: &str,
) -> Option<String> {
    client.send(frame.clone()).await;
    client.send(barrier.clone()).await;
    let mut first = None;
    loop {
        let error = client.expect("error").await;
        let code = error["code"].as_str().unwrap_or("?").to_string();
        if code == barrier_code {
            return first;
        }
        first.get_or_insert(code);
    }
}

#[tokio::test]
async fn every_session_message_is_allowed_or_refused_as_intended() {
    let world = world().await;
    let addr = world.server.addr;
    let a = world.code_a.clone();
    let fac = world.credential(Who::FacilitatorA).unwrap().to_string();
    let participant = world.credential(Who::ParticipantA).unwrap().to_string();
    // Barriers: the facilitator removing nobody; a participant moving the phase.
    let staff_barrier = json!({"type": "participant.remove", "pid": 4_000_000_000u32});
    let phone_barrier = json!({"type": "phase.next"});
    let mut failures = Vec::new();
    for (phase, frames) in messages(world.erasable_pid) {
        // One fresh connection per role and group: each stays within its frame budget.
        let (mut staff, welcome) = Client::staff(addr, &a, &fac).await;
        assert_eq!(welcome["type"], "welcome");
        let (mut phone, welcome) = Client::resume(addr, &participant).await;
        assert_eq!(welcome["type"], "welcome", "{welcome}");
        let mut screen = Client::connect(addr).await;
        screen
            .send(json!({"type": "screen", "code": a, "key": world.key_a}))
            .await;
        assert_eq!(screen.next().await["type"], "welcome");
        let set = json!({"type": "phase.set", "phase": phase});
        for (frame, sender) in frames {
            // The phase first, then the refusals (they change nothing), then the allowed one.
            let _ = attempt(&mut staff, &set, &staff_barrier, "unknown_participant").await;
            let by_screen = refusal(&mut screen, &frame).await;
            let (phone_ok, by_phone, staff_ok, by_staff) = match sender {
                Sender::Staff => {
                    let by_phone = refusal(&mut phone, &frame).await;
                    let by_staff =
                        attempt(&mut staff, &frame, &staff_barrier, "unknown_participant").await;
                    (
                        by_phone.as_deref() == Some("forbidden"),
                        by_phone,
                        !matches!(
                            by_staff.as_deref(),
                            Some("forbidden" | "read_only" | "unauthorized" | "unknown_type")
                        ),
                        by_staff,
                    )
                }
                Sender::Member => {
                    let by_staff = refusal(&mut staff, &frame).await;
                    let by_phone = attempt(&mut phone, &frame, &phone_barrier, "forbidden").await;
                    (
                        !matches!(
                            by_phone.as_deref(),
                            Some("read_only" | "not_a_participant" | "unknown_type")
                        ),
                        by_phone,
                        matches!(by_staff.as_deref(), Some("not_a_participant" | "invalid")),
                        by_staff,
                    )
                }
                Sender::Nobody => {
                    let by_phone = refusal(&mut phone, &frame).await;
                    let by_staff = refusal(&mut staff, &frame).await;
                    (
                        by_phone.as_deref() == Some("unknown_type"),
                        by_phone,
                        by_staff.as_deref() == Some("unknown_type"),
                        by_staff,
                    )
                }
            };
            let screen_ok = match sender {
                Sender::Nobody => by_screen.as_deref() == Some("unknown_type"),
                _ => by_screen.as_deref() == Some("read_only"),
            };
            if !(phone_ok && staff_ok && screen_ok) {
                failures.push(format!(
                    "{frame} ({sender:?}): participant {by_phone:?}, projector {by_screen:?}, facilitator {by_staff:?}"
                ));
            }
            // Stay within the per-connection frame rate (10 a second, burst 30).
            tokio::time::sleep(std::time::Duration::from_millis(300)).await;
        }
        staff.close().await;
        phone.close().await;
        screen.close().await;
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

// ---- brute force ------------------------------------------------------------------------------

/// Passwords are guessable by a script unless attempts are limited per address, like claim
/// codes and join codes are.
#[tokio::test]
async fn logins_are_rate_limited() {
    let server = TestServer::start().await;
    server.facilitator_token("victim").await;
    let mut limited = false;
    for attempt in 0..40 {
        let response = server
            .http()
            .post(server.url("/api/login"))
            .json(&json!({"username": "nobody", "password": format!("guess number {attempt}")}))
            .send()
            .await
            .unwrap();
        if response.status() == StatusCode::TOO_MANY_REQUESTS {
            limited = true;
            break;
        }
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    }
    assert!(
        limited,
        "40 wrong passwords from one address were all tried"
    );
    // The page form shares the limit.
    let response = no_redirect()
        .post(server.url("/login"))
        .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body("username=victim&password=another+guess+here")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
    // Another address is not affected (127.0.0.2 is loopback too).
    let other = reqwest::Client::builder()
        .local_address(Some("127.0.0.2".parse().unwrap()))
        .build()
        .unwrap();
    let response = other
        .post(server.url("/api/login"))
        .json(&json!({"username": "victim", "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
}
