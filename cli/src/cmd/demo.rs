//! `fkn demo`: the SDK end to end on a fresh in-memory virtual token over a
//! simulated NFC link: login, a key on every curve with a signature checked
//! on the host, then a self-signed certificate stored on the token and a CMS
//! signature of a sample document, verified; then a two-party key with an
//! in-process fkn-server ([`super::demo_server`]). Each step reports its
//! APDUs and server round trips, the simulated NFC time, the time inside the
//! token, the time waiting for the server and the host's time.

use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use clap::Args;
use fkn_core::crypto::ec::{CurveId, VerifyingKey};
use fkn_core::pki::{self, Subject, cert, cms};
use fkn_core::token::{KeyInfo, PinRef, TokenSession, TokenSigner};
use fkn_core::transport::{Transport, TransportError};
use fkn_testkit::{CountingTransport, NfcLinkModel};
use fkn_vtoken::{OsRandom, TokenRandom, TokenState, VirtualToken, VirtualTokenTransport};

use crate::http_channel::HttpStats;
use crate::opts::{hex_upper, show_time};
use crate::session::pki_error;

/// Arguments of `fkn demo`.
#[derive(Args, Debug)]
pub struct DemoArgs {
    /// Really wait the simulated NFC time at each exchange, so the demo
    /// takes as long as it would on a phone.
    #[arg(long)]
    real_time: bool,
}

// Demo PINs: the token is in memory and gone when the demo ends.
const USER_PIN: &str = "123456";
const ADMIN_PIN: &str = "87654321";
/// The key the PKI part uses.
const PKI_CURVE: CurveId = CurveId::Tc26_256A;
pub(super) const DOCUMENT: &[u8] =
    b"FKN SDK demo document.\nSigned on the token; only its Streebog digest crossed the link.\n";

/// Time spent inside the wrapped transport: for the in-process virtual
/// token, the card's own computation.
pub(super) struct TokenClock<T> {
    inner: T,
    busy: Duration,
}

impl<T: Transport> Transport for TokenClock<T> {
    fn transceive(&mut self, apdu: Vec<u8>) -> Result<Vec<u8>, TransportError> {
        let start = Instant::now();
        let rsp = self.inner.transceive(apdu);
        self.busy += start.elapsed();
        rsp
    }
    fn max_transceive_length(&self) -> usize {
        self.inner.max_transceive_length()
    }
    fn extended_length_supported(&self) -> bool {
        self.inner.extended_length_supported()
    }
}

type Link = CountingTransport<NfcLinkModel<TokenClock<VirtualTokenTransport>>>;
pub(super) type Session = TokenSession<Link>;

/// Counters of the card link and the server channel at one moment.
#[derive(Clone, Copy, Default)]
struct Figures {
    apdus: u64,
    round_trips: u64,
    /// APDUs and HTTP bodies, both ways.
    bytes: u64,
    nfc: Duration,
    token: Duration,
    server: Duration,
}

impl Figures {
    fn of(link: &Link, http: &HttpStats) -> Self {
        let stats = link.stats();
        Figures {
            apdus: stats.exchanges,
            round_trips: http.round_trips(),
            bytes: stats.bytes_sent + stats.bytes_received + http.bytes(),
            nfc: link.inner().simulated_time(),
            token: link.inner().inner().busy,
            server: http.waited(),
        }
    }
}

/// Prints numbered steps and keeps the totals.
pub(super) struct Report {
    step: usize,
    real_time: bool,
    host: Duration,
    started: Instant,
    http: Arc<HttpStats>,
}

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1e3)
}

impl Report {
    /// Runs one step on the session and prints its figures and `detail`.
    pub(super) fn run<R>(
        &mut self,
        s: &mut Session,
        title: &str,
        f: impl FnOnce(&mut Session) -> anyhow::Result<(R, String)>,
    ) -> anyhow::Result<R> {
        let before = Figures::of(s.transport(), &self.http);
        let start = Instant::now();
        let (r, detail) = f(s).with_context(|| format!("demo step \"{title}\""))?;
        let wall = start.elapsed();
        let after = Figures::of(s.transport(), &self.http);
        self.print(title, wall, before, after, &detail);
        Ok(r)
    }

    fn print(
        &mut self,
        title: &str,
        wall: Duration,
        before: Figures,
        after: Figures,
        detail: &str,
    ) {
        self.step += 1;
        let token = after.token - before.token;
        let nfc = after.nfc - before.nfc;
        let server = after.server - before.server;
        // With --real-time the wall clock also holds the link's sleeps.
        let host = wall
            .saturating_sub(token)
            .saturating_sub(server)
            .saturating_sub(if self.real_time { nfc } else { Duration::ZERO });
        self.host += host;
        println!(
            "{:>2}. {title:<44} {:>3} APDU {:>2} RT  {:>5} B  NFC {:>8}  token {:>8}  server {:>8}  host {:>8}",
            self.step,
            after.apdus - before.apdus,
            after.round_trips - before.round_trips,
            after.bytes - before.bytes,
            ms(nfc),
            ms(token),
            ms(server),
            ms(host)
        );
        println!("    {detail}");
    }
}

/// Runs the demo.
pub fn run(args: &DemoArgs) -> anyhow::Result<()> {
    println!(
        "FKN SDK demo: a fresh virtual token in memory, reached over a simulated NFC link \
         ({} ms per exchange, {} kbit/s)",
        NfcLinkModel::<VirtualTokenTransport>::DEFAULT_LATENCY.as_millis(),
        NfcLinkModel::<VirtualTokenTransport>::DEFAULT_BIT_RATE / 1000
    );
    println!(
        "columns: APDUs exchanged, server round trips (HTTP), bytes both ways, simulated NFC \
         time{}, time inside the token, time waiting for the server, host time (SDK crypto and \
         PKI)\n",
        if args.real_time {
            " (really waited)"
        } else {
            " (not waited)"
        }
    );
    let mut report = Report {
        step: 0,
        real_time: args.real_time,
        host: Duration::ZERO,
        started: Instant::now(),
        http: Arc::new(HttpStats::default()),
    };

    // 1. The token: PINs become SESPAKE verifiers (PBKDF2 on the host).
    let start = Instant::now();
    let mut serial = [0u8; 8];
    OsRandom.fill_bytes(&mut serial);
    let state = TokenState::with_pins(
        serial,
        "fkn demo",
        USER_PIN,
        ADMIN_PIN,
        CurveId::Tc26_256A,
        &mut OsRandom,
    )?;
    let link = CountingTransport::new(
        NfcLinkModel::new(TokenClock {
            inner: VirtualTokenTransport::new(VirtualToken::new(state)),
            busy: Duration::ZERO,
        })
        .with_real_sleep(args.real_time),
    );
    report.print(
        "create the virtual token",
        start.elapsed(),
        Figures::default(),
        Figures::default(),
        &format!(
            "serial {}, {} key slots; it stores only the PINs' SESPAKE verifiers",
            hex_upper(&serial),
            fkn_vtoken::state::DEFAULT_KEY_SLOTS
        ),
    );

    // 2. SELECT.
    let start = Instant::now();
    let mut s = TokenSession::open(link)?;
    let select = s.select_info().clone();
    report.print(
        "open: SELECT the OFP1 application",
        start.elapsed(),
        Figures::default(),
        Figures::of(s.transport(), &report.http),
        &format!(
            "label {:?}, {} curves, user PIN: {} attempts left",
            select.label,
            select.curves.len(),
            select.password(PinRef::User).map_or(0, |p| p.attempts_left)
        ),
    );

    // 3. SESPAKE: the PIN never crosses the link.
    report.run(&mut s, "log in: SESPAKE with the user PIN", |s| {
        s.authenticate(USER_PIN)?;
        Ok((
            (),
            "PBKDF2 + two GENERAL AUTHENTICATE; the token proved it knows the verifier; \
             secure messaging on"
                .to_owned(),
        ))
    })?;

    // 4. A key on every curve, a signature, verified on the host.
    let mut pki_key = None;
    for curve in CurveId::ALL {
        let key = report.run(&mut s, &format!("{curve}: keygen, sign, verify"), |s| {
            keygen_sign_verify(s, curve)
        })?;
        if curve == PKI_CURVE {
            pki_key = Some(key);
        }
    }
    let Some(key) = pki_key else {
        bail!("the demo made no {PKI_CURVE} key");
    };

    // 5. Certificate, CMS signature, verification.
    let subject = Subject::new()
        .organization("FKN SDK")
        .common_name("FKN demo signer");
    let cert_der = report.run(&mut s, "self-signed certificate, stored", |s| {
        let der =
            cert::self_signed(&mut TokenSigner::new(s, &key), &subject, 30).map_err(pki_error)?;
        cert::verify_certificate_signature(&der, &der)?;
        s.put_certificate(&key.id, &der)?;
        Ok((
            der.clone(),
            format!(
                "{subject}, {} bytes DER, signed on the token, stored for key {:?}",
                der.len(),
                PKI_CURVE.name()
            ),
        ))
    })?;
    let signature = report.run(&mut s, "CMS signature of a document", |s| {
        let stored = s.get_certificate(&key.id)?;
        if stored != cert_der {
            bail!("the token returned another certificate than the one stored");
        }
        let mut doc = DOCUMENT;
        let sig = cms::sign(
            &mut TokenSigner::new(s, &key),
            &stored,
            &mut doc,
            &cms::SignOptions::default(),
        )
        .map_err(pki_error)?;
        Ok((
            sig.clone(),
            format!(
                "{}-byte document -> {}-byte CMS SignedData (CAdES-BES, attached, certificate read back from the token)",
                DOCUMENT.len(),
                sig.len()
            ),
        ))
    })?;
    report.run(&mut s, "verify the CMS signature", |_| {
        verify_cms(&signature)
    })?;

    let http = report.http.clone();
    super::demo_server::run(&mut report, &mut s, &key, &http)?;

    let total = Figures::of(s.transport(), &http);
    println!(
        "\ntotal: {} APDUs, {} server round trips, {} bytes; NFC {} (simulated), token {}, \
         server {}, host {}; wall {}",
        total.apdus,
        total.round_trips,
        total.bytes,
        ms(total.nfc),
        ms(total.token),
        ms(total.server),
        ms(report.host),
        ms(report.started.elapsed())
    );
    println!(
        "a cold signature costs 4 APDUs: SELECT, two GENERAL AUTHENTICATE, one sign (OFP1 Section 3); \
         a two-party signature one server round trip"
    );
    Ok(())
}

/// One curve: a key made on the token, a digest signed there, the signature
/// checked here (and a one-bit change of the digest rejected).
fn keygen_sign_verify(s: &mut Session, curve: CurveId) -> anyhow::Result<(KeyInfo, String)> {
    let key = s.generate_key(curve.name().as_bytes(), curve, &format!("demo {curve}"))?;
    let alg = pki::digest_for(curve);
    let digest = alg.digest(format!("message for {curve}").as_bytes());
    let sig = s
        .sign(&key.id, &[&digest])?
        .pop()
        .context("the token returned no signature")?;
    let vk = VerifyingKey::from_bytes(curve, &key.public_key)?;
    vk.verify_digest(&digest, &sig)
        .context("the token's signature does not verify")?;
    let mut altered = digest.clone();
    altered[0] ^= 1;
    if vk.verify_digest(&altered, &sig).is_ok() {
        bail!("a signature verified over an altered digest");
    }
    let detail = format!(
        "key {} ({} B), {}-byte signature over Streebog-{} verifies; altered digest rejected",
        abbrev(&key.public_key),
        key.public_key.len(),
        sig.len(),
        alg.output_len() * 8
    );
    Ok((key, detail))
}

/// Verifies the demo's CMS signature, then a copy with one byte of the
/// document changed, which must fail.
pub(super) fn verify_cms(sig: &[u8]) -> anyhow::Result<((), String)> {
    let ok = cms::verify(sig, None)?;
    if ok.content.as_deref() != Some(DOCUMENT) {
        bail!("the verified content is not the document");
    }
    let at = sig
        .windows(DOCUMENT.len())
        .position(|w| w == DOCUMENT)
        .context("the document is not inside the attached signature")?;
    let mut altered = sig.to_vec();
    altered[at] ^= 0x20;
    let rejected = match cms::verify(&altered, None) {
        Ok(_) => bail!("a signature over an altered document verified"),
        Err(e) => e,
    };
    Ok((
        (),
        format!(
            "valid: signer {}, signed {}; a copy with one letter changed is rejected ({})",
            ok.signer.subject,
            ok.signing_time
                .map_or_else(|| "at no stated time".into(), show_time),
            short(&rejected.to_string())
        ),
    ))
}

/// `0123ABCD..89EF0123`: the first and last four bytes in hex.
pub(super) fn abbrev(bytes: &[u8]) -> String {
    match (
        bytes.get(..4),
        bytes.len().checked_sub(4).and_then(|i| bytes.get(i..)),
    ) {
        (Some(head), Some(tail)) if bytes.len() > 8 => {
            format!("{}..{}", hex_upper(head), hex_upper(tail))
        }
        _ => hex_upper(bytes),
    }
}

/// The first clause of an error message.
fn short(msg: &str) -> &str {
    msg.split([':', ';', '(']).next().unwrap_or(msg).trim()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn abbreviates_long_values_only() {
        assert_eq!(abbrev(&[0xAB; 64]), "ABABABAB..ABABABAB");
        assert_eq!(abbrev(&[1, 2, 3]), "010203");
        assert_eq!(abbrev(&[]), "");
    }

    #[test]
    fn short_keeps_the_first_clause() {
        assert_eq!(
            short("the content does not match (x): y"),
            "the content does not match"
        );
        assert_eq!(short("plain"), "plain");
    }
}
