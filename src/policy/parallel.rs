//! Evaluating a stage's rules on several threads.
//!
//! A stage has a few dozen independent rules; on large evidence a handful of them (those that
//! walk every component) take most of the time. Each thread takes the next rule not yet
//! taken, with an engine of its own, so the slow rules spread over the cores.

use std::sync::atomic::{AtomicUsize, Ordering};

/// The stack of each evaluation thread: deeply nested documents and rules recurse deeply in
/// the interpreter.
pub(crate) const THREAD_STACK: usize = 64 * 1024 * 1024;

/// Evaluates rules `0..count` with one worker per element of `workers` (one thread each; the
/// first runs on the calling thread), returning the values in rule order.
///
/// A worker stops at its first error. The error returned is that of the lowest-numbered rule
/// that failed: rules are handed out in order, so every rule before it was evaluated, and the
/// answer is the one a single thread going through the rules in order would give.
pub(crate) fn evaluate_rules<W, T, E>(
    count: usize,
    workers: Vec<W>,
    evaluate: impl Fn(&mut W, usize) -> Result<T, E> + Sync,
    thread_error: impl Fn(String) -> E + Sync,
) -> Result<Vec<T>, E>
where
    W: Send,
    T: Send,
    E: Send,
{
    let next = AtomicUsize::new(0);
    // The lowest rule that failed so far: rules after it need not be evaluated.
    let failed_at = AtomicUsize::new(usize::MAX);
    let work = |mut worker: W| {
        let mut done: Vec<(usize, T)> = Vec::new();
        loop {
            let index = next.fetch_add(1, Ordering::Relaxed);
            if index >= count || index > failed_at.load(Ordering::Relaxed) {
                return (done, None);
            }
            match evaluate(&mut worker, index) {
                Ok(value) => done.push((index, value)),
                Err(err) => {
                    failed_at.fetch_min(index, Ordering::Relaxed);
                    return (done, Some((index, err)));
                }
            }
        }
    };
    let mut workers = workers.into_iter();
    let Some(first) = workers.next() else {
        return Ok(Vec::new());
    };
    let outcomes = std::thread::scope(|scope| {
        let mut helpers = Vec::new();
        for worker in workers {
            let work = &work;
            let spawned = std::thread::Builder::new()
                .name("stagegate-rules".to_owned())
                .stack_size(THREAD_STACK)
                .spawn_scoped(scope, move || work(worker));
            match spawned {
                Ok(helper) => helpers.push(helper),
                // Fewer threads only means slower: the others take the rules.
                Err(err) => tracing::debug!(%err, "could not start an evaluation thread"),
            }
        }
        let mut outcomes = vec![work(first)];
        for helper in helpers {
            outcomes.push(
                helper
                    .join()
                    .unwrap_or_else(|_| (Vec::new(), Some((0, thread_error("panicked".into()))))),
            );
        }
        outcomes
    });
    let mut values: Vec<(usize, T)> = Vec::with_capacity(count);
    let mut first_error: Option<(usize, E)> = None;
    for (done, failed) in outcomes {
        values.extend(done);
        if let Some((index, err)) = failed
            && first_error.as_ref().is_none_or(|(first, _)| index < *first)
        {
            first_error = Some((index, err));
        }
    }
    if let Some((_, err)) = first_error {
        return Err(err);
    }
    values.sort_by_key(|(index, _)| *index);
    Ok(values.into_iter().map(|(_, value)| value).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_come_back_in_rule_order_from_any_number_of_threads() {
        for threads in 1..=4 {
            let values = evaluate_rules(
                50,
                vec![(); threads],
                |_, index| Ok::<_, String>(index * 2),
                |e| e,
            );
            assert_eq!(values, Ok((0..50).map(|i| i * 2).collect()), "{threads}");
        }
    }

    #[test]
    fn the_error_of_the_first_failing_rule_wins() {
        for threads in 1..=4 {
            let result = evaluate_rules(
                50,
                vec![(); threads],
                |_, index| {
                    if index == 17 || index == 30 {
                        Err(format!("rule {index}"))
                    } else {
                        Ok(index)
                    }
                },
                |e| e,
            );
            assert_eq!(result, Err("rule 17".to_owned()), "{threads}");
        }
    }
}
