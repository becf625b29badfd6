//! Join codes and participant display names: the rules people meet first.

use rand::RngExt;

/// Letters and digits that cannot be mistaken for one another when read off a projector
/// or typed on a phone: no 0/O, 1/I/L, 5/S, 2/Z, 8/B.
pub const JOIN_CODE_ALPHABET: &[u8] = b"ACDEFGHJKMNPQRTUVWXY34679";
/// Six characters from 25 symbols: ~244 million codes, so guessing is hopeless under the rate limit.
pub const JOIN_CODE_LEN: usize = 6;
/// Longest display name, in characters: fits a bingo winner banner on a projector.
pub const NAME_MAX_CHARS: usize = 40;

/// A fresh random join code.
pub fn new_join_code() -> String {
    let mut rng = rand::rng();
    (0..JOIN_CODE_LEN)
        .map(|_| JOIN_CODE_ALPHABET[rng.random_range(0..JOIN_CODE_ALPHABET.len())] as char)
        .collect()
}

/// Normalises what a person typed as a join code: case, spaces and dashes are forgiven,
/// look-alike characters are mapped to the ones the alphabet uses. `None` if it cannot be a code.
pub fn normalise_join_code(input: &str) -> Option<String> {
    let mut out = String::with_capacity(JOIN_CODE_LEN);
    for c in input.chars() {
        if c.is_whitespace() || c == '-' {
            continue;
        }
        let c = c.to_ascii_uppercase();
        if !c.is_ascii() || !JOIN_CODE_ALPHABET.contains(&(c as u8)) {
            return None;
        }
        out.push(c);
        if out.len() > JOIN_CODE_LEN {
            return None;
        }
    }
    (out.len() == JOIN_CODE_LEN).then_some(out)
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NameError {
    #[error("the name is empty")]
    Empty,
    #[error("the name is longer than {NAME_MAX_CHARS} characters")]
    TooLong,
    /// A word mixes letters of scripts that are not written together (a Cyrillic `а` in a
    /// Latin name): a look-alike of another name, refused since names go into signed badges.
    #[error("a word of the name mixes letters of different alphabets")]
    MixedScripts,
}

/// Cleans a display name, which may end up in a signed badge: invisible format characters
/// (bidi overrides and isolates, zero-width spaces and joiners, soft hyphens: Unicode's
/// general category Cf) and control characters dropped, NFC-normalised (one `é`, whichever
/// way it was typed), inner whitespace collapsed, trimmed; 1 to [`NAME_MAX_CHARS`]
/// characters; no word mixing scripts (UTS #39's single-script test, per word, so that a
/// name may have a Latin and a Greek word but not a Latin word with a Cyrillic letter).
pub fn clean_name(raw: &str) -> Result<String, NameError> {
    use unicode_normalization::UnicodeNormalization;
    use unicode_properties::{GeneralCategory, UnicodeGeneralCategory};
    use unicode_security::MixedScript;
    let visible: String = raw
        .chars()
        .filter(|c| c.general_category() != GeneralCategory::Format)
        .nfc()
        .collect();
    let words: Vec<&str> = visible
        .split(|c: char| c.is_whitespace() || c.is_control())
        .filter(|part| !part.is_empty())
        .collect();
    let cleaned = words.join(" ");
    let len = cleaned.chars().count();
    if len == 0 {
        Err(NameError::Empty)
    } else if len > NAME_MAX_CHARS {
        Err(NameError::TooLong)
    } else if words.iter().any(|word| !word.is_single_script()) {
        Err(NameError::MixedScripts)
    } else {
        Ok(cleaned)
    }
}

/// Makes `name` unique among `taken` (case-insensitively) by appending " 2", " 3", ...,
/// shortening the name if the suffix would push it over the limit.
pub fn unique_name<'a>(name: &str, taken: impl Iterator<Item = &'a str> + Clone) -> String {
    unique_name_by(name, |candidate| {
        taken
            .clone()
            .any(|t| t.to_lowercase() == candidate.to_lowercase())
    })
}

/// [`unique_name`] with the clash test given: `clash(candidate)` tells whether a name equal to
/// `candidate` up to case is taken (the session keeps a set of lowercased names for this).
pub fn unique_name_by(name: &str, clash: impl Fn(&str) -> bool) -> String {
    if !clash(name) {
        return name.to_string();
    }
    (2u32..)
        .map(|n| {
            let suffix = format!(" {n}");
            let keep = NAME_MAX_CHARS.saturating_sub(suffix.chars().count());
            let base: String = name.chars().take(keep).collect();
            format!("{}{suffix}", base.trim_end())
        })
        .find(|candidate| !clash(candidate))
        .unwrap_or_else(|| name.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_use_only_the_unambiguous_alphabet() {
        for _ in 0..200 {
            let code = new_join_code();
            assert_eq!(code.len(), JOIN_CODE_LEN);
            assert!(
                code.bytes().all(|b| JOIN_CODE_ALPHABET.contains(&b)),
                "{code}"
            );
            assert_eq!(normalise_join_code(&code).as_deref(), Some(code.as_str()));
        }
    }

    #[test]
    fn typed_codes_are_forgiven_case_spaces_and_dashes() {
        assert_eq!(normalise_join_code(" acd-efg ").as_deref(), Some("ACDEFG"));
        assert_eq!(normalise_join_code("ACDEF"), None);
        assert_eq!(normalise_join_code("ACDEFGH"), None);
        assert_eq!(
            normalise_join_code("ACDEF1"),
            None,
            "1 is not in the alphabet"
        );
        assert_eq!(normalise_join_code("ACDÉFG"), None);
    }

    #[test]
    fn names_are_trimmed_and_bounded() {
        assert_eq!(clean_name("  Ada \n Lovelace\t").unwrap(), "Ada Lovelace");
        assert_eq!(clean_name(" \u{7}  "), Err(NameError::Empty));
        assert_eq!(clean_name(&"é".repeat(40)).unwrap().chars().count(), 40);
        assert_eq!(clean_name(&"é".repeat(41)), Err(NameError::TooLong));
    }

    #[test]
    fn names_lose_invisible_characters_and_look_alikes_are_refused() {
        // Typed decomposed (e + combining acute), stored composed.
        assert_eq!(clean_name("Ame\u{301}lie").unwrap(), "Amélie");
        assert_eq!(
            clean_name("Ame\u{301}lie").unwrap(),
            clean_name("Amélie").unwrap()
        );
        // A right-to-left override would show "Ada Lovelace" reversed in a badge; zero-width
        // characters make two equal-looking names different.
        assert_eq!(
            clean_name("Ada \u{202E}ecalevoL\u{202C}").unwrap(),
            "Ada ecalevoL"
        );
        assert_eq!(clean_name("A\u{200B}da\u{FEFF}").unwrap(), "Ada");
        assert_eq!(clean_name("\u{2066}\u{200D}"), Err(NameError::Empty));
        // A Cyrillic "а" in a Latin word.
        assert_eq!(
            clean_name("\u{430}da Lovelace"),
            Err(NameError::MixedScripts)
        );
        assert_eq!(clean_name("Ad\u{3b1}"), Err(NameError::MixedScripts));
        // Real names in one script per word, with their punctuation, are kept.
        for name in [
            "Ada Lovelace",
            "Zoë O'Brien-Dupont",
            "Ελένη Παπαδοπούλου",
            "Лев Толстой",
            "Ada Λ",
            "山田 太郎",
            "やまだ たろう",
            "Jean-Marie 2",
        ] {
            assert_eq!(clean_name(name).unwrap(), name);
        }
    }

    #[test]
    fn names_are_made_unique_within_a_session() {
        let taken = ["Ada", "ada 2", "Bob"];
        assert_eq!(unique_name("Ada", taken.iter().copied()), "Ada 3");
        assert_eq!(unique_name("Eve", taken.iter().copied()), "Eve");
        let long = "x".repeat(40);
        let taken = [long.as_str()];
        let made = unique_name(&long, taken.iter().copied());
        assert_eq!(made.chars().count(), 40);
        assert!(made.ends_with(" 2"));
    }
}
