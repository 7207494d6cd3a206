//! A rehearsal: an upstream carries out an operation on the very code path it always takes,
//! but each vendor request is recorded instead of sent, and answered only from what the caller
//! supplied. `hookgate translate` and `POST /debug/translate` show what would be sent this way.

use super::upstream::VendorRequest;
use crate::http::client::Reply;
use crate::problem::{Code, Problem};
use std::fmt;
use std::sync::{Mutex, MutexGuard};

/// One vendor request the operation would send.
#[derive(Debug, Clone)]
pub struct Step {
    pub request: VendorRequest,
    /// A read made on the way to the operation's own request (read-merge-write,
    /// read-then-test): what follows depends on its answer.
    pub read: bool,
    /// Whether an answer was supplied for it.
    pub answered: bool,
}

/// Where a rehearsal stopped for want of an answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Halt {
    /// At a read whose answer the next request depends on.
    AtRead,
    /// At the operation's own request: everything to send is known.
    AtRequest,
}

#[derive(Default)]
struct State {
    read_answer: Option<Reply>,
    answer: Option<Reply>,
    steps: Vec<Step>,
    halt: Option<Halt>,
}

/// The script and the record of one rehearsed operation.
#[derive(Default)]
pub struct Rehearsal {
    state: Mutex<State>,
}

impl fmt::Debug for Rehearsal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Rehearsal")
    }
}

impl Rehearsal {
    /// `read_answer` answers a read made on the way (the vendor's current webhook);
    /// `answer` answers the operation's own request.
    pub fn new(read_answer: Option<Reply>, answer: Option<Reply>) -> Rehearsal {
        Rehearsal {
            state: Mutex::new(State {
                read_answer,
                answer,
                ..State::default()
            }),
        }
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Records `request` and answers it from the script. Without an answer the operation
    /// stops here: the problem returned only ends it, [`Rehearsal::halt`] says why.
    pub fn exchange(&self, request: VendorRequest, read: bool) -> Result<Reply, Problem> {
        let mut state = self.lock();
        let reply = if read {
            state.read_answer.take()
        } else {
            state.answer.take()
        };
        state.steps.push(Step {
            request,
            read,
            answered: reply.is_some(),
        });
        reply.ok_or_else(|| {
            state.halt = Some(if read { Halt::AtRead } else { Halt::AtRequest });
            Problem::new(Code::Internal, "rehearsed: not sent")
        })
    }

    pub fn steps(&self) -> Vec<Step> {
        self.lock().steps.clone()
    }

    pub fn halt(&self) -> Option<Halt> {
        self.lock().halt
    }

    /// Whether the answer to the operation's own request was never asked for.
    pub fn answer_unused(&self) -> bool {
        self.lock().answer.is_some()
    }
}
