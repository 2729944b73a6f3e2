//! `fkn enroll URI`: this machine becomes a paired device of the server the
//! enrollment URI names. Pairing (SESPAKE with the activation code, the
//! server's identity checked against the URI's fingerprint), then inside
//! the sealed session: a two-party key generated with the server, a card
//! key registered if `--card` is given, and the credential saved.

use std::sync::Arc;

use anyhow::bail;
use clap::Args;
use fkn_core::crypto::ec::CurveId;
use fkn_core::distributed::{Device, DeviceConfig, KeyId, SecureStore};
use fkn_core::onboarding::{DeviceCredential, EnrollmentUri, pair};
use fkn_core::pki::{Subject, csr};
use fkn_core::token::TokenSigner;

use crate::device_home::{StoreOpt, default_key_for, parse_key_id, save_default_key};
use crate::http_channel::{HttpChannel, HttpStats};
use crate::opts::{CardOpt, KeyId as CardKeyId, Pin, hex_upper, parse_curve, show_id};
use crate::session::{Session, pki_error};
use crate::token_spec::TokenSpec;

/// Curve of a card key `fkn enroll --card` generates when the card has none.
const CARD_CURVE: CurveId = CurveId::Tc26_256A;

/// Arguments of `fkn enroll`.
#[derive(Args, Debug)]
pub struct EnrollArgs {
    /// The enrollment URI (`fkn://enroll?...`, the QR code's text). It holds
    /// the one-time activation code: prefer FKN_ENROLL_URI to keep it out of
    /// the process list.
    #[arg(value_name = "URI", env = "FKN_ENROLL_URI", hide_env_values = true)]
    uri: String,

    #[command(flatten)]
    store: StoreOpt,

    /// Id of the two-party key to generate (A-Z a-z 0-9 . _ -; unique on the
    /// server). Default: main-<start of the device id>; `fkn dsign` uses it
    /// without --key.
    #[arg(long, value_name = "ID", value_parser = parse_key_id)]
    key: Option<KeyId>,

    /// Curve of the two-party key.
    #[arg(long, value_name = "CURVE", default_value = "tc26-256-a", value_parser = parse_curve)]
    curve: CurveId,

    /// PIN of the two-party key: it masks the share here and the server
    /// counts wrong ones.
    #[arg(long, value_name = "PIN", env = "FKN_PIN", hide_env_values = true)]
    pin: Pin,

    /// Also register a card key with the account.
    #[command(flatten)]
    card: CardOpt,
}

fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// Runs `fkn enroll`.
pub fn run(args: &EnrollArgs) -> anyhow::Result<()> {
    let uri = EnrollmentUri::parse(args.uri.trim(), now()).map_err(|e| match e {
        fkn_core::onboarding::UriError::Expired { .. } => {
            fkn_core::Error::from(fkn_core::distributed::TwoPartyFault::EnrollmentExpired).into()
        }
        other => anyhow::Error::new(other).context("this is not a usable enrollment URI"),
    })?;
    let (dir, store) = args.store.open()?;
    // Everything that can fail locally fails before the one-time code is spent.
    if let Ok(c) = DeviceCredential::load(&*store) {
        bail!(
            "{} is already enrolled with {} as {} (device {}); use another --store",
            dir.display(),
            c.server(),
            c.account(),
            c.device_id()
        );
    }
    if let Some(k) = &args.key {
        if store
            .load(k.as_str())
            .map_err(fkn_core::Error::from)?
            .is_some()
        {
            bail!(
                "{} already holds a key {:?}; choose another --key",
                dir.display(),
                k.as_str()
            );
        }
    }
    let stats = Arc::new(HttpStats::default());
    let channel = Arc::new(HttpChannel::new(&uri.server, stats.clone())?);
    let card_request = match (args.card.login()?, &args.card.card) {
        (Some(s), Some(spec)) => Some(card_request(s, spec, &args.card.card_key, &uri.account)?),
        _ => None,
    };

    let session = pair(&uri, channel, now())?;
    println!(
        "paired with {} as account {} (server identity {} checked), device id {}",
        uri.server,
        uri.account,
        &hex::encode(uri.server_key_fingerprint)[..16],
        session.credential().device_id()
    );
    let key = match &args.key {
        Some(k) => k.clone(),
        None => default_key_for(session.credential().device_id())?,
    };
    let device = Device::new(store.clone(), session.channel(), DeviceConfig::default());
    let public = device
        .generate(&key, args.curve, args.pin.expose().as_bytes())
        .map_err(fkn_core::Error::from)?;
    save_default_key(&dir, &key)?;
    println!(
        "generated two-party key {:?} ({}): public key {}",
        key.as_str(),
        args.curve,
        hex_upper(&public.to_bytes())
    );
    if let Some((label, der)) = card_request {
        let id = session.register_card(&label, &der)?;
        println!("registered card key {label} with the server as {id}");
    }
    let credential = session.finish(&*store)?;
    println!(
        "enrolled: credential and key share saved in {} ({} round trips to the server)",
        dir.display(),
        stats.round_trips()
    );
    log::debug!("device {}", credential.device_id());
    Ok(())
}

/// Makes a certification request for the card's key (generated first if
/// the card has none) on the logged-in card `s`: the server registers the
/// key from it. Returns the key's label for the server and the request.
fn card_request(
    mut s: Session,
    spec: &TokenSpec,
    id: &CardKeyId,
    account: &str,
) -> anyhow::Result<(String, Vec<u8>)> {
    let key = match s.list_keys()?.into_iter().find(|k| k.id == id.bytes()) {
        Some(k) => k,
        None => {
            let k = s.generate_key(id.bytes(), CARD_CURVE, &format!("fkn {account}"))?;
            println!("generated card key {id} ({CARD_CURVE}) on {spec}");
            k
        }
    };
    let subject = Subject::new().common_name(account);
    let der = csr::build_csr(
        &mut TokenSigner::new(&mut s, &key),
        &subject,
        &csr::CsrOptions::default(),
    )
    .map_err(pki_error)?;
    Ok((format!("{spec} key {}", show_id(&key.id)), der))
}
