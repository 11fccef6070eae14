//! robots.txt: fetched once per origin, kept for a while, asked before
//! every article fetch.
//!
//! The rules follow RFC 9309: a robots.txt that is missing or forbidden
//! (any 4xx) allows everything; one that cannot be had (a 5xx, a network
//! error) disallows everything until it is asked again, since the site may
//! be struggling. A `Crawl-delay` lengthens the pause between requests to
//! the host. Parsing and matching are `texting_robots`'s; this module owns
//! the fetching, the caching and those rules; the watcher keeps the files
//! in the store (`take_fetched`, `remember`), so a run started by cron
//! does not ask every site again.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};
use storyline_fetch::{fetch, FetchError, FetchOptions};
use storyline_store::RobotsFile;
use texting_robots::Robot;

/// How long an unreachable robots.txt keeps a site closed before asking again.
const UNREACHABLE_RETRY: Duration = Duration::from_secs(600);

/// What robots.txt says about one URL.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Verdict {
    pub allowed: bool,
    /// The site's Crawl-delay, if it sets one.
    pub crawl_delay: Option<Duration>,
}

enum Rules {
    AllowAll,
    /// The robots.txt could not be fetched: nothing is allowed for now.
    Unreachable,
    Parsed(Box<Robot>),
}

struct Entry {
    rules: Rules,
    until: Instant,
}

/// The robots.txt rules of every origin asked about so far.
pub struct RobotsCache {
    /// The product token matched against `User-agent:` lines.
    agent: String,
    ttl: Duration,
    entries: Mutex<HashMap<String, Entry>>,
    /// Files fetched and not yet handed to the caller to keep.
    fetched: Mutex<Vec<RobotsFile>>,
}

impl RobotsCache {
    pub fn new(agent: &str, ttl: Duration) -> RobotsCache {
        RobotsCache {
            agent: agent.to_string(),
            ttl,
            entries: Mutex::new(HashMap::new()),
            fetched: Mutex::new(Vec::new()),
        }
    }

    /// Whether `url` may be fetched, fetching its origin's robots.txt first
    /// if it is not known or has expired. The lock is not held while
    /// fetching; the watcher asks about one host from one thread at a time.
    pub fn verdict(&self, url: &str, options: &FetchOptions) -> Verdict {
        let Some(origin) = origin(url) else {
            return Verdict {
                allowed: true,
                crawl_delay: None,
            };
        };
        let now = Instant::now();
        {
            let entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
            if let Some(entry) = entries.get(&origin).filter(|e| e.until > now) {
                return judge(&entry.rules, url);
            }
        }
        let (rules, keep) = self.load(&origin, options);
        let verdict = judge(&rules, url);
        self.entries.lock().unwrap_or_else(|p| p.into_inner()).insert(
            origin,
            Entry {
                rules,
                until: now + keep,
            },
        );
        verdict
    }

    /// Takes a robots.txt fetched `age` ago (by an earlier run) as known,
    /// unless it has expired.
    pub fn remember(&self, file: &RobotsFile, age: Duration) {
        let Some(left) = self.ttl.checked_sub(age) else {
            return;
        };
        let rules = self.rules(&file.origin, file.body.as_deref());
        self.entries.lock().unwrap_or_else(|p| p.into_inner()).insert(
            file.origin.clone(),
            Entry {
                rules,
                until: Instant::now() + left,
            },
        );
    }

    /// The robots.txt files fetched since the last call, for the caller to keep.
    pub fn take_fetched(&self) -> Vec<RobotsFile> {
        std::mem::take(&mut *self.fetched.lock().unwrap_or_else(|p| p.into_inner()))
    }

    fn rules(&self, origin: &str, body: Option<&[u8]>) -> Rules {
        let Some(body) = body else {
            return Rules::AllowAll;
        };
        parse_rules(&self.agent, body).unwrap_or_else(|e| {
            tracing::warn!(%origin, "unreadable robots.txt, taken as allowing all: {e}");
            Rules::AllowAll
        })
    }

    fn keep(&self, origin: &str, body: Option<Vec<u8>>) {
        self.fetched
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push(RobotsFile {
                origin: origin.to_string(),
                body,
                fetched_at: chrono::Utc::now().to_rfc3339(),
            });
    }

    fn load(&self, origin: &str, options: &FetchOptions) -> (Rules, Duration) {
        let once = FetchOptions {
            retries: 0,
            ..options.clone()
        };
        let url = format!("{origin}/robots.txt");
        match fetch(&url, &once) {
            Ok(fetched) => {
                let rules = self.rules(origin, Some(&fetched.bytes));
                self.keep(origin, Some(fetched.bytes));
                (rules, self.ttl)
            }
            Err(FetchError::Status { status, .. }) if (400..500).contains(&status) && status != 429 => {
                self.keep(origin, None);
                (Rules::AllowAll, self.ttl)
            }
            // A refused private address will be refused for the page too,
            // with the clearer error.
            Err(FetchError::PrivateAddress { .. }) => (Rules::AllowAll, self.ttl),
            Err(e) => {
                tracing::warn!(%url, "robots.txt unavailable, not fetching from this site for now: {e}");
                (Rules::Unreachable, UNREACHABLE_RETRY.min(self.ttl))
            }
        }
    }
}

fn parse_rules(agent: &str, body: &[u8]) -> Result<Rules, String> {
    Robot::new(agent, body)
        .map(|robot| Rules::Parsed(Box::new(robot)))
        .map_err(|e| e.to_string())
}

/// What robots.txt `body` says of `url` for `agent`, parsed and matched as
/// the cache does (an unreadable file allows all): one file, no fetching.
pub fn verdict_of(agent: &str, body: &[u8], url: &str) -> Verdict {
    judge(&parse_rules(agent, body).unwrap_or(Rules::AllowAll), url)
}

fn judge(rules: &Rules, url: &str) -> Verdict {
    match rules {
        Rules::AllowAll => Verdict {
            allowed: true,
            crawl_delay: None,
        },
        Rules::Unreachable => Verdict {
            allowed: false,
            crawl_delay: None,
        },
        Rules::Parsed(robot) => Verdict {
            allowed: robot.allowed(url),
            crawl_delay: robot
                .delay
                .filter(|d| d.is_finite() && *d > 0.0)
                .map(|d| Duration::from_secs_f32(d.min(86_400.0))),
        },
    }
}

/// `scheme://host[:port]` of an http(s) URL.
pub fn origin(url: &str) -> Option<String> {
    let parsed = url::Url::parse(url).ok()?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return None;
    }
    Some(parsed.origin().ascii_serialization())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{Read, Write};
    use std::net::TcpListener;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Arc;

    /// Serves `status` and `body` for every request, counting them.
    fn serve(status: &'static str, body: &'static str) -> (String, Arc<AtomicUsize>) {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let count = Arc::new(AtomicUsize::new(0));
        let seen = count.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(mut s) = stream else { return };
                let mut buf = [0u8; 2048];
                let _ = s.read(&mut buf);
                seen.fetch_add(1, Ordering::SeqCst);
                let _ = write!(
                    s,
                    "HTTP/1.1 {status}\r\nContent-Type: text/plain\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                    body.len()
                );
            }
        });
        (format!("http://{addr}"), count)
    }

    fn options() -> FetchOptions {
        FetchOptions {
            allow_private: true,
            ..Default::default()
        }
    }

    #[test]
    fn rules_are_fetched_once_and_applied_to_our_agent() {
        let (base, count) = serve(
            "200 OK",
            "User-agent: *\nDisallow: /\n\nUser-agent: storyline\nDisallow: /private/\nCrawl-delay: 2\n",
        );
        let cache = RobotsCache::new("storyline", Duration::from_secs(3600));
        let open = cache.verdict(&format!("{base}/news/1"), &options());
        assert!(open.allowed);
        assert_eq!(open.crawl_delay, Some(Duration::from_secs(2)));
        assert!(!cache.verdict(&format!("{base}/private/2"), &options()).allowed);
        assert_eq!(count.load(Ordering::SeqCst), 1, "robots.txt is cached");
    }

    #[test]
    fn files_are_handed_over_to_keep_and_remembered_until_they_expire() {
        let (base, count) = serve("200 OK", "User-agent: *\nDisallow: /closed/\n");
        let first = RobotsCache::new("storyline", Duration::from_secs(3600));
        assert!(!first.verdict(&format!("{base}/closed/a"), &options()).allowed);
        let kept = first.take_fetched();
        assert_eq!(kept.len(), 1);
        assert!(first.take_fetched().is_empty(), "handed over once");

        let next_run = RobotsCache::new("storyline", Duration::from_secs(3600));
        next_run.remember(&kept[0], Duration::from_secs(60));
        assert!(!next_run.verdict(&format!("{base}/closed/b"), &options()).allowed);
        assert_eq!(count.load(Ordering::SeqCst), 1, "remembered, not fetched again");

        let much_later = RobotsCache::new("storyline", Duration::from_secs(3600));
        much_later.remember(&kept[0], Duration::from_secs(7200));
        much_later.verdict(&format!("{base}/open"), &options());
        assert_eq!(
            count.load(Ordering::SeqCst),
            2,
            "an expired file is fetched again"
        );
    }

    #[test]
    fn a_missing_robots_txt_allows_and_a_failing_one_forbids() {
        let (missing, _) = serve("404 Not Found", "");
        let (failing, _) = serve("503 Service Unavailable", "");
        let cache = RobotsCache::new("storyline", Duration::from_secs(3600));
        assert!(cache.verdict(&format!("{missing}/a"), &options()).allowed);
        assert!(!cache.verdict(&format!("{failing}/a"), &options()).allowed);
    }

    #[test]
    fn origins_keep_scheme_host_and_port() {
        assert_eq!(
            origin("https://A.example:8443/x?y").as_deref(),
            Some("https://a.example:8443")
        );
        assert_eq!(origin("http://a.example/").as_deref(), Some("http://a.example"));
        assert_eq!(origin("ftp://a.example/"), None);
    }
}
