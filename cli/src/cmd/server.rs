//! `fkn server run`: the two-party signing server, exactly as the
//! `fkn-server` binary starts it (its start-up code is shared).

use clap::Subcommand;

/// `fkn server` subcommands.
#[derive(Subcommand, Debug)]
pub enum ServerCmd {
    /// Run fkn-server: with no flags, on SQLite in ./fkn-server-data
    /// (database, generated key-encryption key and admin token), printing
    /// where it listens and the admin token. Stops on Ctrl-C or SIGTERM.
    #[command(name = "run")]
    Run(fkn_server::config::Args),
}

/// Runs one `fkn server` subcommand.
pub fn run(cmd: &ServerCmd) -> anyhow::Result<()> {
    match cmd {
        ServerCmd::Run(args) => {
            fkn_server::start::init_logging();
            let rt = tokio::runtime::Builder::new_multi_thread()
                .enable_all()
                .build()?;
            rt.block_on(fkn_server::start::run(args))
                .map_err(|e| anyhow::anyhow!("{e}"))
        }
    }
}
