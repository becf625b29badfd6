//! Accounts and secrets: argon2 password hashes, random tokens, and who may do what.

use argon2::Argon2;
use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rand::Rng;

use crate::store::{Role, SessionRow, User};

/// Shortest facilitator or organiser password accepted.
pub const PASSWORD_MIN_CHARS: usize = 10;
/// Longest password: argon2 handles any length, but a bound keeps hashing cost predictable.
pub const PASSWORD_MAX_CHARS: usize = 256;

#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    #[error("the password must have at least {PASSWORD_MIN_CHARS} characters")]
    PasswordTooShort,
    #[error("the password must have at most {PASSWORD_MAX_CHARS} characters")]
    PasswordTooLong,
    #[error("password hashing failed: {0}")]
    Hashing(String),
}

/// A fresh 256-bit secret, URL-safe: resume tokens, cookies, API tokens, links.
pub fn new_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

pub fn hash_password(password: &str) -> Result<String, AuthError> {
    let chars = password.chars().count();
    if chars < PASSWORD_MIN_CHARS {
        return Err(AuthError::PasswordTooShort);
    }
    if chars > PASSWORD_MAX_CHARS {
        return Err(AuthError::PasswordTooLong);
    }
    Argon2::default()
        .hash_password(password.as_bytes())
        .map(|hash| hash.to_string())
        .map_err(|e| AuthError::Hashing(e.to_string()))
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
        let hash = hash_password("correct horse battery").unwrap();
        assert!(hash.starts_with("$argon2"));
        assert!(verify_password("correct horse battery", &hash));
        assert!(!verify_password("correct horse batterY", &hash));
        assert!(!verify_password("x", "not a hash"));
        assert!(matches!(
            hash_password("short"),
            Err(AuthError::PasswordTooShort)
        ));
    }

    #[test]
    fn tokens_are_long_and_distinct() {
        let (a, b) = (new_token(), new_token());
        assert_ne!(a, b);
        assert_eq!(a.len(), 43);
    }
}
