//! The bingo over real WebSockets: three players tap, claim and share a prize; refused
//! commands; listening mode; resume and server restart mid-game.

mod common;

use common::{ADMIN_TOKEN, Client, TestServer};
use serde_json::{Value, json};

fn code_of(session: &Value) -> String {
    session["code"].as_str().unwrap().to_string()
}

fn pid_of(welcome: &Value) -> u64 {
    welcome["you"]["pid"].as_u64().unwrap()
}

fn token_of(welcome: &Value) -> String {
    welcome["token"].as_str().unwrap().to_string()
}

/// The player's personal grid (25 card ids, row-major) from their welcome.
fn grid_of(welcome: &Value) -> Vec<String> {
    welcome["bingo"]["grid"]
        .as_array()
        .expect("a bingo grid in the welcome")
        .iter()
        .map(|c| c.as_str().unwrap().to_string())
        .collect()
}

/// The 12 lines of a 5×5 grid, as cell indices.
fn lines() -> Vec<Vec<usize>> {
    let mut out = Vec::new();
    for i in 0..5 {
        out.push((0..5).map(|k| i * 5 + k).collect());
        out.push((0..5).map(|k| k * 5 + i).collect());
    }
    out.push((0..5).map(|k| k * 5 + k).collect());
    out.push((0..5).map(|k| k * 5 + 4 - k).collect());
    out
}

fn line_count(grid: &[String], found: &[String]) -> usize {
    lines()
        .iter()
        .filter(|l| l.iter().all(|&c| found.contains(&grid[c])))
        .count()
}

async fn expect_error(client: &mut Client, code: &str) {
    let error = client.expect("error").await;
    assert_eq!(error["code"], code, "{error}");
}

async fn create(server: &TestServer, activities: &[&str], mode: &str) -> String {
    let response = server
        .http()
        .post(server.url("/api/sessions"))
        .bearer_auth(ADMIN_TOKEN)
        .json(&json!({"title": "Bingo test", "lang": "fr", "activities": activities, "bingo_mode": mode}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201);
    code_of(&response.json().await.unwrap())
}

/// The facilitator moves from the lobby to the first activity; everyone hears of it.
async fn enter_first_activity(staff: &mut Client, players: &mut [&mut Client]) {
    staff.send(json!({"type": "phase.next"})).await;
    let changed = staff.expect("phase.changed").await;
    for player in players.iter_mut() {
        assert_eq!(player.expect("phase.changed").await["seq"], changed["seq"]);
    }
}

/// Draws `card`; checks that the staff learns the card and the phones do not. Returns the step.
async fn draw(staff: &mut Client, players: &mut [&mut Client], card: &str) -> u64 {
    staff
        .send(json!({"type": "bingo.draw", "card": card}))
        .await;
    let definition = staff.expect("bingo.definition").await;
    assert_eq!(definition["card"], card);
    let step = definition["step"].as_u64().unwrap();
    for player in players.iter_mut() {
        let drawn = player.expect("bingo.drawn").await;
        assert_eq!(drawn["step"], step);
        assert!(
            drawn.get("card").is_none(),
            "phones must not learn the answer: {drawn}"
        );
    }
    step
}

async fn tap(player: &mut Client, card: &str) -> Value {
    player
        .send(json!({"type": "bingo.tap", "card": card}))
        .await;
    player.expect("bingo.tapped").await
}

async fn claim(player: &mut Client) -> Value {
    player.send(json!({"type": "bingo.claim"})).await;
    player.expect("bingo.claim_checked").await
}

/// Waits for the staff's `bingo.answers` to reach `answered`.
async fn answers_reach(staff: &mut Client, answered: u64) -> Value {
    loop {
        let answers = staff.expect("bingo.answers").await;
        if answers["answered"] == answered {
            return answers;
        }
    }
}

crate::on_both_stores! {
    #[tokio::test]
    async fn three_players_tap_claim_and_share_the_first_line() {
        let server = TestServer::start().await;
        let code = code_of(&server.create_session(&["bingo", "fresque"]).await);
        let (mut staff, _) = Client::staff(server.addr, &code, ADMIN_TOKEN).await;
        let (mut ada, ada_w) = Client::join(server.addr, &code, "Ada").await;
        let (mut bob, bob_w) = Client::join(server.addr, &code, "Bob").await;
        let (mut cleo, cleo_w) = Client::join(server.addr, &code, "Cléo").await;
        let (ada_id, bob_id, cleo_id) = (pid_of(&ada_w), pid_of(&bob_w), pid_of(&cleo_w));
        let (ada_grid, bob_grid, cleo_grid) = (grid_of(&ada_w), grid_of(&bob_w), grid_of(&cleo_w));
        for grid in [&ada_grid, &bob_grid, &cleo_grid] {
            let mut sorted = grid.clone();
            sorted.sort();
            sorted.dedup();
            assert_eq!(sorted.len(), 25, "each term exactly once");
        }
        assert_ne!(ada_grid, bob_grid, "personal grids");
        assert_ne!(bob_grid, cleo_grid, "personal grids");

        // In the lobby the bingo refuses everything.
        ada.send(json!({"type": "bingo.claim"})).await;
        expect_error(&mut ada, "not_now").await;
        staff.send(json!({"type": "bingo.draw"})).await;
        expect_error(&mut staff, "not_now").await;

        enter_first_activity(&mut staff, &mut [&mut ada, &mut bob, &mut cleo]).await;

        // Who may do what.
        ada.send(json!({"type": "bingo.draw"})).await;
        expect_error(&mut ada, "forbidden").await;
        staff
            .send(json!({"type": "bingo.tap", "card": ada_grid[0]}))
            .await;
        expect_error(&mut staff, "not_a_participant").await;
        ada.send(json!({"type": "bingo.tap", "card": ada_grid[0]}))
            .await;
        expect_error(&mut ada, "no_open_definition").await;
        staff
            .send(json!({"type": "bingo.draw", "card": "no-such-card"}))
            .await;
        expect_error(&mut staff, "unknown_card").await;

        // Definition 1: Ada and Cléo are right, Bob taps a wrong cell and loses it.
        let first = ada_grid[0].clone();
        draw(&mut staff, &mut [&mut ada, &mut bob, &mut cleo], &first).await;
        let right = tap(&mut ada, &first).await;
        assert_eq!(right["correct"], true);
        assert_eq!(right["cell"], 0);
        let wrong_card = bob_grid.iter().find(|c| **c != first).unwrap().clone();
        let wrong = tap(&mut bob, &wrong_card).await;
        assert_eq!(wrong["correct"], false);
        assert_eq!(wrong["card"], wrong_card);
        bob.send(json!({"type": "bingo.tap", "card": first})).await;
        expect_error(&mut bob, "already_answered").await;
        assert_eq!(tap(&mut cleo, &first).await["correct"], true);
        let answers = answers_reach(&mut staff, 3).await;
        assert_eq!(answers["of"], 3);

        staff.send(json!({"type": "bingo.reveal"})).await;
        let revealed = staff.expect("bingo.revealed").await;
        assert_eq!(
            (
                &revealed["card"],
                &revealed["found"],
                &revealed["answered"],
                &revealed["of"]
            ),
            (&json!(first), &json!(2), &json!(3), &json!(3))
        );
        for player in [&mut ada, &mut bob, &mut cleo] {
            assert_eq!(player.expect("bingo.revealed").await["card"], first);
        }
        staff.send(json!({"type": "bingo.reveal"})).await;
        expect_error(&mut staff, "nothing_to_reveal").await;

        // Bob cries "Bingo !" without a line: refused, and the console sees it.
        let verdict = claim(&mut bob).await;
        assert_eq!(verdict["valid"], false);
        assert_eq!(verdict["awarded"], json!([]));
        let seen = staff.expect("bingo.claim_checked").await;
        assert_eq!(
            (&seen["participant"], &seen["valid"]),
            (&json!(bob_id), &json!(false))
        );

        // Definitions 2 to 5 complete Ada's first row; Cléo finds them too, Bob sits out.
        for (i, card) in ada_grid[1..5].iter().enumerate() {
            draw(&mut staff, &mut [&mut ada, &mut bob, &mut cleo], card).await;
            if i == 0 {
                // The cell of a past definition is closed: refused instead of costing the answer.
                ada.send(json!({"type": "bingo.tap", "card": first})).await;
                expect_error(&mut ada, "cell_closed").await;
            }
            let tapped = tap(&mut ada, card).await;
            assert_eq!(tapped["correct"], true);
            assert_eq!(tapped["lines"], if i == 3 { 1 } else { 0 });
            assert_eq!(tap(&mut cleo, card).await["correct"], true);
        }
        let mut cleo_found: Vec<String> = ada_grid[0..5].to_vec();

        // Ada waits for Cléo: the definitions of Cléo's nearest line, Ada not answering.
        let missing: Vec<String> = lines()
            .iter()
            .map(|l| {
                l.iter()
                    .map(|&c| cleo_grid[c].clone())
                    .filter(|card| !cleo_found.contains(card))
                    .collect::<Vec<_>>()
            })
            .min_by_key(Vec::len)
            .unwrap();
        for card in &missing {
            draw(&mut staff, &mut [&mut ada, &mut bob, &mut cleo], card).await;
            assert_eq!(tap(&mut cleo, card).await["correct"], true);
            cleo_found.push(card.clone());
        }
        let cleo_lines = line_count(&cleo_grid, &cleo_found);
        assert!(cleo_lines >= 1);

        // Both claim during the same definition: they share the first line.
        let ada_verdict = claim(&mut ada).await;
        assert_eq!(ada_verdict["valid"], true);
        assert_eq!(ada_verdict["lines"], 1);
        assert_eq!(ada_verdict["awarded"], json!(["first_line"]));
        let prize = cleo.expect("bingo.prize").await;
        assert_eq!(prize["winners"], json!([ada_id]));
        let place = prize["step"].clone();

        let cleo_verdict = claim(&mut cleo).await;
        let mut expected = vec!["first_line"];
        if cleo_lines >= 2 {
            expected.push("two_lines");
        }
        assert_eq!(cleo_verdict["valid"], true);
        assert_eq!(cleo_verdict["awarded"], json!(expected));
        let shared = cleo.expect("bingo.prize").await;
        assert_eq!(shared["prize"], "first_line");
        assert_eq!(
            shared["winners"],
            json!([ada_id, cleo_id]),
            "a tie shares the place"
        );
        assert_eq!(shared["step"], place);
        assert_eq!(shared["new_winner"], cleo_id);

        // A line with nothing new to win is valid, with no prize.
        let again = claim(&mut ada).await;
        assert_eq!(
            (&again["valid"], &again["awarded"]),
            (&json!(true), &json!([]))
        );

        // The console's snapshot tells the whole story.
        let (_console, welcome) = Client::staff(server.addr, &code, ADMIN_TOKEN).await;
        let view = &welcome["bingo"];
        assert_eq!(
            view["refused_claims"],
            json!([{"participant": bob_id, "step": 1}])
        );
        let first_line = view["prizes"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["prize"] == "first_line")
            .unwrap();
        assert_eq!(first_line["winners"], json!([ada_id, cleo_id]));
        let summary = |id: u64| {
            view["participants"]
                .as_array()
                .unwrap()
                .iter()
                .find(|p| p["id"] == id)
                .unwrap()
                .clone()
        };
        assert_eq!(summary(bob_id)["refused_claims"], 1);
        assert_eq!(summary(bob_id)["marks"], 0);
        assert_eq!(summary(ada_id)["marks"], 5);
        assert_eq!(summary(ada_id)["lines"], 1);
        assert_eq!(summary(ada_id)["claims"], 2);
        assert_eq!(summary(ada_id)["prizes"], json!(["first_line"]));

        // Pause blocks play; the end publishes the debrief.
        staff.send(json!({"type": "bingo.pause"})).await;
        assert_eq!(bob.expect("bingo.phase").await["phase"], "paused");
        staff.send(json!({"type": "bingo.draw"})).await;
        expect_error(&mut staff, "paused").await;
        bob.send(json!({"type": "bingo.claim"})).await;
        expect_error(&mut bob, "paused").await;
        staff.send(json!({"type": "bingo.resume"})).await;
        assert_eq!(bob.expect("bingo.phase").await["phase"], "running");
        staff.send(json!({"type": "bingo.end"})).await;
        let ended = bob.expect("bingo.ended").await;
        let hardest = ended["stats"]["hardest"].as_array().unwrap();
        assert!(!hardest.is_empty() && hardest.len() <= 3);
        // Lowest rate first, ties in draw order: Cléo alone found her line's definitions.
        let hardest_card = missing.first().unwrap_or(&first);
        assert_eq!(&hardest[0]["card"], hardest_card, "{ended}");
        assert!(
            hardest
                .windows(2)
                .all(|w| w[0]["rate"].as_f64() <= w[1]["rate"].as_f64())
        );
        bob.send(json!({"type": "bingo.claim"})).await;
        expect_error(&mut bob, "ended").await;
    }
}

crate::on_both_stores! {
    #[tokio::test]
    async fn bingo_commands_are_refused_outside_the_bingo() {
        let server = TestServer::start().await;
        let code = code_of(&server.create_session(&["fresque", "bingo"]).await);
        let (mut staff, _) = Client::staff(server.addr, &code, ADMIN_TOKEN).await;
        let (mut ada, ada_w) = Client::join(server.addr, &code, "Ada").await;
        let card = grid_of(&ada_w)[0].clone();

        // The fresque comes first: the bingo waits.
        enter_first_activity(&mut staff, &mut [&mut ada]).await;
        ada.send(json!({"type": "bingo.tap", "card": card})).await;
        expect_error(&mut ada, "not_now").await;
        staff.send(json!({"type": "bingo.draw"})).await;
        expect_error(&mut staff, "not_now").await;

        // In the bingo, then back to the lobby: refused again, and nothing was lost.
        staff.send(json!({"type": "phase.next"})).await;
        staff.expect("phase.changed").await;
        ada.expect("phase.changed").await;
        draw(&mut staff, &mut [&mut ada], &card).await;
        assert_eq!(tap(&mut ada, &card).await["correct"], true);
        staff
            .send(json!({"type": "phase.set", "phase": {"kind": "lobby"}}))
            .await;
        ada.expect("phase.changed").await;
        staff.send(json!({"type": "bingo.reveal"})).await;
        expect_error(&mut staff, "not_now").await;
        ada.send(json!({"type": "bingo.claim"})).await;
        expect_error(&mut ada, "not_now").await;
        let (_ada2, back) = Client::resume(server.addr, &token_of(&ada_w)).await;
        assert_eq!(back["bingo"]["marked"], json!([0]));
        assert_eq!(back["bingo"]["current"]["answered"], true);
    }
}

crate::on_both_stores! {
    #[tokio::test]
    async fn listening_mode_marks_only_called_terms() {
        let server = TestServer::start().await;
        let code = create(&server, &["bingo"], "listening").await;
        let (mut staff, staff_w) = Client::staff(server.addr, &code, ADMIN_TOKEN).await;
        assert_eq!(staff_w["session"]["bingo_mode"], "listening");
        let (mut ada, ada_w) = Client::join(server.addr, &code, "Ada").await;
        let (mut bob, _) = Client::join(server.addr, &code, "Bob").await;
        let grid = grid_of(&ada_w);
        enter_first_activity(&mut staff, &mut [&mut ada, &mut bob]).await;

        staff.send(json!({"type": "bingo.draw"})).await;
        expect_error(&mut staff, "wrong_mode").await;
        ada.send(json!({"type": "bingo.tap", "card": grid[0]}))
            .await;
        expect_error(&mut ada, "wrong_mode").await;
        ada.send(json!({"type": "bingo.mark", "card": grid[0]}))
            .await;
        expect_error(&mut ada, "not_called").await;
        bob.send(json!({"type": "bingo.call", "card": grid[0]}))
            .await;
        expect_error(&mut bob, "forbidden").await;

        // The first column of Ada's grid is called; she marks it and wins the first line.
        for (i, row) in (0..5).enumerate() {
            let card = &grid[row * 5];
            staff
                .send(json!({"type": "bingo.call", "card": card}))
                .await;
            let called = ada.expect("bingo.called").await;
            assert_eq!(
                (&called["card"], &called["step"]),
                (&json!(card), &json!(i + 1))
            );
            assert_eq!(bob.expect("bingo.called").await["card"], *card);
            ada.send(json!({"type": "bingo.mark", "card": card})).await;
            let marked = ada.expect("bingo.marked").await;
            assert_eq!(marked["cell"], row * 5);
            assert_eq!(marked["lines"], if i == 4 { 1 } else { 0 });
        }
        staff
            .send(json!({"type": "bingo.call", "card": grid[0]}))
            .await;
        expect_error(&mut staff, "already_called").await;
        ada.send(json!({"type": "bingo.mark", "card": grid[0]}))
            .await;
        expect_error(&mut ada, "already_marked").await;
        let verdict = claim(&mut ada).await;
        assert_eq!(verdict["awarded"], json!(["first_line"]));
        assert_eq!(
            verdict["completed_lines"],
            json!([{"kind": "column", "index": 0}])
        );

        staff.send(json!({"type": "bingo.end"})).await;
        let ended = staff.expect("bingo.ended").await;
        let cards = ended["stats"]["cards"].as_array().unwrap();
        assert_eq!(cards.len(), 5);
        assert!(cards.iter().all(|c| c["found"] == 1 && c["of"] == 2));
    }
}

/// Everything a viewer sees of the bingo, per participant and for the staff.
async fn snapshot(server: &TestServer, code: &str, tokens: &[String]) -> Vec<Value> {
    let mut views = Vec::new();
    for token in tokens {
        let (phone, welcome) = Client::resume(server.addr, token).await;
        assert_eq!(welcome["type"], "welcome", "{welcome}");
        views.push(json!({"bingo": welcome["bingo"], "phase": welcome["session"]["phase"], "seq": welcome["seq"]}));
        phone.close().await;
    }
    let (staff, welcome) = Client::staff(server.addr, code, ADMIN_TOKEN).await;
    views.push(json!({"bingo": welcome["bingo"], "seq": welcome["seq"]}));
    staff.close().await;
    views
}

crate::on_both_stores! {
    #[tokio::test]
    async fn resume_and_server_restart_mid_game_change_nothing() {
        let mut server = TestServer::start().await;
        let code = code_of(&server.create_session(&["bingo", "fresque"]).await);
        let (mut staff, _) = Client::staff(server.addr, &code, ADMIN_TOKEN).await;
        let (mut ada, ada_w) = Client::join(server.addr, &code, "Ada").await;
        let (mut bob, bob_w) = Client::join(server.addr, &code, "Bob").await;
        let (mut cleo, cleo_w) = Client::join(server.addr, &code, "Cléo").await;
        let (ada_grid, bob_grid) = (grid_of(&ada_w), grid_of(&bob_w));
        enter_first_activity(&mut staff, &mut [&mut ada, &mut bob, &mut cleo]).await;

        // Definition 1 revealed (Ada right, Bob wrong, Cléo silent); definition 2 open, Ada answered.
        let first = ada_grid[0].clone();
        draw(&mut staff, &mut [&mut ada, &mut bob, &mut cleo], &first).await;
        tap(&mut ada, &first).await;
        let wrong = bob_grid.iter().find(|c| **c != first).unwrap().clone();
        tap(&mut bob, &wrong).await;
        staff.send(json!({"type": "bingo.reveal"})).await;
        staff.expect("bingo.revealed").await;
        let second = ada_grid[6].clone();
        draw(&mut staff, &mut [&mut ada, &mut bob, &mut cleo], &second).await;
        assert_eq!(tap(&mut ada, &second).await["correct"], true);
        answers_reach(&mut staff, 1).await;

        // Ada's phone drops and comes back: same grid, marks kept, her answer remembered.
        ada.close().await;
        let (ada, resumed) = Client::resume(server.addr, &token_of(&ada_w)).await;
        let view = &resumed["bingo"];
        assert_eq!(grid_of(&resumed), ada_grid);
        assert_eq!(view["marked"], json!([0, 6]));
        assert_eq!(view["missed"], json!([]));
        assert_eq!(
            view["drawn"],
            json!([first]),
            "only revealed definitions are public"
        );
        let mut current = view["current"].clone();
        assert!(
            current["at"].is_u64(),
            "the round's time, stamped by the server: {current}"
        );
        current.as_object_mut().unwrap().remove("at");
        assert_eq!(
            current,
            json!({"step": 2, "revealed": false, "card": null, "answered": true, "correct": true})
        );
        ada.close().await;
        let (bob_again, bob_view) = Client::resume(server.addr, &token_of(&bob_w)).await;
        let bob_cell = bob_grid.iter().position(|c| *c == first).unwrap();
        assert_eq!(bob_view["bingo"]["missed"], json!([bob_cell]));
        assert_eq!(bob_view["bingo"]["current"]["answered"], false);
        bob_again.close().await;

        let tokens = [token_of(&ada_w), token_of(&bob_w), token_of(&cleo_w)];
        let before = snapshot(&server, &code, &tokens).await;
        drop((staff, bob, cleo));

        server.restart().await;

        let after = snapshot(&server, &code, &tokens).await;
        assert_eq!(after, before, "the restart changed what someone sees");

        // The game goes on where it was: Bob answers the open definition, then the reveal.
        let (mut staff, _) = Client::staff(server.addr, &code, ADMIN_TOKEN).await;
        let (mut bob, _) = Client::resume(server.addr, &token_of(&bob_w)).await;
        assert_eq!(tap(&mut bob, &second).await["correct"], true);
        staff.send(json!({"type": "bingo.reveal"})).await;
        let revealed = staff.expect("bingo.revealed").await;
        assert_eq!(
            (
                &revealed["step"],
                &revealed["found"],
                &revealed["answered"],
                &revealed["of"]
            ),
            (&json!(2), &json!(2), &json!(2), &json!(3))
        );
    }
}

crate::on_both_stores! {
    /// Issue 18: the facilitator's settings (win sound, countdown per definition) are staff
    /// commands kept in the game: the sound reaches only the staff screens (console, projector),
    /// the countdown everyone; draws carry the console's clock, prizes keep it; all of it is in
    /// the snapshots and survives a restart (replay).
    #[tokio::test]
    async fn sound_and_countdown_settings_reach_the_right_screens_and_survive_a_restart() {
        let mut server = TestServer::start().await;
        let code = code_of(&server.create_session(&["bingo", "fresque"]).await);
        let (mut staff, staff_w) = Client::staff(server.addr, &code, ADMIN_TOKEN).await;
        assert_eq!(staff_w["bingo"]["sound"], false, "sound off by default");
        assert_eq!(staff_w["bingo"]["countdown"], 0, "no countdown by default");
        let (mut ada, ada_w) = Client::join(server.addr, &code, "Ada").await;
        assert_eq!(ada_w["bingo"]["countdown"], 0);
        let ada_grid = grid_of(&ada_w);
        enter_first_activity(&mut staff, &mut [&mut ada]).await;

        // A phone may not change them; wrong values are refused.
        ada.send(json!({"type": "bingo.set_sound", "on": true}))
            .await;
        expect_error(&mut ada, "forbidden").await;
        ada.send(json!({"type": "bingo.set_countdown", "seconds": 30}))
            .await;
        expect_error(&mut ada, "forbidden").await;
        staff
            .send(json!({"type": "bingo.set_countdown", "seconds": 3}))
            .await;
        expect_error(&mut staff, "invalid_countdown").await;
        staff
            .send(json!({"type": "bingo.set_countdown", "seconds": "30"}))
            .await;
        expect_error(&mut staff, "bad_fields").await;

        // The sound: to the staff only. The countdown: to everyone.
        staff
            .send(json!({"type": "bingo.set_sound", "on": true}))
            .await;
        assert_eq!(staff.expect("bingo.sound").await["on"], true);
        staff
            .send(json!({"type": "bingo.set_countdown", "seconds": 45}))
            .await;
        assert_eq!(staff.expect("bingo.countdown").await["seconds"], 45);
        // The first bingo event Ada gets is the countdown: she never heard of the sound.
        let first = loop {
            let frame = ada.next().await;
            if frame["type"]
                .as_str()
                .is_some_and(|t| t.starts_with("bingo."))
            {
                break frame;
            }
        };
        assert_eq!(
            (&first["type"], &first["seconds"]),
            (&json!("bingo.countdown"), &json!(45)),
            "{first}"
        );

        // Draws carry the server's clock (a console's `at` is replaced) and the countdown; Ada's
        // line wins with its time.
        let lie = 1_000u64;
        let mut times = Vec::new();
        for card in &ada_grid[..5] {
            let before = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_millis() as u64;
            staff
                .send(json!({"type": "bingo.draw", "card": card, "at": lie}))
                .await;
            let drawn = ada.expect("bingo.drawn").await;
            assert_eq!(drawn["countdown"], 45, "{drawn}");
            let at = drawn["at"].as_u64().expect("a time");
            assert!(
                at >= before && at < before + 60_000,
                "the server's clock: {drawn}"
            );
            times.push(at);
            assert_eq!(tap(&mut ada, card).await["correct"], true);
        }
        let at = times[4];
        claim(&mut ada).await;
        let prize = ada.expect("bingo.prize").await;
        assert_eq!(
            (&prize["prize"], &prize["step"], &prize["at"]),
            (&json!("first_line"), &json!(5), &json!(at))
        );

        let tokens = [token_of(&ada_w)];
        let before = snapshot(&server, &code, &tokens).await;
        let staff_view = &before[1]["bingo"];
        assert_eq!(staff_view["sound"], true);
        assert_eq!(staff_view["countdown"], 45);
        assert_eq!(staff_view["current"]["at"], at);
        assert_eq!(staff_view["prizes"][0]["at"], at);
        let ada_view = &before[0]["bingo"];
        assert_eq!(ada_view["countdown"], 45);
        assert_eq!(ada_view["current"]["at"], at);
        assert!(
            ada_view.get("sound").is_none(),
            "phones are not told: {ada_view}"
        );
        drop((staff, ada));

        server.restart().await;
        let after = snapshot(&server, &code, &tokens).await;
        assert_eq!(after, before, "the restart changed what someone sees");

        // The countdown can be turned off; an ended bingo takes no more settings.
        let (mut staff, _) = Client::staff(server.addr, &code, ADMIN_TOKEN).await;
        staff
            .send(json!({"type": "bingo.set_countdown", "seconds": 0}))
            .await;
        assert_eq!(staff.expect("bingo.countdown").await["seconds"], 0);
        staff.send(json!({"type": "bingo.end"})).await;
        staff.expect("bingo.ended").await;
        staff
            .send(json!({"type": "bingo.set_sound", "on": false}))
            .await;
        expect_error(&mut staff, "ended").await;
    }
}
