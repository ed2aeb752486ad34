//! `loom::sync::mpsc`: weft's modelled channels.

pub use weft::sync::mpsc::{
    channel, sync_channel, Receiver, RecvError, RecvTimeoutError, SendError, Sender, SyncSender,
    TryRecvError, TrySendError,
};
