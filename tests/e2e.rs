//! End-to-end tests of `mvkg serve` with real outside clients: SPARQLWrapper and pandas from PyPI, and Debian's
//! headless Chromium driven by Selenium. Not part of plain `cargo test` (they need those clients):
//! `./scripts/setup.sh --e2e && cargo test --test e2e`, which CI runs. Without the clients the tests fail and say
//! what to install; they never pass silently.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

fn python() -> PathBuf {
    let p = std::env::var_os("MVKG_E2E_PYTHON").map(PathBuf::from).unwrap_or_else(|| {
        PathBuf::from(std::env::var_os("HOME").expect("HOME is set")).join(".cache/mvkg-e2e/venv/bin/python")
    });
    assert!(
        p.exists(),
        "The end-to-end tests need the Python clients at {} (or MVKG_E2E_PYTHON): run ./scripts/setup.sh --e2e",
        p.display()
    );
    for tool in ["/usr/bin/chromium", "/usr/bin/chromedriver"] {
        assert!(Path::new(tool).exists(), "The browser test needs {tool}: run ./scripts/setup.sh --e2e");
    }
    p
}

struct Server {
    child: Child,
    url: String,
    _dir: tempfile::TempDir,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn mvkg(store: &Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_mvkg"));
    c.env_remove("MVKG_STORE").env_remove("MVKG_TOKEN").arg("--store").arg(store);
    c
}

fn serve() -> Server {
    let dir = tempfile::TempDir::new().unwrap();
    let store = dir.path().join("store");
    assert!(mvkg(&store).args(["--quiet", "init"]).status().unwrap().success());
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let child = mvkg(&store)
        .args(["serve", "--bind", &format!("127.0.0.1:{port}")])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(120);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "mvkg serve did not start listening");
        std::thread::sleep(Duration::from_millis(100));
    }
    Server { child, url: format!("http://127.0.0.1:{port}"), _dir: dir }
}

/// Runs a client script and returns its `key=value` lines.
fn client(script: &str, url: &str) -> Vec<(String, String)> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/e2e").join(script);
    let mut child =
        Command::new(python()).arg(&path).arg(url).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
    let (mut out, mut err) = (String::new(), String::new());
    child.stdout.take().unwrap().read_to_string(&mut out).unwrap();
    child.stderr.take().unwrap().read_to_string(&mut err).unwrap();
    let status = child.wait().unwrap();
    assert!(status.success(), "{script} failed:\n{out}\n{err}");
    out.lines().filter_map(|l| l.split_once('=')).map(|(k, v)| (k.to_owned(), v.to_owned())).collect()
}

fn value<'a>(lines: &'a [(String, String)], key: &str) -> &'a str {
    lines.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str()).unwrap_or_else(|| panic!("no {key} in {lines:?}"))
}

/// The first English company label, the number of Naver Z investor rows and the first of them, from the command
/// line on a store of its own, to compare with what the clients read.
fn expected() -> (String, usize, String) {
    let dir = tempfile::TempDir::new().unwrap();
    let store = dir.path().join("store");
    assert!(mvkg(&store).args(["--quiet", "init"]).status().unwrap().success());
    let first = mvkg(&store)
        .args([
            "query",
            "SELECT ?label WHERE { ?c a mv:Company ; rdfs:label ?label FILTER(LANGMATCHES(LANG(?label), \"en\")) } ORDER BY ?label LIMIT 1",
            "--format",
            "csv",
        ])
        .output()
        .unwrap();
    let first = String::from_utf8(first.stdout).unwrap().lines().nth(1).unwrap().to_owned();
    let investors =
        mvkg(&store).args(["query", "investors-in", "-p", "company=Naver Z", "--format", "json"]).output().unwrap();
    let v: serde_json::Value = serde_json::from_slice(&investors.stdout).unwrap();
    let rows = v["results"]["bindings"].as_array().unwrap();
    let first_investor = rows[0]["investorLabel"]["value"].as_str().unwrap().to_owned();
    (first, rows.len(), first_investor)
}

#[test]
fn sparqlwrapper_and_pandas_read_the_endpoint() {
    let server = serve();
    let (first_label, investors, first_investor) = expected();
    let out = client("sparql_client.py", &server.url);
    assert_eq!(value(&out, "json_rows"), "5");
    assert_eq!(value(&out, "json_columns"), "company,label");
    assert_eq!(value(&out, "json_first_label"), first_label);
    assert_eq!(value(&out, "csv_rows"), "5");
    assert_eq!(value(&out, "csv_same_as_json"), "True");
    assert_eq!(value(&out, "named_rows"), investors.to_string());
    assert_eq!(value(&out, "named_first_investor"), first_investor);
    assert_eq!(value(&out, "ask"), "True");
    // The analyst API read by pandas.read_json gives the command line's ranking.
    let dir = tempfile::TempDir::new().unwrap();
    let store = dir.path().join("store");
    assert!(mvkg(&store).args(["--quiet", "init"]).status().unwrap().success());
    let cli = mvkg(&store).args(["rank", "--by", "capital", "--top", "5", "--format", "json"]).output().unwrap();
    let cli: serde_json::Value = serde_json::from_slice(&cli.stdout).unwrap();
    assert_eq!(value(&out, "api_rank_rows"), "5");
    assert_eq!(value(&out, "api_rank_first"), cli[0]["label"].as_str().unwrap());
    assert_eq!(
        value(&out, "api_rank_columns"),
        "node,iri,label,kind,rounds,deals_led,rounds_with_amount,total_round_usd,attributed_usd"
    );
}

#[test]
fn headless_chromium_searches_and_runs_a_named_query() {
    let server = serve();
    let (_, investors, first_investor) = expected();
    let out = client("browser.py", &server.url);
    assert_eq!(value(&out, "search_title"), "Search: zepeto · mvkg");
    assert_eq!(value(&out, "search_first"), "Zepeto");
    assert_eq!(value(&out, "entity_h1"), "Zepeto");
    assert_eq!(value(&out, "entity_svg"), "1");
    assert_eq!(value(&out, "query_title"), "Investors in a company");
    assert_eq!(value(&out, "query_rows"), investors.to_string());
    assert_eq!(value(&out, "query_first_investor"), first_investor);
    assert_eq!(value(&out, "query_summary"), format!("{investors} rows"));
}
