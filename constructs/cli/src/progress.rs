//! Live progress on stderr: a bar per stack and the event lines above them on a terminal,
//! plain lines otherwise (CI logs, pipes).

use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::style::Ui;

/// Where progress goes. Cheap to clone; every stack's task holds one.
#[derive(Debug, Clone)]
pub(crate) struct Reporter {
    multi: Option<MultiProgress>,
    ui: Ui,
    captured: Option<Arc<Mutex<Vec<String>>>>,
    /// While a question waits for its answer ([`Reporter::hold`]): the lines of other stacks,
    /// shown once it is answered. Nothing that prints waits for the answer.
    held: Arc<Mutex<Option<Vec<String>>>>,
    /// Where the bars are drawn when they are not hidden for a question.
    bars_on_stderr: bool,
}

/// Hides the bars and holds the lines while a question is on the terminal; dropping it (the
/// answer came, or the run was interrupted) shows the bars again and prints the held lines.
#[derive(Debug)]
pub(crate) struct Held<'a> {
    reporter: &'a Reporter,
}

impl Drop for Held<'_> {
    fn drop(&mut self) {
        let lines = lock(&self.reporter.held).take().unwrap_or_default();
        if let Some(multi) = &self.reporter.multi {
            multi.set_draw_target(if self.reporter.bars_on_stderr {
                ProgressDrawTarget::stderr()
            } else {
                ProgressDrawTarget::hidden()
            });
        }
        for line in lines {
            self.reporter.emit(&line);
        }
    }
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

/// One stack's bar (nothing when not on a terminal).
#[derive(Debug)]
pub(crate) struct StackBar {
    bar: Option<ProgressBar>,
}

impl Reporter {
    /// Bars when `ui` says stderr is an interactive terminal.
    pub(crate) fn new(ui: Ui) -> Reporter {
        let multi = ui
            .interactive()
            .then(|| MultiProgress::with_draw_target(ProgressDrawTarget::stderr()));
        Reporter {
            multi,
            ui,
            captured: None,
            held: Arc::new(Mutex::new(None)),
            bars_on_stderr: true,
        }
    }

    /// A reporter that keeps its lines instead of printing them (unit tests).
    #[cfg(test)]
    pub(crate) fn capture() -> (Reporter, Arc<Mutex<Vec<String>>>) {
        let lines = Arc::new(Mutex::new(Vec::new()));
        let reporter = Reporter {
            multi: None,
            ui: Ui::plain(),
            captured: Some(lines.clone()),
            held: Arc::new(Mutex::new(None)),
            bars_on_stderr: false,
        };
        (reporter, lines)
    }

    /// Like [`Reporter::capture`], with bars that are drawn nowhere: every line also goes
    /// through the bars' lock, as on a terminal (unit tests).
    #[cfg(test)]
    pub(crate) fn capture_with_bars() -> (Reporter, Arc<Mutex<Vec<String>>>) {
        let (mut reporter, lines) = Reporter::capture();
        reporter.multi = Some(MultiProgress::with_draw_target(ProgressDrawTarget::hidden()));
        (reporter, lines)
    }

    /// The output style.
    pub(crate) fn ui(&self) -> &Ui {
        &self.ui
    }

    /// A line of text above the bars (held while a question waits for its answer).
    pub(crate) fn line(&self, text: &str) {
        if let Some(held) = lock(&self.held).as_mut() {
            held.push(text.to_owned());
            return;
        }
        self.emit(text);
    }

    fn emit(&self, text: &str) {
        let text = text.trim_end_matches('\n');
        if let Some(lines) = &self.captured {
            lock(lines).extend(text.lines().map(str::to_owned));
        }
        match &self.multi {
            Some(multi) => {
                for l in text.lines() {
                    let _ = multi.println(l);
                }
            }
            None if self.captured.is_none() => eprintln!("{text}"),
            None => {}
        }
    }

    /// Clears the terminal of bars and holds every line until the returned guard is dropped,
    /// so that a question can be asked on a quiet terminal. Unlike suspending the bars for the
    /// whole question, this holds no lock while the person thinks: the other stacks go on,
    /// and their lines appear after the answer.
    pub(crate) fn hold(&self) -> Held<'_> {
        lock(&self.held).get_or_insert_with(Vec::new);
        if let Some(multi) = &self.multi {
            let _ = multi.clear();
            multi.set_draw_target(ProgressDrawTarget::hidden());
        }
        Held { reporter: self }
    }

    /// A bar for a stack operation touching `total` resources.
    pub(crate) fn bar(&self, stack: &str, total: usize) -> StackBar {
        let bar = self.multi.as_ref().map(|multi| {
            let bar = multi.add(ProgressBar::new(total as u64));
            bar.set_style(
                ProgressStyle::with_template("{prefix:.bold} [{bar:30}] {pos}/{len} {msg}")
                    .unwrap_or_else(|_| ProgressStyle::default_bar())
                    .progress_chars("=> "),
            );
            bar.set_prefix(stack.to_owned());
            bar.enable_steady_tick(Duration::from_millis(200));
            bar
        });
        StackBar { bar }
    }
}

impl StackBar {
    /// Moves the bar.
    pub(crate) fn set(&self, done: usize, status: &str) {
        if let Some(bar) = &self.bar {
            bar.set_position(done as u64);
            bar.set_message(status.to_owned());
        }
    }
}

impl Drop for StackBar {
    fn drop(&mut self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}
