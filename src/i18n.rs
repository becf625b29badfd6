//! Languages: French first, Dutch (Flemish) and English. Every string a person reads comes
//! from Project Fluent files in `locales/{fr,nl,en}/*.ftl`, compiled into the binary; the
//! server formats them for pages, and serves them to the browser for the scripts.

use std::collections::BTreeSet;

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};
use rust_embed::RustEmbed;

use crate::deck::Lang;

#[derive(RustEmbed)]
#[folder = "locales/"]
struct Locales;

#[derive(Debug, thiserror::Error)]
pub enum I18nError {
    #[error("{file}: Fluent syntax errors: {errors}")]
    Syntax { file: String, errors: String },
    #[error("{file}: message {id} is defined twice")]
    Duplicate { file: String, id: String },
}

struct LangBundle {
    lang: Lang,
    bundle: FluentBundle<FluentResource>,
    /// All `.ftl` text of the language, for the browser.
    source: String,
    ids: BTreeSet<String>,
}

pub struct I18n {
    bundles: Vec<LangBundle>,
}

impl I18n {
    /// Loads and checks every language's messages.
    pub fn load() -> Result<Self, I18nError> {
        let mut bundles = Vec::new();
        for lang in Lang::ALL {
            let mut bundle =
                FluentBundle::new_concurrent(vec![lang.code().parse().unwrap_or_default()]);
            // No Unicode isolation marks around arguments: they show as boxes on some phones.
            bundle.set_use_isolating(false);
            let mut source = String::new();
            let mut ids = BTreeSet::new();
            let mut files: Vec<_> = Locales::iter()
                .filter(|f| f.starts_with(&format!("{}/", lang.code())))
                .collect();
            files.sort();
            for file in files {
                let Some(content) = Locales::get(&file) else {
                    continue;
                };
                let text = String::from_utf8_lossy(&content.data).into_owned();
                let resource = FluentResource::try_new(text.clone()).map_err(|(_, errors)| {
                    I18nError::Syntax {
                        file: file.to_string(),
                        errors: errors
                            .iter()
                            .map(|e| e.to_string())
                            .collect::<Vec<_>>()
                            .join("; "),
                    }
                })?;
                for entry in resource.entries() {
                    if let fluent_syntax::ast::Entry::Message(m) = entry {
                        ids.insert(m.id.name.to_string());
                    }
                }
                bundle
                    .add_resource(resource)
                    .map_err(|errors| I18nError::Duplicate {
                        file: file.to_string(),
                        id: errors.first().map(|e| format!("{e:?}")).unwrap_or_default(),
                    })?;
                source.push_str(&text);
                source.push('\n');
            }
            bundles.push(LangBundle {
                lang,
                bundle,
                source,
                ids,
            });
        }
        Ok(Self { bundles })
    }

    fn bundle(&self, lang: Lang) -> &LangBundle {
        self.bundles
            .iter()
            .find(|b| b.lang == lang)
            .unwrap_or(&self.bundles[0])
    }

    /// The message `id` in `lang`; the id itself if missing (a test makes sure none is).
    pub fn tr(&self, lang: Lang, id: &str) -> String {
        self.format(lang, id, None)
    }

    /// The message `id` with arguments, e.g. `&[("name", "Ada")]`.
    pub fn tr_args(&self, lang: Lang, id: &str, args: &[(&str, &str)]) -> String {
        let mut fluent_args = FluentArgs::new();
        for (key, value) in args {
            fluent_args.set(*key, FluentValue::from(*value));
        }
        self.format(lang, id, Some(&fluent_args))
    }

    fn format(&self, lang: Lang, id: &str, args: Option<&FluentArgs>) -> String {
        let bundle = &self.bundle(lang).bundle;
        let Some(pattern) = bundle.get_message(id).and_then(|m| m.value()) else {
            tracing::warn!(id, lang = lang.code(), "missing message");
            return id.to_string();
        };
        let mut errors = Vec::new();
        bundle
            .format_pattern(pattern, args, &mut errors)
            .into_owned()
    }

    /// Every message of `lang` as Fluent source, for the browser's formatter.
    pub fn source(&self, lang: Lang) -> &str {
        &self.bundle(lang).source
    }

    /// Message ids some language has and another lacks: `(lang missing it, id)`.
    pub fn missing(&self) -> Vec<(Lang, String)> {
        let all: BTreeSet<&String> = self.bundles.iter().flat_map(|b| b.ids.iter()).collect();
        let mut missing = Vec::new();
        for b in &self.bundles {
            for id in &all {
                if !b.ids.contains(*id) {
                    missing.push((b.lang, id.to_string()));
                }
            }
        }
        missing
    }
}

/// Chooses a page's language: a person's explicit choice (`?lang=`, remembered in the
/// `atelier_lang` cookie), else the first of our languages their browser asks for
/// (Accept-Language), else the session's language, else French.
pub fn negotiate(
    explicit: Option<&str>,
    session: Option<&str>,
    accept_language: Option<&str>,
) -> Lang {
    if let Some(lang) = explicit.and_then(Lang::parse) {
        return lang;
    }
    if let Some(lang) = accept_language.and_then(browser_choice) {
        return lang;
    }
    session.and_then(Lang::parse).unwrap_or(Lang::Fr)
}

fn browser_choice(header: &str) -> Option<Lang> {
    {
        let mut choices: Vec<(f32, Lang)> = header
            .split(',')
            .enumerate()
            .filter_map(|(i, part)| {
                let mut pieces = part.trim().split(';');
                let lang = Lang::parse(pieces.next()?.trim())?;
                let q = pieces
                    .find_map(|p| {
                        p.trim()
                            .strip_prefix("q=")
                            .and_then(|q| q.parse::<f32>().ok())
                    })
                    .unwrap_or(1.0);
                // Earlier entries win ties, as browsers list them by preference.
                Some((q - i as f32 * 1e-4, lang))
            })
            .collect();
        choices.sort_by(|a, b| b.0.total_cmp(&a.0));
        choices.first().map(|(_, lang)| *lang)
    }
}

/// A language-bound translator for templates: `{{ t.get("home-title") }}`.
#[derive(Clone, Copy)]
pub struct Tr<'a> {
    pub i18n: &'a I18n,
    pub lang: Lang,
}

impl Tr<'_> {
    pub fn get(&self, id: &str) -> String {
        self.i18n.tr(self.lang, id)
    }
    pub fn with(&self, id: &str, name: &str, value: &str) -> String {
        self.i18n.tr_args(self.lang, id, &[(name, value)])
    }
    /// The message `id` with several arguments.
    pub fn args(&self, id: &str, args: &[(&str, String)]) -> String {
        let args: Vec<(&str, &str)> = args.iter().map(|(k, v)| (*k, v.as_str())).collect();
        self.i18n.tr_args(self.lang, id, &args)
    }
    pub fn code(&self) -> &'static str {
        self.lang.code()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_message_exists_in_every_language() {
        let i18n = I18n::load().unwrap();
        let missing = i18n.missing();
        assert!(
            missing.is_empty(),
            "messages missing in a language: {missing:?}"
        );
        assert!(!i18n.source(Lang::Nl).is_empty());
    }

    #[test]
    fn languages_are_negotiated() {
        assert_eq!(negotiate(Some("nl"), Some("fr"), None), Lang::Nl);
        assert_eq!(negotiate(Some("xx"), Some("en"), None), Lang::En);
        assert_eq!(
            negotiate(None, Some("fr"), Some("nl-BE")),
            Lang::Nl,
            "the browser's language first"
        );
        assert_eq!(
            negotiate(None, Some("en"), Some("de-DE")),
            Lang::En,
            "then the session's"
        );
        assert_eq!(
            negotiate(None, None, Some("de-DE,nl-BE;q=0.8,en;q=0.9")),
            Lang::En
        );
        assert_eq!(negotiate(None, None, Some("nl-BE,fr;q=0.5")), Lang::Nl);
        assert_eq!(negotiate(None, None, Some("de")), Lang::Fr);
        assert_eq!(negotiate(None, None, None), Lang::Fr);
    }
}
