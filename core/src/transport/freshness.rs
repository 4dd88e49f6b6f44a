//! How long a fetched document (discovery, RFC 8414 metadata, JWKS) may be reused: what the
//! server's `Cache-Control` and `Age` say, held between a floor and a ceiling of our own.

use headers::{Age, CacheControl, HeaderMapExt};
use std::time::Duration;

/// What an answer's headers say about its reuse: `max-age` less `Age` (RFC 9111 §4.2.3);
/// zero for `no-store` or `no-cache` (the document must not be reused without asking again);
/// `None` when there is no `Cache-Control` or it has neither. `s-maxage` is for shared
/// caches and ignored here.
pub fn max_age(headers: &reqwest::header::HeaderMap) -> Option<Duration> {
    let control: CacheControl = headers.typed_get()?;
    if control.no_store() || control.no_cache() {
        return Some(Duration::ZERO);
    }
    let age = headers
        .typed_get::<Age>()
        .map_or(Duration::ZERO, |a| Duration::from_secs(a.as_secs()));
    control.max_age().map(|m| m.saturating_sub(age))
}

/// The reuse rule of one kind of document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Policy {
    /// When the server says nothing.
    pub default: Duration,
    /// Never fetched again sooner, whatever the server says: a `no-cache` or `max-age=0`
    /// document would otherwise be fetched before every token request.
    pub floor: Duration,
    /// Never kept longer: a mistaken year-long `max-age` must not pin endpoints or keys.
    pub ceiling: Duration,
}

impl Policy {
    /// How long to reuse a document whose answer said `max_age` (see [`max_age`]).
    pub fn lifetime(&self, max_age: Option<Duration>) -> Duration {
        max_age
            .unwrap_or(self.default)
            .clamp(self.floor, self.ceiling)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::{HeaderMap, HeaderValue};

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.append(*k, HeaderValue::from_static(v));
        }
        h
    }

    #[test]
    fn what_the_headers_say() {
        assert_eq!(max_age(&headers(&[])), None);
        assert_eq!(
            max_age(&headers(&[("cache-control", "public, max-age=600")])),
            Some(Duration::from_secs(600))
        );
        assert_eq!(
            max_age(&headers(&[
                ("cache-control", "max-age=600"),
                ("age", "100")
            ])),
            Some(Duration::from_secs(500))
        );
        assert_eq!(
            max_age(&headers(&[("cache-control", "max-age=60"), ("age", "100")])),
            Some(Duration::ZERO)
        );
        assert_eq!(
            max_age(&headers(&[("cache-control", "no-store")])),
            Some(Duration::ZERO)
        );
        assert_eq!(
            max_age(&headers(&[("cache-control", "no-cache, max-age=600")])),
            Some(Duration::ZERO)
        );
        // Only for shared caches.
        assert_eq!(
            max_age(&headers(&[("cache-control", "s-maxage=600")])),
            None
        );
        // Unparsable: as if absent.
        assert_eq!(
            max_age(&headers(&[("cache-control", "max-age=soon")])),
            None
        );
    }

    #[test]
    fn floor_and_ceiling() {
        let p = Policy {
            default: Duration::from_secs(3600),
            floor: Duration::from_secs(60),
            ceiling: Duration::from_secs(86400),
        };
        assert_eq!(p.lifetime(None), Duration::from_secs(3600));
        assert_eq!(p.lifetime(Some(Duration::ZERO)), Duration::from_secs(60));
        assert_eq!(
            p.lifetime(Some(Duration::from_secs(300))),
            Duration::from_secs(300)
        );
        assert_eq!(
            p.lifetime(Some(Duration::from_secs(365 * 86400))),
            Duration::from_secs(86400)
        );
    }
}
