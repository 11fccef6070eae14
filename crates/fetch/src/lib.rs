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
//! DNS-rebinding gap. Polite crawling (robots.txt, rate limits, conditional
//! requests) is a later concern and not handled here.

mod address;

pub use address::is_public;

use std::sync::Arc;
use std::time::Duration;
use ureq::http::Uri;
use ureq::unversioned::resolver::{DefaultResolver, ResolvedSocketAddrs, Resolver};
use ureq::unversioned::transport::{DefaultConnector, NextTimeout};

/// Limits and identity for fetching.
#[derive(Debug, Clone)]
pub struct FetchOptions {
    pub allow_private: bool,
    pub max_bytes: u64,
    pub timeout: Duration,
    pub max_redirects: u32,
    pub user_agent: String,
}

impl Default for FetchOptions {
    fn default() -> Self {
        FetchOptions {
            allow_private: false,
            max_bytes: 16 * 1024 * 1024,
            timeout: Duration::from_secs(30),
            max_redirects: 5,
            user_agent: format!("storyline/{} (news ingest)", env!("CARGO_PKG_VERSION")),
        }
    }
}

/// A fetched response body.
#[derive(Debug, Clone)]
pub struct Fetched {
    /// The requested URL (redirects are followed, but ureq does not report the final one).
    pub url: String,
    /// The media type without parameters, lower-cased (`text/html`).
    pub media_type: Option<String>,
    /// The `charset` parameter of the Content-Type header, if any: it
    /// outranks what the page itself declares.
    pub charset: Option<String>,
    pub bytes: Vec<u8>,
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

/// Fetches `url` within the limits of `options`.
pub fn fetch(url: &str, options: &FetchOptions) -> Result<Fetched, FetchError> {
    let lower = url.to_ascii_lowercase();
    if !(lower.starts_with("http://") || lower.starts_with("https://")) {
        return Err(FetchError::Scheme { url: url.to_string() });
    }
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
    let mut response = agent.get(url).call().map_err(transport)?;
    let status = response.status().as_u16();
    if !(200..300).contains(&status) {
        return Err(FetchError::Status {
            url: url.to_string(),
            status,
        });
    }
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
    Ok(Fetched {
        url: url.to_string(),
        media_type,
        charset,
        bytes,
    })
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

    #[test]
    fn only_http_schemes() {
        let err = fetch("file:///etc/passwd", &FetchOptions::default()).unwrap_err();
        assert!(matches!(err, FetchError::Scheme { .. }));
    }
}
