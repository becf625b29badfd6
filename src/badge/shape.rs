//! Whether a credential's JSON is what the standard allows, beyond what its signature covers.
//!
//! A signature covers RDF, and JSON-LD processing silently drops some JSON: members that look
//! like keywords but are not (`"@comment"`). Such content is unsigned, so it is refused ("safe
//! mode", as Digital Bazaar's verifier does; a `null`, also dropped, is left to the schema, as
//! there: it refuses one where the standard wants a value). And the official 1EdTech JSON
//! Schema of an AchievementCredential (draft 2019-09, `schema/`) is checked with a maintained
//! validator (boon), so that a file the reference verifier refuses (no `id`, a `tag` that is a
//! string, a `description` that is `null`) is not called valid here.

use std::sync::OnceLock;

use serde_json::Value;

/// The official schema, vendored (source: `schema/SOURCE.md`).
const SCHEMA: &str = include_str!("schema/ob_v3p0_achievementcredential_schema.json");
const SCHEMA_URL: &str = "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_achievementcredential-jsonschema1.json";

/// JSON-LD 1.1's keywords: any other member beginning with `@` is dropped by expansion.
const KEYWORDS: &[&str] = &[
    "@base",
    "@container",
    "@context",
    "@direction",
    "@graph",
    "@id",
    "@import",
    "@included",
    "@index",
    "@json",
    "@language",
    "@list",
    "@nest",
    "@none",
    "@prefix",
    "@propagate",
    "@protected",
    "@reverse",
    "@set",
    "@type",
    "@value",
    "@version",
    "@vocab",
];

/// A member that JSON-LD expansion would drop without a word, so that it is not signed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Unsigned {
    /// Where it is, as a JSON pointer.
    pub path: String,
}

impl std::fmt::Display for Unsigned {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} is not a JSON-LD keyword: JSON-LD drops it, so it is not signed",
            self.path
        )
    }
}

/// Refuses JSON that JSON-LD expansion would drop without a word: keyword-like members that
/// are not keywords.
pub fn check_nothing_unsigned(value: &Value) -> Result<(), Unsigned> {
    fn walk(value: &Value, path: &mut String) -> Result<(), Unsigned> {
        match value {
            Value::Array(items) => {
                for (i, item) in items.iter().enumerate() {
                    let len = path.len();
                    path.push_str(&format!("/{i}"));
                    walk(item, path)?;
                    path.truncate(len);
                }
                Ok(())
            }
            Value::Object(members) => {
                for (key, item) in members {
                    let len = path.len();
                    path.push('/');
                    path.push_str(key);
                    if key.starts_with('@') && !KEYWORDS.contains(&key.as_str()) {
                        return Err(Unsigned { path: path.clone() });
                    }
                    walk(item, path)?;
                    path.truncate(len);
                }
                Ok(())
            }
            _ => Ok(()),
        }
    }
    walk(value, &mut String::new())
}

/// The compiled schema (compiled once; the schema is part of the program).
fn compiled() -> &'static Result<(boon::Schemas, boon::SchemaIndex), String> {
    static COMPILED: OnceLock<Result<(boon::Schemas, boon::SchemaIndex), String>> = OnceLock::new();
    COMPILED.get_or_init(|| {
        let schema: Value = serde_json::from_str(SCHEMA).map_err(|e| e.to_string())?;
        let mut schemas = boon::Schemas::new();
        let mut compiler = boon::Compiler::new();
        compiler.enable_format_assertions();
        compiler
            .add_resource(SCHEMA_URL, schema)
            .map_err(|e| e.to_string())?;
        let index = compiler
            .compile(SCHEMA_URL, &mut schemas)
            .map_err(|e| e.to_string())?;
        Ok((schemas, index))
    })
}

/// The spec's "compacted document form" lets single values of these properties stand without
/// their array; the schema is written for the canonical form, where they are arrays.
const COMPACTABLE: &[&str] = &["type", "proof", "credentialSchema", "termsOfUse"];

/// A path into a JSON value (object keys and array positions).
type Path = Vec<PathStep>;

#[derive(Clone, Debug, PartialEq, Eq)]
enum PathStep {
    Key(String),
    Item(usize),
}

/// Wraps the value at `path` in an array.
fn wrap_at(value: &mut Value, path: &[PathStep]) {
    let target = path.iter().try_fold(value, |v, step| match step {
        PathStep::Key(k) => v.get_mut(k.as_str()),
        PathStep::Item(i) => v.get_mut(*i),
    });
    if let Some(target) = target {
        let single = target.take();
        *target = Value::Array(vec![single]);
    }
}

/// Why a credential does not pass the official schema.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SchemaError {
    /// The compiled-in schema itself could not be used.
    Unavailable(String),
    /// What the schema says is wrong (its first few errors, from its validator).
    Invalid(Vec<String>),
}

impl std::fmt::Display for SchemaError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SchemaError::Unavailable(why) => write!(f, "the schema could not be compiled: {why}"),
            SchemaError::Invalid(causes) => {
                f.write_str("not an Open Badges 3.0 AchievementCredential by the official schema")?;
                if !causes.is_empty() {
                    write!(f, ": {}", causes.join("; "))?;
                }
                Ok(())
            }
        }
    }
}

/// Checks the credential against the official AchievementCredential schema. A single value of
/// a compactable property where the schema wants an array is accepted (the spec allows it):
/// exactly those values are wrapped and the copy checked again; every other error stands.
pub fn check_schema(credential: &Value) -> Result<(), SchemaError> {
    let (schemas, index) = compiled()
        .as_ref()
        .map_err(|e| SchemaError::Unavailable(e.to_string()))?;
    let mut candidate = credential.clone();
    // Each round wraps at least one more value; a credential has few compactable members.
    for _ in 0..16 {
        let compacted = match schemas.validate(&candidate, *index) {
            Ok(()) => return Ok(()),
            Err(error) => {
                let mut leaves = Vec::new();
                collect_leaves(&error, &mut leaves);
                let compacted: Vec<Path> = leaves
                    .iter()
                    .filter(|(path, _, wants_array)| {
                        *wants_array
                            && matches!(path.last(), Some(PathStep::Key(k)) if COMPACTABLE.contains(&k.as_str()))
                    })
                    .map(|(path, _, _)| path.clone())
                    .collect();
                if compacted.is_empty() {
                    let mut causes: Vec<String> =
                        leaves.into_iter().map(|(_, message, _)| message).collect();
                    causes.truncate(3);
                    return Err(SchemaError::Invalid(causes));
                }
                compacted
            }
        };
        for path in compacted {
            wrap_at(&mut candidate, &path);
        }
    }
    Err(SchemaError::Invalid(Vec::new()))
}

/// The innermost errors: (where, what, whether it is "an array was wanted here").
fn collect_leaves(error: &boon::ValidationError<'_, '_>, out: &mut Vec<(Path, String, bool)>) {
    if error.causes.is_empty() {
        let path: Path = error
            .instance_location
            .tokens
            .iter()
            .map(|token| match token {
                boon::InstanceToken::Prop(key) => PathStep::Key(key.to_string()),
                boon::InstanceToken::Item(i) => PathStep::Item(*i),
            })
            .collect();
        let wants_array = matches!(
            &error.kind,
            boon::ErrorKind::Type { got, want }
                if *got != boon::Type::Array && want.contains(boon::Type::Array)
        );
        let at = error.instance_location.to_string();
        out.push((
            path,
            format!(
                "{} {}",
                if at.is_empty() { "/".into() } else { at },
                error.kind
            ),
            wants_array,
        ));
    }
    for cause in &error.causes {
        collect_leaves(cause, out);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_schema_compiles() {
        assert!(compiled().is_ok(), "{:?}", compiled().as_ref().err());
    }

    #[test]
    fn dropped_json_is_refused() {
        assert!(
            check_nothing_unsigned(&json!({"@context": [], "id": "x", "a": [1, {"b": "c"}]}))
                .is_ok()
        );
        let comment = check_nothing_unsigned(&json!({"id": "x", "@comment": "hi"})).unwrap_err();
        assert_eq!(comment.path, "/@comment");
        assert!(
            comment
                .to_string()
                .contains("/@comment is not a JSON-LD keyword")
        );
        assert!(check_nothing_unsigned(&json!({"a": [{"@foo": 1}]})).is_err());
    }

    #[test]
    fn wrapping_reaches_the_value_at_a_path() {
        let mut value = json!({"a": [{"type": "X"}], "type": "Y"});
        wrap_at(
            &mut value,
            &[
                PathStep::Key("a".into()),
                PathStep::Item(0),
                PathStep::Key("type".into()),
            ],
        );
        assert_eq!(value, json!({"a": [{"type": ["X"]}], "type": "Y"}));
    }
}
