//! The messages between device and server: compact CBOR (RFC 8949) via
//! `minicbor`, one request and one response per round trip.
//!
//! Every message is the array `[version, curve, key id, request id, body]`;
//! the body is `[kind, [fields...]]`. Points are `BYTES(Q) = LE(X) || LE(Y)`,
//! scalars `n` bytes big-endian. Decoding validates everything: the version,
//! the curve, the key id, every point (on the curve, in the prime-order
//! subgroup, not the identity), every scalar (below `q`) and every length,
//! and refuses trailing bytes, each with a typed error.

use minicbor::bytes::ByteVec;
use minicbor::{Decode, Decoder, Encode, Encoder};

use super::error::{DistributedError, Encoding, Field, Refusal, Result};
use super::ids::{KeyId, RequestId, curve_code, curve_from_code};
use super::schnorr::Proof;
use crate::crypto::ec::{CurveId, Point, Scalar};

/// The protocol version this library speaks.
pub const PROTOCOL_VERSION: u8 = 1;

/// What every message carries besides its body.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Header {
    /// Curve of the key.
    pub curve: CurveId,
    /// The key.
    pub key_id: KeyId,
    /// Random per request; the response echoes it.
    pub request_id: RequestId,
}

/// A server nonce commitment `(D_s, E_s)` handed to the device ahead of time.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ServerCommitment {
    /// The server's name for it; used once.
    pub index: u64,
    /// `D_s = a_s*P`.
    pub d: Point,
    /// `E_s = b_s*P`.
    pub e: Point,
}

/// What the device asks.
// Short-lived values, matched on by callers: boxing the larger variants
// would only make patterns clumsier.
#[allow(clippy::large_enum_variant)]
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum RequestBody {
    /// Key generation, round trip 1: a hash commitment to `Q_dev` and its proof.
    KeygenCommit {
        /// `H(curve, key id, Q_dev, proof, opening)`.
        commitment: [u8; 64],
    },
    /// Key generation, round trip 2: the opening.
    KeygenOpen {
        /// `Q_dev`.
        device_share: Point,
        /// Proof of knowledge of `d_dev`.
        proof: Proof,
        /// The commitment's random opening.
        opening: [u8; 32],
    },
    /// More server nonce commitments.
    NonceBatch {
        /// How many.
        count: u16,
    },
    /// A partial signature.
    Sign {
        /// Refresh epoch of the device's share.
        epoch: u32,
        /// The server commitment used.
        index: u64,
        /// `D_d`.
        d: Point,
        /// `E_d`.
        e: Point,
        /// `s_d`.
        partial: Scalar,
        /// The digest signed.
        digest: Vec<u8>,
    },
    /// A proof of the device share (the PIN check before a PIN change),
    /// bound to a server commitment index that it uses up.
    PinCheck {
        /// Refresh epoch of the device's share.
        epoch: u32,
        /// The server commitment used as a one-time challenge.
        index: u64,
        /// Proof of knowledge of `d_dev` for `Q_dev`.
        proof: Proof,
    },
    /// Share refresh, phase 1: a PIN proof and a commitment to the device's
    /// contribution.
    RefreshBegin {
        /// Refresh epoch of the device's share.
        epoch: u32,
        /// The server commitment used as a one-time challenge.
        index: u64,
        /// Proof of knowledge of `d_dev` for `Q_dev`.
        proof: Proof,
        /// `H(curve, key id, epoch, delta_dev, opening)`.
        commitment: [u8; 64],
    },
    /// Share refresh, phase 2: the device's contribution; the server commits.
    RefreshCommit {
        /// Epoch being left.
        epoch: u32,
        /// `delta_dev`.
        delta: Scalar,
        /// The commitment's opening.
        opening: [u8; 32],
    },
}

/// What the server answers.
// Short-lived values, matched on by callers: boxing the larger variants
// would only make patterns clumsier.
#[allow(clippy::large_enum_variant)]
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ResponseBody {
    /// The request was refused; nothing was signed or changed, except that a
    /// used nonce index stays used and a wrong PIN was counted.
    Refused(Refusal),
    /// Key generation, round trip 1: the server's share and proof.
    KeygenShare {
        /// `Q_srv`.
        server_share: Point,
        /// Proof of knowledge of `d_srv`.
        proof: Proof,
    },
    /// Key generation, round trip 2: the joint key and a first batch.
    KeygenDone {
        /// `Q = Q_dev + Q_srv`.
        public: Point,
        /// Nonce commitments to sign with.
        batch: Vec<ServerCommitment>,
    },
    /// Nonce commitments.
    NonceBatch {
        /// The commitments.
        batch: Vec<ServerCommitment>,
    },
    /// The signature, and a commitment replacing the one used.
    Signature {
        /// `s || r`.
        signature: Vec<u8>,
        /// Fresh commitments.
        refill: Vec<ServerCommitment>,
    },
    /// The PIN proof verified.
    PinAccepted,
    /// Share refresh, phase 1 answer: the server's contribution.
    RefreshContribution {
        /// `delta_srv`.
        delta: Scalar,
    },
    /// Share refresh committed.
    RefreshDone {
        /// The new epoch.
        epoch: u32,
    },
}

/// A request: header and body.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Request {
    /// Version, curve, key, request id.
    pub header: Header,
    /// What is asked.
    pub body: RequestBody,
}

/// A response: header (echoing the request's) and body.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Response {
    /// Version, curve, key, request id.
    pub header: Header,
    /// The answer.
    pub body: ResponseBody,
}

// ---- wire forms (raw bytes; validated by the conversions below) ----------

#[derive(Encode, Decode)]
struct WireProof {
    #[n(0)]
    t: ByteVec,
    #[n(1)]
    z: ByteVec,
}

/// A server commitment as bytes. The device's record keeps its pool in this
/// form and checks a commitment's points only when it uses it
/// ([`WireCommitment::validate`]), not at every load.
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode)]
pub(crate) struct WireCommitment {
    #[n(0)]
    index: u64,
    #[n(1)]
    d: ByteVec,
    #[n(2)]
    e: ByteVec,
}

#[derive(Encode, Decode)]
enum WireRequest {
    #[n(0)]
    KeygenCommit(#[n(0)] ByteVec),
    #[n(1)]
    KeygenOpen(#[n(0)] ByteVec, #[n(1)] WireProof, #[n(2)] ByteVec),
    #[n(2)]
    NonceBatch(#[n(0)] u16),
    #[n(3)]
    Sign(
        #[n(0)] u32,
        #[n(1)] u64,
        #[n(2)] ByteVec,
        #[n(3)] ByteVec,
        #[n(4)] ByteVec,
        #[n(5)] ByteVec,
    ),
    #[n(4)]
    PinCheck(#[n(0)] u32, #[n(1)] u64, #[n(2)] WireProof),
    #[n(5)]
    RefreshBegin(#[n(0)] u32, #[n(1)] u64, #[n(2)] WireProof, #[n(3)] ByteVec),
    #[n(6)]
    RefreshCommit(#[n(0)] u32, #[n(1)] ByteVec, #[n(2)] ByteVec),
}

#[derive(Encode, Decode)]
enum WireResponse {
    #[n(0)]
    Refused(#[n(0)] u16, #[n(1)] u32, #[n(2)] u32),
    #[n(1)]
    KeygenShare(#[n(0)] ByteVec, #[n(1)] WireProof),
    #[n(2)]
    KeygenDone(#[n(0)] ByteVec, #[n(1)] Vec<WireCommitment>),
    #[n(3)]
    NonceBatch(#[n(0)] Vec<WireCommitment>),
    #[n(4)]
    Signature(#[n(0)] ByteVec, #[n(1)] Vec<WireCommitment>),
    #[n(5)]
    PinAccepted,
    #[n(6)]
    RefreshContribution(#[n(0)] ByteVec),
    #[n(7)]
    RefreshDone(#[n(0)] u32),
}

// ---- value codecs ---------------------------------------------------------

pub(crate) fn point(curve: CurveId, field: Field, bytes: &[u8]) -> Result<Point> {
    Point::from_bytes(curve, bytes)
        .map_err(|source| DistributedError::InvalidPoint { field, source })
}

pub(crate) fn scalar(curve: CurveId, field: Field, bytes: &[u8]) -> Result<Scalar> {
    Scalar::from_be_bytes(curve, bytes).map_err(|_| DistributedError::InvalidValue { field })
}

pub(crate) fn fixed<const N: usize>(field: Field, bytes: &[u8]) -> Result<[u8; N]> {
    bytes
        .try_into()
        .map_err(|_| DistributedError::InvalidValue { field })
}

fn bv(b: impl Into<Vec<u8>>) -> ByteVec {
    ByteVec::from(b.into())
}

fn proof_to_wire(p: &Proof) -> WireProof {
    WireProof {
        t: bv(p.t.to_bytes()),
        z: bv(p.z.to_be_bytes()),
    }
}

fn proof_from_wire(curve: CurveId, w: &WireProof) -> Result<Proof> {
    Ok(Proof {
        t: point(curve, Field::ProofCommitment, &w.t)?,
        z: scalar(curve, Field::ProofResponse, &w.z)?,
    })
}

impl WireCommitment {
    pub(crate) fn new(c: &ServerCommitment) -> Self {
        WireCommitment {
            index: c.index,
            d: bv(c.d.to_bytes()),
            e: bv(c.e.to_bytes()),
        }
    }

    /// The commitment, with both points checked: on the curve, in the
    /// prime-order subgroup, not the identity.
    pub(crate) fn validate(&self, curve: CurveId) -> Result<ServerCommitment> {
        Ok(ServerCommitment {
            index: self.index,
            d: point(curve, Field::ServerNonceD, &self.d)?,
            e: point(curve, Field::ServerNonceE, &self.e)?,
        })
    }
}

pub(crate) fn commitments_to_wire(c: &[ServerCommitment]) -> Vec<WireCommitment> {
    c.iter().map(WireCommitment::new).collect()
}

pub(crate) fn commitments_from_wire(
    curve: CurveId,
    w: &[WireCommitment],
) -> Result<Vec<ServerCommitment>> {
    w.iter().map(|c| c.validate(curve)).collect()
}

/// Refusal as `(code, a, b)`; codes are stable.
fn refusal_to_wire(r: Refusal) -> (u16, u32, u32) {
    match r {
        Refusal::UnknownKey => (1, 0, 0),
        Refusal::KeyExists => (2, 0, 0),
        Refusal::KeyLocked => (3, 0, 0),
        Refusal::KeyRevoked => (4, 0, 0),
        Refusal::PinRejected { remaining } => (5, remaining, 0),
        Refusal::NonceUnknown => (6, 0, 0),
        Refusal::NonceUsed => (7, 0, 0),
        Refusal::StaleShare { device, server } => (8, device, server),
        Refusal::NoKeygenInProgress => (9, 0, 0),
        Refusal::CommitmentMismatch => (10, 0, 0),
        Refusal::ProofInvalid => (11, 0, 0),
        Refusal::InvalidRequest => (12, 0, 0),
        Refusal::UnsupportedVersion { supported } => (13, u32::from(supported), 0),
        Refusal::CurveMismatch => (14, 0, 0),
        Refusal::DegenerateNonce => (15, 0, 0),
        Refusal::RefreshUnknown => (16, 0, 0),
        Refusal::PoolFull => (17, 0, 0),
        Refusal::Unavailable => (18, 0, 0),
    }
}

fn refusal_from_wire(code: u16, a: u32, b: u32) -> Result<Refusal> {
    Ok(match code {
        1 => Refusal::UnknownKey,
        2 => Refusal::KeyExists,
        3 => Refusal::KeyLocked,
        4 => Refusal::KeyRevoked,
        5 => Refusal::PinRejected { remaining: a },
        6 => Refusal::NonceUnknown,
        7 => Refusal::NonceUsed,
        8 => Refusal::StaleShare {
            device: a,
            server: b,
        },
        9 => Refusal::NoKeygenInProgress,
        10 => Refusal::CommitmentMismatch,
        11 => Refusal::ProofInvalid,
        12 => Refusal::InvalidRequest,
        13 => Refusal::UnsupportedVersion {
            supported: u8::try_from(a).unwrap_or(u8::MAX),
        },
        14 => Refusal::CurveMismatch,
        15 => Refusal::DegenerateNonce,
        16 => Refusal::RefreshUnknown,
        17 => Refusal::PoolFull,
        18 => Refusal::Unavailable,
        _ => {
            return Err(DistributedError::Malformed {
                what: Encoding::Response,
                offset: None,
            });
        }
    })
}

// ---- envelope ----------------------------------------------------------

fn malformed(what: Encoding) -> impl Fn(minicbor::decode::Error) -> DistributedError {
    move |e| DistributedError::Malformed {
        what,
        offset: e.position(),
    }
}

fn encode_envelope<B: Encode<()>>(h: &Header, body: &B) -> Vec<u8> {
    let mut e = Encoder::new(Vec::new());
    // Writing to a Vec cannot fail.
    let _ = e
        .array(5)
        .and_then(|e| e.u8(PROTOCOL_VERSION))
        .and_then(|e| e.u8(curve_code(h.curve)))
        .and_then(|e| e.str(h.key_id.as_str()))
        .and_then(|e| e.bytes(&h.request_id))
        .and_then(|e| e.encode(body));
    e.into_writer()
}

/// Reads `[version, curve, key id, request id,` and leaves the decoder at the body.
fn decode_header(d: &mut Decoder<'_>, what: Encoding) -> Result<Header> {
    let m = malformed(what);
    if d.array().map_err(&m)? != Some(5) {
        return Err(DistributedError::Malformed {
            what,
            offset: Some(0),
        });
    }
    let version = d.u8().map_err(&m)?;
    if version != PROTOCOL_VERSION {
        return Err(DistributedError::UnsupportedVersion {
            what,
            got: version,
            supported: PROTOCOL_VERSION,
        });
    }
    let curve = curve_from_code(d.u8().map_err(&m)?)?;
    let key_id = KeyId::new(d.str().map_err(&m)?)?;
    let request_id = fixed::<16>(Field::RequestId, d.bytes().map_err(&m)?)?;
    Ok(Header {
        curve,
        key_id,
        request_id,
    })
}

fn decode_body<'b, B: Decode<'b, ()>>(
    d: &mut Decoder<'b>,
    len: usize,
    what: Encoding,
) -> Result<B> {
    let body = d.decode().map_err(malformed(what))?;
    if d.position() != len {
        return Err(DistributedError::TrailingBytes {
            what,
            extra: len - d.position(),
        });
    }
    Ok(body)
}

impl Request {
    /// CBOR bytes.
    pub fn encode(&self) -> Vec<u8> {
        let w = match &self.body {
            RequestBody::KeygenCommit { commitment } => WireRequest::KeygenCommit(bv(*commitment)),
            RequestBody::KeygenOpen {
                device_share,
                proof,
                opening,
            } => WireRequest::KeygenOpen(
                bv(device_share.to_bytes()),
                proof_to_wire(proof),
                bv(*opening),
            ),
            RequestBody::NonceBatch { count } => WireRequest::NonceBatch(*count),
            RequestBody::Sign {
                epoch,
                index,
                d,
                e,
                partial,
                digest,
            } => WireRequest::Sign(
                *epoch,
                *index,
                bv(d.to_bytes()),
                bv(e.to_bytes()),
                bv(partial.to_be_bytes()),
                bv(digest.clone()),
            ),
            RequestBody::PinCheck {
                epoch,
                index,
                proof,
            } => WireRequest::PinCheck(*epoch, *index, proof_to_wire(proof)),
            RequestBody::RefreshBegin {
                epoch,
                index,
                proof,
                commitment,
            } => WireRequest::RefreshBegin(*epoch, *index, proof_to_wire(proof), bv(*commitment)),
            RequestBody::RefreshCommit {
                epoch,
                delta,
                opening,
            } => WireRequest::RefreshCommit(*epoch, bv(delta.to_be_bytes()), bv(*opening)),
        };
        encode_envelope(&self.header, &w)
    }

    /// Decodes and validates a request.
    pub fn decode(bytes: &[u8]) -> Result<Request> {
        let what = Encoding::Request;
        let mut d = Decoder::new(bytes);
        let header = decode_header(&mut d, what)?;
        let c = header.curve;
        let body = match decode_body::<WireRequest>(&mut d, bytes.len(), what)? {
            WireRequest::KeygenCommit(commitment) => RequestBody::KeygenCommit {
                commitment: fixed(Field::Commitment, &commitment)?,
            },
            WireRequest::KeygenOpen(q, proof, opening) => RequestBody::KeygenOpen {
                device_share: point(c, Field::DevicePublicShare, &q)?,
                proof: proof_from_wire(c, &proof)?,
                opening: fixed(Field::Opening, &opening)?,
            },
            WireRequest::NonceBatch(count) => RequestBody::NonceBatch { count },
            WireRequest::Sign(epoch, index, dd, ee, partial, digest) => {
                if digest.len() != c.digest_len() {
                    return Err(DistributedError::InvalidValue {
                        field: Field::Digest,
                    });
                }
                RequestBody::Sign {
                    epoch,
                    index,
                    d: point(c, Field::DeviceNonceD, &dd)?,
                    e: point(c, Field::DeviceNonceE, &ee)?,
                    partial: scalar(c, Field::PartialSignature, &partial)?,
                    digest: digest.into(),
                }
            }
            WireRequest::PinCheck(epoch, index, proof) => RequestBody::PinCheck {
                epoch,
                index,
                proof: proof_from_wire(c, &proof)?,
            },
            WireRequest::RefreshBegin(epoch, index, proof, commitment) => {
                RequestBody::RefreshBegin {
                    epoch,
                    index,
                    proof: proof_from_wire(c, &proof)?,
                    commitment: fixed(Field::Commitment, &commitment)?,
                }
            }
            WireRequest::RefreshCommit(epoch, delta, opening) => RequestBody::RefreshCommit {
                epoch,
                delta: scalar(c, Field::Delta, &delta)?,
                opening: fixed(Field::Opening, &opening)?,
            },
        };
        Ok(Request { header, body })
    }

    /// The header alone, for answering a request whose body is invalid.
    pub(crate) fn peek_header(bytes: &[u8]) -> Result<Header> {
        decode_header(&mut Decoder::new(bytes), Encoding::Request)
    }
}

impl Response {
    /// CBOR bytes.
    pub fn encode(&self) -> Vec<u8> {
        let w = match &self.body {
            ResponseBody::Refused(r) => {
                let (code, a, b) = refusal_to_wire(*r);
                WireResponse::Refused(code, a, b)
            }
            ResponseBody::KeygenShare {
                server_share,
                proof,
            } => WireResponse::KeygenShare(bv(server_share.to_bytes()), proof_to_wire(proof)),
            ResponseBody::KeygenDone { public, batch } => {
                WireResponse::KeygenDone(bv(public.to_bytes()), commitments_to_wire(batch))
            }
            ResponseBody::NonceBatch { batch } => {
                WireResponse::NonceBatch(commitments_to_wire(batch))
            }
            ResponseBody::Signature { signature, refill } => {
                WireResponse::Signature(bv(signature.clone()), commitments_to_wire(refill))
            }
            ResponseBody::PinAccepted => WireResponse::PinAccepted,
            ResponseBody::RefreshContribution { delta } => {
                WireResponse::RefreshContribution(bv(delta.to_be_bytes()))
            }
            ResponseBody::RefreshDone { epoch } => WireResponse::RefreshDone(*epoch),
        };
        encode_envelope(&self.header, &w)
    }

    /// Decodes and validates a response.
    pub fn decode(bytes: &[u8]) -> Result<Response> {
        let what = Encoding::Response;
        let mut d = Decoder::new(bytes);
        let header = decode_header(&mut d, what)?;
        let c = header.curve;
        let body = match decode_body::<WireResponse>(&mut d, bytes.len(), what)? {
            WireResponse::Refused(code, a, b) => {
                ResponseBody::Refused(refusal_from_wire(code, a, b)?)
            }
            WireResponse::KeygenShare(q, proof) => ResponseBody::KeygenShare {
                server_share: point(c, Field::ServerPublicShare, &q)?,
                proof: proof_from_wire(c, &proof)?,
            },
            WireResponse::KeygenDone(q, batch) => ResponseBody::KeygenDone {
                public: point(c, Field::PublicKey, &q)?,
                batch: commitments_from_wire(c, &batch)?,
            },
            WireResponse::NonceBatch(batch) => ResponseBody::NonceBatch {
                batch: commitments_from_wire(c, &batch)?,
            },
            WireResponse::Signature(sig, refill) => {
                if sig.len() != 2 * c.coord_len() {
                    return Err(DistributedError::InvalidValue {
                        field: Field::Signature,
                    });
                }
                ResponseBody::Signature {
                    signature: sig.into(),
                    refill: commitments_from_wire(c, &refill)?,
                }
            }
            WireResponse::PinAccepted => ResponseBody::PinAccepted,
            WireResponse::RefreshContribution(delta) => ResponseBody::RefreshContribution {
                delta: scalar(c, Field::Delta, &delta)?,
            },
            WireResponse::RefreshDone(epoch) => ResponseBody::RefreshDone { epoch },
        };
        Ok(Response { header, body })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header(curve: CurveId) -> Header {
        Header {
            curve,
            key_id: KeyId::new("key-1").unwrap(),
            request_id: [7; 16],
        }
    }

    fn rnd_point(c: CurveId) -> Point {
        Point::mul_generator(&Scalar::random_nonzero(c, &mut crate::crypto::os_rng()))
    }

    fn proof(c: CurveId) -> Proof {
        Proof {
            t: rnd_point(c),
            z: Scalar::one(c),
        }
    }

    fn all_requests(c: CurveId) -> Vec<RequestBody> {
        vec![
            RequestBody::KeygenCommit {
                commitment: [1; 64],
            },
            RequestBody::KeygenOpen {
                device_share: rnd_point(c),
                proof: proof(c),
                opening: [2; 32],
            },
            RequestBody::NonceBatch { count: 16 },
            RequestBody::Sign {
                epoch: 3,
                index: u64::MAX,
                d: rnd_point(c),
                e: rnd_point(c),
                partial: Scalar::one(c),
                digest: vec![9; c.digest_len()],
            },
            RequestBody::PinCheck {
                epoch: 0,
                index: 5,
                proof: proof(c),
            },
            RequestBody::RefreshBegin {
                epoch: 1,
                index: 6,
                proof: proof(c),
                commitment: [3; 64],
            },
            RequestBody::RefreshCommit {
                epoch: 1,
                delta: Scalar::one(c),
                opening: [4; 32],
            },
        ]
    }

    #[test]
    fn requests_and_responses_round_trip_and_refuse_truncation() {
        for c in [CurveId::Tc26_256A, CurveId::Tc26_512B] {
            for body in all_requests(c) {
                let req = Request {
                    header: header(c),
                    body,
                };
                let bytes = req.encode();
                assert_eq!(Request::decode(&bytes).unwrap(), req);
                for cut in 0..bytes.len() {
                    assert!(Request::decode(&bytes[..cut]).is_err(), "cut {cut}");
                }
                let mut long = bytes.clone();
                long.push(0);
                assert!(matches!(
                    Request::decode(&long),
                    Err(DistributedError::TrailingBytes { extra: 1, .. })
                ));
            }
            let batch = vec![ServerCommitment {
                index: 1,
                d: rnd_point(c),
                e: rnd_point(c),
            }];
            let bodies = vec![
                ResponseBody::Refused(Refusal::PinRejected { remaining: 3 }),
                ResponseBody::Refused(Refusal::StaleShare {
                    device: 1,
                    server: 2,
                }),
                ResponseBody::KeygenShare {
                    server_share: rnd_point(c),
                    proof: proof(c),
                },
                ResponseBody::KeygenDone {
                    public: rnd_point(c),
                    batch: batch.clone(),
                },
                ResponseBody::NonceBatch {
                    batch: batch.clone(),
                },
                ResponseBody::Signature {
                    signature: vec![1; 2 * c.coord_len()],
                    refill: batch,
                },
                ResponseBody::PinAccepted,
                ResponseBody::RefreshContribution {
                    delta: Scalar::one(c),
                },
                ResponseBody::RefreshDone { epoch: 2 },
            ];
            for body in bodies {
                let resp = Response {
                    header: header(c),
                    body,
                };
                let bytes = resp.encode();
                assert_eq!(Response::decode(&bytes).unwrap(), resp);
                for cut in 0..bytes.len() {
                    assert!(Response::decode(&bytes[..cut]).is_err(), "cut {cut}");
                }
            }
        }
    }

    #[test]
    fn every_refusal_round_trips() {
        use Refusal::*;
        for r in [
            UnknownKey,
            KeyExists,
            KeyLocked,
            KeyRevoked,
            PinRejected { remaining: 9 },
            NonceUnknown,
            NonceUsed,
            StaleShare {
                device: 4,
                server: 5,
            },
            NoKeygenInProgress,
            CommitmentMismatch,
            ProofInvalid,
            InvalidRequest,
            UnsupportedVersion { supported: 1 },
            CurveMismatch,
            DegenerateNonce,
            RefreshUnknown,
            PoolFull,
            Unavailable,
        ] {
            let (code, a, b) = refusal_to_wire(r);
            assert_eq!(refusal_from_wire(code, a, b).unwrap(), r);
        }
        assert!(refusal_from_wire(0, 0, 0).is_err());
        assert!(refusal_from_wire(999, 0, 0).is_err());
    }

    #[test]
    fn version_curve_and_key_id_are_checked() {
        let c = CurveId::CryptoProA;
        let req = Request {
            header: header(c),
            body: RequestBody::NonceBatch { count: 1 },
        };
        let bytes = req.encode();
        // [0x85, version, curve, ...]
        let mut v2 = bytes.clone();
        v2[1] = 2;
        assert!(matches!(
            Request::decode(&v2),
            Err(DistributedError::UnsupportedVersion { got: 2, .. })
        ));
        let mut bad_curve = bytes.clone();
        bad_curve[2] = 0x10;
        assert!(matches!(
            Request::decode(&bad_curve),
            Err(DistributedError::UnknownCurve(0x10))
        ));
        let mut bad_id = bytes;
        bad_id[4] = b'/';
        assert!(matches!(
            Request::decode(&bad_id),
            Err(DistributedError::InvalidKeyId { .. })
        ));
    }
}
