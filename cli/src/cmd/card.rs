//! `fkn card ...`: any card the SDK drives (an OFP1 token, or a Rutoken ECP
//! in PKI mode), through `fkn_core::card`: which application it has, its
//! keys, key generation and signing digests.

use anyhow::{Context, bail};
use clap::{Args, Subcommand};
use fkn_core::card::{self, CardApp, CardOptions};
use fkn_core::crypto::ec::{CurveId, VerifyingKey};

use crate::opts::{Pin, hex_upper, parse_curve, parse_digest, read_file, write_file};
use crate::token_spec::TokenOpt;

/// `fkn card` subcommands.
#[derive(Subcommand, Debug)]
pub enum CardCmd {
    /// Which application the card has, its serial and what it can do.
    Info(CardArgs),
    /// The keys on the card, one per line: id (hex), curve, public key
    /// (hex, `-` if the card does not tell it), certificate, label.
    List(PinArgs),
    /// Generate a key pair on the card; prints its id and public key.
    Keygen(KeygenArgs),
    /// Sign Streebog digests with a card key; prints one signature
    /// (s || r, hex) per line.
    SignDigest(SignDigestArgs),
    /// Store a certificate (PEM or DER) for a card key.
    StoreCert(StoreCertArgs),
    /// Write a self-signed certificate (PEM) for a card key, signed on the card.
    SelfSign(SelfSignArgs),
}

/// The card and how it may be talked to.
#[derive(Args, Debug)]
pub struct CardArgs {
    #[command(flatten)]
    token: TokenOpt,

    /// Send the PIN to a card that takes it in clear (Rutoken PKI mode)
    /// even over a contactless link, where it could be overheard.
    #[arg(long)]
    allow_clear_pin_over_nfc: bool,
}

/// A card and, optionally, the user PIN to log in with.
#[derive(Args, Debug)]
pub struct PinArgs {
    #[command(flatten)]
    card: CardArgs,

    /// User PIN (OFP1 tokens list keys only after a login).
    #[arg(long, value_name = "PIN", env = "FKN_PIN", hide_env_values = true)]
    pin: Option<Pin>,
}

/// A card, the user PIN and one key: what the verbs on one key take.
#[derive(Args, Debug)]
pub struct KeyArgs {
    #[command(flatten)]
    card: CardArgs,

    /// User PIN.
    #[arg(long, value_name = "PIN", env = "FKN_PIN", hide_env_values = true)]
    pin: Pin,

    /// Key id in hex (a Rutoken key reference: `01`).
    #[arg(long, value_name = "HEX")]
    id_hex: String,
}

impl KeyArgs {
    /// The key id and a logged-in card.
    fn login(&self) -> anyhow::Result<(Vec<u8>, Box<dyn CardApp>)> {
        Ok((parse_id(&self.id_hex)?, self.card.login(&self.pin)?))
    }
}

/// Arguments of `fkn card keygen`.
#[derive(Args, Debug)]
pub struct KeygenArgs {
    #[command(flatten)]
    card: CardArgs,

    /// User PIN.
    #[arg(long, value_name = "PIN", env = "FKN_PIN", hide_env_values = true)]
    pin: Pin,

    /// Curve (a Rutoken takes cryptopro-a, -b, -c).
    #[arg(long, value_name = "NAME", value_parser = parse_curve)]
    curve: CurveId,

    /// Key id in hex; on a Rutoken its key reference (one byte). Default
    /// there: the first free reference.
    #[arg(long, value_name = "HEX", default_value = "")]
    id_hex: String,

    /// Label (OFP1 tokens store it).
    #[arg(long, value_name = "L", default_value = "")]
    label: String,
}

/// Arguments of `fkn card sign-digest`.
#[derive(Args, Debug)]
pub struct SignDigestArgs {
    #[command(flatten)]
    key: KeyArgs,

    /// A Streebog digest in hex; repeat for several.
    #[arg(long = "digest", value_name = "HEX", required = true, value_parser = parse_digest)]
    digests: Vec<Vec<u8>>,
}

/// Arguments of `fkn card store-cert`.
#[derive(Args, Debug)]
pub struct StoreCertArgs {
    #[command(flatten)]
    key: KeyArgs,

    /// The certificate file, PEM or DER.
    #[arg(long, value_name = "FILE")]
    cert: std::path::PathBuf,
}

/// Arguments of `fkn card self-sign`.
#[derive(Args, Debug)]
pub struct SelfSignArgs {
    #[command(flatten)]
    key: KeyArgs,

    /// Subject, RFC 4514 (`CN=Ivan Petrov,O=Org`) or OpenSSL style.
    #[arg(long, value_name = "DN")]
    subject: String,

    /// Days of validity.
    #[arg(long, value_name = "N", default_value_t = 365)]
    days: u32,

    /// Where to write the certificate (PEM).
    #[arg(long, value_name = "FILE")]
    out: std::path::PathBuf,
}

impl CardArgs {
    fn open(&self) -> anyhow::Result<Box<dyn CardApp>> {
        let spec = self.token.spec();
        let link = spec.open()?;
        crate::session::note_link_kind(link.link_kind());
        let options = CardOptions {
            allow_clear_pin_over_nfc: self.allow_clear_pin_over_nfc,
        };
        Ok(card::open(link, &options)?)
    }

    fn login(&self, pin: &Pin) -> anyhow::Result<Box<dyn CardApp>> {
        let mut c = self.open()?;
        c.login(pin.expose())?;
        Ok(c)
    }
}

/// Logs (at info, `-v`) how many APDUs the command cost.
fn report(c: &dyn CardApp) {
    log::info!("{} APDU exchanges", c.exchanges());
}

fn parse_id(hex_id: &str) -> anyhow::Result<Vec<u8>> {
    hex::decode(hex_id).with_context(|| format!("--id-hex {hex_id:?} is not hex"))
}

/// Runs one `fkn card` subcommand.
pub fn run(cmd: CardCmd) -> anyhow::Result<()> {
    match cmd {
        CardCmd::Info(args) => info(&args),
        CardCmd::List(args) => list(&args),
        CardCmd::Keygen(args) => keygen(&args),
        CardCmd::SignDigest(args) => sign_digest(&args),
        CardCmd::StoreCert(args) => store_cert(&args),
        CardCmd::SelfSign(args) => self_sign(&args),
    }
}

fn info(args: &CardArgs) -> anyhow::Result<()> {
    let c = args.open()?;
    let caps = c.capabilities();
    println!("application: {:?}", caps.application);
    println!("serial: {}", hex_upper(&c.serial()));
    println!(
        "PIN: {}",
        if caps.pin_protected {
            "proven without crossing the link (SESPAKE)"
        } else {
            "sent in clear"
        }
    );
    println!("secure messaging: {}", caps.secure_messaging);
    let curves: Vec<&str> = caps.curves.iter().map(|c| c.name()).collect();
    println!("curves: {}", curves.join(" "));
    println!("digests per sign call: {}", caps.max_digests_per_sign);
    println!("certificate storage: {}", caps.certificate_storage);
    println!("key deletion: {}", caps.key_deletion);
    report(c.as_ref());
    Ok(())
}

fn list(args: &PinArgs) -> anyhow::Result<()> {
    let mut c = match &args.pin {
        Some(pin) => args.card.login(pin)?,
        None => args.card.open()?,
    };
    for k in c.list_keys()? {
        let public = if k.public_key.is_empty() {
            "-".to_owned()
        } else {
            hex_upper(&k.public_key)
        };
        let cert = if k.has_certificate { "cert" } else { "no-cert" };
        println!(
            "{} {} {public} {cert} {}",
            hex_upper(&k.id),
            k.curve.name(),
            k.label
        );
    }
    report(c.as_ref());
    Ok(())
}

fn keygen(args: &KeygenArgs) -> anyhow::Result<()> {
    let id = parse_id(&args.id_hex)?;
    let mut c = args.card.login(&args.pin)?;
    let key = c.generate_key(&id, args.curve, &args.label)?;
    println!("{} {}", hex_upper(&key.id), hex_upper(&key.public_key));
    report(c.as_ref());
    Ok(())
}

/// Signs, and checks each signature against the key's public key when the
/// card tells it (a card that returns a wrong signature is not believed).
fn sign_digest(args: &SignDigestArgs) -> anyhow::Result<()> {
    let (id, mut c) = args.key.login()?;
    let key = c
        .list_keys()?
        .into_iter()
        .find(|k| k.id == id)
        .ok_or_else(|| fkn_core::Error::from(fkn_core::error::CardRefusal::KeyNotFound))?;
    let verifier = if key.public_key.is_empty() {
        log::warn!(
            "the card does not tell key {}'s public key: signatures not checked",
            args.key.id_hex
        );
        None
    } else {
        Some(VerifyingKey::from_bytes(key.curve, &key.public_key)?)
    };
    let per_call = c.capabilities().max_digests_per_sign as usize;
    for chunk in args.digests.chunks(per_call.max(1)) {
        for (digest, sig) in chunk.iter().zip(c.sign(&id, chunk)?) {
            if let Some(v) = &verifier {
                if v.verify_digest(digest, &sig).is_err() {
                    bail!(
                        "the card's signature does not verify under the key's public key; the card is faulty"
                    );
                }
            }
            println!("{}", hex_upper(&sig));
        }
    }
    report(c.as_ref());
    Ok(())
}

fn store_cert(args: &StoreCertArgs) -> anyhow::Result<()> {
    let der = fkn_core::pki::pem::to_der(
        &read_file(&args.cert, "certificate")?,
        fkn_core::pki::pem::CERTIFICATE,
    )?;
    let (id, mut c) = args.key.login()?;
    c.put_certificate(&id, &der)?;
    println!("stored the certificate of key {}", args.key.id_hex);
    report(c.as_ref());
    Ok(())
}

fn self_sign(args: &SelfSignArgs) -> anyhow::Result<()> {
    use fkn_core::pki;
    let subject = pki::Subject::parse(&args.subject)?;
    let (id, mut c) = args.key.login()?;
    let der = {
        let mut signer = fkn_core::card::CardSigner::find(c.as_mut(), &id)?;
        pki::cert::self_signed(&mut signer, &subject, args.days)
            .map_err(crate::session::pki_error)?
    };
    write_file(
        &args.out,
        "certificate",
        pki::pem::encode(pki::pem::CERTIFICATE, &der)?.as_bytes(),
    )?;
    report(c.as_ref());
    Ok(())
}
