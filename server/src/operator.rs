//! The operator page: server-rendered HTML with plain forms, no JavaScript.
//!
//! Signing in posts the admin token once; the page keeps it in an
//! `HttpOnly`, `SameSite=Strict` cookie (so other sites cannot make the
//! browser post the forms) and checks it in constant time like the API.

use axum::Form;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};

use crate::AppState;
use crate::admin::{AdminError, KeyAction, key_action};
use crate::enroll::{self, DEFAULT_TTL};

const COOKIE: &str = "fkn_admin";

/// Escapes text for HTML element content and quoted attributes.
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

fn page(title: &str, body: &str) -> Html<String> {
    Html(format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">\
         <title>{t}</title><style>\
         body{{font-family:sans-serif;margin:2em;max-width:60em}}\
         table{{border-collapse:collapse}}td,th{{border:1px solid #ccc;padding:.3em .6em}}\
         form.inline{{display:inline}}.qr svg{{width:320px;height:320px}}\
         </style></head><body><h1>{t}</h1>{body}</body></html>",
        t = esc(title)
    ))
}

fn signed_in(state: &AppState, headers: &HeaderMap) -> bool {
    let expected = state.admin_token.as_bytes();
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().strip_prefix("fkn_admin="))
        .any(|t| fkn_core::crypto::mac::ct_eq(t.as_bytes(), expected))
        || crate::admin::authorized(state, headers)
}

fn login_page(message: &str) -> Response {
    let msg = if message.is_empty() {
        String::new()
    } else {
        format!("<p role=\"alert\">{}</p>", esc(message))
    };
    (
        StatusCode::UNAUTHORIZED,
        page(
            "fkn-server operator",
            &format!(
                "{msg}<form method=\"post\" action=\"/operator/login\">\
                 <label>Admin token <input type=\"password\" name=\"token\" autocomplete=\"off\"></label> \
                 <button type=\"submit\">Sign in</button></form>"
            ),
        ),
    )
        .into_response()
}

/// `GET /operator`: keys with their state and actions, accounts, and the
/// enrollment form.
pub async fn index(State(state): State<AppState>, headers: HeaderMap) -> Response {
    if !signed_in(&state, &headers) {
        return login_page("");
    }
    match render_index(&state).await {
        Ok(html) => html.into_response(),
        Err(e) => e.into_response(),
    }
}

async fn render_index(state: &AppState) -> Result<Html<String>, AdminError> {
    let max = i64::from(state.max_pin_failures);
    let mut keys = String::new();
    for k in state.db.list_records().await? {
        let locked = k.state == "active" && k.failures >= max;
        let shown = if locked { "locked" } else { k.state.as_str() };
        let id = esc(&k.key_id);
        let mut actions = String::new();
        if locked {
            actions.push_str(&format!(
                "<form class=\"inline\" method=\"post\" action=\"/operator/keys/{id}/unlock\">\
                 <button>Unlock</button></form> "
            ));
        }
        if k.state != "revoked" {
            actions.push_str(&format!(
                "<form class=\"inline\" method=\"post\" action=\"/operator/keys/{id}/revoke\">\
                 <button>Revoke</button></form>"
            ));
        }
        keys.push_str(&format!(
            "<tr><td>{id}</td><td>{}</td><td>{}</td><td class=\"state\">{}</td><td>{}</td><td>{actions}</td></tr>",
            esc(k.account_id.as_deref().unwrap_or("")),
            esc(&k.curve),
            esc(shown),
            k.failures,
        ));
    }
    let mut devices = String::new();
    for d in state.db.list_devices().await? {
        let id = esc(&d.id);
        let (shown, action) = if d.revoked_at.is_some() {
            ("revoked", String::new())
        } else {
            (
                "active",
                format!(
                    "<form class=\"inline\" method=\"post\" action=\"/operator/devices/{id}/revoke\">\
                     <button>Revoke</button></form>"
                ),
            )
        };
        devices.push_str(&format!(
            "<tr><td>{id}</td><td>{}</td><td>{}</td><td class=\"state\">{shown}</td><td>{action}</td></tr>",
            esc(&d.account_id),
            utc(u64::try_from(d.created_at / 1000).unwrap_or(0)),
        ));
    }
    let mut accounts = String::new();
    for a in state.db.list_accounts(crate::storage::now_secs()).await? {
        accounts.push_str(&format!(
            "<tr><td>{}</td><td>{}</td><td>{}</td></tr>",
            esc(&a.id),
            a.pending_enrollments,
            a.devices
        ));
    }
    Ok(page(
        "fkn-server operator",
        &format!(
            "<h2>New enrollment</h2>\
             <form method=\"post\" action=\"/operator/enrollments\">\
             <label>Account <input name=\"account\" required pattern=\"[A-Za-z0-9_\\-][A-Za-z0-9._\\-]{{0,63}}\"></label> \
             <label>Valid for (seconds) <input name=\"ttl_seconds\" type=\"number\" value=\"{DEFAULT_TTL}\"></label> \
             <button type=\"submit\">Create</button></form>\
             <h2>Keys</h2><table id=\"keys\"><tr><th>Key</th><th>Account</th><th>Curve</th><th>State</th>\
             <th>Wrong PINs</th><th></th></tr>{keys}</table>\
             <h2>Devices</h2><table id=\"devices\"><tr><th>Device</th><th>Account</th><th>Paired</th>\
             <th>State</th><th></th></tr>{devices}</table>\
             <h2>Accounts</h2><table id=\"accounts\"><tr><th>Account</th><th>Pending enrollments</th>\
             <th>Devices</th></tr>{accounts}</table>"
        ),
    ))
}

/// The sign-in form.
#[derive(serde::Deserialize)]
pub struct Login {
    token: String,
}

/// `POST /operator/login`: checks the token and sets the cookie.
pub async fn login(State(state): State<AppState>, Form(f): Form<Login>) -> Response {
    if !fkn_core::crypto::mac::ct_eq(f.token.trim().as_bytes(), state.admin_token.as_bytes()) {
        tracing::warn!("operator sign-in with a wrong token");
        return login_page("Wrong admin token.");
    }
    let cookie = format!(
        "{COOKIE}={}; HttpOnly; SameSite=Strict; Path=/operator",
        state.admin_token.as_str()
    );
    ([(header::SET_COOKIE, cookie)], Redirect::to("/operator")).into_response()
}

/// The enrollment form.
#[derive(serde::Deserialize)]
pub struct NewEnrollment {
    account: String,
    ttl_seconds: Option<u64>,
}

/// `POST /operator/enrollments`: creates one and shows its QR code.
pub async fn create_enrollment(
    State(state): State<AppState>,
    headers: HeaderMap,
    Form(f): Form<NewEnrollment>,
) -> Response {
    if !signed_in(&state, &headers) {
        return login_page("");
    }
    let c = match enroll::create(&state, &f.account, f.ttl_seconds.unwrap_or(DEFAULT_TTL)).await {
        Ok(c) => c,
        Err(e) => return AdminError::from(e).into_response(),
    };
    page(
        "Enrollment created",
        &format!(
            "<p>Scan with the app to enroll account <b id=\"account\">{}</b>.</p>\
             <div class=\"qr\" id=\"qr\">{}</div>\
             <p>Expires at <span id=\"expires\">{}</span> (Unix time {}). \
             Activation code <code id=\"code\">{}</code>.</p>\
             <p><a href=\"/operator\">Back</a></p>",
            esc(&c.account),
            // The SVG is our own QR rendering: no user text inside.
            c.qr.svg.trim_start_matches(|ch| ch != '<').replacen(
                "<?xml version=\"1.0\" standalone=\"yes\"?>",
                "",
                1
            ),
            esc(&utc(c.expires_at)),
            c.expires_at,
            esc(&c.code),
        ),
    )
    .into_response()
}

/// `POST /operator/keys/{id}/revoke` and `/unlock`.
pub async fn key(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path((key_id, action)): Path<(String, String)>,
) -> Response {
    if !signed_in(&state, &headers) {
        return login_page("");
    }
    let action = match action.as_str() {
        "revoke" => KeyAction::Revoke,
        "unlock" => KeyAction::Unlock,
        _ => return StatusCode::NOT_FOUND.into_response(),
    };
    match key_action(&state, &key_id, action).await {
        Ok(()) => Redirect::to("/operator").into_response(),
        Err(e) => e.into_response(),
    }
}

/// `POST /operator/devices/{id}/revoke`.
pub async fn device(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(device_id): Path<String>,
) -> Response {
    if !signed_in(&state, &headers) {
        return login_page("");
    }
    match crate::admin::revoke_device_audited(&state, &device_id).await {
        Ok(()) => Redirect::to("/operator").into_response(),
        Err(e) => e.into_response(),
    }
}

/// `YYYY-MM-DD hh:mm:ss UTC` of Unix seconds (civil-from-days, proleptic
/// Gregorian).
pub fn utc(secs: u64) -> String {
    let days = i64::try_from(secs / 86_400).unwrap_or(0);
    let rem = secs % 86_400;
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02} {:02}:{:02}:{:02} UTC",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping() {
        assert_eq!(
            esc("<a href=\"x\">&'"),
            "&lt;a href=&quot;x&quot;&gt;&amp;&#39;"
        );
    }

    #[test]
    fn utc_dates() {
        assert_eq!(utc(0), "1970-01-01 00:00:00 UTC");
        assert_eq!(utc(1_800_000_000), "2027-01-15 08:00:00 UTC");
        assert_eq!(utc(951_782_400), "2000-02-29 00:00:00 UTC");
    }
}
