//! `fkn request ...`: signing requests from a terminal, both sides.
//!
//! A backend (`create`, `show`, with its API key from `fkn server
//! add-backend`) asks an account's user to sign a document; the user's
//! enrolled device (`list`, `approve`, `decline`, with its `--store`) sees
//! what it signs and answers: card requests all in one token sign command,
//! two-party ones with the server adding its half.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, bail};
use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use clap::{Args, Subcommand};
use fkn_core::distributed::{Device, DeviceConfig, KeyId};
use fkn_core::onboarding::{DeviceCredential, SignedChannel};
use fkn_core::pki::Subject;
use fkn_core::requests::{
    Approval, FetchedRequest, KeyRef, MAX_BATCH, RequestClient, approve_on_token, approve_with,
};
use serde_json::{Value, json};
use zeroize::Zeroizing;

use crate::cmd::cert::self_signed_on_token;
use crate::cmd::dsign::kept_certificate;
use crate::device_home::StoreOpt;
use crate::http_channel::{HttpChannel, HttpStats, check_server_url};
use crate::opts::{CardOpt, Pin, read_file, write_file};
use crate::session;

/// Validity of a card certificate made on first use.
const CERT_DAYS: u32 = 365;

/// `fkn request` subcommands.
#[derive(Subcommand, Debug)]
pub enum RequestCmd {
    /// (backend) Ask an account's user to sign a file; prints the request id.
    Create(CreateArgs),
    /// (backend) Show a request; with --wait wait for the user, with --out
    /// write its signature once signed.
    Show(ShowArgs),
    /// (device) List the account's pending requests.
    List(ListArgs),
    /// (device) Show and sign requests (all pending ones, at most 16, if no
    /// id is given): card requests in one tap, two-party ones with --pin.
    Approve(ApproveArgs),
    /// (device) Decline a request.
    Decline(DeclineArgs),
}

/// A backend's server and API key.
#[derive(Args, Debug)]
pub struct ApiOpt {
    /// The server's base URL (http://).
    #[arg(long, value_name = "URL", env = "FKN_SERVER")]
    server: String,
    /// The backend's API key (from `fkn server add-backend`).
    #[arg(long, value_name = "KEY", env = "FKN_API_KEY", hide_env_values = true)]
    api_key: String,
}

/// Arguments of `fkn request create`.
#[derive(Args, Debug)]
pub struct CreateArgs {
    #[command(flatten)]
    api: ApiOpt,
    /// The account whose user signs.
    #[arg(long, value_name = "ACCOUNT")]
    account: String,
    /// The file to be signed; the user's phone shows it.
    #[arg(value_name = "FILE")]
    file: PathBuf,
    /// Title shown to the user (default: the file's name).
    #[arg(long, value_name = "TEXT")]
    title: Option<String>,
    /// Sign with this card key of the account (its id on the server).
    #[arg(
        long,
        value_name = "ID",
        conflicts_with = "two_party",
        required_unless_present = "two_party"
    )]
    card: Option<String>,
    /// Sign with this two-party key of the account.
    #[arg(long, value_name = "ID")]
    two_party: Option<String>,
    /// Ask for a detached signature (the file left out of it).
    #[arg(long)]
    detached: bool,
    /// Seconds the user has (default one day).
    #[arg(long, value_name = "SECONDS", default_value_t = 86_400)]
    ttl: u64,
}

/// Arguments of `fkn request show`.
#[derive(Args, Debug)]
pub struct ShowArgs {
    #[command(flatten)]
    api: ApiOpt,
    /// The request id.
    #[arg(value_name = "ID")]
    id: String,
    /// Wait up to this many seconds for the user (at most 60 per call; longer
    /// waits poll again).
    #[arg(long, value_name = "SECONDS", default_value_t = 0)]
    wait: u64,
    /// Where to write the CMS signature (DER) once signed.
    #[arg(long, value_name = "FILE")]
    out: Option<PathBuf>,
}

/// Arguments of `fkn request list`.
#[derive(Args, Debug)]
pub struct ListArgs {
    #[command(flatten)]
    store: StoreOpt,
}

/// Arguments of `fkn request approve`.
#[derive(Args, Debug)]
pub struct ApproveArgs {
    /// Requests to sign (default: every pending one, at most 16).
    #[arg(value_name = "ID")]
    ids: Vec<String>,
    #[command(flatten)]
    store: StoreOpt,
    /// PIN of the two-party key, for requests that name it.
    #[arg(long, value_name = "PIN", env = "FKN_PIN", hide_env_values = true)]
    pin: Option<Pin>,
    /// The card, for requests that name a card key.
    #[command(flatten)]
    card: CardOpt,
}

/// Arguments of `fkn request decline`.
#[derive(Args, Debug)]
pub struct DeclineArgs {
    /// The request.
    #[arg(value_name = "ID")]
    id: String,
    /// Why, for the sender.
    #[arg(long, value_name = "TEXT", default_value = "declined by the user")]
    reason: String,
    #[command(flatten)]
    store: StoreOpt,
}

/// Runs one `fkn request` subcommand.
pub fn run(cmd: &RequestCmd) -> anyhow::Result<()> {
    match cmd {
        RequestCmd::Create(a) => create(a),
        RequestCmd::Show(a) => show(a),
        RequestCmd::List(a) => list(a),
        RequestCmd::Approve(a) => approve(a),
        RequestCmd::Decline(a) => decline(a),
    }
}

impl ApiOpt {
    /// One call of the backend API; the JSON answer of a 2xx status.
    fn call(&self, path: &str, body: Option<Value>, timeout: Duration) -> anyhow::Result<Value> {
        check_server_url(&self.server)?;
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .timeout_global(Some(timeout))
            .http_status_as_error(false)
            .build()
            .into();
        let url = format!("{}{path}", self.server.trim_end_matches('/'));
        let auth = Zeroizing::new(format!("Bearer {}", self.api_key));
        let sent = match body {
            Some(b) => agent
                .post(&url)
                .header("authorization", auth.as_str())
                .header("content-type", "application/json")
                .send(b.to_string()),
            None => agent
                .get(&url)
                .header("authorization", auth.as_str())
                .call(),
        };
        let mut resp = sent.with_context(|| format!("cannot reach {}", self.server))?;
        let status = resp.status().as_u16();
        let text = resp.body_mut().read_to_string().unwrap_or_default();
        let v: Value = serde_json::from_str(&text).unwrap_or(Value::String(text));
        if !(200..300).contains(&status) {
            let why = v["error"]
                .as_str()
                .map_or_else(|| v.to_string(), str::to_owned);
            bail!("the server answered {status}: {why}");
        }
        Ok(v)
    }
}

fn create(a: &CreateArgs) -> anyhow::Result<()> {
    let doc = read_file(&a.file, "document")?;
    let key = match (&a.card, &a.two_party) {
        (Some(id), _) => json!({ "card": id }),
        (None, Some(id)) => json!({ "distributed": id }),
        (None, None) => bail!("name the key: --card ID or --two-party ID"),
    };
    let title = a.title.clone().unwrap_or_else(|| {
        a.file
            .file_name()
            .map_or_else(|| "document".into(), |n| n.to_string_lossy().into_owned())
    });
    let v = a.api.call(
        "/api/v1/requests",
        Some(json!({
            "account": a.account,
            "title": title,
            "document": B64.encode(&doc),
            "key": key,
            "detached": a.detached,
            "ttl_seconds": a.ttl,
        })),
        Duration::from_secs(30),
    )?;
    println!("{}", v["id"].as_str().unwrap_or_default());
    eprintln!(
        "request for {} to sign {} ({} bytes), pending until {}",
        a.account,
        a.file.display(),
        doc.len(),
        v["deadline"]
    );
    Ok(())
}

fn show(a: &ShowArgs) -> anyhow::Result<()> {
    let started = std::time::Instant::now();
    let v = loop {
        let left = a.wait.saturating_sub(started.elapsed().as_secs());
        let wait = left.min(60);
        let v = a.api.call(
            &format!("/api/v1/requests/{}?wait={wait}", a.id),
            None,
            Duration::from_secs(wait + 30),
        )?;
        if v["state"] != "pending" || left <= wait {
            break v;
        }
    };
    let state = v["state"].as_str().unwrap_or("?");
    println!("{state}");
    eprintln!(
        "request {} of {}: {:?}, {} of {} bytes, {} signature",
        a.id,
        v["account"].as_str().unwrap_or("?"),
        v["title"].as_str().unwrap_or(""),
        v["content"].as_str().unwrap_or("?"),
        v["content_length"],
        if v["detached"] == true {
            "detached"
        } else {
            "attached"
        }
    );
    if let Some(reason) = v["decline_reason"].as_str() {
        eprintln!("declined: {reason}");
    }
    match (v["cms"].as_str(), &a.out) {
        (Some(cms), Some(out)) => {
            let der = B64
                .decode(cms)
                .context("the server sent a CMS that is not base64")?;
            write_file(out, "signature", &der)?;
            eprintln!("signature written to {}", out.display());
        }
        (None, Some(_)) if state != "pending" => bail!("request {} was {state}, not signed", a.id),
        (None, Some(_)) => bail!("request {} is still pending", a.id),
        _ => {}
    }
    Ok(())
}

/// The enrolled device's side: its request client over HTTP, credential,
/// channel and round-trip counter.
struct DeviceSide {
    client: RequestClient,
    credential: Arc<DeviceCredential>,
    http: Arc<HttpChannel>,
    stats: Arc<HttpStats>,
}

fn device_side(store: &StoreOpt) -> anyhow::Result<DeviceSide> {
    let (_, s) = store.open()?;
    let credential = Arc::new(DeviceCredential::load(&*s)?);
    let stats = Arc::new(HttpStats::default());
    let http = Arc::new(HttpChannel::new(credential.server(), stats.clone())?);
    Ok(DeviceSide {
        client: RequestClient::new(credential.clone(), http.clone()),
        credential,
        http,
        stats,
    })
}

fn list(a: &ListArgs) -> anyhow::Result<()> {
    let DeviceSide {
        client, credential, ..
    } = device_side(&a.store)?;
    let pending = client.pending()?;
    for r in &pending {
        println!(
            "{}  {}  {}  {}",
            r.id,
            r.key.kind(),
            if r.digest_only {
                "digest only".to_owned()
            } else {
                format!("{} bytes", r.document_len)
            },
            r.title
        );
    }
    eprintln!(
        "{} pending request(s) for {} on {}",
        pending.len(),
        credential.account(),
        credential.server()
    );
    Ok(())
}

/// What the user sees before signing: the title, and the document itself
/// when it is text, else its size and digest.
fn describe(r: &FetchedRequest) {
    println!("--- {} ({})", r.title, r.id);
    match r.document() {
        Some(doc) => match std::str::from_utf8(doc) {
            Ok(text) if text.len() <= 2000 => println!("{}", text.trim_end()),
            _ => println!("[{} bytes of binary or long content]", doc.len()),
        },
        None => println!("[only a digest is signed: the document itself is not shown]"),
    }
}

fn approve(a: &ApproveArgs) -> anyhow::Result<()> {
    let DeviceSide {
        client,
        credential,
        http,
        stats,
    } = device_side(&a.store)?;
    let ids: Vec<String> = if a.ids.is_empty() {
        client
            .pending()?
            .into_iter()
            .take(MAX_BATCH)
            .map(|r| r.id)
            .collect()
    } else {
        a.ids.clone()
    };
    if ids.is_empty() {
        println!("nothing to sign");
        return Ok(());
    }
    let fetched = client.fetch(&ids)?;
    for r in &fetched {
        describe(r);
    }
    let (cards, two_party): (Vec<FetchedRequest>, Vec<FetchedRequest>) = fetched
        .into_iter()
        .partition(|r| matches!(r.key, KeyRef::Card(_)));
    let mut approvals: Vec<Approval> = Vec::new();
    if !cards.is_empty() {
        let mut s = a
            .card
            .login()?
            .context("requests name a card key: give --card virtual:PATH or pcsc:READER")?;
        let key = session::find_key(&mut s, &a.card.card_key)?;
        let cert = match s.get_certificate(&key.id) {
            Ok(der) => der,
            Err(_) => {
                let subject = Subject::new().common_name(credential.account());
                self_signed_on_token(&mut s, &key, &subject, CERT_DAYS)?
            }
        };
        let before = s.exchanges();
        approvals.extend(approve_on_token(&mut s, &key.id, &cert, &cards)?);
        eprintln!(
            "signed {} request(s) on the card in {} APDU exchange(s)",
            cards.len(),
            s.exchanges() - before
        );
    }
    if !two_party.is_empty() {
        let pin = a
            .pin
            .as_ref()
            .context("requests name a two-party key: give its --pin")?;
        let (dir, store) = a.store.open()?;
        let signed = Arc::new(SignedChannel::new(credential.clone(), http));
        let device = Device::new(store, signed, DeviceConfig::default());
        let mut by_key: Vec<(String, Vec<FetchedRequest>)> = Vec::new();
        for r in two_party {
            let id = r.key.id().to_owned();
            match by_key.iter_mut().find(|(k, _)| *k == id) {
                Some((_, group)) => group.push(r),
                None => by_key.push((id, vec![r])),
            }
        }
        for (id, group) in by_key {
            let key_id = KeyId::new(&id).map_err(fkn_core::Error::from)?;
            let mut key = device
                .unlock(&key_id, pin.expose().as_bytes())
                .map_err(fkn_core::Error::from)?;
            let cert = kept_certificate(&dir, &key_id, credential.account(), &mut key)?;
            approvals.extend(approve_with(&mut key, &cert, &group)?);
        }
    }
    let ids: Vec<String> = approvals.iter().map(|x| x.id.clone()).collect();
    let results = client.approve(approvals)?;
    let mut refused = 0;
    for (id, r) in ids.iter().zip(&results) {
        match r {
            Ok(()) => println!("signed   {id}"),
            Err(why) => {
                refused += 1;
                println!("refused  {id}: {why}");
            }
        }
    }
    eprintln!(
        "{} signed, {refused} refused ({} round trip(s) to the server)",
        results.len() - refused,
        stats.round_trips()
    );
    if refused > 0 {
        bail!("{refused} approval(s) refused by the server");
    }
    Ok(())
}

fn decline(a: &DeclineArgs) -> anyhow::Result<()> {
    device_side(&a.store)?.client.decline(&a.id, &a.reason)?;
    println!("declined {}", a.id);
    Ok(())
}
