//! `live_object_count` returns to its baseline once every object is dropped.
//! Its own test binary: the counter is process-wide.

use fkn_core::crypto::hash::DigestAlgorithm;
use fkn_ffi::{Hasher, TokenSession, VirtualToken, live_object_count};

#[test]
fn objects_are_counted_until_dropped() {
    let baseline = live_object_count();
    {
        let vt = VirtualToken::new("count".into(), "1111".into(), "2222".into()).unwrap();
        assert_eq!(live_object_count(), baseline + 1);
        let transport = vt.transport();
        assert_eq!(live_object_count(), baseline + 2);
        let session = TokenSession::open(transport.clone()).unwrap();
        // Session and its bridge to the transport.
        assert_eq!(live_object_count(), baseline + 4);
        let _h = Hasher::new(DigestAlgorithm::Streebog256);
        assert_eq!(live_object_count(), baseline + 5);
        drop(session);
        assert_eq!(live_object_count(), baseline + 3);
        for _ in 0..100 {
            TokenSession::open(transport.clone()).unwrap();
        }
        assert_eq!(live_object_count(), baseline + 3);
    }
    assert_eq!(live_object_count(), baseline);
}
