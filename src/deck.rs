//! Card decks: the vocabulary of the bingo and the cards of the fresque, loaded from human-edited TOML.
//!
//! A deck file is parsed into private `Raw*` types where every field is optional, then validated into
//! the public types. The two steps exist so that a mistake made by a human editor (a missing language,
//! an unknown card id in a pack…) is reported with the file, the card and the field, all problems at
//! once, instead of serde's first "missing field" without context.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

/// Number of cards a deck must have: the bingo grid is 5×5 and holds every term once.
pub const BINGO_CARD_COUNT: usize = 25;

/// Id of the built-in deck, used when a session does not choose one.
pub const DEFAULT_DECK_ID: &str = "open-badges";

const BUILTIN_SOURCE: &str = "cards/open-badges.toml (built-in)";
const BUILTIN_TEXT: &str = include_str!("../cards/open-badges.toml");

/// A language of the workshop. Every text of a deck exists in all of them.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default, Serialize, Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    /// French, the seed's language and the fallback.
    #[default]
    Fr,
    /// Dutch, written with Flemish usage.
    Nl,
    En,
}

impl Lang {
    pub const ALL: [Lang; 3] = [Lang::Fr, Lang::Nl, Lang::En];

    /// Reads a language tag such as `nl`, `nl-BE`, `fr_FR` or `EN`, looking only at the primary subtag.
    pub fn parse(tag: &str) -> Option<Lang> {
        let primary = tag.trim().split(['-', '_']).next()?.to_ascii_lowercase();
        match primary.as_str() {
            "fr" => Some(Lang::Fr),
            "nl" => Some(Lang::Nl),
            "en" => Some(Lang::En),
            _ => None,
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Lang::Fr => "fr",
            Lang::Nl => "nl",
            Lang::En => "en",
        }
    }
}

impl fmt::Display for Lang {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// A text in every workshop language (validated: none missing, none empty).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Localized {
    pub fr: String,
    pub nl: String,
    pub en: String,
}

impl Localized {
    pub fn get(&self, lang: Lang) -> &str {
        match lang {
            Lang::Fr => &self.fr,
            Lang::Nl => &self.nl,
            Lang::En => &self.en,
        }
    }
}

/// One card: a bingo term and a fresque card at once.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Card {
    /// Stable ASCII kebab-case id, referenced by stored games.
    pub id: String,
    /// Number on the seed's bingo slide (1–25).
    pub number: u8,
    pub term: Localized,
    /// Read aloud in the bingo; does not contain the term.
    pub definition: Localized,
    /// Back of the card.
    pub explanation: Localized,
    /// Reference position in the fresque timeline (1..=`Deck::max_rank`).
    pub rank: u8,
    /// Other positions accepted where the chronology is debatable.
    pub alt_ranks: Vec<u8>,
    /// Debrief note; always present when `alt_ranks` is not empty.
    pub note: Option<Localized>,
}

impl Card {
    /// The reference rank first, then the accepted alternatives.
    pub fn accepted_ranks(&self) -> Vec<u8> {
        let mut ranks = Vec::with_capacity(1 + self.alt_ranks.len());
        ranks.push(self.rank);
        ranks.extend_from_slice(&self.alt_ranks);
        ranks
    }
}

/// The competence the fresque teams create a badge for, with the slide instructions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Scenario {
    pub id: String,
    pub title: Localized,
    pub description: Localized,
    /// Instructions shown with the first pack (they lead into the title).
    pub first_pack: Localized,
    /// Instructions shown with every following pack.
    pub next_packs: Localized,
}

/// A way of splitting the deck into packs dealt one after another.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PackVariant {
    pub id: String,
    pub name: Localized,
    /// In dealing order; together they hold every card exactly once.
    pub packs: Vec<Pack>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Pack {
    pub name: Localized,
    /// Card ids.
    pub cards: Vec<String>,
}

/// A validated deck.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Deck {
    pub id: String,
    /// Raised by editors on every change, so that results can be traced to the texts they used.
    pub version: String,
    pub name: Localized,
    /// Number of positions of the fresque's reference timeline.
    pub max_rank: u8,
    /// Exactly `BINGO_CARD_COUNT` cards, in file order.
    pub cards: Vec<Card>,
    /// At least one.
    pub scenarios: Vec<Scenario>,
    pub default_scenario: String,
    /// At least one.
    pub pack_variants: Vec<PackVariant>,
    pub default_pack_variant: String,
    /// Where the deck was loaded from, for logs and error messages.
    #[serde(skip)]
    pub source: String,
}

/// One problem found while validating a deck file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// What holds the field: `deck`, `card \`earner\``, `scenario \`x\``, `pack variant \`y\``…
    pub place: String,
    /// Field path inside that place, e.g. `definition.nl`.
    pub field: String,
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}, field `{}`: {}",
            self.place, self.field, self.message
        )
    }
}

fn bullet_list(problems: &[Problem]) -> String {
    problems
        .iter()
        .map(|p| format!("  - {p}"))
        .collect::<Vec<_>>()
        .join("\n")
}

#[derive(Debug, thiserror::Error)]
pub enum DeckError {
    #[error("{file}: cannot read deck file or directory: {source}")]
    Io {
        file: String,
        #[source]
        source: std::io::Error,
    },
    /// Invalid TOML, or a value of the wrong type / an unknown key (both reported by the TOML parser).
    #[error("{file}{}: {message}", location(*line, *column))]
    Syntax {
        file: String,
        line: Option<usize>,
        column: Option<usize>,
        message: String,
    },
    #[error("{file}: invalid deck ({} problem{}):\n{}", problems.len(), if problems.len() == 1 { "" } else { "s" }, bullet_list(problems))]
    Invalid {
        file: String,
        problems: Vec<Problem>,
    },
    #[error("deck id `{id}` is used twice: in {first} and in {second}")]
    DuplicateDeck {
        id: String,
        first: String,
        second: String,
    },
}

fn location(line: Option<usize>, column: Option<usize>) -> String {
    match (line, column) {
        (Some(l), Some(c)) => format!(", line {l}, column {c}"),
        (Some(l), None) => format!(", line {l}"),
        _ => String::new(),
    }
}

// ---- raw file format -------------------------------------------------------------------------------

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    deck: Option<RawMeta>,
    #[serde(default)]
    cards: Vec<RawCard>,
    #[serde(default)]
    scenarios: Vec<RawScenario>,
    #[serde(default)]
    pack_variants: Vec<RawVariant>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawMeta {
    id: Option<String>,
    version: Option<String>,
    name: Option<RawText>,
    max_rank: Option<i64>,
    default_scenario: Option<String>,
    default_packs: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCard {
    id: Option<String>,
    number: Option<i64>,
    rank: Option<i64>,
    #[serde(default)]
    alt_ranks: Vec<i64>,
    term: Option<RawText>,
    definition: Option<RawText>,
    explanation: Option<RawText>,
    note: Option<RawText>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawScenario {
    id: Option<String>,
    title: Option<RawText>,
    description: Option<RawText>,
    first_pack: Option<RawText>,
    next_packs: Option<RawText>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawVariant {
    id: Option<String>,
    name: Option<RawText>,
    #[serde(default)]
    packs: Vec<RawPack>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPack {
    name: Option<RawText>,
    #[serde(default)]
    cards: Vec<String>,
}

#[derive(Deserialize)]
#[serde(
    deny_unknown_fields,
    expecting = "a table of texts with keys fr, nl and en"
)]
struct RawText {
    fr: Option<String>,
    nl: Option<String>,
    en: Option<String>,
}

// ---- validation ------------------------------------------------------------------------------------

/// Collects every problem of a file so an editor can fix them all in one go.
#[derive(Default)]
struct Checker {
    problems: Vec<Problem>,
}

impl Checker {
    fn report(&mut self, place: &str, field: &str, message: impl Into<String>) {
        self.problems.push(Problem {
            place: place.to_owned(),
            field: field.to_owned(),
            message: message.into(),
        });
    }

    /// A required text in every language; missing parts are reported and left empty.
    fn text(&mut self, place: &str, field: &str, raw: Option<RawText>) -> Localized {
        let Some(raw) = raw else {
            self.report(place, field, "missing (needs fr, nl and en texts)");
            return Localized {
                fr: String::new(),
                nl: String::new(),
                en: String::new(),
            };
        };
        let mut one = |lang: Lang, value: Option<String>| -> String {
            let sub = format!("{field}.{lang}");
            match value {
                None => {
                    self.report(place, &sub, format!("missing language `{lang}`"));
                    String::new()
                }
                Some(v) if v.trim().is_empty() => {
                    self.report(place, &sub, "empty text");
                    String::new()
                }
                Some(v) => v.trim().to_owned(),
            }
        };
        Localized {
            fr: one(Lang::Fr, raw.fr),
            nl: one(Lang::Nl, raw.nl),
            en: one(Lang::En, raw.en),
        }
    }

    /// A required ASCII kebab-case id, since ids end up in URLs, storage and logs.
    fn id(&mut self, place: &str, raw: Option<String>) -> String {
        match raw {
            None => {
                self.report(place, "id", "missing");
                String::new()
            }
            Some(id) if !is_kebab(&id) => {
                self.report(
                    place,
                    "id",
                    format!(
                        "`{id}` is not a valid id (lowercase ASCII letters and digits separated by single hyphens)"
                    ),
                );
                id
            }
            Some(id) => id,
        }
    }

    fn plain(&mut self, place: &str, field: &str, raw: Option<String>) -> String {
        match raw {
            Some(v) if !v.trim().is_empty() => v.trim().to_owned(),
            Some(_) => {
                self.report(place, field, "empty text");
                String::new()
            }
            None => {
                self.report(place, field, "missing");
                String::new()
            }
        }
    }
}

fn is_kebab(id: &str) -> bool {
    !id.is_empty()
        && id.split('-').all(|w| {
            !w.is_empty()
                && w.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        })
}

fn card_place(index: usize, raw_id: Option<&str>) -> String {
    match raw_id {
        Some(id) if !id.is_empty() => format!("card `{id}`"),
        _ => format!("card #{} (no id)", index + 1),
    }
}

impl Deck {
    /// Parses and validates one deck file. `source_name` names the file in error messages.
    pub fn from_toml(source_name: &str, text: &str) -> Result<Deck, DeckError> {
        let raw: RawFile = toml::from_str(text).map_err(|e| {
            let (line, column) = match e.span() {
                Some(span) => {
                    let (l, c) = line_column(text, span.start);
                    (Some(l), Some(c))
                }
                None => (None, None),
            };
            DeckError::Syntax {
                file: source_name.to_owned(),
                line,
                column,
                message: e.message().trim().to_owned(),
            }
        })?;
        let mut ck = Checker::default();
        let deck = validate(&mut ck, raw, source_name);
        if ck.problems.is_empty() {
            Ok(deck)
        } else {
            Err(DeckError::Invalid {
                file: source_name.to_owned(),
                problems: ck.problems,
            })
        }
    }

    pub fn card(&self, id: &str) -> Option<&Card> {
        self.cards.iter().find(|c| c.id == id)
    }

    pub fn scenario(&self, id: &str) -> Option<&Scenario> {
        self.scenarios.iter().find(|s| s.id == id)
    }

    pub fn default_scenario(&self) -> &Scenario {
        // Validation guarantees the default exists and the list is not empty.
        self.scenario(&self.default_scenario)
            .unwrap_or(&self.scenarios[0])
    }

    pub fn pack_variant(&self, id: &str) -> Option<&PackVariant> {
        self.pack_variants.iter().find(|v| v.id == id)
    }

    pub fn default_pack_variant(&self) -> &PackVariant {
        self.pack_variant(&self.default_pack_variant)
            .unwrap_or(&self.pack_variants[0])
    }

    /// Reference for scoring the fresque: each card id with its accepted ranks (reference rank first),
    /// ordered by reference rank then seed number, i.e. the order of the debrief walk-through.
    pub fn reference_ranks(&self) -> Vec<(String, Vec<u8>)> {
        let mut cards: Vec<&Card> = self.cards.iter().collect();
        cards.sort_by_key(|c| (c.rank, c.number));
        cards
            .into_iter()
            .map(|c| (c.id.clone(), c.accepted_ranks()))
            .collect()
    }

    /// Card ids of each pack of a variant, in dealing order; `None` for an unknown variant.
    pub fn packs(&self, variant: &str) -> Option<Vec<Vec<String>>> {
        self.pack_variant(variant)
            .map(|v| v.packs.iter().map(|p| p.cards.clone()).collect())
    }

    /// What a phone needs, in its language only: card texts keyed by id, scenarios, pack names.
    /// Ranks and pack contents are left out on purpose: they would give away the fresque's answer;
    /// definitions are left out for phones (`with_definitions = false`): the projector shows the
    /// drawn definition, and a phone holding all of them could look the answer up.
    pub fn client_view(&self, lang: Lang, with_definitions: bool) -> Value {
        let cards: Map<String, Value> = self
            .cards
            .iter()
            .map(|c| {
                let v = json!({
                    "number": c.number,
                    "term": c.term.get(lang),
                    "definition": with_definitions.then(|| c.definition.get(lang)),
                    "explanation": c.explanation.get(lang),
                    "note": c.note.as_ref().map(|n| n.get(lang)),
                });
                (c.id.clone(), v)
            })
            .collect();
        let scenarios: Map<String, Value> = self
            .scenarios
            .iter()
            .map(|s| {
                let v = json!({
                    "title": s.title.get(lang),
                    "description": s.description.get(lang),
                    "first_pack": s.first_pack.get(lang),
                    "next_packs": s.next_packs.get(lang),
                });
                (s.id.clone(), v)
            })
            .collect();
        let variants: Map<String, Value> = self
            .pack_variants
            .iter()
            .map(|pv| {
                let names: Vec<&str> = pv.packs.iter().map(|p| p.name.get(lang)).collect();
                let v = json!({ "name": pv.name.get(lang), "packs": names });
                (pv.id.clone(), v)
            })
            .collect();
        json!({
            "id": self.id,
            "version": self.version,
            "lang": lang,
            "name": self.name.get(lang),
            "cards": cards,
            "scenarios": scenarios,
            "default_scenario": self.default_scenario,
            "pack_variants": variants,
            "default_pack_variant": self.default_pack_variant,
        })
    }

    /// Non-fatal content problems worth a warning at start-up: a definition that contains its own
    /// term (case-insensitive) gives the bingo answer away.
    pub fn lint(&self) -> Vec<Problem> {
        let mut found = Vec::new();
        for card in &self.cards {
            for lang in Lang::ALL {
                let term = card.term.get(lang).to_lowercase();
                if card.definition.get(lang).to_lowercase().contains(&term) {
                    found.push(Problem {
                        place: format!("card `{}`", card.id),
                        field: format!("definition.{lang}"),
                        message: format!("contains the term `{}`", card.term.get(lang)),
                    });
                }
            }
        }
        found
    }
}

/// 1-based line and column (in characters) of a byte offset, for syntax error messages.
fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let before = text.get(..offset).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, column)
}

fn validate(ck: &mut Checker, raw: RawFile, source: &str) -> Deck {
    // Deck metadata; a missing [deck] table shows up as its missing fields.
    let meta = raw.deck.unwrap_or_default();
    let id = ck.id("deck", meta.id);
    let version = ck.plain("deck", "version", meta.version);
    let name = ck.text("deck", "name", meta.name);
    let (default_scenario, default_packs) = (meta.default_scenario, meta.default_packs);
    let max_rank: u8 = match meta.max_rank {
        None => {
            ck.report("deck", "max_rank", "missing");
            1
        }
        Some(r) => match u8::try_from(r) {
            Ok(r) if (1..=BINGO_CARD_COUNT as u8).contains(&r) => r,
            _ => {
                ck.report(
                    "deck",
                    "max_rank",
                    format!("{r} is out of range (1 to {BINGO_CARD_COUNT})"),
                );
                1
            }
        },
    };

    // Cards.
    if raw.cards.len() != BINGO_CARD_COUNT {
        ck.report(
            "deck",
            "cards",
            format!(
                "the deck has {} card(s), but exactly {BINGO_CARD_COUNT} are required for the bingo (a 5×5 grid holding every term once)",
                raw.cards.len()
            ),
        );
    }
    let mut cards = Vec::with_capacity(raw.cards.len());
    let mut seen_ids: HashSet<String> = HashSet::new();
    let mut seen_numbers: HashMap<u8, String> = HashMap::new();
    for (i, rc) in raw.cards.into_iter().enumerate() {
        let place = card_place(i, rc.id.as_deref());
        let id = ck.id(&place, rc.id);
        if !id.is_empty() && !seen_ids.insert(id.clone()) {
            ck.report(&place, "id", format!("duplicate card id `{id}`"));
        }
        let number = match rc.number {
            None => {
                ck.report(&place, "number", "missing");
                0
            }
            Some(n) => match u8::try_from(n) {
                Ok(n) if (1..=BINGO_CARD_COUNT as u8).contains(&n) => {
                    if let Some(other) = seen_numbers.insert(n, id.clone()) {
                        ck.report(
                            &place,
                            "number",
                            format!("number {n} is already used by card `{other}`"),
                        );
                    }
                    n
                }
                _ => {
                    ck.report(
                        &place,
                        "number",
                        format!("{n} is out of range (1 to {BINGO_CARD_COUNT})"),
                    );
                    0
                }
            },
        };
        let in_range = |r: i64| u8::try_from(r).ok().filter(|r| (1..=max_rank).contains(r));
        let rank = match rc.rank {
            None => {
                ck.report(&place, "rank", "missing");
                0
            }
            Some(r) => in_range(r).unwrap_or_else(|| {
                ck.report(
                    &place,
                    "rank",
                    format!("{r} is out of range (1 to max_rank = {max_rank})"),
                );
                0
            }),
        };
        let mut alt_ranks = Vec::with_capacity(rc.alt_ranks.len());
        for r in rc.alt_ranks {
            match in_range(r) {
                None => ck.report(
                    &place,
                    "alt_ranks",
                    format!("{r} is out of range (1 to max_rank = {max_rank})"),
                ),
                Some(r) if r == rank => ck.report(
                    &place,
                    "alt_ranks",
                    format!("{r} is already the card's rank"),
                ),
                Some(r) if alt_ranks.contains(&r) => {
                    ck.report(&place, "alt_ranks", format!("{r} is listed twice"))
                }
                Some(r) => alt_ranks.push(r),
            }
        }
        let term = ck.text(&place, "term", rc.term);
        let definition = ck.text(&place, "definition", rc.definition);
        let explanation = ck.text(&place, "explanation", rc.explanation);
        let note = match rc.note {
            Some(n) => Some(ck.text(&place, "note", Some(n))),
            None if !alt_ranks.is_empty() => {
                ck.report(
                    &place,
                    "note",
                    "missing: a card with alt_ranks needs a debrief note explaining why",
                );
                None
            }
            None => None,
        };
        cards.push(Card {
            id,
            number,
            term,
            definition,
            explanation,
            rank,
            alt_ranks,
            note,
        });
    }

    // Scenarios.
    if raw.scenarios.is_empty() {
        ck.report(
            "deck",
            "scenarios",
            "at least one [[scenarios]] is required",
        );
    }
    let mut scenarios = Vec::with_capacity(raw.scenarios.len());
    let mut seen: HashSet<String> = HashSet::new();
    for (i, rs) in raw.scenarios.into_iter().enumerate() {
        let place = match rs.id.as_deref() {
            Some(id) if !id.is_empty() => format!("scenario `{id}`"),
            _ => format!("scenario #{} (no id)", i + 1),
        };
        let id = ck.id(&place, rs.id);
        if !id.is_empty() && !seen.insert(id.clone()) {
            ck.report(&place, "id", format!("duplicate scenario id `{id}`"));
        }
        scenarios.push(Scenario {
            title: ck.text(&place, "title", rs.title),
            description: ck.text(&place, "description", rs.description),
            first_pack: ck.text(&place, "first_pack", rs.first_pack),
            next_packs: ck.text(&place, "next_packs", rs.next_packs),
            id,
        });
    }
    let default_scenario = match default_scenario {
        Some(d) => {
            if !scenarios.iter().any(|s| s.id == d) {
                ck.report(
                    "deck",
                    "default_scenario",
                    format!("unknown scenario `{d}`"),
                );
            }
            d
        }
        None => scenarios.first().map(|s| s.id.clone()).unwrap_or_default(),
    };

    // Pack variants.
    if raw.pack_variants.is_empty() {
        ck.report(
            "deck",
            "pack_variants",
            "at least one [[pack_variants]] is required",
        );
    }
    let known: HashSet<&str> = cards.iter().map(|c| c.id.as_str()).collect();
    let mut variants = Vec::with_capacity(raw.pack_variants.len());
    let mut seen: HashSet<String> = HashSet::new();
    for (i, rv) in raw.pack_variants.into_iter().enumerate() {
        let place = match rv.id.as_deref() {
            Some(id) if !id.is_empty() => format!("pack variant `{id}`"),
            _ => format!("pack variant #{} (no id)", i + 1),
        };
        let id = ck.id(&place, rv.id);
        if !id.is_empty() && !seen.insert(id.clone()) {
            ck.report(&place, "id", format!("duplicate pack variant id `{id}`"));
        }
        let name = ck.text(&place, "name", rv.name);
        if rv.packs.is_empty() {
            ck.report(&place, "packs", "at least one pack is required");
        }
        // Card id -> number of the pack (1-based) that deals it.
        let mut dealt: HashMap<String, usize> = HashMap::new();
        let mut packs = Vec::with_capacity(rv.packs.len());
        for (p, rp) in rv.packs.into_iter().enumerate() {
            let field = format!("packs[{}]", p + 1);
            let name = ck.text(&place, &format!("{field}.name"), rp.name);
            if rp.cards.is_empty() {
                ck.report(&place, &format!("{field}.cards"), "empty pack");
            }
            for card in &rp.cards {
                if !known.contains(card.as_str()) {
                    ck.report(
                        &place,
                        &format!("{field}.cards"),
                        format!("unknown card id `{card}`"),
                    );
                } else if let Some(prev) = dealt.insert(card.clone(), p + 1) {
                    ck.report(
                        &place,
                        &format!("{field}.cards"),
                        format!("card `{card}` is already dealt in pack {prev}"),
                    );
                }
            }
            packs.push(Pack {
                name,
                cards: rp.cards,
            });
        }
        let missing: Vec<&str> = cards
            .iter()
            .map(|c| c.id.as_str())
            .filter(|c| !c.is_empty() && !dealt.contains_key(*c))
            .collect();
        if !missing.is_empty() {
            ck.report(
                &place,
                "packs",
                format!(
                    "every card must be dealt exactly once; not dealt: {}",
                    missing.join(", ")
                ),
            );
        }
        variants.push(PackVariant { id, name, packs });
    }
    let default_pack_variant = match default_packs {
        Some(d) => {
            if !variants.iter().any(|v| v.id == d) {
                ck.report(
                    "deck",
                    "default_packs",
                    format!("unknown pack variant `{d}`"),
                );
            }
            d
        }
        None => variants.first().map(|v| v.id.clone()).unwrap_or_default(),
    };

    Deck {
        id,
        version,
        name,
        max_rank,
        cards,
        scenarios,
        default_scenario,
        pack_variants: variants,
        default_pack_variant,
        source: source.to_owned(),
    }
}

/// Every deck available to sessions: the built-in one plus the `*.toml` files of the given directories.
#[derive(Debug, Clone)]
pub struct DeckLibrary {
    /// The default deck first, then the others by id.
    decks: Vec<Deck>,
}

impl DeckLibrary {
    /// Only the deck compiled into the binary, so the server works without any `cards/` directory.
    pub fn builtin() -> Result<DeckLibrary, DeckError> {
        Self::load(&[])
    }

    /// Loads the built-in deck, then every `*.toml` file (not recursive) of `extra_dirs`; directories
    /// that do not exist are skipped (the data directory's `decks/` is optional). A file whose deck id
    /// is the built-in one replaces it, so `cards/open-badges.toml` can be edited without rebuilding;
    /// two files with the same deck id are an error.
    pub fn load(extra_dirs: &[PathBuf]) -> Result<DeckLibrary, DeckError> {
        let builtin = Deck::from_toml(BUILTIN_SOURCE, BUILTIN_TEXT)?;
        let mut from_files: BTreeMap<String, Deck> = BTreeMap::new();
        for dir in extra_dirs {
            for path in toml_files(dir)? {
                let file = path.display().to_string();
                let text = std::fs::read_to_string(&path).map_err(|source| DeckError::Io {
                    file: file.clone(),
                    source,
                })?;
                let deck = Deck::from_toml(&file, &text)?;
                if let Some(first) = from_files.get(&deck.id) {
                    return Err(DeckError::DuplicateDeck {
                        id: deck.id,
                        first: first.source.clone(),
                        second: file,
                    });
                }
                from_files.insert(deck.id.clone(), deck);
            }
        }
        let default = from_files.remove(&builtin.id).unwrap_or(builtin);
        let mut decks = vec![default];
        decks.extend(from_files.into_values());
        Ok(DeckLibrary { decks })
    }

    pub fn get(&self, id: &str) -> Option<&Deck> {
        self.decks.iter().find(|d| d.id == id)
    }

    /// The default deck first, then the others by id.
    pub fn list(&self) -> Vec<&Deck> {
        self.decks.iter().collect()
    }

    pub fn default_deck(&self) -> &Deck {
        // Construction always puts the built-in id (or its replacement) first.
        &self.decks[0]
    }
}

fn toml_files(dir: &Path) -> Result<Vec<PathBuf>, DeckError> {
    let io = |source| DeckError::Io {
        file: dir.display().to_string(),
        source,
    };
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(io(e)),
    };
    let mut files = Vec::new();
    for entry in entries {
        let path = entry.map_err(io)?.path();
        if path.is_file() && path.extension().is_some_and(|e| e == "toml") {
            files.push(path);
        }
    }
    files.sort();
    Ok(files)
}

#[cfg(test)]
mod tests;
