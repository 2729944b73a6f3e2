//! `fkn csr` and `fkn cert self-sign | export | import`: requests and
//! certificates for token keys, signed on the token.

use std::path::PathBuf;

use anyhow::{Context, bail};
use clap::{Args, Subcommand};
use fkn_core::pki::{self, Subject, cert, csr};
use fkn_core::token::{KeyInfo, TokenSigner};

use crate::opts::{KeyId, KeyIdOpt, Pin, UserKeyArgs, read_file, show_id, write_file};
use crate::session::{self, Session, pki_error};
use crate::token_spec::{TokenOpt, TokenSpec};

/// Arguments of `fkn csr`.
#[derive(Args, Debug)]
pub struct CsrArgs {
    #[command(flatten)]
    key: UserKeyArgs,

    /// Subject, RFC 4514 ("CN=Ivan Petrov,O=Org,C=RU") or OpenSSL style
    /// ("/C=RU/O=Org/CN=Ivan Petrov"); INN, INNLE, OGRN, OGRNIP, SNILS known.
    #[arg(long, value_name = "NAME")]
    subject: Subject,

    /// Where to write the request (DER unless --pem).
    #[arg(long, value_name = "FILE")]
    out: PathBuf,

    /// Write PEM instead of DER.
    #[arg(long)]
    pem: bool,
}

/// `fkn cert` subcommands.
#[derive(Subcommand, Debug)]
pub enum CertCmd {
    /// Make a self-signed certificate for a key (signed on the token) and
    /// store it on the token.
    SelfSign(SelfSignArgs),
    /// Write a key's certificate to a file.
    ///
    /// OFP1 reads certificates only inside a secure-messaging session, so a
    /// PC/SC token needs --pin. Without --pin, a virtual:PATH token's
    /// certificate is read from the token file directly (no APDUs).
    Export(ExportArgs),
    /// Store a certificate (DER or PEM) for a key; its public key must be the key's.
    Import(ImportArgs),
}

/// Arguments of `fkn cert self-sign`.
#[derive(Args, Debug)]
pub struct SelfSignArgs {
    #[command(flatten)]
    key: UserKeyArgs,

    /// Subject (and issuer), e.g. "CN=Ivan Petrov,O=Org,C=RU".
    #[arg(long, value_name = "NAME")]
    subject: Subject,

    /// Validity in days from now.
    #[arg(long, value_name = "N", default_value_t = 365,
          value_parser = clap::value_parser!(u32).range(1..))]
    days: u32,

    /// Also write the certificate to this file (DER unless --pem).
    #[arg(long, value_name = "FILE")]
    out: Option<PathBuf>,

    /// Write PEM instead of DER.
    #[arg(long, requires = "out")]
    pem: bool,
}

/// Arguments of `fkn cert export`.
#[derive(Args, Debug)]
pub struct ExportArgs {
    #[command(flatten)]
    token: TokenOpt,

    /// User PIN: read the certificate over the secure channel (required for
    /// pcsc: tokens; without it a virtual token's file is read directly).
    #[arg(long, value_name = "PIN", env = "FKN_PIN", hide_env_values = true)]
    pin: Option<Pin>,

    #[command(flatten)]
    id: KeyIdOpt,

    /// Where to write the certificate (DER unless --pem).
    #[arg(long, value_name = "FILE")]
    out: PathBuf,

    /// Write PEM instead of DER.
    #[arg(long)]
    pem: bool,
}

/// Arguments of `fkn cert import`.
#[derive(Args, Debug)]
pub struct ImportArgs {
    #[command(flatten)]
    key: UserKeyArgs,

    /// The certificate, DER or PEM.
    #[arg(long = "in", value_name = "FILE")]
    input: PathBuf,
}

/// Runs one `fkn cert` subcommand.
pub fn run(cmd: &CertCmd) -> anyhow::Result<()> {
    match cmd {
        CertCmd::SelfSign(a) => self_sign(a),
        CertCmd::Export(a) => export(a),
        CertCmd::Import(a) => import(a),
    }
}

/// Writes `der` as DER, or PEM under `label`.
fn write_der(
    path: &std::path::Path,
    what: &str,
    der: &[u8],
    pem: bool,
    label: &str,
) -> anyhow::Result<()> {
    if pem {
        let text = pki::pem::encode(label, der)?;
        write_file(path, what, text.as_bytes())
    } else {
        write_file(path, what, der)
    }
}

/// Builds a PKCS #10 request for key `--id`, signed on the token.
pub fn csr(args: &CsrArgs) -> anyhow::Result<()> {
    let id = args.key.id()?;
    let (mut s, key) = args.key.login_to_key()?;
    let der = csr::build_csr(
        &mut TokenSigner::new(&mut s, &key),
        &args.subject,
        &csr::CsrOptions::default(),
    )
    .map_err(pki_error)?;
    write_der(
        &args.out,
        "request",
        &der,
        args.pem,
        pki::pem::CERTIFICATE_REQUEST,
    )?;
    println!(
        "wrote the certification request for key {id} ({}) to {}",
        args.subject,
        args.out.display()
    );
    Ok(())
}

/// A self-signed certificate for `key`, signed on the token and stored there.
pub fn self_signed_on_token(
    s: &mut Session,
    key: &KeyInfo,
    subject: &Subject,
    days: u32,
) -> anyhow::Result<Vec<u8>> {
    let der = cert::self_signed(&mut TokenSigner::new(s, key), subject, days).map_err(pki_error)?;
    s.put_certificate(&key.id, &der)?;
    Ok(der)
}

fn self_sign(args: &SelfSignArgs) -> anyhow::Result<()> {
    let id = args.key.id()?;
    let (mut s, key) = args.key.login_to_key()?;
    let der = self_signed_on_token(&mut s, &key, &args.subject, args.days)?;
    if let Some(out) = &args.out {
        write_der(out, "certificate", &der, args.pem, pki::pem::CERTIFICATE)?;
    }
    println!(
        "stored a self-signed certificate for key {id}: {}, valid {} day(s)",
        args.subject, args.days
    );
    Ok(())
}

fn export(args: &ExportArgs) -> anyhow::Result<()> {
    let id = args.id.get()?;
    let spec = args.token.spec();
    let der = match (&args.pin, &spec) {
        (Some(pin), _) => session::login(&spec, pin)?.get_certificate(id.bytes())?,
        (None, TokenSpec::Virtual(path)) => certificate_from_file(path, id)?,
        (None, TokenSpec::Pcsc(_)) => bail!(
            "reading a certificate from {spec} needs a secure session (OFP1 Section 6); \
             pass --pin"
        ),
    };
    write_der(
        &args.out,
        "certificate",
        &der,
        args.pem,
        pki::pem::CERTIFICATE,
    )?;
    println!(
        "wrote the certificate of key {id} ({} bytes DER) to {}",
        der.len(),
        args.out.display()
    );
    Ok(())
}

/// The certificate of key `id` straight from a virtual token's file.
fn certificate_from_file(path: &std::path::Path, id: &KeyId) -> anyhow::Result<Vec<u8>> {
    let state = fkn_vtoken::store::load(path)?;
    let key = state.key(id.bytes()).ok_or(fkn_core::Error::from(
        fkn_core::error::CardRefusal::KeyNotFound,
    ))?;
    Ok(key.certificate.clone().ok_or(fkn_core::Error::from(
        fkn_core::error::CardRefusal::CertificateNotFound,
    ))?)
}

fn import(args: &ImportArgs) -> anyhow::Result<()> {
    let id = args.key.id()?;
    let der = pki::pem::to_der(
        &read_file(&args.input, "certificate")?,
        pki::pem::CERTIFICATE,
    )?;
    let info = cert::certificate_info(&der)
        .with_context(|| format!("reading {}", args.input.display()))?;
    let (mut s, key) = args.key.login_to_key()?;
    if info.curve != key.curve || info.public_key != key.public_key {
        bail!(
            "the certificate in {} ({}) is not for key {} on the token; pick that key's certificate",
            args.input.display(),
            info.subject,
            show_id(&key.id)
        );
    }
    s.put_certificate(&key.id, &der)?;
    println!("stored the certificate {} for key {id}", info.subject);
    Ok(())
}
