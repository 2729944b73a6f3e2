//! `--token T` (and its shorthand `--reader NAME`): which token a verb talks to.
//!
//! `T` is `virtual:PATH` (a virtual token file) or `pcsc:READER` (the card in a
//! PC/SC reader, by exact name or unique prefix; `pcsc:` alone is the only
//! reader attached).

use std::path::PathBuf;
use std::str::FromStr;

use anyhow::Context;
use clap::Args;
use fkn_core::transport::Transport;

/// A token named on the command line, not opened yet.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TokenSpec {
    /// A virtual token persisted in this file.
    Virtual(PathBuf),
    /// The card in the PC/SC reader with this name or name prefix.
    Pcsc(String),
}

impl FromStr for TokenSpec {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if let Some(path) = s.strip_prefix("virtual:") {
            if path.is_empty() {
                return Err("virtual: needs a file, e.g. virtual:token.fkn".into());
            }
            Ok(TokenSpec::Virtual(PathBuf::from(path)))
        } else if let Some(reader) = s.strip_prefix("pcsc:") {
            Ok(TokenSpec::Pcsc(reader.to_owned()))
        } else {
            Err(format!(
                "\"{s}\" names no token; use virtual:PATH (a virtual token file) \
                 or pcsc:READER (a PC/SC reader name or unique prefix)"
            ))
        }
    }
}

impl std::fmt::Display for TokenSpec {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            TokenSpec::Virtual(p) => write!(f, "virtual:{}", p.display()),
            TokenSpec::Pcsc(r) => write!(f, "pcsc:{r}"),
        }
    }
}

impl TokenSpec {
    /// Opens the link to the token.
    pub fn open(&self) -> anyhow::Result<Box<dyn Transport>> {
        match self {
            TokenSpec::Virtual(path) => open_virtual(path),
            TokenSpec::Pcsc(reader) => open_pcsc(reader),
        }
    }
}

fn open_virtual(path: &std::path::Path) -> anyhow::Result<Box<dyn Transport>> {
    let token = fkn_vtoken::VirtualToken::open(path)
        .with_context(|| format!("opening virtual token {}", path.display()))?;
    Ok(Box::new(fkn_vtoken::VirtualTokenTransport::new(token)))
}

#[cfg(feature = "pcsc")]
fn open_pcsc(reader: &str) -> anyhow::Result<Box<dyn Transport>> {
    use fkn_core::transport::pcsc::PcscTransport;
    // Exclusive for the whole command, queueing behind another program that
    // holds the card (another `fkn` signing, say) for up to half a minute.
    let t = PcscTransport::connect_exclusive(reader, std::time::Duration::from_secs(30))?;
    log::debug!("using reader \"{}\"", t.reader_name());
    Ok(Box::new(t))
}

#[cfg(not(feature = "pcsc"))]
fn open_pcsc(_reader: &str) -> anyhow::Result<Box<dyn Transport>> {
    anyhow::bail!("this fkn was built without PC/SC support; rebuild with --features pcsc")
}

/// The options every verb that talks to a token takes.
#[derive(Args, Clone, Debug, Default)]
pub struct TokenOpt {
    /// The token: virtual:PATH (virtual token file) or pcsc:READER (PC/SC
    /// reader name or unique prefix). Default: the only PC/SC reader.
    #[arg(long, value_name = "T", conflicts_with = "reader")]
    pub token: Option<TokenSpec>,

    /// Shorthand for --token pcsc:NAME.
    #[arg(long, value_name = "NAME")]
    pub reader: Option<String>,
}

impl TokenOpt {
    /// The token these options name.
    pub fn spec(&self) -> TokenSpec {
        match (&self.token, &self.reader) {
            (Some(t), _) => t.clone(),
            (None, Some(r)) => TokenSpec::Pcsc(r.clone()),
            (None, None) => TokenSpec::Pcsc(String::new()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_virtual_and_pcsc() {
        assert_eq!(
            "virtual:/tmp/t.fkn".parse(),
            Ok(TokenSpec::Virtual("/tmp/t.fkn".into()))
        );
        // Only the first colon separates the scheme.
        assert_eq!(
            "virtual:C:\\t.fkn".parse(),
            Ok(TokenSpec::Virtual("C:\\t.fkn".into()))
        );
        assert_eq!(
            "pcsc:Virtual PCD 00 00".parse(),
            Ok(TokenSpec::Pcsc("Virtual PCD 00 00".into()))
        );
        assert_eq!("pcsc:".parse(), Ok(TokenSpec::Pcsc(String::new())));
    }

    #[test]
    fn rejects_unknown_schemes_and_empty_paths() {
        let e = "nfc:0".parse::<TokenSpec>().unwrap_err();
        assert!(
            e.contains("virtual:PATH") && e.contains("pcsc:READER"),
            "{e}"
        );
        assert!("virtual:".parse::<TokenSpec>().is_err());
        assert!("token.fkn".parse::<TokenSpec>().is_err());
        assert!("".parse::<TokenSpec>().is_err());
    }

    #[test]
    fn display_round_trips() {
        for s in ["virtual:a/b.fkn", "pcsc:ACS", "pcsc:"] {
            assert_eq!(s.parse::<TokenSpec>().unwrap().to_string(), s);
        }
    }

    #[test]
    fn opens_a_virtual_token_file() {
        use fkn_core::crypto::ec::CurveId;
        use fkn_vtoken::{PasswordRef, PinRecord, TokenState, VirtualToken};
        // SELECT needs no valid verifier; Q_PW only has to have the right length.
        let pin = |r| PinRecord::new(r, CurveId::Tc26_256A, [3; 16], vec![1; 64]).unwrap();
        let state = TokenState::new(
            [9; 8],
            "file",
            pin(PasswordRef::User),
            pin(PasswordRef::Admin),
        )
        .unwrap();
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.fkn");
        VirtualToken::create(&path, state).unwrap();

        let spec: TokenSpec = format!("virtual:{}", path.display()).parse().unwrap();
        let mut link = spec.open().unwrap();
        let select = crate::hexfmt::parse_apdu("00A4040007F0464B4E4F503100").unwrap();
        let rsp = link.transceive(select).unwrap();
        assert_eq!(rsp[0], 0x6F);
        assert_eq!(&rsp[rsp.len() - 2..], &[0x90, 0x00]);

        let missing = TokenSpec::Virtual(dir.path().join("none.fkn"));
        let e = format!("{:#}", missing.open().err().unwrap());
        assert!(e.contains("none.fkn"), "{e}");
    }

    #[test]
    fn reader_is_shorthand_and_default_is_the_only_reader() {
        let o = TokenOpt {
            token: None,
            reader: Some("Virtual".into()),
        };
        assert_eq!(o.spec(), TokenSpec::Pcsc("Virtual".into()));
        assert_eq!(TokenOpt::default().spec(), TokenSpec::Pcsc(String::new()));
        let o = TokenOpt {
            token: Some(TokenSpec::Virtual("t".into())),
            reader: None,
        };
        assert_eq!(o.spec(), TokenSpec::Virtual("t".into()));
    }
}
