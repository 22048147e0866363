//! Connections: the accept loop behind [`serve`]. A client that opens connections and sends nothing, sends its
//! request a byte at a time, or stops reading its answer, holds memory, a file descriptor and sometimes a database
//! snapshot; here each is bounded:
//! - hyper's own header-read timeout: a request's head must arrive within it, and since hyper starts it whenever
//!   it waits for a head, it is also how long an idle keep-alive connection is kept;
//! - a write timeout (`tokio-io-timeout`): a write that cannot proceed for that long fails, hyper drops the
//!   connection and the response body, and whatever fed the body (a CSV export's snapshot) stops;
//! - a cap on open connections: at the cap the oldest connection with no request in flight is closed to make room
//!   (a request that arrives meanwhile is finished first: hyper's graceful close) while accepting goes on, up to a
//!   quarter over the cap; accepting waits only when every connection is busy. Idle and half-sent connections therefore
//!   never shut out a client with a real request.
//!
//! A request body's own time limit is the GraphQL handler's (see `graphql::read_body`).

use std::collections::BTreeMap;
use std::pin::pin;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use http_body_util::BodyExt;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::sync::Notify;
use tower::ServiceExt;

use super::metrics::Metrics;

/// How connections are bounded. [`ConnectionLimits::default`] is what `send-api` serves with when no option is given.
#[derive(Debug, Clone)]
pub struct ConnectionLimits {
    /// Most connections open at once.
    pub max_connections: usize,
    /// Longest wait for a request's head, and so longest an idle connection is kept.
    pub header_timeout: Duration,
    /// Longest a write to a client may wait for the client to read.
    pub write_timeout: Duration,
}

impl ConnectionLimits {
    /// Default of [`ConnectionLimits::max_connections`].
    pub const MAX_CONNECTIONS: usize = 1024;
    /// Default of [`ConnectionLimits::header_timeout`], in seconds.
    pub const HEADER_TIMEOUT_SECS: u64 = 10;
    /// Default of [`ConnectionLimits::write_timeout`], in seconds.
    pub const WRITE_TIMEOUT_SECS: u64 = 30;
}

impl Default for ConnectionLimits {
    fn default() -> Self {
        Self {
            max_connections: Self::MAX_CONNECTIONS,
            header_timeout: Duration::from_secs(Self::HEADER_TIMEOUT_SECS),
            write_timeout: Duration::from_secs(Self::WRITE_TIMEOUT_SECS),
        }
    }
}

/// One open connection, as the accept loop sees it.
#[derive(Default)]
struct Connection {
    /// Requests being answered on it.
    busy: AtomicUsize,
    /// Asked to close.
    closing: AtomicBool,
    /// Wakes its task to close it.
    close: Notify,
}

/// The open connections, oldest first, and a signal each time one closes.
struct Open {
    connections: Mutex<BTreeMap<u64, Arc<Connection>>>,
    closed: Notify,
    metrics: Arc<Metrics>,
}

impl Open {
    fn len(&self) -> usize {
        self.connections.lock().map_or(0, |c| c.len())
    }

    fn add(&self, id: u64, connection: Arc<Connection>) {
        if let Ok(mut connections) = self.connections.lock() {
            connections.insert(id, connection);
            self.metrics.connections_open.store(connections.len(), Ordering::Relaxed);
        }
    }

    fn remove(&self, id: u64) {
        if let Ok(mut connections) = self.connections.lock() {
            connections.remove(&id);
            self.metrics.connections_open.store(connections.len(), Ordering::Relaxed);
        }
        self.closed.notify_waiters();
    }

    /// Asks the oldest connection with no request in flight to close; `false` when every one is busy or closing.
    fn close_oldest_idle(&self) -> bool {
        let Ok(connections) = self.connections.lock() else { return false };
        let idle =
            connections.values().find(|c| c.busy.load(Ordering::Acquire) == 0 && !c.closing.load(Ordering::Acquire));
        idle.is_some_and(|c| {
            c.closing.store(true, Ordering::Release);
            c.close.notify_one();
            true
        })
    }

    fn close_all(&self) {
        if let Ok(connections) = self.connections.lock() {
            for c in connections.values() {
                c.closing.store(true, Ordering::Release);
                c.close.notify_one();
            }
        }
    }

    /// Waits until fewer than `limit` connections are open.
    async fn below(&self, limit: usize) {
        loop {
            let mut closed = pin!(self.closed.notified());
            closed.as_mut().enable();
            if self.len() < limit {
                return;
            }
            closed.await;
        }
    }
}

/// Counts a request in flight on its connection while it lives.
struct Busy(Arc<Connection>);

impl Busy {
    fn new(connection: Arc<Connection>) -> Self {
        connection.busy.fetch_add(1, Ordering::AcqRel);
        Self(connection)
    }
}

impl Drop for Busy {
    fn drop(&mut self) {
        self.0.busy.fetch_sub(1, Ordering::AcqRel);
    }
}

/// Serves `app` on `listener` within `limits` (counting open connections in `metrics`) until `shutdown` resolves, then stops accepting, lets in-flight
/// requests finish and closes idle connections, and returns once every connection is closed.
pub async fn serve(
    listener: tokio::net::TcpListener,
    app: Router,
    limits: ConnectionLimits,
    metrics: Arc<Metrics>,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let open = Arc::new(Open { connections: Mutex::default(), closed: Notify::new(), metrics });
    let max = limits.max_connections.max(1);
    let mut shutdown = pin!(shutdown);
    let mut next_id = 0u64;
    // Connections asked to close take a moment to go: accepting goes on meanwhile (waiting for each close would slow
    // accepting to a crawl under a flood, and a real client's connection would wait behind the flood in the
    // kernel's queue), up to this many over the cap.
    let ceiling = max + (max / 4).max(1);
    loop {
        // Make room first: close the oldest idle connection; wait only when all are busy, or at the ceiling.
        if open.len() >= max && (!open.close_oldest_idle() || open.len() >= ceiling) {
            tokio::select! {
                () = open.below(max) => {}
                () = &mut shutdown => return drain(&open).await,
            }
        }
        let accepted = tokio::select! {
            accepted = listener.accept() => accepted,
            () = &mut shutdown => return drain(&open).await,
        };
        let stream = match accepted {
            Ok((stream, _)) => stream,
            Err(e) => {
                // Out of file descriptors, or a connection reset before it was accepted: not fatal. A short pause
                // keeps a full descriptor table from spinning the loop.
                tracing::warn!(error = %e, "cannot accept a connection");
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            }
        };
        stream.set_nodelay(true).ok();
        next_id += 1;
        let connection = Arc::new(Connection::default());
        open.add(next_id, connection.clone());
        tokio::spawn(serve_connection(stream, app.clone(), limits.clone(), connection, next_id, open.clone()));
    }
}

async fn serve_connection(
    stream: tokio::net::TcpStream,
    app: Router,
    limits: ConnectionLimits,
    connection: Arc<Connection>,
    id: u64,
    open: Arc<Open>,
) {
    let mut io = tokio_io_timeout::TimeoutStream::new(stream);
    io.set_write_timeout(Some(limits.write_timeout));
    let io = TokioIo::new(Box::pin(io));
    let counted = connection.clone();
    let service = hyper::service::service_fn(move |request: hyper::Request<Incoming>| {
        let busy = Busy::new(counted.clone());
        let app = app.clone();
        async move {
            // Busy until the body is written too (a CSV export streams long after its head).
            let response = app.oneshot(request.map(Body::new)).await;
            response.map(|r| {
                r.map(|body| {
                    Body::new(body.map_frame(move |frame| {
                        let _busy = &busy;
                        frame
                    }))
                })
            })
        }
    });
    let mut builder = hyper::server::conn::http1::Builder::new();
    builder.timer(TokioTimer::new()).header_read_timeout(limits.header_timeout);
    let mut served = pin!(builder.serve_connection(io, service));
    let closing = connection.close.notified();
    tokio::select! {
        result = served.as_mut() => log_end(result),
        () = closing => {
            // With no request in flight nothing is being answered: closing at once frees the place now (hyper's
            // graceful close would wait for a half-sent head until its timeout). A request in flight finishes.
            if connection.busy.load(Ordering::Acquire) > 0 {
                served.as_mut().graceful_shutdown();
                log_end(served.await);
            }
        }
    }
    open.remove(id);
}

/// Connections end with an error when a client goes away or a timeout closes them: routine, so only at debug level.
fn log_end(result: Result<(), hyper::Error>) {
    if let Err(e) = result {
        tracing::debug!(error = %e, "connection closed");
    }
}

/// After shutdown: closes idle connections, lets busy ones finish their request, and waits for all of them.
async fn drain(open: &Open) -> std::io::Result<()> {
    open.close_all();
    open.below(1).await;
    Ok(())
}
