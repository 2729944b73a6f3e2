//! Why the server refuses a device's call on a signing request. Travels as
//! a number; the device turns it back into [`RequestRefusal`].

/// Why a signing request could not be fetched, approved or declined.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, thiserror::Error)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
#[non_exhaustive]
pub enum RequestRefusal {
    /// No request with this id for the device's account.
    #[error("there is no such signing request for this account")]
    NotFound,
    /// Its deadline passed.
    #[error("the signing request expired")]
    Expired,
    /// Signed already (by this or another device of the account).
    #[error("the signing request was already signed")]
    AlreadySigned,
    /// Declined already.
    #[error("the signing request was already declined")]
    AlreadyDeclined,
    /// The CMS was made by another key than the one the request names.
    #[error("the signature was made with another key than the request names")]
    WrongKey,
    /// The CMS signs other content than the request's document or digest.
    #[error("the signature is over other content than the request's")]
    WrongContent,
    /// The CMS is attached where detached was asked, or the reverse.
    #[error("the signature is attached where a detached one was asked, or the reverse")]
    WrongForm,
    /// The CMS is malformed or its signature does not verify.
    #[error("the signature does not verify")]
    BadSignature,
    /// The CMS lacks the signing-certificate-v2 attribute of CAdES-BES.
    #[error("the signature is not CAdES-BES (no signing-certificate attribute)")]
    NotCades,
    /// More requests in one call than one token command signs.
    #[error("more than {max} requests in one call", max = super::MAX_BATCH)]
    TooMany,
    /// The call itself was malformed (e.g. a reason too long).
    #[error("the server could not read the call")]
    Malformed,
    /// The server cannot serve signing requests now (its database, or it
    /// has no request service).
    #[error("the server cannot handle signing requests right now")]
    Unavailable,
}

impl RequestRefusal {
    const ALL: [RequestRefusal; 12] = [
        RequestRefusal::NotFound,
        RequestRefusal::Expired,
        RequestRefusal::AlreadySigned,
        RequestRefusal::AlreadyDeclined,
        RequestRefusal::WrongKey,
        RequestRefusal::WrongContent,
        RequestRefusal::WrongForm,
        RequestRefusal::BadSignature,
        RequestRefusal::NotCades,
        RequestRefusal::TooMany,
        RequestRefusal::Malformed,
        RequestRefusal::Unavailable,
    ];

    /// Its number on the wire (1, 2, ...).
    pub fn code(self) -> u16 {
        // ALL lists every variant once, so the position is found.
        Self::ALL
            .iter()
            .position(|r| *r == self)
            .map_or(0, |i| i as u16 + 1)
    }

    /// The refusal numbered `code`.
    pub fn from_code(code: u16) -> Option<Self> {
        Self::ALL.get(usize::from(code).checked_sub(1)?).copied()
    }

    /// One of each, for the error catalogue.
    pub(crate) fn catalogue() -> Vec<RequestRefusal> {
        Self::ALL.to_vec()
    }

    /// What the user (or the app's developer) does next.
    pub(crate) fn action(self) -> &'static str {
        match self {
            RequestRefusal::NotFound
            | RequestRefusal::AlreadySigned
            | RequestRefusal::AlreadyDeclined => "refresh the list of requests",
            RequestRefusal::Expired => "ask the sender for a new request",
            RequestRefusal::WrongKey => "sign with the key the request names",
            RequestRefusal::TooMany => "approve at most 16 requests at once",
            RequestRefusal::WrongContent
            | RequestRefusal::WrongForm
            | RequestRefusal::BadSignature
            | RequestRefusal::NotCades
            | RequestRefusal::Malformed => "update the app: the server cannot accept what it sent",
            RequestRefusal::Unavailable => "retry later",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip_and_unknown_codes_are_none() {
        for r in RequestRefusal::ALL {
            assert_eq!(RequestRefusal::from_code(r.code()), Some(r));
        }
        assert_eq!(RequestRefusal::from_code(0), None);
        assert_eq!(RequestRefusal::from_code(13), None);
    }
}
