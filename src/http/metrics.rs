//! Prometheus metrics: requests by route and status, latency histograms by route, and the
//! product counters derived from them (mints by kind, logins, throttled requests,
//! revocations), served as text on their own listener (`metrics_listen`, off by default).
//!
//! Everything is counted once, in [`Metrics::observe`], from the route and status of each
//! answered request; the product counters are views of that table, so no handler has to
//! remember to count.
//!
//! # Invariants
//! - Labels come from a fixed set (route names, status codes): the number of series is
//!   bounded whatever clients send.
//! - The metrics listener serves nothing but `GET /metrics`.

use std::collections::BTreeMap;
use std::convert::Infallible;
use std::fmt::Write;
use std::sync::Mutex;
use std::time::Duration;

use bytes::Bytes;
use http_body_util::Full;
use hyper::header::{CONTENT_TYPE, HeaderValue};
use hyper::service::service_fn;
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;

/// Upper bounds of the latency histogram buckets, in seconds.
const BUCKETS: [f64; 11] = [
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0,
];

#[derive(Default)]
struct Histogram {
    /// Observations at or below each bucket's bound (not cumulative here; summed on render).
    counts: [u64; BUCKETS.len()],
    over: u64,
    sum: f64,
}

#[derive(Default)]
struct Tables {
    requests: BTreeMap<(&'static str, u16), u64>,
    latencies: BTreeMap<&'static str, Histogram>,
}

/// The counters of one server process.
#[derive(Default)]
pub struct Metrics {
    tables: Mutex<Tables>,
}

impl Metrics {
    /// Counts one answered request.
    pub fn observe(&self, route: &'static str, status: u16, elapsed: Duration) {
        let seconds = elapsed.as_secs_f64();
        let mut tables = self
            .tables
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        *tables.requests.entry((route, status)).or_default() += 1;
        let histogram = tables.latencies.entry(route).or_default();
        histogram.sum += seconds;
        match BUCKETS.iter().position(|bound| seconds <= *bound) {
            Some(index) => histogram.counts[index] += 1,
            None => histogram.over += 1,
        }
    }

    /// The Prometheus text exposition (format 0.0.4).
    pub fn render(&self) -> String {
        let tables = self
            .tables
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let mut out = String::new();
        let count =
            |route: &str, status: u16| tables.requests.get(&(route, status)).copied().unwrap_or(0);
        let sum_where = |keep: &dyn Fn(&str, u16) -> bool| -> u64 {
            tables
                .requests
                .iter()
                .filter(|((route, status), _)| keep(route, *status))
                .map(|(_, n)| n)
                .sum()
        };

        out.push_str(
            "# HELP picoauth_http_requests_total HTTP requests answered, by route and status.\n",
        );
        out.push_str("# TYPE picoauth_http_requests_total counter\n");
        for ((route, status), n) in &tables.requests {
            let _ = writeln!(
                out,
                "picoauth_http_requests_total{{route=\"{route}\",status=\"{status}\"}} {n}"
            );
        }

        out.push_str("# HELP picoauth_http_request_duration_seconds Time to answer, by route.\n");
        out.push_str("# TYPE picoauth_http_request_duration_seconds histogram\n");
        for (route, histogram) in &tables.latencies {
            let mut cumulative = 0;
            for (bound, n) in BUCKETS.iter().zip(histogram.counts) {
                cumulative += n;
                let _ = writeln!(
                    out,
                    "picoauth_http_request_duration_seconds_bucket{{route=\"{route}\",le=\"{bound}\"}} {cumulative}"
                );
            }
            let total = cumulative + histogram.over;
            let _ = writeln!(
                out,
                "picoauth_http_request_duration_seconds_bucket{{route=\"{route}\",le=\"+Inf\"}} {total}"
            );
            let _ = writeln!(
                out,
                "picoauth_http_request_duration_seconds_sum{{route=\"{route}\"}} {}",
                histogram.sum
            );
            let _ = writeln!(
                out,
                "picoauth_http_request_duration_seconds_count{{route=\"{route}\"}} {total}"
            );
        }

        out.push_str("# HELP picoauth_tokens_minted_total Access tokens minted over HTTP, by kind (refresh: a user or wallet token from /refresh).\n");
        out.push_str("# TYPE picoauth_tokens_minted_total counter\n");
        for (kind, route) in [
            ("user", "login"),
            ("wallet", "sign-in"),
            ("fleet", "fleet/sessions"),
            ("refresh", "refresh"),
        ] {
            let _ = writeln!(
                out,
                "picoauth_tokens_minted_total{{kind=\"{kind}\"}} {}",
                count(route, 200)
            );
        }

        out.push_str("# HELP picoauth_logins_total Password logins, by outcome.\n");
        out.push_str("# TYPE picoauth_logins_total counter\n");
        let _ = writeln!(
            out,
            "picoauth_logins_total{{outcome=\"ok\"}} {}",
            count("login", 200)
        );
        let failed = sum_where(&|route, status| route == "login" && matches!(status, 401 | 403));
        let _ = writeln!(out, "picoauth_logins_total{{outcome=\"failed\"}} {failed}");

        out.push_str(
            "# HELP picoauth_throttled_requests_total Requests refused with 429, by route.\n",
        );
        out.push_str("# TYPE picoauth_throttled_requests_total counter\n");
        for ((route, status), n) in &tables.requests {
            if *status == 429 {
                let _ = writeln!(
                    out,
                    "picoauth_throttled_requests_total{{route=\"{route}\"}} {n}"
                );
            }
        }

        out.push_str("# HELP picoauth_revocations_total Revocations accepted over HTTP (repeats included).\n");
        out.push_str("# TYPE picoauth_revocations_total counter\n");
        let _ = writeln!(out, "picoauth_revocations_total {}", count("revoke", 200));
        out
    }
}

/// Serves `GET /metrics` on `listener` until the task is dropped.
pub async fn serve_metrics(listener: TcpListener, metrics: std::sync::Arc<Metrics>) {
    loop {
        let Ok((stream, _)) = listener.accept().await else {
            // Out of file descriptors and the like: back off instead of spinning.
            tokio::time::sleep(Duration::from_millis(100)).await;
            continue;
        };
        let metrics = std::sync::Arc::clone(&metrics);
        let service = service_fn(move |request: Request<hyper::body::Incoming>| {
            let metrics = std::sync::Arc::clone(&metrics);
            async move {
                let mut response = if request.uri().path() == "/metrics" {
                    Response::new(Full::new(Bytes::from(metrics.render())))
                } else {
                    let mut response = Response::new(Full::new(Bytes::from_static(b"not found\n")));
                    *response.status_mut() = StatusCode::NOT_FOUND;
                    response
                };
                response.headers_mut().insert(
                    CONTENT_TYPE,
                    HeaderValue::from_static("text/plain; version=0.0.4; charset=utf-8"),
                );
                Ok::<_, Infallible>(response)
            }
        });
        tokio::spawn(async move {
            let _ = hyper::server::conn::http1::Builder::new()
                .serve_connection(TokioIo::new(stream), service)
                .await;
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counters_and_views() {
        let metrics = Metrics::default();
        metrics.observe("login", 200, Duration::from_millis(20));
        metrics.observe("login", 401, Duration::from_millis(20));
        metrics.observe("login", 429, Duration::from_micros(100));
        metrics.observe("fleet/sessions", 200, Duration::from_secs(2));
        let text = metrics.render();
        for line in [
            "picoauth_http_requests_total{route=\"login\",status=\"401\"} 1",
            "picoauth_http_request_duration_seconds_bucket{route=\"login\",le=\"0.025\"} 3",
            "picoauth_http_request_duration_seconds_bucket{route=\"fleet/sessions\",le=\"+Inf\"} 1",
            "picoauth_http_request_duration_seconds_bucket{route=\"fleet/sessions\",le=\"1\"} 0",
            "picoauth_tokens_minted_total{kind=\"fleet\"} 1",
            "picoauth_logins_total{outcome=\"ok\"} 1",
            "picoauth_logins_total{outcome=\"failed\"} 1",
            "picoauth_throttled_requests_total{route=\"login\"} 1",
            "picoauth_revocations_total 0",
        ] {
            assert!(text.contains(line), "missing {line} in\n{text}");
        }
    }
}
