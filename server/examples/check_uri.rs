//! Reads an enrollment URI on stdin (the text of the operator page's QR
//! code, as `zbarimg --raw` prints it) and checks that the SDK accepts it,
//! as the app will when it scans the code. Prints the fields a test compares
//! with what the server and the page showed; never the activation code.
//!
//! ```sh
//! zbarimg --quiet --raw operator.png | cargo run -p fkn-server --example check_uri
//! ```
//!
//! Exit status 0: accepted; 1: refused (the reason on stderr).

use std::io::Read;
use std::process::ExitCode;
use std::time::{SystemTime, UNIX_EPOCH};

use fkn_core::onboarding::EnrollmentUri;

fn main() -> ExitCode {
    let mut text = String::new();
    if let Err(e) = std::io::stdin().read_to_string(&mut text) {
        eprintln!("check_uri: reading stdin: {e}");
        return ExitCode::FAILURE;
    }
    // zbarimg ends its output with a newline; a URI has none of its own.
    let text = text.trim_end_matches(['\r', '\n']);
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let uri = match EnrollmentUri::parse(text, now) {
        Ok(uri) => uri,
        Err(e) => {
            eprintln!("check_uri: the SDK refuses the URI: {e}");
            return ExitCode::FAILURE;
        }
    };
    // What the server wrote must also be what the SDK itself would write
    // for these fields (format refuses anything parse would refuse).
    let again = uri.format().and_then(|t| EnrollmentUri::parse(&t, now));
    if again.as_ref() != Ok(&uri) {
        eprintln!("check_uri: the URI does not survive format and parse again");
        return ExitCode::FAILURE;
    }
    println!("server={}", uri.server);
    println!("account={}", uri.account);
    println!("expires={}", uri.expires);
    println!("fingerprint={}", hex::encode(uri.server_key_fingerprint));
    println!("code_digits={}", uri.code.len());
    ExitCode::SUCCESS
}
