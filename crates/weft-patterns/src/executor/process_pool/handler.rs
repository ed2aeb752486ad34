//! The handler: one thread in the parent per worker process. It starts the
//! worker (and its replacements), hands it jobs from the shared queue,
//! completes each job's futures from the worker's replies, and notices the
//! worker's death.
//!
//! A worker answers its requests in order, so the handler keeps the jobs it
//! sent in a FIFO: the next reply belongs to the oldest. It keeps at most
//! [`DEPTH`] jobs in flight, so that the worker finds its next job waiting
//! when it finishes one, and pipelines a job behind others only while all of
//! them fit in [`PIPELINE_BYTES`] (less than any pipe's capacity): the write
//! then never blocks, even when the worker is blocked writing a large reply
//! that the handler has not read yet. A larger job waits until the worker
//! has answered everything, and is then read by a worker that is idle.
//!
//! When the worker's replies end before its jobs are answered, the worker
//! died: the handler reaps it and breaks the pool with a reason that names
//! the worker, its pid and the signal or exit code, like Python's
//! `BrokenProcessPool`.

use std::collections::VecDeque;

use weft_sync::sync::Arc;

use super::job::PoolJob;
use super::shared::{Next, Shared, Worker};
use crate::executor::error::FutureError;
use crate::process::{
    decode, encode, payload_len, too_large, Batch, Child, ChildControl, EntryPoint, FrameError,
    Outcome, Request, Response, SpawnSpec,
};

/// The most jobs a worker has sent to it and not yet answered.
pub(crate) const DEPTH: usize = 2;

/// The most argument bytes in flight to one worker when more than one job
/// is in flight: half a page, so that the frames (with their headers) fit in
/// the smallest capacity a Linux pipe shrinks to (one page).
pub(crate) const PIPELINE_BYTES: u64 = 2048;

/// How a worker's service ended.
enum End {
    /// It ran its `max_tasks_per_child` jobs and exited: start a replacement.
    Retired,
    /// Shutdown: it was stopped and reaped.
    Exit,
    /// The pool broke; the worker was killed (or had died) and was reaped.
    Broken,
}

/// `worker `name` (pid N)`, or `worker `name`` without an OS pid.
fn label(name: &str, control: &dyn ChildControl) -> String {
    match control.pid() {
        Some(pid) => format!("worker `{name}` (pid {pid})"),
        None => format!("worker `{name}`"),
    }
}

/// The handler thread's body: workers one after the other until shutdown
/// or breakage.
pub(crate) fn run(shared: Arc<Shared>) {
    shared.register_handler();
    while shared.wants_worker().is_ok() {
        let name = shared.next_worker_name();
        let spec = SpawnSpec {
            name: name.clone(),
            child_args: shared.config.child_args.clone(),
        };
        let child = match (shared.config.spawner)(&spec) {
            Ok(child) => child,
            Err(e) => {
                shared.break_pool(format!("worker `{name}` could not be started: {e}"));
                return;
            }
        };
        shared.add_worker(Worker {
            name: name.clone(),
            control: std::sync::Arc::clone(&child.control),
        });
        let end = serve(&shared, &name, child);
        shared.remove_worker(&name);
        match end {
            End::Retired => continue,
            End::Exit | End::Broken => return,
        }
    }
}

/// Stops the worker: `Stop`, close its input, reap it.
fn stop(mut child: Child) {
    if let Ok(frame) = encode(&Request::Stop) {
        let _ = child.input.send(frame, None);
    }
    drop(child.input);
    let _ = child.control.wait();
}

/// Kills the worker (it may be dead already) and reaps it.
fn kill(child: Child) {
    let _ = child.control.signal(libc::SIGKILL);
    drop(child.input);
    let _ = child.control.wait();
}

/// Fails every job in flight with `error`.
fn fail_all(in_flight: &mut VecDeque<(Box<dyn PoolJob>, u64)>, error: &FutureError) {
    for (job, _) in in_flight.drain(..) {
        job.fail(error.clone());
    }
}

/// Runs the initializer in a new worker; `Err` says why it failed.
fn initialize(
    child: &mut Child,
    entry: &'static dyn EntryPoint,
    args: &Result<Batch, String>,
    limit: u64,
) -> Result<(), String> {
    let args = args.clone()?;
    let request = Request::Run {
        entry: entry.name().to_string(),
        args,
        limit,
    };
    let frame = encode(&request).map_err(|e| format!("its request could not be encoded: {e}"))?;
    let _ = child.input.send(frame, Some(entry));
    let reply = match child.output.recv(limit) {
        Ok(Some(reply)) => reply,
        Ok(None) | Err(FrameError::Truncated) | Err(FrameError::Io(_)) => {
            let status = child.control.wait().map_err(|e| e.to_string())?;
            return Err(format!("the worker {status}"));
        }
        Err(e) => return Err(e.to_string()),
    };
    match decode::<Response>(&reply).map_err(|e| e.to_string())? {
        Response::Ran { mut outcomes, .. } if outcomes.len() == 1 => match outcomes.remove(0) {
            Outcome::Returned => Ok(()),
            Outcome::Panicked(message) => Err(format!("panicked: {message}")),
            other => Err(format!("{other:?}")),
        },
        Response::UnknownEntry(entry) => Err(format!(
            "entry point `{entry}` is not registered in the worker \
             (list it in `weft_patterns::process::main`)"
        )),
        other => Err(format!("unexpected reply {other:?}")),
    }
}

/// Serves one worker until it retires, the pool shuts down, or it breaks.
fn serve(shared: &Shared, name: &str, mut child: Child) -> End {
    let limit = shared.config.max_message_size;
    if let Some((entry, args)) = &shared.config.initializer {
        if let Err(why) = initialize(&mut child, *entry, args, limit) {
            let who = label(name, &*child.control);
            shared.break_pool(format!("initializer of {who} failed: {why}"));
            kill(child);
            return End::Broken;
        }
    }
    let quota = shared.config.max_tasks_per_child.unwrap_or(usize::MAX);
    let mut sent = 0usize;
    let mut in_flight: VecDeque<(Box<dyn PoolJob>, u64)> = VecDeque::new();
    let mut in_flight_bytes = 0u64;
    loop {
        let room = DEPTH.saturating_sub(in_flight.len()).min(quota - sent);
        let next = if room == 0 {
            Next::Read
        } else {
            shared.next(room, in_flight.len(), in_flight_bytes, PIPELINE_BYTES)
        };
        match next {
            Next::Jobs(jobs) => {
                for mut job in jobs {
                    let Some(args) = job.start() else {
                        continue; // cancelled
                    };
                    sent += 1;
                    let entry = job.entry();
                    let request = Request::Run {
                        entry: entry.name().to_string(),
                        args,
                        limit,
                    };
                    let frame = match encode(&request) {
                        Ok(frame) => frame,
                        Err(e) => {
                            let message = format!("the request could not be encoded: {e}");
                            job.fail(FutureError::Serialization(message));
                            continue;
                        }
                    };
                    let size = payload_len(&frame);
                    if size > limit {
                        let message = too_large("the arguments", size, limit);
                        job.fail(FutureError::Serialization(message));
                        continue;
                    }
                    in_flight.push_back((job, size));
                    in_flight_bytes += size;
                    // A failed send means the worker is gone: the read below sees it.
                    let _ = child.input.send(frame, Some(entry));
                }
            }
            Next::Read => {}
            Next::Exit => {
                stop(child);
                return End::Exit;
            }
            Next::Broken(reason) => {
                fail_all(&mut in_flight, &FutureError::BrokenPool(reason));
                kill(child);
                return End::Broken;
            }
        }
        if !in_flight.is_empty() {
            let reply = match child.output.recv(limit) {
                Ok(Some(reply)) => decode::<Response>(&reply).map_err(|e| e.to_string()),
                Ok(None) | Err(FrameError::Truncated) | Err(FrameError::Io(_)) => {
                    // The worker died: reap it and say how.
                    let who = label(name, &*child.control);
                    let reason = match child.control.wait() {
                        Ok(status) => format!("{who} {status}"),
                        Err(e) => format!("{who} died and could not be reaped: {e}"),
                    };
                    let reason = shared.break_pool(reason);
                    fail_all(&mut in_flight, &FutureError::BrokenPool(reason));
                    drop(child.input);
                    return End::Broken;
                }
                Err(e) => Err(e.to_string()),
            };
            let response = match reply {
                Ok(response) => response,
                Err(e) => {
                    let who = label(name, &*child.control);
                    let reason = shared.break_pool(format!("{who} broke the protocol: {e}"));
                    fail_all(&mut in_flight, &FutureError::BrokenPool(reason));
                    kill(child);
                    return End::Broken;
                }
            };
            let Some((job, size)) = in_flight.pop_front() else {
                unreachable!("a reply is read only for a job in flight")
            };
            in_flight_bytes -= size;
            match response {
                Response::Ran { outcomes, results } => job.complete(outcomes, &results),
                Response::UnknownEntry(entry) => job.fail(FutureError::Serialization(format!(
                    "entry point `{entry}` is not registered in the worker \
                     (list it in `weft_patterns::process::main`)"
                ))),
                Response::TooLarge { size, limit } => job.fail(FutureError::Serialization(
                    too_large("the results", size, limit),
                )),
            }
        }
        if sent == quota && in_flight.is_empty() {
            // `max_tasks_per_child` reached: let it exit, and start another.
            stop(child);
            return End::Retired;
        }
    }
}
