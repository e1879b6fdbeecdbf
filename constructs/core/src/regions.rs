//! AWS regions and partitions, from the pinned table the generator writes
//! (`regions_table.rs`, from the AWS SDKs' endpoint data): a region name is checked against
//! the regions that exist rather than against the shape of one, so `eu-west-7` and
//! `us-esat-1` fail at synth instead of at deploy.

pub use crate::regions_table::{PARTITIONS, Partition, SOURCE};

/// The partition `region` is in, if the table lists the region.
pub fn partition_of(region: &str) -> Option<&'static Partition> {
    PARTITIONS
        .iter()
        .find(|p| p.regions.binary_search(&region).is_ok())
}

/// Whether the table lists `region`.
pub fn is_known(region: &str) -> bool {
    partition_of(region).is_some()
}

/// Every region of the table, partition by partition (the commercial one first).
pub fn all() -> impl Iterator<Item = &'static str> {
    PARTITIONS.iter().flat_map(|p| p.regions.iter().copied())
}

/// The `n` regions whose names are closest to `region`.
pub fn closest(region: &str, n: usize) -> Vec<&'static str> {
    crate::suggest::closest(region, all(), n)
}

/// `xx-name-N` or `xx-gov-name-N` and the like: lower-case words joined by `-`, ending in a
/// number. What every region name looks like, including those of regions newer than the table.
pub fn is_region_shaped(region: &str) -> bool {
    let parts: Vec<&str> = region.split('-').collect();
    parts.len() >= 3
        && parts[..parts.len() - 1]
            .iter()
            .all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_lowercase()))
        && parts
            .last()
            .is_some_and(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_digit()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_is_sorted_and_every_region_is_well_formed() {
        for p in PARTITIONS {
            assert!(
                p.regions.windows(2).all(|w| w[0] < w[1]),
                "{} is not sorted",
                p.id
            );
            for r in p.regions {
                assert!(is_region_shaped(r), "{r}");
            }
        }
    }

    #[test]
    fn regions_and_their_partitions() {
        let partition = |r| partition_of(r).map(|p| p.id);
        assert_eq!(partition("eu-west-1"), Some("aws"));
        assert_eq!(partition("cn-northwest-1"), Some("aws-cn"));
        assert_eq!(partition("us-gov-west-1"), Some("aws-us-gov"));
        assert_eq!(partition("eu-west-7"), None);
        assert!(!is_known("us-esat-1"));
        assert_eq!(closest("us-esat-1", 1), vec!["us-east-1"]);
    }

    #[test]
    fn region_shapes() {
        for ok in ["us-east-1", "eu-west-3", "us-gov-west-1", "ap-southeast-4"] {
            assert!(is_region_shaped(ok), "{ok}");
        }
        for bad in ["useast1", "us-east", "US-EAST-1", "us--1", "eu-west-x"] {
            assert!(!is_region_shaped(bad), "{bad}");
        }
    }
}
