//! The technical account of a check, in two forms: English for machines and the command line
//! (`Check::detail`, the API's `detail`), and a Fluent message with its arguments for pages,
//! which write it in the reader's language.

use time::OffsetDateTime;

/// Every technical account a check may give: `KEY` of the message `verify-detail-KEY`, which
/// each language's `verify.ftl` writes.
pub const KEYS: &[&str] = &[
    "extract-too-large",
    "extract-unknown",
    "extract-png",
    "extract-svg",
    "extract-none",
    "extract-duplicate",
    "extract-error",
    "json-invalid",
    "internal",
    "structure-ok",
    "structure-too-large",
    "structure-not-object",
    "structure-context-array",
    "structure-context-first",
    "structure-context-unknown",
    "structure-context-inline",
    "structure-type",
    "structure-no-issuer",
    "structure-no-achievement",
    "structure-unsigned",
    "structure-schema",
    "structure-schema-plain",
    "proof-ok",
    "proof-none",
    "proof-purpose",
    "proof-no-method",
    "proof-wrong-issuer",
    "proof-mismatch",
    "proof-error",
    "key-no-fragment",
    "key-malformed-did-key",
    "key-undecodable",
    "key-no-document",
    "key-document-id",
    "key-not-assertion",
    "key-no-controller",
    "key-other-controller",
    "key-no-multibase",
    "keys-not-here",
    "keys-unreachable",
    "signed-none",
    "signed-several",
    "signed-values",
    "signed-id",
    "signed-issuer",
    "date-invalid",
    "date-not-string",
    "badge-no-from",
    "badge-not-yet",
    "badge-expired",
    "dates-between",
    "dates-since",
    "status-type",
    "status-no-purpose",
    "status-no-index",
    "status-no-list",
    "status-ok",
    "status-revoked",
    "status-suspended",
    "status-set",
    "list-not-here",
    "list-unreachable",
    "list-type",
    "list-issuer",
    "list-proof",
    "list-no-from",
    "list-not-yet",
    "list-expired",
    "list-purpose",
    "list-no-encoded",
    "list-unreadable",
    "register-revoked",
];

/// An argument of an [`Account`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AccountArg {
    /// A value as the badge, its documents or a library gave it (an id, a URL, a property, an
    /// error message): the same in every language, shown as code.
    Code(String),
    /// An instant, for pages to write as people read dates, in their language.
    Date(OffsetDateTime),
    /// The account of a check made inside this one (the signature of a status list).
    Account(Box<Account>),
}

/// The technical account of a check, for a page: the message `verify-detail-KEY` of the
/// Fluent files (`locales/*/verify.ftl`) and its arguments.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Account {
    pub key: &'static str,
    pub args: Vec<(&'static str, AccountArg)>,
}

/// A technical account, built once in both forms.
#[derive(Clone, Debug)]
pub(super) struct Detail {
    pub(super) english: String,
    pub(super) account: Account,
}

impl Detail {
    /// The message `verify-detail-KEY`, whose English form is `english`.
    pub(super) fn new(key: &'static str, english: impl Into<String>) -> Self {
        debug_assert!(KEYS.contains(&key), "no message verify-detail-{key}");
        Self {
            english: english.into(),
            account: Account {
                key,
                args: Vec::new(),
            },
        }
    }

    /// A technical value, shown as it is.
    pub(super) fn code(mut self, name: &'static str, value: impl Into<String>) -> Self {
        self.account
            .args
            .push((name, AccountArg::Code(value.into())));
        self
    }

    /// An instant.
    pub(super) fn date(mut self, name: &'static str, value: OffsetDateTime) -> Self {
        self.account.args.push((name, AccountArg::Date(value)));
        self
    }

    /// The account of a check made inside this one.
    pub(super) fn within(mut self, name: &'static str, inner: Account) -> Self {
        self.account
            .args
            .push((name, AccountArg::Account(Box::new(inner))));
        self
    }

    /// What went wrong inside a library or a lower layer, as it said it (English, technical):
    /// `verify-detail-KEY` frames it, in the reader's language.
    pub(super) fn raw(key: &'static str, english: impl Into<String>, error: impl ToString) -> Self {
        Self::new(key, english).code("error", error.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::KEYS;
    use crate::deck::Lang;
    use crate::i18n::I18n;

    #[test]
    fn every_verify_detail_has_its_message_and_every_message_its_detail() {
        let i18n = I18n::load().unwrap();
        for lang in Lang::ALL {
            for key in KEYS {
                let id = format!("verify-detail-{key}");
                assert_ne!(i18n.tr(lang, &id), id, "{id} missing in {}", lang.code());
            }
            let messages = i18n
                .source(lang)
                .lines()
                .filter_map(|line| line.strip_prefix("verify-detail-"))
                .filter_map(|line| line.split_once(" ="))
                .map(|(key, _)| key);
            for key in messages {
                assert!(KEYS.contains(&key), "verify-detail-{key} is never given");
            }
        }
    }
}
