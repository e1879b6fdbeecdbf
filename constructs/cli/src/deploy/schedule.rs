//! Running stack operations over the stack graph: a stack starts once every stack it waits
//! for has succeeded, at most `concurrency` at a time; when one fails, the stacks waiting for
//! it (directly or not) are not started. An interruption (Ctrl-C) stops everything at once;
//! the caller then cleans up what the stopped tasks left.

use std::collections::{BTreeMap, BTreeSet};
use std::future::Future;

use tokio::task::JoinSet;

/// How a scheduled run ended, stack by stack.
#[derive(Debug)]
pub(crate) struct Finished<T, E> {
    /// The stacks that ran, with their results, in the order they finished.
    pub(crate) results: Vec<(String, Result<T, E>)>,
    /// Stacks not started because a stack they wait for failed: (stack, the failed one).
    pub(crate) blocked: Vec<(String, String)>,
    /// Stacks not started (or stopped) because the run was interrupted.
    pub(crate) interrupted: Vec<String>,
}

/// Runs `run(stack)` for every stack of `order`; `waits_for[s]` are the stacks `s` starts
/// after. Stacks are started in `order` when several are ready.
pub(crate) async fn run<T, E, F, Fut, I>(
    order: &[String],
    waits_for: &BTreeMap<String, BTreeSet<String>>,
    concurrency: usize,
    mut run: F,
    interrupt: I,
) -> Finished<T, E>
where
    T: Send + 'static,
    E: Send + 'static,
    F: FnMut(String) -> Fut,
    Fut: Future<Output = Result<T, E>> + Send + 'static,
    I: Future<Output = ()>,
{
    let concurrency = concurrency.max(1);
    let mut pending: Vec<String> = order.to_vec();
    let mut succeeded: BTreeSet<String> = BTreeSet::new();
    let mut failed: BTreeSet<String> = BTreeSet::new();
    let mut running: BTreeSet<String> = BTreeSet::new();
    let mut set: JoinSet<(String, Result<T, E>)> = JoinSet::new();
    let mut out = Finished {
        results: Vec::new(),
        blocked: Vec::new(),
        interrupted: Vec::new(),
    };
    tokio::pin!(interrupt);
    loop {
        // Stacks whose dependencies failed or were blocked will never start.
        loop {
            let blocked: Vec<(String, String)> = pending
                .iter()
                .filter_map(|s| {
                    waits_for
                        .get(s)
                        .and_then(|deps| deps.iter().find(|d| failed.contains(*d)))
                        .map(|d| (s.clone(), d.clone()))
                })
                .collect();
            if blocked.is_empty() {
                break;
            }
            for (s, d) in blocked {
                pending.retain(|p| p != &s);
                failed.insert(s.clone());
                out.blocked.push((s, d));
            }
        }
        while running.len() < concurrency {
            let ready = pending.iter().position(|s| {
                waits_for.get(s).is_none_or(|deps| {
                    deps.iter()
                        .all(|d| succeeded.contains(d) || !order.contains(d))
                })
            });
            let Some(i) = ready else { break };
            let stack = pending.remove(i);
            running.insert(stack.clone());
            let fut = run(stack.clone());
            set.spawn(async move { (stack, fut.await) });
        }
        if running.is_empty() {
            // Nothing runs and nothing can start: done (a cycle cannot occur, the synthesized
            // graph and the runner's reordering are acyclic).
            out.interrupted.extend(pending);
            return out;
        }
        tokio::select! {
            joined = set.join_next() => {
                let Some(joined) = joined else { continue };
                match joined {
                    Ok((stack, result)) => {
                        running.remove(&stack);
                        if result.is_ok() {
                            succeeded.insert(stack.clone());
                        } else {
                            failed.insert(stack.clone());
                        }
                        out.results.push((stack, result));
                    }
                    Err(join_error) => {
                        // A task panicked: nothing of ours panics on purpose; make it loud.
                        std::panic::resume_unwind(join_error.into_panic());
                    }
                }
            }
            () = &mut interrupt => {
                set.abort_all();
                while set.join_next().await.is_some() {}
                out.interrupted.extend(running);
                out.interrupted.extend(pending);
                return out;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::{Arc, Mutex};
    use std::time::Duration;

    fn graph(edges: &[(&str, &str)]) -> BTreeMap<String, BTreeSet<String>> {
        let mut g: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        for (a, b) in edges {
            g.entry((*a).into()).or_default().insert((*b).into());
        }
        g
    }

    fn names(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| (*s).to_owned()).collect()
    }

    #[tokio::test]
    async fn dependencies_first_and_parallel_up_to_the_limit() {
        // A and B are independent; C waits for both.
        let log = Arc::new(Mutex::new(Vec::<String>::new()));
        let live = Arc::new(Mutex::new((0usize, 0usize)));
        let order = names(&["A", "B", "C"]);
        let done = run(
            &order,
            &graph(&[("C", "A"), ("C", "B")]),
            2,
            |s| {
                let log = log.clone();
                let live = live.clone();
                async move {
                    {
                        let mut l = live.lock().unwrap();
                        l.0 += 1;
                        l.1 = l.1.max(l.0);
                    }
                    log.lock().unwrap().push(format!("start {s}"));
                    tokio::time::sleep(Duration::from_millis(20)).await;
                    log.lock().unwrap().push(format!("end {s}"));
                    live.lock().unwrap().0 -= 1;
                    Ok::<_, ()>(())
                }
            },
            std::future::pending(),
        )
        .await;
        let log = log.lock().unwrap().clone();
        assert_eq!(&log[..2], &["start A", "start B"]);
        assert_eq!(log.last().unwrap(), "end C");
        let c = log.iter().position(|l| l == "start C").unwrap();
        assert!(log[..c].contains(&"end A".to_owned()) && log[..c].contains(&"end B".to_owned()));
        assert_eq!(live.lock().unwrap().1, 2, "two ran at once");
        assert_eq!(done.results.len(), 3);
    }

    #[tokio::test]
    async fn a_failure_blocks_its_dependents_only() {
        let order = names(&["A", "B", "C", "D"]);
        // C waits for A, D waits for C; B is independent.
        let done = run(
            &order,
            &graph(&[("C", "A"), ("D", "C")]),
            1,
            |s| async move { if s == "A" { Err("boom") } else { Ok(()) } },
            std::future::pending(),
        )
        .await;
        let ok: Vec<&str> = done
            .results
            .iter()
            .filter(|(_, r)| r.is_ok())
            .map(|(s, _)| s.as_str())
            .collect();
        assert_eq!(ok, ["B"]);
        assert_eq!(
            done.blocked,
            vec![
                ("C".to_owned(), "A".to_owned()),
                ("D".to_owned(), "C".to_owned())
            ]
        );
    }

    #[tokio::test]
    async fn an_interruption_stops_running_and_pending_stacks() {
        let order = names(&["A", "B"]);
        let done = run(
            &order,
            &graph(&[("B", "A")]),
            1,
            |_| async move {
                tokio::time::sleep(Duration::from_secs(60)).await;
                Ok::<_, ()>(())
            },
            tokio::time::sleep(Duration::from_millis(20)),
        )
        .await;
        assert!(done.results.is_empty());
        assert_eq!(done.interrupted, names(&["A", "B"]));
    }
}
