//! Arbitrary command sequences from arbitrary actors (facilitator, known, unknown and removed
//! participants) against a `SessionState` built from the default deck, as the room applies
//! them. Invariants: no panic; a refused command changes nothing; an accepted one bumps `seq`
//! by one; views never panic, fresque teams never lose or invent cards, a phone never learns
//! an unrevealed bingo answer; replaying the accepted log on a fresh state, and a snapshot
//! round trip through JSON, give back the same state (what a restart does).
#![no_main]

mod common;

use arbitrary::Unstructured;
use atelier::games::{Actor, Viewer};
use atelier::session::code::clean_name;
use atelier::session::{Command, SessionState};
use libfuzzer_sys::fuzz_target;

const MAX_COMMANDS: usize = 300;

fuzz_target!(|data: &[u8]| {
    let mut u = Unstructured::new(data);
    let templates = common::templates();
    let Ok(which) = u.choose_index(templates.len()) else {
        return;
    };
    let fresh = &templates[which];
    let cards = common::all_cards(&fresh.config);
    let mut live = fresh.clone();
    let mut log: Vec<(Actor, Command)> = Vec::new();

    for _ in 0..MAX_COMMANDS {
        if u.is_empty() {
            break;
        }
        let (Ok(actor), Ok(mut command)) = (common::actor(&mut u), common::command(&mut u, &cards))
        else {
            break;
        };
        // The room cleans names before they reach the state machine.
        if let Command::Join { name, .. } = &mut command {
            match clean_name(name) {
                Ok(clean) => *name = clean,
                Err(_) => continue,
            }
        }
        let before = live.clone();
        match live.apply(actor, &command) {
            Ok(_) => {
                assert_eq!(live.seq, before.seq + 1, "an accepted command bumps seq");
                log.push((actor, command));
            }
            Err(e) => {
                assert!(!e.code().is_empty());
                assert_eq!(live, before, "a refused command changed the state: {e}");
            }
        }
        let staff = live.view(Viewer::Staff);
        common::check_fresque_view(&staff["fresque"]);
        if let Actor::Participant(pid) = actor {
            let phone = live.view(Viewer::Participant(pid));
            common::check_bingo_participant_view(&phone["bingo"]);
            let _ = serde_json::to_string(&phone).expect("views serialise");
        }
    }

    let mut replayed: SessionState = fresh.clone();
    for (actor, command) in &log {
        replayed
            .apply(*actor, command)
            .expect("a stored command replays");
    }
    assert_eq!(replayed, live, "replay differs from the live state");

    let snapshot = serde_json::to_string(&live).expect("snapshot");
    let restored: SessionState = serde_json::from_str(&snapshot).expect("snapshot loads");
    assert_eq!(restored, live, "snapshot round trip differs");
});
