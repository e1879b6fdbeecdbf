//! `AppDef`: an app as a project lists it, a name and the function that builds it.
//!
//! It lives here rather than in the runner so that a project's library of apps, and the tests
//! that only synthesize them, depend on `cirrus-core` and not on `cirrus-cli` (and so never
//! compile the AWS SDK). The runner takes a `&[AppDef]`.

use crate::app::App;

/// An app definition: a name (its output folder) and the function that builds it.
///
/// ```
/// use cirrus_core::{App, AppDef, StackProps};
///
/// fn define(app: &App) {
///     app.stack("Hello", StackProps::default());
/// }
/// const APPS: &[AppDef] = &[AppDef { name: "hello", define }];
///
/// let app = APPS[0].build();
/// assert_eq!(app.name(), "hello");
/// ```
#[derive(Debug, Clone, Copy)]
pub struct AppDef {
    /// The app's name: lower-case letters, digits and `-`.
    pub name: &'static str,
    /// Adds the app's stacks to `app`.
    pub define: fn(&App),
}

impl AppDef {
    /// A new app named `name`, with the stacks `define` adds. Problems are recorded in the app,
    /// as always, and reported by its `synth`.
    pub fn build(&self) -> App {
        let app = App::new(self.name);
        (self.define)(&app);
        app
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stack::StackProps;

    fn two_stacks(app: &App) {
        app.stack("First", StackProps::default());
        app.stack("Second", StackProps::default());
    }

    #[test]
    fn build_names_the_app_and_runs_define() {
        let def = AppDef {
            name: "two-stacks",
            define: two_stacks,
        };
        let app = def.build();
        assert_eq!(app.name(), "two-stacks");
        let names: Vec<String> = app.stacks().iter().map(|s| s.path()).collect();
        assert_eq!(names, ["First", "Second"]);
    }
}
