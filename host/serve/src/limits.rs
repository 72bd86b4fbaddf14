//! What one client may cost the service: body sizes, batch size, how long
//! headers and bodies may take to arrive, and how many connections are
//! served at once. Every limit is a `kitei serve` flag; the defaults are
//! safe for a service on a bank platform's internal network.

use std::time::Duration;

/// The service's HTTP limits.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct HttpLimits {
    /// largest body of `POST /v1/decisions`, in bytes (413 beyond)
    pub body_bytes: usize,
    /// largest body of `POST /v1/decisions/batch`, in bytes (413 beyond)
    pub batch_body_bytes: usize,
    /// most requests in one batch (413 beyond)
    pub batch_requests: usize,
    /// time for a request's headers to arrive, and for the next request on
    /// an idle kept-alive connection; the connection is closed after it
    pub header_timeout: Duration,
    /// time for a request's body to arrive once its headers have (408 after)
    pub body_timeout: Duration,
    /// connections served at once; more wait in the listen backlog
    pub connections: usize,
}

impl Default for HttpLimits {
    /// 64 KiB per decision; batches of at most 1,000 requests and 4 MiB;
    /// 10 s for headers and 10 s for a body; 1,024 connections.
    fn default() -> Self {
        HttpLimits {
            body_bytes: 64 << 10,
            batch_body_bytes: 4 << 20,
            batch_requests: 1000,
            header_timeout: Duration::from_secs(10),
            body_timeout: Duration::from_secs(10),
            connections: 1024,
        }
    }
}
