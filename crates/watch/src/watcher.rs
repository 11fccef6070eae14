//! The watch loop: polls due sources, fetches the new articles they name,
//! and stores them, until told to stop (or after one round with `once`).
//!
//! One thread (the caller's) owns the store and decides; a few workers
//! fetch. A poll of a source fetches its document (conditionally, with the
//! validators of the last complete poll), reads what it names, queues the
//! links not fetched before, and ends when all of them are done. Only then
//! is the source's state saved: a poll cut short by a crash or a stop is
//! simply done again, and the links it already stored are skipped, because
//! each article is stored in one transaction with the record of its URL.
//! A fetch that fails for a passing reason is not recorded, so the next
//! poll tries it again (and that poll is not conditional, so it sees the
//! link again even if the feed has not changed).

use crate::discover::{discover, Discovery, Link};
use crate::hosts::HostQueue;
use crate::robots::RobotsCache;
use crate::{Problem, Tally, WatchError, WatchOptions};
use chrono::{DateTime, Utc};
use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::sync::Arc;
use std::time::{Duration, Instant};
use storyline_core::Published;
use storyline_fetch::{fetch_if_changed, Cancel, FetchError, Fetched, Outcome, Validators};
use storyline_ingest::decode::decode_served;
use storyline_ingest::html::index_links;
use storyline_ingest::{parse_served, Format};
use storyline_store::{FetchOutcome, FetchState, FetchedUrl, Store, Upsert, WatchedSource};

/// How often the list of sources is read again, so that sources added or
/// removed while watching are noticed.
const RELOAD_SOURCES: Duration = Duration::from_secs(5);

/// The longest the interval of a failing source backs off to.
const MAX_BACKOFF: Duration = Duration::from_secs(24 * 3600);

/// What a finished poll stored, for the caller's `on_poll`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PollReport {
    pub source: String,
    pub stored: u64,
    pub updated: u64,
}

/// Something to fetch.
enum Job {
    /// A source's own document (`top`), or a sitemap its index names.
    Listing {
        source: String,
        url: String,
        top: bool,
        validators: Validators,
    },
    Article {
        source: String,
        link: Link,
    },
}

/// What came of a job.
enum Done {
    Listing {
        source: String,
        url: String,
        top: bool,
        result: Result<Outcome, FetchError>,
    },
    Article {
        source: String,
        link: Link,
        result: Result<Fetched, FetchError>,
    },
    Disallowed {
        source: String,
        url: String,
        top: bool,
        article: bool,
    },
}

/// A poll under way.
struct Poll {
    source: WatchedSource,
    /// Jobs queued or being done for it.
    outstanding: usize,
    /// The new validators, if the source's document came back whole.
    validators: Option<Validators>,
    feed_title: Option<String>,
    /// Why the source's own document could not be had.
    failed: Option<String>,
    /// Some links were left for later (a passing failure or the per-poll
    /// cap): the next poll must not be conditional.
    incomplete: bool,
    stored: u64,
    updated: u64,
}

/// Watches the store's sources until `stop` is set, or for one round when
/// `options.once`. `on_poll` is told of every finished poll that stored
/// something (the caller places new articles in stories there).
pub fn watch(
    store: &mut dyn Store,
    options: &WatchOptions,
    stop: &Arc<AtomicBool>,
    on_poll: &mut dyn FnMut(&mut dyn Store, &PollReport),
) -> Result<Tally, WatchError> {
    if options.once && store.watched_sources()?.is_empty() {
        return Err(WatchError::NoSources);
    }
    // A stop also ends the waits before retries.
    let mut options = options.clone();
    options.fetch.cancel = Cancel::new(stop.clone());
    let (options, stop) = (&options, stop.as_ref());
    let queue = HostQueue::default();
    let robots = RobotsCache::new(&options.robots_agent, options.robots_ttl);
    for file in store.robots_files()? {
        let fetched = DateTime::parse_from_rfc3339(&file.fetched_at).map(|t| t.with_timezone(&Utc));
        if let Some(age) = fetched.ok().and_then(|t| (Utc::now() - t).to_std().ok()) {
            robots.remember(&file, age);
        }
    }
    let (sender, results) = mpsc::channel();
    std::thread::scope(|scope| {
        for _ in 0..options.workers.max(1) {
            let sender = sender.clone();
            let (queue, robots) = (&queue, &robots);
            scope.spawn(move || work(queue, robots, options, stop, sender));
        }
        drop(sender);
        let mut watcher = Watcher {
            store,
            options,
            robots: &robots,
            polls: HashMap::new(),
            queued: HashSet::new(),
            polled: HashSet::new(),
            sources: Vec::new(),
            reloaded: None,
            tally: Tally::default(),
            on_poll,
        };
        let outcome = watcher.run(&queue, &results, stop);
        queue.close();
        // What is being fetched still gets stored.
        let drained = results.iter().try_for_each(|done| watcher.handle(done, &queue));
        outcome.and(drained).map(|()| watcher.tally)
    })
}

/// A worker: takes jobs until the queue closes.
fn work(
    queue: &HostQueue<Job>,
    robots: &RobotsCache,
    options: &WatchOptions,
    stop: &AtomicBool,
    done: Sender<Done>,
) {
    while let Some((host, job)) = queue.take(&|| stop.load(Ordering::Relaxed)) {
        let (result, crawl_delay) = do_job(job, robots, options);
        let _ = done.send(result);
        let pause = crawl_delay
            .map_or(options.host_delay, |d| d.min(options.max_crawl_delay))
            .max(options.host_delay);
        queue.release(&host, pause);
    }
}

fn do_job(job: Job, robots: &RobotsCache, options: &WatchOptions) -> (Done, Option<Duration>) {
    let url = match &job {
        Job::Listing { url, .. } => url.clone(),
        Job::Article { link, .. } => link.url.clone(),
    };
    let verdict = robots.verdict(&url, &options.fetch);
    if !verdict.allowed {
        let done = match job {
            Job::Listing { source, url, top, .. } => Done::Disallowed {
                source,
                url,
                top,
                article: false,
            },
            Job::Article { source, link } => Done::Disallowed {
                source,
                url: link.url,
                top: false,
                article: true,
            },
        };
        return (done, verdict.crawl_delay);
    }
    let done = match job {
        Job::Listing {
            source,
            url,
            top,
            validators,
        } => {
            tracing::debug!(%url, "polling");
            let result = fetch_if_changed(&url, &options.fetch, &validators);
            Done::Listing {
                source,
                url,
                top,
                result,
            }
        }
        Job::Article { source, link } => {
            tracing::debug!(url = %link.url, "fetching");
            let result =
                fetch_if_changed(&link.url, &options.fetch, &Validators::default()).and_then(|o| match o {
                    Outcome::Fetched(f) => Ok(f),
                    Outcome::NotModified => Err(FetchError::Status {
                        url: link.url.clone(),
                        status: 304,
                    }),
                });
            Done::Article { source, link, result }
        }
    };
    (done, verdict.crawl_delay)
}

/// The host a URL's requests are paced by (`host:port`).
fn host_of(url: &str) -> String {
    url::Url::parse(url)
        .ok()
        .and_then(|u| {
            let host = u.host_str()?.to_ascii_lowercase();
            Some(match u.port() {
                Some(port) => format!("{host}:{port}"),
                None => host,
            })
        })
        .unwrap_or_default()
}

struct Watcher<'a, 'p> {
    store: &'a mut dyn Store,
    options: &'a WatchOptions,
    robots: &'a RobotsCache,
    polls: HashMap<String, Poll>,
    /// Article URLs queued or being fetched, so two sources naming one
    /// article fetch it once.
    queued: HashSet<String>,
    /// Sources polled in this run (what `once` goes by).
    polled: HashSet<String>,
    sources: Vec<WatchedSource>,
    reloaded: Option<Instant>,
    tally: Tally,
    on_poll: &'p mut dyn FnMut(&mut dyn Store, &PollReport),
}

impl Watcher<'_, '_> {
    fn run(
        &mut self,
        queue: &HostQueue<Job>,
        results: &Receiver<Done>,
        stop: &AtomicBool,
    ) -> Result<(), WatchError> {
        let mut warned_empty = false;
        loop {
            if stop.load(Ordering::Relaxed) {
                return Ok(());
            }
            self.schedule(queue)?;
            if self.sources.is_empty() && !warned_empty {
                tracing::warn!("no sources to watch yet: add one with `storyline sources add URL`");
                warned_empty = true;
            }
            let round_done = self.sources.iter().all(|s| self.polled.contains(&s.url));
            if self.options.once && self.polls.is_empty() && round_done {
                return Ok(());
            }
            match results.recv_timeout(Duration::from_millis(200)) {
                Ok(done) => self.handle(done, queue)?,
                Err(RecvTimeoutError::Timeout) => {}
                Err(RecvTimeoutError::Disconnected) => return Ok(()),
            }
        }
    }

    /// Reads the sources again now and then, and starts the polls that are due.
    fn schedule(&mut self, queue: &HostQueue<Job>) -> Result<(), WatchError> {
        if self.reloaded.is_none_or(|at| at.elapsed() >= RELOAD_SOURCES) {
            self.sources = self.store.watched_sources()?;
            self.reloaded = Some(Instant::now());
        }
        let now = Utc::now();
        for source in &self.sources {
            if self.polls.contains_key(&source.url) {
                continue;
            }
            let due = if self.options.once {
                !self.polled.contains(&source.url)
            } else {
                source
                    .state
                    .next_due
                    .as_deref()
                    .and_then(|d| DateTime::parse_from_rfc3339(d).ok())
                    .is_none_or(|due| due <= now)
            };
            if !due {
                continue;
            }
            tracing::info!(url = %source.url, "polling source");
            self.polled.insert(source.url.clone());
            self.tally.polls += 1;
            let validators = Validators {
                etag: source.state.etag.clone(),
                last_modified: source.state.last_modified.clone(),
            };
            queue.push(
                &host_of(&source.url),
                Job::Listing {
                    source: source.url.clone(),
                    url: source.url.clone(),
                    top: true,
                    validators,
                },
            );
            self.polls.insert(
                source.url.clone(),
                Poll {
                    source: source.clone(),
                    outstanding: 1,
                    validators: None,
                    feed_title: None,
                    failed: None,
                    incomplete: false,
                    stored: 0,
                    updated: 0,
                },
            );
        }
        Ok(())
    }

    fn handle(&mut self, done: Done, queue: &HostQueue<Job>) -> Result<(), WatchError> {
        for file in self.robots.take_fetched() {
            self.store.save_robots_file(&file)?;
        }
        let source = match done {
            Done::Listing {
                source,
                url,
                top,
                result,
            } => {
                self.listed(&source, &url, top, result, queue)?;
                source
            }
            Done::Article { source, link, result } => {
                self.queued.remove(&link.url);
                match result {
                    Ok(fetched) => self.store_page(&source, &link, &fetched)?,
                    Err(e) => self.fetch_failed(&source, &link.url, e)?,
                }
                source
            }
            Done::Disallowed {
                source,
                url,
                top,
                article,
            } => {
                tracing::info!(%url, "robots.txt disallows it; skipped");
                self.tally.disallowed += 1;
                if article {
                    self.queued.remove(&url);
                }
                if let Some(poll) = self.polls.get_mut(&source) {
                    if top {
                        poll.failed = Some(format!("{url}: robots.txt disallows fetching it"));
                    }
                }
                source
            }
        };
        if let Some(poll) = self.polls.get_mut(&source) {
            poll.outstanding = poll.outstanding.saturating_sub(1);
            if poll.outstanding == 0 {
                self.finish(&source)?;
            }
        }
        Ok(())
    }

    /// A source's document, or a sitemap of its index, came back.
    fn listed(
        &mut self,
        source: &str,
        url: &str,
        top: bool,
        result: Result<Outcome, FetchError>,
        queue: &HostQueue<Job>,
    ) -> Result<(), WatchError> {
        let fetched = match result {
            Ok(Outcome::Fetched(f)) => f,
            Ok(Outcome::NotModified) => {
                tracing::info!(%url, "not modified");
                self.tally.not_modified += 1;
                return Ok(());
            }
            Err(e) => {
                tracing::warn!("poll failed: {e}");
                self.tally.poll_errors += 1;
                self.problem(url, &e.to_string());
                if let Some(poll) = self.polls.get_mut(source) {
                    if top {
                        poll.failed = Some(e.to_string());
                    } else {
                        poll.incomplete = true;
                    }
                }
                return Ok(());
            }
        };
        if top {
            if let Some(poll) = self.polls.get_mut(source) {
                poll.validators = Some(fetched.validators.clone());
            }
        }
        match discover(url, fetched.media_type.as_deref(), &fetched.bytes) {
            Discovery::Feed { title, links } => {
                if let Some(poll) = self.polls.get_mut(source) {
                    poll.feed_title = title;
                }
                self.queue_articles(source, links, queue)?;
            }
            Discovery::Sitemap(links) => self.queue_articles(source, links, queue)?,
            Discovery::SitemapIndex(children) if top => self.queue_sitemaps(source, children, queue),
            Discovery::SitemapIndex(_) => {
                self.problem(url, "a sitemap index inside a sitemap index; not followed")
            }
            Discovery::Page if top => match self.index_links(url, &fetched) {
                // A section front or a blog's list of posts: what it links to.
                Some(links) => self.queue_articles(source, links, queue)?,
                None => {
                    let link = Link {
                        url: url.to_string(),
                        ..Default::default()
                    };
                    self.store_page(source, &link, &fetched)?;
                }
            },
            Discovery::Page => self.problem(url, "named by a sitemap index but not a sitemap"),
        }
        Ok(())
    }

    /// The pages a watched HTML page links to when it is an index of
    /// other pages (see `storyline_ingest::html::index_links`); `None` for
    /// an article page, or an index that links to none on its own site.
    fn index_links(&self, url: &str, fetched: &Fetched) -> Option<Vec<Link>> {
        let format = fetched
            .media_type
            .as_deref()
            .and_then(Format::from_media_type)
            .unwrap_or_else(|| Format::sniff(&fetched.bytes));
        if format != Format::Html {
            return None;
        }
        let page = decode_served(&fetched.bytes, fetched.charset.as_deref(), true);
        let links = index_links(url, &page, &self.options.limits)?;
        (!links.is_empty()).then(|| {
            links
                .into_iter()
                .map(|l| Link {
                    url: l.url,
                    title: Some(l.title),
                    published: None,
                })
                .collect()
        })
    }

    /// Queues the newest sitemaps of an index (the rest wait for a later poll).
    fn queue_sitemaps(&mut self, source: &str, mut children: Vec<Link>, queue: &HostQueue<Job>) {
        children.sort_by_key(|l| std::cmp::Reverse(l.published));
        let Some(poll) = self.polls.get_mut(source) else {
            return;
        };
        if children.len() > self.options.max_child_sitemaps {
            children.truncate(self.options.max_child_sitemaps);
        }
        for child in children {
            poll.outstanding += 1;
            queue.push(
                &host_of(&child.url),
                Job::Listing {
                    source: source.to_string(),
                    url: child.url,
                    top: false,
                    validators: Validators::default(),
                },
            );
        }
    }

    /// Queues the links not fetched before, newest first, up to the per-poll cap.
    fn queue_articles(
        &mut self,
        source: &str,
        links: Vec<Link>,
        queue: &HostQueue<Job>,
    ) -> Result<(), WatchError> {
        let fresh: Vec<Link> = links
            .into_iter()
            .filter(|l| !self.queued.contains(&l.url))
            .collect();
        let urls: Vec<String> = fresh.iter().map(|l| l.url.clone()).collect();
        let seen = self.store.fetched_before(&urls)?;
        let mut new: Vec<Link> = fresh.into_iter().filter(|l| !seen.contains(&l.url)).collect();
        new.sort_by_key(|l| std::cmp::Reverse(l.published));
        let Some(poll) = self.polls.get_mut(source) else {
            return Ok(());
        };
        if new.len() > self.options.max_new_per_poll {
            new.truncate(self.options.max_new_per_poll);
            poll.incomplete = true;
        }
        tracing::info!(%source, new = new.len(), already = seen.len(), "links found");
        self.tally.discovered += new.len() as u64;
        for link in new {
            poll.outstanding += 1;
            self.queued.insert(link.url.clone());
            queue.push(
                &host_of(&link.url),
                Job::Article {
                    source: source.to_string(),
                    link,
                },
            );
        }
        Ok(())
    }

    /// Parses a fetched page into an article and stores it with the record of its URL.
    fn store_page(&mut self, source: &str, link: &Link, fetched: &Fetched) -> Result<(), WatchError> {
        let served = fetched.media_type.as_deref();
        let format = served.and_then(Format::from_media_type);
        if let (Some(media), None) = (served, format) {
            return self.reject(link, &format!("served as {media}, not an article page"));
        }
        let limits = self.options.limits;
        let parsed = parse_served(
            &link.url,
            &fetched.bytes,
            format,
            fetched.charset.as_deref(),
            &limits,
        );
        for warning in &parsed.warnings {
            self.problem(&link.url, &warning.reason);
        }
        let name = self.polls.get(source).and_then(|p| p.source.name.clone());
        let feed_title = self.polls.get(source).and_then(|p| p.feed_title.clone());
        let mut articles = Vec::new();
        let mut records = Vec::new();
        for located in parsed.drafts {
            let mut draft = located.draft;
            for done in draft.bound(&limits) {
                self.problem(&link.url, &done.what);
            }
            // The page's canonical link, else where the redirects led.
            draft.url = draft.url.or_else(|| Some(fetched.url.clone()));
            draft.source = name
                .clone()
                .or(draft.source)
                .or_else(|| feed_title.clone())
                .or_else(|| Some(host_of(&link.url)).filter(|h| !h.is_empty()));
            draft.title = draft.title.or_else(|| link.title.clone());
            draft.published = draft.published.or(link.published.map(Published::Instant));
            match draft.finish() {
                Ok(article) => {
                    records.push(record(
                        &link.url,
                        FetchOutcome::Stored,
                        Some(article.id.clone()),
                        None,
                    ));
                    articles.push(article);
                }
                Err(e) => records.push(record(
                    &link.url,
                    FetchOutcome::Rejected,
                    None,
                    Some(e.to_string()),
                )),
            }
        }
        for rejection in &parsed.rejected {
            records.push(record(
                &link.url,
                FetchOutcome::Rejected,
                None,
                Some(rejection.reason.clone()),
            ));
            self.problem(&link.url, &rejection.reason);
        }
        if records.is_empty() {
            return self.reject(link, "no article found on the page");
        }
        let outcomes = self.store.store_fetched(&articles, &records)?;
        self.tally.rejected += records
            .iter()
            .filter(|r| r.outcome == FetchOutcome::Rejected)
            .count() as u64;
        let poll = self.polls.get_mut(source);
        let (mut stored, mut updated) = (0, 0);
        for (article, outcome) in articles.iter().zip(outcomes) {
            match outcome {
                Upsert::Inserted => stored += 1,
                Upsert::Updated => updated += 1,
                Upsert::Unchanged => self.tally.unchanged += 1,
            }
            tracing::info!(url = %link.url, id = %article.id, title = %article.title, "{outcome:?}");
        }
        self.tally.stored += stored;
        self.tally.updated += updated;
        if let Some(poll) = poll {
            poll.stored += stored;
            poll.updated += updated;
        }
        Ok(())
    }

    /// Records a final rejection of an article URL, so it is not fetched again.
    fn reject(&mut self, link: &Link, reason: &str) -> Result<(), WatchError> {
        self.problem(&link.url, reason);
        self.tally.rejected += 1;
        let records = [record(
            &link.url,
            FetchOutcome::Rejected,
            None,
            Some(reason.to_string()),
        )];
        self.store.store_fetched(&[], &records)?;
        Ok(())
    }

    fn fetch_failed(&mut self, source: &str, url: &str, error: FetchError) -> Result<(), WatchError> {
        tracing::warn!("{error}");
        if is_final(&error) {
            return self.reject(
                &Link {
                    url: url.to_string(),
                    ..Default::default()
                },
                &error.to_string(),
            );
        }
        self.problem(url, &error.to_string());
        self.tally.fetch_errors += 1;
        if let Some(poll) = self.polls.get_mut(source) {
            poll.incomplete = true;
        }
        Ok(())
    }

    /// Saves what the poll learned and when the source is due next.
    fn finish(&mut self, source: &str) -> Result<(), WatchError> {
        let Some(poll) = self.polls.remove(source) else {
            return Ok(());
        };
        let now = Utc::now();
        let interval = Duration::from_secs(poll.source.interval_secs.max(1));
        let mut state = FetchState {
            last_polled: Some(now.to_rfc3339()),
            ..poll.source.state.clone()
        };
        let wait = match &poll.failed {
            Some(error) => {
                state.errors = state.errors.saturating_add(1);
                state.last_error = Some(error.clone());
                backoff(interval, state.errors)
            }
            None => {
                state.errors = 0;
                state.last_error = None;
                match (&poll.validators, poll.incomplete) {
                    (Some(v), false) => {
                        state.etag = v.etag.clone();
                        state.last_modified = v.last_modified.clone();
                    }
                    (_, true) => {
                        state.etag = None;
                        state.last_modified = None;
                    }
                    (None, false) => {}
                }
                interval
            }
        };
        let next = now + chrono::Duration::from_std(wait).unwrap_or(chrono::Duration::hours(24));
        state.next_due = Some(next.to_rfc3339());
        self.store.save_fetch_state(source, &state)?;
        if let Some(listed) = self.sources.iter_mut().find(|s| s.url == source) {
            listed.state = state;
        }
        tracing::info!(%source, stored = poll.stored, updated = poll.updated, "poll done");
        if poll.stored + poll.updated > 0 {
            let report = PollReport {
                source: source.to_string(),
                stored: poll.stored,
                updated: poll.updated,
            };
            (self.on_poll)(&mut *self.store, &report);
        }
        Ok(())
    }

    fn problem(&mut self, url: &str, reason: &str) {
        self.tally.note(Problem {
            url: url.to_string(),
            reason: reason.to_string(),
        });
    }
}

fn record(url: &str, outcome: FetchOutcome, article_id: Option<String>, note: Option<String>) -> FetchedUrl {
    FetchedUrl {
        url: url.to_string(),
        outcome,
        article_id,
        note,
    }
}

/// A failure that asking again will not mend: the URL is recorded and left alone.
fn is_final(error: &FetchError) -> bool {
    match error {
        FetchError::Status { status, .. } => (400..500).contains(status) && !matches!(status, 408 | 429),
        FetchError::Scheme { .. } | FetchError::PrivateAddress { .. } | FetchError::TooLarge { .. } => true,
        FetchError::Transport { .. } => false,
    }
}

/// The wait after `errors` failed polls in a row: the interval doubled per
/// failure, at most a day (never less than the interval).
fn backoff(interval: Duration, errors: u32) -> Duration {
    let factor = 1u32 << errors.min(10);
    interval.saturating_mul(factor).min(MAX_BACKOFF).max(interval)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failing_sources_back_off_to_a_day() {
        let ten = Duration::from_secs(600);
        assert_eq!(backoff(ten, 1), Duration::from_secs(1200));
        assert_eq!(backoff(ten, 3), Duration::from_secs(4800));
        assert_eq!(backoff(ten, 30), MAX_BACKOFF);
        let two_days = Duration::from_secs(2 * 86_400);
        assert_eq!(backoff(two_days, 2), two_days, "never sooner than the interval");
    }

    #[test]
    fn only_lasting_failures_are_final() {
        let status = |status| FetchError::Status {
            url: "u".into(),
            status,
        };
        assert!(is_final(&status(404)));
        assert!(is_final(&status(410)));
        assert!(!is_final(&status(429)));
        assert!(!is_final(&status(503)));
        assert!(!is_final(&FetchError::Transport {
            url: "u".into(),
            message: "timed out".into()
        }));
    }

    #[test]
    fn hosts_keep_their_port() {
        assert_eq!(host_of("http://127.0.0.1:8080/a"), "127.0.0.1:8080");
        assert_eq!(host_of("https://News.Example/a"), "news.example");
    }
}
