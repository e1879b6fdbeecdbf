//! Live progress on stderr: a bar per stack and the event lines above them on a terminal,
//! plain lines otherwise (CI logs, pipes).

use std::time::Duration;

use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::style::Ui;

/// Where progress goes. Cheap to clone; every stack's task holds one.
#[derive(Debug, Clone)]
pub(crate) struct Reporter {
    multi: Option<MultiProgress>,
    ui: Ui,
    captured: Option<std::sync::Arc<std::sync::Mutex<Vec<String>>>>,
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
        }
    }

    /// A reporter that keeps its lines instead of printing them (unit tests).
    #[cfg(test)]
    pub(crate) fn capture() -> (Reporter, std::sync::Arc<std::sync::Mutex<Vec<String>>>) {
        let lines = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let reporter = Reporter {
            multi: None,
            ui: Ui::plain(),
            captured: Some(lines.clone()),
        };
        (reporter, lines)
    }

    /// The output style.
    pub(crate) fn ui(&self) -> &Ui {
        &self.ui
    }

    /// A line of text above the bars.
    pub(crate) fn line(&self, text: &str) {
        if let Some(lines) = &self.captured {
            let mut lines = lines
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            lines.extend(text.trim_end_matches('\n').lines().map(str::to_owned));
            return;
        }
        match &self.multi {
            Some(multi) => {
                for l in text.trim_end_matches('\n').lines() {
                    let _ = multi.println(l);
                }
            }
            None => eprintln!("{}", text.trim_end_matches('\n')),
        }
    }

    /// Runs `f` with the bars hidden (for prompts).
    pub(crate) fn suspend<R>(&self, f: impl FnOnce() -> R) -> R {
        match &self.multi {
            Some(multi) => multi.suspend(f),
            None => f(),
        }
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
