//! `fkn sign` (CMS SignedData, CAdES-BES, signed on the token) and
//! `fkn verify`.

use std::fs::File;
use std::io::BufReader;
use std::path::PathBuf;

use anyhow::Context;
use clap::Args;
use fkn_core::pki::{self, NameAttribute, Subject, cms};
use fkn_core::token::TokenSigner;

use super::cert::self_signed_on_token;
use crate::opts::{UserKeyArgs, read_file, show_time, write_file};
use crate::session::pki_error;

/// Validity of the certificate `fkn sign` makes for a key that has none.
const AUTO_CERT_DAYS: u32 = 365;

/// Arguments of `fkn sign`.
#[derive(Args, Debug)]
pub struct SignArgs {
    #[command(flatten)]
    key: UserKeyArgs,

    /// The file to sign.
    #[arg(long = "in", value_name = "FILE")]
    input: PathBuf,

    /// Where to write the signature (DER unless --pem).
    #[arg(long, value_name = "FILE")]
    out: PathBuf,

    /// Leave the content out of the signature (verify it with --content).
    #[arg(long)]
    detached: bool,

    /// Write PEM instead of DER.
    #[arg(long)]
    pem: bool,
}

/// Arguments of `fkn verify`.
#[derive(Args, Debug)]
pub struct VerifyArgs {
    /// The CMS signature, DER or PEM.
    #[arg(long = "in", value_name = "SIG")]
    input: PathBuf,

    /// The signed file, for a detached signature.
    #[arg(long, value_name = "FILE")]
    content: Option<PathBuf>,

    /// Write the content of an attached signature to this file once verified.
    #[arg(long, value_name = "FILE")]
    out_content: Option<PathBuf>,
}

/// Signs `--in` with key `--id`. The signer's certificate is the one stored
/// for the key; a key without one first gets a self-signed certificate
/// (CN = the key's label, or its id), stored on the token.
pub fn sign(args: &SignArgs) -> anyhow::Result<()> {
    let id = args.key.id()?;
    // Open the file first: a typo must not cost a PIN attempt.
    let file = File::open(&args.input)
        .with_context(|| format!("cannot read the file to sign {}", args.input.display()))?;
    let (mut s, key) = args.key.login_to_key()?;
    let cert = if key.has_certificate {
        s.get_certificate(&key.id)?
    } else {
        let cn = match (key.label.as_str(), std::str::from_utf8(&key.id)) {
            ("", Ok(text)) => text.to_owned(),
            ("", Err(_)) => hex::encode_upper(&key.id),
            (label, _) => label.to_owned(),
        };
        let subject = Subject::new().with(NameAttribute::CommonName, cn);
        let der = self_signed_on_token(&mut s, &key, &subject, AUTO_CERT_DAYS)?;
        eprintln!(
            "key {id} had no certificate: stored a self-signed one for {subject}, valid \
             {AUTO_CERT_DAYS} days"
        );
        der
    };
    let options = cms::SignOptions {
        detached: args.detached,
        ..cms::SignOptions::default()
    };
    // Detached: hashed as a stream; attached: the content goes into the output.
    let mut reader = BufReader::new(file);
    let sig = cms::sign(
        &mut TokenSigner::new(&mut s, &key),
        &cert,
        &mut reader,
        &options,
    )
    .map_err(pki_error)?;
    if args.pem {
        write_file(
            &args.out,
            "signature",
            pki::pem::encode(pki::pem::CMS, &sig)?.as_bytes(),
        )?;
    } else {
        write_file(&args.out, "signature", &sig)?;
    }
    println!(
        "signed {} with key {id} ({}): {} signature written to {}",
        args.input.display(),
        key.curve,
        if args.detached {
            "detached"
        } else {
            "attached"
        },
        args.out.display()
    );
    Ok(())
}

/// Verifies a CMS signature; succeeds only if it is valid.
pub fn verify(args: &VerifyArgs) -> anyhow::Result<()> {
    let der = pki::pem::to_der(&read_file(&args.input, "signature")?, pki::pem::CMS)?;
    let mut content = match &args.content {
        Some(p) => Some(BufReader::new(File::open(p).with_context(|| {
            format!("cannot read the signed file {}", p.display())
        })?)),
        None => None,
    };
    let verified = cms::verify(&der, content.as_mut().map(|r| r as &mut dyn std::io::Read))
        .context("the signature is NOT valid")?;
    println!("signature valid");
    println!("signer:       {}", verified.signer.subject);
    if verified.signer.issuer != verified.signer.subject {
        println!("issuer:       {}", verified.signer.issuer);
    }
    println!(
        "signing time: {}",
        verified
            .signing_time
            .map_or_else(|| "not given".to_owned(), show_time)
    );
    println!(
        "content:      {}",
        match &verified.content {
            Some(c) => format!("attached, {} bytes", c.len()),
            None => "detached".to_owned(),
        }
    );
    println!(
        "note: the signer's certificate itself is not validated (no chain, dates or revocation)"
    );
    match (&args.out_content, &verified.content) {
        (Some(out), Some(c)) => write_file(out, "content", c)?,
        (Some(_), None) => eprintln!("--out-content ignored: the signature is detached"),
        _ => {}
    }
    Ok(())
}
