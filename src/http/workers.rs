//! Serving workers: one thread per core, each with a single-threaded runtime of its own that
//! serves the connections handed to it from start to finish.
//!
//! The model is nginx's. The process keeps one runtime for control (signals, reload, and the
//! accept loops of `http/server.rs`); [`start`] adds one OS thread per worker (`hookgate-w0`,
//! `hookgate-w1`, ...), each running a current-thread runtime. An accept loop hands every
//! accepted connection to the next worker in turn ([`dispatch`]); the worker registers the
//! socket with its own reactor, runs the TLS handshake and the connection there, and every task
//! a request spawns (hyper's, the upstream client's) stays on that thread. The upstream client
//! keeps one connection pool per worker ([`current`] chooses it), so a pooled connection is
//! checked out and driven by the thread that made it. A request never crosses threads: no work
//! stealing, no cross-thread wake-ups, no lock that two threads contend for on the way.
//!
//! Handing connections over from one accept loop, rather than having each worker accept on a
//! clone of the listener, keeps `max_connections`, the graceful drain and the TLS configuration
//! of a reload in one place, spreads connections evenly, and costs one cross-thread wake-up per
//! connection, not per request.
//!
//! The pool is the process's, set up once by the binary. Where none runs (one worker, or the
//! library serving in-process from a runtime of its caller's), connections are served where
//! they are accepted, on the caller's runtime, as before.

use std::cell::Cell;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering};
use tokio::sync::mpsc;

/// Work handed to a worker: called on the worker's thread, inside its runtime, where it
/// spawns what it needs.
pub type Job = Box<dyn FnOnce() + Send>;

/// The running workers: one queue each, and whose turn is next.
struct Pool {
    queues: Vec<mpsc::UnboundedSender<Job>>,
    next: AtomicUsize,
}

static POOL: OnceLock<Pool> = OnceLock::new();

thread_local! {
    /// This thread's worker index; `None` off the workers.
    static INDEX: Cell<Option<usize>> = const { Cell::new(None) };
}

/// Starts one thread per runtime, each running its runtime for the rest of the process, and
/// makes them the workers that [`dispatch`] hands connections to. The caller builds the
/// runtimes (current-thread ones, with whatever hooks and tasks it wants on each).
pub fn start(runtimes: Vec<tokio::runtime::Runtime>) -> std::io::Result<()> {
    if POOL.get().is_some() {
        return Err(std::io::Error::other("the serving workers already run"));
    }
    let mut queues = Vec::with_capacity(runtimes.len());
    for (index, runtime) in runtimes.into_iter().enumerate() {
        let (tx, rx) = mpsc::unbounded_channel();
        std::thread::Builder::new()
            .name(format!("hookgate-w{index}"))
            .spawn(move || {
                INDEX.set(Some(index));
                runtime.block_on(run(rx));
            })?;
        queues.push(tx);
    }
    POOL.set(Pool {
        queues,
        next: AtomicUsize::new(0),
    })
    .map_err(|_| std::io::Error::other("the serving workers already run"))
}

/// A worker's loop: runs each job handed to it; the jobs spawn the tasks that serve.
async fn run(mut jobs: mpsc::UnboundedReceiver<Job>) {
    while let Some(job) = jobs.recv().await {
        job();
    }
}

/// How many workers run (0 when the process runs none).
pub fn count() -> usize {
    POOL.get().map_or(0, |p| p.queues.len())
}

/// The index of the worker this thread is, if it is one.
pub fn current() -> Option<usize> {
    INDEX.get()
}

/// Whether connections go to workers.
pub fn running() -> bool {
    count() > 0
}

/// Hands `job` to the next worker in turn; gives it back when no worker runs (or the one whose
/// turn it was has stopped), for the caller to run where it is.
pub fn dispatch(job: Job) -> Result<(), Job> {
    let Some(pool) = POOL.get() else {
        return Err(job);
    };
    let turn = pool.next.fetch_add(1, Ordering::Relaxed) % pool.queues.len();
    pool.queues[turn].send(job).map_err(|refused| refused.0)
}
