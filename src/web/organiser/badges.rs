//! `/o/badges`: issued badges, revocation.

use super::*;

pub(super) struct BadgeLine {
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
pub(super) struct BadgesPage<'a> {
    t: Tr<'a>,
    user: String,
    tab: &'static str,
    notice: Option<String>,
    error: Option<String>,
    badges: Vec<BadgeLine>,
}

pub(super) async fn badges_with(
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

pub(super) async fn badges_page(
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
pub(super) struct RevokeForm {
    id: String,
}

pub(super) async fn revoke(
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
