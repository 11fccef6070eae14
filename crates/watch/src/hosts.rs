//! The fetch queue: one request at a time per host, a pause between them,
//! and as many hosts at once as there are workers.
//!
//! Workers `take` a job whose host is idle and rested, and give the host
//! back with `release` and the pause it needs (the configured delay, or
//! the site's Crawl-delay when longer). Taking blocks until a job is ready
//! or the queue is closed; it wakes at least every `TICK` so that a stop
//! request is noticed. What a job is and how it is done is the caller's.

use std::collections::{HashMap, VecDeque};
use std::sync::{Condvar, Mutex};
use std::time::{Duration, Instant};

/// The longest a waiting worker sleeps before looking again.
const TICK: Duration = Duration::from_millis(200);

struct Host<J> {
    queue: VecDeque<J>,
    busy: bool,
    rested_at: Instant,
}

struct Inner<J> {
    hosts: HashMap<String, Host<J>>,
    closed: bool,
}

/// Jobs waiting, by host.
pub struct HostQueue<J> {
    inner: Mutex<Inner<J>>,
    changed: Condvar,
}

impl<J> Default for HostQueue<J> {
    fn default() -> Self {
        HostQueue {
            inner: Mutex::new(Inner {
                hosts: HashMap::new(),
                closed: false,
            }),
            changed: Condvar::new(),
        }
    }
}

impl<J> HostQueue<J> {
    fn lock(&self) -> std::sync::MutexGuard<'_, Inner<J>> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Queues `job` for `host`.
    pub fn push(&self, host: &str, job: J) {
        let mut inner = self.lock();
        inner
            .hosts
            .entry(host.to_string())
            .or_insert_with(|| Host {
                queue: VecDeque::new(),
                busy: false,
                rested_at: Instant::now(),
            })
            .queue
            .push_back(job);
        self.changed.notify_one();
    }

    /// The next job whose host is free, and its host; `None` once the queue
    /// is closed (jobs still queued are dropped) or `stop` says so.
    pub fn take(&self, stop: &dyn Fn() -> bool) -> Option<(String, J)> {
        let mut inner = self.lock();
        loop {
            if inner.closed || stop() {
                return None;
            }
            let now = Instant::now();
            let mut soonest: Option<Instant> = None;
            let mut ready: Option<String> = None;
            for (name, host) in &inner.hosts {
                if host.busy || host.queue.is_empty() {
                    continue;
                }
                if host.rested_at <= now {
                    ready = Some(name.clone());
                    break;
                }
                soonest = Some(soonest.map_or(host.rested_at, |s| s.min(host.rested_at)));
            }
            if let Some(name) = ready {
                let host = inner.hosts.get_mut(&name).expect("just found");
                host.busy = true;
                let job = host.queue.pop_front().expect("not empty");
                return Some((name, job));
            }
            let wait = soonest.map_or(TICK, |s| s.saturating_duration_since(now).min(TICK));
            inner = self
                .changed
                .wait_timeout(inner, wait)
                .unwrap_or_else(|p| p.into_inner())
                .0;
        }
    }

    /// Gives `host` back after a job, to rest for `pause`.
    pub fn release(&self, host: &str, pause: Duration) {
        let mut inner = self.lock();
        if let Some(h) = inner.hosts.get_mut(host) {
            h.busy = false;
            h.rested_at = Instant::now() + pause;
            if h.queue.is_empty() && pause.is_zero() {
                inner.hosts.remove(host);
            }
        }
        self.changed.notify_all();
    }

    /// Jobs waiting (not those being done).
    pub fn waiting(&self) -> usize {
        self.lock().hosts.values().map(|h| h.queue.len()).sum()
    }

    /// Ends the queue: takers get `None` from now on.
    pub fn close(&self) {
        self.lock().closed = true;
        self.changed.notify_all();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    #[test]
    fn one_job_per_host_at_a_time_with_a_pause_between() {
        let queue = HostQueue::default();
        queue.push("a", 1);
        queue.push("a", 2);
        queue.push("b", 3);
        let never = || false;
        let (h1, j1) = queue.take(&never).unwrap();
        let (h2, j2) = queue.take(&never).unwrap();
        assert_ne!(h1, h2, "the second take goes to the other host");
        assert_eq!(j1 + j2, 4, "the first job of each host");
        // Host a is busy; its next job waits for the release and the pause.
        let queue = Arc::new(queue);
        let q = queue.clone();
        let started = Instant::now();
        let taker = std::thread::spawn(move || q.take(&|| false).map(|(h, j)| (h, j, Instant::now())));
        std::thread::sleep(Duration::from_millis(50));
        queue.release("a", Duration::from_millis(300));
        let (host, job, at) = taker.join().unwrap().unwrap();
        assert_eq!((host.as_str(), job), ("a", 2));
        assert!(
            at.duration_since(started) >= Duration::from_millis(340),
            "rested first"
        );
    }

    #[test]
    fn closing_or_stopping_ends_taking() {
        let queue: HostQueue<u32> = HostQueue::default();
        queue.push("a", 1);
        assert!(queue.take(&|| true).is_none());
        assert_eq!(queue.waiting(), 1);
        queue.close();
        assert!(queue.take(&|| false).is_none());
    }
}
