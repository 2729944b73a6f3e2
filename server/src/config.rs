//! Configuration: flags and environment, with defaults that start a
//! working server on SQLite with nothing given.
//!
//! With no database URL the server keeps everything in `--data-dir`
//! (default `./fkn-server-data`): `fkn.db` (SQLite), `kek.hex` (the
//! key-encryption key) and `admin-token`, the last two generated on first
//! start with mode 0600. With PostgreSQL the KEK must be given (every
//! instance needs the same one), and so should the admin token file.

use std::io::Write;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use fkn_core::crypto::secret::Key256;
use fkn_core::distributed::ServerConfig;
use zeroize::{Zeroize, Zeroizing};

use crate::storage::rand_fill;

/// Command-line flags (each also read from the environment).
#[derive(Clone, Debug, clap::Parser)]
#[command(
    name = "fkn-server",
    version,
    about = "The FKN two-party signing server"
)]
pub struct Args {
    /// Address to listen on (port 0: any free port).
    #[arg(long, env = "FKN_SERVER_LISTEN", default_value = "127.0.0.1:8710")]
    pub listen: SocketAddr,
    /// Directory of the default SQLite database, KEK and admin token.
    #[arg(long, env = "FKN_SERVER_DATA_DIR", default_value = "fkn-server-data")]
    pub data_dir: PathBuf,
    /// Database URL: sqlite://PATH?mode=rwc or postgres://USER:PASSWORD@HOST/DB.
    #[arg(long, env = "FKN_SERVER_DATABASE_URL")]
    pub database_url: Option<String>,
    /// File with the key-encryption key, 64 hex digits.
    #[arg(long, env = "FKN_SERVER_KEK_FILE")]
    pub kek_file: Option<PathBuf>,
    /// File with the admin token.
    #[arg(long, env = "FKN_SERVER_ADMIN_TOKEN_FILE")]
    pub admin_token_file: Option<PathBuf>,
    /// Base URL devices reach this server at, put into enrollment codes
    /// (default: http://LISTEN-ADDRESS).
    #[arg(long, env = "FKN_SERVER_PUBLIC_URL")]
    pub public_url: Option<String>,
}

/// Why the configuration is unusable.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// A file could not be read or written.
    #[error("{path}: {source}; check the path and its permissions")]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// The KEK file does not hold 64 hex digits.
    #[error("{0}: the key-encryption key must be 64 hex digits (32 bytes)")]
    BadKek(PathBuf),
    /// The admin token file is empty or too short.
    #[error("{0}: the admin token must be at least 32 printable characters")]
    BadAdminToken(PathBuf),
    /// PostgreSQL without a KEK file.
    #[error(
        "a PostgreSQL database needs --kek-file (FKN_SERVER_KEK_FILE): every instance must \
         share one key-encryption key, so none is generated"
    )]
    KekRequired,
}

/// Everything the server needs, resolved.
pub struct Config {
    /// Database URL.
    pub database_url: String,
    /// Key-encryption key.
    pub kek: Key256,
    /// Admin bearer token.
    pub admin_token: Zeroizing<String>,
    /// Base URL for enrollment codes; `None`: `http://` + the bound address.
    pub public_url: Option<String>,
    /// Core server settings.
    pub server: ServerConfig,
}

impl core::fmt::Debug for Config {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Config")
            .field(
                "database_url",
                &crate::storage::redact_url(&self.database_url),
            )
            .field("public_url", &self.public_url)
            .field("server", &self.server)
            .finish_non_exhaustive()
    }
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> ConfigError + '_ {
    move |source| ConfigError::Io {
        path: path.to_owned(),
        source,
    }
}

/// Creates `path` with `content` and mode 0600 unless it exists; its content.
fn read_or_create_secret(path: &Path, content: &str) -> Result<Zeroizing<String>, ConfigError> {
    use std::os::unix::fs::OpenOptionsExt;
    match std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
    {
        Ok(mut f) => {
            f.write_all(content.as_bytes()).map_err(io(path))?;
            f.sync_all().map_err(io(path))?;
        }
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
        Err(e) => return Err(io(path)(e)),
    }
    read_secret(path)
}

fn read_secret(path: &Path) -> Result<Zeroizing<String>, ConfigError> {
    let mut s = std::fs::read_to_string(path).map_err(io(path))?;
    let trimmed = Zeroizing::new(s.trim().to_owned());
    s.zeroize();
    Ok(trimmed)
}

fn random_hex(n: usize) -> Zeroizing<String> {
    let mut b = Zeroizing::new(vec![0u8; n]);
    rand_fill(&mut b);
    Zeroizing::new(hex::encode(&*b))
}

/// Parses 64 hex digits.
pub fn parse_kek(text: &str, path: &Path) -> Result<Key256, ConfigError> {
    let mut b = Zeroizing::new([0u8; 32]);
    hex::decode_to_slice(text, &mut *b).map_err(|_| ConfigError::BadKek(path.to_owned()))?;
    Ok(Key256::from_bytes(*b))
}

impl Config {
    /// Resolves flags into a configuration, creating the data directory and
    /// the default secrets when they are needed and missing.
    pub fn from_args(args: &Args) -> Result<Config, ConfigError> {
        let sqlite_default = args.database_url.is_none();
        let is_postgres = args
            .database_url
            .as_deref()
            .is_some_and(|u| u.starts_with("postgres"));
        let needs_dir =
            sqlite_default || args.kek_file.is_none() || args.admin_token_file.is_none();
        if needs_dir && !(is_postgres && args.kek_file.is_none()) {
            use std::os::unix::fs::DirBuilderExt;
            std::fs::DirBuilder::new()
                .recursive(true)
                .mode(0o700)
                .create(&args.data_dir)
                .map_err(io(&args.data_dir))?;
        }
        let database_url = match &args.database_url {
            Some(u) => u.clone(),
            None => format!(
                "sqlite://{}?mode=rwc",
                args.data_dir.join("fkn.db").display()
            ),
        };
        let kek = match &args.kek_file {
            Some(p) => parse_kek(&read_secret(p)?, p)?,
            None if is_postgres => return Err(ConfigError::KekRequired),
            None => {
                let p = args.data_dir.join("kek.hex");
                parse_kek(&read_or_create_secret(&p, &random_hex(32))?, &p)?
            }
        };
        let (admin_token, token_path) = match &args.admin_token_file {
            Some(p) => (read_secret(p)?, p.clone()),
            None => {
                let p = args.data_dir.join("admin-token");
                (read_or_create_secret(&p, &random_hex(32))?, p)
            }
        };
        if admin_token.len() < 32 || !admin_token.bytes().all(|b| b.is_ascii_graphic()) {
            return Err(ConfigError::BadAdminToken(token_path));
        }
        Ok(Config {
            database_url,
            kek,
            admin_token,
            public_url: args.public_url.clone(),
            server: ServerConfig::default(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[test]
    fn defaults_create_secrets_once_with_private_modes() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("data");
        let args = Args::parse_from(["fkn-server", "--data-dir", data.to_str().unwrap()]);
        let a = Config::from_args(&args).unwrap();
        let b = Config::from_args(&args).unwrap();
        assert_eq!(a.kek, b.kek, "the KEK persists");
        assert_eq!(*a.admin_token, *b.admin_token);
        assert!(
            a.database_url.starts_with("sqlite://") && a.database_url.ends_with("fkn.db?mode=rwc")
        );
        for f in ["kek.hex", "admin-token"] {
            let mode = std::fs::metadata(data.join(f))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600, "{f}");
        }
    }

    #[test]
    fn postgres_without_kek_is_refused() {
        let args = Args::parse_from(["fkn-server", "--database-url", "postgres://u@127.0.0.1/db"]);
        assert!(matches!(
            Config::from_args(&args),
            Err(ConfigError::KekRequired)
        ));
    }

    #[test]
    fn bad_kek_file_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("kek");
        std::fs::write(&p, "abcd").unwrap();
        let args = Args::parse_from([
            "fkn-server",
            "--data-dir",
            dir.path().to_str().unwrap(),
            "--kek-file",
            p.to_str().unwrap(),
        ]);
        assert!(matches!(
            Config::from_args(&args),
            Err(ConfigError::BadKek(_))
        ));
    }
}
