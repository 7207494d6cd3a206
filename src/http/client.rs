//! The one pooled upstream client: HTTP/1.1 on kept connections, a deadline around every call,
//! failures classified by cause.
//!
//! Connections are made by [`connect`](super::connect) (directly or through the environment's proxy, TLS for
//! `https://`) and spoken to by [`wire`], in the calling task. A connection whose answer left
//! it usable is kept, per destination, for the next call: at most [`MAX_IDLE`] each, for at
//! most [`IDLE`], the most recently used taken first. A kept connection is looked at before it
//! is used (a vendor closes idle connections when it likes): one that has anything to read, an
//! end above all, is dropped, so no request is sent on a connection known to be closed. One
//! the vendor closes in the very instant it is used fails as a vendor that hung up does; the
//! call is not made again here (it may have been carried out), only as the upstream's retry
//! policy allows.
//!
//! Where the process runs serving workers ([`workers`]), each worker keeps connections of its
//! own: a worker's calls use its connections only, so they stay on its thread and no lock is
//! contended.

use super::connect::{Connection, Connector, Origin};
use super::{wire, workers};
use crate::exchange::Reply;
use bytes::Bytes;
use http::{HeaderName, HeaderValue, Method, header};
use std::sync::atomic::{AtomicU16, Ordering};
use std::sync::{Arc, Mutex, OnceLock, Weak};
use std::time::Duration;
use tokio::time::Instant;

/// How long a connection is kept unused.
pub const IDLE: Duration = Duration::from_secs(60);
/// The most connections kept unused per destination, per worker.
pub const MAX_IDLE: usize = 64;

/// Why a call did not produce an answer.
#[derive(Debug, thiserror::Error)]
pub enum CallError {
    /// No answer within this time.
    #[error("no answer within {0:?}")]
    Timeout(Duration),
    /// The answer's head (its status given) came, but not all of its body within this time.
    #[error("answered {1}, but its body did not arrive within {0:?}")]
    BodyTimeout(Duration, u16),
    /// The connection could not be made, for the reason given.
    #[error("could not connect: {0}")]
    Connect(String),
    /// The connection failed during the exchange, for the reason given.
    #[error("the connection failed: {0}")]
    Transport(String),
    /// The answer is larger than this many bytes.
    #[error("the answer is larger than {0} bytes")]
    TooLarge(usize),
    /// The request cannot be sent as it is (its URL), for the reason given.
    #[error("the request cannot be sent: {0}")]
    Unsendable(String),
}

impl From<wire::WireError> for CallError {
    fn from(e: wire::WireError) -> CallError {
        match e {
            wire::WireError::TooLarge(n) => CallError::TooLarge(n),
            other => CallError::Transport(other.to_string()),
        }
    }
}

/// A request to send.
pub struct Outbound<'a> {
    /// The method.
    pub method: &'a Method,
    /// Where it goes.
    pub origin: &'a Origin,
    /// The request target (path and query), checked here.
    pub target: &'a str,
    /// The header fields, in order (`Host` and the body's length are added).
    pub headers: &'a [(HeaderName, HeaderValue)],
    /// The body.
    pub body: &'a Bytes,
}

/// Cheap to clone; every clone shares the same connections.
#[derive(Clone)]
pub struct Client {
    shared: Arc<Shared>,
    max_body: usize,
}

/// The connector, and the kept connections of each serving worker and of every other thread,
/// each set made on first use.
struct Shared {
    connector: Connector,
    pools: Box<[OnceLock<Arc<Pool>>]>,
}

/// Connections kept unused, by destination, the most recently used last in each. Grouped: a
/// call finds its destination's connections among a few destinations, not among every kept
/// connection (a few dozen under load, all to the one vendor).
#[derive(Default)]
struct Pool {
    idle: Mutex<Vec<(Origin, Vec<Idle>)>>,
}

struct Idle {
    connection: Connection,
    since: Instant,
}

impl Idle {
    /// Whether the connection may carry a call at `now`: not kept too long, nothing to read.
    fn usable(&self, now: Instant) -> bool {
        now - self.since < IDLE && self.connection.stream.is_quiet()
    }
}

impl Shared {
    /// The connections of this thread: its worker's, or the ones of every other thread.
    fn here(&self) -> &Pool {
        let last = self.pools.len() - 1;
        let slot = workers::current().map_or(last, |i| i.min(last));
        self.pools[slot].get_or_init(|| {
            let pool = Arc::new(Pool::default());
            if let Ok(runtime) = tokio::runtime::Handle::try_current() {
                runtime.spawn(sweep(Arc::downgrade(&pool)));
            }
            pool
        })
    }
}

/// Closes the connections of `pool` kept too long or closed by the vendor, now and then,
/// until the pool is gone.
async fn sweep(pool: Weak<Pool>) {
    let mut every = tokio::time::interval(IDLE / 4);
    every.tick().await;
    loop {
        every.tick().await;
        let Some(pool) = pool.upgrade() else { return };
        let now = Instant::now();
        let mut groups = pool.lock();
        for (_, idle) in groups.iter_mut() {
            idle.retain(|i| i.usable(now));
        }
        groups.retain(|(_, idle)| !idle.is_empty());
    }
}

impl Pool {
    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<(Origin, Vec<Idle>)>> {
        // A call that panicked holding the lock left a list of whole entries.
        self.idle.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The most recently kept usable connection to `origin`; the unusable ones met on the way
    /// are dropped.
    fn take(&self, origin: &Origin) -> Option<Connection> {
        let mut groups = self.lock();
        let idle = groups
            .iter_mut()
            .find(|(o, _)| o == origin)
            .map(|(_, idle)| idle)?;
        let now = Instant::now();
        while let Some(found) = idle.pop() {
            if found.usable(now) {
                return Some(found.connection);
            }
        }
        None
    }

    /// Keeps `connection` unless `MAX_IDLE` to `origin` are kept already.
    fn keep(&self, origin: &Origin, connection: Connection) {
        let mut groups = self.lock();
        let at = match groups.iter().position(|(o, _)| o == origin) {
            Some(at) => at,
            None => {
                groups.push((origin.clone(), Vec::new()));
                groups.len() - 1
            }
        };
        let idle = &mut groups[at].1;
        if idle.len() < MAX_IDLE {
            idle.push(Idle {
                connection,
                since: Instant::now(),
            });
        }
    }
}

impl Client {
    /// A client whose connections give up connecting after `connect_timeout`, that reads
    /// answers of at most `max_body` bytes and trusts `roots`, with the proxies of the
    /// environment as it is now.
    pub fn new(
        connect_timeout: Duration,
        max_body: usize,
        roots: Arc<rustls::RootCertStore>,
    ) -> Client {
        // The workers running now, and one more set for every other thread.
        let pools = (0..=workers::count()).map(|_| OnceLock::new()).collect();
        Client {
            shared: Arc::new(Shared {
                connector: Connector::new(connect_timeout, roots),
                pools,
            }),
            max_body,
        }
    }

    /// Sends one request and reads the whole answer within `deadline`.
    pub async fn call(
        &self,
        request: Outbound<'_>,
        deadline: Duration,
    ) -> Result<Reply, CallError> {
        let origin = request.origin;
        let target = Origin::target(request.target).ok_or_else(|| {
            CallError::Unsendable(format!(
                "{:?} cannot be sent as a request target",
                request.target
            ))
        })?;
        let pool = self.shared.here();
        // The status of an answer whose head has come, 0 before.
        let heard = AtomicU16::new(0);
        let work = async {
            let mut connection = match pool.take(origin) {
                Some(kept) => kept,
                None => {
                    // Boxed: only a new connection needs this state, and every call's future
                    // would otherwise carry room for it (and copy it as it is moved).
                    let made = Box::pin(self.shared.connector.connect(origin)).await;
                    made.map_err(|e| CallError::Connect(root_cause(&*e)))?
                }
            };
            let absolute;
            let (target, credentials) = match &connection.forwarded {
                None => (&*target, None),
                Some(credentials) => {
                    absolute = origin.absolute(&target);
                    (&*absolute, credentials.as_ref())
                }
            };
            let extra: Vec<_> = credentials
                .map(|c| (header::PROXY_AUTHORIZATION, c))
                .into_iter()
                .collect();
            let bytes = wire::request(
                request.method,
                target,
                &origin.authority,
                request.headers,
                &extra,
                request.body,
            );
            let answer = wire::exchange(
                &mut connection.stream,
                &bytes,
                request.method,
                self.max_body,
                &heard,
            )
            .await?;
            if answer.reusable {
                pool.keep(origin, connection);
            }
            Ok(Reply {
                status: answer.status,
                headers: answer.headers,
                body: answer.body,
            })
        };
        let answer = tokio::time::timeout(deadline, work).await;
        answer.unwrap_or_else(|_| match heard.load(Ordering::Relaxed) {
            0 => Err(CallError::Timeout(deadline)),
            status => Err(CallError::BodyTimeout(deadline, status)),
        })
    }
}

fn root_cause(e: &(dyn std::error::Error + 'static)) -> String {
    let mut cur = e;
    while let Some(next) = cur.source() {
        cur = next;
    }
    cur.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::http::connect::Stream;
    use tokio::io::AsyncWriteExt;
    use tokio::net::{TcpListener, TcpStream};

    /// A connection to `listener`, and the listener's end of it.
    async fn connection(listener: &TcpListener) -> (Connection, TcpStream) {
        let addr = listener.local_addr().expect("an address");
        let (ours, theirs) = tokio::join!(TcpStream::connect(addr), listener.accept());
        let stream = Stream::Plain(ours.expect("a connection"));
        let connection = Connection {
            stream,
            forwarded: None,
        };
        (connection, theirs.expect("an accepted connection").0)
    }

    fn port(connection: &Connection) -> u16 {
        let Stream::Plain(tcp) = &connection.stream else {
            unreachable!("plain connections only here")
        };
        tcp.local_addr().expect("an address").port()
    }

    #[tokio::test]
    async fn keeps_connections_per_destination_and_takes_the_latest_usable_one() {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("a listener");
        let a = Origin::split("http://a.example").expect("an origin").0;
        let b = Origin::split("http://b.example:8080").expect("an origin").0;
        let pool = Pool::default();
        assert!(pool.take(&a).is_none(), "nothing kept yet");

        let (first, _first_peer) = connection(&listener).await;
        let (second, mut second_peer) = connection(&listener).await;
        let (other, _other_peer) = connection(&listener).await;
        let (first_port, second_port, other_port) = (port(&first), port(&second), port(&other));
        pool.keep(&a, first);
        pool.keep(&b, other);
        pool.keep(&a, second);

        // The vendor closes the connection kept last: it is dropped, the one before is taken.
        second_peer.shutdown().await.expect("a shutdown");
        drop(second_peer);
        tokio::time::sleep(Duration::from_millis(50)).await;
        let taken = pool.take(&a).expect("a usable connection to a");
        assert_eq!(port(&taken), first_port);
        assert_ne!(port(&taken), second_port);
        assert!(pool.take(&a).is_none(), "a has no other");
        let taken = pool.take(&b).expect("b's connection");
        assert_eq!(port(&taken), other_port);

        // At most MAX_IDLE per destination; another destination has room of its own.
        let mut peers = Vec::new();
        for _ in 0..=MAX_IDLE {
            let (c, peer) = connection(&listener).await;
            peers.push(peer);
            pool.keep(&a, c);
        }
        let (c, _peer) = connection(&listener).await;
        pool.keep(&b, c);
        let mut from_a = 0;
        while pool.take(&a).is_some() {
            from_a += 1;
        }
        assert_eq!(from_a, MAX_IDLE);
        assert!(pool.take(&b).is_some());
    }
}
