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
