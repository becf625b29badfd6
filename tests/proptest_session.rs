//! Hostile input against the pure session state machine: arbitrary command sequences from
//! arbitrary roles (the facilitator, participants that exist, never existed or were removed),
//! including every game and badge-desk command, with ids and card names that are right,
//! wrong or absurd. No panic; a refused command changes nothing; an accepted one bumps `seq`
//! by one; views never panic; fresque teams never lose or invent cards; a phone never sees
//! the answer of an open bingo definition; replay and snapshot give back the same state.
//! (The cargo-fuzz targets in `fuzz/` run the same properties for much longer.)

use atelier::games::bingo::{BingoCommand, Mode};
use atelier::games::fresque::FresqueCommand;
use atelier::games::{Actor, Viewer};
use atelier::session::badges::{BadgeCommand, BadgeMode};
use atelier::session::{ActivityKind, Command, Phase, SessionConfig, SessionState};
use proptest::prelude::*;
use serde_json::Value;

fn session(order: usize, mode: Mode) -> SessionState {
    let library = atelier::deck::DeckLibrary::builtin().unwrap();
    let activities = match order {
        0 => vec![ActivityKind::Bingo, ActivityKind::Fresque],
        1 => vec![ActivityKind::Fresque, ActivityKind::Bingo],
        2 => vec![ActivityKind::Bingo],
        _ => vec![ActivityKind::Fresque],
    };
    let config = SessionConfig::from_deck(
        "ACDEFG".into(),
        "Atelier".into(),
        "fr".into(),
        activities,
        library.default_deck(),
        None,
        None,
        mode,
    )
    .unwrap();
    SessionState::new(config).unwrap()
}

/// The deck's card ids (bingo terms and fresque cards), plus a few that are not.
fn card_names() -> Vec<String> {
    let s = session(0, Mode::Definition);
    let mut cards = s.config.cards.clone();
    for c in s.config.packs.iter().flatten() {
        if !cards.contains(c) {
            cards.push(c.clone());
        }
    }
    cards.extend(["", "nope", "<b>x</b>", "open-badge\u{0}"].map(String::from));
    cards
}

fn card() -> impl Strategy<Value = String> {
    proptest::sample::select(card_names())
}

fn small() -> impl Strategy<Value = u32> {
    prop_oneof![8 => 0u32..6, 1 => any::<u32>()]
}

fn actor() -> impl Strategy<Value = Actor> {
    prop_oneof![
        1 => Just(Actor::Facilitator),
        2 => (0u32..7).prop_map(Actor::Participant),
        1 => any::<u32>().prop_map(Actor::Participant),
    ]
}

fn phase() -> impl Strategy<Value = Phase> {
    prop_oneof![
        Just(Phase::Lobby),
        prop_oneof![3 => 0usize..3, 1 => any::<usize>()]
            .prop_map(|index| Phase::Activity { index }),
        Just(Phase::Badges),
        Just(Phase::Feedback),
        Just(Phase::Closed),
    ]
}

fn bingo() -> impl Strategy<Value = BingoCommand> {
    prop_oneof![
        proptest::option::of(card()).prop_map(|card| BingoCommand::Draw { card, at: None }),
        Just(BingoCommand::Reveal),
        card().prop_map(|card| BingoCommand::Call { card, at: None }),
        card().prop_map(|card| BingoCommand::Tap { card }),
        card().prop_map(|card| BingoCommand::Mark { card }),
        Just(BingoCommand::Claim),
        Just(BingoCommand::Pause),
        Just(BingoCommand::Resume),
        Just(BingoCommand::End),
    ]
}

fn fresque() -> impl Strategy<Value = FresqueCommand> {
    prop_oneof![
        (proptest::option::of(small()), proptest::option::of(small()))
            .prop_map(|(count, size)| FresqueCommand::FormTeams { count, size }),
        (0u32..7, small())
            .prop_map(|(participant, team)| FresqueCommand::MoveMember { participant, team }),
        Just(FresqueCommand::Deal),
        (card(), proptest::option::of(card()))
            .prop_map(|(card, after)| FresqueCommand::Place { card, after }),
        (card(), proptest::option::of(card()))
            .prop_map(|(card, after)| FresqueCommand::Move { card, after }),
        card().prop_map(|card| FresqueCommand::Return { card }),
        Just(FresqueCommand::Reveal),
        small().prop_map(|index| FresqueCommand::Debrief { index }),
        proptest::option::of(small()).prop_map(|team| FresqueCommand::ShowTeam { team }),
    ]
}

fn time() -> impl Strategy<Value = String> {
    proptest::sample::select(vec![
        "2026-05-01T10:00:00Z",
        "2030-01-01T00:00:00Z",
        "1970-01-01T00:00:00Z",
        "not a time",
    ])
    .prop_map(String::from)
}

fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        Just(String::new()),
        Just("<img src=x onerror=alert(1)>".to_string()),
        Just("=HYPERLINK(\"http://x\")".to_string()),
        "\\PC{1,50}",
        "[a-zA-Z ]{1,12}",
    ]
}

fn badge() -> impl Strategy<Value = BadgeCommand> {
    let mode = proptest::sample::select(vec![
        BadgeMode::Automatic,
        BadgeMode::Review,
        BadgeMode::ClaimCode,
    ]);
    let code = proptest::option::of(
        proptest::sample::select(vec!["K7M2QX", "k7m2qx", "AAAAAA", ""]).prop_map(String::from),
    );
    prop_oneof![
        (mode, proptest::option::of(time()), code.clone(), time()).prop_map(
            |(mode, valid_until, claim_code, now)| BadgeCommand::Open {
                mode,
                valid_until,
                claim_code,
                now
            }
        ),
        (
            text(),
            proptest::option::of(text()),
            proptest::option::of(text()),
            code,
            proptest::option::of(
                proptest::sample::select(vec!["fr", "nl", "en", "de"]).prop_map(String::from)
            ),
            time()
        )
            .prop_map(|(name, email, comment, claim_code, lang, now)| {
                BadgeCommand::Request {
                    name,
                    email,
                    comment,
                    claim_code,
                    lang,
                    now,
                }
            }),
        (0u32..7, any::<bool>()).prop_map(|(pid, approve)| BadgeCommand::Decide { pid, approve }),
        (0u32..7).prop_map(|pid| BadgeCommand::Issued {
            pid,
            badge_id: format!("urn:uuid:{pid}")
        }),
    ]
}

fn command() -> impl Strategy<Value = Command> {
    prop_oneof![
        2 => ("[a-zA-Z]{1,8}( [a-zA-Z]{1,8})?", any::<u64>())
            .prop_map(|(name, seed)| Command::Join { name, seed }),
        1 => small().prop_map(|pid| Command::Remove { pid }),
        2 => Just(Command::NextPhase),
        2 => phase().prop_map(|phase| Command::SetPhase { phase }),
        4 => (bingo(), any::<u64>()).prop_map(|(command, seed)| Command::Bingo { command, seed }),
        4 => (fresque(), any::<u64>()).prop_map(|(command, seed)| Command::Fresque { command, seed }),
        2 => badge().prop_map(|command| Command::Badge { command }),
    ]
}

/// Fresque staff view: per team, board + hands + pool = dealt, and no card twice on a board.
fn check_fresque(view: &Value) {
    for team in view["teams"].as_array().into_iter().flatten() {
        let board = team["board"].as_array().map_or(0, Vec::len) as u64;
        let hands: u64 = team["members"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|m| m["hand"].as_u64().unwrap_or(0))
            .sum();
        let pool = team["pool"].as_u64().unwrap_or(0);
        assert_eq!(
            board + hands + pool,
            team["dealt"].as_u64().unwrap_or(0),
            "{team}"
        );
        let mut seen = std::collections::BTreeSet::new();
        for c in team["board"].as_array().into_iter().flatten() {
            assert!(seen.insert(c.to_string()), "card twice on a board: {team}");
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_commands_from_arbitrary_roles(
        order in 0usize..4,
        listening in any::<bool>(),
        steps in proptest::collection::vec((actor(), command()), 0..120),
    ) {
        let mode = if listening { Mode::Listening } else { Mode::Definition };
        let fresh = session(order, mode);
        let mut live = fresh.clone();
        let mut log = Vec::new();
        for (actor, command) in steps {
            let before = live.clone();
            match live.apply(actor, &command) {
                Ok(_) => {
                    prop_assert_eq!(live.seq, before.seq + 1);
                    log.push((actor, command));
                }
                Err(e) => {
                    prop_assert!(!e.code().is_empty());
                    prop_assert_eq!(&live, &before, "refused {:?} by {:?} changed the state", command, actor);
                }
            }
            let staff = live.view(Viewer::Staff);
            check_fresque(&staff["fresque"]);
            if let Actor::Participant(pid) = actor {
                let phone = live.view(Viewer::Participant(pid));
                let current = &phone["bingo"]["current"];
                if current["revealed"] == Value::Bool(false) {
                    prop_assert!(current["card"].is_null(), "a phone saw the answer: {}", phone);
                }
                // A phone's view never lists the other participants.
                prop_assert!(phone.get("participants").is_none());
            }
        }
        let mut replayed = fresh.clone();
        for (actor, command) in &log {
            replayed.apply(*actor, command).unwrap();
        }
        prop_assert_eq!(&replayed, &live);
        let snapshot = serde_json::to_string(&live).unwrap();
        let restored: SessionState = serde_json::from_str(&snapshot).unwrap();
        prop_assert_eq!(restored, live);
    }
}
