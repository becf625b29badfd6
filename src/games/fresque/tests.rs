use super::*;
use proptest::prelude::*;

const F: Actor = Actor::Facilitator;
fn p(id: ParticipantId) -> Actor {
    Actor::Participant(id)
}

fn entry(card: &str, rank: u32, alternatives: &[u32]) -> RefEntry {
    RefEntry {
        card: card.into(),
        rank,
        alternatives: alternatives.to_vec(),
    }
}

fn ids(cards: &[&str]) -> Vec<CardId> {
    cards.iter().map(|c| c.to_string()).collect()
}

/// The issue's default Open Badges reference (25 cards, 12 ranks, 5 debatable): a fixture
/// with ids of its own, frozen as the deck was in version 1.0.0 (the game tests rely on its
/// ranks, not on the deck's). Tests about the deck itself read the deck.
fn open_badges() -> (Reference, Vec<Vec<CardId>>) {
    let r = Reference::new(vec![
        entry("competence", 1, &[]),
        entry("reconnaissance", 1, &[12]),
        entry("idee-du-badge", 2, &[]),
        entry("emetteur", 3, &[5]),
        entry("open-badge-factory", 3, &[]),
        entry("moule-du-badge", 4, &[]),
        entry("titre", 5, &[]),
        entry("description", 5, &[]),
        entry("criteres", 5, &[]),
        entry("image", 5, &[]),
        entry("endossement-du-moule", 6, &[]),
        entry("recommandation-emetteur", 6, &[]),
        entry("formulaire-de-demande", 7, &[]),
        entry("duree-de-validite", 7, &[5]),
        entry("delivrance-apres-examen", 8, &[]),
        entry("delivrance-code", 8, &[]),
        entry("delivrance-automatique", 8, &[]),
        entry("beneficiaire", 9, &[2]),
        entry("open-badge", 9, &[]),
        entry("open-badge-passport", 10, &[]),
        entry("enrichissement", 11, &[]),
        entry("endossement-beneficiaire", 11, &[]),
        entry("partage", 11, &[]),
        entry("carte-communaute", 12, &[]),
        entry("selfie-badge", 12, &[4, 5, 6, 7, 8]),
    ])
    .unwrap();
    let by_rank = |lo: u32, hi: u32| -> Vec<CardId> {
        r.entries()
            .iter()
            .filter(|e| (lo..=hi).contains(&e.rank))
            .map(|e| e.card.clone())
            .collect()
    };
    let packs = vec![by_rank(1, 5), by_rank(6, 9), by_rank(10, 12)];
    (r, packs)
}

fn game(players: &[ParticipantId], teams: u32) -> Fresque {
    let (r, packs) = open_badges();
    let mut g = Fresque::new(r, packs).unwrap();
    for &pid in players {
        g.add_participant(pid, 0);
    }
    g.apply(
        F,
        FresqueCommand::FormTeams {
            count: Some(teams),
            size: None,
        },
        7,
    )
    .unwrap();
    g
}

fn hand(g: &Fresque, pid: ParticipantId) -> Vec<CardId> {
    let t = g.team_of(pid).unwrap();
    g.team_cards(t).unwrap().hands[&pid].clone()
}

fn board(g: &Fresque, team: TeamId) -> Vec<CardId> {
    g.team_cards(team).unwrap().board
}

fn place(g: &mut Fresque, pid: ParticipantId, card: &str, after: Option<&str>) -> R {
    g.apply(
        p(pid),
        FresqueCommand::Place {
            card: card.into(),
            after: after.map(Into::into),
        },
        0,
    )
}

fn mv(g: &mut Fresque, pid: ParticipantId, card: &str, after: Option<&str>) -> R {
    g.apply(
        p(pid),
        FresqueCommand::Move {
            card: card.into(),
            after: after.map(Into::into),
        },
        0,
    )
}

/// No loss, no duplicate: board + hands + pool is a permutation of what was dealt.
fn assert_conserved(g: &Fresque) {
    for t in 0..g.team_count() as TeamId {
        let c = g.team_cards(t).unwrap();
        let mut held: Vec<CardId> = c.board.clone();
        for h in c.hands.values() {
            held.extend(h.iter().cloned());
        }
        held.extend(c.pool.iter().cloned());
        held.sort();
        let mut dealt = c.dealt.clone();
        dealt.sort();
        assert_eq!(held, dealt, "team {t}");
        // Hands only for members; pool only when nobody is there (no member, or all away).
        let keys: BTreeSet<_> = c.hands.keys().copied().collect();
        let members: BTreeSet<_> = c.members.iter().copied().collect();
        assert_eq!(keys, members);
        assert!(
            c.away.is_subset(&members),
            "team {t}: away members are members"
        );
        assert!(
            c.pool.is_empty() || c.members.iter().all(|m| c.away.contains(m)),
            "team {t}"
        );
    }
}

// ---------- scoring ----------

fn simple_ref() -> Reference {
    Reference::new(vec![
        entry("a", 1, &[]),
        entry("b", 2, &[]),
        entry("b2", 2, &[]),
        entry("c", 3, &[]),
        entry("d", 4, &[1]),
    ])
    .unwrap()
}

/// Every card of `r` in one pack: the score is then chance-corrected over all pairs.
fn one_pack(r: &Reference) -> Vec<Vec<CardId>> {
    vec![r.entries().iter().map(|e| e.card.clone()).collect()]
}

fn sc(board: &[&str], r: &Reference, packs: &[Vec<CardId>]) -> Score {
    score(&ids(board), r, packs)
}

/// (agreeing, pairs, points, max_points, percent)
fn totals(s: &Score) -> (u32, u32, i32, u32, Option<u32>) {
    (s.agreeing, s.pairs, s.points, s.max_points, s.percent)
}

fn rights(s: &Score) -> Vec<bool> {
    s.cards.iter().map(|c| c.right).collect()
}

#[test]
fn score_perfect_and_reversed() {
    let r = simple_ref();
    let packs = one_pack(&r);
    let s = sc(&["a", "b", "c"], &r, &packs);
    assert_eq!(totals(&s), (3, 3, 3, 3, Some(100)));
    assert_eq!(s.raw(), Some(1.0));
    assert!(s.cards.iter().all(|c| c.colour == Colour::Green && c.right));
    let s = sc(&["c", "b", "a"], &r, &packs);
    assert_eq!(totals(&s), (0, 3, -3, 3, Some(0)));
    assert_eq!(s.raw(), Some(-1.0), "the raw value is kept below 0");
    assert!(s.cards.iter().all(|c| c.disagreements == 2));
    assert!(s.cards.iter().all(|c| c.colour == Colour::Orange));
    // Any one card could be the one kept: none is placed right.
    assert_eq!(rights(&s), vec![false; 3]);
}

#[test]
fn score_ties_tell_nothing() {
    let r = simple_ref();
    let packs = one_pack(&r);
    for board in [["b", "b2"], ["b2", "b"]] {
        let s = sc(&board, &r, &packs);
        assert_eq!(totals(&s), (0, 0, 0, 0, None), "nothing to judge");
        assert!(s.cards.iter().all(|c| c.disagreements == 0 && c.right));
    }
    // a b2 b c: the tie does not count, the 5 other pairs do.
    let s = sc(&["a", "b2", "b", "c"], &r, &packs);
    assert_eq!(totals(&s), (5, 5, 5, 5, Some(100)));
}

#[test]
fn score_alternatives() {
    let r = simple_ref();
    let packs = one_pack(&r);
    // d (rank 4, also 1) may come first or last: it is tied with every other card.
    let s = sc(&["d", "a", "b", "c"], &r, &packs);
    assert_eq!(totals(&s), (3, 3, 3, 3, Some(100)));
    assert_eq!(
        totals(&sc(&["a", "b", "c", "d"], &r, &packs)),
        (3, 3, 3, 3, Some(100))
    );
    // c before a is wrong; the alternative of d does not help c.
    let s = sc(&["c", "a", "d"], &r, &packs);
    assert_eq!(totals(&s), (0, 1, -1, 1, Some(0)));
    let d: Vec<u32> = s.cards.iter().map(|c| c.disagreements).collect();
    assert_eq!(d, vec![1, 1, 0]);
    assert_eq!(rights(&s), vec![false, false, true]);
}

#[test]
fn score_colours_and_edge_cases() {
    let r = simple_ref();
    let packs = one_pack(&r);
    let s = sc(&["c", "b2", "b", "a"], &r, &packs);
    // Wrong: (c,b2) (c,b) (c,a) (b2,a) (b,a); (b2,b) is a tie.
    assert_eq!(totals(&s), (0, 5, -5, 5, Some(0)));
    let d: Vec<(u32, Colour)> = s
        .cards
        .iter()
        .map(|c| (c.disagreements, c.colour))
        .collect();
    assert_eq!(
        d,
        vec![
            (3, Colour::Red),
            (2, Colour::Orange),
            (2, Colour::Orange),
            (3, Colour::Red)
        ]
    );
    assert_eq!(sc(&[], &r, &packs).percent, None);
    assert_eq!(sc(&["a"], &r, &packs).percent, None);
    // Unknown cards, and cards of no pack, are ignored.
    let s = sc(&["zzz", "a", "b"], &r, &packs);
    assert_eq!((s.pairs, s.cards.len()), (1, 2));
    let s = sc(&["a", "b", "c"], &r, &[ids(&["a", "b"])]);
    assert_eq!((s.pairs, s.cards.len()), (1, 2));
}

#[test]
fn a_card_moved_away_is_the_one_misplaced() {
    let r = simple_ref();
    let packs = one_pack(&r);
    // a belongs first: b and c are still in order, only a is to move.
    let s = sc(&["b", "c", "a"], &r, &packs);
    assert_eq!(rights(&s), vec![true, true, false]);
    let d: Vec<u32> = s.cards.iter().map(|c| c.disagreements).collect();
    assert_eq!(d, vec![1, 1, 2]);
    // Two cards swapped: either could be the one to move, neither is right.
    let s = sc(&["b", "a", "c"], &r, &packs);
    assert_eq!(rights(&s), vec![false, false, true]);
}

/// Two packs dealt in order: p1 p2, then q3 q4 (the number is the rank).
fn dealt_in_order() -> (Reference, Vec<Vec<CardId>>) {
    let r = Reference::new(vec![
        entry("p1", 1, &[]),
        entry("p2", 2, &[]),
        entry("q3", 3, &[]),
        entry("q4", 4, &[]),
    ])
    .unwrap();
    (r, vec![ids(&["p1", "p2"]), ids(&["q3", "q4"])])
}

#[test]
fn score_credits_decisions_not_the_dealt_order() {
    let (r, packs) = dealt_in_order();
    // Only the two pairs inside a pack count; the four across packs were given.
    let s = sc(&["p1", "p2", "q3", "q4"], &r, &packs);
    assert_eq!(totals(&s), (2, 2, 2, 2, Some(100)));
    // Packs kept where they were dealt, each the wrong way round: below chance.
    let s = sc(&["p2", "p1", "q4", "q3"], &r, &packs);
    assert_eq!(totals(&s), (0, 2, -2, 2, Some(0)));
    assert_eq!(s.raw(), Some(-1.0));
    // q3 moved into the first pack, before p2: the inverted pair costs 2.
    let s = sc(&["p1", "q3", "p2", "q4"], &r, &packs);
    assert_eq!(totals(&s), (2, 3, 0, 2, Some(0)));
    assert_eq!(rights(&s), vec![true, false, false, true]);
    // The packs inverted: four pairs across packs broken.
    let s = sc(&["q3", "q4", "p1", "p2"], &r, &packs);
    assert_eq!(totals(&s), (2, 6, -6, 2, Some(0)));
    assert_eq!(s.raw(), Some(-3.0));
}

#[test]
fn score_rewards_fixing_a_wrong_dealt_order() {
    // x (rank 5) is dealt before y (rank 3): the dealt order is wrong.
    let r = Reference::new(vec![entry("x", 5, &[]), entry("y", 3, &[])]).unwrap();
    let packs = vec![ids(&["x"]), ids(&["y"])];
    assert_eq!(totals(&sc(&["x", "y"], &r, &packs)), (0, 1, 0, 2, Some(0)));
    assert_eq!(
        totals(&sc(&["y", "x"], &r, &packs)),
        (1, 1, 2, 2, Some(100))
    );
}

#[test]
fn card_results_count_teams_right_and_say_where_others_put_it() {
    let (r, packs) = dealt_in_order();
    let order = ids(&["p1", "p2", "q3", "q4"]);
    let boards: [&[&str]; 4] = [
        &["p1", "p2", "q3", "q4"], // all right
        &["q4", "p1", "p2", "q3"], // q4 moved to the front
        &["p2", "p1", "q3", "q4"], // p1 and p2 swapped
        &["p1", "p2"],             // q3 and q4 still in hands
    ];
    let results: Vec<Score> = boards.iter().map(|b| sc(b, &r, &packs)).collect();
    let cards = card_results(&results, &order);
    let summary: Vec<(&str, u32, u32)> = cards
        .iter()
        .map(|c| (c.card.as_str(), c.right, c.teams))
        .collect();
    // Most misplaced first: q4 (1 team wrong, 2 right), then p1 and p2 (1 wrong, 3 right,
    // reference order), then q3 (never wrong).
    assert_eq!(
        summary,
        vec![("q4", 2, 3), ("p1", 3, 4), ("p2", 3, 4), ("q3", 3, 3)]
    );
    assert_eq!(
        cards[0].misplaced_by,
        vec![Misplacement {
            team: 1,
            position: 0,
            after: None,
            before: Some("p1".into()),
            disagreements: 3,
        }]
    );
    assert_eq!(
        cards[1].misplaced_by,
        vec![Misplacement {
            team: 2,
            position: 1,
            after: Some("p2".into()),
            before: Some("q3".into()),
            disagreements: 1,
        }]
    );
    assert!(cards[3].misplaced_by.is_empty());
    // Each keeps its place in the reference order.
    let index: Vec<(&str, u32)> = cards.iter().map(|c| (c.card.as_str(), c.index)).collect();
    assert_eq!(index, vec![("q4", 3), ("p1", 0), ("p2", 1), ("q3", 2)]);
    // Pure: same input, same output.
    assert_eq!(card_results(&results, &order), cards);
    assert!(card_results(&[], &order).iter().all(|c| c.teams == 0));
}

// ---------- strategies on the real deck ----------

/// The deck's reference, as a session copies it (`SessionConfig::from_deck`).
fn deck_reference(deck: &crate::deck::Deck) -> Reference {
    Reference::new(
        deck.reference_ranks()
            .into_iter()
            .map(|(card, ranks)| RefEntry {
                card,
                rank: ranks.first().copied().unwrap_or_default().into(),
                alternatives: ranks.iter().skip(1).map(|&r| r.into()).collect(),
            })
            .collect(),
    )
    .unwrap()
}

/// The score before issue 18, for comparison: share of all pairs in agreement.
fn pairwise_percent(board: &[CardId], r: &Reference) -> f64 {
    let spans: Vec<(u32, u32)> = board.iter().filter_map(|c| r.span(c)).collect();
    let (mut agreeing, mut pairs) = (0u32, 0u32);
    for (i, a) in spans.iter().enumerate() {
        for b in &spans[i + 1..] {
            pairs += 1;
            agreeing += u32::from(a.0 <= b.1);
        }
    }
    100.0 * f64::from(agreeing) / f64::from(pairs.max(1))
}

fn by_rank(cards: &[CardId], r: &Reference) -> Vec<CardId> {
    let mut cards = cards.to_vec();
    cards.sort_by_key(|c| r.get(c).map(|e| e.rank));
    cards
}

/// A real game, one team of three: every card is placed as it comes, after the last card
/// (`first = false`, the "place last" button) or first.
fn play_as_dealt(r: &Reference, packs: &[Vec<CardId>], seed: u64, first: bool) -> Vec<CardId> {
    let mut g = Fresque::new(r.clone(), packs.to_vec()).unwrap();
    for pid in 1..=3 {
        g.add_participant(pid, 0);
    }
    let form = FresqueCommand::FormTeams {
        count: Some(1),
        size: None,
    };
    g.apply(F, form, seed).unwrap();
    for k in 0..packs.len() as u64 {
        g.apply(
            F,
            FresqueCommand::Deal,
            seed.wrapping_mul(31).wrapping_add(k),
        )
        .unwrap();
        while let Some(pid) = (1..=3).find(|&pid| !hand(&g, pid).is_empty()) {
            let card = hand(&g, pid)[0].clone();
            let last = board(&g, 0).last().cloned();
            let after = if first { None } else { last };
            place(&mut g, pid, &card, after.as_deref()).unwrap();
        }
    }
    board(&g, 0)
}

/// A way of laying the cards: the board it makes for a seed.
type Layout<'a> = &'a dyn Fn(u64) -> Vec<CardId>;

#[derive(Default)]
struct Tally {
    percent: f64,
    raw: f64,
    old: f64,
    lowest: u32,
    highest: u32,
    n: u32,
}

impl Tally {
    fn add(&mut self, s: &Score, old: f64) {
        let p = s.percent.unwrap();
        if self.n == 0 {
            (self.lowest, self.highest) = (p, p);
        }
        self.percent += f64::from(p);
        self.raw += 100.0 * s.raw().unwrap();
        self.old += old;
        self.lowest = self.lowest.min(p);
        self.highest = self.highest.max(p);
        self.n += 1;
    }
    fn mean(&self) -> f64 {
        self.percent / f64::from(self.n)
    }
}

/// Issue 18: guessing must score about 0 and knowing 100, on every pack variant of the deck.
/// Prints the averages (`cargo test --lib strategies -- --nocapture`).
#[test]
fn strategies_on_every_pack_variant_separate_knowing_from_guessing() {
    const SEEDS: u64 = 300;
    let lib = crate::deck::DeckLibrary::builtin().unwrap();
    let deck = lib.default_deck();
    let r = deck_reference(deck);
    eprintln!(
        "deck {} {}: percent shown (mean, min–max), raw mean, old pairwise mean",
        deck.id, deck.version
    );
    for variant in &deck.pack_variants {
        let packs = deck.packs(&variant.id).unwrap();
        let perfect: Vec<CardId> = packs.iter().flat_map(|p| by_rank(p, &r)).collect();
        let strategies: [(&str, Layout); 6] = [
            ("random within packs", &|seed| {
                let mut out = Vec::new();
                for (k, p) in packs.iter().enumerate() {
                    let mut p = p.clone();
                    shuffle(&mut p, &mut rng(seed, k as u64));
                    out.extend(p);
                }
                out
            }),
            ("place last (dealt order)", &|seed| {
                play_as_dealt(&r, &packs, seed, false)
            }),
            ("place first", &|seed| play_as_dealt(&r, &packs, seed, true)),
            ("reversed within packs", &|_| {
                packs
                    .iter()
                    .flat_map(|p| by_rank(p, &r).into_iter().rev())
                    .collect()
            }),
            ("fully random board", &|seed| {
                let mut all = packs.concat();
                shuffle(&mut all, &mut rng(seed, 99));
                all
            }),
            ("perfect", &|_| perfect.clone()),
        ];
        eprintln!("variant {}:", variant.id);
        for (name, strategy) in strategies {
            let mut t = Tally::default();
            for seed in 0..SEEDS {
                let b = strategy(seed);
                t.add(&score(&b, &r, &packs), pairwise_percent(&b, &r));
            }
            eprintln!(
                "  {name:<26} {:5.1} % ({:3}–{:3})  raw {:7.1}  old {:5.1} %",
                t.mean(),
                t.lowest,
                t.highest,
                t.raw / f64::from(t.n),
                t.old / f64::from(t.n)
            );
            match name {
                "perfect" => assert_eq!((t.lowest, t.highest), (100, 100)),
                _ => assert!(
                    t.mean() <= 15.0,
                    "{}: {name} averages {}",
                    variant.id,
                    t.mean()
                ),
            }
        }
        // One adjacent pair swapped (where the order matters): a little lost.
        let mut swaps = Vec::new();
        for i in 0..perfect.len() - 1 {
            let mut b = perfect.clone();
            b.swap(i, i + 1);
            let s = score(&b, &r, &packs);
            if s.percent != Some(100) {
                swaps.push(s.percent.unwrap());
            }
        }
        eprintln!("  one adjacent swap          {swaps:?}");
        assert!(!swaps.is_empty());
        assert!(swaps.iter().all(|&p| (80..100).contains(&p)), "{swaps:?}");
        // One pack reversed, the rest perfect: a lot lost.
        for (k, p) in packs.iter().enumerate() {
            let b: Vec<CardId> = packs
                .iter()
                .enumerate()
                .flat_map(|(j, q)| {
                    let mut q = by_rank(q, &r);
                    if j == k {
                        q.reverse();
                    }
                    q
                })
                .collect();
            let s = score(&b, &r, &packs);
            let worst_swap = swaps.iter().min().copied().unwrap_or(100);
            eprintln!(
                "  pack {} reversed ({} cards)  {:?}",
                k + 1,
                p.len(),
                s.percent
            );
            assert!(
                s.percent.unwrap() + 15 <= worst_swap,
                "{}: pack {} reversed scores {:?}",
                variant.id,
                k + 1,
                s.percent
            );
        }
    }
}

#[test]
fn reference_and_packs_are_validated() {
    assert!(Reference::new(vec![]).is_err());
    assert_eq!(
        Reference::new(vec![entry("a", 1, &[]), entry("a", 2, &[])])
            .unwrap_err()
            .code(),
        "invalid_reference"
    );
    let r = simple_ref();
    for packs in [
        vec![],
        vec![vec![]],
        vec![ids(&["a", "x"])],
        vec![ids(&["a"]), ids(&["a"])],
    ] {
        assert_eq!(
            Fresque::new(r.clone(), packs).unwrap_err().code(),
            "invalid_packs"
        );
    }
}

// ---------- teams ----------

#[test]
fn teams_are_balanced_by_count_and_size() {
    let g = game(&(1..=10).collect::<Vec<_>>(), 3);
    let mut sizes: Vec<usize> = (0..3)
        .map(|t| g.team_cards(t).unwrap().members.len())
        .collect();
    sizes.sort();
    assert_eq!(sizes, vec![3, 3, 4]);
    let (r, packs) = open_badges();
    let mut g = Fresque::new(r, packs).unwrap();
    for pid in 1..=10 {
        g.add_participant(pid, 0);
    }
    let size = |size| FresqueCommand::FormTeams {
        count: None,
        size: Some(size),
    };
    g.apply(F, size(4), 1).unwrap();
    assert_eq!(g.team_count(), 3);
    g.apply(F, size(5), 1).unwrap();
    assert_eq!(g.team_count(), 2);
    for bad in [
        FresqueCommand::FormTeams {
            count: None,
            size: None,
        },
        FresqueCommand::FormTeams {
            count: Some(2),
            size: Some(2),
        },
        FresqueCommand::FormTeams {
            count: Some(0),
            size: None,
        },
        size(0),
    ] {
        assert_eq!(g.apply(F, bad, 0).unwrap_err().code(), "invalid_team_spec");
    }
    assert_eq!(g.apply(p(1), size(3), 0).unwrap_err().code(), "forbidden");
}

#[test]
fn late_joiners_go_to_the_smallest_team_and_rejoin_their_own() {
    let mut g = game(&[1, 2, 3, 4, 5], 2); // sizes 3 and 2
    let small = if g.team_cards(0).unwrap().members.len() == 2 {
        0
    } else {
        1
    };
    g.add_participant(6, 0);
    assert_eq!(g.team_of(6), Some(small));
    // Now 3/3: a tie goes to team 0.
    g.add_participant(7, 0);
    assert_eq!(g.team_of(7), Some(0));
    let t1 = g.team_of(1).unwrap();
    g.remove_participant(1);
    assert_eq!(g.team_of(1), None);
    g.add_participant(1, 0);
    assert_eq!(g.team_of(1), Some(t1));
}

#[test]
fn dealing_is_round_robin_and_deterministic() {
    let mut g = game(&[1, 2, 3], 1);
    let e = g.apply(F, FresqueCommand::Deal, 11).unwrap();
    // Pack 1 has 10 cards: 4/3/3 in arrival order of the team.
    let members = g.team_cards(0).unwrap().members;
    let sizes: Vec<usize> = members.iter().map(|&m| hand(&g, m).len()).collect();
    assert_eq!(sizes, vec![4, 3, 3]);
    // Private hands.
    let hands: Vec<&Emit> = e
        .iter()
        .filter(|e| e.event["type"] == "fresque.hand")
        .collect();
    assert_eq!(hands.len(), 3);
    for h in hands {
        let Audience::Participant(pid) = h.to else {
            panic!("hand sent to {:?}", h.to)
        };
        assert_eq!(h.event["hand"], json!(hand(&g, pid)));
    }
    // Pack 2 (9 cards) continues the round-robin where pack 1 stopped.
    g.apply(F, FresqueCommand::Deal, 11).unwrap();
    let sizes: Vec<usize> = members.iter().map(|&m| hand(&g, m).len()).collect();
    assert_eq!(sizes, vec![7, 6, 6]);
    g.apply(F, FresqueCommand::Deal, 11).unwrap();
    assert_eq!(
        g.apply(F, FresqueCommand::Deal, 11).unwrap_err().code(),
        "no_more_packs"
    );
    assert_eq!(g.team_cards(0).unwrap().dealt.len(), 25);
    assert_conserved(&g);
    // Same seeds → same state.
    let mut h = game(&[1, 2, 3], 1);
    for _ in 0..3 {
        h.apply(F, FresqueCommand::Deal, 11).unwrap();
    }
    assert_eq!(g, h);
    // Other deal seed → other hands (almost surely; fixed seeds make it certain).
    let mut k = game(&[1, 2, 3], 1);
    k.apply(F, FresqueCommand::Deal, 12).unwrap();
    let mut g1 = game(&[1, 2, 3], 1);
    g1.apply(F, FresqueCommand::Deal, 11).unwrap();
    assert_ne!(k, g1);
}

#[test]
fn round_robin_carries_over_between_packs() {
    let mut g = game(&[1, 2, 3, 4], 1);
    let members = g.team_cards(0).unwrap().members;
    g.apply(F, FresqueCommand::Deal, 1).unwrap();
    let sizes: Vec<usize> = members.iter().map(|&m| hand(&g, m).len()).collect();
    assert_eq!(sizes, vec![3, 3, 2, 2]);
    // 9 more cards, starting with the third member: nobody gets the extra card twice.
    g.apply(F, FresqueCommand::Deal, 1).unwrap();
    let sizes: Vec<usize> = members.iter().map(|&m| hand(&g, m).len()).collect();
    assert_eq!(sizes, vec![5, 5, 5, 4]);
}

#[test]
fn deal_to_an_empty_team_fills_the_pool_for_the_next_member() {
    let mut g = game(&[1], 2); // team 1 is empty
    let empty = 1 - g.team_of(1).unwrap();
    g.apply(F, FresqueCommand::Deal, 3).unwrap();
    assert_eq!(g.team_cards(empty).unwrap().pool.len(), 10);
    g.add_participant(2, 0);
    assert_eq!(g.team_of(2), Some(empty));
    assert_eq!(hand(&g, 2).len(), 10);
    assert!(g.team_cards(empty).unwrap().pool.is_empty());
    assert_conserved(&g);
    assert_eq!(
        g.apply(
            F,
            FresqueCommand::FormTeams {
                count: Some(1),
                size: None
            },
            0
        )
        .unwrap_err()
        .code(),
        "already_dealt"
    );
}

#[test]
fn placing_moving_and_returning() {
    let mut g = game(&[1, 2], 1);
    g.apply(F, FresqueCommand::Deal, 5).unwrap();
    let h1 = hand(&g, 1);
    let h2 = hand(&g, 2);
    assert_eq!(
        place(&mut g, 1, &h2[0], None).unwrap_err().code(),
        "not_in_hand"
    );
    let e = place(&mut g, 1, &h1[0], None).unwrap();
    // Team + console see who did what; the projector how far the team is.
    assert_eq!(e[0].to, Audience::Participants(vec![1, 2]));
    assert_eq!(e[1].to, Audience::Console);
    assert_eq!(e[0].event["by"], json!(1));
    assert_eq!(e[0].event["action"], json!("place"));
    assert_eq!(e[0].event["card"], json!(h1[0]));
    assert_eq!(e[2].to, Audience::Screen);
    assert_eq!(e[2].event["type"], json!("fresque.progress"));
    assert_eq!(e[2].event["placed"], json!(1));
    assert_eq!(e[2].event["dealt"], json!(10));
    assert_eq!(e[3].to, Audience::Participant(1));
    place(&mut g, 2, &h2[0], Some(&h1[0])).unwrap();
    place(&mut g, 2, &h2[1], None).unwrap();
    assert_eq!(
        board(&g, 0),
        vec![h2[1].clone(), h1[0].clone(), h2[0].clone()]
    );
    assert_eq!(
        place(&mut g, 1, &h1[1], Some("nope")).unwrap_err().code(),
        "anchor_not_on_board"
    );
    // Anyone moves any card.
    mv(&mut g, 1, &h2[1], Some(&h2[0])).unwrap();
    assert_eq!(
        board(&g, 0),
        vec![h1[0].clone(), h2[0].clone(), h2[1].clone()]
    );
    mv(&mut g, 2, &h2[1], None).unwrap();
    assert_eq!(
        board(&g, 0),
        vec![h2[1].clone(), h1[0].clone(), h2[0].clone()]
    );
    assert_eq!(
        mv(&mut g, 2, &h2[1], Some(&h2[1])).unwrap_err().code(),
        "anchor_is_self"
    );
    assert_eq!(
        mv(&mut g, 2, &h1[1], None).unwrap_err().code(),
        "not_on_board"
    );
    // Moving after a card that was taken back is a clear error.
    g.apply(
        p(2),
        FresqueCommand::Return {
            card: h1[0].clone(),
        },
        0,
    )
    .unwrap();
    assert!(hand(&g, 2).contains(&h1[0]));
    assert_eq!(
        mv(&mut g, 1, &h2[0], Some(&h1[0])).unwrap_err().code(),
        "anchor_not_on_board"
    );
    assert_conserved(&g);
    assert_eq!(
        g.apply(
            F,
            FresqueCommand::Move {
                card: h2[0].clone(),
                after: None
            },
            0
        )
        .unwrap_err()
        .code(),
        "not_a_participant"
    );
}

#[test]
fn a_member_leaving_returns_the_hand_to_the_team() {
    let mut g = game(&[1, 2, 3], 1);
    g.apply(F, FresqueCommand::Deal, 5).unwrap();
    let h1 = hand(&g, 1);
    let before2 = hand(&g, 2).len();
    let before3 = hand(&g, 3).len();
    let e = g.remove_participant(1);
    assert_eq!(
        hand(&g, 2).len() + hand(&g, 3).len(),
        before2 + before3 + h1.len()
    );
    // Fewest cards first: the two remaining hands end up balanced.
    assert!(hand(&g, 2).len().abs_diff(hand(&g, 3).len()) <= 1);
    for c in &h1 {
        assert!(hand(&g, 2).contains(c) || hand(&g, 3).contains(c));
    }
    assert!(e.iter().any(|e| e.event["type"] == "fresque.team"
        && e.event["reason"] == "left"
        && e.event["who"] == json!(1)));
    assert_conserved(&g);
    assert_eq!(
        place(&mut g, 1, &h1[0], None).unwrap_err().code(),
        "not_in_game"
    );
    // Everybody leaves: cards go to the pool; a rejoin takes them all.
    g.remove_participant(2);
    g.remove_participant(3);
    assert_eq!(g.team_cards(0).unwrap().pool.len(), 10);
    assert_conserved(&g);
    g.add_participant(1, 0);
    assert_eq!(hand(&g, 1).len(), 10);
    assert_conserved(&g);
}

#[test]
fn moving_a_member_takes_no_cards_along_and_gets_a_share_of_the_new_team() {
    let mut g = game(&[1, 2, 3, 4], 2);
    g.apply(F, FresqueCommand::Deal, 5).unwrap();
    let from = g.team_of(1).unwrap();
    let to = 1 - from;
    let e = g
        .apply(
            F,
            FresqueCommand::MoveMember {
                participant: 1,
                team: to,
            },
            0,
        )
        .unwrap();
    assert!(!e.is_empty());
    assert_eq!(g.team_of(1), Some(to));
    let dealt_to = g.team_cards(to).unwrap().dealt;
    assert!(!hand(&g, 1).is_empty(), "a hand from the new team");
    assert!(hand(&g, 1).iter().all(|c| dealt_to.contains(c)));
    let sizes: Vec<usize> = g
        .team_cards(to)
        .unwrap()
        .hands
        .values()
        .map(Vec::len)
        .collect();
    assert!(
        sizes.iter().max().unwrap() - sizes.iter().min().unwrap() <= 1,
        "{sizes:?}"
    );
    assert_conserved(&g);
    assert_eq!(
        g.apply(
            F,
            FresqueCommand::MoveMember {
                participant: 1,
                team: to
            },
            0
        )
        .unwrap_err()
        .code(),
        "already_in_team"
    );
    assert_eq!(
        g.apply(
            F,
            FresqueCommand::MoveMember {
                participant: 1,
                team: 9
            },
            0
        )
        .unwrap_err()
        .code(),
        "unknown_team"
    );
}

#[test]
fn reveal_debrief_and_show_team() {
    let mut g = game(&[1], 1);
    assert_eq!(
        g.apply(F, FresqueCommand::Debrief { index: 0 }, 0)
            .unwrap_err()
            .code(),
        "not_revealed"
    );
    g.apply(F, FresqueCommand::Deal, 5).unwrap();
    // Place the hand in reference order: perfect score.
    let mut cards = hand(&g, 1);
    let r = g.reference().clone();
    cards.sort_by_key(|c| r.get(c).map(|e| e.rank));
    let mut last: Option<CardId> = None;
    for c in &cards {
        place(&mut g, 1, c, last.as_deref()).unwrap();
        last = Some(c.clone());
    }
    let blind = g.view(Viewer::Screen);
    assert_eq!(blind["teams"][0]["placed"], json!(10));
    assert!(blind["teams"][0].get("board").is_none());
    assert_eq!(blind["reference_order"], Value::Null);
    let e = g.apply(F, FresqueCommand::Reveal, 0).unwrap();
    assert_eq!(e[0].to, Audience::All);
    // The projector gets the boards and the reference at the reveal, in its view too.
    assert_eq!(e[1].to, Audience::Screen);
    assert_eq!(e[1].event["type"], json!("fresque.boards"));
    assert_eq!(e[1].event["teams"][0]["board"], json!(cards));
    let staff_view = g.view(Viewer::Staff);
    assert_eq!(e[1].event["reference_order"], staff_view["reference_order"]);
    let screen_view = g.view(Viewer::Screen);
    assert_eq!(screen_view["teams"][0]["board"], json!(cards));
    assert_eq!(
        screen_view["reference_order"],
        staff_view["reference_order"]
    );
    assert_eq!(e[0].event["results"][0]["score"]["percent"], json!(100));
    assert_eq!(e[0].event["results"][0]["placed"], json!(10));
    // The debrief's per-card view: every card of the deal, the 10 placed ones right.
    let per_card = e[0].event["cards"].as_array().unwrap();
    assert_eq!(per_card.len(), 25);
    assert!(per_card.iter().all(|c| c["misplaced_by"] == json!([])));
    let placed: Vec<&Value> = per_card.iter().filter(|c| c["teams"] == json!(1)).collect();
    assert_eq!(placed.len(), 10);
    assert!(placed.iter().all(|c| c["right"] == json!(1)));
    assert_eq!(g.view(Viewer::Staff)["cards"], e[0].event["cards"]);
    assert_eq!(g.view(Viewer::Participant(1))["cards"], e[0].event["cards"]);
    assert_eq!(
        mv(&mut g, 1, &cards[0], None).unwrap_err().code(),
        "revealed"
    );
    assert_eq!(
        g.apply(F, FresqueCommand::Deal, 0).unwrap_err().code(),
        "revealed"
    );
    let e = g.apply(F, FresqueCommand::Debrief { index: 0 }, 0).unwrap();
    assert_eq!(e[0].event["debrief"]["card"], json!("competence"));
    assert_eq!(e[0].event["debrief"]["total"], json!(25));
    let e = g
        .apply(F, FresqueCommand::Debrief { index: 24 }, 0)
        .unwrap();
    assert_eq!(e[0].event["debrief"]["rank"], json!(12));
    assert_eq!(
        g.apply(F, FresqueCommand::Debrief { index: 25 }, 0)
            .unwrap_err()
            .code(),
        "index_out_of_range"
    );
    g.apply(F, FresqueCommand::ShowTeam { team: Some(0) }, 0)
        .unwrap();
    assert_eq!(g.view(Viewer::Staff)["shown_team"], json!(0));
    assert_eq!(
        g.apply(F, FresqueCommand::ShowTeam { team: Some(1) }, 0)
            .unwrap_err()
            .code(),
        "unknown_team"
    );
}

#[test]
fn views_keep_teams_private() {
    let mut g = game(&[1, 2], 2);
    g.apply(F, FresqueCommand::Deal, 5).unwrap();
    let v = g.view(Viewer::Participant(1));
    assert_eq!(v["hand"], json!(hand(&g, 1)));
    assert_eq!(v["team"]["id"], json!(g.team_of(1)));
    assert!(v.get("teams").is_none());
    assert_eq!(v["phase"], json!("playing"));
    assert_eq!(v["cards"], Value::Null, "no debrief data before the reveal");
    let s = g.view(Viewer::Staff);
    assert_eq!(s["teams"].as_array().unwrap().len(), 2);
    assert_eq!(s["reference_order"].as_array().unwrap().len(), 25);
    // The projector: each team's progress, no card (neither a board nor the reference).
    let screen = g.view(Viewer::Screen);
    assert_eq!(screen["viewer"], json!("screen"));
    assert_eq!(card_in(&g, &screen), None, "{screen}");
    for t in 0..2 {
        let c = g.team_cards(t).unwrap();
        assert_eq!(screen["teams"][t as usize]["dealt"], json!(c.dealt.len()));
        assert_eq!(screen["teams"][t as usize]["placed"], json!(0));
    }
    assert_eq!(g.view(Viewer::Participant(77))["joined"], json!(false));
}

#[test]
fn commands_parse_from_client_json() {
    let c: FresqueCommand =
        serde_json::from_str(r#"{"type":"place","card":"x","after":null}"#).unwrap();
    assert_eq!(
        c,
        FresqueCommand::Place {
            card: "x".into(),
            after: None
        }
    );
    let c: FresqueCommand =
        serde_json::from_str(r#"{"type":"move","card":"x","after":"y"}"#).unwrap();
    assert_eq!(
        c,
        FresqueCommand::Move {
            card: "x".into(),
            after: Some("y".into())
        }
    );
    let c: FresqueCommand = serde_json::from_str(r#"{"type":"return","card":"x"}"#).unwrap();
    assert_eq!(c, FresqueCommand::Return { card: "x".into() });
    let c: FresqueCommand = serde_json::from_str(r#"{"type":"form_teams","size":4}"#).unwrap();
    assert_eq!(
        c,
        FresqueCommand::FormTeams {
            count: None,
            size: Some(4)
        }
    );
}

// ---------- property tests ----------

#[derive(Debug, Clone)]
enum Op {
    Join(ParticipantId),
    Leave(ParticipantId),
    /// The session says this participant went away, or came back.
    Away(ParticipantId),
    Back(ParticipantId),
    Cmd(Actor, FresqueCommand, u64),
    /// A place/move/return by a present member, with card and anchor picked from
    /// the current state so that most of them succeed (resolved in `resolve`).
    Smart {
        who: u16,
        kind: u8,
        a: u16,
        b: u16,
    },
}

/// Turns an `Op::Smart` into a concrete command against the current state.
fn resolve(g: &Fresque, who: u16, kind: u8, a: u16, b: u16) -> Option<(Actor, FresqueCommand)> {
    let present: Vec<ParticipantId> = (0..7).filter(|&p| g.team_of(p).is_some()).collect();
    if present.is_empty() {
        return None;
    }
    let pid = present[who as usize % present.len()];
    let c = g.team_cards(g.team_of(pid)?)?;
    let pick = |v: &[CardId], k: u16| (!v.is_empty()).then(|| v[k as usize % v.len()].clone());
    // Anchor: first, a board card (possibly the moved card itself), or a card not on the board.
    let after = match b % 8 {
        0 => None,
        1 => Some("open-badge".to_string()),
        _ => pick(&c.board, b),
    };
    let cmd = match kind % 5 {
        4 => {
            let team = u32::from(b) % g.team_count() as u32;
            return Some((
                Actor::Facilitator,
                FresqueCommand::MoveMember {
                    participant: pid,
                    team,
                },
            ));
        }
        0 | 1 => FresqueCommand::Place {
            card: pick(&c.hands[&pid], a)?,
            after,
        },
        2 => FresqueCommand::Move {
            card: pick(&c.board, a)?,
            after,
        },
        _ => FresqueCommand::Return {
            card: pick(&c.board, a)?,
        },
    };
    Some((Actor::Participant(pid), cmd))
}

/// Small card universe so random commands often hit real cards.
fn arb_card() -> impl Strategy<Value = CardId> {
    let (r, _) = open_badges();
    let cards: Vec<CardId> = r.entries().iter().map(|e| e.card.clone()).collect();
    prop_oneof![
        20 => proptest::sample::select(cards),
        1 => Just("unknown".to_string()),
    ]
}

fn arb_cmd() -> impl Strategy<Value = FresqueCommand> {
    prop_oneof![
        1 => (proptest::option::of(0u32..5), proptest::option::of(0u32..5))
            .prop_map(|(count, size)| FresqueCommand::FormTeams { count, size }),
        1 => ((0u32..7), (0u32..4))
            .prop_map(|(participant, team)| FresqueCommand::MoveMember { participant, team }),
        2 => Just(FresqueCommand::Deal),
        8 => (arb_card(), proptest::option::of(arb_card()))
            .prop_map(|(card, after)| FresqueCommand::Place { card, after }),
        8 => (arb_card(), proptest::option::of(arb_card()))
            .prop_map(|(card, after)| FresqueCommand::Move { card, after }),
        2 => arb_card().prop_map(|card| FresqueCommand::Return { card }),
        // Reveal freezes the boards: keep it rare so most runs keep playing.
        1 => (0u8..10).prop_map(|k| if k == 0 { FresqueCommand::Reveal } else { FresqueCommand::Deal }),
        1 => (0u32..30).prop_map(|index| FresqueCommand::Debrief { index }),
        1 => proptest::option::of(0u32..4).prop_map(|team| FresqueCommand::ShowTeam { team }),
        2 => (0u32..7).prop_map(|participant| FresqueCommand::ReleaseHand { participant }),
        1 => (0u32..700).prop_map(|seconds| FresqueCommand::SetGrace { seconds }),
    ]
}

fn arb_op() -> impl Strategy<Value = Op> {
    prop_oneof![
        2 => (0u32..7).prop_map(Op::Join),
        1 => (0u32..7).prop_map(Op::Leave),
        2 => (0u32..7).prop_map(Op::Away),
        2 => (0u32..7).prop_map(Op::Back),
        20 => (any::<u16>(), any::<u8>(), any::<u16>(), any::<u16>())
            .prop_map(|(who, kind, a, b)| Op::Smart { who, kind, a, b }),
        6 => (
            prop_oneof![1 => Just(Actor::Facilitator), 5 => (0u32..7).prop_map(Actor::Participant)],
            arb_cmd(),
            any::<u64>()
        ).prop_map(|(a, c, s)| Op::Cmd(a, c, s)),
    ]
}

/// Where `value` holds a card id of `g`'s reference, if anywhere.
fn card_in(g: &Fresque, value: &Value) -> Option<String> {
    match value {
        Value::String(s) if g.reference().get(s).is_some() => Some(s.clone()),
        Value::Array(items) => items.iter().find_map(|v| card_in(g, v)),
        Value::Object(map) => map.values().find_map(|v| card_in(g, v)),
        _ => None,
    }
}

/// Issue 18, no copying: until the reveal nothing that reaches a projector (its view, events
/// to everyone, to the staff or to the screens) names a card; and the projector's progress
/// events keep it in step with every team (`screen`: the last progress seen per team).
fn assert_screen_blind(
    g: &Fresque,
    revealed_before: bool,
    emits: &[Emit],
    screen: &mut BTreeMap<TeamId, Value>,
) {
    for e in emits {
        if !matches!(e.to, Audience::All | Audience::Staff | Audience::Screen) {
            continue;
        }
        let kind = e.event["type"].as_str().unwrap_or_default();
        if !revealed_before && kind != "fresque.revealed" && kind != "fresque.boards" {
            assert_eq!(
                card_in(g, &e.event),
                None,
                "the projector was sent {}",
                e.event
            );
        }
        if kind == "fresque.progress" {
            screen.insert(e.event["team"].as_u64().unwrap() as TeamId, e.event.clone());
        }
    }
    let view = g.view(Viewer::Screen);
    if !g.revealed() {
        assert_eq!(card_in(g, &view), None, "the projector's view: {view}");
    }
    for t in 0..g.team_count() as TeamId {
        let c = g.team_cards(t).unwrap();
        let seen = &screen[&t];
        assert_eq!(seen["placed"], json!(c.board.len()), "{seen}");
        assert_eq!(seen["dealt"], json!(c.dealt.len()), "{seen}");
        assert_eq!(seen["pool"], json!(c.pool.len()), "{seen}");
        let members: Vec<&Value> = seen["members"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| &m["id"])
            .collect();
        assert_eq!(
            members,
            c.members
                .iter()
                .map(|m| json!(m))
                .collect::<Vec<_>>()
                .iter()
                .collect::<Vec<_>>()
        );
        assert_eq!(view["teams"][t as usize]["placed"], json!(c.board.len()));
        if g.revealed() {
            assert_eq!(view["teams"][t as usize]["board"], json!(c.board));
        }
    }
}

fn run(g: &mut Fresque, ops: &[Op]) -> Vec<Vec<Emit>> {
    let mut log = Vec::new();
    let mut screen = BTreeMap::new();
    for op in ops {
        let revealed_before = g.revealed();
        let cmd = match op {
            Op::Join(pid) => Err(g.add_participant(*pid, 0)),
            Op::Leave(pid) => Err(g.remove_participant(*pid)),
            Op::Away(pid) => Err(g.set_away(*pid)),
            Op::Back(pid) => Err(g.set_back(*pid)),
            Op::Cmd(a, c, seed) => Ok(Some((*a, c.clone(), *seed))),
            Op::Smart { who, kind, a, b } => {
                Ok(resolve(g, *who, *kind, *a, *b).map(|(actor, cmd)| (actor, cmd, 0)))
            }
        };
        let e = match cmd {
            Err(emits) => emits,
            Ok(None) => vec![],
            Ok(Some((a, c, seed))) => {
                let before = g.clone();
                match g.apply(a, c, seed) {
                    Ok(e) => e,
                    Err(err) => {
                        assert_eq!(*g, before, "error {} changed the state", err.code());
                        vec![]
                    }
                }
            }
        };
        assert_conserved(g);
        assert_screen_blind(g, revealed_before, &e, &mut screen);
        log.push(e);
    }
    log
}

/// Mostly-valid operations: joins, form teams, deals, then members placing/moving
/// cards they actually hold, so the interesting paths run often.
fn guided_ops() -> impl Strategy<Value = Vec<Op>> {
    let setup = vec![
        Op::Join(1),
        Op::Join(2),
        Op::Join(3),
        Op::Join(4),
        Op::Cmd(
            Actor::Facilitator,
            FresqueCommand::FormTeams {
                count: Some(2),
                size: None,
            },
            1,
        ),
        Op::Cmd(Actor::Facilitator, FresqueCommand::Deal, 2),
    ];
    proptest::collection::vec(arb_op(), 0..150).prop_map(move |rest| {
        let mut ops = setup.clone();
        ops.extend(rest);
        ops
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    /// Any sequence from any actors: cards are conserved per team (checked after
    /// every step inside `run`), errors change nothing, replay is deterministic.
    #[test]
    fn arbitrary_sequences_conserve_cards(ops in guided_ops()) {
        let (r, packs) = open_badges();
        let mut g = Fresque::new(r.clone(), packs.clone()).unwrap();
        let log = run(&mut g, &ops);
        let mut h = Fresque::new(r, packs).unwrap();
        let log2 = run(&mut h, &ops);
        prop_assert_eq!(&g, &h);
        prop_assert_eq!(log, log2);
        let _ = g.view(Viewer::Staff);
        for pid in 0..8 {
            let _ = g.view(Viewer::Participant(pid));
        }
        // Snapshots round-trip.
        let back: Fresque = serde_json::from_str(&serde_json::to_string(&g).unwrap()).unwrap();
        prop_assert_eq!(back, g);
    }

    /// Members who only place and move cards they see converge on a board that is a
    /// permutation of what they placed.
    #[test]
    fn valid_moves_from_several_members(picks in proptest::collection::vec((0usize..3, any::<u16>(), any::<u16>(), any::<bool>()), 1..80)) {
        let mut g = game(&[1, 2, 3], 1);
        g.apply(F, FresqueCommand::Deal, 9).unwrap();
        g.apply(F, FresqueCommand::Deal, 9).unwrap();
        for (who, a, b, placing) in picks {
            let pid = [1, 2, 3][who];
            let board = board(&g, 0);
            let anchor = |k: u16| -> Option<CardId> {
                if board.is_empty() || k.is_multiple_of(5) { None } else { Some(board[k as usize % board.len()].clone()) }
            };
            let h = hand(&g, pid);
            if placing && !h.is_empty() {
                let card = h[a as usize % h.len()].clone();
                place(&mut g, pid, &card, anchor(b).as_deref()).unwrap();
            } else if !board.is_empty() {
                let card = board[a as usize % board.len()].clone();
                let after = anchor(b);
                let res = mv(&mut g, pid, &card, after.as_deref());
                if after.as_ref() == Some(&card) {
                    prop_assert_eq!(res.unwrap_err().code(), "anchor_is_self");
                } else {
                    res.unwrap();
                    let nb = super::tests::board(&g, 0);
                    let i = nb.iter().position(|c| *c == card).unwrap();
                    match after {
                        None => prop_assert_eq!(i, 0),
                        Some(x) => prop_assert_eq!(&nb[i - 1], &x),
                    }
                }
            }
            assert_conserved(&g);
        }
    }
}

#[test]
fn before_teams_a_join_or_a_leave_says_only_who() {
    let (r, packs) = open_badges();
    let mut g = Fresque::new(r, packs).unwrap();
    for pid in 1..=3 {
        let out = g.add_participant(pid, 0);
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].to, Audience::Staff);
        assert_eq!(
            out[0].event,
            json!({"type": "fresque.unassigned", "pid": pid, "unassigned": true})
        );
    }
    let out = g.remove_participant(2);
    assert_eq!(
        out.iter().map(|e| e.event.clone()).collect::<Vec<_>>(),
        [json!({"type": "fresque.unassigned", "pid": 2, "unassigned": false})]
    );
    assert_eq!(g.view(Viewer::Staff)["unassigned"], json!([1, 3]));
}

#[test]
fn away_members_are_left_out_of_teams_and_deals_and_get_a_hand_when_back() {
    let (r, packs) = open_badges();
    let mut g = Fresque::new(r, packs).unwrap();
    for pid in 1..=5 {
        g.add_participant(pid, 0);
    }
    g.set_away(5);
    g.apply(
        F,
        FresqueCommand::FormTeams {
            count: Some(2),
            size: None,
        },
        3,
    )
    .unwrap();
    assert_eq!(g.team_of(5), None, "away: not in a team");
    g.apply(F, FresqueCommand::Deal, 4).unwrap();
    assert_conserved(&g);
    // Team 0's members: one goes away; the next deal skips them, they keep their hand.
    let team = g.team_cards(0).unwrap();
    let gone = team.members[0];
    let kept = team.hands[&gone].clone();
    g.set_away(gone);
    g.apply(F, FresqueCommand::Deal, 5).unwrap();
    assert_eq!(hand(&g, gone), kept, "dealt nothing while away");
    assert_conserved(&g);
    // Released: the hand goes to the teammates there.
    let e = g
        .apply(F, FresqueCommand::ReleaseHand { participant: gone }, 0)
        .unwrap();
    assert!(!e.is_empty());
    assert!(hand(&g, gone).is_empty());
    assert_conserved(&g);
    assert_eq!(
        g.apply(F, FresqueCommand::ReleaseHand { participant: gone }, 0)
            .unwrap_err()
            .code(),
        "empty_hand"
    );
    assert_eq!(
        g.apply(F, FresqueCommand::ReleaseHand { participant: 5 }, 0)
            .unwrap_err()
            .code(),
        "no_team"
    );
    // Back: a hand again, hands within one card of each other.
    g.set_back(gone);
    assert!(!hand(&g, gone).is_empty());
    let sizes: Vec<usize> = g
        .team_cards(0)
        .unwrap()
        .hands
        .values()
        .map(Vec::len)
        .collect();
    assert!(
        sizes.iter().max().unwrap() - sizes.iter().min().unwrap() <= 1,
        "{sizes:?}"
    );
    assert_conserved(&g);
    // The one away at forming comes back as a late joiner, into the smaller team.
    g.set_back(5);
    assert!(g.team_of(5).is_some());
    assert!(!hand(&g, 5).is_empty());
    assert_conserved(&g);
    // Only the facilitator releases, and the grace period is bounded.
    assert_eq!(
        g.apply(p(1), FresqueCommand::ReleaseHand { participant: 2 }, 0)
            .unwrap_err()
            .code(),
        "forbidden"
    );
    assert_eq!(
        g.apply(F, FresqueCommand::SetGrace { seconds: 601 }, 0)
            .unwrap_err()
            .code(),
        "invalid_grace"
    );
}
