//! `fkn server run`, `fkn enroll` and `fkn dsign` as a user runs them: the
//! server as a child process on 127.0.0.1, the enrollment from its admin API.

mod common;

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

use common::Lab;

const PIN: &str = "2468";

/// `fkn server run` on any free port; killed on drop.
struct Server {
    child: Child,
    base: String,
    token: String,
}

impl Server {
    fn start(lab: &Lab) -> Server {
        let data = lab.path("server-data");
        let mut child = Command::new(env!("CARGO_BIN_EXE_fkn"))
            .args(["server", "run", "--listen", "127.0.0.1:0", "--data-dir"])
            .arg(&data)
            .env("RUST_LOG", "warn")
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("start fkn server run");
        let mut lines = BufReader::new(child.stdout.take().expect("stdout")).lines();
        let base = loop {
            let line = lines
                .next()
                .expect("fkn server run ended before listening")
                .expect("read");
            if let Some(url) = line.strip_prefix("fkn-server listening on ") {
                break url.trim().to_owned();
            }
        };
        // Keep reading: the server prints more lines, and a closed pipe
        // must not be what the test measures.
        std::thread::spawn(move || lines.for_each(drop));
        let token = std::fs::read_to_string(data.join("admin-token")).expect("admin token");
        Server {
            child,
            base,
            token: token.trim().to_owned(),
        }
    }

    /// A new enrollment's URI, as the operator gets it.
    fn enrollment(&self, account: &str) -> String {
        let body = format!("{{\"account\":\"{account}\",\"ttl_seconds\":600}}");
        let mut resp = ureq::post(format!("{}/admin/v1/enrollments", self.base))
            .header("authorization", &format!("Bearer {}", self.token))
            .header("content-type", "application/json")
            .send(body.as_bytes())
            .expect("admin API");
        let text = resp.body_mut().read_to_string().expect("body");
        let start = text.find("\"uri\":\"").expect("uri in the answer") + 7;
        let end = start + text[start..].find('"').expect("end of uri");
        text[start..end].to_owned()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn enroll_then_dsign_and_the_refusals() {
    let lab = Lab::empty();
    let server = Server::start(&lab);
    let uri = server.enrollment("alice");
    let store = lab.path("device");
    let store = store.to_str().expect("utf-8 path");

    let out = lab.ok(&["enroll", &uri, "--store", store, "--pin", PIN]);
    assert!(out.contains("enrolled:"), "{out}");
    assert!(!out.contains(PIN), "the PIN is never printed: {out}");

    std::fs::write(lab.path("doc.txt"), b"a contract\n").expect("write");
    let out = lab.ok(&["dsign", "doc.txt", "--store", store, "--pin", PIN]);
    assert!(
        out.contains("1 round trip") || out.contains("2 round trip"),
        "{out}"
    );
    let out = lab.ok(&["verify", "--in", "doc.txt.p7s"]);
    assert!(out.contains("signature valid"), "{out}");

    // The code works once.
    let again = lab.path("device2");
    let line = lab.fails(
        5,
        &[
            "enroll",
            &uri,
            "--store",
            again.to_str().expect("utf-8"),
            "--pin",
            PIN,
        ],
    );
    assert!(line.contains("already used"), "{line}");

    // A wrong PIN is counted by the server and writes nothing.
    let line = lab.fails(
        3,
        &[
            "dsign", "doc.txt", "--store", store, "--pin", "1111", "--out", "bad.p7s",
        ],
    );
    assert!(line.contains("attempt"), "{line}");
    assert!(!lab.path("bad.p7s").exists());
}

#[test]
fn dsign_without_enrollment_says_to_enroll() {
    let lab = Lab::empty();
    std::fs::write(lab.path("doc.txt"), b"x").expect("write");
    let store = lab.path("nothing");
    let line = lab.fails(
        1,
        &[
            "dsign",
            "doc.txt",
            "--store",
            store.to_str().expect("utf-8"),
            "--pin",
            PIN,
        ],
    );
    assert!(line.contains("fkn enroll"), "{line}");
}

/// Issue 13 from a terminal: the operator registers a backend, the backend
/// asks (`fkn request create`), the enrolled device lists and approves
/// (card requests on the virtual card in one sign command, a two-party one
/// with the server), the backend gets the signatures (`fkn request show
/// --out`) and `fkn verify` checks them; a declined request stays unsigned.
#[test]
fn a_backend_asks_the_device_signs_from_a_terminal() {
    let lab = Lab::new();
    let server = Server::start(&lab);
    let api_key = lab
        .ok(&[
            "server",
            "add-backend",
            "--server",
            &server.base,
            "--admin-token",
            &server.token,
            "--name",
            "bank",
        ])
        .trim()
        .to_owned();
    assert!(api_key.starts_with("fknb_"), "{api_key}");
    let uri = server.enrollment("carol");
    let store = lab.path("device");
    let store = store.to_str().expect("utf-8");
    let card = lab.token();
    let out = lab.ok(&[
        "enroll",
        &uri,
        "--store",
        store,
        "--pin",
        PIN,
        "--card",
        &card,
        "--card-pin",
        common::USER_PIN,
        "--key",
        "carol-2p",
    ]);
    let card_id = out
        .lines()
        .find_map(|l| l.split(" with the server as ").nth(1))
        .expect("card id printed")
        .trim()
        .to_owned();

    let backend = ["--server", &server.base, "--api-key", &api_key];
    let mut ids = Vec::new();
    for (n, key) in [
        ("--card", &card_id),
        ("--card", &card_id),
        ("--two-party", &"carol-2p".to_owned()),
    ]
    .iter()
    .enumerate()
    {
        let file = format!("order{n}.txt");
        std::fs::write(lab.path(&file), format!("Order {n}: 3 units.\n")).expect("write");
        let mut args = vec![
            "request",
            "create",
            &file,
            "--account",
            "carol",
            key.0,
            key.1,
        ];
        args.extend(backend);
        if n == 1 {
            args.push("--detached");
        }
        ids.push(lab.ok(&args).trim().to_owned());
    }
    std::fs::write(lab.path("no.txt"), "Order: 1000 units.\n").expect("write");
    let mut args = vec![
        "request",
        "create",
        "no.txt",
        "--account",
        "carol",
        "--card",
        &card_id,
    ];
    args.extend(backend);
    let refused = lab.ok(&args).trim().to_owned();

    let listed = lab.ok(&["request", "list", "--store", store]);
    assert_eq!(listed.lines().count(), 4, "{listed}");
    lab.ok(&[
        "request", "decline", &refused, "--store", store, "--reason", "too many",
    ]);
    let out = lab.run(&[
        "request",
        "approve",
        "--store",
        store,
        "--pin",
        PIN,
        "--card",
        &card,
        "--card-pin",
        common::USER_PIN,
    ]);
    assert_eq!(out.code, Some(0), "{}{}", out.stdout, out.stderr);
    assert!(
        out.stdout.contains("Order 0: 3 units."),
        "the device shows what it signs: {}",
        out.stdout
    );
    assert_eq!(out.stdout.matches("signed   ").count(), 3, "{}", out.stdout);
    assert!(
        out.stderr
            .contains("signed 2 request(s) on the card in 1 APDU exchange(s)"),
        "{}",
        out.stderr
    );

    for (n, id) in ids.iter().enumerate() {
        let sig = format!("order{n}.p7s");
        let mut args = vec!["request", "show", id, "--out", &sig];
        args.extend(backend);
        assert_eq!(lab.ok(&args).trim(), "signed");
        let file = format!("order{n}.txt");
        let verified = if n == 1 {
            lab.ok(&["verify", "--in", &sig, "--content", &file])
        } else {
            lab.ok(&["verify", "--in", &sig])
        };
        assert!(verified.contains("signature valid"), "{verified}");
    }
    let mut args = vec!["request", "show", &refused, "--out", "no.p7s"];
    args.extend(backend);
    let out = lab.run(&args);
    assert_eq!(out.code, Some(1));
    assert!(out.stdout.starts_with("declined"), "{}", out.stdout);
    assert!(out.stderr.contains("declined: too many"), "{}", out.stderr);
}
