//! Values typed on the command line that several verbs share: PINs (kept
//! out of `Debug` and zeroized), key ids, the token + user PIN + key id set
//! most verbs take, curve names and digests.

use std::fmt;
use std::str::FromStr;

use anyhow::{Context, bail};
use clap::Args;
use fkn_core::crypto::ec::CurveId;
use fkn_core::token::KeyInfo;
use zeroize::Zeroizing;

use crate::session::{self, Session};
use crate::token_spec::TokenOpt;

/// A PIN from the command line or the environment. Zeroized on drop and
/// never printed (`Debug` shows `[REDACTED]`), so `-vv` logs of parsed
/// arguments cannot leak it.
#[derive(Clone)]
pub struct Pin(Zeroizing<String>);

impl Pin {
    /// The PIN itself, for the SESPAKE password derivation.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl FromStr for Pin {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if s.is_empty() {
            return Err("a PIN cannot be empty".into());
        }
        Ok(Pin(Zeroizing::new(s.to_owned())))
    }
}

impl fmt::Debug for Pin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Pin([REDACTED])")
    }
}

/// Longest key id (OFP1 Section 6).
const MAX_ID_LEN: usize = 16;

/// A key id: 1 to 16 bytes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KeyId(Vec<u8>);

impl KeyId {
    fn new(bytes: Vec<u8>, typed: &str) -> Result<Self, String> {
        if bytes.is_empty() || bytes.len() > MAX_ID_LEN {
            return Err(format!(
                "\"{typed}\" is {} byte(s); a key id is 1 to {MAX_ID_LEN} bytes",
                bytes.len()
            ));
        }
        Ok(KeyId(bytes))
    }

    /// `--id TEXT`: the UTF-8 bytes of the text.
    pub fn parse_text(s: &str) -> Result<Self, String> {
        Self::new(s.as_bytes().to_vec(), s)
    }

    /// `--id-hex HEX`: raw bytes.
    pub fn parse_hex(s: &str) -> Result<Self, String> {
        let bytes = hex::decode(s.trim()).map_err(|e| format!("\"{s}\" is not hex: {e}"))?;
        Self::new(bytes, s)
    }

    /// The id bytes.
    pub fn bytes(&self) -> &[u8] {
        &self.0
    }
}

impl fmt::Display for KeyId {
    /// As `--id` takes it when it is plain text, else as `--id-hex` does.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&show_id(&self.0))
    }
}

/// A key id for people: `"text"` when it is printable UTF-8, else `hex:..`.
pub fn show_id(id: &[u8]) -> String {
    match std::str::from_utf8(id) {
        Ok(s) if !s.is_empty() && !s.chars().any(char::is_control) => format!("{s:?}"),
        _ => format!("hex:{}", hex::encode_upper(id)),
    }
}

/// `--id` or `--id-hex`: which key a verb acts on.
#[derive(Args, Clone, Debug)]
#[group(required = true, multiple = false)]
pub struct KeyIdOpt {
    /// Key id as text (its UTF-8 bytes, 1 to 16).
    #[arg(long, value_name = "ID", value_parser = KeyId::parse_text)]
    id: Option<KeyId>,

    /// Key id in hex, for ids that are not text.
    #[arg(long, value_name = "HEX", value_parser = KeyId::parse_hex)]
    id_hex: Option<KeyId>,
}

impl KeyIdOpt {
    /// The id given (clap makes exactly one of the two present).
    pub fn get(&self) -> anyhow::Result<&KeyId> {
        match (&self.id, &self.id_hex) {
            (Some(id), _) | (None, Some(id)) => Ok(id),
            (None, None) => bail!("give the key with --id ID or --id-hex HEX"),
        }
    }
}

/// `--card TOKEN --card-pin PIN --card-key ID`: the user's card next to a
/// two-party device (`fkn enroll` registers its key, `fkn request approve`
/// signs with it).
#[derive(Args, Debug)]
pub struct CardOpt {
    /// The card: virtual:PATH or pcsc:READER.
    #[arg(long, value_name = "TOKEN")]
    pub card: Option<crate::token_spec::TokenSpec>,

    /// User PIN of the card.
    #[arg(long, value_name = "PIN", env = "FKN_CARD_PIN", hide_env_values = true)]
    pub card_pin: Option<Pin>,

    /// The card key (text id) registered with the server; `fkn enroll`
    /// generates it (tc26-256-a) if the card has none.
    #[arg(long, value_name = "ID", default_value = "fkn-card", value_parser = KeyId::parse_text)]
    pub card_key: KeyId,
}

impl CardOpt {
    /// A session logged in with the card PIN; `None` without `--card`.
    pub fn login(&self) -> anyhow::Result<Option<Session>> {
        let Some(spec) = &self.card else {
            return Ok(None);
        };
        let pin = self
            .card_pin
            .as_ref()
            .context("--card needs the card's user PIN (--card-pin or FKN_CARD_PIN)")?;
        Ok(Some(session::login(spec, pin)?))
    }
}

/// `--token`/`--reader`, the user `--pin` (or `FKN_PIN`) and `--id`/`--id-hex`:
/// what every verb that uses one key with the user PIN takes.
#[derive(Args, Debug)]
pub struct UserKeyArgs {
    #[command(flatten)]
    token: TokenOpt,

    /// User PIN.
    #[arg(long, value_name = "PIN", env = "FKN_PIN", hide_env_values = true)]
    pin: Pin,

    #[command(flatten)]
    id: KeyIdOpt,
}

impl UserKeyArgs {
    /// The key id given.
    pub fn id(&self) -> anyhow::Result<&KeyId> {
        self.id.get()
    }

    /// Opens the token and logs in with the user PIN.
    pub fn login(&self) -> anyhow::Result<Session> {
        session::login(&self.token.spec(), &self.pin)
    }

    /// Logs in and looks the key up (it must exist).
    pub fn login_to_key(&self) -> anyhow::Result<(Session, KeyInfo)> {
        let id = self.id()?;
        let mut s = self.login()?;
        let key = session::find_key(&mut s, id)?;
        Ok((s, key))
    }
}

/// Parses a curve name, case-insensitively (`tc26-256-a`, or the standard's
/// `id-tc26-gost-3410-2012-256-paramSetA`).
pub fn parse_curve(s: &str) -> Result<CurveId, String> {
    CurveId::from_name(s).ok_or_else(|| {
        let names: Vec<&str> = CurveId::ALL.iter().map(|c| c.name()).collect();
        format!("unknown curve \"{s}\"; use one of {}", names.join(", "))
    })
}

/// Parses a digest typed in hex (spaces and `:` allowed).
pub fn parse_digest(s: &str) -> Result<Vec<u8>, String> {
    let compact: String = s
        .chars()
        .filter(|c| !c.is_whitespace() && *c != ':')
        .collect();
    let bytes = hex::decode(&compact).map_err(|e| format!("\"{s}\" is not hex: {e}"))?;
    if bytes.len() != 32 && bytes.len() != 64 {
        return Err(format!(
            "a digest is 32 bytes (Streebog-256) or 64 bytes (Streebog-512), \"{s}\" is {}",
            bytes.len()
        ));
    }
    Ok(bytes)
}

/// Hex for output: upper case, no separators.
pub fn hex_upper(bytes: &[u8]) -> String {
    hex::encode_upper(bytes)
}

/// Reads a whole file, naming it in the error.
pub fn read_file(path: &std::path::Path, what: &str) -> anyhow::Result<Vec<u8>> {
    std::fs::read(path).with_context(|| format!("cannot read the {what} {}", path.display()))
}

/// Writes a whole file, naming it in the error.
pub fn write_file(path: &std::path::Path, what: &str, data: &[u8]) -> anyhow::Result<()> {
    std::fs::write(path, data)
        .with_context(|| format!("cannot write the {what} to {}", path.display()))
}

/// A time as RFC 3339 UTC (`2025-03-01T12:00:00Z`).
pub fn show_time(t: std::time::SystemTime) -> String {
    match der::DateTime::from_system_time(t) {
        Ok(dt) => dt.to_string(),
        Err(_) => format!("{t:?}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pin_is_redacted_and_not_empty() {
        let p: Pin = "123456".parse().unwrap();
        assert_eq!(p.expose(), "123456");
        assert!(!format!("{p:?}").contains("123456"));
        assert!("".parse::<Pin>().is_err());
    }

    #[test]
    fn key_ids_are_1_to_16_bytes() {
        assert_eq!(KeyId::parse_text("a").unwrap().bytes(), b"a");
        assert_eq!(
            KeyId::parse_text(&"x".repeat(16)).unwrap().bytes().len(),
            16
        );
        assert!(KeyId::parse_text(&"x".repeat(17)).is_err());
        assert!(KeyId::parse_text("").is_err());
        // Multi-byte characters count in bytes: 8 x 2 bytes fit, 9 do not.
        assert!(KeyId::parse_text(&"ж".repeat(8)).is_ok());
        assert!(KeyId::parse_text(&"ж".repeat(9)).is_err());
        assert_eq!(KeyId::parse_hex("00ff").unwrap().bytes(), [0, 0xFF]);
        assert!(KeyId::parse_hex("0").is_err());
        assert!(KeyId::parse_hex("").is_err());
    }

    #[test]
    fn ids_show_as_text_or_hex() {
        assert_eq!(show_id(b"alpha"), "\"alpha\"");
        assert_eq!(show_id(&[0, 1]), "hex:0001");
        assert_eq!(show_id(&[0xFF]), "hex:FF");
        assert_eq!(KeyId::parse_hex("41").unwrap().to_string(), "\"A\"");
    }

    #[derive(clap::Parser, Debug)]
    struct UserKeyCli {
        #[command(flatten)]
        key: UserKeyArgs,
    }

    #[test]
    fn user_key_args_take_token_pin_and_exactly_one_id() {
        use clap::Parser;
        let c = UserKeyCli::try_parse_from([
            "t",
            "--token",
            "virtual:x.fkn",
            "--pin",
            "1234",
            "--id-hex",
            "00ff",
        ])
        .unwrap();
        assert_eq!(c.key.id().unwrap().bytes(), [0, 0xFF]);
        assert_eq!(
            c.key.token.spec(),
            crate::token_spec::TokenSpec::Virtual("x.fkn".into())
        );
        assert_eq!(c.key.pin.expose(), "1234");
        let both = ["t", "--pin", "1", "--id", "a", "--id-hex", "61"];
        assert!(UserKeyCli::try_parse_from(both).is_err());
        assert!(UserKeyCli::try_parse_from(["t", "--pin", "1"]).is_err());
    }

    #[test]
    fn curves_by_any_case() {
        assert_eq!(parse_curve("TC26-512-b"), Ok(CurveId::Tc26_512B));
        assert_eq!(parse_curve("cryptopro-a"), Ok(CurveId::CryptoProA));
        let e = parse_curve("p-256").unwrap_err();
        assert!(e.contains("tc26-256-a"), "{e}");
    }

    #[test]
    fn digests_are_32_or_64_bytes_of_hex() {
        assert_eq!(parse_digest(&"ab".repeat(32)).unwrap(), vec![0xAB; 32]);
        assert_eq!(parse_digest(&"AB".repeat(64)).unwrap().len(), 64);
        assert!(parse_digest(&"ab".repeat(33)).is_err());
        assert!(parse_digest("zz").is_err());
    }

    #[test]
    fn times_print_as_rfc3339() {
        let t = std::time::UNIX_EPOCH + std::time::Duration::from_secs(1_700_000_000);
        assert_eq!(show_time(t), "2023-11-14T22:13:20Z");
    }
}
