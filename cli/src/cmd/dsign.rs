//! `fkn dsign FILE`: a CMS signature (CAdES-BES, as `fkn sign` makes) with
//! a two-party key: every signature is one signed request to the server,
//! which adds its half and counts wrong PINs.

use std::fs::File;
use std::io::BufReader;
use std::path::PathBuf;
use std::sync::Arc;

use anyhow::Context;
use clap::Args;
use fkn_core::distributed::{Device, DeviceConfig, DeviceKey, KeyId};
use fkn_core::onboarding::{DeviceCredential, SignedChannel};
use fkn_core::pki::{self, Subject, cert, cms};

use crate::device_home::{StoreOpt, certificate_path, key_or_default, parse_key_id};
use crate::http_channel::{HttpChannel, HttpStats};
use crate::opts::{Pin, read_file, write_file};
use crate::session::pki_error;

/// Validity of the self-signed certificate made on first use.
const CERT_DAYS: u32 = 365;

/// Arguments of `fkn dsign`.
#[derive(Args, Debug)]
pub struct DsignArgs {
    /// The file to sign.
    #[arg(value_name = "FILE")]
    input: PathBuf,

    #[command(flatten)]
    store: StoreOpt,

    /// The two-party key (default: the one `fkn enroll` generated).
    #[arg(long, value_name = "ID", value_parser = parse_key_id)]
    key: Option<KeyId>,

    /// PIN of the two-party key.
    #[arg(long, value_name = "PIN", env = "FKN_PIN", hide_env_values = true)]
    pin: Pin,

    /// Where to write the signature (default: FILE.p7s), DER unless --pem.
    #[arg(long, value_name = "FILE")]
    out: Option<PathBuf>,

    /// Leave the content out of the signature.
    #[arg(long)]
    detached: bool,

    /// Write PEM instead of DER.
    #[arg(long)]
    pem: bool,

    /// The signer's certificate (DER or PEM). Default: the one kept in the
    /// store for the key, made self-signed (CN = the account) on first use.
    #[arg(long, value_name = "FILE")]
    cert: Option<PathBuf>,
}

/// Runs `fkn dsign`.
pub fn run(args: &DsignArgs) -> anyhow::Result<()> {
    // Open the file first: a typo must not cost a round trip.
    let file = File::open(&args.input)
        .with_context(|| format!("cannot read the file to sign {}", args.input.display()))?;
    let (dir, store) = args.store.open()?;
    let key_id = key_or_default(&dir, args.key.as_ref())?;
    let credential = Arc::new(DeviceCredential::load(&*store)?);
    let stats = Arc::new(HttpStats::default());
    let http = Arc::new(HttpChannel::new(credential.server(), stats.clone())?);
    let signed = Arc::new(SignedChannel::new(credential.clone(), http));
    let device = Device::new(store, signed, DeviceConfig::default());
    let mut key = device
        .unlock(&key_id, args.pin.expose().as_bytes())
        .map_err(fkn_core::Error::from)?;

    let cert_der = match &args.cert {
        Some(p) => pki::pem::to_der(&read_file(p, "certificate")?, pki::pem::CERTIFICATE)?,
        None => kept_certificate(&dir, &key_id, credential.account(), &mut key)?,
    };
    let options = cms::SignOptions {
        detached: args.detached,
        ..cms::SignOptions::default()
    };
    let sig =
        cms::sign(&mut key, &cert_der, &mut BufReader::new(file), &options).map_err(pki_error)?;
    let out = args.out.clone().unwrap_or_else(|| {
        let mut p = args.input.clone().into_os_string();
        p.push(".p7s");
        p.into()
    });
    if args.pem {
        let text = pki::pem::encode(pki::pem::CMS, &sig)?;
        write_file(&out, "signature", text.as_bytes())?;
    } else {
        write_file(&out, "signature", &sig)?;
    }
    println!(
        "signed {} with two-party key {:?} of {} on {}: {} signature written to {} ({} round \
         trip(s) to the server)",
        args.input.display(),
        key_id.as_str(),
        credential.account(),
        credential.server(),
        if args.detached {
            "detached"
        } else {
            "attached"
        },
        out.display(),
        stats.round_trips()
    );
    Ok(())
}

/// The key's certificate kept in the store; made self-signed by the
/// two-party key (one more signature with the server) the first time.
pub(crate) fn kept_certificate(
    dir: &std::path::Path,
    id: &KeyId,
    account: &str,
    key: &mut DeviceKey,
) -> anyhow::Result<Vec<u8>> {
    let path = certificate_path(dir, id);
    if path.exists() {
        let der = read_file(&path, "certificate")?;
        let info = cert::certificate_info(&der)?;
        // A certificate of another key (the store was reused) would make
        // signatures that never verify.
        if info.public_key == key.verifying_key().to_bytes() {
            return Ok(der);
        }
        eprintln!(
            "{} is not the certificate of key {:?}; making a new one",
            path.display(),
            id.as_str()
        );
    }
    let subject = Subject::new().common_name(account);
    let der = cert::self_signed(key, &subject, CERT_DAYS).map_err(pki_error)?;
    write_file(&path, "certificate", &der)?;
    eprintln!(
        "key {:?} had no certificate: made a self-signed one for {subject}, valid {CERT_DAYS} \
         days, kept in {}",
        id.as_str(),
        path.display()
    );
    Ok(der)
}
