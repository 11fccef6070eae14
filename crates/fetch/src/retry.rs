//! When to ask a server again after it said "not now" (429, or a 5xx that
//! may pass): after its `Retry-After` when it gives one, else after a
//! delay that doubles with each attempt, with jitter so that many clients
//! turned away together do not return together; never longer than a cap.

use std::time::{Duration, SystemTime};

/// Statuses worth asking again for: too many requests, and server errors
/// that are often temporary.
pub fn retryable(status: u16) -> bool {
    matches!(status, 429 | 500 | 502 | 503 | 504)
}

/// A `Retry-After` value: seconds, or an HTTP date (a date in the past
/// means now).
pub fn parse_retry_after(value: &str, now: SystemTime) -> Option<Duration> {
    let value = value.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let at = httpdate::parse_http_date(value).ok()?;
    Some(at.duration_since(now).unwrap_or(Duration::ZERO))
}

/// How long to wait before attempt `attempt + 1` (counting from 0): the
/// server's `Retry-After` if given, else `base` × 2^attempt plus up to
/// half of that again as jitter; at most `cap`. `jitter` is a number in
/// [0, 1) that the caller draws.
pub fn delay(
    attempt: u32,
    retry_after: Option<Duration>,
    base: Duration,
    cap: Duration,
    jitter: f64,
) -> Duration {
    let wait = match retry_after {
        Some(asked) => asked,
        None => {
            let backoff = base.saturating_mul(1u32 << attempt.min(16));
            backoff + backoff.mul_f64(jitter.clamp(0.0, 1.0) / 2.0)
        }
    };
    wait.min(cap)
}

/// A number in [0, 1) from the clock's nanoseconds: jitter needs spread,
/// not secrecy.
pub fn clock_jitter() -> f64 {
    let nanos = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    f64::from(nanos % 1_000_000) / 1_000_000.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_in_seconds_or_as_a_date() {
        let now = httpdate::parse_http_date("Wed, 21 Oct 2026 07:28:00 GMT").unwrap();
        assert_eq!(parse_retry_after("120", now), Some(Duration::from_secs(120)));
        assert_eq!(
            parse_retry_after("Wed, 21 Oct 2026 07:28:30 GMT", now),
            Some(Duration::from_secs(30))
        );
        assert_eq!(
            parse_retry_after("Wed, 21 Oct 2026 07:00:00 GMT", now),
            Some(Duration::ZERO)
        );
        assert_eq!(parse_retry_after("soon", now), None);
    }

    #[test]
    fn backoff_doubles_with_jitter_and_is_capped() {
        let (base, cap) = (Duration::from_secs(1), Duration::from_secs(60));
        assert_eq!(delay(0, None, base, cap, 0.0), Duration::from_secs(1));
        assert_eq!(delay(2, None, base, cap, 0.0), Duration::from_secs(4));
        assert_eq!(delay(2, None, base, cap, 0.5), Duration::from_secs(5));
        assert_eq!(delay(10, None, base, cap, 0.0), cap);
        assert_eq!(
            delay(0, Some(Duration::from_secs(7)), base, cap, 0.9),
            Duration::from_secs(7)
        );
        assert_eq!(delay(0, Some(Duration::from_secs(600)), base, cap, 0.0), cap);
        assert!(retryable(429) && retryable(503) && !retryable(404) && !retryable(304));
    }
}
