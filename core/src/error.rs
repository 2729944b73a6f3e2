//! The one error a host sees: [`Error`], with variants by fault (the link,
//! the PIN, the card's refusal, the card breaking the protocol, the caller's
//! misuse, PKI, local storage), each carrying typed data.
//!
//! Every message is composed here, once: what happened ([`Error`]'s
//! `Display`) and what the person holding the card should do
//! ([`Error::action`]). The layers below keep their own detailed errors
//! ([`LinkError`], [`SmError`], [`SespakeError`], [`PkiError`]) and convert
//! with `From`; `docs/errors.md` is generated from [`Error::catalogue`] and a
//! test keeps the two in step.

use std::fmt;

use crate::apdu::tlv::TlvError;
use crate::apdu::{LinkError, StatusError};
use crate::crypto::ec::{CurveId, EcError};
pub use crate::distributed::TwoPartyFault;
use crate::pki::PkiError;
pub use crate::requests::RequestRefusal;
use crate::sespake::SespakeError;
use crate::sm::SmError;
use crate::token::PinRef;
pub use crate::transport::LinkKind;
use crate::transport::TransportError;

/// Everything that can go wrong in an SDK operation.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Error), uniffi(name = "FknError"))]
#[non_exhaustive]
pub enum Error {
    /// The link to the card failed: the card left the field, did not answer,
    /// the session was cancelled, or the reader failed.
    Link {
        /// Which failure.
        fault: LinkFault,
    },
    /// The PIN was wrong; the token says how many attempts are left.
    WrongPin {
        /// Attempts left before the PIN is blocked.
        attempts_left: u8,
    },
    /// The PIN is blocked.
    PinBlocked,
    /// The token understood the command and refused it.
    Card {
        /// Why it refused.
        refusal: CardRefusal,
    },
    /// The card broke the protocol: an answer that is malformed, does not
    /// verify, or does not fit the command.
    Protocol {
        /// What it did.
        violation: Violation,
    },
    /// The caller asked for something the operation cannot do.
    Misuse {
        /// What was wrong with the call.
        problem: ApiMisuse,
    },
    /// A certificate, certificate request or CMS signature could not be built
    /// or does not verify.
    Pki {
        /// Which kind of failure.
        fault: PkiFault,
        /// The PKI layer's full description.
        detail: String,
    },
    /// Local storage (a virtual token file, a document, a key record) failed.
    Storage {
        /// The operating system's description.
        detail: String,
    },
    /// A two-party key's signing server failed, refused or misbehaved, or
    /// the key's state forbids the operation.
    TwoParty {
        /// Which fault.
        fault: TwoPartyFault,
    },
    /// The server refused a call on a signing request (it is gone, signed
    /// or declined already, or the signature does not fit it).
    Request {
        /// Why.
        refusal: RequestRefusal,
    },
}

/// How the link to the card failed.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
#[non_exhaustive]
pub enum LinkFault {
    /// The card left the field (or the reader lost it) mid-command.
    CardRemoved,
    /// The card did not answer in time.
    Timeout,
    /// The user or the platform cancelled the operation.
    Cancelled,
    /// Another failure of the platform's link (reader unplugged, service down).
    Io {
        /// The platform's description.
        detail: String,
    },
}

/// Why the token refused a command (its status word, OFP1 Section 7).
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
#[non_exhaustive]
pub enum CardRefusal {
    /// `69 82`: no login, a login with the other PIN, or the token lost the
    /// session.
    NotAuthenticated,
    /// `6A 82` for a key id.
    KeyNotFound,
    /// `6A 88`: the key has no certificate.
    CertificateNotFound,
    /// `6A 89`: the key id is taken.
    KeyIdExists,
    /// `6A 84`: no free slot, or no room for the certificate.
    TokenFull,
    /// `6A 82` to SELECT: the card has no OFP1 application.
    NoApplication,
    /// The card has none of the applications the SDK drives: no OFP1
    /// application and no Rutoken ECP file system.
    UnknownCard,
    /// The card's application cannot do this (e.g. a Rutoken ECP in PKI
    /// mode deleting keys or signing with a 512-bit key).
    NotSupported {
        /// What was asked.
        operation: String,
    },
    /// Any other error status word.
    Status {
        /// `SW1 SW2`.
        sw: u16,
    },
}

/// How the card broke the protocol.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
#[non_exhaustive]
pub enum Violation {
    /// SESPAKE failed: the token did not prove it holds the PIN verifier
    /// (wrong `MAC_B`, a bad point). Counterfeit, faulty, or tampered with.
    NotAuthentic,
    /// A secure-messaging response failed its MAC, counter or structure
    /// check, or the token rejected ours (`69 88`/`69 87`). Keys are erased.
    SecureChannelBroken,
    /// An answer's TLV structure is cut short or uses a length form OFP1
    /// does not.
    MalformedData,
    /// A required data object is missing.
    MissingObject {
        /// Its tag.
        tag: u8,
    },
    /// An answer shorter than its two status bytes.
    ShortResponse {
        /// Bytes received.
        len: u32,
    },
    /// The card kept announcing more data (`61 xx`) past the SDK's limit.
    EndlessResponse {
        /// GET RESPONSE commands sent.
        limit: u32,
    },
    /// The card rejected an intermediate fragment of a chained command.
    ChainingRejected {
        /// The fragment's status word.
        sw: u16,
    },
    /// A public key the card returned is not a valid point of its curve.
    InvalidPublicKey,
    /// A signature answer with the wrong count or size of signatures.
    WrongSignatures,
    /// SELECT did not announce the PIN this operation needs.
    PinNotAnnounced {
        /// The PIN.
        pin: PinRef,
    },
    /// A status word OFP1 does not give the command it answered (say `69 83`
    /// to SELECT, or `63 Cx` before any PIN was sent).
    UnexpectedStatus {
        /// `SW1 SW2`.
        sw: u16,
    },
}

/// What was wrong with a call.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
#[non_exhaustive]
pub enum ApiMisuse {
    /// A key id is 1 to 16 bytes.
    KeyIdLength {
        /// The length given.
        len: u32,
    },
    /// One sign command takes 1 to 16 digests.
    DigestCount {
        /// The count given.
        count: u32,
    },
    /// Digests are all 32 bytes (256-bit keys) or all 64 (512-bit keys).
    DigestLength {
        /// The offending length.
        len: u32,
    },
    /// The token does not offer this curve.
    CurveNotSupported {
        /// The curve asked for.
        curve: CurveId,
    },
    /// An empty certificate.
    EmptyCertificate,
    /// An empty PIN.
    EmptyPin,
    /// The card takes the PIN in clear and the link is contactless: the app
    /// did not allow that (`allow_clear_pin_over_nfc`).
    ClearPinOverNfc,
    /// The PIN was prepared for another token or an older salt.
    StalePreparedPin,
    /// The command cannot be encoded for this link (too long for it).
    CommandTooLong {
        /// Encoded length.
        len: u32,
        /// The most the link carries.
        max: u32,
    },
    /// Another invalid argument.
    InvalidArgument {
        /// What is wrong with it.
        detail: String,
    },
}

/// Which kind of PKI failure ([`PkiError`] has the detail).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
#[non_exhaustive]
pub enum PkiFault {
    /// Not well-formed DER of the expected structure.
    Malformed,
    /// An algorithm, parameter set or structure the SDK does not implement.
    Unsupported,
    /// The content or a signature does not verify.
    BadSignature,
    /// A certificate is not the one the signature or caller refers to, or is
    /// missing.
    CertificateMismatch,
    /// A signed attribute is missing or wrong.
    BadAttribute,
    /// An argument cannot be used (subject, key, validity, content).
    InvalidInput,
    /// The signing key failed in a way that is not a token error.
    SignerFailed,
    /// Encoding our own structure failed.
    Encoding,
}

impl Error {
    /// What the person holding the card (or the app) should do next, for a
    /// card in a contactless field (phones, the SDK's main use); see
    /// [`Error::action_on`].
    pub fn action(&self) -> &'static str {
        self.action_on(LinkKind::Contactless)
    }

    /// What to do next, in words that fit the link the card is on.
    pub fn action_on(&self, link: LinkKind) -> &'static str {
        use CardRefusal as C;
        use LinkFault as L;
        let nfc = link == LinkKind::Contactless;
        match self {
            Error::Link {
                fault: L::CardRemoved,
            } if nfc => "hold the card still against the phone and retry",
            Error::Link {
                fault: L::CardRemoved,
            } => "put the card back in the reader and retry",
            Error::Link { fault: L::Timeout } if nfc => "hold the card still and retry",
            Error::Link { fault: L::Timeout } => {
                "check that the card sits properly in the reader and retry"
            }
            Error::Link {
                fault: L::Cancelled,
            } => "start again when you are ready",
            Error::Link { .. } => "retry, and check the reader if it persists",
            Error::WrongPin { attempts_left: 0 } | Error::PinBlocked => {
                "ask your administrator to unblock it"
            }
            Error::WrongPin { .. } => "check the PIN carefully before the next try",
            Error::Card {
                refusal: C::NotAuthenticated,
            } => "log in with the right PIN and retry",
            Error::Card {
                refusal: C::KeyNotFound,
            } => "check the key id against the token's key list",
            Error::Card {
                refusal: C::CertificateNotFound,
            } => "store a certificate for the key first",
            Error::Card {
                refusal: C::KeyIdExists,
            } => "choose another id or delete the old key",
            Error::Card {
                refusal: C::TokenFull,
            } => "delete a key first, or use a smaller certificate",
            Error::Card {
                refusal: C::NoApplication,
            } => "check that this is an FKN (OFP1) token",
            Error::Card {
                refusal: C::UnknownCard,
            } => "use an FKN (OFP1) token or a Rutoken ECP card",
            Error::Card {
                refusal: C::NotSupported { .. },
            } => "use an FKN (OFP1) token for this operation",
            Error::Card {
                refusal: C::Status { sw },
            } => status_action(*sw, nfc),
            Error::Protocol {
                violation: Violation::NotAuthentic,
            } => "do not use this card: it may be counterfeit or faulty",
            Error::Protocol {
                violation: Violation::SecureChannelBroken,
            } if nfc => "hold the card still and log in again",
            Error::Protocol {
                violation: Violation::SecureChannelBroken,
            } => "log in again",
            Error::Protocol { .. } if nfc => {
                "hold the card still and retry; report it if it persists"
            }
            Error::Protocol { .. } => "retry; report it if it persists",
            Error::Misuse {
                problem: ApiMisuse::StalePreparedPin,
            } => "prepare the PIN again",
            Error::Misuse {
                problem: ApiMisuse::ClearPinOverNfc,
            } => {
                "use the card in a USB or contact reader, or let the app allow a clear PIN over NFC"
            }
            Error::Misuse { .. } => "fix the call",
            Error::Pki { .. } => "check the input data",
            Error::Storage { .. } => "check the path and its permissions",
            Error::TwoParty { fault } => fault.action(),
            Error::Request { refusal } => refusal.action(),
        }
    }

    /// The whole message for a card on `link`: what happened, then what to
    /// do ([`Error::action_on`]). `Display` is this for a contactless card.
    pub fn message_on(&self, link: LinkKind) -> String {
        struct What<'a>(&'a Error);
        impl fmt::Display for What<'_> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.describe(f)
            }
        }
        match self {
            // A PKI message carries its own advice.
            Error::Pki { .. } => What(self).to_string(),
            _ => format!("{}; {}", What(self), self.action_on(link)),
        }
    }

    /// One error of every kind a user can see, for the catalogue in
    /// `docs/errors.md` (generated from it) and for tests.
    #[doc(hidden)]
    pub fn catalogue() -> Vec<Error> {
        let mut all = vec![
            Error::from(LinkFault::CardRemoved),
            Error::from(LinkFault::Timeout),
            Error::from(LinkFault::Cancelled),
            Error::from(LinkFault::Io {
                detail: "reader unplugged".into(),
            }),
            Error::WrongPin { attempts_left: 2 },
            Error::WrongPin { attempts_left: 0 },
            Error::PinBlocked,
        ];
        all.extend(
            [
                CardRefusal::NotAuthenticated,
                CardRefusal::KeyNotFound,
                CardRefusal::CertificateNotFound,
                CardRefusal::KeyIdExists,
                CardRefusal::TokenFull,
                CardRefusal::NoApplication,
                CardRefusal::UnknownCard,
                CardRefusal::NotSupported {
                    operation: "delete a key".into(),
                },
                CardRefusal::Status { sw: 0x6F00 },
                CardRefusal::Status { sw: 0x6700 },
                CardRefusal::Status { sw: 0x6985 },
                CardRefusal::Status { sw: 0x6A80 },
                CardRefusal::Status { sw: 0x6D00 },
                CardRefusal::Status { sw: 0x6A00 },
            ]
            .map(Error::from),
        );
        all.extend(
            [
                Violation::NotAuthentic,
                Violation::SecureChannelBroken,
                Violation::MalformedData,
                Violation::MissingObject { tag: 0x86 },
                Violation::ShortResponse { len: 1 },
                Violation::EndlessResponse { limit: 64 },
                Violation::ChainingRejected { sw: 0x6700 },
                Violation::InvalidPublicKey,
                Violation::WrongSignatures,
                Violation::PinNotAnnounced { pin: PinRef::Admin },
                Violation::UnexpectedStatus { sw: 0x6983 },
            ]
            .map(Error::from),
        );
        all.extend(
            [
                ApiMisuse::KeyIdLength { len: 17 },
                ApiMisuse::DigestCount { count: 17 },
                ApiMisuse::DigestLength { len: 20 },
                ApiMisuse::CurveNotSupported {
                    curve: CurveId::Tc26_512C,
                },
                ApiMisuse::EmptyCertificate,
                ApiMisuse::EmptyPin,
                ApiMisuse::ClearPinOverNfc,
                ApiMisuse::StalePreparedPin,
                ApiMisuse::CommandTooLong { len: 300, max: 261 },
                ApiMisuse::InvalidArgument {
                    detail: "not hex".into(),
                },
            ]
            .map(Error::from),
        );
        all.push(Error::from(PkiError::DigestMismatch));
        all.push(Error::Storage {
            detail: "permission denied".into(),
        });
        all.extend(TwoPartyFault::catalogue().into_iter().map(Error::from));
        all.extend(
            RequestRefusal::catalogue()
                .into_iter()
                .map(|refusal| Error::Request { refusal }),
        );
        all
    }

    fn describe(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Link { fault } => match fault {
                LinkFault::CardRemoved => f.write_str("the card was removed or moved"),
                LinkFault::Timeout => f.write_str("the card did not answer in time"),
                LinkFault::Cancelled => f.write_str("the operation was cancelled"),
                LinkFault::Io { detail } => write!(f, "communication with the card failed ({detail})"),
            },
            Error::WrongPin { attempts_left: 0 } => {
                f.write_str("wrong PIN, no attempts left: the PIN is now blocked")
            }
            Error::WrongPin { attempts_left } => {
                write!(f, "wrong PIN, {attempts_left} attempt(s) left")
            }
            Error::PinBlocked => f.write_str("the PIN is blocked"),
            Error::Card { refusal } => match refusal {
                CardRefusal::NotAuthenticated => {
                    f.write_str("this operation needs a login with the right PIN")
                }
                CardRefusal::KeyNotFound => f.write_str("no key with this id on the token"),
                CardRefusal::CertificateNotFound => {
                    f.write_str("no certificate is stored for this key")
                }
                CardRefusal::KeyIdExists => f.write_str("a key with this id already exists"),
                CardRefusal::TokenFull => f.write_str("the token is full"),
                CardRefusal::NoApplication => f.write_str("this card has no OFP1 application"),
                CardRefusal::UnknownCard => f.write_str(
                    "this card has neither an OFP1 application nor a Rutoken ECP file system",
                ),
                CardRefusal::NotSupported { operation } => {
                    write!(f, "this card cannot {operation}")
                }
                CardRefusal::Status { sw } => write!(f, "{} (SW {sw:04X})", status_meaning(*sw)),
            },
            Error::Protocol { violation } => match violation {
                Violation::NotAuthentic => f.write_str(
                    "the token could not be authenticated (it did not prove it holds the PIN verifier)",
                ),
                Violation::SecureChannelBroken => {
                    f.write_str("the secure channel to the card was broken")
                }
                Violation::MalformedData => f.write_str("the card sent malformed data"),
                Violation::MissingObject { tag } => {
                    write!(f, "the card's answer lacks data object {tag:02X}")
                }
                Violation::ShortResponse { len } => {
                    write!(f, "the card sent a {len}-byte answer, not even a status word")
                }
                Violation::EndlessResponse { limit } => write!(
                    f,
                    "the card kept announcing more data after {limit} GET RESPONSE commands"
                ),
                Violation::ChainingRejected { sw } => {
                    write!(f, "the card rejected part of a chained command (SW {sw:04X})")
                }
                Violation::InvalidPublicKey => {
                    f.write_str("the card returned a public key that is not a valid curve point")
                }
                Violation::WrongSignatures => {
                    f.write_str("the card returned the wrong number or size of signatures")
                }
                Violation::PinNotAnnounced { pin } => {
                    write!(f, "the token announced no {pin:?} PIN")
                }
                Violation::UnexpectedStatus { sw } => write!(
                    f,
                    "the card broke the protocol: it answered SW {sw:04X}, which OFP1 does not \
                     give this command"
                ),
            },
            Error::Misuse { problem } => match problem {
                ApiMisuse::KeyIdLength { len } => {
                    write!(f, "invalid input: a key id is 1 to 16 bytes, not {len}")
                }
                ApiMisuse::DigestCount { count } => {
                    write!(f, "invalid input: sign takes 1 to 16 digests, not {count}")
                }
                ApiMisuse::DigestLength { len } => write!(
                    f,
                    "invalid input: digests must all be 32 bytes (256-bit keys) or all 64 bytes \
                     (512-bit keys), not {len}"
                ),
                ApiMisuse::CurveNotSupported { curve } => {
                    write!(f, "invalid input: the token does not support curve {curve}")
                }
                ApiMisuse::EmptyCertificate => f.write_str("invalid input: the certificate is empty"),
                ApiMisuse::EmptyPin => f.write_str("invalid input: the PIN is empty"),
                ApiMisuse::ClearPinOverNfc => f.write_str(
                    "this card takes the PIN unprotected, which over NFC could be overheard, \
                     and the app has not allowed that",
                ),
                ApiMisuse::StalePreparedPin => f.write_str(
                    "invalid input: the PIN was prepared for another token or an older salt",
                ),
                ApiMisuse::CommandTooLong { len, max } => write!(
                    f,
                    "invalid input: the command ({len} bytes) is longer than the link carries \
                     ({max} bytes per APDU)"
                ),
                ApiMisuse::InvalidArgument { detail } => write!(f, "invalid input: {detail}"),
            },
            Error::Pki { detail, .. } => f.write_str(detail),
            Error::Storage { detail } => write!(f, "storage error: {detail}"),
            Error::TwoParty { fault } => fault.describe(f),
            Error::Request { refusal } => write!(f, "{refusal}"),
        }
    }
}

/// What a refusal's status word says happened (OFP1 Section 7), without
/// advice: [`status_action`] has that.
fn status_meaning(sw: u16) -> &'static str {
    match StatusError::from_sw(sw) {
        Some(StatusError::Internal) => "the token reported an internal error",
        Some(StatusError::WrongLength) => "the token rejected the command's length",
        Some(StatusError::ConditionsNotSatisfied) => {
            "the token was not in the right state for the command"
        }
        Some(StatusError::IncorrectData) => "the token rejected the command's data",
        Some(StatusError::IncorrectP1P2) => "the token rejected the command's parameters",
        Some(StatusError::InsNotSupported | StatusError::ClaNotSupported) => {
            "the token does not support the command"
        }
        _ => "the card refused the command",
    }
}

fn status_action(sw: u16, nfc: bool) -> &'static str {
    match StatusError::from_sw(sw) {
        Some(StatusError::Internal) if nfc => "take the card away, present it again and retry",
        Some(StatusError::Internal) => "take the card out of the reader, insert it again and retry",
        Some(StatusError::WrongLength) => {
            "use a link with extended-length APDUs, or report it if it persists"
        }
        Some(StatusError::ConditionsNotSatisfied) => "start the operation again",
        Some(StatusError::IncorrectData) => {
            "check that the digest size fits the key's curve, the curve is one the token \
             offers, and the certificate is valid"
        }
        Some(
            StatusError::IncorrectP1P2
            | StatusError::InsNotSupported
            | StatusError::ClaNotSupported,
        ) => "check that this is an OFP1 token and its firmware is current",
        _ => "retry, and report the code if it persists",
    }
}

/// `what happened; what to do` for a card in a contactless field
/// ([`Error::message_on`] words it for other links).
impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message_on(LinkKind::Contactless))
    }
}

impl std::error::Error for Error {}

impl From<LinkFault> for Error {
    fn from(fault: LinkFault) -> Self {
        Error::Link { fault }
    }
}

impl From<CardRefusal> for Error {
    fn from(refusal: CardRefusal) -> Self {
        Error::Card { refusal }
    }
}

impl From<Violation> for Error {
    fn from(violation: Violation) -> Self {
        Error::Protocol { violation }
    }
}

impl From<ApiMisuse> for Error {
    fn from(problem: ApiMisuse) -> Self {
        Error::Misuse { problem }
    }
}

impl From<TransportError> for Error {
    fn from(e: TransportError) -> Self {
        Error::from(match e {
            TransportError::TagLost => LinkFault::CardRemoved,
            TransportError::Timeout => LinkFault::Timeout,
            TransportError::Cancelled => LinkFault::Cancelled,
            TransportError::Io { detail } => LinkFault::Io { detail },
        })
    }
}

/// A status word as the user-facing error: the PIN outcomes, the refusals an
/// app acts on, and the rest by code.
impl From<StatusError> for Error {
    fn from(e: StatusError) -> Self {
        match e {
            StatusError::WrongPin { retries_left } => Error::WrongPin {
                attempts_left: retries_left,
            },
            StatusError::PinBlocked => Error::PinBlocked,
            StatusError::SecurityStatusNotSatisfied => CardRefusal::NotAuthenticated.into(),
            StatusError::SecureMessagingFailed => Violation::SecureChannelBroken.into(),
            StatusError::NotFound => CardRefusal::KeyNotFound.into(),
            StatusError::ReferencedDataNotFound => CardRefusal::CertificateNotFound.into(),
            StatusError::KeyIdExists => CardRefusal::KeyIdExists.into(),
            StatusError::NotEnoughMemory => CardRefusal::TokenFull.into(),
            other => CardRefusal::Status { sw: other.sw() }.into(),
        }
    }
}

impl From<LinkError> for Error {
    fn from(e: LinkError) -> Self {
        match e {
            LinkError::Transport(t) => t.into(),
            LinkError::Card(s) => s.into(),
            LinkError::MalformedResponse { len } => Violation::ShortResponse {
                len: saturating_u32(len),
            }
            .into(),
            LinkError::TooManyResponseChunks { limit } => Violation::EndlessResponse {
                limit: saturating_u32(limit),
            }
            .into(),
            LinkError::ChainingRejected { sw } => Violation::ChainingRejected { sw }.into(),
            LinkError::CommandTooLong { len, max } => ApiMisuse::CommandTooLong {
                len: saturating_u32(len),
                max: saturating_u32(max),
            }
            .into(),
            LinkError::InvalidCommand(codec) => ApiMisuse::InvalidArgument {
                detail: codec.to_string(),
            }
            .into(),
        }
    }
}

impl From<SmError> for Error {
    fn from(e: SmError) -> Self {
        match e {
            // The token answered plain 69 82: it has no session (reset,
            // re-selected), so a new login is what helps.
            SmError::RejectedByToken { sw: 0x6982 }
            | SmError::UnprotectedResponse { sw: 0x6982 } => CardRefusal::NotAuthenticated.into(),
            SmError::InvalidCommand { reason } => ApiMisuse::InvalidArgument {
                detail: reason.into(),
            }
            .into(),
            _ => Violation::SecureChannelBroken.into(),
        }
    }
}

impl From<SespakeError> for Error {
    fn from(e: SespakeError) -> Self {
        match e {
            // Configuration, not the token's fault.
            SespakeError::CurveMismatch { .. } | SespakeError::DegeneratePassword => {
                ApiMisuse::InvalidArgument {
                    detail: e.to_string(),
                }
                .into()
            }
            SespakeError::UnknownPoint { .. }
            | SespakeError::InvalidProfilePoint { .. }
            | SespakeError::InvalidAlpha { .. } => ApiMisuse::InvalidArgument {
                detail: e.to_string(),
            }
            .into(),
            _ => Violation::NotAuthentic.into(),
        }
    }
}

impl From<TlvError> for Error {
    fn from(e: TlvError) -> Self {
        match e {
            TlvError::Missing(tag) => Violation::MissingObject { tag }.into(),
            TlvError::Truncated | TlvError::BadLength | TlvError::Unexpected(_) => {
                Violation::MalformedData.into()
            }
        }
    }
}

/// Local data that is not a valid key or point: the caller's input.
impl From<EcError> for Error {
    fn from(e: EcError) -> Self {
        ApiMisuse::InvalidArgument {
            detail: e.to_string(),
        }
        .into()
    }
}

/// A token failure inside a PKI operation comes back as itself; reading the
/// content is storage; the rest is PKI's.
impl From<PkiError> for Error {
    fn from(e: PkiError) -> Self {
        let fault = match &e {
            PkiError::Signer(inner) => {
                if let Some(token) = inner.downcast_ref::<Error>() {
                    return token.clone();
                }
                PkiFault::SignerFailed
            }
            PkiError::Io(io) => {
                return Error::Storage {
                    detail: io.to_string(),
                };
            }
            PkiError::MalformedDer { .. } => PkiFault::Malformed,
            PkiError::UnsupportedAlgorithm { .. } | PkiError::UnsupportedStructure(_) => {
                PkiFault::Unsupported
            }
            PkiError::DigestMismatch | PkiError::BadSignature(_) => PkiFault::BadSignature,
            PkiError::CertificateMismatch(_) | PkiError::MissingCertificate => {
                PkiFault::CertificateMismatch
            }
            PkiError::MissingAttribute(_) | PkiError::InvalidAttribute { .. } => {
                PkiFault::BadAttribute
            }
            PkiError::Encoding { .. } => PkiFault::Encoding,
            _ => PkiFault::InvalidInput,
        };
        Error::Pki {
            fault,
            detail: e.to_string(),
        }
    }
}

fn saturating_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// Result with the SDK's [`Error`].
pub type Result<T, E = Error> = core::result::Result<T, E>;
