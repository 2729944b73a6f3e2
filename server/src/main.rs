//! `fkn-server`: starts on SQLite in `./fkn-server-data` with no
//! configuration, printing where it listens and the admin token.

use clap::Parser;
use fkn_server::config::{Args, Config};

#[tokio::main]
async fn main() -> std::process::ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .init();
    let args = Args::parse();
    match run(&args).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("fkn-server: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}

async fn run(args: &Args) -> Result<(), Box<dyn std::error::Error>> {
    let config = Config::from_args(args)?;
    let bound = fkn_server::bind(&config, args.listen).await?;
    let token_source = match &args.admin_token_file {
        Some(p) => p.display().to_string(),
        None => args.data_dir.join("admin-token").display().to_string(),
    };
    // The operator needs the token to use the admin API; it goes to the
    // terminal only, never to the log.
    println!("fkn-server listening on http://{}", bound.addr);
    println!(
        "  database: {}",
        fkn_server::storage::redact_url(&config.database_url)
    );
    println!("  enrollment codes name: {}", bound.state.public_url);
    println!(
        "  admin token ({token_source}): {}",
        config.admin_token.as_str()
    );
    println!(
        "  server identity fingerprint: {}",
        hex::encode(bound.state.identity.fingerprint())
    );
    tracing::info!(addr = %bound.addr, "listening");
    bound.serve(shutdown_signal()).await?;
    tracing::info!("stopped");
    Ok(())
}

/// Ctrl-C or SIGTERM.
async fn shutdown_signal() {
    let ctrl_c = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
    tracing::info!("shutting down: finishing requests in flight");
}
