//! Ed25519 issuer keys, their `did:key` / `did:web` identities and the DID document.
//!
//! Keys live in `<data dir>/keys/ed25519-NNNN.key` (hex seed, mode 0600). The highest number is the
//! current signing key; older ones are kept so that badges they signed still verify (they stay in
//! the `did:web` document). Secret material never appears in `Debug` output or error messages.

use std::fmt;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use ed25519_dalek::{Signature, Signer, SigningKey, VerifyingKey};
use serde_json::{Value, json};

use crate::badge::BadgeError;

/// Multicodec prefix of an Ed25519 public key (`ed25519-pub`, varint 0xed).
const ED25519_PUB_MULTICODEC: [u8; 2] = [0xed, 0x01];
const KEY_FILE_PREFIX: &str = "ed25519-";
const KEY_FILE_SUFFIX: &str = ".key";

/// Encodes an Ed25519 public key as a Multikey `publicKeyMultibase` (`z6Mk…`).
pub fn ed25519_multibase(key: &VerifyingKey) -> String {
    let mut bytes = Vec::with_capacity(34);
    bytes.extend_from_slice(&ED25519_PUB_MULTICODEC);
    bytes.extend_from_slice(key.as_bytes());
    format!("z{}", bs58::encode(bytes).into_string())
}

/// Decodes a `z6Mk…` Multikey value back into an Ed25519 public key.
pub fn decode_ed25519_multibase(multibase: &str) -> Result<VerifyingKey, BadgeError> {
    let b58 = multibase
        .strip_prefix('z')
        .ok_or_else(|| BadgeError::Did("public key is not base58btc multibase".into()))?;
    let bytes = bs58::decode(b58)
        .into_vec()
        .map_err(|_| BadgeError::Did("public key is not valid base58btc".into()))?;
    let raw = bytes
        .strip_prefix(&ED25519_PUB_MULTICODEC[..])
        .ok_or_else(|| BadgeError::Did("public key is not an Ed25519 multikey".into()))?;
    let raw: &[u8; 32] = raw
        .try_into()
        .map_err(|_| BadgeError::Did("Ed25519 public key has the wrong length".into()))?;
    VerifyingKey::from_bytes(raw).map_err(|_| BadgeError::Did("invalid Ed25519 public key".into()))
}

/// One Ed25519 issuer key. `Debug` shows the public key only.
#[derive(Clone)]
pub struct IssuerKey {
    number: u32,
    signing: SigningKey,
}

impl IssuerKey {
    /// Wraps an existing secret seed (used by tests and by the known-answer vector).
    pub fn from_seed(number: u32, seed: [u8; 32]) -> Self {
        Self {
            number,
            signing: SigningKey::from_bytes(&seed),
        }
    }

    fn generate(number: u32) -> Self {
        Self::from_seed(number, rand::random::<[u8; 32]>())
    }

    /// Sequence number of the key in the store (1 = first key).
    pub fn number(&self) -> u32 {
        self.number
    }

    pub fn verifying_key(&self) -> VerifyingKey {
        self.signing.verifying_key()
    }

    /// The `z6Mk…` Multikey encoding of the public key.
    pub fn public_multibase(&self) -> String {
        ed25519_multibase(&self.verifying_key())
    }

    /// `did:key:z6Mk…` of this key.
    pub fn did_key(&self) -> String {
        format!("did:key:{}", self.public_multibase())
    }

    /// `did:key:z6Mk…#z6Mk…`, the verification method of this key as a did:key.
    pub fn did_key_verification_method(&self) -> String {
        let mb = self.public_multibase();
        format!("did:key:{mb}#{mb}")
    }

    pub(crate) fn sign(&self, message: &[u8]) -> Signature {
        self.signing.sign(message)
    }
}

impl fmt::Debug for IssuerKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("IssuerKey")
            .field("number", &self.number)
            .field("public", &self.public_multibase())
            .field("secret", &"<redacted>")
            .finish()
    }
}

/// Which DID a badge is issued under, and with which verification method.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IssuerIdentity {
    /// The issuer id (`did:key:…` or `did:web:…`).
    pub did: String,
    /// The `verificationMethod` written in the proof.
    pub verification_method: String,
}

/// The issuer's keys: the current one signs, older ones remain for verification.
pub struct KeyStore {
    dir: PathBuf,
    /// Sorted by number; never empty.
    keys: Vec<IssuerKey>,
}

impl fmt::Debug for KeyStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("KeyStore")
            .field("dir", &self.dir)
            .field("keys", &self.keys)
            .finish()
    }
}

impl KeyStore {
    /// Loads `data_dir/keys/`, creating the directory (0700) and a first key (0600) if needed.
    pub fn load_or_create(data_dir: &Path) -> Result<KeyStore, BadgeError> {
        let dir = data_dir.join("keys");
        fs::create_dir_all(&dir)?;
        restrict_permissions(&dir, 0o700)?;
        let mut keys = Vec::new();
        for entry in fs::read_dir(&dir)? {
            let entry = entry?;
            let name = entry.file_name();
            let Some(number) = name.to_str().and_then(parse_key_file_name) else {
                continue;
            };
            keys.push(read_key_file(&entry.path(), number)?);
        }
        keys.sort_by_key(IssuerKey::number);
        let mut store = KeyStore { dir, keys };
        if store.keys.is_empty() {
            store.rotate()?;
        }
        Ok(store)
    }

    /// Numbers of the key files in the directory now (written atomically, by rename).
    fn numbers_on_disk(&self) -> Result<Vec<u32>, BadgeError> {
        let mut numbers = Vec::new();
        for entry in fs::read_dir(&self.dir)? {
            if let Some(number) = entry?.file_name().to_str().and_then(parse_key_file_name) {
                numbers.push(number);
            }
        }
        Ok(numbers)
    }

    /// Whether another process (`atelier rotate-key` beside a running server) added a key.
    pub fn outdated(&self) -> Result<bool, BadgeError> {
        Ok(self
            .numbers_on_disk()?
            .iter()
            .any(|n| !self.keys.iter().any(|k| k.number == *n)))
    }

    /// Loads the keys another process added; true when there were any. The newest becomes
    /// the current key, as it does in that process.
    pub fn reload(&mut self) -> Result<bool, BadgeError> {
        let mut added = false;
        let mut failure = None;
        for number in self.numbers_on_disk()? {
            if self.keys.iter().any(|k| k.number == number) {
                continue;
            }
            let path = self
                .dir
                .join(format!("{KEY_FILE_PREFIX}{number:04}{KEY_FILE_SUFFIX}"));
            match read_key_file(&path, number) {
                Ok(key) => {
                    self.keys.push(key);
                    added = true;
                }
                Err(e) => failure = Some(e),
            }
        }
        // Sorted whatever happened, so that the current key is always the newest loaded.
        self.keys.sort_by_key(IssuerKey::number);
        match failure {
            Some(e) => Err(e),
            None => Ok(added),
        }
    }

    /// Creates a new current key; older keys are kept for verification.
    pub fn rotate(&mut self) -> Result<&IssuerKey, BadgeError> {
        let number = self.keys.last().map_or(1, |k| k.number + 1);
        let key = IssuerKey::generate(number);
        write_key_file(&self.dir, &key)?;
        self.keys.push(key);
        Ok(self.current())
    }

    /// The key that signs new badges.
    pub fn current(&self) -> &IssuerKey {
        // `load_or_create` guarantees at least one key.
        &self.keys[self.keys.len() - 1]
    }

    /// All keys, oldest first.
    pub fn keys(&self) -> &[IssuerKey] {
        &self.keys
    }

    /// The key whose public Multikey is `multibase`, current or old.
    pub fn find(&self, multibase: &str) -> Option<&IssuerKey> {
        self.keys.iter().find(|k| k.public_multibase() == multibase)
    }

    /// The identity new badges are issued under: `did:web` for an https public URL (stable across
    /// rotations, resolvable), otherwise the current key's `did:key` (works offline).
    pub fn identity(&self, public_url: Option<&str>) -> Result<IssuerIdentity, BadgeError> {
        let key = self.current();
        match public_url.filter(|u| u.starts_with("https://")) {
            Some(url) => {
                let did = did_web_for_url(url)?;
                Ok(IssuerIdentity {
                    verification_method: format!("{did}#{}", key.public_multibase()),
                    did,
                })
            }
            None => Ok(IssuerIdentity {
                did: key.did_key(),
                verification_method: key.did_key_verification_method(),
            }),
        }
    }

    /// The DID document to serve for `did:web` (at `/.well-known/did.json`, or `<path>/did.json`
    /// when the public URL has a path): every key, current and old, as a Multikey under
    /// `assertionMethod`, so that badges signed before a rotation keep verifying.
    pub fn did_web_document(&self, host_base_url: &str) -> Result<Value, BadgeError> {
        let did = did_web_for_url(host_base_url)?;
        let methods: Vec<Value> = self
            .keys
            .iter()
            .rev()
            .map(|k| {
                json!({
                    "id": format!("{did}#{}", k.public_multibase()),
                    "type": "Multikey",
                    "controller": did,
                    "publicKeyMultibase": k.public_multibase(),
                })
            })
            .collect();
        Ok(json!({
            "@context": ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/multikey/v1"],
            "id": did,
            "verificationMethod": methods,
            "assertionMethod": methods,
        }))
    }
}

/// Maps an https base URL to its `did:web` (`https://h:8443/a/b` → `did:web:h%3A8443:a:b`).
pub fn did_web_for_url(url: &str) -> Result<String, BadgeError> {
    let bad = |why: &str| BadgeError::InvalidInput(format!("public URL {url:?} {why}"));
    let rest = url
        .strip_prefix("https://")
        .ok_or_else(|| bad("must start with https:// for did:web"))?;
    if rest.contains(['?', '#', '@', ' ']) {
        return Err(bad(
            "must not contain a query, fragment, user info or space",
        ));
    }
    let mut parts = rest.trim_end_matches('/').split('/');
    let host = parts
        .next()
        .filter(|h| !h.is_empty())
        .ok_or_else(|| bad("has no host"))?;
    if !host
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':'))
    {
        return Err(bad("has an unsupported host"));
    }
    let mut did = format!("did:web:{}", host.to_ascii_lowercase().replace(':', "%3A"));
    for seg in parts {
        if seg.is_empty() || seg.contains(':') {
            return Err(bad("has an unsupported path"));
        }
        did.push(':');
        did.push_str(seg);
    }
    Ok(did)
}

fn parse_key_file_name(name: &str) -> Option<u32> {
    name.strip_prefix(KEY_FILE_PREFIX)?
        .strip_suffix(KEY_FILE_SUFFIX)?
        .parse()
        .ok()
}

fn read_key_file(path: &Path, number: u32) -> Result<IssuerKey, BadgeError> {
    restrict_permissions(path, 0o600)?;
    let text = fs::read_to_string(path)?;
    let bad = || BadgeError::KeyStore(format!("key file {} is malformed", path.display()));
    let hex = text.trim();
    if hex.len() != 64 {
        return Err(bad());
    }
    let mut seed = [0u8; 32];
    for (i, byte) in seed.iter_mut().enumerate() {
        *byte = u8::from_str_radix(hex.get(2 * i..2 * i + 2).ok_or_else(bad)?, 16)
            .map_err(|_| bad())?;
    }
    Ok(IssuerKey::from_seed(number, seed))
}

fn write_key_file(dir: &Path, key: &IssuerKey) -> Result<(), BadgeError> {
    let path = dir.join(format!(
        "{KEY_FILE_PREFIX}{:04}{KEY_FILE_SUFFIX}",
        key.number
    ));
    let tmp = dir.join(format!(".{KEY_FILE_PREFIX}{:04}.tmp", key.number));
    if path.exists() {
        return Err(BadgeError::KeyStore(format!(
            "refusing to overwrite existing key file {}",
            path.display()
        )));
    }
    let hex: String = key
        .signing
        .to_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let mut options = fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(&tmp)?;
    // The mode above only applies on creation: tighten a pre-existing temp file too.
    restrict_permissions(&tmp, 0o600)?;
    file.write_all(hex.as_bytes())?;
    file.write_all(b"\n")?;
    file.sync_all()?;
    fs::rename(&tmp, &path)?;
    Ok(())
}

fn restrict_permissions(path: &Path, mode: u32) -> Result<(), BadgeError> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let current = fs::metadata(path)?.permissions().mode() & 0o777;
        if current != mode {
            fs::set_permissions(path, fs::Permissions::from_mode(mode))?;
        }
    }
    #[cfg(not(unix))]
    let _ = (path, mode);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn multikey_round_trip_and_known_value() {
        // The 1EdTech test vector's public key and its published multibase form.
        let hex = "4bdeafde2ea8beefadd8c699b5c7e0704cf51154d52e17b20b71337ca04cc5a5";
        let mut raw = [0u8; 32];
        for i in 0..32 {
            raw[i] = u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).unwrap();
        }
        let vk = VerifyingKey::from_bytes(&raw).unwrap();
        let mb = ed25519_multibase(&vk);
        assert_eq!(mb, "z6MkjZRZv3aez3r18pB1RBFJR1kwUVJ5jHt92JmQwXbd5hwi");
        assert_eq!(decode_ed25519_multibase(&mb).unwrap(), vk);
        assert!(decode_ed25519_multibase("z6Mk").is_err());
        assert!(decode_ed25519_multibase("").is_err());
    }

    #[test]
    fn did_web_mapping() {
        assert_eq!(
            did_web_for_url("https://Example.org/").unwrap(),
            "did:web:example.org"
        );
        assert_eq!(
            did_web_for_url("https://example.org:8443/a/b").unwrap(),
            "did:web:example.org%3A8443:a:b"
        );
        assert!(did_web_for_url("http://example.org").is_err());
        assert!(did_web_for_url("https://").is_err());
        assert!(did_web_for_url("https://x.org/?q").is_err());
    }

    #[test]
    fn store_creates_rotates_and_redacts() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = KeyStore::load_or_create(dir.path()).unwrap();
        let first = store.current().public_multibase();
        let secret_hex: String = store
            .current()
            .signing
            .to_bytes()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        assert!(!format!("{store:?}").contains(&secret_hex));
        store.rotate().unwrap();
        let second = store.current().public_multibase();
        assert_ne!(first, second);
        let reloaded = KeyStore::load_or_create(dir.path()).unwrap();
        assert_eq!(reloaded.keys().len(), 2);
        assert_eq!(reloaded.current().public_multibase(), second);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            for entry in fs::read_dir(dir.path().join("keys")).unwrap() {
                let mode = entry.unwrap().metadata().unwrap().permissions().mode() & 0o777;
                assert_eq!(mode, 0o600);
            }
        }
        let doc = reloaded
            .did_web_document("https://badges.example.org")
            .unwrap();
        assert_eq!(doc["assertionMethod"].as_array().unwrap().len(), 2);
        let id = reloaded
            .identity(Some("https://badges.example.org"))
            .unwrap();
        assert_eq!(id.did, "did:web:badges.example.org");
        assert_eq!(
            id.verification_method,
            format!("did:web:badges.example.org#{second}")
        );
        let id = reloaded.identity(None).unwrap();
        assert_eq!(id.verification_method, format!("did:key:{second}#{second}"));
    }
}
