//! The key commands of OFP1 Section 6, user-PIN session only: generate
//! key, sign, put certificate, delete key. Private keys never leave the
//! token; `token.rs` saves every change before the answer (and a key whose
//! save fails is not kept: no key is ever half-created).

use super::commands::{Reply, key_id, require_session};
use super::state::{KeyRecord, PasswordRef};
use super::tlv::{self, tlv};
use super::token::VirtualToken;
use super::wire::Apdu;
use fkn_core::crypto::ec::{CurveId, EcError, SigningKey};

/// Most digests one sign command may carry.
pub const MAX_DIGESTS: usize = 16;
/// Largest certificate a key may hold, in bytes.
pub const MAX_CERTIFICATE_LEN: usize = 8192;
/// Fresh nonces tried per digest before giving up with `6F 00` (a nonce
/// giving `r = 0` or `s = 0` has negligible probability; this only stops a
/// broken random source from looping for ever).
const NONCE_ATTEMPTS: usize = 8;

const SW_BAD_DATA: u16 = 0x6A80;

fn user_session(token: &VirtualToken) -> Result<PasswordRef, Reply> {
    require_session(token, |r| r == PasswordRef::User)
}

fn bad_data<T>(_: T) -> Reply {
    Reply::status(SW_BAD_DATA)
}

/// `00 47 00 00 { 84 id, 06.. curve, [88 label] }` → `86 BYTES(Q)`.
pub(crate) fn generate_key(token: &mut VirtualToken, apdu: &Apdu<'_>) -> Reply {
    generate(token, apdu).unwrap_or_else(|refused| refused)
}

fn generate(token: &mut VirtualToken, apdu: &Apdu<'_>) -> Result<Reply, Reply> {
    if apdu.p1p2() != 0 {
        return Err(Reply::status(0x6A86));
    }
    user_session(token)?;
    let objects = tlv::parse(apdu.data).map_err(bad_data)?;
    let (id, oid, label) = match objects.as_slice() {
        [(0x84, id), (0x06, oid)] => (*id, *oid, &[][..]),
        [(0x84, id), (0x06, oid), (0x88, label)] => (*id, *oid, *label),
        _ => return Err(Reply::status(SW_BAD_DATA)),
    };
    let id = key_id(id)?;
    let curve = CurveId::from_oid_der(&tlv(0x06, oid))
        .filter(|c| token.state().supported_curves().contains(c))
        .ok_or_else(|| Reply::status(SW_BAD_DATA))?;
    // Checked before drawing a key, so a refused command costs nothing.
    if token.state().key(id).is_some() {
        return Err(Reply::status(0x6A89));
    }
    if token.state().free_slots() == 0 {
        return Err(Reply::status(0x6A84));
    }
    let d = token.random().scalar(curve);
    let key = SigningKey::from_scalar(d).map_err(|_| Reply::status(0x6F00))?;
    let public = key.verifying_key().to_bytes();
    let record = KeyRecord::new(
        id.to_vec(),
        curve,
        key.to_be_bytes(),
        public.clone(),
        label.to_vec(),
    )
    .map_err(|_| Reply::status(0x6F00))?;
    token
        .state_mut()
        .add_key(record)
        .map_err(|e| Reply::status(e.status_word()))?;
    Ok(Reply::ok(tlv(0x86, &public)))
}

/// `00 2A 9E 9A { 84 id, 90 digest [, 90 digest ...] }` → `9E s||r` per
/// digest, same order (GOST R 34.10-2012, fresh nonce from the token's
/// randomness for each).
pub(crate) fn sign(token: &mut VirtualToken, apdu: &Apdu<'_>) -> Reply {
    sign_digests(token, apdu).unwrap_or_else(|refused| refused)
}

fn sign_digests(token: &mut VirtualToken, apdu: &Apdu<'_>) -> Result<Reply, Reply> {
    if apdu.p1p2() != 0x9E9A {
        return Err(Reply::status(0x6A86));
    }
    user_session(token)?;
    let objects = tlv::parse(apdu.data).map_err(bad_data)?;
    let Some(((0x84, id), digests)) = objects.split_first() else {
        return Err(Reply::status(SW_BAD_DATA));
    };
    if digests.is_empty()
        || digests.len() > MAX_DIGESTS
        || digests.iter().any(|(tag, _)| *tag != 0x90)
    {
        return Err(Reply::status(SW_BAD_DATA));
    }
    let record = token
        .state()
        .key(key_id(id)?)
        .ok_or_else(|| Reply::status(0x6A82))?;
    let curve = record.curve();
    if digests.iter().any(|(_, d)| d.len() != curve.digest_len()) {
        return Err(Reply::status(SW_BAD_DATA));
    }
    let key = SigningKey::from_be_bytes(curve, record.private_key())
        .map_err(|_| Reply::status(0x6F00))?;
    let mut out = Vec::with_capacity(digests.len() * (2 * curve.coord_len() + 3));
    for (_, digest) in digests {
        let signature = sign_one(token, &key, digest)?;
        tlv::push(&mut out, 0x9E, &signature);
    }
    Ok(Reply::ok(out))
}

/// `SigningKey::sign_digest`'s loop, with the nonce drawn from the token's
/// [`TokenRandom`](super::TokenRandom) so tests can script it.
fn sign_one(token: &mut VirtualToken, key: &SigningKey, digest: &[u8]) -> Result<Vec<u8>, Reply> {
    for _ in 0..NONCE_ATTEMPTS {
        let k = token.random().scalar(key.curve());
        match key.sign_digest_with_nonce(digest, &k) {
            Ok(signature) => return Ok(signature),
            Err(EcError::DegenerateNonce) => continue,
            Err(_) => break,
        }
    }
    Err(Reply::status(0x6F00))
}

/// `00 DA 01 00 { 84 id, 70 certificate }`: stores (or replaces) the key's
/// certificate. `6A 80` empty, `6A 84` over 8192 bytes, `6A 82` no key.
pub(crate) fn put_certificate(token: &mut VirtualToken, apdu: &Apdu<'_>) -> Reply {
    put(token, apdu).unwrap_or_else(|refused| refused)
}

fn put(token: &mut VirtualToken, apdu: &Apdu<'_>) -> Result<Reply, Reply> {
    if apdu.p1p2() != 0x0100 {
        return Err(Reply::status(0x6A86));
    }
    user_session(token)?;
    let objects = tlv::parse(apdu.data).map_err(bad_data)?;
    let [(0x84, id), (0x70, cert)] = objects.as_slice() else {
        return Err(Reply::status(SW_BAD_DATA));
    };
    let id = key_id(id)?;
    if cert.is_empty() {
        return Err(Reply::status(SW_BAD_DATA));
    }
    if cert.len() > MAX_CERTIFICATE_LEN {
        return Err(Reply::status(0x6A84));
    }
    let key = token
        .state_mut()
        .key_mut(id)
        .ok_or_else(|| Reply::status(0x6A82))?;
    key.certificate = Some(cert.to_vec());
    Ok(Reply::ok(Vec::new()))
}

/// `00 E4 00 00 { 84 id }`: deletes the key and its certificate.
pub(crate) fn delete_key(token: &mut VirtualToken, apdu: &Apdu<'_>) -> Reply {
    delete(token, apdu).unwrap_or_else(|refused| refused)
}

fn delete(token: &mut VirtualToken, apdu: &Apdu<'_>) -> Result<Reply, Reply> {
    if apdu.p1p2() != 0 {
        return Err(Reply::status(0x6A86));
    }
    user_session(token)?;
    let id = tlv::single(apdu.data, 0x84).map_err(bad_data)?;
    let removed = token.state_mut().remove_key(key_id(id)?);
    // The private key is zeroized as the record drops.
    removed
        .map(|_| Reply::ok(Vec::new()))
        .ok_or_else(|| Reply::status(0x6A82))
}
