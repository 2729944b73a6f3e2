//! Shared set-up of the link tests: the token of the OFP1 worked example.
#![allow(dead_code)] // each test binary uses a different subset

use fkn_core::crypto::ec::CurveId;
use fkn_vtoken::{PasswordRef, PinRecord, TokenConfig, TokenState, VirtualToken};

/// One example of `ofp1-transcript.json`: the token set-up and the SELECT exchange.
pub struct Example {
    pub curve: CurveId,
    pub serial: [u8; 8],
    pub label: String,
    pub user_salt: [u8; 16],
    pub admin_salt: [u8; 16],
    pub user_q_pw: Vec<u8>,
    pub select_command: Vec<u8>,
    pub select_response: Vec<u8>,
}

fn hex_field(v: &serde_json::Value, path: &[&str]) -> Vec<u8> {
    let mut cur = v;
    for p in path {
        cur = &cur[*p];
    }
    hex::decode(
        cur.as_str()
            .unwrap_or_else(|| panic!("{path:?} is a string")),
    )
    .unwrap_or_else(|e| panic!("{path:?} is hex: {e}"))
}

/// Both examples of the shared transcript.
pub fn examples() -> Vec<Example> {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../shared/vectors/ofp1-transcript.json"
    );
    let text =
        std::fs::read_to_string(path).expect("shared/vectors/ofp1-transcript.json is readable");
    let json: serde_json::Value = serde_json::from_str(&text).expect("transcript is JSON");
    let list = json["examples"].as_array().expect("examples");
    list.iter()
        .map(|e| {
            let token = &e["token"];
            let curve_name = token["password_curve"].as_str().expect("password_curve");
            let select = &e["exchanges"][0];
            assert_eq!(select["step"], "SELECT");
            // The token lists its curves in the order of CurveId::ALL.
            let listed: Vec<&str> = token["supported_curves"]
                .as_array()
                .expect("curves")
                .iter()
                .map(|c| c.as_str().expect("curve name"))
                .collect();
            let ours: Vec<&str> = CurveId::ALL.iter().map(|c| c.standard_name()).collect();
            assert_eq!(listed, ours);
            Example {
                curve: CurveId::from_name(curve_name).expect("known curve"),
                serial: hex_field(token, &["serial"]).try_into().expect("8 bytes"),
                label: token["label"].as_str().expect("label").to_owned(),
                user_salt: hex_field(token, &["user_salt"]).try_into().expect("16"),
                admin_salt: hex_field(token, &["admin_salt"]).try_into().expect("16"),
                user_q_pw: hex_field(e, &["sespake", "Q_PW", "bytes"]),
                select_command: hex_field(select, &["command"]),
                select_response: hex_field(select, &["response"]),
            }
        })
        .collect()
}

impl Example {
    /// The token state of this example. The admin `Q_PW` is not in the
    /// file; the user's stands in for it (SELECT does not show it).
    pub fn state(&self) -> TokenState {
        let user = PinRecord::new(
            PasswordRef::User,
            self.curve,
            self.user_salt,
            self.user_q_pw.clone(),
        )
        .expect("user record");
        let admin = PinRecord::new(
            PasswordRef::Admin,
            self.curve,
            self.admin_salt,
            self.user_q_pw.clone(),
        )
        .expect("admin record");
        TokenState::new(self.serial, &self.label, user, admin).expect("state")
    }

    /// The state with a changed configuration.
    pub fn state_with(&self, config: TokenConfig) -> TokenState {
        self.state().with_config(config).expect("config")
    }

    /// The SELECT response data (without `90 00`).
    pub fn select_data(&self) -> &[u8] {
        &self.select_response[..self.select_response.len() - 2]
    }
}

/// The 256-bit example's token in memory.
pub fn token() -> VirtualToken {
    VirtualToken::new(examples().remove(0).state())
}

pub fn h(s: &str) -> Vec<u8> {
    hex::decode(s.replace(' ', "")).expect("test hex")
}

/// A fresh empty directory under the system temp dir, removed on drop.
pub struct TempDir(pub std::path::PathBuf);

impl TempDir {
    pub fn new(tag: &str) -> Self {
        use std::sync::atomic::{AtomicU32, Ordering};
        static N: AtomicU32 = AtomicU32::new(0);
        let dir = std::env::temp_dir().join(format!(
            "fkn-link-{tag}-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed)
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("temp dir");
        TempDir(dir)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}
