//! The operator page over HTTP: sign in with the admin token, create an
//! enrollment and see its QR code, revoke and unlock keys.

mod common;

use common::{PIN, TOKEN, TestServer, digest, new_key};
use fkn_core::crypto::ec::CurveId;

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .max_redirects(0)
        .build()
        .into()
}

/// POSTs a form; (status, location or body, set-cookie).
fn post_form(url: &str, cookie: Option<&str>, form: &str) -> (u16, String, Option<String>) {
    let mut r = agent()
        .post(url)
        .header("content-type", "application/x-www-form-urlencoded");
    if let Some(c) = cookie {
        r = r.header("cookie", c);
    }
    let mut resp = r.send(form).unwrap();
    let status = resp.status().as_u16();
    let header = |name: &str| {
        resp.headers()
            .get(name)
            .map(|v| v.to_str().unwrap().to_owned())
    };
    let cookie = header("set-cookie");
    let location = header("location");
    let body = resp.body_mut().read_to_string().unwrap();
    (status, location.unwrap_or(body), cookie)
}

fn get(url: &str, cookie: Option<&str>) -> (u16, String) {
    let mut r = agent().get(url);
    if let Some(c) = cookie {
        r = r.header("cookie", c);
    }
    let mut resp = r.call().unwrap();
    (
        resp.status().as_u16(),
        resp.body_mut().read_to_string().unwrap(),
    )
}

#[test]
fn operator_signs_in_enrolls_and_manages_keys() {
    let srv = TestServer::start();
    let base = &srv.base;
    // Not signed in: the sign-in form, and every action refused.
    let (s, body) = get(&format!("{base}/operator"), None);
    assert_eq!(s, 401);
    assert!(body.contains("name=\"token\"") && !body.contains("<script"));
    let (s, _, _) = post_form(&format!("{base}/operator/enrollments"), None, "account=a");
    assert_eq!(s, 401);
    let (s, _, cookie) = post_form(&format!("{base}/operator/login"), None, "token=wrong");
    assert_eq!((s, cookie), (401, None));

    let (s, location, cookie) = post_form(
        &format!("{base}/operator/login"),
        None,
        &format!("token={TOKEN}"),
    );
    assert_eq!((s, location.as_str()), (303, "/operator"));
    let set = cookie.unwrap();
    assert!(
        set.contains("HttpOnly") && set.contains("SameSite=Strict"),
        "{set}"
    );
    let cookie = set.split(';').next().unwrap().to_owned();

    // An enrollment: the QR code inline as SVG, with its expiry and code.
    let account = common::unique("op");
    let (s, page, _) = post_form(
        &format!("{base}/operator/enrollments"),
        Some(&cookie),
        &format!("account={account}&ttl_seconds=900"),
    );
    assert_eq!(s, 200, "{page}");
    assert!(page.contains("<svg") && page.contains("id=\"expires\"") && page.contains(&account));
    assert!(
        !page.contains("<?xml"),
        "the SVG is inlined without its XML declaration"
    );

    // A key, locked by wrong PINs, is listed as locked; unlock and revoke.
    let device = srv.device();
    let curve = CurveId::Tc26_256A;
    let id = new_key(&device, curve);
    let wrong = device.unlock(&id, b"0000").unwrap();
    for seed in 0..3 {
        assert!(wrong.sign_digest(&digest(curve, seed)).is_err());
    }
    let (s, index) = get(&format!("{base}/operator"), Some(&cookie));
    assert_eq!(s, 200);
    assert!(index.contains(&format!("<td>{id}</td>")), "{index}");
    assert!(index.contains("<td class=\"state\">locked</td>"));
    assert!(index.contains(&format!("/operator/keys/{id}/unlock")));
    assert!(index.contains(&account));

    let (s, location, _) = post_form(
        &format!("{base}/operator/keys/{id}/unlock"),
        Some(&cookie),
        "",
    );
    assert_eq!((s, location.as_str()), (303, "/operator"));
    let right = device.unlock(&id, PIN).unwrap();
    right.sign_digest(&digest(curve, 7)).unwrap();

    let (s, _, _) = post_form(
        &format!("{base}/operator/keys/{id}/revoke"),
        Some(&cookie),
        "",
    );
    assert_eq!(s, 303);
    assert!(right.sign_digest(&digest(curve, 8)).is_err());
    let (_, index) = get(&format!("{base}/operator"), Some(&cookie));
    assert!(index.contains("<td class=\"state\">revoked</td>"));
    assert_eq!(
        srv.admin().audit_events(&id)[4..],
        ["unlocked", "signature", "revoked", "refused"]
    );

    // The paired device is listed and can be revoked from the page.
    let devices = srv.admin().get("/admin/v1/devices");
    let device_id = devices["devices"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["revoked_at"].is_null())
        .map(|d| d["id"].as_str().unwrap().to_owned())
        .expect("a paired device");
    let revoke = format!("/operator/devices/{device_id}/revoke");
    assert!(index.contains(&revoke), "{index}");
    let (s, location, _) = post_form(&format!("{base}{revoke}"), Some(&cookie), "");
    assert_eq!((s, location.as_str()), (303, "/operator"));
    let (_, index) = get(&format!("{base}/operator"), Some(&cookie));
    assert!(!index.contains(&revoke), "revoked devices have no button");
    let (s, _, _) = post_form(&format!("{base}{revoke}"), None, "");
    assert_eq!(s, 401, "without the cookie: the sign-in page");
}
