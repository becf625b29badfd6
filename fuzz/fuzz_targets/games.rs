//! The two games' state machines driven directly (not through the session): arbitrary
//! joins, leaves and commands from arbitrary actors into `Bingo` and `Fresque`.
//! Invariants: no panic; a refused command changes nothing; views never panic; fresque teams
//! never lose or invent cards; a phone never learns an unrevealed bingo answer.
#![no_main]

mod common;

use arbitrary::Unstructured;
use atelier::games::Viewer;
use atelier::games::bingo::{Bingo, Mode};
use atelier::games::fresque::{Fresque, Reference};
use libfuzzer_sys::fuzz_target;

const MAX_STEPS: usize = 300;

fuzz_target!(|data: &[u8]| {
    let mut u = Unstructured::new(data);
    let template = &common::templates()[0];
    let config = &template.config;
    let cards = common::all_cards(config);
    let Ok(game) = u.int_in_range(0..=2u8) else {
        return;
    };
    match game {
        0 | 1 => {
            let mode = if game == 0 {
                Mode::Definition
            } else {
                Mode::Listening
            };
            let mut bingo = Bingo::new(config.cards.clone(), mode).expect("bingo");
            for _ in 0..MAX_STEPS {
                if u.is_empty() {
                    break;
                }
                let Ok(step) = u.int_in_range(0..=9u8) else {
                    break;
                };
                match step {
                    0 => {
                        let (Ok(pid), Ok(seed)) = (common::pid(&mut u), u.arbitrary::<u64>())
                        else {
                            break;
                        };
                        let _ = bingo.add_participant(pid, seed);
                    }
                    1 => {
                        let Ok(pid) = common::pid(&mut u) else { break };
                        let _ = bingo.remove_participant(pid);
                    }
                    _ => {
                        let (Ok(actor), Ok(cmd), Ok(seed)) = (
                            common::actor(&mut u),
                            common::bingo_command(&mut u, &cards),
                            u.arbitrary::<u64>(),
                        ) else {
                            break;
                        };
                        let before = bingo.clone();
                        if let Err(e) = bingo.apply(actor, cmd, seed) {
                            assert!(!e.code().is_empty());
                            assert_eq!(bingo, before, "a refused bingo command changed the game");
                        }
                    }
                }
                let _ = bingo.view(Viewer::Staff);
                if let Ok(pid) = common::pid(&mut u) {
                    common::check_bingo_participant_view(&bingo.view(Viewer::Participant(pid)));
                }
            }
        }
        _ => {
            let reference = Reference::new(config.reference.clone()).expect("reference");
            let mut fresque = Fresque::new(reference, config.packs.clone()).expect("fresque");
            for _ in 0..MAX_STEPS {
                if u.is_empty() {
                    break;
                }
                let Ok(step) = u.int_in_range(0..=9u8) else {
                    break;
                };
                match step {
                    0 | 1 => {
                        let (Ok(pid), Ok(seed)) = (common::pid(&mut u), u.arbitrary::<u64>())
                        else {
                            break;
                        };
                        let _ = fresque.add_participant(pid, seed);
                    }
                    2 => {
                        let Ok(pid) = common::pid(&mut u) else { break };
                        let _ = fresque.remove_participant(pid);
                    }
                    _ => {
                        let (Ok(actor), Ok(cmd), Ok(seed)) = (
                            common::actor(&mut u),
                            common::fresque_command(&mut u, &cards),
                            u.arbitrary::<u64>(),
                        ) else {
                            break;
                        };
                        let before = fresque.clone();
                        if let Err(e) = fresque.apply(actor, cmd, seed) {
                            assert!(!e.code().is_empty());
                            assert_eq!(
                                fresque, before,
                                "a refused fresque command changed the game"
                            );
                        }
                    }
                }
                common::check_fresque_view(&fresque.view(Viewer::Staff));
                if let Ok(pid) = common::pid(&mut u) {
                    let _ = fresque.view(Viewer::Participant(pid));
                }
            }
        }
    }
});
