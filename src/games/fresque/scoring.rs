//! Scoring a fresque board: the *pack-corrected agreement* (issue 18), and the debrief's
//! per-card view of every team's board.
//!
//! The cards come in packs that already follow the chronology roughly (the default deck
//! deals ranks 1–5, then 6–9, then 10–12), so counting every pair of cards, as the first
//! score did, rewards a team for the dealer's work: appending each pack in any order scored
//! about 90 %. The pack-corrected agreement only credits what a team decided, and sets its
//! zero where chance puts it: a team that keeps every pack where it was dealt and orders
//! each pack at random scores 0 on average, a board in the reference order 100.
//!
//! Pairs of cards are judged as before: with `a` placed before `b`, the pair *agrees* when
//! some accepted rank of `a` is ≤ some accepted rank of `b` (`min(a) ≤ max(b)`). A pair
//! agrees either way round (*tied*: equal ranks, or overlapping accepted ranks) or in
//! exactly one order; only the latter tell anything, and each is worth, compared with the
//! baseline *packs in dealing order, random order inside each pack*:
//!
//! * both cards in the same pack: +1 in the right order, −1 in the wrong one (the baseline
//!   gets it right half the time: 0 on average);
//! * cards of two packs, the dealing order being right (the usual case): 0 when the team
//!   left them in that order (it earns nothing by itself), −2 when it put them the wrong
//!   way round (a card moved across a pack boundary to a wrong place);
//! * cards of two packs, the dealing order being wrong (a deck whose packs overlap): +2 when
//!   the team put them right, 0 otherwise.
//!
//! So every pair in the wrong order costs 2 points compared with the right order, wherever
//! it is. `percent` is `points / max_points` (the points of a board in the reference order),
//! clamped at 0 and rounded; [`Score::raw`] keeps the unclamped value.

use std::cmp::Reverse;
use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::{Reference, TeamId};
use crate::games::CardId;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Colour {
    /// No disagreeing pair.
    Green,
    /// 1–2 disagreeing pairs.
    Orange,
    /// 3 or more.
    Red,
}

impl Colour {
    pub fn from_disagreements(n: u32) -> Colour {
        match n {
            0 => Colour::Green,
            1 | 2 => Colour::Orange,
            _ => Colour::Red,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CardScore {
    pub card: CardId,
    /// Pairs in the wrong order this card is part of (within or across packs).
    pub disagreements: u32,
    pub colour: Colour,
    /// Placed right: the card is in every largest set of this board's cards whose pairs all
    /// agree, i.e. it is not among the cards to move to put the board in order. A card moved
    /// to a wrong place is not right, the cards it jumped over still are; of two cards
    /// swapped, neither is.
    #[serde(default)]
    pub right: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Score {
    /// Pairs that count which are in the right order.
    pub agreeing: u32,
    /// Pairs that count: pairs of cards of one pack that only agree in one order, and pairs
    /// of cards of two packs put in another order than the dealt one or whose dealt order is
    /// wrong. Pairs left in a right dealt order, and tied pairs, do not count.
    pub pairs: u32,
    /// The team's points (negative when worse than chance): see the module documentation.
    #[serde(default)]
    pub points: i32,
    /// The points of a board in the reference order.
    #[serde(default)]
    pub max_points: u32,
    /// `100 · points / max_points`, clamped at 0 and rounded; `None` when `max_points` is 0
    /// (fewer than two placed cards, or nothing to judge beyond the dealt order).
    pub percent: Option<u32>,
    /// In board order.
    pub cards: Vec<CardScore>,
}

impl Score {
    /// The unclamped measure `points / max_points`: 1 for the reference order, 0 on average
    /// for packs kept as dealt and shuffled inside, below 0 for worse.
    pub fn raw(&self) -> Option<f64> {
        (self.max_points > 0).then(|| f64::from(self.points) / f64::from(self.max_points))
    }
}

/// A placed card the score knows: its accepted ranks (lowest, highest) and its pack.
struct Placed<'a> {
    card: &'a CardId,
    lo: u32,
    hi: u32,
    pack: usize,
}

/// Scores a board (left to right = earliest to latest) dealt in `packs` (dealing order):
/// the pack-corrected agreement (see the module documentation). Cards unknown to the
/// reference or in no pack are left out. Pure and deterministic.
pub fn score(board: &[CardId], reference: &Reference, packs: &[Vec<CardId>]) -> Score {
    let pack_of: BTreeMap<&str, usize> = packs
        .iter()
        .enumerate()
        .flat_map(|(i, p)| p.iter().map(move |c| (c.as_str(), i)))
        .collect();
    let known: Vec<Placed> = board
        .iter()
        .filter_map(|card| {
            let (lo, hi) = reference.span(card)?;
            let pack = *pack_of.get(card.as_str())?;
            Some(Placed { card, lo, hi, pack })
        })
        .collect();
    let mut bad = vec![0u32; known.len()];
    let (mut agreeing, mut pairs, mut points, mut max_points) = (0u32, 0u32, 0i64, 0u32);
    for (i, a) in known.iter().enumerate() {
        for (j, b) in known.iter().enumerate().skip(i + 1) {
            let agree = a.lo <= b.hi;
            if !agree {
                bad[i] += 1;
                bad[j] += 1;
            }
            if agree && b.lo <= a.hi {
                continue; // tied: right either way round, tells nothing
            }
            if a.pack == b.pack {
                pairs += 1;
                max_points += 1;
                if agree {
                    agreeing += 1;
                    points += 1;
                } else {
                    points -= 1;
                }
                continue;
            }
            let (first, second) = if a.pack < b.pack { (a, b) } else { (b, a) };
            if first.lo <= second.hi {
                // The dealt order is right: keeping it earns nothing, breaking it costs 2.
                if !agree {
                    pairs += 1;
                    points -= 2;
                }
            } else {
                // The dealt order is wrong: putting the pair right earns 2.
                pairs += 1;
                max_points += 2;
                if agree {
                    agreeing += 1;
                    points += 2;
                }
            }
        }
    }
    let percent = (max_points > 0).then(|| {
        let p = u64::try_from(points).unwrap_or(0);
        let max = u64::from(max_points);
        ((p * 100 + max / 2) / max) as u32
    });
    let spans: Vec<(u32, u32)> = known.iter().map(|p| (p.lo, p.hi)).collect();
    let longest = longest_in_agreement(&spans, None);
    let cards = known
        .iter()
        .zip(bad)
        .enumerate()
        .map(|(k, (p, d))| CardScore {
            card: p.card.clone(),
            disagreements: d,
            colour: Colour::from_disagreements(d),
            right: longest_in_agreement(&spans, Some(k)) < longest,
        })
        .collect();
    Score {
        agreeing,
        pairs,
        points: i32::try_from(points).unwrap_or(i32::MIN),
        max_points,
        percent,
        cards,
    }
}

/// Size of the largest set of cards (kept in board order, `skip` left out) whose pairs all
/// agree. Cards `i < j` agree when `lo_i ≤ hi_j`, so a set agrees when each card's highest
/// rank is at least the largest lowest rank before it: a longest-chain search over that
/// running maximum (few distinct ranks), O(cards × ranks).
fn longest_in_agreement(spans: &[(u32, u32)], skip: Option<usize>) -> usize {
    // Running maximum of the lowest ranks → longest set so far ending with that maximum.
    let mut best: BTreeMap<u32, usize> = BTreeMap::from([(0, 0)]);
    for (k, &(lo, hi)) in spans.iter().enumerate() {
        if Some(k) == skip {
            continue;
        }
        let longer: Vec<(u32, usize)> = best
            .range(..=hi)
            .map(|(&m, &len)| (m.max(lo), len + 1))
            .collect();
        for (m, len) in longer {
            let e = best.entry(m).or_insert(0);
            *e = (*e).max(len);
        }
    }
    best.values().copied().max().unwrap_or(0)
}

/// One card in the debrief: how the teams placed it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CardResult {
    pub card: CardId,
    /// 0-based place in the reference order (the debrief's `index`): the screens rebuild
    /// where the reference puts the card from it.
    pub index: u32,
    /// Teams that placed it right ([`CardScore::right`]).
    pub right: u32,
    /// Teams that placed it (a card left in a hand is not judged).
    pub teams: u32,
    /// The teams that placed it wrong, most disagreements first (then by team).
    pub misplaced_by: Vec<Misplacement>,
}

/// Where a team put a card it placed wrong.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Misplacement {
    pub team: TeamId,
    /// 0-based position on that team's board.
    pub position: u32,
    /// The card just before it on that board (`None` when first).
    pub after: Option<CardId>,
    /// The card just after it (`None` when last).
    pub before: Option<CardId>,
    /// Pairs in the wrong order it is part of.
    pub disagreements: u32,
}

/// The debrief's view of the teams' scores (`results[i]` is team `i`'s), one entry per card
/// of `order` (the reference order), most misplaced first: most teams that placed it wrong,
/// then fewest teams that placed it right, then reference order. Pure.
pub fn card_results(results: &[Score], order: &[CardId]) -> Vec<CardResult> {
    let index: BTreeMap<&str, usize> = order
        .iter()
        .enumerate()
        .map(|(i, c)| (c.as_str(), i))
        .collect();
    let mut out: Vec<CardResult> = order
        .iter()
        .enumerate()
        .map(|(i, card)| CardResult {
            card: card.clone(),
            index: i as u32,
            right: 0,
            teams: 0,
            misplaced_by: Vec::new(),
        })
        .collect();
    for (team, s) in results.iter().enumerate() {
        for (pos, cs) in s.cards.iter().enumerate() {
            let Some(r) = index.get(cs.card.as_str()).and_then(|&k| out.get_mut(k)) else {
                continue;
            };
            r.teams += 1;
            if cs.right {
                r.right += 1;
                continue;
            }
            let neighbour =
                |p: Option<usize>| p.and_then(|p| s.cards.get(p)).map(|c| c.card.clone());
            r.misplaced_by.push(Misplacement {
                team: team as TeamId,
                position: pos as u32,
                after: neighbour(pos.checked_sub(1)),
                before: neighbour(Some(pos + 1)),
                disagreements: cs.disagreements,
            });
        }
    }
    for r in &mut out {
        r.misplaced_by
            .sort_by_key(|m| (Reverse(m.disagreements), m.team));
    }
    // Stable: equal cards stay in reference order.
    out.sort_by_key(|r| (Reverse(r.teams - r.right), r.right));
    out
}
