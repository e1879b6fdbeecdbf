//! The closest known names to a mistyped one, for the hints of checks against a known set
//! (regions, instance types): a typo is fixed faster when the hint names what was meant.

/// The edit distance between `a` and `b` (insertions, deletions, substitutions and swaps of
/// two neighbouring characters each count 1), so that `us-esat-1` is 1 from `us-east-1`.
pub fn distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    // Three rows of the dynamic-programming table: two back (for swaps), one back, current.
    let mut before: Vec<usize> = vec![0; b.len() + 1];
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    let mut current: Vec<usize> = vec![0; b.len() + 1];
    for i in 1..=a.len() {
        current[0] = i;
        for j in 1..=b.len() {
            let substitution = usize::from(a[i - 1] != b[j - 1]);
            let mut best = (previous[j] + 1)
                .min(current[j - 1] + 1)
                .min(previous[j - 1] + substitution);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(before[j - 2] + 1);
            }
            current[j] = best;
        }
        std::mem::swap(&mut before, &mut previous);
        std::mem::swap(&mut previous, &mut current);
    }
    previous[b.len()]
}

/// The `n` candidates closest to `word`, closest first. Among candidates at the same
/// distance, those that share a longer beginning with `word` come first (`r7.2xlarge` is as
/// far from `g7.2xlarge` as from `r7i.2xlarge`, and meant the second), then the order of
/// `candidates`, so the answer is the same at every run.
pub fn closest<'c>(
    word: &str,
    candidates: impl IntoIterator<Item = &'c str>,
    n: usize,
) -> Vec<&'c str> {
    let mut scored: Vec<(usize, std::cmp::Reverse<usize>, usize, &'c str)> = candidates
        .into_iter()
        .enumerate()
        .map(|(i, c)| {
            let shared = word
                .chars()
                .zip(c.chars())
                .take_while(|(a, b)| a == b)
                .count();
            (distance(word, c), std::cmp::Reverse(shared), i, c)
        })
        .collect();
    scored.sort_unstable();
    scored.into_iter().take(n).map(|(_, _, _, c)| c).collect()
}

/// `"a"`, `"a" or "b"`, `"a", "b" or "c"`: names quoted for a hint.
pub fn quoted_alternatives(names: &[&str]) -> String {
    let quoted: Vec<String> = names.iter().map(|n| format!("\"{n}\"")).collect();
    match quoted.as_slice() {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} or {last}", init.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distances() {
        assert_eq!(distance("", ""), 0);
        assert_eq!(distance("abc", ""), 3);
        assert_eq!(distance("", "ab"), 2);
        assert_eq!(distance("us-east-1", "us-east-1"), 0);
        assert_eq!(distance("us-esat-1", "us-east-1"), 1);
        assert_eq!(distance("m5.larg", "m5.large"), 1);
        assert_eq!(distance("eu-west-7", "eu-west-1"), 1);
        assert_eq!(distance("kitten", "sitting"), 3);
    }

    #[test]
    fn closest_names_first_ties_in_given_order() {
        let candidates = ["eu-west-1", "eu-west-2", "us-east-1", "eu-west-3"];
        assert_eq!(
            closest("eu-west-9", candidates, 2),
            vec!["eu-west-1", "eu-west-2"]
        );
        assert_eq!(closest("us-esat-1", candidates, 1), vec!["us-east-1"]);
        assert_eq!(
            closest("r7.2xlarge", ["g7.2xlarge", "r3.2xlarge", "r7i.2xlarge"], 1),
            vec!["r7i.2xlarge"]
        );
        assert!(closest("x", [], 3).is_empty());
    }

    #[test]
    fn alternatives() {
        assert_eq!(quoted_alternatives(&[]), "");
        assert_eq!(quoted_alternatives(&["a"]), "\"a\"");
        assert_eq!(
            quoted_alternatives(&["a", "b", "c"]),
            "\"a\", \"b\" or \"c\""
        );
    }
}
