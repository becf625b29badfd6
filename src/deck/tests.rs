use super::*;

const FILE: &str = "test.toml";

/// A small valid deck with generated texts; tests break it with targeted string replacements.
fn valid_deck(card_count: usize) -> String {
    let mut s = String::from(
        r#"[deck]
id = "test-deck"
version = "1"
max_rank = 12
name = { fr = "Essai", nl = "Test", en = "Test" }
"#,
    );
    for i in 1..=card_count {
        let rank = (i - 1) % 12 + 1;
        s.push_str(&format!(
            r#"
[[cards]]
id = "card-{i:02}"
number = {i}
rank = {rank}
term = {{ fr = "terme {i}", nl = "term {i}", en = "word {i}" }}
definition = {{ fr = "définition {i}", nl = "definitie {i}", en = "definition {i}" }}
explanation = {{ fr = "explication {i}", nl = "uitleg {i}", en = "explanation {i}" }}
"#
        ));
    }
    let ids = |r: std::ops::RangeInclusive<usize>| {
        r.filter(|i| *i <= card_count)
            .map(|i| format!("\"card-{i:02}\""))
            .collect::<Vec<_>>()
            .join(", ")
    };
    s.push_str(&format!(
        r#"
[[scenarios]]
id = "scenario-a"
title = {{ fr = "Titre", nl = "Titel", en = "Title" }}
description = {{ fr = "Desc", nl = "Beschr", en = "Desc" }}
first_pack = {{ fr = "Premier", nl = "Eerste", en = "First" }}
next_packs = {{ fr = "Suivants", nl = "Volgende", en = "Next" }}

[[pack_variants]]
id = "halves"
name = {{ fr = "Moitiés", nl = "Helften", en = "Halves" }}

[[pack_variants.packs]]
name = {{ fr = "Un", nl = "Een", en = "One" }}
cards = [{}]

[[pack_variants.packs]]
name = {{ fr = "Deux", nl = "Twee", en = "Two" }}
cards = [{}]
"#,
        ids(1..=12),
        ids(13..=25)
    ));
    s
}

/// Replaces exactly one occurrence, so a typo in a test cannot silently leave the deck valid.
fn edit(text: &str, from: &str, to: &str) -> String {
    assert_eq!(text.matches(from).count(), 1, "`{from}` must occur once");
    text.replacen(from, to, 1)
}

/// Loads a deck that must be invalid; returns the whole error message.
fn invalid(text: &str) -> String {
    match Deck::from_toml(FILE, text) {
        Ok(_) => panic!("deck unexpectedly valid"),
        Err(e) => {
            let msg = e.to_string();
            assert!(msg.starts_with(FILE), "message names the file: {msg}");
            msg
        }
    }
}

fn assert_has(msg: &str, parts: &[&str]) {
    for p in parts {
        assert!(msg.contains(p), "expected `{p}` in:\n{msg}");
    }
}

fn builtin() -> Deck {
    match Deck::from_toml(BUILTIN_SOURCE, BUILTIN_TEXT) {
        Ok(d) => d,
        Err(e) => panic!("built-in deck is invalid:\n{e}"),
    }
}

// ---- the built-in deck ----

#[test]
fn builtin_deck_loads() {
    let deck = builtin();
    assert_eq!(deck.id, DEFAULT_DECK_ID);
    assert_eq!(deck.cards.len(), BINGO_CARD_COUNT);
    assert_eq!(deck.max_rank, 12);
    let s = deck.default_scenario();
    assert_eq!(s.id, "innover-et-creer");
    assert_eq!(s.title.fr, "Innover et créer");
    assert_eq!(
        s.description.fr,
        "L'enseignant ou le formateur mobilise des techniques de créativité et d'agilité pour accompagner la transformation numérique des trajectoires professionnelles et des pratiques, et encourager l'innovation technopédagogique."
    );
    assert_eq!(deck.default_pack_variant().id, "three-packs");
}

#[test]
fn builtin_terms_follow_the_seed_bingo() {
    const SEED: [&str; 25] = [
        "Open Badge Passport",
        "Formulaire de demande",
        "Délivrance après examen",
        "Partage du badge",
        "Endossement du moule du badge",
        "Titre du badge",
        "Durée de validité",
        "Bénéficiaire",
        "Idée du badge",
        "Open Badge",
        "Endossement du bénéficiaire",
        "Délivrance avec code de demande",
        "Délivrance automatique",
        "Open Badge Factory",
        "Critères d'obtention",
        "Description du badge",
        "Reconnaissance",
        "Carte de la communauté",
        "Recommandation de l'émetteur",
        "Compétence",
        "Enrichissement",
        "Selfie Badge",
        "Image du badge",
        "Émetteur",
        "Moule du badge",
    ];
    let deck = builtin();
    for (i, term) in SEED.iter().enumerate() {
        let number = i as u8 + 1;
        let card = deck.cards.iter().find(|c| c.number == number);
        assert_eq!(
            card.map(|c| c.term.fr.as_str()),
            Some(*term),
            "seed number {number}"
        );
    }
}

#[test]
fn builtin_definitions_do_not_contain_their_term() {
    let deck = builtin();
    for card in &deck.cards {
        for lang in Lang::ALL {
            let term = card.term.get(lang).to_lowercase();
            let definition = card.definition.get(lang).to_lowercase();
            assert!(
                !definition.contains(&term),
                "card `{}`: definition.{lang} contains its term `{term}`",
                card.id
            );
        }
    }
    assert!(deck.lint().is_empty());
}

#[test]
fn builtin_texts_are_distinct() {
    // Two identical definitions or terms would make a bingo definition point to two cells.
    let deck = builtin();
    for lang in Lang::ALL {
        let terms: HashSet<&str> = deck.cards.iter().map(|c| c.term.get(lang)).collect();
        let defs: HashSet<&str> = deck.cards.iter().map(|c| c.definition.get(lang)).collect();
        assert_eq!(terms.len(), BINGO_CARD_COUNT, "terms in {lang}");
        assert_eq!(defs.len(), BINGO_CARD_COUNT, "definitions in {lang}");
    }
}

#[test]
fn builtin_reference_ranks_match_the_fresque_issue() {
    let deck = builtin();
    let expected: [(u8, &[&str]); 12] = [
        (1, &["competence", "recognition"]),
        (2, &["badge-idea"]),
        (3, &["issuer", "open-badge-factory"]),
        (4, &["badge-class"]),
        (
            5,
            &[
                "badge-title",
                "badge-description",
                "earning-criteria",
                "badge-image",
                "validity-period",
            ],
        ),
        (6, &["badge-class-endorsement", "issuer-recommendation"]),
        (7, &["application-form"]),
        (
            8,
            &[
                "issuing-after-review",
                "claim-code-issuing",
                "automatic-issuing",
            ],
        ),
        (9, &["earner", "open-badge"]),
        (10, &["open-badge-passport"]),
        (11, &["enrichment", "earner-endorsement", "badge-sharing"]),
        (12, &["community-map", "selfie-badge"]),
    ];
    for (rank, ids) in expected {
        let mut actual: Vec<&str> = deck
            .cards
            .iter()
            .filter(|c| c.rank == rank)
            .map(|c| c.id.as_str())
            .collect();
        let mut ids = ids.to_vec();
        actual.sort_unstable();
        ids.sort_unstable();
        assert_eq!(actual, ids, "rank {rank}");
    }
    // Deck 1.1.0 (issue 18, checked against Open Badge Factory's documentation): the
    // validity period is set when designing the badge (5) and may be changed when issuing
    // (8); the Open Badge exists once issued (9) but the standard is the starting point (1);
    // the issuer's endorsement concerns the issuer (3) and goes with the badge class
    // endorsement (6).
    let debatable: [(&str, &[u8]); 7] = [
        ("recognition", &[1, 12]),
        ("issuer", &[3, 5]),
        ("validity-period", &[5, 8]),
        ("selfie-badge", &[12, 4, 5, 6, 7, 8]),
        ("earner", &[9, 2]),
        ("open-badge", &[9, 1]),
        ("issuer-recommendation", &[6, 3]),
    ];
    let reference: HashMap<String, Vec<u8>> = deck.reference_ranks().into_iter().collect();
    for (id, ranks) in debatable {
        assert_eq!(reference.get(id).map(Vec::as_slice), Some(ranks), "{id}");
        assert!(
            deck.card(id).and_then(|c| c.note.as_ref()).is_some(),
            "{id} note"
        );
    }
    let with_alts = deck
        .cards
        .iter()
        .filter(|c| !c.alt_ranks.is_empty())
        .count();
    assert_eq!(with_alts, debatable.len());
    // Ordered for the debrief walk-through.
    let ranks: Vec<u8> = deck.reference_ranks().iter().map(|(_, r)| r[0]).collect();
    assert!(ranks.windows(2).all(|w| w[0] <= w[1]));
}

#[test]
fn builtin_pack_variants_cover_all_cards() {
    let deck = builtin();
    let mut all: Vec<String> = deck.cards.iter().map(|c| c.id.clone()).collect();
    all.sort();
    for variant in &deck.pack_variants {
        let packs = deck.packs(&variant.id).unwrap_or_default();
        let mut dealt: Vec<String> = packs.concat();
        dealt.sort();
        assert_eq!(dealt, all, "variant {}", variant.id);
    }
    // Each pack of the default variant deals a block of reference ranks: every card has an
    // accepted rank in it (the validity period, rank 5 or 8, is dealt with the issuing).
    let accepted = |id: &str| {
        deck.card(id)
            .map(|c| c.accepted_ranks())
            .unwrap_or_default()
    };
    let expected: [(usize, u8, u8); 3] = [(10, 1, 5), (9, 6, 9), (6, 10, 12)];
    let packs = deck.packs("three-packs").unwrap_or_default();
    assert_eq!(packs.len(), 3);
    for (pack, (len, lo, hi)) in packs.iter().zip(expected) {
        assert_eq!(pack.len(), len);
        assert!(
            pack.iter()
                .all(|id| accepted(id).iter().any(|r| (lo..=hi).contains(r))),
            "{pack:?}"
        );
    }
    let two = deck.packs("two-packs").unwrap_or_default();
    assert_eq!(two.iter().map(Vec::len).collect::<Vec<_>>(), vec![10, 15]);
    assert_eq!(two[0], packs[0]);
    assert_eq!(deck.packs("nope"), None);
}

#[test]
fn client_view_holds_one_language() {
    let deck = builtin();
    let view = deck.client_view(Lang::Nl, true);
    assert_eq!(view["lang"], "nl");
    assert!(view["cards"]["application-form"]["definition"].is_string());
    let phone = deck.client_view(Lang::Nl, false);
    assert!(
        phone["cards"]["application-form"]["definition"].is_null(),
        "phones never hold definitions"
    );
    assert_eq!(
        view["cards"]["application-form"]["term"],
        "Aanvraagformulier"
    );
    assert_eq!(
        view["scenarios"]["innover-et-creer"]["title"],
        "Innoveren en creëren"
    );
    assert_eq!(
        view["pack_variants"]["three-packs"]["packs"][0],
        "Ontwerpen"
    );
    assert!(view["cards"]["recognition"]["note"].is_string());
    assert!(view["cards"]["badge-title"]["note"].is_null());
    let text = view.to_string();
    assert!(!text.contains("Formulaire de demande"));
    assert!(!text.contains("Application form"));
    // No answers for the fresque.
    assert!(view["cards"]["badge-title"].get("rank").is_none());
}

// ---- Lang ----

#[test]
fn lang_parse() {
    assert_eq!(Lang::parse("nl-BE"), Some(Lang::Nl));
    assert_eq!(Lang::parse("fr_FR"), Some(Lang::Fr));
    assert_eq!(Lang::parse(" EN "), Some(Lang::En));
    assert_eq!(Lang::parse("de"), None);
    assert_eq!(Lang::parse(""), None);
    assert_eq!(Lang::En.to_string(), "en");
}

// ---- validation errors ----

#[test]
fn minimal_deck_is_valid() {
    let deck = Deck::from_toml(FILE, &valid_deck(25));
    assert!(deck.is_ok(), "{:?}", deck.err().map(|e| e.to_string()));
}

#[test]
fn syntax_error_has_location() {
    let text = edit(&valid_deck(25), "id = \"card-03\"", "id = \"card-03");
    let msg = invalid(&text);
    assert!(msg.starts_with("test.toml, line "), "{msg}");
    match Deck::from_toml(FILE, &text) {
        Err(DeckError::Syntax { line: Some(l), .. }) => assert!(l > 20),
        other => panic!("expected a syntax error, got {other:?}"),
    }
}

#[test]
fn misspelt_field_is_rejected_with_location() {
    let text = edit(
        &valid_deck(25),
        "definition = { fr = \"définition 4\"",
        "defintion = { fr = \"définition 4\"",
    );
    let msg = invalid(&text);
    assert_has(&msg, &["line", "defintion"]);
}

#[test]
fn missing_language() {
    let text = edit(&valid_deck(25), "nl = \"definitie 3\", ", "");
    let msg = invalid(&text);
    assert_has(
        &msg,
        &["card `card-03`", "definition.nl", "missing language `nl`"],
    );
}

#[test]
fn missing_text_field() {
    let text = edit(
        &valid_deck(25),
        "explanation = { fr = \"explication 7\", nl = \"uitleg 7\", en = \"explanation 7\" }\n",
        "",
    );
    let msg = invalid(&text);
    assert_has(&msg, &["card `card-07`", "field `explanation`", "missing"]);
}

#[test]
fn empty_string() {
    let text = edit(&valid_deck(25), "en = \"explanation 9\"", "en = \"  \"");
    let msg = invalid(&text);
    assert_has(&msg, &["card `card-09`", "explanation.en", "empty"]);
}

#[test]
fn duplicate_card_id() {
    let text = edit(&valid_deck(25), "id = \"card-11\"", "id = \"card-10\"");
    let msg = invalid(&text);
    assert_has(&msg, &["card `card-10`", "field `id`", "duplicate card id"]);
}

#[test]
fn invalid_card_id() {
    let text = edit(&valid_deck(25), "id = \"card-11\"", "id = \"Carte 11\"");
    let msg = invalid(&text);
    assert_has(&msg, &["card `Carte 11`", "field `id`", "not a valid id"]);
}

#[test]
fn deck_must_have_25_cards() {
    let msg = invalid(&valid_deck(24));
    assert_has(&msg, &["deck, field `cards`", "24", "exactly 25", "bingo"]);
}

#[test]
fn rank_out_of_range() {
    let text = edit(
        &valid_deck(25),
        "number = 5\nrank = 5",
        "number = 5\nrank = 13",
    );
    let msg = invalid(&text);
    assert_has(
        &msg,
        &["card `card-05`", "field `rank`", "13 is out of range"],
    );
    let text = edit(
        &valid_deck(25),
        "number = 6\nrank = 6",
        "number = 6\nrank = 6\nalt_ranks = [0]",
    );
    let msg = invalid(&text);
    assert_has(
        &msg,
        &["card `card-06`", "field `alt_ranks`", "0 is out of range"],
    );
}

#[test]
fn duplicate_seed_number() {
    let text = edit(&valid_deck(25), "number = 6\n", "number = 5\n");
    let msg = invalid(&text);
    assert_has(
        &msg,
        &[
            "card `card-06`",
            "field `number`",
            "already used by card `card-05`",
        ],
    );
}

#[test]
fn note_required_with_alt_ranks() {
    let base = valid_deck(25);
    let text = edit(
        &base,
        "number = 8\nrank = 8",
        "number = 8\nrank = 8\nalt_ranks = [2]",
    );
    let msg = invalid(&text);
    assert_has(&msg, &["card `card-08`", "field `note`", "alt_ranks"]);
    let fixed = edit(
        &text,
        "alt_ranks = [2]",
        "alt_ranks = [2]\nnote = { fr = \"n\", nl = \"n\", en = \"n\" }",
    );
    let deck = Deck::from_toml(FILE, &fixed).map_err(|e| e.to_string());
    assert_eq!(
        deck.map(|d| d
            .reference_ranks()
            .into_iter()
            .find(|(id, _)| id == "card-08")),
        Ok(Some(("card-08".to_owned(), vec![8, 2])))
    );
}

#[test]
fn pack_with_unknown_card() {
    let text = edit(&valid_deck(25), "\"card-13\",", "\"card-99\", \"card-13\",");
    let msg = invalid(&text);
    assert_has(
        &msg,
        &[
            "pack variant `halves`",
            "packs[2].cards",
            "unknown card id `card-99`",
        ],
    );
}

#[test]
fn pack_card_dealt_twice() {
    let text = edit(&valid_deck(25), "\"card-13\",", "\"card-01\", \"card-13\",");
    let msg = invalid(&text);
    assert_has(
        &msg,
        &[
            "pack variant `halves`",
            "packs[2].cards",
            "`card-01` is already dealt in pack 1",
        ],
    );
}

#[test]
fn pack_variant_must_cover_every_card() {
    let text = edit(&valid_deck(25), ", \"card-25\"]", "]");
    let msg = invalid(&text);
    assert_has(
        &msg,
        &[
            "pack variant `halves`",
            "field `packs`",
            "not dealt: card-25",
        ],
    );
}

#[test]
fn scenario_missing_language() {
    let text = edit(
        &valid_deck(25),
        "next_packs = { fr = \"Suivants\", nl = \"Volgende\", ",
        "next_packs = { fr = \"Suivants\", ",
    );
    let msg = invalid(&text);
    assert_has(
        &msg,
        &["scenario `scenario-a`", "next_packs.nl", "missing language"],
    );
}

#[test]
fn unknown_defaults() {
    let text = edit(
        &valid_deck(25),
        "max_rank = 12\n",
        "max_rank = 12\ndefault_scenario = \"other\"\ndefault_packs = \"thirds\"\n",
    );
    let msg = invalid(&text);
    assert_has(
        &msg,
        &[
            "field `default_scenario`: unknown scenario `other`",
            "field `default_packs`: unknown pack variant `thirds`",
        ],
    );
}

#[test]
fn all_problems_are_reported_at_once() {
    let text = edit(&valid_deck(25), "nl = \"definitie 3\", ", "");
    let text = edit(&text, "en = \"explanation 9\"", "en = \"\"");
    match Deck::from_toml(FILE, &text) {
        Err(DeckError::Invalid { file, problems }) => {
            assert_eq!(file, FILE);
            assert_eq!(problems.len(), 2, "{problems:?}");
        }
        other => panic!("expected Invalid, got {other:?}"),
    }
}

// ---- library ----

/// A fresh directory under the system temp dir, removed on drop (no extra dependency).
struct TempDir(PathBuf);

impl TempDir {
    fn new(name: &str) -> TempDir {
        let dir = std::env::temp_dir().join(format!("deck-test-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("create temp dir");
        TempDir(dir)
    }

    fn write(&self, file: &str, text: &str) {
        std::fs::write(self.0.join(file), text).expect("write temp file");
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

#[test]
fn library_builtin_only() {
    let lib = DeckLibrary::builtin().map_err(|e| e.to_string());
    let lib = lib.as_ref().expect("built-in library");
    assert_eq!(lib.default_deck().id, DEFAULT_DECK_ID);
    assert_eq!(lib.list().len(), 1);
    assert!(lib.get(DEFAULT_DECK_ID).is_some());
    assert!(lib.get("missing").is_none());
}

#[test]
fn library_loads_extra_dirs() {
    let dir = TempDir::new("extra");
    dir.write("test.toml", &valid_deck(25));
    dir.write("notes.txt", "not a deck");
    let missing = dir.0.join("does-not-exist");
    let lib = DeckLibrary::load(&[dir.0.clone(), missing]).map_err(|e| e.to_string());
    let lib = lib.as_ref().expect("library");
    let ids: Vec<&str> = lib.list().iter().map(|d| d.id.as_str()).collect();
    assert_eq!(ids, vec![DEFAULT_DECK_ID, "test-deck"]);
    assert!(
        lib.get("test-deck")
            .is_some_and(|d| d.source.ends_with("test.toml"))
    );
}

#[test]
fn library_file_replaces_builtin_deck() {
    let dir = TempDir::new("override");
    let text = BUILTIN_TEXT.replace("version = \"1.1.0\"", "version = \"9.9.9\"");
    dir.write("open-badges.toml", &text);
    let lib = DeckLibrary::load(std::slice::from_ref(&dir.0)).map_err(|e| e.to_string());
    let lib = lib.as_ref().expect("library");
    assert_eq!(lib.list().len(), 1);
    assert_eq!(lib.default_deck().version, "9.9.9");
}

#[test]
fn library_rejects_duplicate_deck_ids() {
    let a = TempDir::new("dup-a");
    let b = TempDir::new("dup-b");
    a.write("one.toml", &valid_deck(25));
    b.write("two.toml", &valid_deck(25));
    match DeckLibrary::load(&[a.0.clone(), b.0.clone()]) {
        Err(e @ DeckError::DuplicateDeck { .. }) => {
            assert_has(&e.to_string(), &["test-deck", "one.toml", "two.toml"]);
        }
        other => panic!("expected DuplicateDeck, got {other:?}"),
    }
}

#[test]
fn library_reports_invalid_file_by_path() {
    let dir = TempDir::new("bad");
    dir.write("broken.toml", &valid_deck(3));
    match DeckLibrary::load(std::slice::from_ref(&dir.0)) {
        Err(e) => assert_has(&e.to_string(), &["broken.toml", "exactly 25"]),
        Ok(_) => panic!("invalid deck accepted"),
    }
}
