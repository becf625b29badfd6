//! The badge issuer of this Atelier: its keys, its profile and achievements (organiser
//! settings), issuing and storing badges, the status list, verification, revocation.
//! The cryptography and formats live in [`crate::badge`]; this module adds the data
//! directory and the database, and is shared by the server and the command line.

use std::collections::HashMap;
use std::path::Path;
use std::sync::{Arc, Mutex, RwLock, RwLockReadGuard};

use serde::{Deserialize, Serialize};
use serde_json::Value;
use time::OffsetDateTime;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;
use subtle::ConstantTimeEq;

use crate::badge::artwork::{ArtworkSpec, render_png, render_svg};
use crate::badge::bake::{PNG_KEYWORD, PNG_KEYWORD_OB2, bake_png_texts, bake_svg};
use crate::badge::credential::{
    AchievementSpec, Competence, ImageSource, IssueOptions, IssuerProfile, Recipient, StatusRef,
    issue,
};
use crate::badge::jsonld::Canonicalizer;
use crate::badge::keys::{IssuerIdentity, IssuerKey, KeyStore};
use crate::badge::ob2;
use crate::badge::status::issue_status_list_covering;
use crate::badge::verify::{
    BoxFuture, DocumentResolver, StatusListSource, VerifyContext, VerifyReport, verify,
};
use crate::badge::{BadgeError, verify::verify_credential};
use crate::deck::{Lang, Localized};
use crate::store::{BadgeRow, NewBadge, Store, StoreError};

/// Size of the rendered badge artwork: crisp on a phone and in a backpack.
pub const ARTWORK_PX: u32 = 600;
/// Path of the (single) status list, under the public URL.
pub const STATUS_LIST_PATH: &str = "/status/1";

#[derive(Debug, thiserror::Error)]
pub enum IssuerError {
    #[error(transparent)]
    Badge(#[from] BadgeError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("no achievement {0}")]
    UnknownAchievement(String),
    #[error("no badge {0}")]
    UnknownBadge(String),
    #[error("stored settings are invalid: {0}")]
    Settings(String),
    #[error("signing failed: {0}")]
    Join(String),
}

/// Settings key: the public URL the server last ran with ("" for an offline server), so that
/// the command line issues the same kind of badges on the same data directory.
pub const PUBLIC_URL_SETTING: &str = "public_url";

/// The issuer profile an organiser configures (the settings key `issuer`).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct IssuerConfig {
    pub name: String,
    #[serde(default)]
    pub url: Option<String>,
    #[serde(default)]
    pub email: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
}

impl Default for IssuerConfig {
    fn default() -> Self {
        Self {
            name: "Atelier Open Badges".into(),
            url: None,
            email: None,
            description: None,
        }
    }
}

/// An achievement's texts in every language, and the competence it recognises.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct AchievementConfig {
    pub name: Localized,
    pub description: Localized,
    pub criteria: Localized,
    pub competence: Localized,
    #[serde(default)]
    pub competence_description: Option<Localized>,
}

fn localized(fr: &str, nl: &str, en: &str) -> Localized {
    Localized {
        fr: fr.into(),
        nl: nl.into(),
        en: en.into(),
    }
}

impl Default for AchievementConfig {
    /// The workshop's own badge.
    fn default() -> Self {
        Self {
            name: localized(
                "Sensibilisation aux Open Badges",
                "Kennismaking met Open Badges",
                "Introduction to Open Badges",
            ),
            description: localized(
                "A participé à l'atelier de sensibilisation aux Open Badges du projet Interreg Open Badges for IT : le vocabulaire des Open Badges (bingo) et les étapes pour reconnaître une compétence par un badge (fresque de la reconnaissance).",
                "Nam deel aan de workshop Kennismaking met Open Badges van het Interreg-project Open Badges for IT: de woordenschat van Open Badges (bingo) en de stappen om een competentie met een badge te erkennen (fresco van de erkenning).",
                "Took part in the Introduction to Open Badges workshop of the Interreg project Open Badges for IT: the vocabulary of Open Badges (bingo) and the steps to recognise a competence with a badge (recognition timeline).",
            ),
            criteria: localized(
                "Avoir participé à l'atelier avec un animateur : bingo des Open Badges et fresque de la reconnaissance.",
                "Deelgenomen hebben aan de workshop met een begeleider: Open Badges-bingo en fresco van de erkenning.",
                "Took part in the facilitated workshop: Open Badges bingo and the recognition timeline.",
            ),
            competence: localized(
                "Comprendre les Open Badges et la reconnaissance des compétences",
                "Open Badges en de erkenning van competenties begrijpen",
                "Understanding Open Badges and the recognition of competences",
            ),
            competence_description: None,
        }
    }
}

impl AchievementConfig {
    /// The workshop's badge for a session that played these activities: it says what the
    /// participant did, and nothing they did not (a bingo-only session's badge does not claim
    /// the fresque).
    pub fn for_activities(bingo: bool, fresque: bool) -> Self {
        let both = Self::default();
        match (bingo, fresque) {
            (true, true) => both,
            (true, false) => Self {
                description: localized(
                    "A participé à l'atelier de sensibilisation aux Open Badges du projet Interreg Open Badges for IT : le vocabulaire des Open Badges (bingo).",
                    "Nam deel aan de workshop Kennismaking met Open Badges van het Interreg-project Open Badges for IT: de woordenschat van Open Badges (bingo).",
                    "Took part in the Introduction to Open Badges workshop of the Interreg project Open Badges for IT: the vocabulary of Open Badges (bingo).",
                ),
                criteria: localized(
                    "Avoir participé à l'atelier avec un animateur : bingo des Open Badges.",
                    "Deelgenomen hebben aan de workshop met een begeleider: Open Badges-bingo.",
                    "Took part in the facilitated workshop: Open Badges bingo.",
                ),
                ..both
            },
            (false, true) => Self {
                description: localized(
                    "A participé à l'atelier de sensibilisation aux Open Badges du projet Interreg Open Badges for IT : les étapes pour reconnaître une compétence par un badge (fresque de la reconnaissance).",
                    "Nam deel aan de workshop Kennismaking met Open Badges van het Interreg-project Open Badges for IT: de stappen om een competentie met een badge te erkennen (fresco van de erkenning).",
                    "Took part in the Introduction to Open Badges workshop of the Interreg project Open Badges for IT: the steps to recognise a competence with a badge (recognition timeline).",
                ),
                criteria: localized(
                    "Avoir participé à l'atelier avec un animateur : fresque de la reconnaissance.",
                    "Deelgenomen hebben aan de workshop met een begeleider: fresco van de erkenning.",
                    "Took part in the facilitated workshop: the recognition timeline.",
                ),
                ..both
            },
            (false, false) => Self {
                description: localized(
                    "A participé à l'atelier de sensibilisation aux Open Badges du projet Interreg Open Badges for IT.",
                    "Nam deel aan de workshop Kennismaking met Open Badges van het Interreg-project Open Badges for IT.",
                    "Took part in the Introduction to Open Badges workshop of the Interreg project Open Badges for IT.",
                ),
                criteria: localized(
                    "Avoir participé à l'atelier avec un animateur.",
                    "Deelgenomen hebben aan de workshop met een begeleider.",
                    "Took part in the facilitated workshop.",
                ),
                ..both
            },
        }
    }
}

/// Who receives a badge, and for what.
#[derive(Debug, Clone)]
pub struct IssueRequest<'a> {
    pub name: &'a str,
    pub email: Option<&'a str>,
    /// The default achievement when `None`.
    pub achievement_id: Option<&'a str>,
    pub lang: Lang,
    pub session_id: Option<i64>,
    pub pid: Option<u32>,
}

/// A badge just issued. `access_key` is the secret of the participant's private link: it is
/// shown once and only its hash is stored.
#[derive(Debug, Clone)]
pub struct Issued {
    pub id: String,
    pub credential: Value,
    pub json: String,
    pub access_key: String,
}

/// What a signed status list reflects: the revoked positions, and how many positions it
/// covers (in whole multiples of the minimum length).
#[derive(Clone, Debug, PartialEq, Eq)]
struct StatusListKey {
    revoked: Vec<u64>,
    length_class: u64,
}

/// A badge picture: PNG bytes and SVG text.
pub type Picture = (Vec<u8>, String);

pub struct Issuer {
    keys: RwLock<KeyStore>,
    store: Store,
    /// `--public-url`: with it, badges carry a status list entry (and did:web when https).
    public_url: Option<String>,
    /// Secret for private badge links (`link.key` in the data directory, mode 0600).
    link_key: Vec<u8>,
    /// Rendered artwork per (achievement, language): PNG and SVG.
    artwork: Mutex<HashMap<(String, Lang), Arc<Picture>>>,
    /// The last signed status list and the revocations it reflects: public badge pages and
    /// verifiers ask often, revocations are rare, and signing costs milliseconds.
    status_list: Mutex<Option<(StatusListKey, Value)>>,
    /// Signatures computed at once, whoever asks (rooms' badge desks, the API, the status
    /// list): one per core, so that a crowd asking together never starves the rest of the
    /// server of CPU, and each waits its turn instead.
    signing: tokio::sync::Semaphore,
    /// Held while artwork is rendered (see `artwork`).
    rendering: tokio::sync::Mutex<()>,
    /// Held while a default achievement is made (see `achievement_for_activities`).
    creating: tokio::sync::Mutex<()>,
}

impl Issuer {
    /// Loads (or creates, mode 0600) the signing keys and makes sure a default achievement exists.
    pub async fn open(
        store: Store,
        data_dir: &Path,
        public_url: Option<String>,
    ) -> Result<Self, IssuerError> {
        let keys = KeyStore::load_or_create(data_dir)?;
        let link_key = load_or_create_secret(&data_dir.join("link.key"))?;
        let issuer = Self {
            keys: RwLock::new(keys),
            store,
            public_url,
            link_key,
            artwork: Mutex::new(HashMap::new()),
            status_list: Mutex::new(None),
            signing: tokio::sync::Semaphore::new(
                std::thread::available_parallelism().map_or(1, |n| n.get()),
            ),
            rendering: tokio::sync::Mutex::new(()),
            creating: tokio::sync::Mutex::new(()),
        };
        if issuer.store.achievements().await?.is_empty() {
            let id = format!("urn:uuid:{}", uuid::Uuid::new_v4());
            let spec = serde_json::to_string(&AchievementConfig::default())
                .map_err(|e| IssuerError::Settings(e.to_string()))?;
            issuer.store.insert_achievement(&id, &spec).await?;
        }
        Ok(issuer)
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    /// The key store, with any key that `atelier rotate-key` added since (it may run beside
    /// this server on the same data directory): signing then uses the new key, and the DID
    /// document lists it, at once. Costs one read of the small `keys/` directory.
    fn keys(&self) -> Result<RwLockReadGuard<'_, KeyStore>, IssuerError> {
        let poisoned = || IssuerError::Settings("key store lock poisoned".into());
        let outdated = self.keys.read().map_err(|_| poisoned())?.outdated()?;
        if outdated && self.keys.write().map_err(|_| poisoned())?.reload()? {
            tracing::info!("picked up a new signing key from the data directory");
            if let Ok(mut cached) = self.status_list.lock() {
                *cached = None;
            }
        }
        self.keys.read().map_err(|_| poisoned())
    }

    /// The identity and key that sign now, from one look at the keys (so that both are of
    /// the same rotation).
    fn signer(&self) -> Result<(IssuerIdentity, IssuerKey), IssuerError> {
        let keys = self.keys()?;
        Ok((
            keys.identity(self.public_url.as_deref())?,
            keys.current().clone(),
        ))
    }

    /// A turn to sign (see `signing`).
    async fn signing_turn(&self) -> Result<tokio::sync::SemaphorePermit<'_>, IssuerError> {
        self.signing
            .acquire()
            .await
            .map_err(|e| IssuerError::Join(e.to_string()))
    }

    fn identity(&self) -> Result<IssuerIdentity, IssuerError> {
        Ok(self.keys()?.identity(self.public_url.as_deref())?)
    }

    /// The issuer DID badges are signed under now.
    pub fn did(&self) -> Result<String, IssuerError> {
        Ok(self.identity()?.did)
    }

    /// URL of the status list, when badges carry one (only with a public URL: an offline badge
    /// must not point at an address that will not exist later).
    pub fn status_list_url(&self) -> Option<String> {
        self.public_url
            .as_ref()
            .map(|base| format!("{base}{STATUS_LIST_PATH}"))
    }

    /// The did:web document (all keys, current and older), when the public URL is https.
    pub fn did_document(&self) -> Option<Value> {
        let base = self
            .public_url
            .as_deref()
            .filter(|u| u.starts_with("https://"))?;
        self.keys().ok()?.did_web_document(base).ok()
    }

    /// Creates a new signing key; older badges keep verifying (did:web lists every key).
    pub fn rotate_key(&self) -> Result<String, IssuerError> {
        let mut keys = self
            .keys
            .write()
            .map_err(|_| IssuerError::Settings("key store lock poisoned".into()))?;
        let rotated = keys.rotate()?.public_multibase();
        // The status list is signed anew with the new key.
        if let Ok(mut cached) = self.status_list.lock() {
            *cached = None;
        }
        Ok(rotated)
    }

    pub async fn issuer_config(&self) -> Result<IssuerConfig, IssuerError> {
        match self.store.setting("issuer").await? {
            Some(json) => {
                serde_json::from_str(&json).map_err(|e| IssuerError::Settings(e.to_string()))
            }
            None => Ok(IssuerConfig::default()),
        }
    }

    /// Whether an organiser has named the issuing organisation (until then badges carry the
    /// software's name, and the organiser is asked for it).
    pub async fn issuer_named(&self) -> Result<bool, IssuerError> {
        Ok(self.store.setting("issuer").await?.is_some())
    }

    /// The organiser's logo for the issuer profile (settings key `issuer_image`: JSON
    /// `{type, data}` with base64 data, validated at upload), embedded as a `data:` URI.
    pub async fn issuer_image(&self) -> Result<Option<ImageSource>, IssuerError> {
        #[derive(Deserialize)]
        struct Stored {
            #[serde(rename = "type")]
            media_type: String,
            data: String,
        }
        let Some(json) = self.store.setting("issuer_image").await? else {
            return Ok(None);
        };
        let Ok(Some(stored)) = serde_json::from_str::<Option<Stored>>(&json) else {
            return Ok(None);
        };
        let Ok(bytes) = base64::engine::general_purpose::STANDARD.decode(stored.data) else {
            return Ok(None);
        };
        Ok(Some(if stored.media_type == "image/svg+xml" {
            ImageSource::svg(bytes)
        } else {
            ImageSource::png(bytes)
        }))
    }

    pub async fn set_issuer_config(&self, config: &IssuerConfig) -> Result<(), IssuerError> {
        let json =
            serde_json::to_string(config).map_err(|e| IssuerError::Settings(e.to_string()))?;
        Ok(self.store.set_setting("issuer", &json).await?)
    }

    /// The default achievement's id (the oldest).
    pub async fn default_achievement(&self) -> Result<String, IssuerError> {
        let all = self.store.achievements().await?;
        all.first()
            .map(|a| a.id.clone())
            .ok_or_else(|| IssuerError::UnknownAchievement("(default)".into()))
    }

    /// The achievement a session gets when its facilitator chose none: the workshop's badge
    /// for the activities it plays (made on first use; the organiser may then edit its texts
    /// and image like any other). The installation's first achievement is the one for both
    /// games, as it always was.
    pub async fn achievement_for_activities(
        &self,
        bingo: bool,
        fresque: bool,
    ) -> Result<String, IssuerError> {
        if bingo && fresque {
            return self.default_achievement().await;
        }
        let key = format!(
            "achievement_for:{}{}",
            if bingo { "bingo" } else { "" },
            if fresque { "fresque" } else { "" }
        );
        // One at a time, so that two sessions created together share one achievement.
        let _creating = self.creating.lock().await;
        if let Some(id) = self.store.setting(&key).await?
            && self.store.achievement(&id).await?.is_some()
        {
            return Ok(id);
        }
        let id = format!("urn:uuid:{}", uuid::Uuid::new_v4());
        let spec = serde_json::to_string(&AchievementConfig::for_activities(bingo, fresque))
            .map_err(|e| IssuerError::Settings(e.to_string()))?;
        self.store.insert_achievement(&id, &spec).await?;
        self.store.set_setting(&key, &id).await?;
        Ok(id)
    }

    /// Every achievement, as (id, label in `lang`): its name and what its criteria ask, so
    /// that the workshop's badges for different activities can be told apart in a list.
    pub async fn achievement_labels(
        &self,
        lang: Lang,
    ) -> Result<Vec<(String, String)>, IssuerError> {
        Ok(self
            .achievement_configs()
            .await?
            .into_iter()
            .map(|(id, config)| {
                let label = format!("{} — {}", config.name.get(lang), config.criteria.get(lang));
                (id, label)
            })
            .collect())
    }

    /// Every achievement's id and texts, from one read of the table.
    pub async fn achievement_configs(
        &self,
    ) -> Result<Vec<(String, AchievementConfig)>, IssuerError> {
        self.store
            .achievements()
            .await?
            .into_iter()
            .map(|row| {
                serde_json::from_str(&row.spec)
                    .map(|config| (row.id, config))
                    .map_err(|e| IssuerError::Settings(e.to_string()))
            })
            .collect()
    }

    /// Creates an achievement for the organiser to edit (texts of the workshop's badge to
    /// start from); returns its id.
    pub async fn new_achievement(&self) -> Result<String, IssuerError> {
        let id = format!("urn:uuid:{}", uuid::Uuid::new_v4());
        let spec = serde_json::to_string(&AchievementConfig::default())
            .map_err(|e| IssuerError::Settings(e.to_string()))?;
        self.store.insert_achievement(&id, &spec).await?;
        Ok(id)
    }

    pub async fn achievement(
        &self,
        id: &str,
    ) -> Result<(AchievementConfig, Option<(Vec<u8>, String)>), IssuerError> {
        let row = self
            .store
            .achievement(id)
            .await?
            .ok_or_else(|| IssuerError::UnknownAchievement(id.into()))?;
        let config =
            serde_json::from_str(&row.spec).map_err(|e| IssuerError::Settings(e.to_string()))?;
        Ok((config, row.image))
    }

    /// The badge picture for an achievement in a language: the organiser's upload, or the
    /// artwork Atelier renders (PNG, SVG), cached.
    pub async fn artwork(
        &self,
        achievement_id: &str,
        lang: Lang,
    ) -> Result<Arc<Picture>, IssuerError> {
        let key = (achievement_id.to_string(), lang);
        let cached = || {
            self.artwork
                .lock()
                .ok()
                .and_then(|cache| cache.get(&key).cloned())
        };
        if let Some(found) = cached() {
            return Ok(found);
        }
        // One rendering at a time: when a whole room asks for its badges at once, the first
        // renders and the others find it in the cache (60 renderings at once took the CPU for
        // seconds).
        let _rendering = self.rendering.lock().await;
        if let Some(found) = cached() {
            return Ok(found);
        }
        let (config, _) = self.achievement(achievement_id).await?;
        let issuer = self.issuer_config().await?;
        let spec = ArtworkSpec {
            title: config.name.get(lang).to_string(),
            subtitle: Some(issuer.name.clone()),
            palette: None,
        };
        let rendered = tokio::task::spawn_blocking(move || -> Result<_, BadgeError> {
            Ok((render_png(&spec, ARTWORK_PX)?, render_svg(&spec)?))
        })
        .await
        .map_err(|e| IssuerError::Join(e.to_string()))??;
        let rendered = Arc::new(rendered);
        if let Ok(mut cache) = self.artwork.lock() {
            cache.insert(key, Arc::clone(&rendered));
        }
        Ok(rendered)
    }

    /// Forgets rendered artwork (after the organiser changes a name or the issuer).
    pub fn forget_artwork(&self) {
        if let Ok(mut cache) = self.artwork.lock() {
            cache.clear();
        }
    }

    /// Signs and stores a badge.
    pub async fn issue(&self, request: IssueRequest<'_>) -> Result<Issued, IssuerError> {
        let achievement_id = match request.achievement_id {
            Some(id) => id.to_string(),
            None => self.default_achievement().await?,
        };
        let (config, uploaded) = self.achievement(&achievement_id).await?;
        let lang = request.lang;
        let image = match uploaded {
            Some((bytes, kind)) if kind == "image/svg+xml" => ImageSource::svg(bytes),
            Some((bytes, _)) => ImageSource::png(bytes),
            None => ImageSource::png(self.artwork(&achievement_id, lang).await?.0.clone()),
        };
        let achievement = AchievementSpec {
            id: achievement_id.clone(),
            name: config.name.get(lang).into(),
            description: config.description.get(lang).into(),
            criteria_narrative: config.criteria.get(lang).into(),
            image: Some(image),
            competence: Some(Competence {
                name: config.competence.get(lang).into(),
                description: config
                    .competence_description
                    .as_ref()
                    .map(|d| d.get(lang).to_string()),
                framework: None,
                code: None,
                url: None,
            }),
        };
        let issuer_config = self.issuer_config().await?;
        let profile = IssuerProfile {
            name: issuer_config.name,
            url: issuer_config.url.or_else(|| self.public_url.clone()),
            email: issuer_config.email,
            description: issuer_config.description,
            image: self.issuer_image().await?,
        };
        let recipient = Recipient {
            name: request.name.to_string(),
            email: request.email.map(str::to_string),
        };
        // One look at the keys, so that the identity and the key are of the same rotation.
        let (identity, key) = self.signer()?;
        // A status-list index is reserved atomically before signing; if another badge holds it
        // all the same (a counter behind the table), the counter is moved on and the badge is
        // signed again with a new index, never reported as a failure.
        let mut attempts = 0;
        let (id, credential, json) = loop {
            attempts += 1;
            let mut options = IssueOptions::new(OffsetDateTime::now_utc());
            let status_index = match self.status_list_url() {
                Some(url) => {
                    let index = self.store.reserve_status_index().await?;
                    options.status = Some(StatusRef {
                        status_list_credential: url,
                        index,
                    });
                    Some(index)
                }
                None => None,
            };
            let (key, identity, profile, achievement, recipient) = (
                key.clone(),
                identity.clone(),
                profile.clone(),
                achievement.clone(),
                recipient.clone(),
            );
            // Signing canonicalises JSON-LD: milliseconds of CPU, kept off the async workers
            // (the turn is held for the signature only, not for the database write).
            let permit = self.signing_turn().await?;
            let credential = tokio::task::spawn_blocking(move || {
                issue(
                    Canonicalizer::shared(),
                    &key,
                    &identity,
                    &profile,
                    &achievement,
                    &recipient,
                    &options,
                )
            })
            .await
            .map_err(|e| IssuerError::Join(e.to_string()))??;
            drop(permit);
            let id = credential["id"].as_str().unwrap_or_default().to_string();
            let json = credential.to_string();
            let stored = self
                .store
                .insert_badge(&NewBadge {
                    id: &id,
                    achievement_id: &achievement_id,
                    session_id: request.session_id,
                    pid: request.pid,
                    recipient_name: request.name,
                    status_index,
                    credential: &json,
                    lang: lang.code(),
                })
                .await;
            match stored {
                Ok(()) => break (id, credential, json),
                Err(StoreError::StatusIndexTaken(index)) if attempts < 5 => {
                    tracing::warn!(index, "status-list index taken: moving the counter on");
                    self.store.resync_status_counter().await?;
                }
                Err(e) => return Err(e.into()),
            }
        };
        let access_key = self.access_key(&id);
        tracing::info!(badge = %id, "badge issued");
        Ok(Issued {
            id,
            credential,
            json,
            access_key,
        })
    }

    /// The secret of a badge's private link: an HMAC of its id under this installation's link
    /// key, so that it need not be stored and can be shown again to the participant (who proves
    /// who they are with their resume token).
    pub fn access_key(&self, badge_id: &str) -> String {
        let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(&self.link_key)
            .expect("HMAC accepts any key length");
        mac.update(badge_id.as_bytes());
        URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes())
    }

    /// The private links of a badge, relative to the server (they carry its secret).
    pub fn private_paths(&self, badge_id: &str) -> Value {
        let uuid = badge_id.strip_prefix("urn:uuid:").unwrap_or(badge_id);
        let key = self.access_key(badge_id);
        let mut links = serde_json::json!({
            "page": format!("/b/{uuid}?k={key}"),
            "picture": format!("/b/{uuid}/picture.png?k={key}"),
            "png": format!("/b/{uuid}/badge.png?k={key}"),
            "svg": format!("/b/{uuid}/badge.svg?k={key}"),
            "json": format!("/b/{uuid}/credential.json?k={key}"),
        });
        // Hosted: the public page and LinkedIn, from the private page.
        if self.public_url.is_some() {
            links["share"] = format!("/b/{uuid}?k={key}#share").into();
        }
        links
    }

    /// The stored badge, if `access_key` opens it (`None` skips the check: organisers, CLI).
    pub async fn badge(&self, id: &str, access_key: Option<&str>) -> Result<BadgeRow, IssuerError> {
        if let Some(key) = access_key
            && !bool::from(key.as_bytes().ct_eq(self.access_key(id).as_bytes()))
        {
            return Err(IssuerError::UnknownBadge(id.into()));
        }
        self.store
            .badge(id)
            .await?
            .ok_or_else(|| IssuerError::UnknownBadge(id.into()))
    }

    /// The badge baked into its PNG picture: the 3.0 credential and, when hosted, the 2.0
    /// assertion (one chunk of each keyword).
    pub async fn baked_png(&self, row: &BadgeRow, lang: Lang) -> Result<Vec<u8>, IssuerError> {
        let json = row
            .credential
            .as_deref()
            .ok_or_else(|| IssuerError::UnknownBadge(row.id.clone()))?;
        let art = self.picture(row, lang).await?;
        let assertion = self.ob2_assertion(row).await?.map(|a| a.to_string());
        let mut texts = vec![(PNG_KEYWORD, json)];
        if let Some(assertion) = assertion.as_deref() {
            texts.push((PNG_KEYWORD_OB2, assertion));
        }
        Ok(bake_png_texts(&art.0, &texts)?)
    }

    /// `--public-url`, when this Atelier is hosted.
    pub fn public_url(&self) -> Option<&str> {
        self.public_url.as_deref()
    }

    /// The stable public page of a badge (hosted only).
    pub fn public_page_url(&self, badge_id: &str) -> Option<String> {
        let uuid = badge_id.trim_start_matches("urn:uuid:");
        Some(format!("{}/badges/{uuid}", self.public_url.as_deref()?))
    }

    /// Shows or hides a badge's public page (the participant's choice).
    pub async fn set_public_page(&self, badge_id: &str, public: bool) -> Result<(), IssuerError> {
        if self.store.set_badge_public(badge_id, public).await? {
            Ok(())
        } else {
            Err(IssuerError::UnknownBadge(badge_id.into()))
        }
    }

    /// The Open Badges 2.0 issuer profile, when hosted and the organiser gave an e-mail
    /// (2.0 requires one).
    pub async fn ob2_issuer(&self) -> Result<Option<Value>, IssuerError> {
        let Some(base) = self.public_url.as_deref() else {
            return Ok(None);
        };
        let config = self.issuer_config().await?;
        let Some(email) = config.email.as_deref().filter(|e| !e.trim().is_empty()) else {
            return Ok(None);
        };
        let url = config.url.as_deref().unwrap_or(base);
        Ok(Some(ob2::issuer_profile(
            base,
            &ob2::Ob2Issuer {
                name: &config.name,
                url,
                email,
                description: config.description.as_deref(),
            },
        )))
    }

    /// Whether this Atelier publishes Open Badges 2.0: hosted, with an issuer e-mail.
    pub async fn ob2_enabled(&self) -> Result<bool, IssuerError> {
        Ok(self.public_url.is_some()
            && self
                .issuer_config()
                .await?
                .email
                .is_some_and(|e| !e.trim().is_empty()))
    }

    /// The Open Badges 2.0 badge class of an achievement in a language (hosted only).
    pub async fn ob2_badge_class(
        &self,
        achievement_id: &str,
        lang: Lang,
    ) -> Result<Option<Value>, IssuerError> {
        if !self.ob2_enabled().await? {
            return Ok(None);
        }
        let Some(base) = self.public_url.as_deref() else {
            return Ok(None);
        };
        let (config, _) = self.achievement(achievement_id).await?;
        Ok(Some(ob2::badge_class(
            base,
            &ob2::Ob2BadgeClass {
                achievement_id,
                lang: lang.code(),
                name: config.name.get(lang),
                description: config.description.get(lang),
                criteria: config.criteria.get(lang),
                competence: Some(config.competence.get(lang)),
            },
        )))
    }

    /// The Open Badges 2.0 hosted assertion of a badge: hosted, with an issuer e-mail and a
    /// recipient e-mail (hashed) only; says `revoked` once the badge is.
    pub async fn ob2_assertion(&self, row: &BadgeRow) -> Result<Option<Value>, IssuerError> {
        let (Some(base), Some(json)) = (self.public_url.as_deref(), row.credential.as_deref())
        else {
            return Ok(None);
        };
        if !self.ob2_enabled().await? {
            return Ok(None);
        }
        let credential: Value =
            serde_json::from_str(json).map_err(|e| IssuerError::Settings(e.to_string()))?;
        let lang = row
            .lang
            .as_deref()
            .and_then(Lang::parse)
            .unwrap_or_default();
        let revoked = row
            .revoked_at
            .as_ref()
            .map(|when| format!("Revoked by the issuer on {when}"));
        Ok(ob2::assertion(
            base,
            &credential,
            lang.code(),
            revoked.as_deref(),
        ))
    }

    /// The hosted assertion of a badge whose recipient's data was erased (hosted, OB 2.0 on).
    pub async fn ob2_erased_assertion(&self, row: &BadgeRow) -> Result<Option<Value>, IssuerError> {
        let Some(base) = self.public_url.as_deref() else {
            return Ok(None);
        };
        if row.credential.is_some() || !self.ob2_enabled().await? {
            return Ok(None);
        }
        Ok(Some(ob2::erased_assertion(base, &row.id)))
    }

    /// The badge baked into its SVG picture.
    pub async fn baked_svg(&self, row: &BadgeRow, lang: Lang) -> Result<String, IssuerError> {
        let json = row
            .credential
            .as_deref()
            .ok_or_else(|| IssuerError::UnknownBadge(row.id.clone()))?;
        let art = self.picture(row, lang).await?;
        Ok(bake_svg(&art.1, json)?)
    }

    /// An achievement's picture and its media type: the organiser's upload, or the artwork.
    pub async fn achievement_picture(
        &self,
        achievement_id: &str,
        lang: Lang,
    ) -> Result<(Vec<u8>, &'static str), IssuerError> {
        let (_, uploaded) = self.achievement(achievement_id).await?;
        Ok(match uploaded {
            Some((bytes, kind)) if kind == "image/svg+xml" => (bytes, "image/svg+xml"),
            Some((bytes, _)) => (bytes, "image/png"),
            None => (
                self.artwork(achievement_id, lang).await?.0.clone(),
                "image/png",
            ),
        })
    }

    /// The badge's picture alone (not baked): light enough to show on a phone.
    pub async fn picture_png(&self, row: &BadgeRow, lang: Lang) -> Result<Vec<u8>, IssuerError> {
        Ok(self.picture(row, lang).await?.0.clone())
    }

    async fn picture(&self, row: &BadgeRow, lang: Lang) -> Result<Arc<Picture>, IssuerError> {
        // An uploaded PNG is baked as is; an uploaded SVG too; otherwise Atelier's artwork.
        let (_, uploaded) = self.achievement(&row.achievement_id).await?;
        match uploaded {
            Some((bytes, kind)) if kind == "image/png" => {
                let rendered = self.artwork(&row.achievement_id, lang).await?;
                Ok(Arc::new((bytes, rendered.1.clone())))
            }
            Some((bytes, _)) => {
                let rendered = self.artwork(&row.achievement_id, lang).await?;
                Ok(Arc::new((
                    rendered.0.clone(),
                    String::from_utf8_lossy(&bytes).into_owned(),
                )))
            }
            None => self.artwork(&row.achievement_id, lang).await,
        }
    }

    /// Revokes a badge; the status list reflects it at once. False if already revoked.
    pub async fn revoke(&self, id: &str) -> Result<bool, IssuerError> {
        if self.store.badge(id).await?.is_none() {
            return Err(IssuerError::UnknownBadge(id.into()));
        }
        let revoked = self.store.revoke_badge(id).await?;
        if revoked {
            tracing::info!(badge = %id, "badge revoked");
        }
        Ok(revoked)
    }

    /// The signed status list credential. The revocations are read from the database on each
    /// call, so that one made from the console or the command line shows at once; the list is
    /// signed again only when they changed.
    pub async fn status_list(&self) -> Result<Option<Value>, IssuerError> {
        let Some(url) = self.status_list_url() else {
            return Ok(None);
        };
        let revoked = self.store.revoked_indexes().await?;
        // The list covers every position reserved so far, revoked or not (a badge past its
        // end would be refused): its length class is part of what it was signed for.
        let issued = self.store.status_positions().await?;
        let signed_for = StatusListKey {
            revoked: revoked.clone(),
            length_class: issued.div_ceil(crate::badge::status::MIN_LIST_BITS as u64),
        };
        if let Some((_, list)) = self
            .status_list
            .lock()
            .ok()
            .and_then(|cached| cached.clone())
            .filter(|(key, _)| *key == signed_for)
        {
            return Ok(Some(list));
        }
        // One look at the keys, so that the identity and the key are of the same rotation.
        let (identity, key) = self.signer()?;
        let _permit = self.signing_turn().await?;
        let list = tokio::task::spawn_blocking(move || {
            issue_status_list_covering(
                Canonicalizer::shared(),
                &key,
                &identity,
                &url,
                &revoked,
                issued,
                OffsetDateTime::now_utc(),
            )
        })
        .await
        .map_err(|e| IssuerError::Join(e.to_string()))??;
        if let Ok(mut cached) = self.status_list.lock() {
            *cached = Some((signed_for, list.clone()));
        }
        Ok(Some(list))
    }

    /// Verifies a badge file (PNG, SVG or JSON): the proof, the issuer, the dates, the status
    /// list; for badges of this issuer also its own register of revocations.
    pub async fn verify(&self, bytes: &[u8]) -> VerifyReport {
        let own = OwnDocuments { issuer: self };
        let ctx = VerifyContext {
            canonicalizer: Canonicalizer::shared(),
            resolver: Some(&own),
            status: Some(&own),
            now: OffsetDateTime::now_utc(),
        };
        let report = verify(bytes, &ctx).await;
        self.check_register(report).await
    }

    pub async fn verify_json(&self, credential: Value) -> VerifyReport {
        let own = OwnDocuments { issuer: self };
        let ctx = VerifyContext {
            canonicalizer: Canonicalizer::shared(),
            resolver: Some(&own),
            status: Some(&own),
            now: OffsetDateTime::now_utc(),
        };
        let report = verify_credential(credential, &ctx).await;
        self.check_register(report).await
    }

    async fn check_register(&self, mut report: VerifyReport) -> VerifyReport {
        let id = report
            .summary
            .as_ref()
            .and_then(|s| s.credential_id.clone());
        if let Some(id) = id
            && let Ok(Some(row)) = self.store.badge(&id).await
            && let Some(when) = row.revoked_at
        {
            let when = OffsetDateTime::parse(&when, &time::format_description::well_known::Rfc3339)
                .unwrap_or(OffsetDateTime::UNIX_EPOCH);
            report.push_revoked_here(when);
        }
        report
    }
}

/// Reads a 32-byte secret from `path`, creating it (mode 0600) on first use.
fn load_or_create_secret(path: &Path) -> Result<Vec<u8>, IssuerError> {
    match std::fs::read(path) {
        Ok(bytes) if bytes.len() >= 32 => return Ok(bytes),
        Ok(_) => {
            return Err(IssuerError::Settings(format!(
                "{} is too short",
                path.display()
            )));
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(IssuerError::Badge(e.into())),
    }
    let secret: [u8; 32] = rand::random();
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options
        .open(path)
        .map_err(|e| IssuerError::Badge(e.into()))?;
    std::io::Write::write_all(&mut file, &secret).map_err(|e| IssuerError::Badge(e.into()))?;
    Ok(secret.to_vec())
}

/// This issuer's own did:web document and status list, for verifying its badges without a network.
struct OwnDocuments<'a> {
    issuer: &'a Issuer,
}

impl DocumentResolver for OwnDocuments<'_> {
    fn resolve<'b>(&'b self, id: &'b str) -> BoxFuture<'b, Result<Value, BadgeError>> {
        Box::pin(async move {
            let own = self.issuer.did().ok();
            match self.issuer.did_document() {
                Some(doc) if own.as_deref() == Some(id) => Ok(doc),
                _ => Err(BadgeError::Did(format!(
                    "{id} is not this Atelier's issuer; it cannot be resolved offline"
                ))),
            }
        })
    }
}

impl StatusListSource for OwnDocuments<'_> {
    fn status_list<'b>(&'b self, url: &'b str) -> BoxFuture<'b, Result<Value, BadgeError>> {
        Box::pin(async move {
            if self.issuer.status_list_url().as_deref() != Some(url) {
                return Err(BadgeError::Status(format!(
                    "status list {url} is not this Atelier's; it cannot be fetched offline"
                )));
            }
            match self.issuer.status_list().await {
                Ok(Some(list)) => Ok(list),
                Ok(None) => Err(BadgeError::Status(
                    "this Atelier publishes no status list".into(),
                )),
                Err(e) => Err(BadgeError::Status(e.to_string())),
            }
        })
    }
}
