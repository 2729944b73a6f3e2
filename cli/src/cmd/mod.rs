//! The verbs, one module per group. To add a verb: a variant here, a module
//! with its `Args` and `run`, and a match arm in [`run`].

mod apdu;
mod card;
mod cert;
mod cms;
mod demo;
mod demo_server;
mod dsign;
mod enroll;
mod info;
mod keys;
mod pin;
mod readers;
mod request;
mod server;
mod token;

use clap::Subcommand;

/// What `fkn` is asked to do.
#[derive(Subcommand, Debug)]
pub enum Verb {
    /// Run the SDK end to end on a fresh in-memory virtual token over a
    /// simulated NFC link, then a two-party key with an in-process
    /// fkn-server over loopback HTTP; report APDUs, round trips and times of
    /// each step.
    Demo(demo::DemoArgs),
    /// Any card the SDK drives (OFP1 token or Rutoken ECP in PKI mode):
    /// which application it has, keys, key generation, signing digests.
    #[command(subcommand)]
    Card(card::CardCmd),
    /// Check a GOST signature (s || r, hex) over a digest with a public key
    /// (X || Y little-endian, hex); exit status 0 only if it is valid.
    VerifyDigest(keys::VerifyDigestArgs),
    /// Create (init) or serve a virtual token.
    #[command(subcommand)]
    Token(token::TokenCmd),
    /// Show what the token tells without a PIN (serial, label, curves, PIN
    /// attempts); with --pin also the free key slots.
    Info(info::InfoArgs),
    /// List the keys on the token, one per line.
    List(info::ListArgs),
    /// Generate a key pair on the token; prints the public key in hex.
    Keygen(keys::KeygenArgs),
    /// Sign Streebog digests with a token key; prints one signature (s || r,
    /// hex) per line, in order.
    SignDigest(keys::SignDigestArgs),
    /// Change the user PIN (or the admin PIN with --admin).
    ChangePin(pin::ChangePinArgs),
    /// Set a new user PIN and unblock it, with the admin PIN.
    UnblockPin(pin::UnblockPinArgs),
    /// Write a PKCS #10 certification request for a token key.
    Csr(cert::CsrArgs),
    /// Certificates of token keys: self-sign, export, import.
    #[command(subcommand)]
    Cert(cert::CertCmd),
    /// Sign a file: CMS SignedData (CAdES-BES) with the key's certificate.
    Sign(cms::SignArgs),
    /// Verify a CMS signature; exit status 0 only if it is valid.
    Verify(cms::VerifyArgs),
    /// Send raw APDUs (hex) to a token and print the responses.
    Apdu(apdu::ApduArgs),
    /// List the PC/SC readers.
    Readers,
    /// Enroll this machine as a device of a signing server (the URI of its
    /// enrollment QR code): pair, generate a two-party key with the server,
    /// optionally register a card key, keep the share and credential locally.
    Enroll(enroll::EnrollArgs),
    /// Sign a file with a two-party key: CMS SignedData (CAdES-BES), the
    /// server adding its half over the device's signed channel.
    Dsign(dsign::DsignArgs),
    /// Signing requests: a backend asks (create, show), the enrolled
    /// device answers (list, approve, decline).
    #[command(subcommand)]
    Request(request::RequestCmd),
    /// The two-party signing server (fkn-server).
    #[command(subcommand)]
    Server(server::ServerCmd),
}

/// Runs one verb.
pub fn run(verb: Verb) -> anyhow::Result<()> {
    match verb {
        Verb::Demo(args) => demo::run(&args),
        Verb::Card(cmd) => card::run(cmd),
        Verb::VerifyDigest(args) => keys::verify_digest(&args),
        Verb::Token(cmd) => token::run(cmd),
        Verb::Info(args) => info::info(&args),
        Verb::List(args) => info::list(&args),
        Verb::Keygen(args) => keys::keygen(&args),
        Verb::SignDigest(args) => keys::sign_digest(&args),
        Verb::ChangePin(args) => pin::change(&args),
        Verb::UnblockPin(args) => pin::unblock(&args),
        Verb::Csr(args) => cert::csr(&args),
        Verb::Cert(cmd) => cert::run(&cmd),
        Verb::Sign(args) => cms::sign(&args),
        Verb::Verify(args) => cms::verify(&args),
        Verb::Apdu(args) => apdu::run(&args),
        Verb::Readers => readers::run(),
        Verb::Enroll(args) => enroll::run(&args),
        Verb::Dsign(args) => dsign::run(&args),
        Verb::Request(cmd) => request::run(&cmd),
        Verb::Server(cmd) => server::run(&cmd),
    }
}
