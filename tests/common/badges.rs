//! Shared fixtures for the integration tests.
#![allow(dead_code)]

use atelier::badge::artwork::{ArtworkSpec, render_png, render_svg};
use atelier::badge::credential::{
    AchievementSpec, Competence, ImageSource, IssueOptions, IssuerProfile, Recipient, StatusRef,
    issue,
};
use atelier::badge::jsonld::Canonicalizer;
use atelier::badge::keys::{IssuerIdentity, KeyStore};
use serde_json::Value;
use time::OffsetDateTime;
use time::macros::datetime;

pub const PUBLIC_URL: &str = "https://badges.example.org";
pub const STATUS_URL: &str = "https://badges.example.org/status/1";

pub fn issuer() -> IssuerProfile {
    IssuerProfile {
        name: "Atelier Vélo Solidaire".into(),
        url: Some("https://velo.example.org".into()),
        email: Some("contact@velo.example.org".into()),
        description: None,
        image: None,
    }
}

pub fn achievement() -> AchievementSpec {
    let title = "Réparer une crevaison";
    let art = ArtworkSpec {
        title: title.into(),
        subtitle: Some("Atelier Vélo Solidaire".into()),
        palette: None,
    };
    AchievementSpec {
        id: "urn:uuid:5b0b2f4e-3a43-4cf5-9a53-0d5d3c1e2f10".into(),
        name: title.into(),
        description: "Sait démonter une roue, trouver et réparer une crevaison.".into(),
        criteria_narrative: "A réparé une chambre à air pendant l'atelier, devant un animateur."
            .into(),
        image: Some(ImageSource::svg(render_svg(&art).unwrap().into_bytes())),
        competence: Some(Competence {
            name: "Entretien courant d'un vélo".into(),
            description: Some("Réaliser l'entretien de base d'une bicyclette.".into()),
            framework: Some("Référentiel Atelier".into()),
            code: Some("VELO-1".into()),
            url: Some("https://velo.example.org/competences/velo-1".into()),
        }),
    }
}

pub fn artwork_png() -> Vec<u8> {
    render_png(
        &ArtworkSpec {
            title: "Réparer une crevaison".into(),
            subtitle: Some("Atelier Vélo Solidaire".into()),
            palette: None,
        },
        512,
    )
    .unwrap()
}

pub fn artwork_svg() -> String {
    render_svg(&ArtworkSpec {
        title: "Réparer une crevaison".into(),
        subtitle: Some("Atelier Vélo Solidaire".into()),
        palette: None,
    })
    .unwrap()
}

pub fn now() -> OffsetDateTime {
    datetime!(2026-06-01 12:00:00 UTC)
}

pub struct Badge {
    pub vc: Value,
    pub identity: IssuerIdentity,
}

pub fn issue_badge(
    store: &KeyStore,
    public_url: Option<&str>,
    email: Option<&str>,
    status: Option<u64>,
    valid_until: Option<OffsetDateTime>,
) -> Badge {
    let identity = store.identity(public_url).unwrap();
    let mut options = IssueOptions::new(datetime!(2026-05-30 16:30:00 UTC));
    options.valid_until = valid_until;
    options.status = status.map(|index| StatusRef {
        status_list_credential: STATUS_URL.into(),
        index,
    });
    let recipient = Recipient {
        name: "Ada Lovelace".into(),
        email: email.map(str::to_owned),
    };
    let vc = issue(
        Canonicalizer::shared(),
        store.current(),
        &identity,
        &issuer(),
        &achievement(),
        &recipient,
        &options,
    )
    .unwrap();
    Badge { vc, identity }
}
