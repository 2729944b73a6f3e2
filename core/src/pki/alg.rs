//! GOST algorithm identifiers and public keys in X.509 form (RFC 9215).
//!
//! * SubjectPublicKeyInfo: algorithm id-tc26-gost3410-12-256/512 with
//!   parameters `SEQUENCE { publicKeyParamSet, digestParamSet OPTIONAL }`; the
//!   key is `BIT STRING { OCTET STRING { LE(X) || LE(Y) } }`.
//! * Signature algorithm in certificates and requests:
//!   id-tc26-signwithdigest-gost3410-12-256/512, parameters absent.
//! * Digest: id-tc26-gost3411-12-256/512, parameters absent.

use der::asn1::{BitString, ObjectIdentifier, OctetString};
use der::{Any, Decode, Encode, Sequence, Tagged};
use spki::{AlgorithmIdentifierOwned, SubjectPublicKeyInfoOwned};

use super::PkiError;
use super::oid;
use crate::crypto::ec::CurveId;
use crate::crypto::hash::DigestAlgorithm;

/// `GostR3410-2012-PublicKeyParameters` (RFC 9215 Section 4).
#[derive(Sequence)]
struct KeyParams {
    public_key_param_set: ObjectIdentifier,
    #[asn1(optional = "true")]
    digest_param_set: Option<ObjectIdentifier>,
}

/// The digest a key on `curve` signs with: Streebog-256 or Streebog-512.
pub fn digest_for(curve: CurveId) -> DigestAlgorithm {
    DigestAlgorithm::for_curve(curve)
}

fn is_256(curve: CurveId) -> bool {
    curve.coord_len() == 32
}

/// The OID of a Streebog variant.
pub fn digest_oid(alg: DigestAlgorithm) -> ObjectIdentifier {
    match alg {
        DigestAlgorithm::Streebog256 => oid::GOST3411_12_256,
        DigestAlgorithm::Streebog512 => oid::GOST3411_12_512,
    }
}

/// `AlgorithmIdentifier` of a Streebog variant (parameters absent).
pub fn digest_identifier(alg: DigestAlgorithm) -> AlgorithmIdentifierOwned {
    AlgorithmIdentifierOwned {
        oid: digest_oid(alg),
        parameters: None,
    }
}

/// Reads a digest `AlgorithmIdentifier`; parameters must be absent or NULL
/// (OpenSSL writes NULL).
pub fn digest_from_identifier(id: &AlgorithmIdentifierOwned) -> Result<DigestAlgorithm, PkiError> {
    params_absent_or_null(id, "digest algorithm")?;
    match id.oid {
        o if o == oid::GOST3411_12_256 => Ok(DigestAlgorithm::Streebog256),
        o if o == oid::GOST3411_12_512 => Ok(DigestAlgorithm::Streebog512),
        o => Err(PkiError::UnsupportedAlgorithm {
            what: "digest algorithm",
            oid: o.to_string(),
        }),
    }
}

/// The key algorithm OID for `curve`'s size.
pub fn key_oid(curve: CurveId) -> ObjectIdentifier {
    if is_256(curve) {
        oid::GOST3410_12_256
    } else {
        oid::GOST3410_12_512
    }
}

/// Signature algorithm for certificates and requests: signwithdigest, no parameters.
pub fn signature_identifier(curve: CurveId) -> AlgorithmIdentifierOwned {
    let oid = if is_256(curve) {
        oid::SIGNWITHDIGEST_256
    } else {
        oid::SIGNWITHDIGEST_512
    };
    AlgorithmIdentifierOwned {
        oid,
        parameters: None,
    }
}

/// Checks that a signature `AlgorithmIdentifier` fits a key on `curve`. Both
/// signwithdigest and the bare key OID are accepted: CMS signers (OpenSSL's
/// gost-engine among them) put the key OID into SignerInfo.
pub fn check_signature_identifier(
    id: &AlgorithmIdentifierOwned,
    curve: CurveId,
) -> Result<(), PkiError> {
    params_absent_or_null(id, "signature algorithm")?;
    let (sig, key) = if is_256(curve) {
        (oid::SIGNWITHDIGEST_256, oid::GOST3410_12_256)
    } else {
        (oid::SIGNWITHDIGEST_512, oid::GOST3410_12_512)
    };
    if id.oid == sig || id.oid == key {
        return Ok(());
    }
    let known = [
        oid::SIGNWITHDIGEST_256,
        oid::SIGNWITHDIGEST_512,
        oid::GOST3410_12_256,
        oid::GOST3410_12_512,
    ];
    if known.contains(&id.oid) {
        Err(PkiError::CertificateMismatch(format!(
            "signature algorithm {} does not fit the signer's {}-bit key",
            id.oid,
            curve.coord_len() * 8
        )))
    } else {
        Err(PkiError::UnsupportedAlgorithm {
            what: "signature algorithm",
            oid: id.oid.to_string(),
        })
    }
}

fn params_absent_or_null(
    id: &AlgorithmIdentifierOwned,
    what: &'static str,
) -> Result<(), PkiError> {
    match &id.parameters {
        None => Ok(()),
        Some(p) if p.tag() == der::Tag::Null && p.value().is_empty() => Ok(()),
        Some(_) => Err(PkiError::UnsupportedAlgorithm {
            what,
            oid: format!("{} with unexpected parameters", id.oid),
        }),
    }
}

/// SubjectPublicKeyInfo of a GOST key. `public_key` is `BYTES(Q)` (2n bytes).
/// The digest parameter is written only for the CryptoPro sets, where RFC 9215
/// requires it; for the tc26 sets it is omitted.
pub fn spki(curve: CurveId, public_key: &[u8]) -> Result<SubjectPublicKeyInfoOwned, PkiError> {
    if public_key.len() != 2 * curve.coord_len() {
        return Err(PkiError::InvalidKey(format!(
            "a {curve} public key is {} bytes, got {}",
            2 * curve.coord_len(),
            public_key.len()
        )));
    }
    let cryptopro = matches!(
        curve,
        CurveId::CryptoProA | CurveId::CryptoProB | CurveId::CryptoProC
    );
    let params = KeyParams {
        public_key_param_set: oid::curve(curve),
        digest_param_set: cryptopro.then_some(oid::GOST3411_12_256),
    };
    let params = Any::encode_from(&params).map_err(|e| PkiError::encoding("key parameters", e))?;
    let octets = OctetString::new(public_key)
        .and_then(|o| o.to_der())
        .map_err(|e| PkiError::encoding("public key", e))?;
    let subject_public_key =
        BitString::from_bytes(&octets).map_err(|e| PkiError::encoding("public key", e))?;
    Ok(SubjectPublicKeyInfoOwned {
        algorithm: AlgorithmIdentifierOwned {
            oid: key_oid(curve),
            parameters: Some(params),
        },
        subject_public_key,
    })
}

/// Reads a GOST SubjectPublicKeyInfo: the curve and `BYTES(Q)`. Checks
/// lengths and OIDs only; the point itself is checked when it is used.
pub fn parse_spki(spki: &SubjectPublicKeyInfoOwned) -> Result<(CurveId, Vec<u8>), PkiError> {
    let alg = &spki.algorithm;
    let want_256 = if alg.oid == oid::GOST3410_12_256 {
        true
    } else if alg.oid == oid::GOST3410_12_512 {
        false
    } else {
        let oid = if alg.oid == oid::GOST3410_2001 {
            format!("{} (GOST R 34.10-2001, withdrawn)", alg.oid)
        } else {
            alg.oid.to_string()
        };
        return Err(PkiError::UnsupportedAlgorithm {
            what: "public key algorithm",
            oid,
        });
    };
    let params = alg
        .parameters
        .as_ref()
        .ok_or_else(|| PkiError::InvalidKey("GOST key parameters are missing".into()))?;
    let params: KeyParams = params
        .decode_as()
        .map_err(|e| PkiError::malformed("GOST key parameters", e))?;
    let curve = oid::curve_from_oid(&params.public_key_param_set).ok_or_else(|| {
        PkiError::UnsupportedAlgorithm {
            what: "curve (publicKeyParamSet)",
            oid: params.public_key_param_set.to_string(),
        }
    })?;
    if is_256(curve) != want_256 {
        return Err(PkiError::InvalidKey(format!(
            "curve {curve} does not fit key algorithm {}",
            alg.oid
        )));
    }
    if let Some(d) = params.digest_param_set {
        // gost-engine also writes it for 512-bit A/B keys; accept it when it
        // names the digest of the key's size.
        if d != digest_oid(digest_for(curve)) {
            return Err(PkiError::UnsupportedAlgorithm {
                what: "digestParamSet",
                oid: d.to_string(),
            });
        }
    }
    let bits = spki
        .subject_public_key
        .as_bytes()
        .ok_or_else(|| PkiError::InvalidKey("the key BIT STRING has unused bits".into()))?;
    let octets = OctetString::from_der(bits)
        .map_err(|e| PkiError::malformed("GOST public key octets", e))?;
    let q = octets.as_bytes();
    if q.len() != 2 * curve.coord_len() {
        return Err(PkiError::InvalidKey(format!(
            "a {curve} public key is {} bytes, got {}",
            2 * curve.coord_len(),
            q.len()
        )));
    }
    Ok((curve, q.to_vec()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fake_q(curve: CurveId) -> Vec<u8> {
        (0..2 * curve.coord_len()).map(|i| i as u8).collect()
    }

    #[test]
    fn spki_round_trip_every_curve() {
        for c in CurveId::ALL {
            let s = spki(c, &fake_q(c)).unwrap();
            let der = s.to_der().unwrap();
            let back = SubjectPublicKeyInfoOwned::from_der(&der).unwrap();
            assert_eq!(parse_spki(&back).unwrap(), (c, fake_q(c)));
        }
    }

    #[test]
    fn spki_matches_gost_engine_bytes() {
        // Algorithm part of `openssl genpkey -engine gost -algorithm gost2012_256
        // -pkeyopt paramset:A` (CryptoPro-A: digest parameter present) and of
        // paramset:TCA (tc26-256-A: absent).
        let cp = spki(CurveId::CryptoProA, &fake_q(CurveId::CryptoProA)).unwrap();
        assert_eq!(
            hex::encode(cp.algorithm.to_der().unwrap()),
            "301f06082a85030701010101301306072a85030202230106082a85030701010202"
        );
        let tc = spki(CurveId::Tc26_256A, &fake_q(CurveId::Tc26_256A)).unwrap();
        assert_eq!(
            hex::encode(tc.algorithm.to_der().unwrap()),
            "301706082a85030701010101300b06092a8503070102010101"
        );
    }

    #[test]
    fn parse_spki_rejects_mismatches() {
        let mut s = spki(CurveId::Tc26_512A, &fake_q(CurveId::Tc26_512A)).unwrap();
        s.algorithm.oid = oid::GOST3410_12_256;
        assert!(matches!(parse_spki(&s), Err(PkiError::InvalidKey(_))));
        s.algorithm.oid = oid::GOST3410_2001;
        assert!(matches!(
            parse_spki(&s),
            Err(PkiError::UnsupportedAlgorithm { .. })
        ));
        assert!(spki(CurveId::Tc26_256A, &[0u8; 63]).is_err());
    }

    #[test]
    fn signature_identifiers() {
        let id = signature_identifier(CurveId::Tc26_512B);
        assert_eq!(id.oid, oid::SIGNWITHDIGEST_512);
        check_signature_identifier(&id, CurveId::Tc26_512B).unwrap();
        let key = AlgorithmIdentifierOwned {
            oid: oid::GOST3410_12_256,
            parameters: None,
        };
        check_signature_identifier(&key, CurveId::CryptoProB).unwrap();
        assert!(check_signature_identifier(&key, CurveId::Tc26_512A).is_err());
        let null = AlgorithmIdentifierOwned {
            oid: oid::GOST3411_12_256,
            parameters: Some(Any::from(der::asn1::Null)),
        };
        assert_eq!(
            digest_from_identifier(&null).unwrap(),
            DigestAlgorithm::Streebog256
        );
    }
}
