//! vpcd framing (length-prefixed messages from the PC/SC side) from
//! arbitrary bytes, against the virtual token: ends when the input does,
//! with `Ok` or an I/O error, never a panic or a hang.
#![no_main]

use std::io::{self, Read, Write};

use fkn_vtoken::vpcd::{VirtualCard, serve_connection};
use libfuzzer_sys::fuzz_target;

/// Reads the input, swallows what is written.
struct Stream<'a> {
    input: &'a [u8],
    written: usize,
}

impl Read for Stream<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.input.read(buf)
    }
}

impl Write for Stream<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.written += buf.len();
        Ok(buf.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// Echoes the APDU's INS with `90 00`: the framing is under test, not the token.
struct Echo;

impl VirtualCard for Echo {
    fn process_apdu(&mut self, apdu: &[u8]) -> Vec<u8> {
        vec![apdu.get(1).copied().unwrap_or(0), 0x90, 0x00]
    }
    fn atr(&self) -> Vec<u8> {
        vec![0x3B, 0x80, 0x80, 0x01, 0x01]
    }
    fn reset(&mut self) {}
}

fuzz_target!(|data: &[u8]| {
    let mut stream = Stream {
        input: data,
        written: 0,
    };
    let _ = serve_connection(&mut Echo, &mut stream, &None);
    // Each frame written answers a frame read: at most one per 3 input bytes.
    assert!(stream.written <= 2 + 5 * data.len());
});
