//! Starting a server from its flags the way the `fkn-server` binary does:
//! resolve the configuration (SQLite in the data directory when nothing is
//! given), bind, print where it listens and the admin token, serve until
//! Ctrl-C or SIGTERM. Shared by `fkn-server` and `fkn server run`, so both
//! behave alike.

use crate::config::{Args, Config};

/// Logs to stderr (`RUST_LOG` filters, `info` by default); stdout carries
/// only the start-up lines of [`run`].
pub fn init_logging() {
    let _ = tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .try_init();
}

/// Runs a server configured by `args` until Ctrl-C or SIGTERM.
///
/// # Errors
/// A configuration, database or listening failure, with what to change.
pub async fn run(args: &Args) -> Result<(), Box<dyn std::error::Error>> {
    let config = Config::from_args(args)?;
    let shutdown = shutdown_signal()?;
    let bound = crate::bind(&config, args.listen).await?;
    let token_source = match &args.admin_token_file {
        Some(p) => p.display().to_string(),
        None => args.data_dir.join("admin-token").display().to_string(),
    };
    // The operator needs the token to use the admin API; it goes to the
    // terminal only, never to the log. Written once and a closed stdout is
    // ignored: `println!` would panic on EPIPE and take the server down when
    // whoever started it stopped reading.
    let banner = zeroize::Zeroizing::new(format!(
        "fkn-server listening on http://{addr}\n  database: {db}\n  enrollment codes name: {url}\n  admin token ({token_source}): {token}\n  server identity fingerprint: {fp}\n",
        addr = bound.addr,
        db = crate::storage::redact_url(&config.database_url),
        url = bound.state.public_url,
        token = config.admin_token.as_str(),
        fp = hex::encode(bound.state.identity.fingerprint()),
    ));
    {
        use std::io::Write;
        let mut out = std::io::stdout().lock();
        if out
            .write_all(banner.as_bytes())
            .and_then(|()| out.flush())
            .is_err()
        {
            tracing::warn!("stdout is closed; the start-up lines were not printed");
        }
    }
    tracing::info!(addr = %bound.addr, "listening");
    bound.serve(shutdown).await?;
    tracing::info!("stopped");
    Ok(())
}

/// Ctrl-C or SIGTERM. The handlers are installed here, before the
/// start-up lines are printed, so a signal sent right after them is not
/// lost (the default action would kill the process mid-request).
fn shutdown_signal() -> std::io::Result<impl Future<Output = ()> + Send + 'static> {
    use tokio::signal::unix::{SignalKind, signal};
    let mut int = signal(SignalKind::interrupt())?;
    let mut term = signal(SignalKind::terminate())?;
    Ok(async move {
        tokio::select! {
            _ = int.recv() => {},
            _ = term.recv() => {},
        }
        tracing::info!("shutting down: finishing requests in flight");
    })
}
