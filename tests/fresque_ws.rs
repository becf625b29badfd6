//! The fresque over real WebSockets: concurrent moves converge, packs are dealt during the
//! activity, a phone resumes mid-fresque, the server restarts mid-fresque, the reveal scores.

mod common;

use common::{ADMIN_TOKEN, Client, TestServer};
use serde_json::{Value, json};

fn code_of(session: &Value) -> String {
    session["code"].as_str().unwrap().to_string()
}

fn ids(value: &Value) -> Vec<String> {
    value
        .as_array()
        .unwrap_or_else(|| panic!("not an array: {value}"))
        .iter()
        .map(|v| v.as_str().unwrap().to_string())
        .collect()
}

fn sorted(mut cards: Vec<String>) -> Vec<String> {
    cards.sort();
    cards
}

struct Phone {
    client: Client,
    pid: u64,
    token: String,
}

/// A fresque session in its activity: `names` joined, the staff console connected, and
/// `teams` teams formed. Returns (server code, staff, phones).
async fn fresque_with(
    server: &TestServer,
    names: &[&str],
    teams: u32,
) -> (String, Client, Vec<Phone>) {
    let code = code_of(&server.create_session(&["fresque"]).await);
    let mut phones = Vec::new();
    for name in names {
        let (client, welcome) = Client::join(server.addr, &code, name).await;
        assert!(welcome["fresque"]["joined"].as_bool().unwrap(), "{welcome}");
        phones.push(Phone {
            client,
            pid: welcome["you"]["pid"].as_u64().unwrap(),
            token: welcome["token"].as_str().unwrap().to_string(),
        });
    }
    let (mut staff, _) = Client::staff(server.addr, &code, ADMIN_TOKEN).await;
    staff.send(json!({"type": "phase.next"})).await;
    let changed = staff.expect("phase.changed").await;
    assert_eq!(changed["activity"], "fresque");
    for phone in &mut phones {
        phone.client.expect("phase.changed").await;
    }
    staff
        .send(json!({"type": "fresque.form_teams", "count": teams}))
        .await;
    let roster = staff.expect("fresque.roster").await;
    assert_eq!(roster["teams"].as_array().unwrap().len(), teams as usize);
    for phone in &mut phones {
        let team = phone.client.expect("fresque.team").await;
        assert_eq!(team["reason"], "formed");
    }
    (code, staff, phones)
}

/// Deals the next pack; returns each phone's full hand afterwards.
async fn deal(staff: &mut Client, phones: &mut [Phone]) -> Vec<Vec<String>> {
    staff.send(json!({"type": "fresque.deal"})).await;
    let mut hands = Vec::new();
    for phone in phones.iter_mut() {
        let hand = phone.client.expect("fresque.hand").await;
        hands.push(ids(&hand["hand"]));
    }
    hands
}

/// Skips frames until one of `kind` satisfying `wanted` arrives.
async fn expect_where(client: &mut Client, kind: &str, wanted: impl Fn(&Value) -> bool) -> Value {
    loop {
        let frame = client.expect(kind).await;
        if wanted(&frame) {
            return frame;
        }
    }
}

/// Waits for the board of `team` at revision `rev` (from a board or team event).
async fn board_at(client: &mut Client, team: u64, rev: u64) -> Vec<String> {
    loop {
        let frame = client.next().await;
        let kind = frame["type"].as_str().unwrap_or_default();
        if (kind == "fresque.board" || kind == "fresque.team")
            && frame["team"] == team
            && frame["rev"].as_u64() >= Some(rev)
        {
            assert_eq!(frame["rev"], rev, "a revision was skipped: {frame}");
            return ids(&frame["board"]);
        }
        assert_ne!(kind, "error", "unexpected error: {frame}");
    }
}

/// Places a phone's whole hand at the end of the board, one card after the other, and
/// returns the board revision reached (as seen by that phone).
async fn place_all(
    phone: &mut Phone,
    hand: &[String],
    mut last: Option<String>,
) -> (u64, Option<String>) {
    let mut rev = 0;
    for card in hand {
        phone
            .client
            .send(json!({"type": "fresque.place", "card": card, "after": last}))
            .await;
        // Skip teammates' events still queued: wait for the echo of this place.
        let pid = phone.pid;
        let board = expect_where(&mut phone.client, "fresque.board", |f| {
            f["by"] == pid && f["card"] == card.as_str()
        })
        .await;
        assert_eq!(board["action"], "place");
        rev = board["rev"].as_u64().unwrap();
        last = Some(card.clone());
    }
    (rev, last)
}

crate::on_both_stores! {
    #[tokio::test]
    async fn two_members_moving_the_same_card_at_once_converge() {
        let server = TestServer::start().await;
        let (code, mut staff, mut phones) = fresque_with(&server, &["Ada", "Bob", "Cleo"], 1).await;
        let hands = deal(&mut staff, &mut phones).await;
        let dealt: Vec<String> = hands.iter().flatten().cloned().collect();
        assert_eq!(dealt.len(), 10, "the first pack has 10 cards");
        assert!(hands.iter().all(|h| h.len() >= 3), "round-robin: {hands:?}");

        // Everyone places their hand, in turn, so the board holds the whole pack.
        let mut last = None;
        let mut rev = 0;
        for (phone, hand) in phones.iter_mut().zip(&hands) {
            (rev, last) = place_all(phone, hand, last).await;
        }
        let board = board_at(&mut staff, 0, rev).await;
        assert_eq!(sorted(board.clone()), sorted(dealt.clone()));

        // Rounds of simultaneous moves of the same card, to different places.
        let mut board = board;
        for round in 0..12 {
            let card = board[round % board.len()].clone();
            let others: Vec<&String> = board.iter().filter(|c| **c != card).collect();
            let ada_after = json!(others[round % others.len()]);
            let bob_after = if round % 3 == 0 {
                Value::Null
            } else {
                json!(others[(round * 5 + 3) % others.len()])
            };
            // Both frames leave before either phone reads anything.
            let (a, b) = phones.split_at_mut(1);
            tokio::join!(
                a[0].client
                    .send(json!({"type": "fresque.move", "card": card, "after": ada_after})),
                b[0].client
                    .send(json!({"type": "fresque.move", "card": card, "after": bob_after})),
            );
            rev += 2;
            let mut seen = Vec::new();
            for phone in phones.iter_mut() {
                seen.push(board_at(&mut phone.client, 0, rev).await);
            }
            seen.push(board_at(&mut staff, 0, rev).await);
            assert!(
                seen.windows(2).all(|w| w[0] == w[1]),
                "round {round}: phones disagree: {seen:?}"
            );
            board = seen.pop().unwrap();
            assert_eq!(
                sorted(board.clone()),
                sorted(dealt.clone()),
                "no card lost or duplicated"
            );
            // The last move to arrive wins: the card sits after one of the two anchors.
            let at = board.iter().position(|c| *c == card).unwrap();
            let before = if at == 0 {
                Value::Null
            } else {
                json!(board[at - 1])
            };
            assert!(
                before == ada_after || before == bob_after,
                "round {round}: {card} ended after {before}"
            );
        }

        // A late phone joins the (only) team and sees the same board in its snapshot. (The
        // room may send the join's own `fresque.team` before the welcome: skip to the welcome.)
        let mut late = Client::connect(server.addr).await;
        late.send(json!({"type": "join", "code": code, "name": "Dan"}))
            .await;
        let welcome = late.expect("welcome").await;
        assert_eq!(welcome["fresque"]["team"]["id"], 0);
        assert_eq!(ids(&welcome["fresque"]["team"]["board"]), board);
    }
}

crate::on_both_stores! {
    #[tokio::test]
    async fn packs_are_dealt_during_the_activity_and_not_before() {
        let server = TestServer::start().await;
        let code = code_of(&server.create_session(&["fresque"]).await);
        let (mut ada, _) = Client::join(server.addr, &code, "Ada").await;
        let (mut staff, welcome) = Client::staff(server.addr, &code, ADMIN_TOKEN).await;
        assert_eq!(welcome["fresque"]["phase"], "lobby");
        assert_eq!(welcome["fresque"]["packs_total"], 3);
        assert_eq!(welcome["fresque"]["pack_sizes"], json!([10, 9, 6]));
        // Still in the session's lobby: the fresque does not take commands yet.
        staff
            .send(json!({"type": "fresque.form_teams", "count": 1}))
            .await;
        assert_eq!(staff.expect("error").await["code"], "not_now");
        staff.send(json!({"type": "phase.next"})).await;
        staff.expect("phase.changed").await;
        ada.expect("phase.changed").await;
        // Teams first.
        staff.send(json!({"type": "fresque.deal"})).await;
        assert_eq!(staff.expect("error").await["code"], "teams_not_formed");
        staff
            .send(json!({"type": "fresque.form_teams", "size": 3}))
            .await;
        let roster = staff.expect("fresque.roster").await;
        assert_eq!(roster["teams"], json!([[1]]));
        ada.expect("fresque.team").await;
        // A participant may not deal.
        ada.send(json!({"type": "fresque.deal"})).await;
        assert_eq!(ada.expect("error").await["code"], "forbidden");

        let mut phones = vec![Phone {
            client: ada,
            pid: 1,
            token: String::new(),
        }];
        let first = deal(&mut staff, &mut phones).await.remove(0);
        assert_eq!(first.len(), 10);
        let (rev, _) = place_all(&mut phones[0], &first[..4], None).await;

        // Second pack: the board stays, the hand grows by the pack.
        staff.send(json!({"type": "fresque.deal"})).await;
        let team = phones[0].client.expect("fresque.team").await;
        assert_eq!(team["reason"], "dealt");
        assert_eq!(team["packs_dealt"], 2);
        assert_eq!(team["dealt"], 19);
        assert_eq!(ids(&team["board"]), first[..4].to_vec());
        assert!(team["rev"].as_u64().unwrap() > rev);
        let hand = phones[0].client.expect("fresque.hand").await;
        assert_eq!(hand["received"].as_array().unwrap().len(), 9);
        let mut expected: Vec<String> = first[4..].to_vec();
        expected.extend(ids(&hand["received"]));
        assert_eq!(ids(&hand["hand"]), expected);
        let staff_team = expect_where(&mut staff, "fresque.team", |f| f["packs_dealt"] == 2).await;
        assert_eq!(ids(&staff_team["board"]), first[..4].to_vec());

        // Teams cannot be re-formed once cards are out; the third pack is the last.
        staff
            .send(json!({"type": "fresque.form_teams", "count": 2}))
            .await;
        assert_eq!(staff.expect("error").await["code"], "already_dealt");
        staff.send(json!({"type": "fresque.deal"})).await;
        assert_eq!(
            phones[0].client.expect("fresque.team").await["packs_dealt"],
            3
        );
        staff.send(json!({"type": "fresque.deal"})).await;
        assert_eq!(staff.expect("error").await["code"], "no_more_packs");
    }
}

crate::on_both_stores! {
    #[tokio::test]
    async fn a_phone_resumes_mid_fresque_with_its_board_and_hand() {
        let server = TestServer::start().await;
        let (_code, mut staff, mut phones) = fresque_with(&server, &["Ada", "Bob"], 1).await;
        let hands = deal(&mut staff, &mut phones).await;
        let (_, last) = place_all(&mut phones[0], &hands[0][..2], None).await;

        // Ada's phone locks; Bob keeps playing meanwhile.
        let ada = phones.remove(0);
        let token = ada.token.clone();
        ada.client.close().await;
        let bob = &mut phones[0];
        bob.client
            .send(json!({"type": "fresque.place", "card": hands[1][0], "after": null}))
            .await;
        let bob_pid = bob.pid;
        let placed = expect_where(&mut bob.client, "fresque.board", |f| f["by"] == bob_pid).await;
        bob.client
            .send(json!({"type": "fresque.move", "card": last, "after": null}))
            .await;
        let moved = expect_where(&mut bob.client, "fresque.board", |f| {
            f["by"] == bob_pid && f["action"] == "move"
        })
        .await;
        assert_eq!(moved["rev"], placed["rev"].as_u64().unwrap() + 1);

        let (_ada, welcome) = Client::resume(server.addr, &token).await;
        assert_eq!(welcome["type"], "welcome", "{welcome}");
        let view = &welcome["fresque"];
        assert_eq!(view["phase"], "playing");
        assert_eq!(view["team"]["board"], moved["board"]);
        assert_eq!(view["team"]["rev"], moved["rev"]);
        assert_eq!(ids(&view["hand"]), hands[0][2..].to_vec(), "hand kept");
        assert_eq!(view["packs_dealt"], 1);
    }
}

crate::on_both_stores! {
    #[tokio::test]
    async fn a_fresque_survives_a_server_restart() {
        let mut server = TestServer::start().await;
        let (code, mut staff, mut phones) =
            fresque_with(&server, &["Ada", "Bob", "Cleo", "Dan"], 2).await;
        let hands = deal(&mut staff, &mut phones).await;
        for (phone, hand) in phones.iter_mut().zip(&hands) {
            place_all(phone, &hand[..2], None).await;
        }
        staff
            .send(json!({"type": "fresque.show_team", "team": 1}))
            .await;
        staff.expect("fresque.show_team").await;
        // Every command above was acknowledged by its event: take the snapshots to compare.
        let (staff_again, before) = Client::staff(server.addr, &code, ADMIN_TOKEN).await;
        let tokens: Vec<String> = phones.iter().map(|p| p.token.clone()).collect();
        let mut phone_views = Vec::new();
        for token in &tokens {
            let (client, welcome) = Client::resume(server.addr, token).await;
            phone_views.push(welcome["fresque"].clone());
            client.close().await;
        }
        staff_again.close().await;
        drop(staff);
        drop(phones);

        server.restart().await;

        let (mut staff, after) = Client::staff(server.addr, &code, ADMIN_TOKEN).await;
        assert_eq!(after["fresque"], before["fresque"], "staff view identical");
        assert_eq!(after["fresque"]["shown_team"], 1);
        assert_eq!(after["seq"], before["seq"]);
        // Phones resume with their own token: same team, board and hand.
        let mut clients = Vec::new();
        for (token, view) in tokens.iter().zip(&phone_views) {
            let (client, welcome) = Client::resume(server.addr, token).await;
            assert_eq!(&welcome["fresque"], view, "identical after the restart");
            assert_eq!(view["team"]["board"].as_array().unwrap().len(), 4);
            clients.push(client);
        }
        // And the game goes on: a move after the restart is accepted and reaches the staff.
        let view = &phone_views[0];
        let board = ids(&view["team"]["board"]);
        let rev = view["team"]["rev"].as_u64().unwrap();
        let team = view["team"]["id"].as_u64().unwrap();
        clients[0]
            .send(json!({"type": "fresque.move", "card": board[0], "after": board[1]}))
            .await;
        let moved = board_at(&mut staff, team, rev + 1).await;
        assert_eq!(moved[..2], [board[1].clone(), board[0].clone()]);
    }
}

crate::on_both_stores! {
    #[tokio::test]
    async fn the_reveal_scores_every_board_and_freezes_it() {
        let server = TestServer::start().await;
        let (code, mut staff, mut phones) = fresque_with(&server, &["Ada", "Bob"], 2).await;
        let (_, view) = Client::staff(server.addr, &code, ADMIN_TOKEN).await;
        let reference: Vec<String> = view["fresque"]["reference_order"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["card"].as_str().unwrap().to_string())
            .collect();
        assert_eq!(reference.len(), 25);
        let hands = deal(&mut staff, &mut phones).await;
        // Each team has one member holding the whole pack: team of phone 0 lays it in the
        // reference order, the other team in the reverse order.
        let in_order = |hand: &[String]| -> Vec<String> {
            let mut cards = hand.to_vec();
            cards.sort_by_key(|c| reference.iter().position(|r| r == c));
            cards
        };
        let good = in_order(&hands[0]);
        let mut bad = in_order(&hands[1]);
        bad.reverse();
        place_all(&mut phones[0], &good, None).await;
        place_all(&mut phones[1], &bad, None).await;

        staff.send(json!({"type": "fresque.reveal"})).await;
        let revealed = staff.expect("fresque.revealed").await;
        let results = revealed["results"].as_array().unwrap();
        assert_eq!(results.len(), 2);
        let team_of = |pid: u64| -> usize {
            view["fresque"]["teams"]
                .as_array()
                .unwrap()
                .iter()
                .position(|t| {
                    t["members"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .any(|m| m["id"] == pid)
                })
                .unwrap()
        };
        let good_result = &results[team_of(phones[0].pid)];
        let bad_result = &results[team_of(phones[1].pid)];
        assert_eq!(good_result["score"]["percent"], 100);
        // Every pair that counts is right (the pairs given by the deal do not count).
        assert!(good_result["score"]["pairs"].as_u64().unwrap() > 0);
        assert_eq!(
            good_result["score"]["agreeing"],
            good_result["score"]["pairs"]
        );
        assert_eq!(
            good_result["score"]["points"],
            good_result["score"]["max_points"]
        );
        assert_eq!(good_result["placed"], 10);
        assert_eq!(good_result["dealt"], 10);
        assert!(
            good_result["score"]["cards"]
                .as_array()
                .unwrap()
                .iter()
                .all(|c| c["colour"] == "green")
        );
        let percent = bad_result["score"]["percent"].as_u64().unwrap();
        assert_eq!(
            percent, 0,
            "a reversed board scores below chance, shown as 0"
        );
        assert!(
            bad_result["score"]["cards"]
                .as_array()
                .unwrap()
                .iter()
                .any(|c| c["colour"] == "red")
        );
        // Phones get the same results, and their boards are frozen.
        for phone in phones.iter_mut() {
            let seen = phone.client.expect("fresque.revealed").await;
            assert_eq!(seen["results"], revealed["results"]);
        }
        phones[0]
            .client
            .send(json!({"type": "fresque.move", "card": good[0], "after": good[1]}))
            .await;
        assert_eq!(phones[0].client.expect("error").await["code"], "revealed");

        // Debrief: every screen follows the reference order.
        staff
            .send(json!({"type": "fresque.debrief", "index": 0}))
            .await;
        let debrief = phones[1].client.expect("fresque.debrief").await;
        assert_eq!(debrief["debrief"]["card"], reference[0].as_str());
        assert_eq!(debrief["debrief"]["total"], 25);
        let (_, resumed) = Client::resume(server.addr, &phones[1].token).await;
        assert_eq!(resumed["fresque"]["phase"], "revealed");
        assert_eq!(resumed["fresque"]["debrief"], debrief["debrief"]);
    }
}

/// Where `value` holds one of `cards` (a JSON path), if anywhere.
fn card_in(value: &Value, cards: &[String], path: &str) -> Option<String> {
    match value {
        Value::String(s) if cards.contains(s) => Some(format!("{path} = {s}")),
        Value::Array(items) => items
            .iter()
            .enumerate()
            .find_map(|(i, v)| card_in(v, cards, &format!("{path}[{i}]"))),
        Value::Object(map) => map
            .iter()
            .find_map(|(k, v)| card_in(v, cards, &format!("{path}.{k}"))),
        _ => None,
    }
}

/// Issue 18, no copying: the projector's socket never carries a card order before the reveal
/// (no board, no hand, not the reference), only each team's progress; from the reveal it gets
/// the boards it shows when the console picks a team, and the reference for the debrief.
#[tokio::test]
async fn the_projector_gets_progress_only_until_the_reveal() {
    let server = TestServer::start().await;
    let session = server.create_session(&["fresque"]).await;
    let code = code_of(&session);
    let (mut screen, welcome) = Client::screen(server.addr, &session).await;
    assert_eq!(welcome["role"], "screen");
    let mut phones = Vec::new();
    for name in ["Ada", "Bob", "Cy", "Dee"] {
        let (client, welcome) = Client::join(server.addr, &code, name).await;
        phones.push(Phone {
            client,
            pid: welcome["you"]["pid"].as_u64().unwrap(),
            token: welcome["token"].as_str().unwrap().to_string(),
        });
    }
    let (mut staff, console) = Client::staff(server.addr, &code, ADMIN_TOKEN).await;
    let cards: Vec<String> = console["fresque"]["reference_order"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["card"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(cards.len(), 25);
    assert_eq!(card_in(&welcome["fresque"], &cards, "welcome"), None);

    staff.send(json!({"type": "phase.next"})).await;
    staff.expect("phase.changed").await;
    staff
        .send(json!({"type": "fresque.form_teams", "count": 2}))
        .await;
    staff.expect("fresque.roster").await;
    for phone in &mut phones {
        phone.client.expect("fresque.team").await;
    }
    let hands = deal(&mut staff, &mut phones).await;
    // Two members place their whole hand, one a single card, one nothing.
    let full = hands[0].clone();
    place_all(&mut phones[0], &full, None).await;
    let one = hands[1][..1].to_vec();
    place_all(&mut phones[1], &one, None).await;
    let full = hands[2].clone();
    place_all(&mut phones[2], &full, None).await;
    phones[2]
        .client
        .send(json!({"type": "fresque.return", "card": full[0]}))
        .await;
    phones[2].client.expect("fresque.hand").await;

    // A staff event marks the end of what the projector was sent while the teams played.
    staff
        .send(json!({"type": "fresque.show_team", "team": 0}))
        .await;
    let mut progress: std::collections::BTreeMap<u64, Value> = Default::default();
    loop {
        let frame = screen.next().await;
        let kind = frame["type"].as_str().unwrap_or_default().to_string();
        assert!(
            !["fresque.board", "fresque.hand", "fresque.team"].contains(&kind.as_str()),
            "the projector was sent {frame}"
        );
        assert_eq!(
            card_in(&frame, &cards, &kind),
            None,
            "the projector was sent a card before the reveal"
        );
        if kind == "fresque.progress" {
            progress.insert(frame["team"].as_u64().unwrap(), frame);
        }
        if kind == "fresque.show_team" {
            break;
        }
    }
    let (_, console) = Client::staff(server.addr, &code, ADMIN_TOKEN).await;
    let teams = console["fresque"]["teams"].as_array().unwrap().clone();
    assert_eq!(teams.len(), 2);
    let (_, view) = Client::screen(server.addr, &session).await;
    assert_eq!(card_in(&view, &cards, "welcome"), None, "{view}");
    assert_eq!(view["fresque"]["viewer"], "screen");
    assert!(view["fresque"]["reference_order"].is_null(), "{view}");
    assert_eq!(view["participants"].as_array().unwrap().len(), 4);
    for (i, team) in teams.iter().enumerate() {
        let placed = team["board"].as_array().unwrap().len() as u64;
        let shown = &view["fresque"]["teams"][i];
        assert_eq!(shown["placed"], placed, "{shown}");
        assert_eq!(shown["dealt"], team["dealt"]);
        assert_eq!(shown["pool"], team["pool"]);
        assert_eq!(shown["members"], team["members"]);
        assert!(shown.get("board").is_none(), "{shown}");
        let live = &progress[&(i as u64)];
        assert_eq!(live["placed"], placed, "{live}");
        assert_eq!(live["dealt"], team["dealt"]);
        assert_eq!(live["pool"], team["pool"]);
        assert_eq!(live["packs_dealt"], 1);
    }
    assert!(
        teams
            .iter()
            .any(|t| t["board"].as_array().unwrap().len() > 1),
        "cards were placed"
    );

    // The reveal: the projector gets the boards (a team's timeline on demand) and the
    // reference (the debrief).
    staff.send(json!({"type": "fresque.reveal"})).await;
    let mut revealed = None;
    let mut boards = None;
    while revealed.is_none() || boards.is_none() {
        let frame = screen.next().await;
        match frame["type"].as_str().unwrap_or_default() {
            "fresque.revealed" => revealed = Some(frame),
            "fresque.boards" => boards = Some(frame),
            _ => {}
        }
    }
    let boards = boards.unwrap();
    for (i, team) in teams.iter().enumerate() {
        assert_eq!(boards["teams"][i]["id"], i as u64);
        assert_eq!(boards["teams"][i]["board"], team["board"]);
    }
    assert_eq!(
        boards["reference_order"],
        console["fresque"]["reference_order"]
    );
    assert_eq!(revealed.unwrap()["results"].as_array().unwrap().len(), 2);
    staff
        .send(json!({"type": "fresque.show_team", "team": 1}))
        .await;
    assert_eq!(screen.expect("fresque.show_team").await["team"], 1);
    staff
        .send(json!({"type": "fresque.debrief", "index": 0}))
        .await;
    assert_eq!(
        screen.expect("fresque.debrief").await["debrief"]["card"],
        cards[0].as_str()
    );
    let (_, view) = Client::screen(server.addr, &session).await;
    assert_eq!(view["fresque"]["phase"], "revealed");
    assert_eq!(
        view["fresque"]["reference_order"],
        console["fresque"]["reference_order"]
    );
    for (i, team) in teams.iter().enumerate() {
        assert_eq!(view["fresque"]["teams"][i]["board"], team["board"]);
    }
}
