//! `/o/issuer`: the issuer profile, the achievements' texts and images, uploads checked.

use super::*;

/// The issuer image an organiser uploaded (settings key [`ISSUER_IMAGE_SETTING`]).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct StoredImage {
    #[serde(rename = "type")]
    pub media_type: String,
    /// Base64 (standard alphabet).
    pub data: String,
}

impl StoredImage {
    pub fn data_url(&self) -> String {
        format!("data:{};base64,{}", self.media_type, self.data)
    }
}

pub(super) struct AchievementView {
    /// 1, 2…: distinguishes the form fields of several achievements.
    n: usize,
    id: String,
    fields: Vec<AchievementField>,
    image: String,
    uploaded: bool,
}

pub(super) struct AchievementField {
    name: &'static str,
    label: String,
    multiline: bool,
    max: usize,
    fr: String,
    nl: String,
    en: String,
}

#[derive(Template)]
#[template(path = "organiser_issuer.html")]
pub(super) struct IssuerPage<'a> {
    t: Tr<'a>,
    user: String,
    tab: &'static str,
    notice: Option<String>,
    error: Option<String>,
    issuer: IssuerConfig,
    issuer_image: Option<String>,
    achievements: Vec<AchievementView>,
}

/// The texts of an achievement the form edits: (field, label id, multiline, max characters).
pub(super) const ACHIEVEMENT_FIELDS: [(&str, &str, bool, usize); 4] = [
    ("name", "org-achievement-name", false, 120),
    ("description", "org-achievement-description", true, 2000),
    ("criteria", "org-achievement-criteria", true, 2000),
    ("competence", "org-achievement-competence", false, 200),
];

pub(super) fn achievement_text<'c>(config: &'c AchievementConfig, field: &str) -> &'c Localized {
    match field {
        "description" => &config.description,
        "criteria" => &config.criteria,
        "competence" => &config.competence,
        _ => &config.name,
    }
}

/// The issuer page again, with what was wrong in the form the organiser sent.
pub(super) async fn issuer_refusal(
    state: &Shared,
    headers: &HeaderMap,
    principal: &Principal,
    message: String,
) -> Response {
    issuer_with(
        state,
        headers,
        principal,
        None,
        Some(message),
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await
}

pub(super) async fn issuer_with(
    state: &Shared,
    headers: &HeaderMap,
    principal: &Principal,
    notice: Option<String>,
    error: Option<String>,
    status: StatusCode,
) -> Response {
    let t = tr(state, headers, None);
    let issuer = match state.issuer.issuer_config().await {
        Ok(c) => c,
        Err(e) => return internal(t, e),
    };
    let issuer_image = match state.store.setting(ISSUER_IMAGE_SETTING).await {
        Ok(found) => found
            .and_then(|json| serde_json::from_str::<StoredImage>(&json).ok())
            .map(|i| i.data_url()),
        Err(e) => return internal(t, e),
    };
    let rows = match state.store.achievements().await {
        Ok(rows) => rows,
        Err(e) => return internal(t, e),
    };
    let mut achievements = Vec::new();
    for row in rows {
        let (config, uploaded) = match state.issuer.achievement(&row.id).await {
            Ok(found) => found,
            Err(e) => return internal(t, e),
        };
        let image = match &uploaded {
            Some((bytes, kind)) => format!("data:{kind};base64,{}", STANDARD.encode(bytes)),
            None => match state.issuer.artwork(&row.id, t.lang).await {
                Ok(picture) => format!("data:image/png;base64,{}", STANDARD.encode(&picture.0)),
                Err(e) => return internal(t, e),
            },
        };
        let fields = ACHIEVEMENT_FIELDS
            .iter()
            .map(|&(name, label, multiline, max)| {
                let text = achievement_text(&config, name);
                AchievementField {
                    name,
                    label: t.get(label),
                    multiline,
                    max,
                    fr: text.fr.clone(),
                    nl: text.nl.clone(),
                    en: text.en.clone(),
                }
            })
            .collect();
        achievements.push(AchievementView {
            n: achievements.len() + 1,
            id: row.id,
            fields,
            image,
            uploaded: uploaded.is_some(),
        });
    }
    (
        status,
        render(&IssuerPage {
            t,
            user: principal.display_name().to_string(),
            tab: "issuer",
            notice,
            error,
            issuer,
            issuer_image,
            achievements,
        }),
    )
        .into_response()
}

pub(super) async fn issuer_page(
    State(state): State<Shared>,
    headers: HeaderMap,
    Query(done): Query<Done>,
) -> Response {
    match organiser(&state, &headers, false).await {
        Ok(p) => {
            let notice = notice(tr(&state, &headers, None), &done);
            issuer_with(&state, &headers, &p, notice, None, StatusCode::OK).await
        }
        Err(response) => response,
    }
}

#[derive(Deserialize)]
pub(super) struct IssuerForm {
    name: String,
    #[serde(default)]
    url: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    description: String,
}

/// Checks the issuer form; the message id of the first problem.
pub(super) fn valid_issuer(form: &IssuerForm) -> Result<IssuerConfig, &'static str> {
    let name = form.name.trim();
    if name.is_empty() || name.chars().count() > 120 {
        return Err("org-issuer-name-bad");
    }
    let url = form.url.trim();
    let url_ok = url.is_empty()
        || ((url.starts_with("https://") || url.starts_with("http://"))
            && url.len() <= 300
            && url.len() > "https://".len()
            && !url.contains(char::is_whitespace));
    if !url_ok {
        return Err("org-issuer-url-bad");
    }
    let email = form.email.trim();
    if !email.is_empty() && !crate::web::badges::plausible_email(email) {
        return Err("org-issuer-email-bad");
    }
    let description = form.description.trim();
    if description.chars().count() > 2000 {
        return Err("org-issuer-description-bad");
    }
    let some = |s: &str| (!s.is_empty()).then(|| s.to_string());
    Ok(IssuerConfig {
        name: name.to_string(),
        url: some(url),
        email: some(email),
        description: some(description),
    })
}

pub(super) async fn save_issuer(
    State(state): State<Shared>,
    headers: HeaderMap,
    Form(form): Form<IssuerForm>,
) -> Response {
    let principal = match organiser(&state, &headers, true).await {
        Ok(p) => p,
        Err(response) => return response,
    };
    let t = tr(&state, &headers, None);
    let config = match valid_issuer(&form) {
        Ok(config) => config,
        Err(id) => return issuer_refusal(&state, &headers, &principal, t.get(id)).await,
    };
    if let Err(e) = state.issuer.set_issuer_config(&config).await {
        return internal(t, e);
    }
    // The rendered artwork shows the issuer's name.
    state.issuer.forget_artwork();
    tracing::info!(by = principal.display_name(), "issuer profile changed");
    done("/o/issuer", "issuer")
}

/// An uploaded image form: the file, an achievement id, or a request to remove the image.
#[derive(Default)]
pub(super) struct Upload {
    id: Option<String>,
    file: Option<Vec<u8>>,
    remove: bool,
}

pub(super) async fn read_upload(mut form: Multipart) -> Result<Upload, String> {
    let mut upload = Upload::default();
    loop {
        let field = match form.next_field().await {
            Ok(Some(field)) => field,
            Ok(None) => break,
            Err(e) => return Err(e.body_text()),
        };
        match field.name() {
            Some("image") => {
                let bytes = field.bytes().await.map_err(|e| e.body_text())?;
                if !bytes.is_empty() {
                    upload.file = Some(bytes.to_vec());
                }
            }
            Some("id") => upload.id = field.text().await.ok(),
            Some("remove") => upload.remove = true,
            _ => {}
        }
    }
    Ok(upload)
}

/// Validates an upload: the image and its media type, or the translated reason.
pub(super) fn checked_image(t: Tr, upload: &Upload) -> Result<(Vec<u8>, &'static str), String> {
    let Some(bytes) = &upload.file else {
        return Err(t.get("org-image-missing"));
    };
    match validate_uploaded_image(bytes) {
        // An SVG is stored as written out by the check, not as sent.
        Ok(image) => Ok((image.bytes, image.kind.media_type())),
        Err(e) => Err(t.with("org-image-refused", "reason", &e.to_string())),
    }
}

pub(super) async fn issuer_image(
    State(state): State<Shared>,
    headers: HeaderMap,
    form: Multipart,
) -> Response {
    let principal = match organiser(&state, &headers, true).await {
        Ok(p) => p,
        Err(response) => return response,
    };
    let t = tr(&state, &headers, None);
    let refuse = |message: String| issuer_refusal(&state, &headers, &principal, message);
    let upload = match read_upload(form).await {
        Ok(upload) => upload,
        Err(e) => return refuse(t.with("org-image-refused", "reason", &e)).await,
    };
    if upload.remove {
        // An empty value: no image (the settings table has no delete, and needs none).
        if let Err(e) = state.store.set_setting(ISSUER_IMAGE_SETTING, "null").await {
            return internal(t, e);
        }
        return done("/o/issuer", "image-removed");
    }
    let (bytes, media_type) = match checked_image(t, &upload) {
        Ok(image) => image,
        Err(message) => return refuse(message).await,
    };
    let stored = StoredImage {
        media_type: media_type.to_string(),
        data: STANDARD.encode(&bytes),
    };
    let json = serde_json::to_string(&stored).unwrap_or_default();
    if let Err(e) = state.store.set_setting(ISSUER_IMAGE_SETTING, &json).await {
        return internal(t, e);
    }
    state.issuer.forget_artwork();
    tracing::info!(by = principal.display_name(), "issuer image changed");
    done("/o/issuer", "image")
}

/// Another badge for sessions to choose (its texts start as the workshop's; edit them below).
pub(super) async fn new_achievement(State(state): State<Shared>, headers: HeaderMap) -> Response {
    if let Err(response) = organiser(&state, &headers, true).await {
        return response;
    }
    match state.issuer.new_achievement().await {
        Ok(id) => {
            tracing::info!(achievement = %id, "achievement created");
            done("/o/issuer", "achievement-new")
        }
        Err(e) => internal(tr(&state, &headers, None), e),
    }
}

pub(super) async fn save_achievement(
    State(state): State<Shared>,
    headers: HeaderMap,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    let principal = match organiser(&state, &headers, true).await {
        Ok(p) => p,
        Err(response) => return response,
    };
    let t = tr(&state, &headers, None);
    let refuse = |message: String| issuer_refusal(&state, &headers, &principal, message);
    let id = form.get("id").map(|s| s.trim()).unwrap_or_default();
    let (mut config, _) = match state.issuer.achievement(id).await {
        Ok(found) => found,
        Err(crate::issuer::IssuerError::UnknownAchievement(_)) => {
            return refuse(t.get("org-achievement-unknown")).await;
        }
        Err(e) => return internal(t, e),
    };
    for (name, label, _, max) in ACHIEVEMENT_FIELDS {
        let mut texts = Vec::new();
        for lang in Lang::ALL {
            let text = form
                .get(&format!("{name}_{}", lang.code()))
                .map(|s| s.trim().to_string())
                .unwrap_or_default();
            if text.is_empty() || text.chars().count() > max {
                let what = format!("{} ({})", t.get(label), lang.code().to_uppercase());
                return refuse(t.i18n.tr_args(
                    t.lang,
                    "org-achievement-field-bad",
                    &[("field", &what), ("max", &max.to_string())],
                ))
                .await;
            }
            texts.push(text);
        }
        let [fr, nl, en]: [String; 3] = texts.try_into().unwrap_or_default();
        let localized = Localized { fr, nl, en };
        match name {
            "name" => config.name = localized,
            "description" => config.description = localized,
            "criteria" => config.criteria = localized,
            _ => config.competence = localized,
        }
    }
    let spec = match serde_json::to_string(&config) {
        Ok(spec) => spec,
        Err(e) => return internal(t, e),
    };
    match state.store.update_achievement(id, &spec).await {
        Ok(true) => {}
        Ok(false) => return refuse(t.get("org-achievement-unknown")).await,
        Err(e) => return internal(t, e),
    }
    state.issuer.forget_artwork();
    tracing::info!(
        by = principal.display_name(),
        achievement = id,
        "achievement texts changed"
    );
    done("/o/issuer", "achievement")
}

pub(super) async fn achievement_image(
    State(state): State<Shared>,
    headers: HeaderMap,
    form: Multipart,
) -> Response {
    let principal = match organiser(&state, &headers, true).await {
        Ok(p) => p,
        Err(response) => return response,
    };
    let t = tr(&state, &headers, None);
    let refuse = |message: String| issuer_refusal(&state, &headers, &principal, message);
    let upload = match read_upload(form).await {
        Ok(upload) => upload,
        Err(e) => return refuse(t.with("org-image-refused", "reason", &e)).await,
    };
    let id = upload.id.clone().unwrap_or_default();
    let image = if upload.remove {
        None
    } else {
        match checked_image(t, &upload) {
            Ok(image) => Some(image),
            Err(message) => return refuse(message).await,
        }
    };
    let changed = state
        .store
        .set_achievement_image(
            id.trim(),
            image
                .as_ref()
                .map(|(bytes, kind)| (bytes.as_slice(), *kind)),
        )
        .await;
    match changed {
        Ok(true) => {}
        Ok(false) => return refuse(t.get("org-achievement-unknown")).await,
        Err(e) => return internal(t, e),
    }
    state.issuer.forget_artwork();
    tracing::info!(by = principal.display_name(), achievement = %id, "achievement image changed");
    done(
        "/o/issuer",
        if image.is_some() {
            "image"
        } else {
            "image-removed"
        },
    )
}
