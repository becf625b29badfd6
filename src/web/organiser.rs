//! The organiser console (`/o`, organisers only): sessions with their figures, feedback across
//! sessions with filters and server-rendered SVG charts, issued badges with revocation, the
//! issuer profile and the achievement texts and images (facilitator accounts: `accounts.rs`).
//!
//! Every form posts to this server with the CSRF defence of the other pages (`Origin` check and
//! a `SameSite=Strict` cookie); after a change the browser is redirected (303) to the page, with
//! `?done=…` naming what was done.

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;

use askama::Template;
use axum::extract::{DefaultBodyLimit, Multipart, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde::{Deserialize, Serialize};

use super::feedback::{ACTIVITIES, ExportQuery, feedback_filter};
use super::pages::{internal, page_error, render, signed_in, tr};
use super::{Shared, origin_allowed};
use crate::auth::Principal;
use crate::badge::artwork::validate_uploaded_image;
use crate::deck::{Lang, Localized};
use crate::i18n::Tr;
use crate::issuer::{AchievementConfig, IssuerConfig};
use crate::store::feedback::{FeedbackRow, SessionSummary};

/// Settings key of the issuer's uploaded image (JSON `{"type", "data"}`, data in base64).
pub const ISSUER_IMAGE_SETTING: &str = "issuer_image";
/// Largest upload request (the image itself is limited to 1 MiB by the validator, so that a
/// slightly larger file gets a clear message rather than a bare 413).
pub const UPLOAD_MAX_BYTES: usize = 3 * 1024 * 1024;
/// Feedback rows listed on the page; the exports have them all.
const FEEDBACK_LISTED: usize = 200;

pub fn routes() -> Router<Shared> {
    Router::new()
        .route("/o", get(overview))
        .route("/o/badges", get(badges_page))
        .route("/o/badges/revoke", post(revoke))
        .route("/o/issuer", get(issuer_page).post(save_issuer))
        .route(
            "/o/issuer/image",
            post(issuer_image).layer(DefaultBodyLimit::max(UPLOAD_MAX_BYTES)),
        )
        .route("/o/achievements", post(save_achievement))
        .route("/o/achievements/new", post(new_achievement))
        .route(
            "/o/achievements/image",
            post(achievement_image).layer(DefaultBodyLimit::max(UPLOAD_MAX_BYTES)),
        )
}

/// The signed-in organiser, or the response to send instead (sign-in redirect, 403 page).
/// `form`: a state-changing request, whose `Origin` must be ours.
pub(crate) async fn organiser(
    state: &Shared,
    headers: &HeaderMap,
    form: bool,
) -> Result<Principal, Response> {
    let t = tr(state, headers, None);
    let principal = match signed_in(state, headers).await {
        Ok(p) if p.is_organiser() => p,
        Ok(_) => return Err(page_error(t, StatusCode::FORBIDDEN, "organiser-only")),
        Err(redirect) => return Err(redirect),
    };
    if form && !origin_allowed(state, headers) {
        return Err(page_error(t, StatusCode::FORBIDDEN, "error-refused"));
    }
    Ok(principal)
}

/// After a change: back to the page, saying what was done.
fn done(path: &str, what: &str) -> Response {
    // `Redirect::to` answers 303 See Other: the browser follows with a GET.
    Redirect::to(&format!("{path}?done={what}")).into_response()
}

#[derive(Deserialize, Default)]
struct Done {
    done: Option<String>,
}

/// The message for `?done=…` (only known values: the query string is not echoed).
fn notice(t: Tr, done: &Done) -> Option<String> {
    let id = match done.done.as_deref()? {
        "revoked" => "org-done-revoked",
        "issuer" => "org-done-issuer",
        "image" => "org-done-image",
        "image-removed" => "org-done-image-removed",
        "achievement" => "org-done-achievement",
        "achievement-new" => "org-done-achievement-new",
        "welcome" => "org-done-welcome",
        _ => return None,
    };
    Some(t.get(id))
}

/// The session title, language and deck written in its configuration.
fn config_field(config: &str, name: &str) -> String {
    serde_json::from_str::<serde_json::Value>(config).unwrap_or_default()[name]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

/// `2025-03-14T09:30:00Z` → `2025-03-14 09:30`.
fn short_time(rfc3339: &str) -> String {
    rfc3339.get(..16).unwrap_or(rfc3339).replace('T', " ")
}

fn day_of(rfc3339: &str) -> &str {
    rfc3339.get(..10).unwrap_or(rfc3339)
}

/// An average with one decimal, with the reader's decimal separator.
fn decimal(value: f64, t: Tr) -> String {
    let text = format!("{value:.1}");
    if t.lang == Lang::En {
        text
    } else {
        text.replace('.', ",")
    }
}

fn average(values: impl Iterator<Item = u8>) -> Option<f64> {
    let (sum, n) = values.fold((0u64, 0u64), |(s, n), v| (s + u64::from(v), n + 1));
    (n > 0).then(|| sum as f64 / n as f64)
}

/// Percent-encodes a query-string value.
fn encode(value: &str) -> String {
    let mut out = String::new();
    for b in value.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
            out.push(b as char);
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    out
}

/// Escapes text for SVG (XML).
fn esc(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

// ---- charts --------------------------------------------------------------------------------

/// Bar chart of the overall ratings 1 to 5. Styled by `static/organiser.css` (the CSP allows
/// no inline style); described by its title and `desc` for screen readers.
pub fn distribution_svg(counts: [u64; 5], t: Tr) -> String {
    let (width, height) = (520.0, 250.0);
    let (left, right, top, bottom) = (16.0, 16.0, 28.0, 52.0);
    let plot_w = width - left - right;
    let plot_h = height - top - bottom;
    let max = counts.iter().copied().max().unwrap_or(0).max(1) as f64;
    let slot = plot_w / 5.0;
    let bar_w = slot * 0.62;
    let total: u64 = counts.iter().sum();
    let title = t.get("org-chart-distribution");
    let desc = (1..=5)
        .map(|r| {
            t.i18n.tr_args(
                t.lang,
                "org-chart-distribution-item",
                &[
                    ("rating", &r.to_string()),
                    ("count", &counts[r - 1].to_string()),
                ],
            )
        })
        .collect::<Vec<_>>()
        .join(", ");
    let mut svg = format!(
        r#"<svg class="chart" viewBox="0 0 {width} {height}" role="img" aria-labelledby="dist-title dist-desc" xmlns="http://www.w3.org/2000/svg"><title id="dist-title">{}</title><desc id="dist-desc">{}</desc>"#,
        esc(&title),
        esc(&desc)
    );
    let base = top + plot_h;
    let _ = write!(
        svg,
        r#"<line class="axis" x1="{left}" y1="{base}" x2="{}" y2="{base}"/>"#,
        width - right
    );
    for (i, &count) in counts.iter().enumerate() {
        let h = count as f64 / max * plot_h;
        let x = left + slot * i as f64 + (slot - bar_w) / 2.0;
        let y = base - h;
        let cx = x + bar_w / 2.0;
        let share = if total > 0 {
            format!(" · {:.0} %", count as f64 * 100.0 / total as f64)
        } else {
            String::new()
        };
        let _ = write!(
            svg,
            r#"<rect class="bar r{r}" x="{x:.1}" y="{y:.1}" width="{bar_w:.1}" height="{h:.1}" rx="4"><title>{r} : {count}{share}</title></rect><text class="value" x="{cx:.1}" y="{:.1}" text-anchor="middle">{count}</text><text class="tick" x="{cx:.1}" y="{:.1}" text-anchor="middle">{r}</text>"#,
            (y - 6.0).max(12.0),
            base + 22.0,
            r = i + 1,
        );
    }
    let _ = write!(
        svg,
        r#"<text class="axis-title" x="{:.1}" y="{:.1}" text-anchor="middle">{}</text></svg>"#,
        width / 2.0,
        height - 6.0,
        esc(&t.get("org-chart-rating-axis"))
    );
    svg
}

/// One point of the "average per session over time" chart.
pub struct SessionPoint {
    pub date: String,
    pub code: String,
    pub average: f64,
    pub count: usize,
}

/// Line chart of the average overall rating of each session, in the order sessions were run.
pub fn averages_svg(points: &[SessionPoint], t: Tr) -> String {
    let (width, height) = (640.0, 270.0);
    let (left, right, top, bottom) = (40.0, 24.0, 20.0, 64.0);
    let plot_w = width - left - right;
    let plot_h = height - top - bottom;
    let y_of = |v: f64| top + (5.0 - v) / 4.0 * plot_h;
    let x_of = |i: usize| {
        if points.len() <= 1 {
            left + plot_w / 2.0
        } else {
            left + plot_w * i as f64 / (points.len() - 1) as f64
        }
    };
    let title = t.get("org-chart-averages");
    let desc = points
        .iter()
        .map(|p| format!("{} {}: {}", p.date, p.code, decimal(p.average, t)))
        .collect::<Vec<_>>()
        .join(", ");
    let mut svg = format!(
        r#"<svg class="chart" viewBox="0 0 {width} {height}" role="img" aria-labelledby="avg-title avg-desc" xmlns="http://www.w3.org/2000/svg"><title id="avg-title">{}</title><desc id="avg-desc">{}</desc>"#,
        esc(&title),
        esc(&desc)
    );
    for v in 1..=5 {
        let y = y_of(f64::from(v));
        let _ = write!(
            svg,
            r#"<line class="grid" x1="{left}" y1="{y:.1}" x2="{:.1}" y2="{y:.1}"/><text class="tick" x="{:.1}" y="{:.1}" text-anchor="end">{v}</text>"#,
            width - right,
            left - 10.0,
            y + 5.0
        );
    }
    if points.len() > 1 {
        let line = points
            .iter()
            .enumerate()
            .map(|(i, p)| format!("{:.1},{:.1}", x_of(i), y_of(p.average)))
            .collect::<Vec<_>>()
            .join(" ");
        let _ = write!(svg, r#"<polyline class="line" points="{line}"/>"#);
    }
    // At most about eight date labels, evenly spread.
    let every = points.len().div_ceil(8).max(1);
    for (i, p) in points.iter().enumerate() {
        let (x, y) = (x_of(i), y_of(p.average));
        let _ = write!(
            svg,
            r#"<circle class="dot" cx="{x:.1}" cy="{y:.1}" r="6"><title>{} · {} · {} ({})</title></circle>"#,
            esc(&p.date),
            esc(&p.code),
            decimal(p.average, t),
            p.count
        );
        if i % every == 0 || i + 1 == points.len() {
            let _ = write!(
                svg,
                r#"<text class="tick" x="{x:.1}" y="{:.1}" text-anchor="middle">{}</text>"#,
                top + plot_h + 22.0,
                esc(p.date.get(5..).unwrap_or(&p.date))
            );
        }
    }
    let _ = write!(
        svg,
        r#"<text class="axis-title" x="{:.1}" y="{:.1}" text-anchor="middle">{}</text></svg>"#,
        left + plot_w / 2.0,
        height - 8.0,
        esc(&t.get("org-chart-time-axis"))
    );
    svg
}

// ---- overview: sessions and feedback -----------------------------------------------------

struct SessionLine {
    date: String,
    title: String,
    code: String,
    facilitator: String,
    participants: i64,
    badges: i64,
    feedback_count: i64,
    feedback_average: String,
}

struct FeedbackLine {
    date: String,
    session: String,
    lang: String,
    overall: u8,
    ratings: String,
    comment: String,
}

struct Kpi {
    label: String,
    value: String,
}

struct PointLine {
    date: String,
    code: String,
    average: String,
    count: usize,
}

#[derive(Template)]
#[template(path = "organiser.html")]
struct OverviewPage<'a> {
    t: Tr<'a>,
    user: String,
    tab: &'static str,
    notice: Option<String>,
    error: Option<String>,
    /// The organisation is not named yet: badges would carry the software's name.
    issuer_missing: bool,
    from: String,
    to: String,
    facilitator: String,
    deck: String,
    facilitators: Vec<String>,
    decks: Vec<String>,
    export_query: String,
    kpis: Vec<Kpi>,
    distribution: String,
    averages: String,
    distribution_rows: Vec<(u8, u64)>,
    points: Vec<PointLine>,
    sessions: Vec<SessionLine>,
    feedback: Vec<FeedbackLine>,
    shown_text: String,
}

fn session_matches(s: &SessionSummary, q: &ExportQuery) -> bool {
    let given = |v: &Option<String>| {
        v.as_deref()
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .map(str::to_string)
    };
    let day = day_of(&s.created_at);
    given(&q.from).is_none_or(|from| day >= from.as_str())
        && given(&q.to).is_none_or(|to| day <= to.as_str())
        && given(&q.facilitator).is_none_or(|f| {
            s.owner
                .as_deref()
                .is_some_and(|o| o.eq_ignore_ascii_case(&f))
        })
        && given(&q.deck).is_none_or(|d| config_field(&s.config, "deck") == d)
}

async fn overview(
    State(state): State<Shared>,
    headers: HeaderMap,
    Query(q): Query<ExportQuery>,
    Query(done): Query<Done>,
) -> Response {
    let principal = match organiser(&state, &headers, false).await {
        Ok(p) => p,
        Err(response) => return response,
    };
    let t = tr(&state, &headers, None);
    let (filter, error) = match feedback_filter(&state, &q).await {
        Ok(filter) => (filter, None),
        Err(e) => (
            Default::default(),
            Some(t.get(if e.code == "invalid" {
                "org-filter-date-bad"
            } else {
                "org-filter-unknown"
            })),
        ),
    };
    let q = if error.is_some() {
        ExportQuery::default()
    } else {
        q
    };
    let rows = match state.store.feedback(&filter).await {
        Ok(rows) => rows,
        Err(e) => return internal(t, e),
    };
    let summaries = match state.store.session_summaries().await {
        Ok(s) => s,
        Err(e) => return internal(t, e),
    };
    let users = match state.store.list_users().await {
        Ok(u) => u,
        Err(e) => return internal(t, e),
    };
    let mut decks: Vec<String> = state.decks.list().iter().map(|d| d.id.clone()).collect();
    if let Ok(used) = state.store.session_decks().await {
        for d in used {
            if !decks.contains(&d) {
                decks.push(d);
            }
        }
    }
    let value = |v: &Option<String>| v.as_deref().unwrap_or_default().trim().to_string();
    let export_query = [
        ("from", value(&q.from)),
        ("to", value(&q.to)),
        ("facilitator", value(&q.facilitator)),
        ("deck", value(&q.deck)),
    ]
    .iter()
    .filter(|(_, v)| !v.is_empty())
    .map(|(k, v)| format!("{k}={}", encode(v)))
    .collect::<Vec<_>>()
    .join("&");
    let page = overview_page(t, &rows, &summaries, &q);
    let issuer_missing = match state.issuer.issuer_named().await {
        Ok(named) => !named,
        Err(e) => return internal(t, e),
    };
    render(&OverviewPage {
        issuer_missing,
        user: principal.display_name().to_string(),
        tab: "overview",
        notice: notice(t, &done),
        error,
        from: value(&q.from),
        to: value(&q.to),
        facilitator: value(&q.facilitator),
        deck: value(&q.deck),
        facilitators: users.into_iter().map(|u| u.username).collect(),
        decks,
        export_query,
        ..page
    })
}

/// The figures, charts and tables of the overview, from the filtered feedback and sessions.
fn overview_page<'a>(
    t: Tr<'a>,
    rows: &[FeedbackRow],
    summaries: &[SessionSummary],
    q: &ExportQuery,
) -> OverviewPage<'a> {
    let mut counts = [0u64; 5];
    for r in rows {
        if (1..=5).contains(&r.overall) {
            counts[usize::from(r.overall) - 1] += 1;
        }
    }
    let dash = || "–".to_string();
    let mut kpis = vec![
        Kpi {
            label: t.get("org-kpi-feedback"),
            value: rows.len().to_string(),
        },
        Kpi {
            label: t.get("org-kpi-average"),
            value: average(rows.iter().map(|r| r.overall)).map_or_else(dash, |a| decimal(a, t)),
        },
    ];
    for activity in ACTIVITIES {
        let avg = average(
            rows.iter()
                .filter_map(|r| r.ratings.get(activity.as_str()).copied()),
        );
        kpis.push(Kpi {
            label: t.with(
                "org-kpi-activity",
                "activity",
                &t.get(&format!("phase-{}", activity.as_str())),
            ),
            value: avg.map_or_else(dash, |a| decimal(a, t)),
        });
    }
    // Per session, in the order sessions were created.
    let mut by_session: BTreeMap<(String, String), Vec<u8>> = BTreeMap::new();
    for r in rows {
        by_session
            .entry((r.session_created.clone(), r.session_code.clone()))
            .or_default()
            .push(r.overall);
    }
    let points: Vec<SessionPoint> = by_session
        .into_iter()
        .map(|((created, code), ratings)| SessionPoint {
            date: day_of(&created).to_string(),
            code,
            average: average(ratings.iter().copied()).unwrap_or_default(),
            count: ratings.len(),
        })
        .collect();
    let sessions = summaries
        .iter()
        .filter(|s| session_matches(s, q))
        .map(|s| SessionLine {
            date: short_time(&s.created_at),
            title: config_field(&s.config, "title"),
            code: s.code.clone(),
            facilitator: s
                .owner
                .clone()
                .unwrap_or_else(|| t.get("org-no-facilitator")),
            participants: s.participants,
            badges: s.badges,
            feedback_count: s.feedback_count,
            feedback_average: s.feedback_average.map_or_else(dash, |a| decimal(a, t)),
        })
        .collect();
    let feedback = rows
        .iter()
        .rev()
        .take(FEEDBACK_LISTED)
        .map(|r| FeedbackLine {
            date: r.date.clone(),
            session: r.session_code.clone(),
            lang: r.lang.to_uppercase(),
            overall: r.overall,
            ratings: ACTIVITIES
                .iter()
                .filter_map(|a| {
                    r.ratings.get(a.as_str()).map(|v| {
                        t.i18n.tr_args(
                            t.lang,
                            "org-activity-rating",
                            &[
                                ("activity", &t.get(&format!("phase-{}", a.as_str()))),
                                ("rating", &v.to_string()),
                            ],
                        )
                    })
                })
                .collect::<Vec<_>>()
                .join(" · "),
            comment: r.comment.clone().unwrap_or_default(),
        })
        .collect();
    OverviewPage {
        t,
        user: String::new(),
        tab: "overview",
        notice: None,
        error: None,
        issuer_missing: false,
        from: String::new(),
        to: String::new(),
        facilitator: String::new(),
        deck: String::new(),
        facilitators: Vec::new(),
        decks: Vec::new(),
        export_query: String::new(),
        kpis,
        distribution: distribution_svg(counts, t),
        averages: averages_svg(&points, t),
        distribution_rows: (1..=5u8).zip(counts).collect(),
        points: points
            .iter()
            .map(|p| PointLine {
                date: p.date.clone(),
                code: p.code.clone(),
                average: decimal(p.average, t),
                count: p.count,
            })
            .collect(),
        sessions,
        shown_text: t.i18n.tr_args(
            t.lang,
            "org-feedback-shown",
            &[
                ("shown", &rows.len().min(FEEDBACK_LISTED).to_string()),
                ("total", &rows.len().to_string()),
            ],
        ),
        feedback,
    }
}

// ---- badges ------------------------------------------------------------------------------------

struct BadgeLine {
    id: String,
    short: String,
    uuid: String,
    issued: String,
    recipient: String,
    /// `None`: issued by hand (API or command line).
    session: Option<String>,
    revoked: Option<String>,
    /// Issued without a status list: a revocation is known to this installation only.
    offline: bool,
}

#[derive(Template)]
#[template(path = "organiser_badges.html")]
struct BadgesPage<'a> {
    t: Tr<'a>,
    user: String,
    tab: &'static str,
    notice: Option<String>,
    error: Option<String>,
    badges: Vec<BadgeLine>,
}

async fn badges_with(
    state: &Shared,
    headers: &HeaderMap,
    principal: &Principal,
    notice: Option<String>,
    error: Option<String>,
) -> Response {
    let t = tr(state, headers, None);
    let rows = match state.store.badges(None).await {
        Ok(rows) => rows,
        Err(e) => return internal(t, e),
    };
    let codes: HashMap<i64, String> = match state.store.list_sessions(None).await {
        Ok(sessions) => sessions.into_iter().map(|s| (s.id, s.code)).collect(),
        Err(e) => return internal(t, e),
    };
    let badges = rows
        .into_iter()
        .map(|b| {
            let uuid = b.id.trim_start_matches("urn:uuid:").to_string();
            BadgeLine {
                short: uuid.get(..8).unwrap_or(&uuid).to_string(),
                uuid,
                issued: short_time(&b.issued_at),
                recipient: b
                    .recipient_name
                    .unwrap_or_else(|| t.get("org-badge-erased")),
                session: b.session_id.and_then(|id| codes.get(&id).cloned()),
                revoked: b.revoked_at.as_deref().map(short_time),
                offline: b.status_index.is_none(),
                id: b.id,
            }
        })
        .collect();
    render(&BadgesPage {
        t,
        user: principal.display_name().to_string(),
        tab: "badges",
        notice,
        error,
        badges,
    })
}

async fn badges_page(
    State(state): State<Shared>,
    headers: HeaderMap,
    Query(done): Query<Done>,
) -> Response {
    match organiser(&state, &headers, false).await {
        Ok(p) => {
            let notice = notice(tr(&state, &headers, None), &done);
            badges_with(&state, &headers, &p, notice, None).await
        }
        Err(response) => response,
    }
}

#[derive(Deserialize)]
struct RevokeForm {
    id: String,
}

async fn revoke(
    State(state): State<Shared>,
    headers: HeaderMap,
    Form(form): Form<RevokeForm>,
) -> Response {
    let principal = match organiser(&state, &headers, true).await {
        Ok(p) => p,
        Err(response) => return response,
    };
    match state.issuer.revoke(form.id.trim()).await {
        Ok(_) => done("/o/badges", "revoked"),
        Err(crate::issuer::IssuerError::UnknownBadge(_)) => {
            let t = tr(&state, &headers, None);
            let page = badges_with(
                &state,
                &headers,
                &principal,
                None,
                Some(t.get("org-badge-unknown")),
            )
            .await;
            (StatusCode::NOT_FOUND, page).into_response()
        }
        Err(e) => internal(tr(&state, &headers, None), e),
    }
}

// ---- issuer profile and achievements ---------------------------------------------------------

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

struct AchievementView {
    /// 1, 2…: distinguishes the form fields of several achievements.
    n: usize,
    id: String,
    fields: Vec<AchievementField>,
    image: String,
    uploaded: bool,
}

struct AchievementField {
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
struct IssuerPage<'a> {
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
const ACHIEVEMENT_FIELDS: [(&str, &str, bool, usize); 4] = [
    ("name", "org-achievement-name", false, 120),
    ("description", "org-achievement-description", true, 2000),
    ("criteria", "org-achievement-criteria", true, 2000),
    ("competence", "org-achievement-competence", false, 200),
];

fn achievement_text<'c>(config: &'c AchievementConfig, field: &str) -> &'c Localized {
    match field {
        "description" => &config.description,
        "criteria" => &config.criteria,
        "competence" => &config.competence,
        _ => &config.name,
    }
}

/// The issuer page again, with what was wrong in the form the organiser sent.
async fn issuer_refusal(
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

async fn issuer_with(
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

async fn issuer_page(
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
struct IssuerForm {
    name: String,
    #[serde(default)]
    url: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    description: String,
}

/// Checks the issuer form; the message id of the first problem.
fn valid_issuer(form: &IssuerForm) -> Result<IssuerConfig, &'static str> {
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
    if !email.is_empty() && !super::badges::plausible_email(email) {
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

async fn save_issuer(
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
struct Upload {
    id: Option<String>,
    file: Option<Vec<u8>>,
    remove: bool,
}

async fn read_upload(mut form: Multipart) -> Result<Upload, String> {
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
fn checked_image(t: Tr, upload: &Upload) -> Result<(Vec<u8>, &'static str), String> {
    let Some(bytes) = &upload.file else {
        return Err(t.get("org-image-missing"));
    };
    match validate_uploaded_image(bytes) {
        // An SVG is stored as written out by the check, not as sent.
        Ok(image) => Ok((image.bytes, image.kind.media_type())),
        Err(e) => Err(t.with("org-image-refused", "reason", &e.to_string())),
    }
}

async fn issuer_image(
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
async fn new_achievement(State(state): State<Shared>, headers: HeaderMap) -> Response {
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

async fn save_achievement(
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

async fn achievement_image(
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::I18n;

    #[test]
    fn charts_are_svg_with_titles() {
        let i18n = I18n::load().unwrap();
        let t = Tr {
            i18n: &i18n,
            lang: Lang::Fr,
        };
        let svg = distribution_svg([0, 1, 2, 5, 9], t);
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
        assert_eq!(svg.matches("<rect").count(), 5);
        assert!(svg.contains("<title"));
        let points = [
            SessionPoint {
                date: "2025-03-01".into(),
                code: "A<B".into(),
                average: 13.0 / 3.0,
                count: 4,
            },
            SessionPoint {
                date: "2025-04-01".into(),
                code: "CDEFGH".into(),
                average: 3.0,
                count: 2,
            },
        ];
        let svg = averages_svg(&points, t);
        assert!(svg.contains("A&lt;B"), "text is escaped");
        assert!(svg.contains("<polyline"));
        assert!(svg.contains("4,3"), "French decimals");
        assert!(!averages_svg(&[], t).contains("<polyline"));
    }

    #[test]
    fn query_values_are_encoded() {
        assert_eq!(encode("a b&c=é"), "a%20b%26c%3D%C3%A9");
    }
}
