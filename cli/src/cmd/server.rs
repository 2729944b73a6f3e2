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
    /// Register a backend with a running server (admin API): prints its API
    /// key for `fkn request create` and the key its webhooks are signed with.
    AddBackend(AddBackendArgs),
}

/// Arguments of `fkn server add-backend`.
#[derive(clap::Args, Debug)]
pub struct AddBackendArgs {
    /// The server's base URL (http://).
    #[arg(long, value_name = "URL", env = "FKN_SERVER")]
    server: String,
    /// The admin token (printed by `fkn server run`).
    #[arg(
        long,
        value_name = "TOKEN",
        env = "FKN_ADMIN_TOKEN",
        hide_env_values = true
    )]
    admin_token: String,
    /// A unique name for the backend.
    #[arg(long, value_name = "NAME")]
    name: String,
    /// Where the server announces completed requests (http://...).
    #[arg(long, value_name = "URL")]
    webhook: Option<String>,
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
        ServerCmd::AddBackend(a) => add_backend(a),
    }
}

fn add_backend(a: &AddBackendArgs) -> anyhow::Result<()> {
    crate::http_channel::check_server_url(&a.server)?;
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .timeout_global(Some(std::time::Duration::from_secs(30)))
        .http_status_as_error(false)
        .build()
        .into();
    let body = serde_json::json!({ "name": a.name, "webhook_url": a.webhook });
    let url = format!("{}/admin/v1/backends", a.server.trim_end_matches('/'));
    let mut resp = agent
        .post(&url)
        .header("authorization", &format!("Bearer {}", a.admin_token.trim()))
        .header("content-type", "application/json")
        .send(body.to_string())
        .map_err(|e| anyhow::anyhow!("cannot reach {}: {e}", a.server))?;
    let status = resp.status().as_u16();
    let text = resp.body_mut().read_to_string().unwrap_or_default();
    let v: serde_json::Value = serde_json::from_str(&text).unwrap_or_default();
    if status != 201 {
        anyhow::bail!(
            "the server answered {status}: {}",
            v["error"].as_str().unwrap_or(&text)
        );
    }
    // The key goes to stdout alone, for scripts: FKN_API_KEY=$(fkn server add-backend ...).
    println!("{}", v["api_key"].as_str().unwrap_or_default());
    eprintln!(
        "backend {} registered (id {}); the API key above is shown only now",
        a.name,
        v["id"].as_str().unwrap_or("?")
    );
    eprintln!(
        "webhooks are signed with server key {} (fingerprint {})",
        v["server_key"].as_str().unwrap_or("?"),
        v["server_key_fingerprint"].as_str().unwrap_or("?")
    );
    Ok(())
}
