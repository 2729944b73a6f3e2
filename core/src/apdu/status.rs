//! Status words decoded once into what they mean for the user (OFP1 Section 7).

/// An error status word of an OFP1 token, with what to do about it.
///
/// Decode with [`check`] (or [`StatusError::from_sw`]); everything above the
/// APDU layer matches on these variants instead of raw numbers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, thiserror::Error)]
#[non_exhaustive]
pub enum StatusError {
    /// `63 Cx`: the password was wrong; `x` attempts are left.
    #[error("{}", wrong_pin_message(*retries_left))]
    WrongPin {
        /// Attempts left before the password is blocked.
        retries_left: u8,
    },
    /// `69 83`: the password is blocked.
    #[error(
        "PIN blocked: too many wrong attempts; ask your administrator to unblock it with the admin PIN"
    )]
    PinBlocked,
    /// `69 82`: no session, or the session does not allow this command.
    #[error(
        "the token refused the command because no PIN was verified for it (security status not satisfied, 6982); enter the PIN again"
    )]
    SecurityStatusNotSatisfied,
    /// `69 85`: the command came in the wrong order or state.
    #[error(
        "the token is not in the right state for this command (conditions not satisfied, 6985); start the operation again"
    )]
    ConditionsNotSatisfied,
    /// `69 88` or `69 87`: a secure-messaging object was missing or wrong;
    /// the token has dropped the session.
    #[error(
        "the secure channel to the token broke (secure messaging error); hold the card still and enter the PIN again"
    )]
    SecureMessagingFailed,
    /// `6A 80`: the command data was rejected.
    #[error(
        "the token rejected the command data (6A80): a digest, key id, curve or certificate is not acceptable"
    )]
    IncorrectData,
    /// `6A 82`: the application or the key does not exist.
    #[error(
        "not found on the token (6A82): the OFP1 application or the requested key is missing; check that this is an OFP1 token and the key id is right"
    )]
    NotFound,
    /// `6A 84`: no free key slot or the object is too large.
    #[error(
        "the token has no free key slot or not enough memory (6A84): delete a key first, or use a smaller certificate"
    )]
    NotEnoughMemory,
    /// `6A 86`: P1/P2 not valid for this command.
    #[error(
        "the token rejected the command parameters (incorrect P1-P2, 6A86); the token may not support this operation"
    )]
    IncorrectP1P2,
    /// `6A 88`: the referenced object (e.g. a certificate) does not exist.
    #[error(
        "the requested data does not exist on the token (6A88), e.g. the key has no certificate yet"
    )]
    ReferencedDataNotFound,
    /// `6A 89`: a key with this id exists already.
    #[error(
        "a key with this id already exists on the token (6A89); choose another id or delete the old key"
    )]
    KeyIdExists,
    /// `67 00`: Lc/Le not accepted.
    #[error(
        "the token rejected the command length (6700); the token may not support extended-length APDUs"
    )]
    WrongLength,
    /// `6D 00`: unknown instruction.
    #[error(
        "the token does not support this command (6D00); it may not be an OFP1 token or need a firmware update"
    )]
    InsNotSupported,
    /// `6E 00`: unknown class byte.
    #[error("the token does not support this command class (6E00); it may not be an OFP1 token")]
    ClaNotSupported,
    /// `6F 00`: the token failed internally.
    #[error("the token reported an internal error (6F00); remove it, present it again and retry")]
    Internal,
    /// Any other status word.
    #[error(
        "the token answered with unexpected status {0:04X}; retry, and report it if it persists"
    )]
    Other(u16),
}

fn wrong_pin_message(retries_left: u8) -> String {
    match retries_left {
        0 => "wrong PIN, no attempts left: the PIN is now blocked; ask your administrator to unblock it with the admin PIN".into(),
        1 => "wrong PIN, 1 attempt left: check the PIN carefully before the next try".into(),
        n => format!("wrong PIN, {n} attempts left"),
    }
}

impl StatusError {
    /// Decodes an error status word; `None` for `90 00`.
    pub fn from_sw(sw: u16) -> Option<StatusError> {
        Some(match sw {
            0x9000 => return None,
            0x63C0..=0x63CF => StatusError::WrongPin {
                retries_left: (sw & 0x0F) as u8,
            },
            0x6983 => StatusError::PinBlocked,
            0x6982 => StatusError::SecurityStatusNotSatisfied,
            0x6985 => StatusError::ConditionsNotSatisfied,
            0x6987 | 0x6988 => StatusError::SecureMessagingFailed,
            0x6A80 => StatusError::IncorrectData,
            0x6A82 => StatusError::NotFound,
            0x6A84 => StatusError::NotEnoughMemory,
            0x6A86 => StatusError::IncorrectP1P2,
            0x6A88 => StatusError::ReferencedDataNotFound,
            0x6A89 => StatusError::KeyIdExists,
            0x6700 => StatusError::WrongLength,
            0x6D00 => StatusError::InsNotSupported,
            0x6E00 => StatusError::ClaNotSupported,
            0x6F00 => StatusError::Internal,
            other => StatusError::Other(other),
        })
    }

    /// The status word this error stands for (`69 88` for
    /// [`StatusError::SecureMessagingFailed`], which also covers `69 87`).
    pub fn sw(&self) -> u16 {
        match *self {
            StatusError::WrongPin { retries_left } => 0x63C0 | u16::from(retries_left & 0x0F),
            StatusError::PinBlocked => 0x6983,
            StatusError::SecurityStatusNotSatisfied => 0x6982,
            StatusError::ConditionsNotSatisfied => 0x6985,
            StatusError::SecureMessagingFailed => 0x6988,
            StatusError::IncorrectData => 0x6A80,
            StatusError::NotFound => 0x6A82,
            StatusError::NotEnoughMemory => 0x6A84,
            StatusError::IncorrectP1P2 => 0x6A86,
            StatusError::ReferencedDataNotFound => 0x6A88,
            StatusError::KeyIdExists => 0x6A89,
            StatusError::WrongLength => 0x6700,
            StatusError::InsNotSupported => 0x6D00,
            StatusError::ClaNotSupported => 0x6E00,
            StatusError::Internal => 0x6F00,
            StatusError::Other(sw) => sw,
        }
    }
}

/// `Ok` for `90 00`, otherwise the decoded error.
pub fn check(sw: u16) -> Result<(), StatusError> {
    match StatusError::from_sw(sw) {
        None => Ok(()),
        Some(e) => Err(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_section_7() {
        assert_eq!(check(0x9000), Ok(()));
        let table = [
            (0x63C3, StatusError::WrongPin { retries_left: 3 }),
            (0x63C0, StatusError::WrongPin { retries_left: 0 }),
            (0x6983, StatusError::PinBlocked),
            (0x6982, StatusError::SecurityStatusNotSatisfied),
            (0x6985, StatusError::ConditionsNotSatisfied),
            (0x6987, StatusError::SecureMessagingFailed),
            (0x6988, StatusError::SecureMessagingFailed),
            (0x6A80, StatusError::IncorrectData),
            (0x6A82, StatusError::NotFound),
            (0x6A84, StatusError::NotEnoughMemory),
            (0x6A86, StatusError::IncorrectP1P2),
            (0x6A88, StatusError::ReferencedDataNotFound),
            (0x6A89, StatusError::KeyIdExists),
            (0x6700, StatusError::WrongLength),
            (0x6D00, StatusError::InsNotSupported),
            (0x6E00, StatusError::ClaNotSupported),
            (0x6F00, StatusError::Internal),
            (0x6400, StatusError::Other(0x6400)),
            (0x6310, StatusError::Other(0x6310)),
        ];
        for (sw, want) in table {
            assert_eq!(check(sw), Err(want), "{sw:04X}");
            if sw != 0x6987 {
                assert_eq!(want.sw(), sw);
            }
        }
    }

    #[test]
    fn messages_say_what_to_do() {
        assert_eq!(
            StatusError::WrongPin { retries_left: 3 }.to_string(),
            "wrong PIN, 3 attempts left"
        );
        assert!(
            StatusError::WrongPin { retries_left: 1 }
                .to_string()
                .contains("1 attempt left")
        );
        assert!(
            StatusError::WrongPin { retries_left: 0 }
                .to_string()
                .contains("blocked")
        );
        assert!(StatusError::PinBlocked.to_string().contains("admin PIN"));
        assert!(
            StatusError::NotEnoughMemory
                .to_string()
                .contains("delete a key first")
        );
        assert!(StatusError::Other(0x6400).to_string().contains("6400"));
    }
}
