//! A real headless browser (Debian's `chromium`) for the tests of
//! `cargo weft html`'s pages: one way to find it, run it and read what it
//! drew, for every page test.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// The browser: `WEFT_CHROMIUM`, else `chromium`, `chromium-browser` or
/// `google-chrome` on `PATH`; `None` when there is none.
pub fn find_browser() -> Option<PathBuf> {
    if let Some(path) = std::env::var_os("WEFT_CHROMIUM") {
        return Some(PathBuf::from(path));
    }
    let path = std::env::var_os("PATH")?;
    for dir in std::env::split_paths(&path) {
        for name in ["chromium", "chromium-browser", "google-chrome"] {
            let candidate = dir.join(name);
            if candidate.is_file() {
                return Some(candidate);
            }
        }
    }
    None
}

/// The `file://` address of a page on disk.
pub fn file_url(page: &Path) -> String {
    format!("file://{}", page.display())
}

/// Runs the browser headless on `url` with `extra` arguments, with a
/// fresh profile and no network, and returns its stdout. Each call has a
/// profile of its own: tests of one binary browse at once.
pub fn browse(browser: &Path, url: &str, extra: &[String]) -> String {
    static CALLS: AtomicUsize = AtomicUsize::new(0);
    let profile = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("weft-cli")
        .join(format!(
            "chromium-profile-{}-{}",
            std::process::id(),
            CALLS.fetch_add(1, Ordering::Relaxed)
        ));
    let _ = std::fs::remove_dir_all(&profile);
    std::fs::create_dir_all(&profile).unwrap();
    let mut child = Command::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-dev-shm-usage",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(extra)
        .arg(url)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("the browser starts");
    let mut stdout = child.stdout.take().unwrap();
    let reader = std::thread::spawn(move || {
        let mut s = String::new();
        std::io::Read::read_to_string(&mut stdout, &mut s).unwrap();
        s
    });
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            assert!(status.success(), "the browser failed on {url}: {status}");
            break;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("the browser did not finish in 120s on {url}");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let _ = std::fs::remove_dir_all(&profile);
    reader.join().unwrap()
}

/// Saves a screenshot of `url` at `shot` (1400×900) and checks that it is
/// a real picture, not an empty one.
pub fn screenshot(browser: &Path, url: &str, shot: &Path) {
    let _ = std::fs::remove_file(shot);
    browse(
        browser,
        url,
        &[
            format!("--screenshot={}", shot.display()),
            "--window-size=1400,900".to_string(),
        ],
    );
    let size = std::fs::metadata(shot).map(|m| m.len()).unwrap_or(0);
    assert!(
        size > 10_000,
        "a screenshot of {url} was saved at {} ({size} bytes)",
        shot.display()
    );
    eprintln!("{url}: {}", shot.display());
}

/// The DOM without the text of its `<script>` elements, so that only
/// elements are counted, not the scripts' source.
pub fn without_scripts(dom: &str) -> String {
    let mut out = String::new();
    let mut rest = dom;
    while let Some(start) = rest.find("<script") {
        out.push_str(&rest[..start]);
        match rest[start..].find("</script>") {
            Some(end) => rest = &rest[start + end + "</script>".len()..],
            None => rest = "",
        }
    }
    out.push_str(rest);
    out
}
