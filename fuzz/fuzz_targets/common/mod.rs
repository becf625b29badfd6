//! Shared input generation for the state-machine targets: arbitrary command sequences from
//! arbitrary actors, drawn from the fuzzer's bytes with `arbitrary::Unstructured`. Ids and
//! card names come mostly from the real deck (so that sequences reach deep states) and
//! sometimes from raw bytes (so that unknown ids and odd strings are tried too).
#![allow(dead_code)]

use std::sync::OnceLock;

use arbitrary::{Result, Unstructured};
use atelier::games::Actor;
use atelier::games::bingo::{BingoCommand, Mode};
use atelier::games::fresque::FresqueCommand;
use atelier::session::badges::{BadgeCommand, BadgeMode};
use atelier::session::{ActivityKind, Command, Phase, SessionConfig, SessionState};
use serde_json::Value;

/// Four fresh sessions built from the default deck (activity order × bingo mode), built once.
pub fn templates() -> &'static [SessionState] {
    static TEMPLATES: OnceLock<Vec<SessionState>> = OnceLock::new();
    TEMPLATES.get_or_init(|| {
        let library = atelier::deck::DeckLibrary::builtin().expect("built-in deck");
        let mut out = Vec::new();
        for activities in [
            vec![ActivityKind::Bingo, ActivityKind::Fresque],
            vec![ActivityKind::Fresque, ActivityKind::Bingo],
            vec![ActivityKind::Bingo],
            vec![ActivityKind::Fresque],
        ] {
            for mode in [Mode::Definition, Mode::Listening] {
                let config = SessionConfig::from_deck(
                    "ACDEFG".into(),
                    "Fuzz".into(),
                    "fr".into(),
                    activities.clone(),
                    library.default_deck(),
                    None,
                    None,
                    mode,
                )
                .expect("config");
                out.push(SessionState::new(config).expect("session"));
            }
        }
        out
    })
}

/// A short string: usually a small, readable one, sometimes raw (any Unicode).
pub fn text(u: &mut Unstructured) -> Result<String> {
    Ok(match u.int_in_range(0..=3)? {
        0 => String::new(),
        1 => u
            .choose(&["Ada", "ada", "  Bob ", "<img src=x onerror=alert(1)>", "é"])?
            .to_string(),
        _ => {
            let s: String = u.arbitrary()?;
            s.chars().take(60).collect()
        }
    })
}

pub fn pid(u: &mut Unstructured) -> Result<u32> {
    Ok(match u.int_in_range(0..=7)? {
        7 => u.arbitrary()?,
        n => n,
    })
}

pub fn actor(u: &mut Unstructured) -> Result<Actor> {
    Ok(if u.ratio(1, 3)? {
        Actor::Facilitator
    } else {
        Actor::Participant(pid(u)?)
    })
}

pub fn card(u: &mut Unstructured, cards: &[String]) -> Result<String> {
    if cards.is_empty() || u.ratio(1, 16)? {
        text(u)
    } else {
        Ok(u.choose(cards)?.clone())
    }
}

pub fn opt_card(u: &mut Unstructured, cards: &[String]) -> Result<Option<String>> {
    Ok(if u.ratio(1, 4)? {
        None
    } else {
        Some(card(u, cards)?)
    })
}

pub fn phase(u: &mut Unstructured) -> Result<Phase> {
    Ok(match u.int_in_range(0..=4)? {
        0 => Phase::Lobby,
        1 => Phase::Activity {
            index: if u.ratio(1, 8)? {
                u.arbitrary()?
            } else {
                u.int_in_range(0..=2)?
            },
        },
        2 => Phase::Badges,
        3 => Phase::Feedback,
        _ => Phase::Closed,
    })
}

pub fn bingo_command(u: &mut Unstructured, cards: &[String]) -> Result<BingoCommand> {
    Ok(match u.int_in_range(0..=8)? {
        0 => BingoCommand::Draw {
            card: if u.ratio(2, 3)? {
                None
            } else {
                Some(card(u, cards)?)
            },
            at: None,
        },
        1 => BingoCommand::Reveal,
        2 => BingoCommand::Call {
            card: card(u, cards)?,
            at: None,
        },
        3 => BingoCommand::Tap {
            card: card(u, cards)?,
        },
        4 => BingoCommand::Mark {
            card: card(u, cards)?,
        },
        5 => BingoCommand::Claim,
        6 => BingoCommand::Pause,
        7 => BingoCommand::Resume,
        _ => BingoCommand::End,
    })
}

pub fn fresque_command(u: &mut Unstructured, cards: &[String]) -> Result<FresqueCommand> {
    let small = |u: &mut Unstructured| -> Result<u32> {
        Ok(if u.ratio(1, 8)? {
            u.arbitrary()?
        } else {
            u.int_in_range(0..=5)?
        })
    };
    Ok(match u.int_in_range(0..=8)? {
        0 => {
            let (count, size) = match u.int_in_range(0..=3)? {
                0 => (Some(small(u)?), None),
                1 => (None, Some(small(u)?)),
                2 => (None, None),
                _ => (Some(small(u)?), Some(small(u)?)),
            };
            FresqueCommand::FormTeams { count, size }
        }
        1 => FresqueCommand::MoveMember {
            participant: pid(u)?,
            team: small(u)?,
        },
        2 => FresqueCommand::Deal,
        3 => FresqueCommand::Place {
            card: card(u, cards)?,
            after: opt_card(u, cards)?,
        },
        4 => FresqueCommand::Move {
            card: card(u, cards)?,
            after: opt_card(u, cards)?,
        },
        5 => FresqueCommand::Return {
            card: card(u, cards)?,
        },
        6 => FresqueCommand::Reveal,
        7 => FresqueCommand::Debrief { index: small(u)? },
        _ => FresqueCommand::ShowTeam {
            team: if u.arbitrary()? {
                Some(small(u)?)
            } else {
                None
            },
        },
    })
}

const TIMES: &[&str] = &[
    "2026-05-01T10:00:00Z",
    "2026-05-01T12:00:00+02:00",
    "2030-01-01T00:00:00Z",
    "1970-01-01T00:00:00Z",
    "not a time",
    "",
];

fn time(u: &mut Unstructured) -> Result<String> {
    if u.ratio(1, 16)? {
        text(u)
    } else {
        Ok(u.choose(TIMES)?.to_string())
    }
}

fn opt_text(u: &mut Unstructured) -> Result<Option<String>> {
    Ok(if u.arbitrary()? { Some(text(u)?) } else { None })
}

pub fn badge_command(u: &mut Unstructured) -> Result<BadgeCommand> {
    Ok(match u.int_in_range(0..=3)? {
        0 => BadgeCommand::Open {
            mode: *u.choose(&[
                BadgeMode::Automatic,
                BadgeMode::Review,
                BadgeMode::ClaimCode,
            ])?,
            valid_until: if u.arbitrary()? { Some(time(u)?) } else { None },
            claim_code: if u.arbitrary()? {
                Some(u.choose(&["K7M2QX", "AAAAAA", ""])?.to_string())
            } else {
                None
            },
            now: time(u)?,
        },
        1 => BadgeCommand::Request {
            name: text(u)?,
            email: opt_text(u)?,
            comment: opt_text(u)?,
            claim_code: if u.arbitrary()? {
                Some(u.choose(&["K7M2QX", "k7m2qx", "AAAAAA", ""])?.to_string())
            } else {
                None
            },
            lang: if u.arbitrary()? {
                Some(u.choose(&["fr", "nl", "en", "de", ""])?.to_string())
            } else {
                None
            },
            now: time(u)?,
        },
        2 => BadgeCommand::Decide {
            pid: pid(u)?,
            approve: u.arbitrary()?,
        },
        _ => BadgeCommand::Issued {
            pid: pid(u)?,
            badge_id: u.choose(&["urn:uuid:1", "urn:uuid:2", ""])?.to_string(),
        },
    })
}

pub fn command(u: &mut Unstructured, cards: &[String]) -> Result<Command> {
    Ok(match u.int_in_range(0..=9)? {
        0 | 1 => Command::Join {
            name: text(u)?,
            seed: u.arbitrary()?,
        },
        2 => Command::Remove { pid: pid(u)? },
        3 => Command::NextPhase,
        4 => Command::SetPhase { phase: phase(u)? },
        5 | 6 => Command::Bingo {
            command: bingo_command(u, cards)?,
            seed: u.arbitrary()?,
        },
        7 | 8 => Command::Fresque {
            command: fresque_command(u, cards)?,
            seed: u.arbitrary()?,
        },
        _ => Command::Badge {
            command: badge_command(u)?,
        },
    })
}

/// Per fresque team in a staff view: board + members' hands + pool = cards dealt to it.
pub fn check_fresque_view(view: &Value) {
    let Some(teams) = view["teams"].as_array() else {
        return;
    };
    for team in teams {
        let board = team["board"].as_array().map_or(0, Vec::len) as u64;
        let hands: u64 = team["members"]
            .as_array()
            .map(|m| m.iter().map(|m| m["hand"].as_u64().unwrap_or(0)).sum())
            .unwrap_or(0);
        let pool = team["pool"].as_u64().unwrap_or(0);
        let dealt = team["dealt"].as_u64().unwrap_or(0);
        assert_eq!(
            board + hands + pool,
            dealt,
            "a fresque team lost or invented cards: {team}"
        );
        // A card is on the board at most once.
        let mut seen = std::collections::BTreeSet::new();
        for c in team["board"].as_array().into_iter().flatten() {
            assert!(seen.insert(c.to_string()), "card twice on a board: {team}");
        }
    }
}

/// A phone's bingo view never tells the answer of an unrevealed definition.
pub fn check_bingo_participant_view(view: &Value) {
    let current = &view["current"];
    if current.is_object() && current["revealed"] == Value::Bool(false) {
        assert!(
            current["card"].is_null(),
            "a phone learned the open definition's answer: {view}"
        );
    }
}

/// The bingo terms and the fresque pack cards of a session (the same ids in the default deck).
pub fn all_cards(config: &SessionConfig) -> Vec<String> {
    let mut cards = config.cards.clone();
    for card in config.packs.iter().flatten() {
        if !cards.contains(card) {
            cards.push(card.clone());
        }
    }
    cards
}
