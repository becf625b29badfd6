//! Accounts and secrets: argon2 password hashes, random tokens, and who may do what.

use std::sync::LazyLock;

use argon2::Argon2;
use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rand::Rng;

use crate::store::{Role, SessionRow, User};

/// argon2 checks run at once, whoever asks: each takes ~19 MiB and a core for ~75 ms, so 200
/// sign-ins at once took 1.5 GB before. More would only queue in the blocking pool.
pub const PARALLEL_PASSWORD_CHECKS: usize = 2;

/// Shortest facilitator or organiser password accepted.
pub const PASSWORD_MIN_CHARS: usize = 12;
/// Strength a password must reach in zxcvbn's estimate: 3 is "more than 10^8 guesses"
/// (`aaaaaaaaaaaa`, `password1234`, the username twice are far below).
const PASSWORD_MIN_SCORE: zxcvbn::Score = zxcvbn::Score::Three;
/// Longest password: argon2 handles any length, but a bound keeps hashing cost predictable.
pub const PASSWORD_MAX_CHARS: usize = 256;

#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    #[error("the password must have at least {PASSWORD_MIN_CHARS} characters")]
    PasswordTooShort,
    #[error("the password must have at most {PASSWORD_MAX_CHARS} characters")]
    PasswordTooLong,
    #[error(
        "this password is too easy to guess: use several unrelated words, or a password manager"
    )]
    PasswordTooWeak,
    #[error("password hashing failed: {0}")]
    Hashing(String),
}

/// A fresh 256-bit secret, URL-safe: resume tokens, cookies, API tokens, links.
pub fn new_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

impl AuthError {
    /// The stable code the API answers with.
    pub fn code(&self) -> &'static str {
        match self {
            AuthError::PasswordTooShort => "password_too_short",
            AuthError::PasswordTooLong => "password_too_long",
            AuthError::PasswordTooWeak => "password_too_weak",
            AuthError::Hashing(_) => "internal",
        }
    }

    /// The message a page shows, in the reader's language.
    pub fn message_id(&self) -> &'static str {
        match self {
            AuthError::PasswordTooShort => "password-too-short",
            AuthError::PasswordTooLong => "password-too-long",
            AuthError::PasswordTooWeak => "password-too-weak",
            AuthError::Hashing(_) => "error-server",
        }
    }
}

/// Refuses a password that is too short, too long, or easy to guess (zxcvbn's estimate, which
/// knows common passwords, words, keyboard walks, repeats, dates, and the account's own name).
pub fn check_password(username: &str, password: &str) -> Result<(), AuthError> {
    let chars = password.chars().count();
    if chars < PASSWORD_MIN_CHARS {
        return Err(AuthError::PasswordTooShort);
    }
    if chars > PASSWORD_MAX_CHARS {
        return Err(AuthError::PasswordTooLong);
    }
    let context = [username, "atelier", "open badges", "openbadges", "badge"];
    if zxcvbn::zxcvbn(password, &context).score() < PASSWORD_MIN_SCORE {
        return Err(AuthError::PasswordTooWeak);
    }
    Ok(())
}

/// The argon2 hash of a new password for `username`, once [`check_password`] accepts it.
pub fn hash_password(username: &str, password: &str) -> Result<String, AuthError> {
    check_password(username, password)?;
    Argon2::default()
        .hash_password(password.as_bytes())
        .map(|hash| hash.to_string())
        .map_err(|e| AuthError::Hashing(e.to_string()))
}

/// A hash of a random password nobody knows, made with the same parameters as real ones (computed
/// once, at first use; `server::start` asks for it early). A sign-in that names no account is
/// checked against it, so that it costs the same argon2 verification as one that does.
pub fn dummy_hash() -> &'static str {
    static DUMMY: LazyLock<String> = LazyLock::new(|| {
        Argon2::default()
            .hash_password(new_token().as_bytes())
            .map(|hash| hash.to_string())
            .expect("argon2 hashes a random password with its default parameters")
    });
    &DUMMY
}

/// The account a sign-in opens, if the password is right: `found` is the account with that
/// username and its stored hash, if there is one. Exactly one argon2 verification runs either
/// way (against [`dummy_hash`] when there is no account), so the answer's timing does not tell
/// whether a username exists.
pub fn check_sign_in<U>(found: Option<(U, String)>, password: &str) -> Option<U> {
    check_sign_in_with(found, password, verify_password)
}

fn check_sign_in_with<U>(
    found: Option<(U, String)>,
    password: &str,
    verify: impl FnOnce(&str, &str) -> bool,
) -> Option<U> {
    match found {
        Some((user, hash)) => verify(password, &hash).then_some(user),
        None => {
            // `black_box`: the result is unused, and the work must not be optimised away.
            std::hint::black_box(verify(password, dummy_hash()));
            None
        }
    }
}

/// Checks a password against a stored hash; a malformed stored hash never matches.
pub fn verify_password(password: &str, stored: &str) -> bool {
    if password.chars().count() > PASSWORD_MAX_CHARS {
        return false;
    }
    PasswordHash::new(stored)
        .map(|hash| {
            Argon2::default()
                .verify_password(password.as_bytes(), &hash)
                .is_ok()
        })
        .unwrap_or(false)
}

/// An authenticated organiser or facilitator.
#[derive(Debug, Clone)]
pub enum Principal {
    User(User),
    /// The `--admin-token` bearer: an organiser without an account, for automation.
    AdminToken,
}

impl Principal {
    pub fn is_organiser(&self) -> bool {
        match self {
            Principal::AdminToken => true,
            Principal::User(u) => u.role == Role::Organiser,
        }
    }

    pub fn user_id(&self) -> Option<i64> {
        match self {
            Principal::User(u) => Some(u.id),
            Principal::AdminToken => None,
        }
    }

    pub fn display_name(&self) -> &str {
        match self {
            Principal::User(u) => &u.username,
            Principal::AdminToken => "admin token",
        }
    }

    /// Facilitators drive their own sessions; organisers may drive any.
    pub fn may_run(&self, session: &SessionRow) -> bool {
        self.is_organiser() || (self.user_id().is_some() && self.user_id() == session.owner_id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_hash_and_verify() {
        let hash = hash_password("ada", "correct horse battery").unwrap();
        assert!(hash.starts_with("$argon2"));
        assert!(verify_password("correct horse battery", &hash));
        assert!(!verify_password("correct horse batterY", &hash));
        assert!(!verify_password("x", "not a hash"));
        assert!(matches!(
            hash_password("ada", "short"),
            Err(AuthError::PasswordTooShort)
        ));
    }

    #[test]
    fn common_and_trivial_passwords_are_refused() {
        for weak in [
            "aaaaaaaaaaaa",
            "password1234",
            "123456789012",
            "azertyuiop12",
            "qwertyuiop[]",
            "adalovelace1",
            "atelier2026!",
            "Password1234",
        ] {
            assert!(
                matches!(
                    check_password("adalovelace", weak),
                    Err(AuthError::PasswordTooWeak)
                ),
                "{weak} is accepted"
            );
        }
        for strong in [
            "correct horse battery",
            "Tulipe-Moulin-Escalier-42",
            "mot de passe solide",
            "a long enough password",
        ] {
            assert!(check_password("ada", strong).is_ok(), "{strong} is refused");
        }
    }

    #[test]
    fn unknown_usernames_cost_one_verification_like_known_ones() {
        // Which hashes the sign-in check verifies against, for a known and an unknown username.
        let mut seen = Vec::new();
        let known = check_sign_in_with(
            Some(("ada", "$argon2id$stored".to_string())),
            "a password",
            |password, hash| {
                seen.push((password.to_string(), hash.to_string()));
                true
            },
        );
        assert_eq!(known, Some("ada"));
        assert_eq!(seen, [("a password".into(), "$argon2id$stored".into())]);
        let mut seen = Vec::new();
        let unknown = check_sign_in_with(None::<(&str, String)>, "a password", |password, hash| {
            seen.push((password.to_string(), hash.to_string()));
            true // even a "match" opens nothing
        });
        assert_eq!(unknown, None);
        assert_eq!(seen, [("a password".into(), dummy_hash().to_string())]);
        // And for real (argon2 is slow in debug builds: one call).
        assert_eq!(check_sign_in(None::<(i32, String)>, "a password"), None);
    }

    #[test]
    fn the_dummy_hash_costs_what_a_real_one_costs() {
        // A hash `verify_password` could not parse would be refused at once, without argon2.
        let dummy = PasswordHash::new(dummy_hash()).expect("the dummy hash is a valid PHC string");
        let real_text = hash_password("ada", "correct horse battery").unwrap();
        let real = PasswordHash::new(&real_text).unwrap();
        assert_eq!(dummy.algorithm, real.algorithm);
        assert_eq!(dummy.version, real.version);
        assert_eq!(dummy.params.to_string(), real.params.to_string());
        assert_eq!(
            dummy.salt.map(|s| s.as_ref().len()),
            real.salt.map(|s| s.as_ref().len())
        );
        assert_eq!(
            dummy.hash.map(|h| h.as_ref().len()),
            real.hash.map(|h| h.as_ref().len())
        );
        assert!(!verify_password("correct horse battery", dummy_hash()));
        assert_eq!(dummy_hash(), dummy_hash(), "computed once");
    }

    #[test]
    fn tokens_are_long_and_distinct() {
        let (a, b) = (new_token(), new_token());
        assert_ne!(a, b);
        assert_eq!(a.len(), 43);
    }
}
