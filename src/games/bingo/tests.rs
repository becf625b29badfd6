use super::*;
use proptest::prelude::*;

fn deck() -> Vec<CardId> {
    (0..25).map(|i| format!("card-{i:02}")).collect()
}

fn game(mode: Mode, players: &[ParticipantId]) -> Bingo {
    let mut g = Bingo::new(deck(), mode).unwrap();
    for &p in players {
        g.add_participant(p, 99);
    }
    g
}

const F: Actor = Actor::Facilitator;
fn p(id: ParticipantId) -> Actor {
    Actor::Participant(id)
}

fn draw(g: &mut Bingo, card: &str) {
    g.apply(
        F,
        BingoCommand::Draw {
            card: Some(card.into()),
            at: None,
        },
        0,
    )
    .unwrap();
}

fn tap(g: &mut Bingo, pid: ParticipantId, card: &str) -> Result<Vec<Emit>, BingoError> {
    g.apply(p(pid), BingoCommand::Tap { card: card.into() }, 0)
}

/// Cards of `pid`'s grid at the given cells.
fn cards_at(g: &Bingo, pid: ParticipantId, cells: &[usize]) -> Vec<CardId> {
    let grid = g.grid(pid).unwrap();
    cells.iter().map(|&c| grid[c].clone()).collect()
}

fn event_types(emits: &[Emit]) -> Vec<String> {
    emits
        .iter()
        .map(|e| e.event["type"].as_str().unwrap_or("").to_string())
        .collect()
}

#[test]
fn new_validates_deck() {
    assert_eq!(
        Bingo::new(deck()[..24].to_vec(), Mode::Definition)
            .unwrap_err()
            .code(),
        "invalid_deck"
    );
    let mut dup = deck();
    dup[3] = dup[4].clone();
    assert!(Bingo::new(dup, Mode::Definition).is_err());
    let mut empty = deck();
    empty[0] = String::new();
    assert!(Bingo::new(empty, Mode::Listening).is_err());
}

#[test]
fn every_grid_holds_each_term_once_and_grids_differ() {
    for seed in [0u64, 1, 42, u64::MAX] {
        let mut g = Bingo::new(deck(), Mode::Definition).unwrap();
        // Same seed for everybody on purpose: the participant id separates streams.
        for pid in 1..=30 {
            g.add_participant(pid, seed);
        }
        let mut grids = BTreeSet::new();
        for pid in 1..=30 {
            let mut grid = g.grid(pid).unwrap().to_vec();
            assert!(
                grids.insert(grid.clone()),
                "grid of {pid} repeats (seed {seed})"
            );
            grid.sort();
            assert_eq!(grid, deck());
        }
    }
}

#[test]
fn rejoin_keeps_grid_and_marks() {
    let mut g = game(Mode::Definition, &[1]);
    let grid = g.grid(1).unwrap().to_vec();
    draw(&mut g, &grid[0]);
    tap(&mut g, 1, &grid[0]).unwrap();
    g.remove_participant(1);
    assert_eq!(tap(&mut g, 1, &grid[1]).unwrap_err().code(), "not_in_game");
    g.add_participant(1, 12345);
    assert_eq!(g.grid(1).unwrap(), grid.as_slice());
    assert_eq!(g.view(Viewer::Participant(1))["marked"], json!([0]));
    // Idempotent while active.
    let before = g.clone();
    assert!(g.add_participant(1, 777).is_empty());
    assert_eq!(g, before);
}

#[test]
fn all_twelve_lines_are_detected() {
    let lines = Line::all();
    assert_eq!(lines.len(), 12);
    for line in lines {
        let mut marked = [false; GRID_CELLS];
        for c in line.cells() {
            marked[c] = true;
        }
        assert_eq!(completed_lines(&marked), vec![line], "{line:?}");
        // One cell short is no line.
        marked[line.cells()[2]] = false;
        assert!(completed_lines(&marked).is_empty());
    }
    assert_eq!(completed_lines(&[true; GRID_CELLS]).len(), 12);
    assert_eq!(Line::Diagonal.cells(), [0, 6, 12, 18, 24]);
    assert_eq!(Line::AntiDiagonal.cells(), [4, 8, 12, 16, 20]);
    assert_eq!(Line::Column(2).cells(), [2, 7, 12, 17, 22]);
}

#[test]
fn definition_mode_taps() {
    let mut g = game(Mode::Definition, &[1, 2, 3]);
    let target = g.grid(1).unwrap()[7].clone();
    // No open definition yet.
    assert_eq!(
        tap(&mut g, 1, &target).unwrap_err().code(),
        "no_open_definition"
    );
    let emits = g
        .apply(
            F,
            BingoCommand::Draw {
                card: None,
                at: None,
            },
            5,
        )
        .unwrap();
    // Phones must not learn the drawn card; staff does.
    let all = emits.iter().find(|e| e.to == Audience::All).unwrap();
    assert!(all.event.get("card").is_none());
    let staff = emits
        .iter()
        .find(|e| e.event["type"] == "bingo.definition")
        .unwrap();
    assert_eq!(staff.to, Audience::Staff);
    let drawn = staff.event["card"].as_str().unwrap().to_string();
    assert!(g.view(Viewer::Participant(1))["current"]["card"].is_null());

    let wrong = deck().into_iter().find(|c| *c != drawn).unwrap();
    let e = tap(&mut g, 1, &drawn).unwrap();
    assert_eq!(e[0].event["correct"], json!(true));
    assert_eq!(e[0].to, Audience::Participant(1));
    assert_eq!(
        tap(&mut g, 1, &wrong).unwrap_err().code(),
        "already_answered"
    );
    let e = tap(&mut g, 2, &wrong).unwrap();
    assert_eq!(e[0].event["correct"], json!(false));
    // Player 3 does not answer.
    let e = g.apply(F, BingoCommand::Reveal, 0).unwrap();
    assert_eq!(e[0].to, Audience::All);
    assert_eq!(e[0].event["found"], json!(1));
    assert_eq!(e[0].event["answered"], json!(2));
    assert_eq!(e[0].event["of"], json!(3));
    assert_eq!(e[0].event["card"], json!(drawn));
    assert_eq!(
        tap(&mut g, 3, &drawn).unwrap_err().code(),
        "no_open_definition"
    );
    assert_eq!(
        g.apply(F, BingoCommand::Reveal, 0).unwrap_err().code(),
        "nothing_to_reveal"
    );
    // Phones learn missed cells.
    let v2 = g.view(Viewer::Participant(2));
    let cell2 = g.grid(2).unwrap().iter().position(|c| *c == drawn).unwrap();
    assert_eq!(v2["missed"], json!([cell2]));
    assert_eq!(v2["marked"], json!([]));
    let v1 = g.view(Viewer::Participant(1));
    assert_eq!(v1["missed"], json!([]));
    // Old cells are closed, not a lost answer.
    draw(&mut g, &wrong);
    assert_eq!(tap(&mut g, 2, &drawn).unwrap_err().code(), "cell_closed");
    assert_eq!(tap(&mut g, 1, &drawn).unwrap_err().code(), "cell_closed");
    assert_eq!(
        g.apply(
            F,
            BingoCommand::Draw {
                card: Some(wrong.clone()),
                at: None,
            },
            0
        )
        .unwrap_err()
        .code(),
        "already_drawn"
    );
}

#[test]
fn draw_auto_reveals_and_exhausts() {
    let mut g = game(Mode::Definition, &[1]);
    let mut seen = BTreeSet::new();
    for i in 0..25 {
        let e = g
            .apply(
                F,
                BingoCommand::Draw {
                    card: None,
                    at: None,
                },
                i,
            )
            .unwrap();
        let types = event_types(&e);
        if i > 0 {
            assert_eq!(types[0], "bingo.revealed");
        }
        let card = e
            .iter()
            .find(|e| e.event["type"] == "bingo.definition")
            .unwrap()
            .event["card"]
            .as_str()
            .unwrap()
            .to_string();
        assert!(seen.insert(card), "no repeats");
    }
    assert_eq!(
        g.apply(
            F,
            BingoCommand::Draw {
                card: None,
                at: None
            },
            0
        )
        .unwrap_err()
        .code(),
        "deck_exhausted"
    );
}

#[test]
fn roles_and_modes_are_checked() {
    let mut g = game(Mode::Definition, &[1]);
    for cmd in [
        BingoCommand::Draw {
            card: None,
            at: None,
        },
        BingoCommand::Reveal,
        BingoCommand::Pause,
        BingoCommand::End,
    ] {
        assert_eq!(g.apply(p(1), cmd, 0).unwrap_err().code(), "forbidden");
    }
    assert_eq!(
        g.apply(F, BingoCommand::Claim, 0).unwrap_err().code(),
        "not_a_participant"
    );
    assert_eq!(
        g.apply(p(9), BingoCommand::Claim, 0).unwrap_err().code(),
        "not_in_game"
    );
    assert_eq!(
        g.apply(
            F,
            BingoCommand::Call {
                card: "card-00".into(),
                at: None,
            },
            0
        )
        .unwrap_err()
        .code(),
        "wrong_mode"
    );
    assert_eq!(
        g.apply(
            p(1),
            BingoCommand::Mark {
                card: "card-00".into()
            },
            0
        )
        .unwrap_err()
        .code(),
        "wrong_mode"
    );
    g.apply(F, BingoCommand::Pause, 0).unwrap();
    assert_eq!(
        g.apply(
            F,
            BingoCommand::Draw {
                card: None,
                at: None
            },
            0
        )
        .unwrap_err()
        .code(),
        "paused"
    );
    assert_eq!(
        g.apply(p(1), BingoCommand::Claim, 0).unwrap_err().code(),
        "paused"
    );
    g.apply(F, BingoCommand::Resume, 0).unwrap();
    assert_eq!(
        g.apply(F, BingoCommand::Resume, 0).unwrap_err().code(),
        "not_paused"
    );
    g.apply(F, BingoCommand::End, 0).unwrap();
    assert_eq!(
        g.apply(F, BingoCommand::End, 0).unwrap_err().code(),
        "ended"
    );
}

#[test]
fn listening_mode_marks_only_called_terms() {
    let mut g = game(Mode::Listening, &[1]);
    let c = g.grid(1).unwrap()[3].clone();
    let mark =
        |g: &mut Bingo, card: &str| g.apply(p(1), BingoCommand::Mark { card: card.into() }, 0);
    assert_eq!(mark(&mut g, &c).unwrap_err().code(), "not_called");
    assert_eq!(mark(&mut g, "nope").unwrap_err().code(), "unknown_card");
    let e = g
        .apply(
            F,
            BingoCommand::Call {
                card: c.clone(),
                at: None,
            },
            0,
        )
        .unwrap();
    assert_eq!(e[0].event["card"], json!(c));
    assert_eq!(
        g.apply(
            F,
            BingoCommand::Call {
                card: c.clone(),
                at: None
            },
            0
        )
        .unwrap_err()
        .code(),
        "already_called"
    );
    assert_eq!(
        g.apply(
            F,
            BingoCommand::Call {
                card: "x".into(),
                at: None
            },
            0
        )
        .unwrap_err()
        .code(),
        "unknown_card"
    );
    mark(&mut g, &c).unwrap();
    assert_eq!(mark(&mut g, &c).unwrap_err().code(), "already_marked");
    assert_eq!(g.view(Viewer::Participant(1))["marked"], json!([3]));
    assert_eq!(
        tap(&mut g, 1, &c).unwrap_err().code(),
        "wrong_mode",
        "taps are for definition mode"
    );
}

/// Listening mode makes it easy to set up exact boards.
fn listening_with_lines(players: &[ParticipantId]) -> Bingo {
    let mut g = game(Mode::Listening, players);
    for c in deck() {
        g.apply(F, BingoCommand::Call { card: c, at: None }, 0)
            .unwrap();
    }
    g
}

fn mark_cells(g: &mut Bingo, pid: ParticipantId, cells: &[usize]) {
    for c in cards_at(g, pid, cells) {
        g.apply(p(pid), BingoCommand::Mark { card: c }, 0).unwrap();
    }
}

fn claim(g: &mut Bingo, pid: ParticipantId) -> Value {
    let e = g.apply(p(pid), BingoCommand::Claim, 0).unwrap();
    e.iter()
        .find(|e| e.event["type"] == "bingo.claim_checked")
        .unwrap()
        .event
        .clone()
}

#[test]
fn false_claims_are_refused_and_shown_to_staff() {
    let mut g = listening_with_lines(&[1]);
    mark_cells(&mut g, 1, &[0, 1, 2, 3]);
    let e = g.apply(p(1), BingoCommand::Claim, 0).unwrap();
    let audiences: Vec<&Audience> = e
        .iter()
        .filter(|e| e.event["type"] == "bingo.claim_checked")
        .map(|e| &e.to)
        .collect();
    assert_eq!(audiences, vec![&Audience::Participant(1), &Audience::Staff]);
    assert_eq!(e[0].event["valid"], json!(false));
    let staff = g.view(Viewer::Staff);
    assert_eq!(
        staff["refused_claims"],
        json!([{"participant": 1, "step": 25}])
    );
    assert_eq!(staff["participants"][0]["refused_claims"], json!(1));
    assert!(g.prizes().is_empty());
}

#[test]
fn claim_checks_every_line_kind() {
    for line in Line::all() {
        let mut g = listening_with_lines(&[1]);
        mark_cells(&mut g, 1, &line.cells());
        let v = claim(&mut g, 1);
        assert_eq!(v["valid"], json!(true), "{line:?}");
        assert_eq!(v["awarded"], json!(["first_line"]));
        assert_eq!(g.lines_of(1), vec![line]);
    }
}

#[test]
fn prizes_in_order_with_ties_per_step() {
    // Definition mode, three players; steer everyone to a line at chosen steps.
    let mut g = game(Mode::Definition, &[1, 2, 3]);
    let row0_1 = cards_at(&g, 1, &[0, 1, 2, 3, 4]);
    // Draw player 1's first row; players 2 and 3 tap right every time too.
    for (i, c) in row0_1.iter().enumerate() {
        draw(&mut g, c);
        for pid in [1, 2, 3] {
            tap(&mut g, pid, c).unwrap();
        }
        if i < 4 {
            assert_eq!(claim(&mut g, 1)["valid"], json!(false));
        }
    }
    // Player 1 completed a line at step 5 and claims; player 2 only has the cards
    // scattered (probably no line): check with the server's own view.
    let v = claim(&mut g, 1);
    assert_eq!(v["awarded"], json!(["first_line"]));
    assert_eq!(g.prizes()[0].step, 5);
    // Give player 2 and 3 lines during step 6..: simplest is to draw their missing
    // cells; whoever completes and claims during the same step shares.
    let mut step_of_completion = BTreeMap::new();
    let mut step = 5;
    for c in deck() {
        if g.is_drawn(&c) {
            continue;
        }
        draw(&mut g, &c);
        step += 1;
        for pid in [2, 3] {
            tap(&mut g, pid, &c).unwrap();
            if !g.lines_of(pid).is_empty() && !step_of_completion.contains_key(&pid) {
                step_of_completion.insert(pid, step);
            }
        }
        if step_of_completion.len() == 2 {
            break;
        }
    }
    // Both claim now (during the current step). Only those who claim during the step
    // when the first line was taken share it: it was taken at step 5, so they are
    // late for the first line.
    for pid in [2, 3] {
        let v = claim(&mut g, pid);
        assert_eq!(v["valid"], json!(true));
        let awarded = v["awarded"].as_array().unwrap();
        assert!(!awarded.contains(&json!("first_line")));
    }
    let first = &g.prizes()[0];
    assert_eq!(first.winners, vec![1]);
}

#[test]
fn same_step_claims_share_the_place_and_next_step_does_not() {
    let mut g2 = game(Mode::Listening, &[1, 2, 3]);
    let mut called = BTreeSet::new();
    let mut call = |g: &mut Bingo, cards: Vec<CardId>| {
        for c in cards {
            if called.insert(c.clone()) {
                g.apply(F, BingoCommand::Call { card: c, at: None }, 0)
                    .unwrap();
            }
        }
    };
    let r1 = cards_at(&g2, 1, &[0, 1, 2, 3, 4]);
    let r2 = cards_at(&g2, 2, &[0, 1, 2, 3, 4]);
    let r3 = cards_at(&g2, 3, &[5, 6, 7, 8, 9]);
    call(&mut g2, r1.iter().chain(&r2).chain(&r3).cloned().collect());
    mark_cells(&mut g2, 1, &[0, 1, 2, 3, 4]);
    mark_cells(&mut g2, 2, &[0, 1, 2, 3, 4]);
    mark_cells(&mut g2, 3, &[5, 6, 7, 8, 9]);
    let step = g2.step;
    assert_eq!(claim(&mut g2, 1)["awarded"], json!(["first_line"]));
    assert_eq!(claim(&mut g2, 2)["awarded"], json!(["first_line"]));
    // A new call closes the step: player 3 is late for the first line.
    let extra = deck().into_iter().find(|c| !called.contains(c)).unwrap();
    g2.apply(
        F,
        BingoCommand::Call {
            card: extra,
            at: None,
        },
        0,
    )
    .unwrap();
    let v = claim(&mut g2, 3);
    assert_eq!(v["valid"], json!(true));
    assert_eq!(v["awarded"], json!([]));
    assert_eq!(
        g2.prizes(),
        &[PrizeAward {
            prize: Prize::FirstLine,
            step,
            winners: vec![1, 2],
            at: None,
        }]
    );
    // Claiming again does not duplicate a winner.
    assert_eq!(claim(&mut g2, 1)["awarded"], json!([]));
    assert_eq!(g2.prizes()[0].winners, vec![1, 2]);
}

#[test]
fn one_claim_can_take_several_prizes_in_order() {
    let mut g = listening_with_lines(&[1, 2]);
    mark_cells(&mut g, 1, &[0, 1, 2, 3, 4, 5, 10, 15, 20]); // row 0 + column 0
    let v = claim(&mut g, 1);
    assert_eq!(v["awarded"], json!(["first_line", "two_lines"]));
    mark_cells(&mut g, 2, &(0..25).collect::<Vec<_>>());
    // Same step (no call left): player 2 shares both line prizes and takes the card.
    let v = claim(&mut g, 2);
    assert_eq!(
        v["awarded"],
        json!(["first_line", "two_lines", "full_card"])
    );
    assert_eq!(g.prizes().len(), 3);
    assert_eq!(g.prizes()[2].winners, vec![2]);
    assert_eq!(g.prizes()[0].winners, vec![1, 2]);
}

#[test]
fn end_stats_and_hardest_terms() {
    let mut g = game(Mode::Definition, &[1, 2]);
    let cards = deck();
    // card-00: both find; card-01: one; card-02: nobody; card-03: one.
    let plan: [(usize, &[ParticipantId]); 4] = [(0, &[1, 2]), (1, &[1]), (2, &[]), (3, &[2])];
    for (i, finders) in plan {
        draw(&mut g, &cards[i]);
        for pid in [1, 2] {
            let card = if finders.contains(&pid) {
                cards[i].clone()
            } else {
                // A wrong card that was not drawn yet.
                cards[24 - pid as usize].clone()
            };
            tap(&mut g, pid, &card).unwrap();
        }
    }
    let e = g.apply(F, BingoCommand::End, 0).unwrap();
    assert_eq!(event_types(&e), vec!["bingo.revealed", "bingo.ended"]);
    let stats = &e[1].event["stats"];
    assert_eq!(stats["cards"].as_array().unwrap().len(), 4);
    let hardest: Vec<&str> = stats["hardest"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["card"].as_str().unwrap())
        .collect();
    assert_eq!(hardest, vec!["card-02", "card-01", "card-03"]);
    assert_eq!(stats["cards"][0]["rate"], json!(1.0));
    assert_eq!(g.view(Viewer::Staff)["stats"], *stats);
}

#[test]
fn views_never_panic_and_hide_answers() {
    let mut g = game(Mode::Definition, &[1]);
    assert_eq!(g.view(Viewer::Participant(42))["joined"], json!(false));
    draw(&mut g, "card-05");
    let v = g.view(Viewer::Participant(1)).to_string();
    // The grid contains every id, so look only at the non-grid fields.
    let v: Value = serde_json::from_str(&v).unwrap();
    assert!(v["current"]["card"].is_null());
    assert_eq!(v["drawn"], json!([]));
    assert_eq!(g.view(Viewer::Staff)["current"]["card"], json!("card-05"));
}

#[test]
fn commands_parse_from_client_json() {
    let c: BingoCommand = serde_json::from_str(r#"{"type":"tap","card":"open-badge"}"#).unwrap();
    assert_eq!(
        c,
        BingoCommand::Tap {
            card: "open-badge".into()
        }
    );
    let c: BingoCommand = serde_json::from_str(r#"{"type":"draw"}"#).unwrap();
    assert_eq!(
        c,
        BingoCommand::Draw {
            card: None,
            at: None
        }
    );
    let c: BingoCommand = serde_json::from_str(r#"{"type":"claim"}"#).unwrap();
    assert_eq!(c, BingoCommand::Claim);
}

#[test]
fn snapshot_roundtrip() {
    let mut g = listening_with_lines(&[1, 2]);
    mark_cells(&mut g, 1, &[0, 1, 2, 3, 4]);
    claim(&mut g, 1);
    let s = serde_json::to_string(&g).unwrap();
    let back: Bingo = serde_json::from_str(&s).unwrap();
    assert_eq!(back, g);
}

#[test]
fn sound_and_countdown_are_staff_settings_kept_in_the_state() {
    let mut g = game(Mode::Definition, &[1]);
    assert_eq!(g.view(Viewer::Staff)["sound"], json!(false));
    assert_eq!(g.view(Viewer::Staff)["countdown"], json!(0));
    // Errors change nothing.
    let before = g.clone();
    for (actor, cmd, code) in [
        (p(1), BingoCommand::SetSound { on: true }, "forbidden"),
        (
            p(1),
            BingoCommand::SetCountdown { seconds: 30 },
            "forbidden",
        ),
        (
            F,
            BingoCommand::SetCountdown { seconds: 4 },
            "invalid_countdown",
        ),
        (
            F,
            BingoCommand::SetCountdown { seconds: 601 },
            "invalid_countdown",
        ),
    ] {
        assert_eq!(g.apply(actor, cmd, 0).unwrap_err().code(), code);
        assert_eq!(g, before);
    }
    let e = g.apply(F, BingoCommand::SetSound { on: true }, 0).unwrap();
    assert_eq!(e.len(), 1);
    assert_eq!(e[0].to, Audience::Staff);
    assert_eq!(e[0].event, json!({"type": "bingo.sound", "on": true}));
    assert!(g.sound());
    let e = g
        .apply(F, BingoCommand::SetCountdown { seconds: 30 }, 0)
        .unwrap();
    assert_eq!(e[0].to, Audience::All);
    assert_eq!(
        e[0].event,
        json!({"type": "bingo.countdown", "seconds": 30})
    );
    assert_eq!(g.countdown(), 30);
    // Both work while paused (setting up), and show in the views.
    g.apply(F, BingoCommand::Pause, 0).unwrap();
    g.apply(F, BingoCommand::SetCountdown { seconds: 45 }, 0)
        .unwrap();
    g.apply(F, BingoCommand::Resume, 0).unwrap();
    assert_eq!(g.view(Viewer::Staff)["sound"], json!(true));
    assert_eq!(g.view(Viewer::Staff)["countdown"], json!(45));
    assert_eq!(g.view(Viewer::Participant(1))["countdown"], json!(45));
    assert!(g.view(Viewer::Participant(1)).get("sound").is_none());
    // A draw carries the countdown and the console's clock; the views keep the clock.
    let e = g
        .apply(
            F,
            BingoCommand::Draw {
                card: Some("card-03".into()),
                at: Some(1_700_000_000_000),
            },
            0,
        )
        .unwrap();
    let drawn = e.iter().find(|e| e.event["type"] == "bingo.drawn").unwrap();
    assert_eq!(drawn.event["countdown"], json!(45));
    assert_eq!(drawn.event["at"], json!(1_700_000_000_000u64));
    assert_eq!(
        g.view(Viewer::Participant(1))["current"]["at"],
        json!(1_700_000_000_000u64)
    );
    assert_eq!(
        g.view(Viewer::Staff)["current"]["at"],
        json!(1_700_000_000_000u64)
    );
    // Countdown 0 turns it off; a snapshot keeps both settings (replay gives the same state).
    g.apply(F, BingoCommand::SetCountdown { seconds: 0 }, 0)
        .unwrap();
    let back: Bingo = serde_json::from_str(&serde_json::to_string(&g).unwrap()).unwrap();
    assert_eq!(back, g);
    assert!(back.sound());
    // Ended: refused, nothing changes.
    g.apply(F, BingoCommand::End, 0).unwrap();
    let before = g.clone();
    assert_eq!(
        g.apply(F, BingoCommand::SetSound { on: false }, 0)
            .unwrap_err()
            .code(),
        "ended"
    );
    assert_eq!(
        g.apply(F, BingoCommand::SetCountdown { seconds: 15 }, 0)
            .unwrap_err()
            .code(),
        "ended"
    );
    assert_eq!(g, before);
}

#[test]
fn a_prize_keeps_the_clock_time_of_its_step() {
    let mut g = game(Mode::Listening, &[1]);
    let row = cards_at(&g, 1, &[0, 1, 2, 3, 4]);
    for (i, c) in row.iter().enumerate() {
        let at = Some(1_000 * (i as u64 + 1));
        g.apply(
            F,
            BingoCommand::Call {
                card: c.clone(),
                at,
            },
            0,
        )
        .unwrap();
    }
    mark_cells(&mut g, 1, &[0, 1, 2, 3, 4]);
    let e = g.apply(p(1), BingoCommand::Claim, 0).unwrap();
    let prize = e.iter().find(|e| e.event["type"] == "bingo.prize").unwrap();
    assert_eq!(prize.event["step"], json!(5));
    assert_eq!(prize.event["at"], json!(5_000));
    assert_eq!(g.prizes()[0].at, Some(5_000));
    assert_eq!(g.view(Viewer::Staff)["prizes"][0]["at"], json!(5_000));
    // Old commands and snapshots without a clock still parse.
    let c: BingoCommand = serde_json::from_str(r#"{"type":"call","card":"x"}"#).unwrap();
    assert_eq!(
        c,
        BingoCommand::Call {
            card: "x".into(),
            at: None
        }
    );
    let c: BingoCommand = serde_json::from_str(r#"{"type":"set_countdown","seconds":30}"#).unwrap();
    assert_eq!(c, BingoCommand::SetCountdown { seconds: 30 });
    let mut old = serde_json::to_value(&g).unwrap();
    for key in ["times", "sound", "countdown"] {
        old.as_object_mut().unwrap().remove(key);
    }
    old["prizes"][0].as_object_mut().unwrap().remove("at");
    let back: Bingo = serde_json::from_value(old).unwrap();
    assert_eq!(back.countdown(), 0);
    assert_eq!(back.prizes()[0].at, None);
}

fn arb_actor() -> impl Strategy<Value = Actor> {
    prop_oneof![
        1 => Just(Actor::Facilitator),
        4 => (0u32..4).prop_map(Actor::Participant),
    ]
}

fn arb_card() -> impl Strategy<Value = CardId> {
    prop_oneof![
        10 => (0usize..25).prop_map(|i| format!("card-{i:02}")),
        1 => Just("unknown".to_string()),
    ]
}

fn arb_cmd() -> impl Strategy<Value = BingoCommand> {
    prop_oneof![
        3 => proptest::option::of(arb_card()).prop_map(|card| BingoCommand::Draw { card, at: None }),
        1 => Just(BingoCommand::Reveal),
        3 => arb_card().prop_map(|card| BingoCommand::Call { card, at: None }),
        6 => arb_card().prop_map(|card| BingoCommand::Tap { card }),
        6 => arb_card().prop_map(|card| BingoCommand::Mark { card }),
        2 => Just(BingoCommand::Claim),
        1 => any::<bool>().prop_map(|on| BingoCommand::SetSound { on }),
        1 => prop_oneof![Just(0u32), Just(4), Just(30), Just(601)]
            .prop_map(|seconds| BingoCommand::SetCountdown { seconds }),
        // Pause and end stop play: keep them rare so most runs reach prizes.
        1 => (0u8..12).prop_map(|k| match k {
            0 => BingoCommand::End,
            1..=3 => BingoCommand::Pause,
            _ => BingoCommand::Resume,
        }),
    ]
}

#[derive(Debug, Clone)]
enum Step {
    Join(ParticipantId, u64),
    Leave(ParticipantId),
    Cmd(Actor, BingoCommand, u64),
    /// A participant answers right (definition: the open card; listening: a called
    /// term picked by `k`), so that lines and claims actually happen.
    Right(ParticipantId, usize),
    /// Every joined participant answers right.
    AllRight(usize),
    /// The facilitator moves on: random draw, or calls deck card `k`.
    Advance(u64, usize),
}

fn arb_step() -> impl Strategy<Value = Step> {
    prop_oneof![
        3 => ((0u32..4), any::<u64>()).prop_map(|(p, s)| Step::Join(p, s)),
        1 => (0u32..4).prop_map(Step::Leave),
        12 => (arb_actor(), arb_cmd(), any::<u64>()).prop_map(|(a, c, s)| Step::Cmd(a, c, s)),
        12 => ((0u32..4), any::<usize>()).prop_map(|(p, k)| Step::Right(p, k)),
        10 => any::<usize>().prop_map(Step::AllRight),
        6 => (any::<u64>(), any::<usize>()).prop_map(|(s, k)| Step::Advance(s, k)),
        6 => (0u32..4).prop_map(|p| Step::Cmd(Actor::Participant(p), BingoCommand::Claim, 0)),
    ]
}

/// The right answer for `pid` now (None when there is nothing to answer).
fn right_answer(g: &Bingo, pid: ParticipantId, k: usize) -> Option<(Actor, BingoCommand, u64)> {
    let cmd = match g.mode {
        Mode::Definition => BingoCommand::Tap {
            card: g.rounds.last()?.card.clone(),
        },
        Mode::Listening => {
            let c = &g.called;
            let card = (!c.is_empty()).then(|| c[k % c.len()].clone())?;
            BingoCommand::Mark { card }
        }
    };
    Some((p(pid), cmd, 0))
}

/// Concrete commands for one step, resolved against the current state.
fn commands(g: &Bingo, s: &Step) -> Vec<(Actor, BingoCommand, u64)> {
    match s {
        Step::Join(..) | Step::Leave(_) => vec![],
        Step::Cmd(a, c, seed) => vec![(*a, c.clone(), *seed)],
        Step::Right(pid, k) => right_answer(g, *pid, *k).into_iter().collect(),
        Step::AllRight(k) => g
            .players
            .keys()
            .filter_map(|&pid| right_answer(g, pid, *k + pid as usize))
            .collect(),
        Step::Advance(seed, k) => {
            let cmd = match g.mode {
                Mode::Definition => BingoCommand::Draw {
                    card: None,
                    at: None,
                },
                Mode::Listening => BingoCommand::Call {
                    card: deck()[k % GRID_CELLS].clone(),
                    at: None,
                },
            };
            vec![(F, cmd, *seed)]
        }
    }
}

fn run(g: &mut Bingo, steps: &[Step]) -> Vec<Vec<Emit>> {
    let mut log = Vec::new();
    for s in steps {
        match s {
            Step::Join(p, seed) => log.push(g.add_participant(*p, *seed)),
            Step::Leave(p) => log.push(g.remove_participant(*p)),
            _ => {}
        }
        for (a, c, seed) in commands(g, s) {
            let before = g.clone();
            match g.apply(a, c, seed) {
                Ok(e) => log.push(e),
                Err(err) => {
                    assert_eq!(*g, before, "error {} changed the state", err.code());
                    assert!(!err.code().is_empty());
                    log.push(vec![]);
                }
            }
        }
    }
    log
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    /// Errors change nothing, grids stay permutations, marks only on drawn/called
    /// terms, every prize winner really had a line, and replay is deterministic.
    #[test]
    fn random_sessions_keep_invariants(
        listening in any::<bool>(),
        steps in proptest::collection::vec(arb_step(), 0..250),
    ) {
        let mode = if listening { Mode::Listening } else { Mode::Definition };
        let mut g = Bingo::new(deck(), mode).unwrap();
        let log = run(&mut g, &steps);
        for pl in g.players.values() {
            let mut grid = pl.grid.clone();
            grid.sort();
            prop_assert_eq!(grid, deck());
            for (i, &m) in pl.marked.iter().enumerate() {
                if m {
                    prop_assert!(g.staff_drawn().contains(&&pl.grid[i]));
                }
            }
        }
        // Prizes come in order, steps never go backwards, no winner twice, and
        // every winner's own record agrees.
        for (i, a) in g.prizes.iter().enumerate() {
            prop_assert_eq!(a.prize, Prize::ALL[i]);
            if i > 0 {
                prop_assert!(g.prizes[i - 1].step <= a.step);
            }
            let w: BTreeSet<_> = a.winners.iter().collect();
            prop_assert_eq!(w.len(), a.winners.len());
            for pid in &a.winners {
                prop_assert!(g.players[pid].prizes.contains(&a.prize));
                prop_assert!(!g.players[pid].lines().is_empty());
            }
        }
        // The kept counters equal a recount, and a snapshot restores them.
        prop_assert_eq!((g.active, g.answered), g.recount());
        let hashes: HashSet<u64> = g.players.values().map(|p| grid_hash(&p.grid)).collect();
        prop_assert_eq!(&hashes, &g.grid_hashes);
        let back: Bingo = serde_json::from_str(&serde_json::to_string(&g).unwrap()).unwrap();
        prop_assert_eq!(&back, &g);
        // Replay.
        let mut h = Bingo::new(deck(), mode).unwrap();
        let log2 = run(&mut h, &steps);
        prop_assert_eq!(&g, &h);
        prop_assert_eq!(log, log2);
        // Views never panic.
        let _ = g.view(Viewer::Staff);
        for pid in 0..6 {
            let _ = g.view(Viewer::Participant(pid));
        }
    }
}
