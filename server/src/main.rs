//! `fkn-server`: starts on SQLite in `./fkn-server-data` with no
//! configuration, printing where it listens and the admin token
//! ([`fkn_server::start`], shared with `fkn server run`).

use clap::Parser;
use fkn_server::config::Args;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    fkn_server::start::init_logging();
    let args = Args::parse();
    match fkn_server::start::run(&args).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("fkn-server: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}
