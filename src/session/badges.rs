//! The badge desk of a session: how badges are handed out (automatic, after review, with a
//! claim code), who asked, who was approved, who has one. Pure: the room signs badges outside
//! and reports back with [`BadgeCommand::Issued`]; times come in with the commands.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::games::{Actor, Audience, Emit, ParticipantId, Viewer};

/// Longest comment on a review request.
pub const REQUEST_COMMENT_MAX_CHARS: usize = 500;
/// Longest e-mail address (RFC 5321).
pub const EMAIL_MAX_CHARS: usize = 254;

/// The three ways of the seed's bingo: "délivrance automatique", "délivrance après examen",
/// "délivrance avec code de demande".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BadgeMode {
    Automatic,
    Review,
    ClaimCode,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RequestStatus {
    /// Waiting for the facilitator (review mode).
    Pending,
    /// To be signed; the room is issuing it.
    Approved,
    Refused,
    Issued,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BadgeRequest {
    /// The name to print in the badge.
    pub name: String,
    /// Kept only until the badge is signed (its salted hash goes into the badge), then dropped.
    pub email: Option<String>,
    pub comment: Option<String>,
    /// Language of the badge's texts.
    #[serde(default)]
    pub lang: Option<String>,
    pub status: RequestStatus,
    pub badge_id: Option<String>,
}

/// A claim code shown on the projector; valid until `valid_until` (RFC 3339, UTC).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClaimCode {
    pub code: String,
    pub valid_until: String,
}

/// What clients send (`badge.*` frames).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum BadgeAction {
    /// Facilitator: open the desk in a mode; a claim code needs `valid_until` (RFC 3339).
    Open {
        mode: BadgeMode,
        #[serde(default)]
        valid_until: Option<String>,
    },
    /// Participant: ask for my badge; `claim_code` is required in claim-code mode.
    Request {
        name: String,
        #[serde(default)]
        email: Option<String>,
        #[serde(default)]
        comment: Option<String>,
        #[serde(default)]
        claim_code: Option<String>,
        /// Language of the badge's texts (`fr`, `nl`, `en`); the session's when absent.
        #[serde(default)]
        lang: Option<String>,
    },
    /// Facilitator: approve or refuse a review request (a refusal can become an approval).
    Decide { pid: ParticipantId, approve: bool },
}

impl BadgeAction {
    /// The command to log: the room adds the time and, when opening with a claim code, the code.
    /// A claim code's end of validity must be an RFC 3339 date within
    /// [`CLAIM_CODE_MAX_DAYS`] of `now`; it is stored in UTC (`2026-12-03T17:00:00Z`).
    pub fn into_command(
        self,
        now: String,
        new_claim_code: String,
    ) -> Result<BadgeCommand, BadgeError> {
        Ok(match self {
            BadgeAction::Open { mode, valid_until } => BadgeCommand::Open {
                mode,
                valid_until: match (mode, valid_until) {
                    (BadgeMode::ClaimCode, Some(until)) => Some(claim_validity(&until, &now)?),
                    (BadgeMode::ClaimCode, None) => return Err(BadgeError::BadValidity),
                    (_, _) => None,
                },
                claim_code: (mode == BadgeMode::ClaimCode).then_some(new_claim_code),
                now,
            },
            BadgeAction::Request {
                name,
                email,
                comment,
                claim_code,
                lang,
            } => BadgeCommand::Request {
                name,
                email,
                comment,
                claim_code,
                lang,
                now,
            },
            BadgeAction::Decide { pid, approve } => BadgeCommand::Decide { pid, approve },
        })
    }
}

/// Longest a claim code may stay valid: a code photographed on the projector mints badges for
/// whoever has it until then.
pub const CLAIM_CODE_MAX_DAYS: i64 = 30;

/// `until` parsed (RFC 3339, any offset), after `now` and at most [`CLAIM_CODE_MAX_DAYS`]
/// later, written in UTC; anything else (`zzzz`, `not-a-date`, a date without a time) is
/// refused, where it was stored before and compared as text, which made it mean "forever".
pub fn claim_validity(until: &str, now: &str) -> Result<String, BadgeError> {
    use time::OffsetDateTime;
    use time::format_description::well_known::Rfc3339;
    let until = OffsetDateTime::parse(until.trim(), &Rfc3339)
        .map_err(|_| BadgeError::BadValidity)?
        .to_offset(time::UtcOffset::UTC)
        .replace_nanosecond(0)
        .map_err(|_| BadgeError::BadValidity)?;
    let now = OffsetDateTime::parse(now, &Rfc3339).map_err(|_| BadgeError::BadValidity)?;
    if until <= now || until - now > time::Duration::days(CLAIM_CODE_MAX_DAYS) {
        return Err(BadgeError::BadValidity);
    }
    until.format(&Rfc3339).map_err(|_| BadgeError::BadValidity)
}

/// Commands of the badge desk as stored in the session's log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum BadgeCommand {
    Open {
        mode: BadgeMode,
        valid_until: Option<String>,
        claim_code: Option<String>,
        now: String,
    },
    Request {
        name: String,
        email: Option<String>,
        comment: Option<String>,
        claim_code: Option<String>,
        #[serde(default)]
        lang: Option<String>,
        now: String,
    },
    Decide {
        pid: ParticipantId,
        approve: bool,
    },
    /// The room: the badge of `pid` is signed and stored.
    Issued {
        pid: ParticipantId,
        badge_id: String,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BadgeError {
    #[error("only the facilitator can do that")]
    Forbidden,
    #[error("the badge desk is not open yet")]
    NotOpen,
    #[error("a claim code needs an end date and time (RFC 3339) in the next 30 days")]
    BadValidity,
    #[error("you already have your badge")]
    AlreadyIssued,
    #[error("this claim code is not right")]
    WrongClaimCode,
    #[error("this claim code has expired")]
    ClaimCodeExpired,
    #[error("{0}")]
    Invalid(String),
    #[error("no request from participant {0}")]
    NoRequest(ParticipantId),
    #[error("this request was already decided")]
    AlreadyDecided,
}

impl BadgeError {
    pub fn code(&self) -> &'static str {
        match self {
            Self::Forbidden => "forbidden",
            Self::NotOpen => "badges_not_open",
            Self::BadValidity => "bad_validity",
            Self::AlreadyIssued => "already_issued",
            Self::WrongClaimCode => "wrong_claim_code",
            Self::ClaimCodeExpired => "claim_code_expired",
            Self::Invalid(_) => "invalid",
            Self::NoRequest(_) => "no_request",
            Self::AlreadyDecided => "already_decided",
        }
    }
}

impl BadgeDesk {
    /// Whether `code` is the desk's live claim code at `now` (RFC 3339): `/claim` asks the
    /// room, so that a replaced code, or one of a desk switched to another mode, mints nothing.
    pub fn claim_code_live(&self, code: &str, now: &str) -> bool {
        self.mode == Some(BadgeMode::ClaimCode)
            && self
                .claim
                .as_ref()
                .is_some_and(|claim| claim.code == code && now < claim.valid_until.as_str())
    }
}

/// What the room must do after a command.
#[derive(Debug, Default)]
pub struct DeskOutcome {
    pub emits: Vec<Emit>,
    /// Participants whose badge is now approved: the room signs them.
    pub to_issue: Vec<ParticipantId>,
    /// A claim code to register for `/claim`.
    pub new_claim_code: Option<ClaimCode>,
    /// The desk changed mode: codes registered before no longer mint badges.
    pub void_claim_codes: bool,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BadgeDesk {
    pub mode: Option<BadgeMode>,
    pub claim: Option<ClaimCode>,
    pub requests: BTreeMap<ParticipantId, BadgeRequest>,
}

impl BadgeDesk {
    /// `name` is the participant's display name (the default name to print).
    pub fn apply(
        &mut self,
        actor: Actor,
        command: &BadgeCommand,
    ) -> Result<DeskOutcome, BadgeError> {
        match command {
            BadgeCommand::Open {
                mode,
                valid_until,
                claim_code,
                now,
            } => {
                if actor != Actor::Facilitator {
                    return Err(BadgeError::Forbidden);
                }
                let claim = match mode {
                    BadgeMode::ClaimCode => {
                        let until = valid_until
                            .as_deref()
                            .filter(|u| u.as_bytes() > now.as_bytes())
                            .ok_or(BadgeError::BadValidity)?;
                        let code = claim_code
                            .clone()
                            .ok_or(BadgeError::Invalid("no claim code was drawn".into()))?;
                        Some(ClaimCode {
                            code,
                            valid_until: until.to_string(),
                        })
                    }
                    _ => None,
                };
                self.mode = Some(*mode);
                self.claim = claim.clone();
                // Switching to automatic approves whoever is waiting.
                let mut to_issue = Vec::new();
                if *mode == BadgeMode::Automatic {
                    for (pid, request) in self.requests.iter_mut() {
                        if request.status == RequestStatus::Pending {
                            request.status = RequestStatus::Approved;
                            to_issue.push(*pid);
                        }
                    }
                }
                let mut emits = vec![Emit::new(
                    Audience::All,
                    json!({"type": "badge.opened", "mode": mode}),
                )];
                if let Some(claim) = &claim {
                    emits.push(Emit::new(Audience::Staff, json!({"type": "badge.claim_code", "code": claim.code, "valid_until": claim.valid_until})));
                }
                emits.extend(to_issue.iter().flat_map(|pid| self.status_emits(*pid)));
                Ok(DeskOutcome {
                    emits,
                    to_issue,
                    new_claim_code: claim,
                    void_claim_codes: true,
                })
            }
            BadgeCommand::Request {
                name,
                email,
                comment,
                claim_code,
                lang,
                now,
            } => {
                let Actor::Participant(pid) = actor else {
                    return Err(BadgeError::Invalid(
                        "only participants ask for a badge".into(),
                    ));
                };
                let mode = self.mode.ok_or(BadgeError::NotOpen)?;
                match self.requests.get(&pid).map(|r| r.status) {
                    Some(RequestStatus::Issued) => return Err(BadgeError::AlreadyIssued),
                    // Approved but not signed yet (or signing failed): asking again signs it
                    // again, as it was approved; the room keeps it to one badge.
                    Some(RequestStatus::Approved) => {
                        return Ok(DeskOutcome {
                            emits: self.status_emits(pid),
                            to_issue: vec![pid],
                            new_claim_code: None,
                            void_claim_codes: false,
                        });
                    }
                    _ => {}
                }
                let name = crate::session::code::clean_name(name)
                    .map_err(|e| BadgeError::Invalid(e.to_string()))?;
                let email = match email.as_deref().map(str::trim).filter(|e| !e.is_empty()) {
                    Some(e) if plausible_email(e) => Some(e.to_string()),
                    Some(_) => {
                        return Err(BadgeError::Invalid("this is not an e-mail address".into()));
                    }
                    None => None,
                };
                let comment = comment
                    .as_deref()
                    .map(str::trim)
                    .filter(|c| !c.is_empty())
                    .map(str::to_string);
                if comment
                    .as_ref()
                    .is_some_and(|c| c.chars().count() > REQUEST_COMMENT_MAX_CHARS)
                {
                    return Err(BadgeError::Invalid(format!(
                        "the comment is longer than {REQUEST_COMMENT_MAX_CHARS} characters"
                    )));
                }
                if mode == BadgeMode::ClaimCode {
                    let claim = self.claim.as_ref().ok_or(BadgeError::NotOpen)?;
                    let given = claim_code
                        .as_deref()
                        .map(|c| c.trim().to_ascii_uppercase())
                        .unwrap_or_default();
                    if given != claim.code {
                        return Err(BadgeError::WrongClaimCode);
                    }
                    if now.as_bytes() >= claim.valid_until.as_bytes() {
                        return Err(BadgeError::ClaimCodeExpired);
                    }
                }
                let status = if mode == BadgeMode::Review {
                    RequestStatus::Pending
                } else {
                    RequestStatus::Approved
                };
                let lang = lang
                    .as_deref()
                    .and_then(crate::deck::Lang::parse)
                    .map(|l| l.code().to_string());
                self.requests.insert(
                    pid,
                    BadgeRequest {
                        name,
                        email,
                        comment,
                        lang,
                        status,
                        badge_id: None,
                    },
                );
                let to_issue = if status == RequestStatus::Approved {
                    vec![pid]
                } else {
                    Vec::new()
                };
                Ok(DeskOutcome {
                    emits: self.status_emits(pid),
                    to_issue,
                    new_claim_code: None,
                    void_claim_codes: false,
                })
            }
            BadgeCommand::Decide { pid, approve } => {
                if actor != Actor::Facilitator {
                    return Err(BadgeError::Forbidden);
                }
                let request = self
                    .requests
                    .get_mut(pid)
                    .ok_or(BadgeError::NoRequest(*pid))?;
                match (request.status, approve) {
                    (RequestStatus::Pending, true) | (RequestStatus::Refused, true) => {
                        request.status = RequestStatus::Approved
                    }
                    // Approving again a request whose signing failed signs it again.
                    (RequestStatus::Approved, true) => {}
                    (RequestStatus::Pending, false) => {
                        request.status = RequestStatus::Refused;
                        request.email = None;
                    }
                    _ => return Err(BadgeError::AlreadyDecided),
                }
                let to_issue = if *approve { vec![*pid] } else { Vec::new() };
                Ok(DeskOutcome {
                    emits: self.status_emits(*pid),
                    to_issue,
                    new_claim_code: None,
                    void_claim_codes: false,
                })
            }
            BadgeCommand::Issued { pid, badge_id } => {
                if actor != Actor::Facilitator {
                    return Err(BadgeError::Forbidden);
                }
                let request = self
                    .requests
                    .get_mut(pid)
                    .ok_or(BadgeError::NoRequest(*pid))?;
                request.status = RequestStatus::Issued;
                request.badge_id = Some(badge_id.clone());
                // The e-mail was only needed to sign: it is not kept.
                request.email = None;
                Ok(DeskOutcome {
                    emits: self.status_emits(*pid),
                    ..DeskOutcome::default()
                })
            }
        }
    }

    /// Events telling the participant and the staff where a request stands. The participant's
    /// copy of an issued badge gets its private links from the room.
    fn status_emits(&self, pid: ParticipantId) -> Vec<Emit> {
        let Some(request) = self.requests.get(&pid) else {
            return Vec::new();
        };
        vec![
            Emit::new(
                Audience::Participant(pid),
                json!({"type": "badge.status", "status": request.status, "name": request.name, "badge_id": request.badge_id}),
            ),
            Emit::new(
                Audience::Staff,
                json!({"type": "badge.request", "pid": pid, "request": staff_request(request)}),
            ),
        ]
    }

    /// Approved requests not yet signed (after a restart the room signs them again; signing is
    /// idempotent per participant).
    pub fn pending_issues(&self) -> Vec<ParticipantId> {
        self.requests
            .iter()
            .filter(|(_, r)| r.status == RequestStatus::Approved)
            .map(|(pid, _)| *pid)
            .collect()
    }

    pub fn view(&self, viewer: Viewer) -> Value {
        match viewer {
            Viewer::Staff | Viewer::Screen => {
                let requests: BTreeMap<String, Value> = self
                    .requests
                    .iter()
                    .map(|(pid, r)| (pid.to_string(), staff_request(r)))
                    .collect();
                json!({"mode": self.mode, "claim": self.claim, "requests": requests})
            }
            Viewer::Participant(pid) => {
                let mine = self
                    .requests
                    .get(&pid)
                    .map(|r| json!({"status": r.status, "name": r.name, "badge_id": r.badge_id}));
                json!({"mode": self.mode, "claim_required": self.mode == Some(BadgeMode::ClaimCode), "request": mine})
            }
        }
    }

    /// Forgets names and e-mails (retention, erasure on request).
    pub fn scrub(&mut self, pid: Option<ParticipantId>) {
        for (id, request) in self.requests.iter_mut() {
            if pid.is_none_or(|p| p == *id) {
                request.name = String::new();
                request.email = None;
                request.comment = None;
            }
        }
    }
}

fn staff_request(r: &BadgeRequest) -> Value {
    json!({"name": r.name, "has_email": r.email.is_some(), "comment": r.comment, "status": r.status, "badge_id": r.badge_id})
}

/// An e-mail address as people type them: something@domain.tld, no spaces, bounded.
pub fn plausible_email(email: &str) -> bool {
    email.chars().count() <= EMAIL_MAX_CHARS
        && !email.contains(char::is_whitespace)
        && email.split_once('@').is_some_and(|(local, domain)| {
            !local.is_empty()
                && !domain.contains('@')
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: &str = "2026-11-27T10:00:00Z";

    fn open(desk: &mut BadgeDesk, mode: BadgeMode) -> DeskOutcome {
        let command = BadgeCommand::Open {
            mode,
            valid_until: Some("2026-11-28T10:00:00Z".into()),
            claim_code: Some("K7P3QX".into()),
            now: NOW.into(),
        };
        desk.apply(Actor::Facilitator, &command).unwrap()
    }

    fn request(name: &str, claim: Option<&str>, now: &str) -> BadgeCommand {
        BadgeCommand::Request {
            name: name.into(),
            email: Some("ada@example.org".into()),
            comment: None,
            claim_code: claim.map(str::to_string),
            lang: None,
            now: now.into(),
        }
    }

    #[test]
    fn automatic_mode_approves_at_once_and_forgets_the_email_once_signed() {
        let mut desk = BadgeDesk::default();
        assert_eq!(
            desk.apply(Actor::Participant(1), &request("Ada", None, NOW))
                .unwrap_err(),
            BadgeError::NotOpen
        );
        open(&mut desk, BadgeMode::Automatic);
        let out = desk
            .apply(Actor::Participant(1), &request("Ada", None, NOW))
            .unwrap();
        assert_eq!(out.to_issue, vec![1]);
        assert_eq!(desk.pending_issues(), vec![1]);
        // Approved but not signed (signing failed, or is under way): asking again asks the
        // room to sign again, and changes nothing else (not even the name).
        let before = desk.clone();
        let again = desk
            .apply(Actor::Participant(1), &request("Other", None, NOW))
            .unwrap();
        assert_eq!(again.to_issue, vec![1]);
        assert_eq!(desk, before);
        desk.apply(
            Actor::Facilitator,
            &BadgeCommand::Issued {
                pid: 1,
                badge_id: "urn:uuid:x".into(),
            },
        )
        .unwrap();
        assert_eq!(desk.requests[&1].status, RequestStatus::Issued);
        assert_eq!(desk.requests[&1].email, None);
        assert!(desk.pending_issues().is_empty());
        // Once issued, one badge per participant.
        assert_eq!(
            desk.apply(Actor::Participant(1), &request("Ada", None, NOW))
                .unwrap_err(),
            BadgeError::AlreadyIssued
        );
    }

    #[test]
    fn approving_again_a_request_whose_signing_failed_signs_it_again() {
        let mut desk = BadgeDesk::default();
        open(&mut desk, BadgeMode::Review);
        desk.apply(Actor::Participant(2), &request("Bob", None, NOW))
            .unwrap();
        let approve = BadgeCommand::Decide {
            pid: 2,
            approve: true,
        };
        assert_eq!(
            desk.apply(Actor::Facilitator, &approve).unwrap().to_issue,
            vec![2]
        );
        let before = desk.clone();
        assert_eq!(
            desk.apply(Actor::Facilitator, &approve).unwrap().to_issue,
            vec![2]
        );
        assert_eq!(desk, before);
        // Refusing an approved request is still too late.
        assert_eq!(
            desk.apply(
                Actor::Facilitator,
                &BadgeCommand::Decide {
                    pid: 2,
                    approve: false
                }
            )
            .unwrap_err(),
            BadgeError::AlreadyDecided
        );
    }

    #[test]
    fn review_mode_waits_for_the_facilitator() {
        let mut desk = BadgeDesk::default();
        open(&mut desk, BadgeMode::Review);
        let out = desk
            .apply(Actor::Participant(2), &request("Bob", None, NOW))
            .unwrap();
        assert!(out.to_issue.is_empty());
        assert_eq!(
            desk.apply(
                Actor::Participant(2),
                &BadgeCommand::Decide {
                    pid: 2,
                    approve: true
                }
            )
            .unwrap_err(),
            BadgeError::Forbidden
        );
        let refused = desk
            .apply(
                Actor::Facilitator,
                &BadgeCommand::Decide {
                    pid: 2,
                    approve: false,
                },
            )
            .unwrap();
        assert!(refused.to_issue.is_empty());
        assert_eq!(
            desk.requests[&2].email, None,
            "a refused request keeps no e-mail"
        );
        assert_eq!(
            desk.apply(
                Actor::Facilitator,
                &BadgeCommand::Decide {
                    pid: 2,
                    approve: false
                }
            )
            .unwrap_err(),
            BadgeError::AlreadyDecided
        );
        let approved = desk
            .apply(
                Actor::Facilitator,
                &BadgeCommand::Decide {
                    pid: 2,
                    approve: true,
                },
            )
            .unwrap();
        assert_eq!(approved.to_issue, vec![2]);
    }

    #[test]
    fn claim_codes_are_checked_and_expire() {
        let mut desk = BadgeDesk::default();
        let no_date = BadgeCommand::Open {
            mode: BadgeMode::ClaimCode,
            valid_until: None,
            claim_code: Some("K7P3QX".into()),
            now: NOW.into(),
        };
        assert_eq!(
            desk.apply(Actor::Facilitator, &no_date).unwrap_err(),
            BadgeError::BadValidity
        );
        let past = BadgeCommand::Open {
            mode: BadgeMode::ClaimCode,
            valid_until: Some("2026-11-26T10:00:00Z".into()),
            claim_code: Some("K7P3QX".into()),
            now: NOW.into(),
        };
        assert_eq!(
            desk.apply(Actor::Facilitator, &past).unwrap_err(),
            BadgeError::BadValidity
        );
        let out = open(&mut desk, BadgeMode::ClaimCode);
        assert_eq!(out.new_claim_code.unwrap().code, "K7P3QX");
        let before = desk.clone();
        assert_eq!(
            desk.apply(Actor::Participant(3), &request("Cy", Some("WRONG1"), NOW))
                .unwrap_err(),
            BadgeError::WrongClaimCode
        );
        assert_eq!(
            desk.apply(
                Actor::Participant(3),
                &request("Cy", Some("k7p3qx"), "2026-11-29T00:00:00Z")
            )
            .unwrap_err(),
            BadgeError::ClaimCodeExpired
        );
        assert_eq!(desk, before, "refusals change nothing");
        assert_eq!(
            desk.apply(Actor::Participant(3), &request("Cy", Some("k7p3qx"), NOW))
                .unwrap()
                .to_issue,
            vec![3]
        );
    }

    #[test]
    fn bad_requests_are_refused() {
        let mut desk = BadgeDesk::default();
        open(&mut desk, BadgeMode::Automatic);
        let bad_email = BadgeCommand::Request {
            name: "Ada".into(),
            email: Some("not an email".into()),
            comment: None,
            claim_code: None,
            lang: None,
            now: NOW.into(),
        };
        assert_eq!(
            desk.apply(Actor::Participant(1), &bad_email)
                .unwrap_err()
                .code(),
            "invalid"
        );
        let no_name = BadgeCommand::Request {
            name: "  ".into(),
            email: None,
            comment: None,
            claim_code: None,
            lang: None,
            now: NOW.into(),
        };
        assert_eq!(
            desk.apply(Actor::Participant(1), &no_name)
                .unwrap_err()
                .code(),
            "invalid"
        );
        assert!(desk.requests.is_empty());
        assert!(plausible_email("a.b+c@example.org"));
        assert!(!plausible_email("a@b"));
        assert!(!plausible_email("@example.org"));
    }
}
