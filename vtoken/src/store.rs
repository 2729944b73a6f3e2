//! Persistence of a [`TokenState`] to one file, replaced atomically.
//!
//! **Development and tests only: the file holds the private keys and the
//! password verifiers in plain form** (hex in JSON). It is created with mode
//! 0600 on Unix, but nothing else protects it. A real token keeps keys in
//! tamper-resistant hardware.
//!
//! Format: JSON, `"format": "fkn-virtual-token"`, `"version": 1`; byte
//! strings are upper-case hex, curves by CLI name (`tc26-256-a`). Unknown
//! fields are refused, so a file from a newer build is never half-read.
//!
//! Saving writes a temporary file in the same directory, fsyncs it, renames
//! it over the old file and fsyncs the directory: after a crash the file is
//! either the old state or the new one.

use std::fs::{self, File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use serde::{Deserialize, Serialize};
use zeroize::{Zeroize, Zeroizing};

use super::VirtualTokenError;
use super::state::{KeyRecord, PasswordRef, PinCounters, PinRecord, TokenConfig, TokenState};
use fkn_core::crypto::ec::CurveId;

/// `format` of a token file.
pub const FORMAT: &str = "fkn-virtual-token";
/// The format version this build writes and reads.
pub const VERSION: u32 = 1;

const WARNING: &str =
    "development/test token: private keys and PIN verifiers are stored here in plain form";

#[derive(Deserialize)]
struct Header {
    format: String,
    version: u32,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileV1 {
    format: String,
    version: u32,
    warning: String,
    serial: String,
    label: String,
    ofp1_version: u8,
    supported_curves: Vec<String>,
    config: ConfigV1,
    pins: Vec<PinV1>,
    keys: Vec<KeyV1>,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct ConfigV1 {
    extended_length: bool,
    max_response_data: usize,
    key_slots: usize,
    answer_wrong_le: bool,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct PinV1 {
    reference: u8,
    curve: String,
    ind: u8,
    salt: String,
    q_pw: String,
    c1: u32,
    c2: u32,
    c3: u32,
}

impl Drop for PinV1 {
    fn drop(&mut self) {
        self.q_pw.zeroize();
    }
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct KeyV1 {
    id: String,
    curve: String,
    private_key: String,
    public_key: String,
    label: String,
    certificate: Option<String>,
}

impl Drop for KeyV1 {
    fn drop(&mut self) {
        self.private_key.zeroize();
    }
}

fn to_file(state: &TokenState) -> FileV1 {
    let pin = |r: PasswordRef| {
        let p = state.pin(r);
        PinV1 {
            reference: r.byte(),
            curve: p.curve().name().into(),
            ind: p.ind(),
            salt: hex::encode_upper(p.salt()),
            q_pw: hex::encode_upper(p.q_pw()),
            c1: p.counters.c1,
            c2: p.counters.c2,
            c3: p.counters.c3,
        }
    };
    let c = state.config();
    FileV1 {
        format: FORMAT.into(),
        version: VERSION,
        warning: WARNING.into(),
        serial: hex::encode_upper(state.serial()),
        label: state.label().into(),
        ofp1_version: state.version,
        supported_curves: state
            .supported_curves()
            .iter()
            .map(|c| c.name().into())
            .collect(),
        config: ConfigV1 {
            extended_length: c.extended_length,
            max_response_data: c.max_response_data,
            key_slots: c.key_slots,
            answer_wrong_le: c.answer_wrong_le,
        },
        pins: vec![pin(PasswordRef::User), pin(PasswordRef::Admin)],
        keys: state
            .keys()
            .iter()
            .map(|k| KeyV1 {
                id: hex::encode_upper(k.id()),
                curve: k.curve().name().into(),
                private_key: hex::encode_upper(k.private_key()),
                public_key: hex::encode_upper(k.public_key()),
                label: hex::encode_upper(&k.label),
                certificate: k.certificate.as_ref().map(hex::encode_upper),
            })
            .collect(),
    }
}

/// Turns a bad value into a [`VirtualTokenError::Format`] for `path`.
struct Ctx<'a>(&'a Path);

impl Ctx<'_> {
    fn err(&self, reason: impl Into<String>) -> VirtualTokenError {
        VirtualTokenError::Format {
            path: self.0.to_path_buf(),
            reason: reason.into(),
        }
    }

    fn bytes(&self, field: &str, s: &str) -> Result<Vec<u8>, VirtualTokenError> {
        hex::decode(s).map_err(|e| self.err(format!("{field}: not hex ({e})")))
    }

    fn array<const N: usize>(&self, field: &str, s: &str) -> Result<[u8; N], VirtualTokenError> {
        self.bytes(field, s)?
            .try_into()
            .map_err(|_| self.err(format!("{field}: must be {N} bytes")))
    }

    fn curve(&self, s: &str) -> Result<CurveId, VirtualTokenError> {
        CurveId::from_name(s).ok_or_else(|| self.err(format!("unknown curve {s:?}")))
    }

    fn state(&self, e: VirtualTokenError) -> VirtualTokenError {
        self.err(e.to_string())
    }
}

fn from_file(f: &FileV1, cx: &Ctx<'_>) -> Result<TokenState, VirtualTokenError> {
    let mut pins = [None, None];
    for p in &f.pins {
        let reference = PasswordRef::from_byte(p.reference)
            .ok_or_else(|| cx.err(format!("password reference {} is not 1 or 2", p.reference)))?;
        let q_pw = cx.bytes("q_pw", &p.q_pw)?;
        let record = PinRecord::new(
            reference,
            cx.curve(&p.curve)?,
            cx.array("salt", &p.salt)?,
            q_pw,
        )
        .map_err(|e| cx.state(e))?
        .with_ind_and_counters(
            p.ind,
            PinCounters {
                c1: p.c1,
                c2: p.c2,
                c3: p.c3,
            },
        );
        let slot = &mut pins[usize::from(reference.byte() - 1)];
        if slot.replace(record).is_some() {
            return Err(cx.err(format!("password {} appears twice", p.reference)));
        }
    }
    let [Some(user), Some(admin)] = pins else {
        return Err(cx.err("both the user (1) and admin (2) password records are required"));
    };
    let curves = f
        .supported_curves
        .iter()
        .map(|c| cx.curve(c))
        .collect::<Result<Vec<_>, _>>()?;
    let keys = f
        .keys
        .iter()
        .map(|k| {
            let d = Zeroizing::new(cx.bytes("private_key", &k.private_key)?);
            let mut key = KeyRecord::new(
                cx.bytes("id", &k.id)?,
                cx.curve(&k.curve)?,
                d,
                cx.bytes("public_key", &k.public_key)?,
                cx.bytes("label", &k.label)?,
            )
            .map_err(|e| cx.state(e))?;
            key.certificate = k
                .certificate
                .as_deref()
                .map(|c| cx.bytes("certificate", c))
                .transpose()?;
            Ok(key)
        })
        .collect::<Result<Vec<_>, VirtualTokenError>>()?;
    let config = TokenConfig {
        extended_length: f.config.extended_length,
        max_response_data: f.config.max_response_data,
        key_slots: f.config.key_slots,
        answer_wrong_le: f.config.answer_wrong_le,
    };
    let mut state = TokenState::new(cx.array("serial", &f.serial)?, &f.label, user, admin)
        .and_then(|s| s.with_config(config))
        .and_then(|s| s.with_supported_curves(curves))
        .and_then(|s| s.with_keys(keys))
        .map_err(|e| cx.state(e))?;
    state.version = f.ofp1_version;
    Ok(state)
}

/// Serializes `state` (the bytes hold secrets: they are zeroized on drop).
pub(crate) fn encode(state: &TokenState) -> Result<Zeroizing<Vec<u8>>, VirtualTokenError> {
    let file = to_file(state);
    serde_json::to_vec_pretty(&file)
        .map(Zeroizing::new)
        .map_err(|e| VirtualTokenError::InvalidState(format!("cannot serialize: {e}")))
}

/// Parses a token file's bytes; `path` only names it in errors.
pub(crate) fn decode(bytes: &[u8], path: &Path) -> Result<TokenState, VirtualTokenError> {
    let cx = Ctx(path);
    let header: Header =
        serde_json::from_slice(bytes).map_err(|e| cx.err(format!("not a token file ({e})")))?;
    if header.format != FORMAT {
        return Err(cx.err(format!(
            "format is {:?}, expected {FORMAT:?}",
            header.format
        )));
    }
    if header.version != VERSION {
        return Err(VirtualTokenError::UnsupportedVersion {
            path: path.to_path_buf(),
            found: header.version,
            supported: VERSION,
        });
    }
    let file: FileV1 = serde_json::from_slice(bytes).map_err(|e| cx.err(e.to_string()))?;
    from_file(&file, &cx)
}

/// Reads a token file.
pub fn load(path: &Path) -> Result<TokenState, VirtualTokenError> {
    let bytes = Zeroizing::new(fs::read(path).map_err(|source| VirtualTokenError::Io {
        action: "read",
        path: path.to_path_buf(),
        source,
    })?);
    decode(&bytes, path)
}

/// Writes `state` to `path`, atomically replacing any previous file.
pub fn save(path: &Path, state: &TokenState) -> Result<(), VirtualTokenError> {
    let bytes = encode(state)?;
    write_atomic(path, &bytes)
}

fn io(action: &'static str, path: &Path) -> impl FnOnce(std::io::Error) -> VirtualTokenError {
    let path = path.to_path_buf();
    move |source| VirtualTokenError::Io {
        action,
        path,
        source,
    }
}

fn temp_path(path: &Path) -> Result<(PathBuf, PathBuf), VirtualTokenError> {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let name = path.file_name().ok_or_else(|| VirtualTokenError::Format {
        path: path.to_path_buf(),
        reason: "the path names no file".into(),
    })?;
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let mut tmp_name = std::ffi::OsString::from(".");
    tmp_name.push(name);
    tmp_name.push(format!(".tmp.{}.{n}", std::process::id()));
    Ok((dir.join(tmp_name), dir))
}

fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), VirtualTokenError> {
    let (tmp, dir) = temp_path(path)?;
    let mut options = OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        // The file holds private keys.
        options.mode(0o600);
    }
    let written = (|| {
        let mut f = options.open(&tmp).map_err(io("create", &tmp))?;
        f.write_all(bytes).map_err(io("write", &tmp))?;
        f.sync_all().map_err(io("flush", &tmp))?;
        fs::rename(&tmp, path).map_err(io("replace", path))
    })();
    if written.is_err() {
        // Best effort: the error that matters is the one above.
        let _ = fs::remove_file(&tmp);
        return written;
    }
    // Makes the rename itself durable. Directories cannot be opened for sync
    // on every platform; on Unix this is required.
    match File::open(&dir).and_then(|d| d.sync_all()) {
        Ok(()) => Ok(()),
        Err(e) if cfg!(unix) => Err(io("sync the directory of", path)(e)),
        Err(_) => Ok(()),
    }
}
