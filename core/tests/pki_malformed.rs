//! Malformed DER must come back as a typed error, never a panic: truncated
//! input, wrong tags, huge and indefinite lengths, trailing bytes, random
//! bytes and bit flips, for certificates, requests and CMS signatures.

use std::sync::OnceLock;

use fkn_core::crypto::ec::{CurveId, SigningKey};
use fkn_core::crypto::os_rng;
use fkn_core::pki::cms::{self, SignOptions};
use fkn_core::pki::{PkiError, Subject, cert, csr};
use proptest::prelude::*;

/// A certificate, a request, an attached and a detached CMS signature.
struct Samples {
    cert: Vec<u8>,
    csr: Vec<u8>,
    attached: Vec<u8>,
    detached: Vec<u8>,
}

fn samples() -> &'static Samples {
    static S: OnceLock<Samples> = OnceLock::new();
    S.get_or_init(|| {
        let mut k = SigningKey::generate(CurveId::Tc26_256A, &mut os_rng());
        let s = Subject::new()
            .country("RU")
            .common_name("Malformed")
            .snils("11223344595");
        let c = cert::self_signed(&mut k, &s, 1).unwrap();
        let r = csr::build_csr(&mut k, &s, &csr::CsrOptions::default()).unwrap();
        let a = cms::sign(&mut k, &c, &mut &b"content"[..], &SignOptions::default()).unwrap();
        let d = cms::sign(
            &mut k,
            &c,
            &mut &b"content"[..],
            &SignOptions {
                detached: true,
                signing_time: None,
            },
        )
        .unwrap();
        Samples {
            cert: c,
            csr: r,
            attached: a,
            detached: d,
        }
    })
}

fn parse_cert(d: &[u8]) -> Result<(), PkiError> {
    cert::certificate_info(d).map(|_| ())
}

fn verify_cert(d: &[u8]) -> Result<(), PkiError> {
    cert::verify_certificate_signature(d, d)
}

fn verify_csr(d: &[u8]) -> Result<(), PkiError> {
    csr::verify_csr(d).map(|_| ())
}

fn verify_cms(d: &[u8]) -> Result<(), PkiError> {
    cms::verify(d, None).map(|_| ())
}

fn verify_cms_detached(d: &[u8]) -> Result<(), PkiError> {
    cms::verify(d, Some(&mut &b"content"[..])).map(|_| ())
}

type Check = fn(&[u8]) -> Result<(), PkiError>;

/// Each parser with a valid input of its kind.
fn cases() -> Vec<(&'static str, Check, &'static [u8])> {
    let s = samples();
    vec![
        ("certificate_info", parse_cert as Check, &s.cert[..]),
        ("verify_certificate_signature", verify_cert, &s.cert[..]),
        ("verify_csr", verify_csr, &s.csr[..]),
        ("cms::verify attached", verify_cms, &s.attached[..]),
        ("cms::verify detached", verify_cms_detached, &s.detached[..]),
    ]
}

fn assert_malformed(name: &str, what: &str, r: Result<(), PkiError>) {
    match r {
        Err(PkiError::MalformedDer { .. }) => {}
        other => panic!("{name}, {what}: expected MalformedDer, got {other:?}"),
    }
}

#[test]
fn samples_are_valid() {
    for (name, check, good) in cases() {
        check(good).unwrap_or_else(|e| panic!("{name}: {e}"));
    }
}

#[test]
fn every_truncation_is_malformed() {
    for (name, check, good) in cases() {
        for len in 0..good.len() {
            assert_malformed(name, &format!("truncated to {len}"), check(&good[..len]));
        }
    }
}

#[test]
fn trailing_bytes_are_malformed() {
    for (name, check, good) in cases() {
        let mut long = good.to_vec();
        long.push(0);
        assert_malformed(name, "one trailing byte", check(&long));
    }
}

#[test]
fn wrong_outer_tags_are_malformed() {
    for (name, check, good) in cases() {
        for tag in [0x31u8, 0x04, 0x02, 0xA0, 0x10] {
            let mut bad = good.to_vec();
            bad[0] = tag;
            assert_malformed(name, &format!("outer tag {tag:#04x}"), check(&bad));
        }
    }
}

/// Offset of the first element inside the outer SEQUENCE (its header is
/// 0x30 0x82 len len for all samples).
fn first_inner(good: &[u8]) -> usize {
    assert_eq!(&good[..2], &[0x30, 0x82]);
    4
}

#[test]
fn wrong_inner_tags_are_malformed() {
    for (name, check, good) in cases() {
        let at = first_inner(good);
        for tag in [0x05u8, 0x13, 0x31, 0x1F] {
            let mut bad = good.to_vec();
            bad[at] = tag;
            assert_malformed(name, &format!("inner tag {tag:#04x}"), check(&bad));
        }
    }
}

#[test]
fn huge_and_indefinite_lengths_are_malformed() {
    for (name, check, good) in cases() {
        let body = &good[4..];
        // Lengths far beyond the input, in every long form.
        for header in [
            vec![0x30, 0x84, 0xFF, 0xFF, 0xFF, 0xFF],
            vec![0x30, 0x84, 0x7F, 0xFF, 0xFF, 0xFF],
            vec![0x30, 0x83, 0xFF, 0xFF, 0xFF],
            vec![0x30, 0x88, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF],
            vec![0x30, 0xFF],
        ] {
            let mut bad = header.clone();
            bad.extend_from_slice(body);
            assert_malformed(name, &format!("header {header:02x?}"), check(&bad));
        }
        // BER indefinite length with end-of-contents.
        let mut ber = vec![0x30, 0x80];
        ber.extend_from_slice(body);
        ber.extend_from_slice(&[0, 0]);
        assert_malformed(name, "indefinite length", check(&ber));
        // Non-minimal length (0x82 for a length that fits 0x81 is fine; a
        // leading zero byte is not).
        let len = u32::from(good[2]) << 8 | u32::from(good[3]);
        let mut nonmin = vec![0x30, 0x83, 0x00, (len >> 8) as u8, len as u8];
        nonmin.extend_from_slice(body);
        assert_malformed(name, "non-minimal length", check(&nonmin));
        // A huge length on the first inner element.
        let at = first_inner(good);
        let mut inner = good.to_vec();
        inner.splice(at + 1..at + 2, [0x84, 0xFF, 0xFF, 0xFF, 0xF0]);
        assert_malformed(name, "huge inner length", check(&inner));
    }
}

#[test]
fn empty_and_tiny_inputs_are_malformed() {
    for (name, check, _) in cases() {
        for input in [&[][..], &[0x30], &[0x30, 0x00], &[0x00, 0x00], &[0xFF; 3]] {
            assert_malformed(name, &format!("{input:02x?}"), check(input));
        }
    }
}

#[test]
fn flips_in_signed_attributes_never_verify() {
    let s = samples();
    // The signed attributes start at the [0] IMPLICIT tag inside SignerInfo;
    // find the content-type attribute OID and flip each bit of the next 40 bytes.
    let oid = [
        0x06, 0x09, 0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x09, 0x03,
    ];
    let start = s
        .detached
        .windows(oid.len())
        .position(|w| w == oid)
        .unwrap();
    for pos in start..start + 40 {
        for bit in 0..8 {
            let mut bad = s.detached.clone();
            bad[pos] ^= 1 << bit;
            assert!(
                verify_cms_detached(&bad).is_err(),
                "flip at {pos} bit {bit} verified"
            );
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn random_bytes_never_panic(data in proptest::collection::vec(any::<u8>(), 0..600)) {
        for (_, check, _) in cases() {
            prop_assert!(check(&data).is_err());
        }
    }

    #[test]
    fn random_flips_never_panic(pos in any::<prop::sample::Index>(), bit in 0u8..8, which in 0usize..5) {
        let (_, check, good) = cases()[which];
        let mut bad = good.to_vec();
        let i = pos.index(bad.len());
        bad[i] ^= 1 << bit;
        // Flips in unsigned fields may still verify; none may panic.
        let _ = check(&bad);
    }

    #[test]
    fn subject_parser_never_panics(s in "\\PC{0,80}") {
        let _ = Subject::parse(&s);
    }

    #[test]
    fn subject_display_parses_back(
        cn in "[^\\x00-\\x1f\\x7f]{1,30}",
        o in "[a-zA-Zа-яА-Я0-9 ,+=\\\\#;<>\"]{1,30}",
    ) {
        let s = Subject::new().organization(o).common_name(cn);
        if s.validate().is_ok() {
            prop_assert_eq!(Subject::parse(&s.to_string()).unwrap(), s);
        }
    }
}
