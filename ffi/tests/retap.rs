//! `RetapRunner` driven from Rust as Kotlin and Swift drive it: a transport
//! and a tap source implemented outside the SDK, the status listener, and
//! the foreign `Cancelled` ending a run.

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};

use fkn_core::crypto::ec::CurveId;
use fkn_core::error::LinkFault;
use fkn_core::token::PinRef;
use fkn_ffi::{
    CardTapSource, FknError, NfcTransport, RetapListener, RetapOperation, RetapOutcome,
    RetapRunner, RetapStatus, TransportError, VirtualToken,
};

const USER_PIN: &str = "12345678";

/// Forwards to the virtual token; exchange `lost_at` (1-based) loses the link.
struct Losing {
    token: Arc<VirtualToken>,
    lost_at: u32,
    exchanges: AtomicU32,
}

impl NfcTransport for Losing {
    fn transceive(&self, apdu: Vec<u8>) -> Result<Vec<u8>, TransportError> {
        if self.exchanges.fetch_add(1, Ordering::SeqCst) + 1 >= self.lost_at {
            return Err(TransportError::TagLost);
        }
        Ok(self.token.process_apdu(apdu))
    }
    fn max_transceive_length(&self) -> u32 {
        261
    }
    fn extended_length_supported(&self) -> bool {
        false
    }
}

/// The card again, power-cycled; or the user's cancel.
struct Taps {
    token: Arc<VirtualToken>,
    cancel: bool,
}

impl CardTapSource for Taps {
    fn next_card(&self, _tap: u32) -> Result<Arc<dyn NfcTransport>, TransportError> {
        if self.cancel {
            return Err(TransportError::Cancelled);
        }
        self.token.reset();
        Ok(self.token.transport())
    }
}

#[derive(Default)]
struct Statuses(Mutex<Vec<RetapStatus>>);

impl RetapListener for Statuses {
    fn status_changed(&self, status: RetapStatus) {
        self.0.lock().expect("statuses").push(status);
    }
}

fn losing(token: &Arc<VirtualToken>, lost_at: u32) -> Arc<dyn NfcTransport> {
    Arc::new(Losing {
        token: Arc::clone(token),
        lost_at,
        exchanges: AtomicU32::new(0),
    })
}

#[test]
fn a_keygen_lost_at_its_command_finishes_on_the_next_tap() {
    let token = VirtualToken::new("retap".into(), USER_PIN.into(), "87654321".into()).expect("vt");
    let runner = RetapRunner::new(PinRef::User, USER_PIN.into(), 0);
    let statuses = Arc::new(Statuses::default());
    let op = RetapOperation::GenerateKey {
        key_id: vec![1],
        curve: CurveId::Tc26_256A,
        label: "k".into(),
    };
    let taps = Arc::new(Taps {
        token: Arc::clone(&token),
        cancel: false,
    });
    // Exchange 4 is the GENERATE command: SELECT and login come first.
    let outcome = runner
        .run(losing(&token, 4), op, taps.clone(), Some(statuses.clone()))
        .expect("finishes");
    assert!(matches!(outcome, RetapOutcome::KeyGenerated { .. }));
    assert_eq!(
        *statuses.0.lock().expect("statuses"),
        vec![
            RetapStatus::OnCard { tap: 1 },
            RetapStatus::WaitingForCard {
                tap: 2,
                card_removed: true
            },
            RetapStatus::OnCard { tap: 2 },
            RetapStatus::Finished,
        ]
    );
    let keys = runner
        .run(token.transport(), RetapOperation::ListKeys, taps, None)
        .expect("lists");
    assert!(matches!(keys, RetapOutcome::Keys { keys } if keys.len() == 1));
}

#[test]
fn a_cancel_while_waiting_ends_the_run() {
    let token = VirtualToken::new("retap".into(), USER_PIN.into(), "87654321".into()).expect("vt");
    let runner = RetapRunner::new(PinRef::User, USER_PIN.into(), 0);
    let taps = Arc::new(Taps {
        token: Arc::clone(&token),
        cancel: true,
    });
    let r = runner.run(losing(&token, 2), RetapOperation::ListKeys, taps, None);
    assert_eq!(r, Err(FknError::from(LinkFault::Cancelled)));
}
