//! Fetching one URL over HTTP(S) for `storyline ingest URL`, safely.
//!
//! A fetcher that takes URLs from users or feeds can be pointed at the
//! machine's own services (`http://127.0.0.1:…`, cloud metadata at
//! `169.254.169.254`). So every host name is resolved here and each address
//! is checked before connecting, for the first request and for every
//! redirect: loopback, private, link-local, shared (CGNAT), multicast,
//! documentation and unspecified addresses are refused unless the caller
//! allows private addresses (tests do, for their 127.0.0.1 servers).
//! Connecting to the checked address itself (not a second lookup) closes the
//! DNS-rebinding gap. Fetches are conditional when the caller has
//! validators from before (`fetch_if_changed`: ETag and Last-Modified, so
//! an unchanged page costs a 304), and a 429 or a passing 5xx is asked
//! again after the server's Retry-After or a growing, jittered delay
//! (`retry`). Robots.txt and per-host pacing belong to whoever schedules
//! fetches, not to one fetch.

mod address;
pub mod retry;

pub use address::is_public;

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;
use ureq::http::Uri;
use ureq::unversioned::resolver::{DefaultResolver, ResolvedSocketAddrs, Resolver};
use ureq::unversioned::transport::{DefaultConnector, NextTimeout};
use ureq::ResponseExt;

/// Limits and identity for fetching.
#[derive(Debug, Clone)]
pub struct FetchOptions {
    pub allow_private: bool,
    pub max_bytes: u64,
    pub timeout: Duration,
    pub max_redirects: u32,
    pub user_agent: String,
    /// How many times to ask again after a 429 or a passing 5xx.
    pub retries: u32,
    /// The first wait when the server names none; it doubles each time.
    pub retry_base: Duration,
    /// The longest wait, whatever the server asks.
    pub max_retry_wait: Duration,
    /// Set by the caller to give up waiting for a retry (a watch that is stopping).
    pub cancel: Cancel,
}

/// A flag that ends retry waits early; unset unless a caller shares one.
#[derive(Debug, Clone, Default)]
pub struct Cancel(Option<Arc<AtomicBool>>);

impl Cancel {
    pub fn new(flag: Arc<AtomicBool>) -> Cancel {
        Cancel(Some(flag))
    }

    fn is_set(&self) -> bool {
        self.0.as_ref().is_some_and(|f| f.load(Ordering::Relaxed))
    }

    /// Sleeps for `pause` unless cancelled first; whether it slept it all.
    fn pause(&self, pause: Duration) -> bool {
        let until = std::time::Instant::now() + pause;
        loop {
            if self.is_set() {
                return false;
            }
            let left = until.saturating_duration_since(std::time::Instant::now());
            if left.is_zero() {
                return true;
            }
            std::thread::sleep(left.min(Duration::from_millis(100)));
        }
    }
}

impl Default for FetchOptions {
    fn default() -> Self {
        FetchOptions {
            allow_private: false,
            max_bytes: 16 * 1024 * 1024,
            timeout: Duration::from_secs(30),
            max_redirects: 5,
            user_agent: format!("storyline/{} (news ingest)", env!("CARGO_PKG_VERSION")),
            retries: 2,
            retry_base: Duration::from_secs(1),
            max_retry_wait: Duration::from_secs(60),
            cancel: Cancel::default(),
        }
    }
}

/// A fetched response body.
#[derive(Debug, Clone)]
pub struct Fetched {
    /// The URL the body came from: the requested one, or where its redirects led.
    pub url: String,
    /// The media type without parameters, lower-cased (`text/html`).
    pub media_type: Option<String>,
    /// The `charset` parameter of the Content-Type header, if any: it
    /// outranks what the page itself declares.
    pub charset: Option<String>,
    /// What to send next time to be told "not modified".
    pub validators: Validators,
    pub bytes: Vec<u8>,
}

/// A response's `ETag` and `Last-Modified`, sent back as `If-None-Match`
/// and `If-Modified-Since` so an unchanged resource costs a 304.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Validators {
    pub etag: Option<String>,
    pub last_modified: Option<String>,
}

/// What a conditional fetch found.
#[derive(Debug, Clone)]
pub enum Outcome {
    Fetched(Fetched),
    /// 304: the resource is as it was when the validators were given.
    NotModified,
}

/// One attempt: done, or to be tried again (after `wait` if the server said).
enum Attempt {
    Done(Outcome),
    Again { status: u16, wait: Option<Duration> },
}

/// The media type and charset of a Content-Type header value.
fn content_type(value: &str) -> (Option<String>, Option<String>) {
    let mut parts = value.split(';');
    let media = parts
        .next()
        .map(|m| m.trim().to_ascii_lowercase())
        .filter(|m| !m.is_empty());
    let charset = parts.find_map(|p| {
        let (key, value) = p.split_once('=')?;
        key.trim()
            .eq_ignore_ascii_case("charset")
            .then(|| value.trim().trim_matches('"').to_string())
    });
    (media, charset)
}

#[derive(Debug, thiserror::Error)]
pub enum FetchError {
    #[error("{url}: only http and https URLs can be fetched")]
    Scheme { url: String },
    #[error("{url}: refused to connect to non-public address {addr} (pass --allow-private to permit)")]
    PrivateAddress { url: String, addr: std::net::IpAddr },
    #[error("{url}: HTTP status {status}")]
    Status { url: String, status: u16 },
    #[error("{url}: response larger than {limit} bytes")]
    TooLarge { url: String, limit: u64 },
    #[error("{url}: {message}")]
    Transport { url: String, message: String },
}

/// A resolver that refuses non-public addresses.
#[derive(Debug)]
struct GuardedResolver {
    inner: DefaultResolver,
    refused: Arc<std::sync::Mutex<Option<std::net::IpAddr>>>,
}

impl Resolver for GuardedResolver {
    fn resolve(
        &self,
        uri: &Uri,
        config: &ureq::config::Config,
        timeout: NextTimeout,
    ) -> Result<ResolvedSocketAddrs, ureq::Error> {
        let addrs = self.inner.resolve(uri, config, timeout)?;
        if let Some(bad) = addrs.iter().find(|a| !is_public(a.ip())) {
            *self.refused.lock().unwrap_or_else(|p| p.into_inner()) = Some(bad.ip());
            return Err(ureq::Error::Io(std::io::Error::new(
                std::io::ErrorKind::PermissionDenied,
                format!("non-public address {}", bad.ip()),
            )));
        }
        Ok(addrs)
    }
}

/// How long [`check_target`] waits for a host name to resolve.
const CHECK_RESOLVE_WAIT: std::time::Duration = std::time::Duration::from_secs(3);

/// Refuses now what fetching `url` would refuse later: a scheme other than
/// http(s), or a host that is, or resolves to, a non-public address
/// (loopback, `localhost`, private ranges, link-local such as the cloud
/// metadata address 169.254.169.254), unless `allow_private`. A name that
/// does not resolve within a few seconds passes: the fetcher checks every
/// address again when it connects.
pub fn check_target(url: &str, allow_private: bool) -> Result<(), FetchError> {
    let scheme_err = || FetchError::Scheme { url: url.to_string() };
    let uri: Uri = url.trim().parse().map_err(|_| scheme_err())?;
    let port = match uri.scheme_str().map(str::to_ascii_lowercase).as_deref() {
        Some("http") => uri.port_u16().unwrap_or(80),
        Some("https") => uri.port_u16().unwrap_or(443),
        _ => return Err(scheme_err()),
    };
    let host = uri
        .host()
        .map(|h| {
            h.trim_start_matches('[')
                .trim_end_matches(']')
                .to_ascii_lowercase()
        })
        .filter(|h| !h.is_empty())
        .ok_or_else(scheme_err)?;
    if allow_private {
        return Ok(());
    }
    let refuse = |addr| FetchError::PrivateAddress {
        url: url.to_string(),
        addr,
    };
    if let Ok(ip) = host.parse::<std::net::IpAddr>() {
        return if is_public(ip) { Ok(()) } else { Err(refuse(ip)) };
    }
    if host == "localhost" || host.ends_with(".localhost") {
        return Err(refuse(std::net::IpAddr::from([127, 0, 0, 1])));
    }
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        use std::net::ToSocketAddrs;
        let _ = tx.send(
            (host.as_str(), port)
                .to_socket_addrs()
                .map(|a| a.collect::<Vec<_>>()),
        );
    });
    match rx.recv_timeout(CHECK_RESOLVE_WAIT) {
        Ok(Ok(addrs)) => match addrs.iter().find(|a| !is_public(a.ip())) {
            Some(bad) => Err(refuse(bad.ip())),
            None => Ok(()),
        },
        _ => Ok(()),
    }
}

/// Fetches `url` within the limits of `options`.
pub fn fetch(url: &str, options: &FetchOptions) -> Result<Fetched, FetchError> {
    match fetch_if_changed(url, options, &Validators::default())? {
        Outcome::Fetched(f) => Ok(f),
        Outcome::NotModified => Err(FetchError::Status {
            url: url.to_string(),
            status: 304,
        }),
    }
}

/// Fetches `url` unless it is unchanged since `seen` (a 304), asking again
/// after a 429 or a passing 5xx as `options` allow (see `retry`).
pub fn fetch_if_changed(url: &str, options: &FetchOptions, seen: &Validators) -> Result<Outcome, FetchError> {
    let lower = url.to_ascii_lowercase();
    if !(lower.starts_with("http://") || lower.starts_with("https://")) {
        return Err(FetchError::Scheme { url: url.to_string() });
    }
    let mut attempt = 0;
    loop {
        match attempt_once(url, options, seen)? {
            Attempt::Done(outcome) => return Ok(outcome),
            Attempt::Again { wait, status } if attempt < options.retries => {
                let pause = retry::delay(
                    attempt,
                    wait,
                    options.retry_base,
                    options.max_retry_wait,
                    retry::clock_jitter(),
                );
                if !options.cancel.pause(pause) {
                    return Err(FetchError::Status {
                        url: url.to_string(),
                        status,
                    });
                }
                attempt += 1;
            }
            Attempt::Again { status, .. } => {
                return Err(FetchError::Status {
                    url: url.to_string(),
                    status,
                })
            }
        }
    }
}

fn attempt_once(url: &str, options: &FetchOptions, seen: &Validators) -> Result<Attempt, FetchError> {
    let config = ureq::Agent::config_builder()
        .timeout_global(Some(options.timeout))
        .max_redirects(options.max_redirects)
        .user_agent(&options.user_agent)
        .http_status_as_error(false)
        .build();
    let refused = Arc::new(std::sync::Mutex::new(None));
    let agent = if options.allow_private {
        ureq::Agent::new_with_config(config)
    } else {
        let resolver = GuardedResolver {
            inner: DefaultResolver::default(),
            refused: refused.clone(),
        };
        ureq::Agent::with_parts(config, DefaultConnector::new(), resolver)
    };
    let transport = |e: ureq::Error| {
        if let Some(addr) = *refused.lock().unwrap_or_else(|p| p.into_inner()) {
            return FetchError::PrivateAddress {
                url: url.to_string(),
                addr,
            };
        }
        FetchError::Transport {
            url: url.to_string(),
            message: e.to_string(),
        }
    };
    let mut request = agent.get(url);
    if let Some(etag) = &seen.etag {
        request = request.header("If-None-Match", etag);
    }
    if let Some(date) = &seen.last_modified {
        request = request.header("If-Modified-Since", date);
    }
    let mut response = request.call().map_err(transport)?;
    let status = response.status().as_u16();
    let header = |name: &str| {
        response
            .headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    };
    if status == 304 {
        return Ok(Attempt::Done(Outcome::NotModified));
    }
    if retry::retryable(status) {
        let wait =
            header("retry-after").and_then(|v| retry::parse_retry_after(&v, std::time::SystemTime::now()));
        return Ok(Attempt::Again { status, wait });
    }
    if !(200..300).contains(&status) {
        return Err(FetchError::Status {
            url: url.to_string(),
            status,
        });
    }
    let final_url = response.get_uri().to_string();
    let validators = Validators {
        etag: header("etag"),
        last_modified: header("last-modified"),
    };
    let (media_type, charset) = response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .map_or((None, None), content_type);
    let bytes = response
        .body_mut()
        .with_config()
        .limit(options.max_bytes)
        .read_to_vec()
        .map_err(|e| match e {
            ureq::Error::BodyExceedsLimit(_) => FetchError::TooLarge {
                url: url.to_string(),
                limit: options.max_bytes,
            },
            other => transport(other),
        })?;
    Ok(Attempt::Done(Outcome::Fetched(Fetched {
        url: final_url,
        media_type,
        charset,
        validators,
        bytes,
    })))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{Read, Write};
    use std::net::TcpListener;

    /// A one-request HTTP server on 127.0.0.1 that answers with `body`.
    fn serve_once(body: &'static str) -> String {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        std::thread::spawn(move || {
            if let Ok((mut s, _)) = listener.accept() {
                let mut buf = [0u8; 4096];
                let _ = s.read(&mut buf);
                let _ = write!(
                    s,
                    "HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                    body.len()
                );
            }
        });
        format!("http://{addr}/article")
    }

    #[test]
    fn loopback_is_refused_by_default() {
        let url = serve_once("<p>x</p>");
        let err = fetch(&url, &FetchOptions::default()).unwrap_err();
        assert!(matches!(err, FetchError::PrivateAddress { .. }), "{err}");
        assert!(err.to_string().contains("--allow-private"));
    }

    #[test]
    fn loopback_is_fetched_when_allowed() {
        let url = serve_once("<html><body><article><p>Hello.</p></article></body></html>");
        let f = fetch(
            &url,
            &FetchOptions {
                allow_private: true,
                ..Default::default()
            },
        )
        .unwrap();
        assert_eq!(f.media_type.as_deref(), Some("text/html"));
        assert!(String::from_utf8(f.bytes).unwrap().contains("Hello."));
    }

    #[test]
    fn content_type_gives_media_type_and_charset() {
        assert_eq!(
            content_type("text/html; charset=\"windows-1251\""),
            (Some("text/html".into()), Some("windows-1251".into()))
        );
        assert_eq!(content_type("Text/HTML"), (Some("text/html".into()), None));
        assert_eq!(
            content_type("application/xml;Charset=ISO-8859-1"),
            (Some("application/xml".into()), Some("ISO-8859-1".into()))
        );
    }

    /// A server on 127.0.0.1 that answers successive requests with
    /// `responses` (raw HTTP) in turn and keeps each request's head.
    fn serve_in_turn(responses: Vec<String>) -> (String, Arc<std::sync::Mutex<Vec<String>>>) {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let heads = Arc::new(std::sync::Mutex::new(Vec::new()));
        let seen = heads.clone();
        std::thread::spawn(move || {
            for response in responses {
                let Ok((mut s, _)) = listener.accept() else { return };
                let mut buf = [0u8; 4096];
                let n = s.read(&mut buf).unwrap_or(0);
                seen.lock()
                    .unwrap()
                    .push(String::from_utf8_lossy(&buf[..n]).into_owned());
                let _ = s.write_all(response.as_bytes());
            }
        });
        (format!("http://{addr}/feed"), heads)
    }

    fn ok_with(headers: &str, body: &str) -> String {
        format!(
            "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n{headers}Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        )
    }

    fn allowed() -> FetchOptions {
        FetchOptions {
            allow_private: true,
            retry_base: Duration::from_millis(20),
            ..Default::default()
        }
    }

    #[test]
    fn a_429_is_asked_again_after_its_retry_after() {
        let (url, heads) = serve_in_turn(vec![
            "HTTP/1.1 429 Too Many Requests\r\nRetry-After: 1\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".into(),
            ok_with("", "<p>Now.</p>"),
        ]);
        let started = std::time::Instant::now();
        let f = fetch(&url, &allowed()).unwrap();
        assert!(started.elapsed() >= Duration::from_secs(1), "waited as asked");
        assert_eq!(f.bytes, b"<p>Now.</p>");
        assert_eq!(heads.lock().unwrap().len(), 2);
    }

    #[test]
    fn a_cancelled_retry_wait_ends_at_once() {
        let busy = "HTTP/1.1 503 Service Unavailable\r\nRetry-After: 30\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
        let (url, _) = serve_in_turn(vec![busy.into(); 3]);
        let flag = Arc::new(AtomicBool::new(false));
        let options = FetchOptions {
            cancel: Cancel::new(flag.clone()),
            ..allowed()
        };
        let setter = std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(300));
            flag.store(true, Ordering::Relaxed);
        });
        let started = std::time::Instant::now();
        let err = fetch(&url, &options).unwrap_err();
        setter.join().unwrap();
        assert!(matches!(err, FetchError::Status { status: 503, .. }), "{err}");
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "did not wait out Retry-After: 30"
        );
    }

    #[test]
    fn retries_end_with_the_last_status() {
        let busy = "HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
        let (url, heads) = serve_in_turn(vec![busy.into(); 3]);
        let err = fetch(&url, &allowed()).unwrap_err();
        assert!(matches!(err, FetchError::Status { status: 503, .. }), "{err}");
        assert_eq!(heads.lock().unwrap().len(), 3, "one try and two retries");
    }

    #[test]
    fn an_unchanged_resource_costs_a_304() {
        let (url, heads) = serve_in_turn(vec![
            ok_with(
                "ETag: \"v1\"\r\nLast-Modified: Wed, 21 Oct 2026 07:28:00 GMT\r\n",
                "<p>First.</p>",
            ),
            "HTTP/1.1 304 Not Modified\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".into(),
        ]);
        let Outcome::Fetched(first) = fetch_if_changed(&url, &allowed(), &Validators::default()).unwrap()
        else {
            panic!("the first fetch has a body");
        };
        assert_eq!(first.validators.etag.as_deref(), Some("\"v1\""));
        let again = fetch_if_changed(&url, &allowed(), &first.validators).unwrap();
        assert!(matches!(again, Outcome::NotModified));
        let heads = heads.lock().unwrap();
        let second = heads[1].to_ascii_lowercase();
        assert!(second.contains("if-none-match: \"v1\""), "{second}");
        assert!(
            second.contains("if-modified-since: wed, 21 oct 2026 07:28:00 gmt"),
            "{second}"
        );
    }

    #[test]
    fn targets_polling_would_refuse_are_refused_up_front() {
        for url in [
            "http://127.0.0.1:8080/feed",
            "http://localhost/feed",
            "http://api.localhost/feed",
            "http://169.254.169.254/latest/meta-data/",
            "http://[::1]/feed",
            "http://10.0.0.7/feed",
            "http://0.0.0.0/",
        ] {
            assert!(
                matches!(check_target(url, false), Err(FetchError::PrivateAddress { .. })),
                "{url}"
            );
            assert!(check_target(url, true).is_ok(), "{url} with --allow-private");
        }
        assert!(matches!(
            check_target("ftp://news.example/", false),
            Err(FetchError::Scheme { .. })
        ));
        assert!(matches!(
            check_target("http:///x", true),
            Err(FetchError::Scheme { .. })
        ));
        assert!(check_target("https://93.184.215.14/feed", false).is_ok());
    }

    #[test]
    fn the_final_url_after_redirects_is_reported() {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let target = format!("{base}/2026/11/27/story");
        std::thread::spawn(move || {
            for (i, stream) in listener.incoming().take(2).enumerate() {
                let Ok(mut s) = stream else { return };
                let mut buf = [0u8; 4096];
                let _ = s.read(&mut buf);
                let response = if i == 0 {
                    format!("HTTP/1.1 301 Moved Permanently\r\nLocation: {target}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
                } else {
                    ok_with("", "<p>Here.</p>")
                };
                let _ = s.write_all(response.as_bytes());
            }
        });
        let f = fetch(&format!("{base}/r/abc"), &allowed()).unwrap();
        assert!(f.url.ends_with("/2026/11/27/story"), "{}", f.url);
        assert_eq!(f.bytes, b"<p>Here.</p>");
    }

    #[test]
    fn only_http_schemes() {
        let err = fetch("file:///etc/passwd", &FetchOptions::default()).unwrap_err();
        assert!(matches!(err, FetchError::Scheme { .. }));
    }
}
