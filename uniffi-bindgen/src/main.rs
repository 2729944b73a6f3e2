//! `uniffi-bindgen`: UniFFI's command line, pinned to the UniFFI version of
//! `fkn-ffi`. Used in library mode, e.g.
//! `cargo run -p uniffi-bindgen -- generate --library target/release/libfkn_ffi.so --language kotlin --out-dir out`.

fn main() {
    uniffi::uniffi_bindgen_main()
}
