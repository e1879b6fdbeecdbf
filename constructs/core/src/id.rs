//! Construct ids and CloudFormation logical ids.
//!
//! Logical ids follow AWS CDK's `makeUniqueId` exactly, so a resource keeps its logical id (and
//! CloudFormation does not replace it) when a CDK app is ported to this library:
//!
//! - path components named `Default` are dropped;
//! - a single remaining component is only stripped to alphanumerics, without a hash;
//! - otherwise the id is a readable part followed by the first 8 hex digits, upper case, of the
//!   md5 of the components joined with `/` (`Resource` takes part in the hash). The readable part
//!   drops `Resource`, drops a component when the previous one ends with it, strips
//!   non-alphanumerics, and is cut to 240 characters.

use md5::{Digest, Md5};

/// The id that is invisible in logical ids and paths (CDK's `Default`).
pub const HIDDEN_ID: &str = "Default";
/// The id conventionally given to the L1 resource a higher-level construct wraps; it takes part
/// in the hash but not in the readable part of a logical id.
pub const RESOURCE_ID: &str = "Resource";

const MAX_ID_LEN: usize = 255;
const MAX_HUMAN_LEN: usize = 240;
const HASH_LEN: usize = 8;

/// Keeps ASCII letters and digits only.
pub fn strip_non_alphanumeric(s: &str) -> String {
    stripped_chars(s).collect()
}

/// The characters [`strip_non_alphanumeric`] keeps, without collecting them: for comparing a
/// stripped id without allocating one.
pub(crate) fn stripped_chars(s: &str) -> impl Iterator<Item = char> + '_ {
    s.chars().filter(char::is_ascii_alphanumeric)
}

/// Checks a construct id. Ids are made of ASCII letters, digits, `-` and `_`, start with a letter
/// or digit, and are at most 255 characters long. Returns the reason when it is not valid.
pub fn validate_construct_id(id: &str) -> Result<(), String> {
    if id.is_empty() {
        return Err("construct id is empty".into());
    }
    if id.len() > MAX_ID_LEN {
        return Err(format!(
            "construct id \"{}...\" is {} characters long (at most {MAX_ID_LEN})",
            id.chars().take(20).collect::<String>(),
            id.len()
        ));
    }
    if let Some(bad) = id
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || *c == '-' || *c == '_'))
    {
        return Err(format!(
            "construct id \"{id}\" contains {bad:?}; ids may contain only letters, digits, '-' and '_'"
        ));
    }
    if !id.starts_with(|c: char| c.is_ascii_alphanumeric()) {
        return Err(format!(
            "construct id \"{id}\" must start with a letter or digit"
        ));
    }
    Ok(())
}

/// Computes a CloudFormation logical id from the path components below the stack, with AWS
/// CDK's algorithm (see the module documentation).
///
/// Returns `None` when nothing is left once `Default` components are dropped.
pub fn logical_id<S: AsRef<str>>(components: &[S]) -> Option<String> {
    let components: Vec<&str> = components
        .iter()
        .map(AsRef::as_ref)
        .filter(|c| *c != HIDDEN_ID)
        .collect();
    match components.as_slice() {
        [] => return None,
        [single] => {
            let candidate = strip_non_alphanumeric(single);
            if candidate.len() <= MAX_ID_LEN {
                return Some(candidate);
            }
        }
        _ => {}
    }
    let mut human = String::new();
    for component in remove_dupes(&components) {
        if component != RESOURCE_ID {
            human.push_str(&strip_non_alphanumeric(component));
        }
    }
    human.truncate(MAX_HUMAN_LEN);
    human.push_str(&path_hash(&components));
    Some(human)
}

/// First 8 hex digits, upper case, of the md5 of the components joined with `/`.
pub fn path_hash<S: AsRef<str>>(components: &[S]) -> String {
    let mut hasher = Md5::new();
    for (i, component) in components.iter().enumerate() {
        if i > 0 {
            hasher.update(b"/");
        }
        hasher.update(component.as_ref().as_bytes());
    }
    let digest = hasher.finalize();
    let mut hex = String::with_capacity(HASH_LEN);
    const DIGITS: &[u8; 16] = b"0123456789ABCDEF";
    for byte in digest.iter().take(HASH_LEN / 2) {
        hex.push(char::from(DIGITS[usize::from(byte >> 4)]));
        hex.push(char::from(DIGITS[usize::from(byte & 0x0F)]));
    }
    hex
}

/// Drops a component when the component kept before it ends with it
/// (`[Bucket, Bucket]` and `[MyBucket, Bucket]` both read `..Bucket` once).
fn remove_dupes<'s>(components: &[&'s str]) -> Vec<&'s str> {
    let mut kept: Vec<&str> = Vec::with_capacity(components.len());
    for component in components {
        if kept.last().is_none_or(|last| !last.ends_with(component)) {
            kept.push(component);
        }
    }
    kept
}

/// Checks a logical id given by hand: 1 to 255 ASCII letters and digits.
pub fn validate_logical_id(id: &str) -> Result<(), String> {
    if id.is_empty() || id.len() > MAX_ID_LEN || !id.chars().all(|c| c.is_ascii_alphanumeric()) {
        return Err(format!(
            "logical id \"{id}\" is invalid; CloudFormation logical ids are 1 to 255 letters and digits"
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cdk_vectors() {
        assert_eq!(
            logical_id(&["MyBucket", "Resource"]).unwrap(),
            "MyBucketF68F3FF0"
        );
        assert_eq!(
            logical_id(&["MyBucket", "Key", "Resource"]).unwrap(),
            "MyBucketKeyC17130CF"
        );
        assert_eq!(
            logical_id(&["MyUser", "DefaultPolicy", "Resource"]).unwrap(),
            "MyUserDefaultPolicy7B897426"
        );
    }

    #[test]
    fn single_component_is_only_stripped() {
        assert_eq!(logical_id(&["My-Bucket_1"]).unwrap(), "MyBucket1");
        assert_eq!(logical_id(&["Default", "Topic"]).unwrap(), "Topic");
    }

    #[test]
    fn default_components_are_dropped_everywhere() {
        assert_eq!(
            logical_id(&["MyBucket", "Default", "Resource"]),
            logical_id(&["MyBucket", "Resource"])
        );
        assert_eq!(logical_id::<&str>(&["Default"]), None);
        assert_eq!(logical_id::<&str>(&[]), None);
    }

    #[test]
    fn duplicate_suffixes_are_read_once() {
        let id = logical_id(&["Pipeline", "Pipeline", "Role"]).unwrap();
        assert!(id.starts_with("PipelineRole"), "{id}");
        let id = logical_id(&["MyBucket", "Bucket"]).unwrap();
        assert!(
            id.starts_with("MyBucket") && id.len() == "MyBucket".len() + 8,
            "{id}"
        );
    }

    #[test]
    fn readable_part_is_cut_to_240() {
        let (a, c) = ("A".repeat(200), "C".repeat(200));
        let id = logical_id(&[a.as_str(), c.as_str(), "B"]).unwrap();
        assert_eq!(id.len(), 240 + 8);
    }

    #[test]
    fn long_single_component_falls_back_to_hash() {
        let long = "A".repeat(300);
        let id = logical_id(&[long.as_str()]).unwrap();
        assert_eq!(id.len(), 248);
    }

    #[test]
    fn construct_ids() {
        assert!(validate_construct_id("MyBucket").is_ok());
        assert!(validate_construct_id("my-bucket_2").is_ok());
        assert!(validate_construct_id("").is_err());
        assert!(validate_construct_id("a/b").is_err());
        assert!(validate_construct_id("a b").is_err());
        assert!(validate_construct_id("-a").is_err());
        assert!(validate_construct_id(&"a".repeat(256)).is_err());
    }

    #[test]
    fn logical_ids_given_by_hand() {
        assert!(validate_logical_id("Bucket1").is_ok());
        assert!(validate_logical_id("Bucket-1").is_err());
        assert!(validate_logical_id("").is_err());
    }
}
