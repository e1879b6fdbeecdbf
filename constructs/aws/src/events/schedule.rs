//! `Schedule`: when a scheduled rule fires.

/// The unit of a rate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimeUnit {
    /// Minutes.
    Minutes,
    /// Hours.
    Hours,
    /// Days.
    Days,
}

/// A schedule expression of EventBridge: a fixed rate, or a cron expression (in UTC).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Schedule {
    /// Every `value` units, counted from the rule's creation.
    Rate {
        /// How many units.
        value: u32,
        /// Which unit.
        unit: TimeUnit,
    },
    /// EventBridge's six-field cron: minutes, hours, day of month, month, day of week, year
    /// (`0 2 ? * MON-FRI *`). One of day of month and day of week must be `?`.
    Cron(String),
}

impl Schedule {
    /// Every `value` units.
    pub fn rate(value: u32, unit: TimeUnit) -> Schedule {
        Schedule::Rate { value, unit }
    }

    /// A cron schedule: the six fields, without the `cron(...)` around them.
    pub fn cron(fields: &str) -> Schedule {
        Schedule::Cron(fields.trim().to_owned())
    }

    /// The expression as EventBridge takes it: `rate(5 minutes)`, `rate(1 hour)`,
    /// `cron(0 2 * * ? *)`.
    pub fn expression(&self) -> String {
        match self {
            Schedule::Rate { value, unit } => {
                let word = match unit {
                    TimeUnit::Minutes => "minute",
                    TimeUnit::Hours => "hour",
                    TimeUnit::Days => "day",
                };
                let plural = if *value == 1 { "" } else { "s" };
                format!("rate({value} {word}{plural})")
            }
            Schedule::Cron(fields) => format!("cron({fields})"),
        }
    }

    /// What EventBridge would refuse in the schedule.
    pub(crate) fn problems(&self) -> Vec<String> {
        match self {
            Schedule::Rate { value, .. } => {
                if *value == 0 {
                    vec!["a rate schedule must be at least 1".to_owned()]
                } else {
                    Vec::new()
                }
            }
            Schedule::Cron(fields) => cron_problems(fields),
        }
    }
}

/// Checks the shape of a cron expression: six fields, the characters each field may hold, and
/// the rule that exactly one of day of month and day of week is `?`.
fn cron_problems(expression: &str) -> Vec<String> {
    const NAMES: [&str; 6] = [
        "minutes",
        "hours",
        "day of month",
        "month",
        "day of week",
        "year",
    ];
    let fields: Vec<&str> = expression.split_whitespace().collect();
    if fields.len() != 6 {
        return vec![format!(
            "cron expression \"{expression}\" has {} fields; EventBridge's cron has six: minutes hours day-of-month month day-of-week year",
            fields.len()
        )];
    }
    let mut out = Vec::new();
    for (index, (field, name)) in fields.iter().zip(NAMES).enumerate() {
        let allowed = |c: char| match index {
            0 | 1 | 5 => c.is_ascii_digit() || ",-*/".contains(c),
            2 => c.is_ascii_digit() || ",-*?/LW".contains(c),
            3 => c.is_ascii_alphanumeric() || ",-*/".contains(c),
            _ => c.is_ascii_alphanumeric() || ",-*?/L#".contains(c),
        };
        if let Some(bad) = field.chars().find(|c| !allowed(*c)) {
            out.push(format!(
                "cron expression \"{expression}\": the {name} field \"{field}\" contains {bad:?}"
            ));
        }
    }
    let (day_of_month, day_of_week) = (fields[2], fields[4]);
    if (day_of_month == "?") == (day_of_week == "?") {
        out.push(format!(
            "cron expression \"{expression}\": exactly one of day of month (\"{day_of_month}\") and day of week (\"{day_of_week}\") must be \"?\""
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expressions_render_as_eventbridge_reads_them() {
        assert_eq!(
            Schedule::rate(1, TimeUnit::Hours).expression(),
            "rate(1 hour)"
        );
        assert_eq!(
            Schedule::rate(5, TimeUnit::Minutes).expression(),
            "rate(5 minutes)"
        );
        assert_eq!(
            Schedule::cron("0 2 ? * MON-FRI *").expression(),
            "cron(0 2 ? * MON-FRI *)"
        );
    }

    #[test]
    fn invalid_schedules_are_found() {
        assert!(Schedule::rate(0, TimeUnit::Days).problems()[0].contains("at least 1"));
        assert!(Schedule::cron("0 2 * * *").problems()[0].contains("has 5 fields"));
        assert!(Schedule::cron("0 2 * * * *").problems()[0].contains("exactly one"));
        assert!(Schedule::cron("0 2 ? * ? *").problems()[0].contains("exactly one"));
        assert!(Schedule::cron("0 x ? * MON *").problems()[0].contains("hours field"));
        assert!(
            Schedule::cron("15 10 ? * 6L 2026-2030")
                .problems()
                .is_empty()
        );
        assert!(
            Schedule::cron("0/5 8-17 ? * MON-FRI *")
                .problems()
                .is_empty()
        );
    }
}
