//! The PKCS #15 objects OpenSC's `pkcs15-init` writes to a Rutoken ECP
//! (application DF `3F00/5000`, object directory `5031`) [9, 10]: which key
//! reference has which id, label, public key and certificate (the card's
//! own key files do not carry these), read and written in OpenSC's layout
//! so that keys and certificates one side stores the other finds.
//!
//! Only the few fields this driver needs are read, with the SDK's small
//! BER reader rather than full ASN.1 types: the structures are CHOICEs of
//! context-tagged objects of which we skip everything else, and an entry we
//! cannot read is skipped, never fatal (the key stays usable by reference).

use crate::apdu::tlv;

/// The PKCS #15 application DF OpenSC's `rutoken_ecp` profile creates.
pub const APP_DF: u16 = 0x5000;
/// The object directory file (ODF) in it.
pub const ODF: u16 = 0x5031;

/// ODF tags of the directories this driver uses (PKCS #15 `PKCS15Objects`).
pub const ODF_PRIVATE_KEYS: u8 = 0xA0;
/// ODF tag of the public key directory.
pub const ODF_PUBLIC_KEYS: u8 = 0xA1;
/// ODF tag of the certificate directory.
pub const ODF_CERTIFICATES: u8 = 0xA4;

/// Where OpenSC puts each directory in the application DF [10.3].
pub fn default_directory_fid(odf_tag: u8) -> u16 {
    match odf_tag {
        ODF_PRIVATE_KEYS => 0x6002,
        ODF_PUBLIC_KEYS => 0x6001,
        _ => 0x6004,
    }
}

/// FID ranges of public key and certificate files in the application DF:
/// `02xx` and `03xx` [2.1].
pub const PUBLIC_KEY_FILES: u16 = 0x0200;
/// See [`PUBLIC_KEY_FILES`].
pub const CERTIFICATE_FILES: u16 = 0x0300;

/// The directories an ODF points to, as paths from the MF without `3F00`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Directories {
    /// Private key directory (PrKDF).
    pub private_keys: Option<Vec<u16>>,
    /// Public key directory (PuKDF).
    pub public_keys: Option<Vec<u16>>,
    /// Certificate directory (CDF).
    pub certificates: Option<Vec<u16>>,
}

/// One object of a directory file: the fields common to keys and
/// certificates that this driver uses.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Entry {
    /// `label` of the common object attributes.
    pub label: String,
    /// `iD` of the common key or certificate attributes.
    pub id: Vec<u8>,
    /// `keyReference` (keys only).
    pub key_reference: Option<u32>,
    /// Path of the object's value, from the MF without `3F00`.
    pub path: Option<Vec<u16>>,
    /// The value when stored in the entry itself instead of a file.
    pub direct_value: Option<Vec<u8>>,
}

/// The meaningful part of a file: its TLVs up to the first padding byte
/// (`00` or `FF` where a tag would start). OpenSC's directory files are
/// fixed-size and zero-padded.
fn objects(mut data: &[u8]) -> Vec<tlv::Tlv<'_>> {
    let mut out = Vec::new();
    while let Some(&first) = data.first() {
        if first == 0x00 || first == 0xFF {
            break;
        }
        match tlv::next(data) {
            Some((obj, rest)) => {
                out.push(obj);
                data = rest;
            }
            None => break,
        }
    }
    out
}

/// Where the objects of a directory file end, once `data` (a prefix of the
/// file) shows it: the offset of the first padding byte at an object
/// boundary. `None` while the objects may go on past `data`. Lets the
/// driver stop reading a 2 KiB, mostly empty, file after its first chunk.
pub fn content_end(data: &[u8]) -> Option<usize> {
    let mut rest = data;
    loop {
        match rest.first() {
            None => return None,
            Some(0x00 | 0xFF) => return Some(data.len() - rest.len()),
            Some(_) => match tlv::next(rest) {
                Some((_, tail)) => rest = tail,
                // Cut short by the end of `data` (or malformed: reading on
                // to the end of the file costs only time).
                None => return None,
            },
        }
    }
}

/// A PKCS #15 `Path`'s octets as file ids from the MF, or relative to the
/// application DF when it has no `3F00` in front.
fn path_from(octets: &[u8]) -> Option<Vec<u16>> {
    if octets.is_empty() || !octets.len().is_multiple_of(2) {
        return None;
    }
    let fids: Vec<u16> = octets
        .chunks_exact(2)
        .map(|c| u16::from_be_bytes([c[0], c[1]]))
        .collect();
    Some(match fids.split_first() {
        Some((0x3F00, rest)) => rest.to_vec(),
        _ => [APP_DF].into_iter().chain(fids).collect(),
    })
}

/// The path inside a `Path` SEQUENCE (`30 { 04 path, ... }`).
fn path_in(sequence: &[u8]) -> Option<Vec<u16>> {
    let items = tlv::parse(sequence).ok()?;
    path_from(tlv::find(&items, 0x04).ok()?)
}

/// Parses an ODF.
pub fn parse_odf(data: &[u8]) -> Directories {
    let mut dirs = Directories::default();
    for obj in objects(data) {
        let path = tlv::expect_single(obj.value, 0x30).ok().and_then(path_in);
        match obj.tag {
            ODF_PRIVATE_KEYS => dirs.private_keys = dirs.private_keys.or(path),
            ODF_PUBLIC_KEYS => dirs.public_keys = dirs.public_keys.or(path),
            ODF_CERTIFICATES => dirs.certificates = dirs.certificates.or(path),
            _ => {}
        }
    }
    dirs
}

/// Parses a directory file (PrKDF, PuKDF, CDF): every object, whatever its
/// type, read as `SEQUENCE { commonObjectAttributes, classAttributes,
/// [0] subClass OPTIONAL, [1] typeAttributes }`.
pub fn parse_directory(data: &[u8]) -> Vec<Entry> {
    objects(data)
        .into_iter()
        .filter_map(|obj| parse_entry(obj.value))
        .collect()
}

fn parse_entry(value: &[u8]) -> Option<Entry> {
    let parts = tlv::parse(value).ok()?;
    let mut entry = Entry::default();
    let (_, common) = parts.first().filter(|(t, _)| *t == 0x30)?;
    if let Ok(items) = tlv::parse(common) {
        if let Ok(label) = tlv::find(&items, 0x0C) {
            entry.label = String::from_utf8_lossy(label).into_owned();
        }
    }
    let (_, class) = parts.get(1).filter(|(t, _)| *t == 0x30)?;
    let items = tlv::parse(class).ok()?;
    entry.id = tlv::find(&items, 0x04).ok()?.to_vec();
    entry.key_reference = tlv::find(&items, 0x02).ok().and_then(small_uint);
    // typeAttributes [1] { SEQUENCE { value ObjectValue, ... } }; the value
    // is a Path (SEQUENCE) or, for public keys, the key itself ([0] or raw).
    if let Some((_, typed)) = parts.iter().find(|(t, _)| *t == 0xA1) {
        let attrs = tlv::expect_single(typed, 0x30).ok()?;
        if let Some((value, _)) = tlv::next(attrs) {
            match value.tag {
                0x30 => entry.path = path_in(value.value),
                0xA0 => entry.direct_value = Some(value.value.to_vec()),
                _ => entry.direct_value = Some(value.raw.to_vec()),
            }
        }
    }
    Some(entry)
}

fn small_uint(be: &[u8]) -> Option<u32> {
    if be.is_empty() || be.len() > 4 {
        return None;
    }
    Some(be.iter().fold(0u32, |a, &b| a << 8 | u32::from(b)))
}

/// A GOST public key `X_LE || Y_LE` (64 bytes) from a public key object's
/// value, whichever way it was stored: the RFC 4491 `OCTET STRING`, a
/// `SubjectPublicKeyInfo` around it, or the bare 64 bytes.
pub fn gost_public_key(value: &[u8]) -> Option<Vec<u8>> {
    if value.len() == 64 {
        return Some(value.to_vec());
    }
    let (outer, _) = tlv::next(value)?;
    match outer.tag {
        0x04 if outer.value.len() == 64 => Some(outer.value.to_vec()),
        0x30 => {
            // SubjectPublicKeyInfo { algorithm, BIT STRING { 00, OCTET STRING } }.
            let items = tlv::parse(outer.value).ok()?;
            let bits = tlv::find(&items, 0x03).ok()?;
            let (_, octets) = bits.split_first()?;
            gost_public_key(octets)
        }
        _ => None,
    }
}

/// DER of `tag { parts... }`.
fn constructed(tag: u8, parts: &[Vec<u8>]) -> Vec<u8> {
    tlv::tlv(tag, &parts.concat())
}

/// A `Path` to `fids` from the MF (with `3F00`).
fn path_of(fids: &[u16]) -> Vec<u8> {
    let octets: Vec<u8> = [0x3F00u16]
        .iter()
        .chain(fids)
        .flat_map(|f| f.to_be_bytes())
        .collect();
    constructed(0x30, &[tlv::tlv(0x04, &octets)])
}

/// `CommonObjectAttributes`: label and flags (`private` and `modifiable`,
/// or `modifiable` only), and for private objects the user PIN's authId.
fn common_object(label: &str, private: bool) -> Vec<u8> {
    let mut parts = vec![tlv::tlv(0x0C, label.as_bytes())];
    if private {
        parts.push(vec![0x03, 0x02, 0x06, 0xC0]);
        parts.push(vec![0x04, 0x01, 0x02]);
    } else {
        parts.push(vec![0x03, 0x02, 0x06, 0x40]);
    }
    constructed(0x30, &parts)
}

/// The GOST R 34.10 `typeAttributes` OpenSC writes: the value's path and
/// the parameter-set numbers (R 34.10 set 1..3, R 34.11 and 28147 unset).
fn gost_type_attributes(path: &[u16], paramset: u8) -> Vec<u8> {
    let params = [
        vec![0x02, 0x01, paramset],
        vec![0x02, 0x01, 0x00],
        vec![0x02, 0x01, 0x00],
    ];
    let attrs: Vec<Vec<u8>> = [vec![path_of(path)], params.to_vec()].concat();
    constructed(0xA1, &[constructed(0x30, &attrs)])
}

/// A PrKDF entry for GOST key `reference` (`privateGOSTR3410Key [4]`):
/// usage sign, sensitive and never extractable, generated on the card.
pub fn private_key_entry(
    label: &str,
    id: &[u8],
    reference: u8,
    key_path: &[u16],
    paramset: u8,
) -> Vec<u8> {
    let class = constructed(
        0x30,
        &[
            tlv::tlv(0x04, id),
            vec![0x03, 0x02, 0x05, 0x20],
            vec![0x03, 0x02, 0x03, 0xB8],
            vec![0x02, 0x01, reference],
        ],
    );
    constructed(
        0xA4,
        &[
            common_object(label, true),
            class,
            gost_type_attributes(key_path, paramset),
        ],
    )
}

/// A PuKDF entry for the public key in file `value_path`
/// (`publicGOSTR3410Key [4]`, usage verify).
pub fn public_key_entry(label: &str, id: &[u8], value_path: &[u16], paramset: u8) -> Vec<u8> {
    let class = constructed(
        0x30,
        &[
            tlv::tlv(0x04, id),
            vec![0x03, 0x02, 0x01, 0x02],
            vec![0x01, 0x01, 0x00],
            vec![0x02, 0x01, 0x00],
        ],
    );
    constructed(
        0xA4,
        &[
            common_object(label, false),
            class,
            gost_type_attributes(value_path, paramset),
        ],
    )
}

/// A CDF entry (`x509Certificate`) for the certificate in `value_path`.
pub fn certificate_entry(label: &str, id: &[u8], value_path: &[u16]) -> Vec<u8> {
    let class = constructed(0x30, &[tlv::tlv(0x04, id)]);
    let typed = constructed(0xA1, &[constructed(0x30, &[path_of(value_path)])]);
    constructed(0x30, &[common_object(label, false), class, typed])
}

/// An ODF entry: directory `tag` in file `path`.
pub fn odf_entry(tag: u8, path: &[u16]) -> Vec<u8> {
    constructed(tag, &[path_of(path)])
}

/// The content of a public key file as OpenSC writes it: the RFC 4491
/// `OCTET STRING` of `X_LE || Y_LE`.
pub fn public_key_value(q: &[u8]) -> Vec<u8> {
    tlv::tlv(0x04, q)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::apdu::tlv::tlv;

    fn path(octets: &[u8]) -> Vec<u8> {
        tlv(0x30, &tlv(0x04, octets))
    }

    #[test]
    fn odf_with_absolute_and_relative_paths() {
        let mut odf = tlv(0xA0, &path(&[0x3F, 0x00, 0x50, 0x00, 0x60, 0x02]));
        odf.extend(tlv(0xA1, &path(&[0x60, 0x01])));
        odf.extend(tlv(0xA8, &path(&[0x60, 0x05])));
        odf.extend(tlv(0xA4, &path(&[0x3F, 0x00, 0x50, 0x00, 0x60, 0x04])));
        odf.resize(128, 0); // zero padding of a fixed-size file
        let dirs = parse_odf(&odf);
        assert_eq!(dirs.private_keys, Some(vec![0x5000, 0x6002]));
        assert_eq!(dirs.public_keys, Some(vec![0x5000, 0x6001]));
        assert_eq!(dirs.certificates, Some(vec![0x5000, 0x6004]));
    }

    #[test]
    fn key_entries_give_id_reference_label_and_path() {
        let common = tlv(0x30, &tlv(0x0C, b"main key"));
        let mut class = tlv(0x04, &[0x45, 0x01]);
        class.extend(tlv(0x03, &[0x06, 0x20]));
        class.extend(tlv(0x02, &[0x01]));
        let typed = tlv(
            0xA1,
            &tlv(
                0x30,
                &path(&[0x3F, 0x00, 0x10, 0x00, 0x10, 0x00, 0x60, 0x02, 0x00, 0x01]),
            ),
        );
        let mut body = common;
        body.extend(tlv(0x30, &class));
        body.extend(typed);
        let mut df = tlv(0xA4, &body);
        df.extend([0u8; 40]);
        let entries = parse_directory(&df);
        assert_eq!(entries.len(), 1);
        assert_eq!(entries[0].label, "main key");
        assert_eq!(entries[0].id, vec![0x45, 0x01]);
        assert_eq!(entries[0].key_reference, Some(1));
        assert_eq!(entries[0].path, Some(vec![0x1000, 0x1000, 0x6002, 0x0001]));
    }

    #[test]
    fn a_broken_entry_is_skipped_not_fatal() {
        let mut df = tlv(0x30, &[0x01, 0x02]);
        df.extend(tlv(0x30, &[]));
        assert!(parse_directory(&df).is_empty());
    }

    /// The entries are byte for byte what OpenSC 0.23 wrote for key id 45
    /// (fact sheet 10.3), so each side reads what the other stores.
    #[test]
    fn entries_match_what_opensc_wrote() {
        let pukdf = public_key_entry("GOST key", &[0x45], &[0x5000, 0x0200], 1);
        assert_eq!(
            hex::encode_upper(&pukdf),
            "A436300E0C08474F5354206B657903020640300D04014503020102010100020100A1153013300804063F0050000200020101020100020100"
        );
        let cdf = certificate_entry("GOST cert", &[0x45], &[0x5000, 0x0300]);
        assert_eq!(
            hex::encode_upper(&cdf),
            "3024300F0C09474F53542063657274030206403003040145A10C300A300804063F0050000300"
        );
        let prkdf = private_key_entry("k", &[0x45], 1, &[0x1000, 0x1000, 0x6002, 0x0001], 1);
        let entries = parse_directory(&prkdf);
        assert_eq!(entries[0].key_reference, Some(1));
        assert_eq!(entries[0].id, vec![0x45]);
        assert_eq!(entries[0].path, Some(vec![0x1000, 0x1000, 0x6002, 0x0001]));
        assert_eq!(
            parse_odf(&odf_entry(ODF_CERTIFICATES, &[0x5000, 0x6004])).certificates,
            Some(vec![0x5000, 0x6004])
        );
        assert_eq!(
            gost_public_key(&public_key_value(&[3; 64])),
            Some(vec![3; 64])
        );
    }

    #[test]
    fn content_ends_at_the_first_padding_byte_between_objects() {
        let mut file = tlv(0x30, &[0x04, 0x01, 0x07]);
        file.extend(tlv(0x30, &[0x00, 0x00])); // zeros inside an object are data
        let end = file.len();
        file.resize(300, 0);
        assert_eq!(content_end(&file[..256]), Some(end));
        assert_eq!(content_end(&file[..4]), None, "an object cut by the chunk");
        assert_eq!(content_end(&file[..end]), None, "more objects may follow");
        assert_eq!(content_end(&[0u8; 10]), Some(0));
    }

    #[test]
    fn public_key_forms() {
        let raw = [7u8; 64];
        assert_eq!(gost_public_key(&raw), Some(raw.to_vec()));
        let octets = tlv(0x04, &raw);
        assert_eq!(gost_public_key(&octets), Some(raw.to_vec()));
        let mut bits = vec![0x00];
        bits.extend(&octets);
        let spki = tlv(
            0x30,
            &[tlv(0x30, &[0x06, 0x01, 0x01]), tlv(0x03, &bits)].concat(),
        );
        assert_eq!(gost_public_key(&spki), Some(raw.to_vec()));
        assert_eq!(gost_public_key(&[0x04, 0x02, 1, 2]), None);
    }
}
