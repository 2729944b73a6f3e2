//! The host's side of SESPAKE (RFC 8133, OFP1 Section 4) fed the token's
//! messages from arbitrary bytes: `U2`, then `MAC_B`. Anything but the
//! honest token's answers is refused with a typed error.
#![no_main]

use fkn_core::crypto::ec::{CurveId, Scalar};
use fkn_core::sespake::{HostStart, MacContext, Profile, derive_password_key};
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

fuzz_target!(|data: &[u8]| {
    static KEY: OnceLock<fkn_core::sespake::PasswordKey> = OnceLock::new();
    let profile = Profile::ofp1();
    let curve = CurveId::Tc26_256A;
    let salt = [3u8; 16];
    let key = KEY.get_or_init(|| derive_password_key(&profile, curve, b"123456", &salt));
    let mac = MacContext::ofp1(curve, b"FUZZTOKN");
    let start = HostStart::new(&profile, curve, 1, &salt, key, mac).expect("start");
    let alpha = Scalar::from_be_bytes_reduced(curve, &[0x30, 0x39]);
    let (expect_u2, _u1) = start.start_with_alpha(alpha).expect("step 1");
    let (u2, mac_b) = data.split_at(data.len().min(64));
    if let Ok((expect_mac_b, _mac_a)) = expect_u2.handle(u2) {
        // A random point passed the checks; its MAC_B cannot.
        assert!(expect_mac_b.handle(mac_b).is_err());
    }
});
