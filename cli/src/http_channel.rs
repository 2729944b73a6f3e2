//! The device's [`ServerChannel`] over HTTP: one `POST {server}/v1/device`
//! per request (`application/cbor`), counted like the demo counts APDUs.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use fkn_core::distributed::{ChannelError, ServerChannel};

/// How long one exchange may take: key generation on a busy server is the
/// slowest, well under this.
const TIMEOUT: Duration = Duration::from_secs(60);

/// Round trips, bytes and the time spent waiting for the server, shared by
/// every channel of one run.
#[derive(Debug, Default)]
pub struct HttpStats {
    round_trips: AtomicU64,
    bytes: AtomicU64,
    waited_us: AtomicU64,
}

impl HttpStats {
    /// Round trips so far.
    pub fn round_trips(&self) -> u64 {
        self.round_trips.load(Ordering::Relaxed)
    }

    /// Request and response bodies, both ways.
    pub fn bytes(&self) -> u64 {
        self.bytes.load(Ordering::Relaxed)
    }

    /// Time between sending a request and having its answer.
    pub fn waited(&self) -> Duration {
        Duration::from_micros(self.waited_us.load(Ordering::Relaxed))
    }
}

/// Why a server URL cannot be used by this build.
pub fn check_server_url(server: &str) -> anyhow::Result<()> {
    if server.starts_with("https://") {
        anyhow::bail!(
            "{server}: this fkn is built without TLS and reaches servers over http:// only; \
             use an http:// URL (a server on this machine or your network), or a TLS-terminating \
             proxy in front of fkn"
        );
    }
    if !server.starts_with("http://") {
        anyhow::bail!("{server}: the server URL must start with http://");
    }
    Ok(())
}

/// A blocking HTTP client for one server.
pub struct HttpChannel {
    url: String,
    agent: ureq::Agent,
    stats: Arc<HttpStats>,
}

impl HttpChannel {
    /// A channel to `server` (the enrollment's base URL) counting into `stats`.
    pub fn new(server: &str, stats: Arc<HttpStats>) -> anyhow::Result<HttpChannel> {
        check_server_url(server)?;
        let agent = ureq::Agent::config_builder()
            .timeout_global(Some(TIMEOUT))
            // Statuses are mapped below, not turned into ureq errors.
            .http_status_as_error(false)
            .build()
            .into();
        Ok(HttpChannel {
            url: format!("{}/v1/device", server.trim_end_matches('/')),
            agent,
            stats,
        })
    }
}

impl ServerChannel for HttpChannel {
    fn exchange(&self, request: &[u8]) -> Result<Vec<u8>, ChannelError> {
        let start = Instant::now();
        let answer = post(&self.agent, &self.url, request);
        let waited = u64::try_from(start.elapsed().as_micros()).unwrap_or(u64::MAX);
        self.stats.round_trips.fetch_add(1, Ordering::Relaxed);
        self.stats.waited_us.fetch_add(waited, Ordering::Relaxed);
        let len = request.len() + answer.as_ref().map_or(0, Vec::len);
        self.stats
            .bytes
            .fetch_add(u64::try_from(len).unwrap_or(u64::MAX), Ordering::Relaxed);
        answer
    }
}

fn post(agent: &ureq::Agent, url: &str, request: &[u8]) -> Result<Vec<u8>, ChannelError> {
    let mut resp = agent
        .post(url)
        .header("content-type", "application/cbor")
        .send(request)
        .map_err(|e| {
            log::debug!("POST {url}: {e}");
            match e {
                ureq::Error::Timeout(_) => ChannelError::Timeout,
                _ => ChannelError::Unreachable,
            }
        })?;
    let status = resp.status().as_u16();
    if status != 200 {
        return Err(ChannelError::HttpStatus(status));
    }
    resp.body_mut()
        .read_to_vec()
        .map_err(|_| ChannelError::Unreachable)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_http_urls_are_taken() {
        assert!(check_server_url("http://127.0.0.1:8710").is_ok());
        let e = check_server_url("https://sign.example.com").unwrap_err();
        assert!(e.to_string().contains("without TLS"), "{e}");
        assert!(check_server_url("ftp://x").is_err());
    }

    #[test]
    fn an_unreachable_server_is_counted_and_typed() {
        // Port 9 (discard) on loopback: nothing listens in a test sandbox.
        let stats = Arc::new(HttpStats::default());
        let ch = HttpChannel::new("http://127.0.0.1:9", stats.clone()).unwrap();
        assert_eq!(ch.exchange(b"x"), Err(ChannelError::Unreachable));
        assert_eq!(stats.round_trips(), 1);
    }
}
