//! The emulated Rutoken ECP driven with raw APDUs: PINs and their counters,
//! access rules, key generation and signatures checked with fkn-core, the
//! file listing, CREATE FILE, chaining, reset, and the transport.

use fkn_core::crypto::ec::{CurveId, SigningKey, VerifyingKey};
use fkn_core::transport::{LinkKind, Transport};
use fkn_vtoken::rutoken::{ATR_ECP, ATR_ECP_SC_NFC, LifeCycle};
use fkn_vtoken::vpcd::VirtualCard;
use fkn_vtoken::{EmulatedRutoken, RutokenModel, RutokenTransport};

const USER_PIN: &str = "3132333435363738"; // "12345678"
const ADMIN_PIN: &str = "3837363534333231"; // "87654321"

/// Sends a hex APDU; returns (data, SW as 4 hex digits).
fn send(card: &mut EmulatedRutoken, hex_apdu: &str) -> (Vec<u8>, String) {
    let apdu = hex::decode(hex_apdu.replace(' ', "")).expect("test APDU hex");
    let mut resp = card.process_apdu(&apdu);
    let sw = resp.split_off(resp.len() - 2);
    (resp, hex::encode_upper(sw))
}

fn sw(card: &mut EmulatedRutoken, hex_apdu: &str) -> String {
    send(card, hex_apdu).1
}

fn lc(hex_data: &str) -> String {
    format!(
        "{:02X}{}",
        hex_data.replace(' ', "").len() / 2,
        hex_data.replace(' ', "")
    )
}

fn verify(card: &mut EmulatedRutoken, pin_ref: u8, pin_hex: &str) -> String {
    sw(card, &format!("002000{pin_ref:02X}{}", lc(pin_hex)))
}

/// The value of the first `tag` in a `62` FCP (one-byte tags and lengths).
fn fcp_tag(fcp: &[u8], tag: u8) -> Option<Vec<u8>> {
    assert_eq!(fcp[0], 0x62, "FCP template");
    let mut rest = &fcp[2..];
    while let [t, l, tail @ ..] = rest {
        let (v, next) = tail.split_at(usize::from(*l));
        if *t == tag {
            return Some(v.to_vec());
        }
        rest = next;
    }
    None
}

/// CREATE FILE data for a GOST key RSF as OpenSC sends it.
fn create_key_rsf(public: bool, key_ref: u8, paramset: u8) -> String {
    let (size, ty, sec) = if public {
        ("0040", "13", "460002000000000200000000000000")
    } else {
        ("0020", "03", "460002020000000200000000000000")
    };
    let body =
        format!("8002{size}82021000830200{key_ref:02X}8506{ty}{paramset:02X}00AA0000860F{sec}");
    format!("00E00000{}", lc(&format!("6F{}", lc(&body))))
}

/// CREATE FILE with an FCP as OpenSC's rtecp driver builds it; `sec8` is
/// the first 8 security-attribute bytes (the other 7 are zero).
fn create(fid: &str, descriptor: &str, size: u16, prop: &str, sec8: &str) -> String {
    let prop = if prop.is_empty() {
        String::new()
    } else {
        format!("85{}", lc(prop))
    };
    let body = format!("8002{size:04X}8202{descriptor}008302{fid}{prop}860F{sec8}00000000000000");
    format!("00E00000{}", lc(&format!("6F{}", lc(&body))))
}

fn mse(key_ref: u8) -> String {
    format!("002241B603840 1{key_ref:02X}").replace(' ', "")
}

fn pso(digest: &[u8]) -> String {
    format!("002A9E9A20{}40", hex::encode_upper(digest))
}

fn fresh() -> EmulatedRutoken {
    EmulatedRutoken::with_serial(RutokenModel::Ecp, [1, 2, 3, 4, 5, 6, 7, 8])
}

#[test]
fn wrong_pin_answers_63_00_and_empty_verify_counts() {
    let mut card = fresh();
    assert_eq!(verify(&mut card, 2, "3131313131313131"), "6300");
    assert_eq!(sw(&mut card, "00200002"), "63C9");
    // The empty VERIFY uses no try.
    assert_eq!(sw(&mut card, "00200002"), "63C9");
    assert_eq!(card.pin_tries_left(2), Some(9));
    assert_eq!(verify(&mut card, 2, USER_PIN), "9000");
    assert_eq!(sw(&mut card, "00200002"), "9000");
    assert_eq!(card.pin_tries_left(2), Some(10));
    // The admin PIN has its own counter.
    assert_eq!(sw(&mut card, "00200001"), "63CA");
    assert_eq!(verify(&mut card, 3, USER_PIN), "6A88");
}

#[test]
fn ten_wrong_pins_block_and_the_admin_unblocks() {
    let mut card = fresh();
    for i in 0..10 {
        assert_eq!(verify(&mut card, 2, "3030303030303030"), "6300", "try {i}");
    }
    assert_eq!(card.pin_tries_left(2), Some(0));
    assert_eq!(verify(&mut card, 2, USER_PIN), "6983");
    assert_eq!(sw(&mut card, "00200002"), "6983");
    // Unblocking needs the admin PIN.
    assert_eq!(sw(&mut card, "002C0302"), "6982");
    assert_eq!(verify(&mut card, 1, ADMIN_PIN), "9000");
    assert_eq!(sw(&mut card, "002C0002"), "6A86");
    assert_eq!(sw(&mut card, "002C0302"), "9000");
    assert_eq!(card.pin_tries_left(2), Some(10));
    assert_eq!(verify(&mut card, 2, USER_PIN), "9000");
    // The admin PIN can never be unblocked.
    assert_eq!(sw(&mut card, "002C0301"), "6982");
}

#[test]
fn logout_clears_both_pins() {
    let mut card = fresh();
    assert_eq!(verify(&mut card, 1, ADMIN_PIN), "9000");
    assert_eq!(verify(&mut card, 2, USER_PIN), "9000");
    assert!(card.is_verified(1) && card.is_verified(2));
    assert_eq!(sw(&mut card, "80400000"), "9000");
    assert_eq!(sw(&mut card, "00200001"), "63CA");
    assert_eq!(sw(&mut card, "00200002"), "63CA");
}

#[test]
fn keygen_answers_a_valid_point_and_signs_for_verify_digest() {
    let mut card = fresh();
    let curve = CurveId::CryptoProA;
    // Creating key files needs the user PIN (6002's create-RSF rule).
    assert_eq!(sw(&mut card, &create_key_rsf(false, 1, 0x20)), "6982");
    assert_eq!(verify(&mut card, 2, USER_PIN), "9000");
    assert_eq!(sw(&mut card, &create_key_rsf(false, 1, 0x20)), "9000");
    assert_eq!(sw(&mut card, &create_key_rsf(true, 1, 0x20)), "9000");
    assert!(card.key_refs().is_empty(), "no key before GENERATE");
    let (q, status) = send(&mut card, "0046800100");
    assert_eq!(status, "9000");
    assert_eq!(q.len(), 64);
    let public = VerifyingKey::from_bytes(curve, &q).expect("X_LE || Y_LE on CryptoPro-A");
    assert_eq!(card.key_refs(), vec![1]);
    assert_eq!(card.public_key(1), Some(q.clone()));

    let digest: Vec<u8> = (0u8..32)
        .map(|i| i.wrapping_mul(7).wrapping_add(3))
        .collect();
    assert_eq!(sw(&mut card, &mse(1)), "9000");
    let (raw, status) = send(&mut card, &pso(&digest));
    assert_eq!(status, "9000");
    assert_eq!(raw.len(), 64);
    let mut s_r: Vec<u8> = raw.clone();
    s_r.reverse();
    public
        .verify_digest(&digest, &s_r)
        .expect("reversed answer is s || r");
    assert!(
        public.verify_digest(&digest, &raw).is_err(),
        "raw answer is r_LE || s_LE"
    );
    let mut other = digest.clone();
    other[0] ^= 1;
    assert!(public.verify_digest(&other, &s_r).is_err());
}

#[test]
fn the_curve_comes_from_the_key_files() {
    for (paramset, curve) in [(0x30, CurveId::CryptoProB), (0x40, CurveId::CryptoProC)] {
        let mut card = fresh();
        assert_eq!(verify(&mut card, 2, USER_PIN), "9000");
        assert_eq!(sw(&mut card, &create_key_rsf(false, 7, paramset)), "9000");
        assert_eq!(sw(&mut card, &create_key_rsf(true, 7, paramset)), "9000");
        let (q, status) = send(&mut card, "0046800700");
        assert_eq!(status, "9000");
        let public = VerifyingKey::from_bytes(curve, &q).expect("point of the named curve");
        let digest = [0x5Au8; 32];
        assert_eq!(sw(&mut card, &mse(7)), "9000");
        let (mut raw, _) = send(&mut card, &pso(&digest));
        raw.reverse();
        public
            .verify_digest(&digest, &raw)
            .expect("signature on the named curve");
    }
    // No paramset byte the card knows: refused at CREATE FILE.
    let mut card = fresh();
    assert_eq!(verify(&mut card, 2, USER_PIN), "9000");
    assert_eq!(sw(&mut card, &create_key_rsf(false, 1, 0x50)), "6A80");
}

#[test]
fn key_use_needs_the_pin_its_file_names() {
    let mut card = fresh();
    let key = SigningKey::generate(CurveId::CryptoProA, &mut fkn_core::crypto::os_rng());
    card.install_key(3, &key).unwrap();
    assert_eq!(card.key_refs(), vec![3]);
    let digest = [0x11u8; 32];
    // PSO before MSE.
    assert_eq!(sw(&mut card, &pso(&digest)), "6985");
    assert_eq!(sw(&mut card, &mse(3)), "9000");
    assert_eq!(sw(&mut card, &pso(&digest)), "6982");
    // The admin PIN is not the one the key names.
    assert_eq!(verify(&mut card, 1, ADMIN_PIN), "9000");
    assert_eq!(sw(&mut card, &pso(&digest)), "6982");
    assert_eq!(verify(&mut card, 2, USER_PIN), "9000");
    let (mut raw, status) = send(&mut card, &pso(&digest));
    assert_eq!(status, "9000");
    raw.reverse();
    key.verifying_key().verify_digest(&digest, &raw).unwrap();
    // Regenerating the key also needs the PIN.
    assert_eq!(sw(&mut card, "80400000"), "9000");
    assert_eq!(sw(&mut card, "0046800300"), "6982");
    // MSE for a key that does not exist, and a wrong digest length.
    assert_eq!(sw(&mut card, &mse(4)), "6A88");
    assert_eq!(verify(&mut card, 2, USER_PIN), "9000");
    assert_eq!(
        sw(&mut card, &format!("002A9E9A1F{}40", "00".repeat(31))),
        "6700"
    );
}

#[test]
fn listing_first_next_walks_a_df_and_ends_with_6a82() {
    let mut card = fresh();
    assert_eq!(sw(&mut card, "00A40800041000100000"), "9000");
    let mut fids = Vec::new();
    let (mut fcp, mut status) = send(&mut card, "00A4000000");
    while status == "9000" {
        assert_eq!(
            fcp_tag(&fcp, 0x86).map(|v| v.len()),
            Some(15),
            "15-byte tag 86"
        );
        let fid = fcp_tag(&fcp, 0x83).unwrap();
        if fcp_tag(&fcp, 0x82).unwrap()[0] == 0x38 {
            // Entered the DF: back to the parent, as OpenSC lists.
            let (parent, s) = send(&mut card, "00A4030000");
            assert_eq!(s, "9000");
            assert_eq!(fcp_tag(&parent, 0x83), Some(vec![0x10, 0x00]));
        }
        fids.push(hex::encode_upper(&fid));
        (fcp, status) = send(
            &mut card,
            &format!("00A4000202{}00", hex::encode_upper(&fid)),
        );
    }
    assert_eq!(status, "6A82");
    assert_eq!(fids, ["6001", "6002", "6003", "6004", "6005"]);
    // An empty DF has no first file.
    assert_eq!(sw(&mut card, "00A408000610001000600200"), "9000");
    assert_eq!(sw(&mut card, "00A4000000"), "6A82");
}

#[test]
fn select_answers_fcp_with_size_descriptor_fid_and_security() {
    let mut card = fresh();
    let (fcp, status) = send(&mut card, "00A40000023F0000");
    assert_eq!(status, "9000");
    assert_eq!(fcp_tag(&fcp, 0x82), Some(vec![0x38, 0x00]));
    assert_eq!(fcp_tag(&fcp, 0x83), Some(vec![0x3F, 0x00]));
    assert_eq!(fcp_tag(&fcp, 0x80).map(|v| v.len()), Some(2));
    assert_eq!(
        hex::encode_upper(fcp_tag(&fcp, 0x86).unwrap()),
        "4702020100 0000FF 00000000000000".replace(' ', "")
    );
    // The PIN files, by path.
    let (fcp, status) = send(&mut card, "00A4080008100010006005000200");
    assert_eq!(status, "9000");
    assert_eq!(fcp_tag(&fcp, 0x82), Some(vec![0x10, 0x00]));
    assert_eq!(fcp_tag(&fcp, 0x85).unwrap()[..4], [0x01, 0x06, 0x01, 0xAA]);
    // Not found, no-answer P2, DF name.
    assert_eq!(
        sw(&mut card, "00A40000021234 00".replace(' ', "").as_str()),
        "6A82"
    );
    assert_eq!(sw(&mut card, "00A4000C023F00"), "6A86");
    assert_eq!(sw(&mut card, "00A4040007F0464B4E4F503100"), "6A82");
}

#[test]
fn create_file_collides_with_6a89_and_needs_the_create_rule() {
    let mut card = fresh();
    let ef = create("5555", "01", 8, "", "4303030300000003");
    // MF: create = user PIN.
    assert_eq!(sw(&mut card, &ef), "6982");
    assert_eq!(verify(&mut card, 2, USER_PIN), "9000");
    assert_eq!(sw(&mut card, &ef), "9000");
    assert_eq!(sw(&mut card, "00A40000023F0000"), "9000");
    assert_eq!(sw(&mut card, &ef), "6A89");
    // Key RSFs collide in their system DF, wherever the current DF is.
    assert_eq!(sw(&mut card, &create_key_rsf(false, 2, 0x20)), "9000");
    assert_eq!(
        sw(&mut card, "00A40800021000 00".replace(' ', "").as_str()),
        "9000"
    );
    assert_eq!(sw(&mut card, &create_key_rsf(false, 2, 0x20)), "6A89");
    assert_eq!(sw(&mut card, &create_key_rsf(true, 2, 0x20)), "9000");
    // The new EF is empty, readable, updatable within its size.
    assert_eq!(
        sw(&mut card, "00A40800025555 00".replace(' ', "").as_str()),
        "9000"
    );
    assert_eq!(
        sw(&mut card, "00D60006 03 AABBCC".replace(' ', "").as_str()),
        "6A84"
    );
    assert_eq!(
        sw(&mut card, "00D60006 02 AABB".replace(' ', "").as_str()),
        "9000"
    );
    let (data, status) = send(&mut card, "00B0000000");
    assert_eq!(
        (hex::encode_upper(data), status.as_str()),
        ("000000000000AABB".into(), "9000")
    );
    assert_eq!(sw(&mut card, "00B0000900"), "6B00");
    // Delete: the file's rule (user PIN) then gone.
    assert_eq!(sw(&mut card, "00A40000023F0000"), "9000");
    assert_eq!(sw(&mut card, "00E40000025555"), "9000");
    assert_eq!(sw(&mut card, "00E40000025555"), "6A82");
    // The system DFs are never deleted.
    assert_eq!(sw(&mut card, "00E40000021000"), "6982");
}

#[test]
fn private_key_and_pin_files_are_never_read() {
    let mut card = fresh();
    let key = SigningKey::generate(CurveId::CryptoProA, &mut fkn_core::crypto::os_rng());
    card.install_key(1, &key).unwrap();
    assert_eq!(verify(&mut card, 2, USER_PIN), "9000");
    assert_eq!(
        sw(
            &mut card,
            "00A408000810001000600200 0100".replace(' ', "").as_str()
        ),
        "9000"
    );
    assert_eq!(sw(&mut card, "00B0000000"), "6982");
    assert_eq!(
        sw(
            &mut card,
            "00A40800081000100060050002 00".replace(' ', "").as_str()
        ),
        "9000"
    );
    assert_eq!(sw(&mut card, "00B0000000"), "6982");
    // The public RSF has no read rule in OpenSC's attributes either.
    assert_eq!(
        sw(
            &mut card,
            "00A40800081000100060010001 00".replace(' ', "").as_str()
        ),
        "9000"
    );
    assert_eq!(sw(&mut card, "00B0000000"), "6982");
}

#[test]
fn reset_drops_login_security_environment_and_current_file() {
    let mut card = fresh();
    let key = SigningKey::generate(CurveId::CryptoProA, &mut fkn_core::crypto::os_rng());
    card.install_key(1, &key).unwrap();
    assert_eq!(verify(&mut card, 2, USER_PIN), "9000");
    assert_eq!(sw(&mut card, &mse(1)), "9000");
    assert_eq!(
        sw(&mut card, "00A408000410001000 00".replace(' ', "").as_str()),
        "9000"
    );
    VirtualCard::reset(&mut card);
    assert!(!card.is_verified(2));
    assert_eq!(sw(&mut card, "00200002"), "63CA");
    assert_eq!(sw(&mut card, &pso(&[0u8; 32])), "6985");
    // The MF is current again: its first file is 1000.
    let (fcp, _) = send(&mut card, "00A4000000");
    assert_eq!(fcp_tag(&fcp, 0x83), Some(vec![0x10, 0x00]));
    // Keys and PIN counters survive.
    assert_eq!(card.key_refs(), vec![1]);
}

#[test]
fn change_reference_data_sets_pins_in_chained_a5_segments() {
    let mut card = fresh();
    // Without the old PIN: the user PIN's change rule is user or admin.
    let ten = "0024010210 8002000A A50A 31323334353637383930".replace(' ', "");
    assert_eq!(sw(&mut card, &ten), "6982");
    assert_eq!(verify(&mut card, 2, USER_PIN), "9000");
    // A 10-byte PIN in three segments: 80+A5, A5, A5.
    assert_eq!(
        sw(
            &mut card,
            "1024010208 8002000A A5023132".replace(' ', "").as_str()
        ),
        "9000"
    );
    assert_eq!(
        sw(
            &mut card,
            "1024010206 A50433343536".replace(' ', "").as_str()
        ),
        "9000"
    );
    assert_eq!(
        sw(
            &mut card,
            "0024010206 A50437383930".replace(' ', "").as_str()
        ),
        "9000"
    );
    assert_eq!(verify(&mut card, 2, USER_PIN), "6300");
    assert_eq!(verify(&mut card, 2, "31323334353637383930"), "9000");
    // A segment that does not start with A5, and a declared length that
    // does not match, are refused.
    assert_eq!(
        sw(
            &mut card,
            "1024010208 8002000A A5023132".replace(' ', "").as_str()
        ),
        "9000"
    );
    assert_eq!(
        sw(&mut card, "0024010204 31323334".replace(' ', "").as_str()),
        "6A80"
    );
    assert_eq!(
        sw(
            &mut card,
            "0024010208 80020009 A5023132".replace(' ', "").as_str()
        ),
        "6A80"
    );
    // Shorter than the file's minimum (6).
    assert_eq!(
        sw(
            &mut card,
            "002401020B 80020005 A5053132333435"
                .replace(' ', "")
                .as_str()
        ),
        "6A80"
    );
    // Chaining is for CHANGE REFERENCE DATA only.
    assert_eq!(sw(&mut card, "10A40000023F0000"), "6884");
}

#[test]
fn imported_private_key_signs_and_fills_the_public_file() {
    let mut card = fresh();
    let key = SigningKey::generate(CurveId::CryptoProB, &mut fkn_core::crypto::os_rng());
    assert_eq!(verify(&mut card, 2, USER_PIN), "9000");
    assert_eq!(sw(&mut card, &create_key_rsf(false, 9, 0x30)), "9000");
    assert_eq!(sw(&mut card, &create_key_rsf(true, 9, 0x30)), "9000");
    assert_eq!(
        sw(
            &mut card,
            "00A40800081000100060020009 00".replace(' ', "").as_str()
        ),
        "9000"
    );
    let mut d = key.to_be_bytes().to_vec();
    d.reverse();
    let import = format!("0024010026 80020020 A520{}", hex::encode_upper(&d)).replace(' ', "");
    assert_eq!(sw(&mut card, &import), "9000");
    assert_eq!(card.public_key(9), Some(key.verifying_key().to_bytes()));
    let digest = [0xC3u8; 32];
    assert_eq!(sw(&mut card, &mse(9)), "9000");
    let (mut raw, _) = send(&mut card, &pso(&digest));
    raw.reverse();
    key.verifying_key().verify_digest(&digest, &raw).unwrap();
    // d = 0 is no key.
    let zero = format!("0024010026 80020020 A520{}", "00".repeat(32)).replace(' ', "");
    assert_eq!(sw(&mut card, &zero), "6A80");
}

#[test]
fn erase_personalise_and_finalize() {
    let mut card = fresh();
    assert_eq!(sw(&mut card, "808A0000"), "9000");
    assert_eq!(card.life_cycle(), LifeCycle::Personalization);
    assert_eq!(card.pin_tries_left(2), None);
    assert_eq!(sw(&mut card, "00A40000023F0000"), "6A82");
    assert_eq!(sw(&mut card, "80844E19"), "6985");
    // A new MF whose rules name a user PIN that does not exist yet; files
    // can still be made while personalising.
    let mf = create("3F00", "38", 0, "", "47020201000000FF");
    assert_eq!(sw(&mut card, &mf), "9000");
    assert_eq!(sw(&mut card, &mf), "6A89");
    let df = |fid: &str| create(fid, "38", 0, "", "43020200000000FF");
    assert_eq!(sw(&mut card, &df("1000")), "9000");
    assert_eq!(sw(&mut card, &df("1000")), "9000");
    assert_eq!(sw(&mut card, &df("6005")), "9000");
    // The admin PIN file, then its value (as pkcs15-init does).
    let chv = create("0001", "10", 8, "010801AA0000", "43FF0100000000FF");
    assert_eq!(sw(&mut card, &chv), "9000");
    assert_eq!(
        sw(
            &mut card,
            "00200001 08 3837363534333231".replace(' ', "").as_str()
        ),
        "6984"
    );
    let set = format!("002401010E 80020008 A508{ADMIN_PIN}").replace(' ', "");
    assert_eq!(sw(&mut card, &set), "9000");
    assert_eq!(sw(&mut card, "80844E19"), "9000");
    assert_eq!(card.life_cycle(), LifeCycle::Operational);
    // Now the rules apply: creating in the MF needs the user PIN, which
    // does not exist.
    let ef = create("2F00", "01", 8, "", "4300000000000000");
    assert_eq!(sw(&mut card, "00A40000023F0000"), "9000");
    assert_eq!(sw(&mut card, &ef), "6982");
    assert_eq!(verify(&mut card, 2, USER_PIN), "6A88");
    assert_eq!(verify(&mut card, 1, ADMIN_PIN), "9000");
}

#[test]
fn get_data_serial_challenge_and_bad_commands() {
    let mut card = fresh();
    let (serial, status) = send(&mut card, "00CA018100");
    assert_eq!(
        (serial, status.as_str()),
        (vec![1, 2, 3, 4, 5, 6, 7, 8], "9000")
    );
    assert_eq!(card.serial(), [1, 2, 3, 4, 5, 6, 7, 8]);
    assert_eq!(sw(&mut card, "00CA010100"), "6A88");
    let (a, status) = send(&mut card, "0084000020");
    assert_eq!((a.len(), status.as_str()), (32, "9000"));
    let (b, _) = send(&mut card, "0084000020");
    assert_ne!(a, b);
    assert_eq!(sw(&mut card, "00FF0000"), "6D00");
    assert_eq!(sw(&mut card, "A0A40000023F0000"), "6E00");
    // Extended length is not taken.
    assert_eq!(sw(&mut card, "00B00000000100"), "6700");
    assert_eq!(sw(&mut card, "00"), "6700");
    // Random serials differ.
    assert_ne!(
        EmulatedRutoken::new(RutokenModel::Ecp).serial(),
        EmulatedRutoken::new(RutokenModel::Ecp).serial()
    );
}

#[test]
fn models_differ_in_atr_and_link_and_the_transport_is_short_only() {
    let usb = EmulatedRutoken::new(RutokenModel::Ecp);
    let nfc = EmulatedRutoken::new(RutokenModel::EcpScNfc);
    assert_eq!(usb.atr(), ATR_ECP.to_vec());
    assert_eq!(nfc.atr(), ATR_ECP_SC_NFC.to_vec());
    assert_eq!(&ATR_ECP[3..14], b"Rutoken ECP");
    let mut t = RutokenTransport::new(nfc);
    assert_eq!(t.link_kind(), LinkKind::Contactless);
    assert_eq!(RutokenTransport::new(usb).link_kind(), LinkKind::Reader);
    assert!(!t.extended_length_supported());
    assert_eq!(t.max_transceive_length(), 261);
    let counter = t.clone();
    let resp = t.transceive(hex::decode("00200002").unwrap()).unwrap();
    assert_eq!(resp, [0x63, 0xCA]);
    assert!(t.transceive(vec![0; 262]).is_err());
    assert_eq!(counter.exchanges(), 1);
    assert_eq!(t.card().lock().unwrap().apdus_processed(), 1);
    // The card behind the transport is the one the test holds.
    let resp = t
        .transceive(hex::decode(format!("0020000208{USER_PIN}")).unwrap())
        .unwrap();
    assert_eq!(resp, [0x90, 0x00]);
    assert!(counter.card().lock().unwrap().is_verified(2));
    t.reset_card();
    assert!(!counter.card().lock().unwrap().is_verified(2));
}
