//! Anonymous feedback: the phone's form posts here after the badge; staff screens get live
//! figures; organisers export everything as CSV or JSON. Also the privacy page.
//!
//! A feedback is authorised with the phone's resume token, but stored without the name, the
//! e-mail or the participant id (see `store::feedback`).

use std::borrow::Cow;
use std::collections::BTreeMap;

use askama::Template;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{Value, json};

use super::pages::{render, tr};
use super::{ApiError, Shared, origin_allowed, principal_from};
use crate::auth::Principal;
use crate::i18n::Tr;
use crate::session::{ActivityKind, Phase};
use crate::store::SessionRow;
use crate::store::feedback::{FeedbackFilter, FeedbackRow, NewFeedback};

/// Longest comment, in characters (Unicode scalar values, as the phone counts them).
pub const COMMENT_MAX_CHARS: usize = 2000;
/// Largest feedback request: a full comment of 4-byte characters and the rest, with room.
pub const FEEDBACK_MAX_BYTES: usize = 16 * 1024;
/// The activities a feedback can rate, in the export's column order.
pub const ACTIVITIES: [ActivityKind; 2] = [ActivityKind::Bingo, ActivityKind::Fresque];
/// Retention shown on the privacy page when the organiser has set none.
pub const DEFAULT_RETENTION_DAYS: u32 = 90;

pub fn routes() -> Router<Shared> {
    Router::new()
        .route(
            "/api/feedback",
            post(submit).layer(DefaultBodyLimit::max(FEEDBACK_MAX_BYTES)),
        )
        .route(
            "/api/feedback/check",
            post(check).layer(DefaultBodyLimit::max(FEEDBACK_MAX_BYTES)),
        )
        .route("/api/feedback.csv", get(export_csv))
        .route("/api/feedback.json", get(export_json))
        .route("/api/sessions/{code}/feedback/stats", get(stats))
        .route("/api/sessions/{code}/feedback/comments", post(comments))
        .route("/privacy", get(privacy))
}

fn invalid(code: &'static str, message: impl Into<String>) -> ApiError {
    ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, code, message)
}

/// The participant behind a resume token: their session and participant id.
async fn participant(state: &Shared, body: &Value) -> Result<(SessionRow, u32), ApiError> {
    let unknown = || {
        ApiError::new(
            StatusCode::UNAUTHORIZED,
            "unknown_token",
            "this phone is not (or no longer) part of a session: join it again",
        )
    };
    let token = body["token"]
        .as_str()
        .filter(|t| !t.is_empty() && t.len() <= 200);
    let Some(token) = token else {
        return Err(unknown());
    };
    let (code, pid) = state
        .store
        .participant_for_token(token)
        .await?
        .ok_or_else(unknown)?;
    let row = state
        .store
        .session_by_code(&code)
        .await?
        .ok_or_else(unknown)?;
    Ok((row, pid))
}

/// Feedback comes after the badge: the participant has one, or the session moved on to the
/// feedback phase (or closed).
async fn may_give_feedback(state: &Shared, row: &SessionRow, pid: u32) -> Result<bool, ApiError> {
    let badges = state.store.badges(Some(row.id)).await?;
    if badges.iter().any(|b| b.pid == Some(pid)) {
        return Ok(true);
    }
    let room = state
        .rooms
        .get(&row.code)
        .await
        .map_err(ApiError::internal)?;
    let phase = room.phase().await.ok_or_else(|| {
        ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "busy",
            "the session is restarting: try again in a moment",
        )
    })?;
    Ok(matches!(phase, Phase::Feedback | Phase::Closed))
}

fn session_activities(row: &SessionRow) -> Vec<String> {
    let config: Value = serde_json::from_str(&row.config).unwrap_or_default();
    config["activities"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

fn session_lang(row: &SessionRow) -> String {
    let config: Value = serde_json::from_str(&row.config).unwrap_or_default();
    config["lang"].as_str().unwrap_or("fr").to_string()
}

/// A feedback that passed validation.
#[derive(Debug, PartialEq)]
struct Valid {
    lang: String,
    overall: u8,
    ratings: BTreeMap<String, u8>,
    comment: Option<String>,
}

/// A rating: an integer from 1 to 5 (a JSON number, no fraction).
fn rating(value: &Value, what: &str) -> Result<u8, ApiError> {
    match value.as_u64() {
        Some(n @ 1..=5) => Ok(n as u8),
        _ => Err(invalid(
            "invalid_rating",
            format!("{what}: give a whole number from 1 to 5"),
        )),
    }
}

/// Checks a feedback body against the session it is for. Nothing is stored unless it passes.
fn validate(body: &Value, activities: &[String], default_lang: &str) -> Result<Valid, ApiError> {
    let Some(object) = body.as_object() else {
        return Err(invalid("invalid", "send a JSON object"));
    };
    for key in object.keys() {
        if !["token", "overall", "activities", "comment", "lang"].contains(&key.as_str()) {
            return Err(invalid("invalid", format!("unknown field {key:?}")));
        }
    }
    let overall = match object.get("overall") {
        None | Some(Value::Null) => {
            return Err(invalid(
                "invalid_rating",
                "overall: give an overall rating from 1 to 5",
            ));
        }
        Some(value) => rating(value, "overall")?,
    };
    let mut ratings = BTreeMap::new();
    match object.get("activities") {
        None | Some(Value::Null) => {}
        Some(Value::Object(given)) => {
            for (activity, value) in given {
                if !activities.contains(activity) {
                    return Err(invalid(
                        "unknown_activity",
                        format!(
                            "activities: {activity:?} is not an activity of this session ({})",
                            activities.join(", ")
                        ),
                    ));
                }
                if value.is_null() {
                    continue;
                }
                ratings.insert(activity.clone(), rating(value, activity)?);
            }
        }
        Some(_) => {
            return Err(invalid(
                "invalid",
                "activities: an object such as {\"bingo\": 4}",
            ));
        }
    }
    let comment = match object.get("comment") {
        None | Some(Value::Null) => None,
        Some(Value::String(text)) => {
            let count = text.chars().count();
            if count > COMMENT_MAX_CHARS {
                return Err(invalid(
                    "comment_too_long",
                    format!("comment: at most {COMMENT_MAX_CHARS} characters ({count} were sent)"),
                ));
            }
            // Line breaks and tabs stay; other control characters are dropped.
            let cleaned: String = text
                .chars()
                .filter(|c| !c.is_control() || matches!(c, '\n' | '\r' | '\t'))
                .collect();
            (!cleaned.trim().is_empty()).then_some(cleaned)
        }
        Some(_) => return Err(invalid("invalid", "comment: a text")),
    };
    let lang = match object.get("lang") {
        None | Some(Value::Null) => default_lang.to_string(),
        Some(Value::String(lang)) if super::api::LANGS.contains(&lang.as_str()) => lang.clone(),
        Some(_) => return Err(invalid("invalid", "lang: fr, nl or en")),
    };
    Ok(Valid {
        lang,
        overall,
        ratings,
        comment,
    })
}

fn parse_body(bytes: &Bytes) -> Result<Value, ApiError> {
    serde_json::from_slice(bytes).map_err(|e| {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            "bad_json",
            format!("the body is not JSON: {e}"),
        )
    })
}

fn already_given() -> ApiError {
    ApiError::new(
        StatusCode::CONFLICT,
        "already_given",
        "you have already given your feedback for this workshop: thank you!",
    )
}

/// The live figures of a session: `{"type":"feedback.stats","count","average"}`.
async fn stats_event(state: &Shared, session_id: i64) -> Result<Value, ApiError> {
    let (count, average) = state.store.feedback_stats(session_id).await?;
    let average = average.map(|a| (a * 100.0).round() / 100.0);
    Ok(json!({"type": "feedback.stats", "count": count, "average": average}))
}

/// `POST /api/feedback`: a participant's anonymous feedback.
async fn submit(
    State(state): State<Shared>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    if !origin_allowed(&state, &headers) {
        return Err(ApiError::forbidden());
    }
    let body = parse_body(&body)?;
    let (row, pid) = participant(&state, &body).await?;
    if state.store.feedback_given(row.id, pid).await? {
        return Err(already_given());
    }
    if !may_give_feedback(&state, &row, pid).await? {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "not_yet",
            "feedback opens after the badge: wait for the facilitator",
        ));
    }
    let valid = validate(&body, &session_activities(&row), &session_lang(&row))?;
    let stored = state
        .store
        .insert_feedback(&NewFeedback {
            session_id: row.id,
            pid,
            lang: &valid.lang,
            overall: valid.overall,
            ratings: &valid.ratings,
            comment: valid.comment.as_deref(),
        })
        .await;
    match stored {
        Ok(()) => {}
        Err(crate::store::StoreError::Conflict) => return Err(already_given()),
        Err(e) => return Err(e.into()),
    }
    let event = stats_event(&state, row.id).await?;
    if let Ok(room) = state.rooms.get(&row.code).await {
        room.notify_staff(event).await;
    }
    Ok((StatusCode::CREATED, Json(json!({"stored": true}))).into_response())
}

/// `POST /api/feedback/check` `{"token"}`: whether this phone may give feedback now, whether
/// it already did, and which activities it rates.
async fn check(State(state): State<Shared>, body: Bytes) -> Result<Json<Value>, ApiError> {
    let body = parse_body(&body)?;
    let (row, pid) = participant(&state, &body).await?;
    let given = state.store.feedback_given(row.id, pid).await?;
    let allowed = !given && may_give_feedback(&state, &row, pid).await?;
    Ok(Json(json!({
        "given": given,
        "allowed": allowed,
        "activities": session_activities(&row),
        "comment_max": COMMENT_MAX_CHARS,
    })))
}

#[derive(Deserialize)]
struct KeyQuery {
    k: Option<String>,
}

/// The session, if the caller is its facilitator (or an organiser), or shows the projector's key.
async fn staff_session(
    state: &Shared,
    headers: &HeaderMap,
    code: &str,
    key: Option<&str>,
) -> Result<SessionRow, ApiError> {
    let row = state
        .store
        .session_by_code(code)
        .await?
        .ok_or_else(|| ApiError::not_found("session"))?;
    let by_key = key.is_some_and(|k| {
        bool::from(subtle::ConstantTimeEq::ct_eq(
            k.as_bytes(),
            row.screen_key.as_bytes(),
        ))
    });
    if by_key {
        return Ok(row);
    }
    match principal_from(state, headers).await? {
        Some(p) if p.may_run(&row) => Ok(row),
        Some(_) => Err(ApiError::not_found("session")),
        None => Err(ApiError::unauthorized()),
    }
}

/// `GET /api/sessions/{code}/feedback/stats[?k=KEY]`: the figures, for a projector that just
/// (re)connected. Facilitator, organiser or the projector's key.
async fn stats(
    State(state): State<Shared>,
    headers: HeaderMap,
    Path(code): Path<String>,
    Query(q): Query<KeyQuery>,
) -> Result<Json<Value>, ApiError> {
    let row = staff_session(&state, &headers, &code, q.k.as_deref()).await?;
    Ok(Json(stats_event(&state, row.id).await?))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ShowComments {
    show: bool,
}

/// `POST /api/sessions/{code}/feedback/comments` `{"show": bool}`: the facilitator shows the
/// comments on the projector (`feedback.comments` with the comments) or hides them again.
async fn comments(
    State(state): State<Shared>,
    headers: HeaderMap,
    Path(code): Path<String>,
    body: Result<super::ApiJson<ShowComments>, ApiError>,
) -> Result<Json<Value>, ApiError> {
    if !origin_allowed(&state, &headers) {
        return Err(ApiError::forbidden());
    }
    let row = staff_session(&state, &headers, &code, None).await?;
    let super::ApiJson(ShowComments { show }) = body.map_err(|e| {
        invalid(
            "invalid",
            format!("send {{\"show\": true|false}}: {}", e.message),
        )
    })?;
    let comments = if show {
        state.store.feedback_comments(row.id).await?
    } else {
        Vec::new()
    };
    let event = json!({"type": "feedback.comments", "show": show, "comments": comments});
    let room = state
        .rooms
        .get(&row.code)
        .await
        .map_err(ApiError::internal)?;
    room.notify_staff(event.clone()).await;
    Ok(Json(event))
}

// ---- exports ------------------------------------------------------------------------------

/// Filters of the exports and of the organiser console (all optional).
#[derive(Debug, Default, Deserialize)]
pub struct ExportQuery {
    pub session: Option<String>,
    pub from: Option<String>,
    pub to: Option<String>,
    /// A facilitator's username.
    pub facilitator: Option<String>,
    pub deck: Option<String>,
}

/// A `YYYY-MM-DD` date, checked.
pub fn parse_day(value: &str) -> Option<String> {
    let format = time::macros::format_description!("[year]-[month]-[day]");
    time::Date::parse(value.trim(), &format)
        .ok()
        .map(|d| d.format(&format).unwrap_or_default())
}

/// A query parameter that was given, trimmed, and not empty.
fn given(value: &Option<String>) -> Option<&str> {
    value.as_deref().map(str::trim).filter(|v| !v.is_empty())
}

/// Turns query parameters into a store filter; empty values do not filter.
pub async fn feedback_filter(state: &Shared, q: &ExportQuery) -> Result<FeedbackFilter, ApiError> {
    let day = |name: &str, v: &Option<String>| -> Result<Option<String>, ApiError> {
        given(v)
            .map(|d| {
                parse_day(d)
                    .ok_or_else(|| invalid("invalid", format!("{name}: a date as YYYY-MM-DD")))
            })
            .transpose()
    };
    let mut filter = FeedbackFilter {
        from: day("from", &q.from)?,
        to: day("to", &q.to)?,
        deck: given(&q.deck).map(str::to_string),
        ..Default::default()
    };
    if let Some(code) = given(&q.session) {
        let code = crate::session::code::normalise_join_code(code)
            .ok_or_else(|| ApiError::not_found("session"))?;
        let row = state
            .store
            .session_by_code(&code)
            .await?
            .ok_or_else(|| ApiError::not_found("session"))?;
        filter.session_id = Some(row.id);
    }
    if let Some(name) = given(&q.facilitator) {
        let user = state
            .store
            .user_by_name(name)
            .await?
            .ok_or_else(|| ApiError::not_found("facilitator"))?;
        filter.owner_id = Some(user.0.id);
    }
    Ok(filter)
}

async fn organiser_only(state: &Shared, headers: &HeaderMap) -> Result<Principal, ApiError> {
    match principal_from(state, headers).await? {
        Some(p) if p.is_organiser() => Ok(p),
        Some(_) => Err(ApiError::forbidden()),
        None => Err(ApiError::unauthorized()),
    }
}

/// A text cell a spreadsheet will not run as a formula: cells starting with `=`, `+`, `-`,
/// `@`, a tab or a carriage return get a leading apostrophe (OWASP's advice).
pub fn spreadsheet_safe(cell: &str) -> Cow<'_, str> {
    if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        Cow::Owned(format!("'{cell}"))
    } else {
        Cow::Borrowed(cell)
    }
}

/// The CSV export: RFC 4180 (CRLF, quotes doubled), UTF-8 with a byte-order mark so that
/// Excel reads the accents right, and a header row.
pub fn feedback_csv(rows: &[FeedbackRow]) -> Result<Vec<u8>, csv::Error> {
    let mut out = b"\xEF\xBB\xBF".to_vec();
    {
        let mut writer = csv::WriterBuilder::new()
            .terminator(csv::Terminator::CRLF)
            .quote_style(csv::QuoteStyle::Necessary)
            .from_writer(&mut out);
        let mut header = vec!["session", "date", "lang", "overall"];
        header.extend(ACTIVITIES.iter().map(|a| a.as_str()));
        header.push("comment");
        writer.write_record(&header)?;
        for row in rows {
            let mut record: Vec<Cow<str>> = vec![
                spreadsheet_safe(&row.session_code),
                Cow::Borrowed(&row.date),
                spreadsheet_safe(&row.lang),
                Cow::Owned(row.overall.to_string()),
            ];
            for activity in ACTIVITIES {
                record.push(Cow::Owned(
                    row.ratings
                        .get(activity.as_str())
                        .map(u8::to_string)
                        .unwrap_or_default(),
                ));
            }
            record.push(spreadsheet_safe(row.comment.as_deref().unwrap_or_default()));
            writer.write_record(record.iter().map(|c| c.as_ref()))?;
        }
        writer.flush()?;
    }
    Ok(out)
}

pub fn feedback_json(rows: &[FeedbackRow]) -> Value {
    let items: Vec<Value> = rows
        .iter()
        .map(|r| {
            json!({
                "session": r.session_code,
                "date": r.date,
                "lang": r.lang,
                "overall": r.overall,
                "activities": r.ratings,
                "comment": r.comment,
            })
        })
        .collect();
    json!({"count": items.len(), "feedback": items})
}

fn attachment(name: &str) -> (header::HeaderName, String) {
    (
        header::CONTENT_DISPOSITION,
        format!("attachment; filename=\"{name}\""),
    )
}

/// `GET /api/feedback.csv`: organisers only.
async fn export_csv(
    State(state): State<Shared>,
    headers: HeaderMap,
    Query(q): Query<ExportQuery>,
) -> Result<Response, ApiError> {
    organiser_only(&state, &headers).await?;
    let filter = feedback_filter(&state, &q).await?;
    let rows = state.store.feedback(&filter).await?;
    let csv = feedback_csv(&rows).map_err(ApiError::internal)?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
            attachment("atelier-feedback.csv"),
            (header::CACHE_CONTROL, "private, no-store".to_string()),
        ],
        csv,
    )
        .into_response())
}

/// `GET /api/feedback.json`: organisers only.
async fn export_json(
    State(state): State<Shared>,
    headers: HeaderMap,
    Query(q): Query<ExportQuery>,
) -> Result<Response, ApiError> {
    organiser_only(&state, &headers).await?;
    let filter = feedback_filter(&state, &q).await?;
    let rows = state.store.feedback(&filter).await?;
    Ok((
        [
            (header::CONTENT_TYPE, "application/json".to_string()),
            attachment("atelier-feedback.json"),
            (header::CACHE_CONTROL, "private, no-store".to_string()),
        ],
        Json(feedback_json(&rows)),
    )
        .into_response())
}

// ---- privacy ------------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "privacy.html")]
struct PrivacyPage<'a> {
    t: Tr<'a>,
    days: String,
    organiser: String,
}

/// `/privacy`: what Atelier keeps about a participant, for how long, and how to get or erase it.
async fn privacy(State(state): State<Shared>, headers: HeaderMap) -> Response {
    let t = tr(&state, &headers, None);
    let days = match state.store.setting("retention_days").await {
        Ok(Some(value)) => value
            .trim()
            .parse::<u32>()
            .unwrap_or(DEFAULT_RETENTION_DAYS),
        _ => DEFAULT_RETENTION_DAYS,
    };
    let issuer = state.issuer.issuer_config().await.unwrap_or_default();
    let organiser = match &issuer.email {
        Some(email) => format!("{} <{email}>", issuer.name),
        None => issuer.name,
    };
    render(&PrivacyPage {
        t,
        days: days.to_string(),
        organiser,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn session() -> Vec<String> {
        vec!["bingo".into(), "fresque".into()]
    }

    #[test]
    fn ratings_must_be_whole_numbers_from_one_to_five() {
        for bad in [
            json!(0),
            json!(6),
            json!(3.5),
            json!("4"),
            json!(-1),
            json!(true),
        ] {
            let body = json!({"token": "x", "overall": bad});
            let error = validate(&body, &session(), "fr").unwrap_err();
            assert_eq!(error.status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
        }
        let body = json!({"token": "x", "overall": 5, "activities": {"bingo": 1, "fresque": null}});
        let valid = validate(&body, &session(), "nl").unwrap();
        assert_eq!(valid.overall, 5);
        assert_eq!(valid.lang, "nl");
        assert_eq!(valid.ratings, BTreeMap::from([("bingo".to_string(), 1)]));
    }

    #[test]
    fn activities_and_comments_are_checked() {
        let only_bingo = vec!["bingo".to_string()];
        let body = json!({"token": "x", "overall": 4, "activities": {"fresque": 3}});
        assert_eq!(
            validate(&body, &only_bingo, "fr").unwrap_err().code,
            "unknown_activity"
        );
        let long = "é".repeat(COMMENT_MAX_CHARS + 1);
        let body = json!({"token": "x", "overall": 4, "comment": long});
        assert_eq!(
            validate(&body, &session(), "fr").unwrap_err().code,
            "comment_too_long"
        );
        let exact = "é".repeat(COMMENT_MAX_CHARS);
        let body = json!({"token": "x", "overall": 4, "comment": exact});
        assert!(validate(&body, &session(), "fr").is_ok());
        let body = json!({"token": "x", "overall": 4, "comment": "  \n "});
        assert_eq!(validate(&body, &session(), "fr").unwrap().comment, None);
    }

    #[test]
    fn formulas_are_neutralised() {
        assert_eq!(spreadsheet_safe("=1+1"), "'=1+1");
        assert_eq!(spreadsheet_safe("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(spreadsheet_safe("\tx"), "'\tx");
        assert_eq!(spreadsheet_safe("Très bien"), "Très bien");
        assert_eq!(spreadsheet_safe(""), "");
    }
}
