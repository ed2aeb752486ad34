use super::{Event, ObjectInfo, ThreadInfo};

/// Everything recorded in one execution.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ExecutionLog {
    /// Every thread, main first.
    pub threads: Vec<ThreadInfo>,
    /// Every object created.
    pub objects: Vec<ObjectInfo>,
    /// The steps, in the order they ran.
    pub steps: Vec<Event>,
}

impl ExecutionLog {
    /// The name of thread `id`, or `thread-<id>` if unknown.
    pub fn thread_name(&self, id: usize) -> String {
        self.threads
            .get(id)
            .map(|t| t.name.clone())
            .unwrap_or_else(|| format!("thread-{id}"))
    }

    /// The display name of object `id`, or `object-<id>` if unknown.
    pub fn object_name(&self, id: usize) -> String {
        self.objects
            .get(id)
            .map(ObjectInfo::display_name)
            .unwrap_or_else(|| format!("object-{id}"))
    }
}
