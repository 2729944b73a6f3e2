//! Errors of building, opening and saving a virtual token (never of
//! processing APDUs: those answer status words).

use std::path::PathBuf;

/// Why a virtual token could not be built, opened or saved.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum VirtualTokenError {
    /// Reading or writing the token file failed.
    #[error("cannot {action} the virtual token file {}: {source}", path.display())]
    Io {
        /// What was being done ("read", "write", "replace", ...).
        action: &'static str,
        /// The file (or its temporary sibling).
        path: PathBuf,
        /// The OS error.
        #[source]
        source: std::io::Error,
    },
    /// The file is not a virtual token file, or a value in it is invalid.
    #[error("{} is not a valid virtual token file: {reason}", path.display())]
    Format {
        /// The file.
        path: PathBuf,
        /// What is wrong, for a person to fix.
        reason: String,
    },
    /// The file was written by a newer (or unknown) format version.
    #[error(
        "{} has virtual token format version {found}, this build reads version {supported}; upgrade the SDK",
        path.display()
    )]
    UnsupportedVersion {
        /// The file.
        path: PathBuf,
        /// Version in the file.
        found: u32,
        /// Version this build reads.
        supported: u32,
    },
    /// `create` was asked to overwrite an existing token.
    #[error(
        "a virtual token file already exists at {}; open it, or delete it to start over",
        .0.display()
    )]
    AlreadyExists(PathBuf),
    /// The state itself is inconsistent (bad lengths, wrong password reference ...).
    #[error("invalid virtual token state: {0}")]
    InvalidState(String),
}
