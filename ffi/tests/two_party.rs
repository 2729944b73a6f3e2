//! The exported two-party API driven from Rust the way Kotlin and Swift
//! drive it: a key store and a server channel implemented outside the SDK
//! (here in Rust, as foreign ones would be).

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use common::MapStore;
use fkn_core::crypto::ec::CurveId as Curve;
use fkn_core::error::{ApiMisuse, TwoPartyFault};
use fkn_ffi::{
    FknError, ServerChannel, ServerChannelError, TwoPartyDevice, VirtualSigningServer, digest,
    digest_algorithm_for, verify_cms, verify_csr, verify_digest,
};

const PIN: &str = "2468";

/// Forwards to the virtual server, counts round trips, can go offline.
struct Link {
    server: Arc<VirtualSigningServer>,
    round_trips: AtomicUsize,
    offline: AtomicBool,
}

impl ServerChannel for Link {
    fn exchange(&self, request: Vec<u8>) -> Result<Vec<u8>, ServerChannelError> {
        if self.offline.load(Ordering::SeqCst) {
            return Err(ServerChannelError::Unreachable);
        }
        self.round_trips.fetch_add(1, Ordering::SeqCst);
        Ok(self.server.handle(request))
    }
}

fn setup(max_failures: u32) -> (Arc<VirtualSigningServer>, Arc<Link>, Arc<TwoPartyDevice>) {
    let server = VirtualSigningServer::new(max_failures);
    let link = Arc::new(Link {
        server: server.clone(),
        round_trips: AtomicUsize::new(0),
        offline: AtomicBool::new(false),
    });
    let device =
        TwoPartyDevice::with_iterations(Arc::new(MapStore::default()), link.clone(), 1000).unwrap();
    (server, link, device)
}

#[test]
fn generate_sign_and_pki_with_a_two_party_key() {
    for curve in [Curve::Tc26_256A, Curve::Tc26_512A] {
        let (_server, link, device) = setup(10);
        let public = device.generate("k1".into(), curve, PIN.into()).unwrap();
        assert_eq!(link.round_trips.load(Ordering::SeqCst), 2, "keygen");
        let info = device.key_info("k1".into()).unwrap();
        assert_eq!((info.curve, &info.public_key), (curve, &public));
        assert!(info.commitments_left > 0);

        let key = device.unlock("k1".into(), PIN.into()).unwrap();
        let h = digest(digest_algorithm_for(curve), b"doc".to_vec());
        let before = link.round_trips.load(Ordering::SeqCst);
        let sig = key.sign_digest(h.clone()).unwrap();
        assert_eq!(link.round_trips.load(Ordering::SeqCst) - before, 1, "sign");
        assert!(verify_digest(curve, public.clone(), h, sig).unwrap());

        let csr = key.create_csr("CN=Two Party".into()).unwrap();
        assert_eq!(verify_csr(csr).unwrap().public_key, public);
        let cert = key
            .self_signed_certificate("CN=Two Party".into(), 30)
            .unwrap();
        let cms = key.sign_cms(cert, b"hello".to_vec(), false).unwrap();
        verify_cms(cms, None).unwrap();
    }
}

#[test]
fn wrong_pins_lock_the_key_and_the_server_unlocks_it() {
    let (server, _link, device) = setup(3);
    device
        .generate("k".into(), Curve::Tc26_256A, PIN.into())
        .unwrap();
    let h = vec![7u8; 32];
    let wrong = device.unlock("k".into(), "0000".into()).unwrap();
    for left in [2u8, 1] {
        assert_eq!(
            wrong.sign_digest(h.clone()).unwrap_err(),
            FknError::WrongPin {
                attempts_left: left
            }
        );
    }
    assert!(matches!(
        wrong.sign_digest(h.clone()).unwrap_err(),
        FknError::WrongPin { attempts_left: 0 } | FknError::PinBlocked
    ));
    assert!(server.status("k".into()).unwrap().locked);
    let right = device.unlock("k".into(), PIN.into()).unwrap();
    assert_eq!(
        right.sign_digest(h.clone()).unwrap_err(),
        FknError::PinBlocked
    );
    server.unlock("k".into()).unwrap();
    right.sign_digest(h).unwrap();
    assert_eq!(server.status("k".into()).unwrap().failures, 0);
}

#[test]
fn revocation_refresh_and_pin_change_errors_are_typed() {
    let (server, link, device) = setup(10);
    device
        .generate("k".into(), Curve::Tc26_256A, PIN.into())
        .unwrap();
    assert!(matches!(
        device.change_pin("k".into(), "9999".into(), "1357".into()),
        Err(FknError::WrongPin { .. })
    ));
    device
        .change_pin("k".into(), PIN.into(), "1357".into())
        .unwrap();
    device.refresh("k".into(), "1357".into()).unwrap();
    assert_eq!(device.key_info("k".into()).unwrap().epoch, 1);

    link.offline.store(true, Ordering::SeqCst);
    let key = device.unlock("k".into(), "1357".into()).unwrap();
    assert_eq!(
        key.sign_digest(vec![1; 32]).unwrap_err(),
        FknError::TwoParty {
            fault: TwoPartyFault::ServerUnreachable
        }
    );
    link.offline.store(false, Ordering::SeqCst);

    server.revoke("k".into()).unwrap();
    assert_eq!(
        key.sign_digest(vec![1; 32]).unwrap_err(),
        FknError::TwoParty {
            fault: TwoPartyFault::Revoked
        }
    );
    assert_eq!(
        device.unlock("nope".into(), PIN.into()).err(),
        Some(FknError::TwoParty {
            fault: TwoPartyFault::KeyNotFound
        })
    );
    assert!(matches!(
        device.unlock("bad id!".into(), PIN.into()).err(),
        Some(FknError::Misuse {
            problem: ApiMisuse::InvalidArgument { .. }
        })
    ));
    assert_eq!(
        device
            .generate("k2".into(), Curve::Tc26_256A, String::new())
            .unwrap_err(),
        FknError::Misuse {
            problem: ApiMisuse::EmptyPin
        }
    );
}

#[test]
fn the_virtual_servers_own_channel_and_a_file_store_work_together() {
    let dir = std::env::temp_dir().join(format!("fkn-ffi-two-party-{}", std::process::id()));
    let server = VirtualSigningServer::new(10);
    let device =
        TwoPartyDevice::with_file_store(dir.to_string_lossy().into(), server.clone().channel())
            .unwrap();
    let public = device
        .generate("file-key".into(), Curve::CryptoProB, PIN.into())
        .unwrap();
    let h = vec![3u8; 32];
    let sig = device
        .unlock("file-key".into(), PIN.into())
        .unwrap()
        .sign_digest(h.clone())
        .unwrap();
    assert!(verify_digest(Curve::CryptoProB, public, h, sig).unwrap());
    device.delete("file-key".into()).unwrap();
    let _ = std::fs::remove_dir_all(dir);
}
