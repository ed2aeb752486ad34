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
    /// The name of thread `id` as a report prints it, or `thread-<id>` if
    /// unknown. Threads that share a name are told apart by their rank
    /// among those threads, in spawn order: `worker#1`, `worker#2`.
    pub fn thread_name(&self, id: usize) -> String {
        let Some(t) = self.threads.get(id) else {
            return format!("thread-{id}");
        };
        let same = |u: &&ThreadInfo| u.name == t.name;
        if self.threads.iter().filter(same).nth(1).is_none() {
            return t.name.clone();
        }
        let rank = self.threads[..id].iter().filter(same).count() + 1;
        format!("{}#{rank}", t.name)
    }

    /// The display name of object `id`, or `object-<id>` if unknown.
    pub fn object_name(&self, id: usize) -> String {
        self.objects
            .get(id)
            .map(ObjectInfo::display_name)
            .unwrap_or_else(|| format!("object-{id}"))
    }
}
