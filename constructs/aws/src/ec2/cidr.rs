//! The IPv4 arithmetic of a VPC: parsing blocks and carving subnets out of the VPC's block.
//!
//! Subnets are handed out in the AWS CDK's order, so that a VPC ported from the CDK keeps its
//! subnet blocks: first the groups with a mask, group by group and zone by zone, then the
//! evenly split groups, which share what is left. Unlike the CDK, every block starts on a
//! multiple of its own size (a /24 after a /28 moves up to the next /24 boundary), so mixed
//! masks never produce an invalid or overlapping block, and blocks given explicitly are
//! stepped around.

use std::net::Ipv4Addr;

use ipnet::Ipv4Net;

use crate::ec2::SubnetSize;

/// The longest and shortest prefixes AWS accepts for VPCs and subnets.
pub(crate) const LARGEST_PREFIX: u8 = 16;
pub(crate) const SMALLEST_PREFIX: u8 = 28;

/// A problem, with the hint that goes with it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct CidrProblem {
    pub message: String,
    pub hint: String,
}

fn problem(message: impl Into<String>, hint: impl Into<String>) -> CidrProblem {
    CidrProblem {
        message: message.into(),
        hint: hint.into(),
    }
}

/// Parses an IPv4 block such as `10.0.0.0/16`, refusing host bits (`10.0.0.1/16`). `what` names
/// the block in messages ("the VPC CIDR block").
pub(crate) fn parse_block(text: &str, what: &str) -> Result<Ipv4Net, CidrProblem> {
    let net: Ipv4Net = text.parse().map_err(|_| {
        problem(
            format!("{what} \"{text}\" is not an IPv4 CIDR block"),
            "write it as address/prefix, such as 10.0.0.0/16",
        )
    })?;
    if net.addr() != net.network() {
        return Err(problem(
            format!("{what} \"{text}\" has host bits set"),
            format!("use its network address, {}", net.trunc()),
        ));
    }
    Ok(net)
}

/// Parses a block and checks that AWS accepts its size for a VPC or subnet (/16 to /28).
pub(crate) fn parse_sized(text: &str, what: &str) -> Result<Ipv4Net, CidrProblem> {
    let net = parse_block(text, what)?;
    check_prefix(net.prefix_len(), &format!("{what} \"{text}\""))?;
    Ok(net)
}

fn check_prefix(prefix: u8, what: &str) -> Result<(), CidrProblem> {
    if (LARGEST_PREFIX..=SMALLEST_PREFIX).contains(&prefix) {
        Ok(())
    } else {
        Err(problem(
            format!("{what} is a /{prefix}; AWS accepts /{LARGEST_PREFIX} to /{SMALLEST_PREFIX}"),
            "a /16 holds 65,536 addresses, a /28 16",
        ))
    }
}

/// True when the two blocks share an address (CIDR blocks are nested or disjoint).
pub(crate) fn overlaps(a: Ipv4Net, b: Ipv4Net) -> bool {
    a.contains(&b.network()) || b.contains(&a.network())
}

/// A subnet group as the carving sees it.
#[derive(Debug, Clone, Copy)]
pub(crate) struct GroupRequest<'s> {
    pub name: &'s str,
    pub size: &'s SubnetSize,
}

/// Hands out aligned blocks from the VPC's block, in increasing order, around blocks taken
/// already.
#[derive(Debug, Clone)]
struct Allocator {
    end: u64,
    next: u64,
    taken: Vec<(u64, u64)>,
}

impl Allocator {
    fn new(vpc: Ipv4Net) -> Allocator {
        let start = u64::from(u32::from(vpc.network()));
        Allocator {
            end: start + (1u64 << (32 - vpc.prefix_len())),
            next: start,
            taken: Vec::new(),
        }
    }

    fn reserve(&mut self, net: Ipv4Net) {
        let start = u64::from(u32::from(net.network()));
        self.taken
            .push((start, start + (1u64 << (32 - net.prefix_len()))));
    }

    /// The next free block of `prefix` at or after the last one handed out.
    fn take(&mut self, prefix: u8) -> Option<Ipv4Net> {
        let size = 1u64 << (32 - prefix);
        let align = |at: u64| at.div_ceil(size) * size;
        let mut at = align(self.next);
        loop {
            if at + size > self.end {
                return None;
            }
            match self
                .taken
                .iter()
                .find(|(start, end)| at < *end && *start < at + size)
            {
                Some(&(_, end)) => at = align(end),
                None => break,
            }
        }
        self.taken.push((at, at + size));
        self.next = at + size;
        let address = Ipv4Addr::from(u32::try_from(at).ok()?);
        Ipv4Net::new(address, prefix).ok()
    }
}

/// The subnet blocks of every group in every zone (`out[group][zone]`), or every problem found.
pub(crate) fn carve(
    vpc: Ipv4Net,
    groups: &[GroupRequest<'_>],
    zones: usize,
) -> Result<Vec<Vec<Ipv4Net>>, Vec<CidrProblem>> {
    let mut problems = Vec::new();
    let mut out: Vec<Vec<Option<Ipv4Net>>> = vec![vec![None; zones]; groups.len()];
    let mut alloc = Allocator::new(vpc);

    // Explicit blocks first: they are fixed, the others are placed around them.
    let mut fixed: Vec<(Ipv4Net, String)> = Vec::new();
    for (g, group) in groups.iter().enumerate() {
        let SubnetSize::Cidrs(blocks) = group.size else {
            continue;
        };
        if blocks.len() != zones {
            problems.push(problem(
                format!(
                    "subnet group \"{}\" lists {} CIDR blocks for {zones} availability zones",
                    group.name,
                    blocks.len()
                ),
                "give one block per availability zone, in zone order",
            ));
        }
        for (z, text) in blocks.iter().enumerate().take(zones) {
            let what = format!("the subnet block \"{text}\" of group \"{}\"", group.name);
            let net = match parse_sized(
                text,
                &format!("the subnet block of group \"{}\"", group.name),
            ) {
                Ok(net) => net,
                Err(p) => {
                    problems.push(p);
                    continue;
                }
            };
            if !vpc.contains(&net) {
                problems.push(problem(
                    format!("{what} is not inside the VPC block {vpc}"),
                    format!("choose a block within {vpc}"),
                ));
                continue;
            }
            if let Some((other, owner)) = fixed.iter().find(|(other, _)| overlaps(*other, net)) {
                problems.push(problem(
                    format!("{what} overlaps {other} of {owner}"),
                    "subnets of a VPC cannot share addresses: choose disjoint blocks",
                ));
                continue;
            }
            fixed.push((net, format!("group \"{}\"", group.name)));
            alloc.reserve(net);
            out[g][z] = Some(net);
        }
    }

    // Then the groups with a mask, in order.
    for (g, group) in groups.iter().enumerate() {
        let SubnetSize::Mask(prefix) = *group.size else {
            continue;
        };
        let what = format!("the subnet mask of group \"{}\"", group.name);
        if let Err(p) = check_prefix(prefix, &what) {
            problems.push(p);
            continue;
        }
        if prefix < vpc.prefix_len() {
            problems.push(problem(
                format!("{what} (/{prefix}) is larger than the VPC block {vpc}"),
                format!("use a mask of /{} or more", vpc.prefix_len()),
            ));
            continue;
        }
        for (z, slot) in out[g].iter_mut().enumerate() {
            match alloc.take(prefix) {
                Some(net) => *slot = Some(net),
                None => {
                    problems.push(problem(
                        format!(
                            "no room left in {vpc} for the /{prefix} subnet of group \"{}\" in availability zone {}",
                            group.name,
                            z + 1
                        ),
                        "use a larger VPC block, fewer availability zones, or smaller subnets (a larger mask)",
                    ));
                    break;
                }
            }
        }
    }

    // Last, the evenly split groups share what is left: the largest size that fits them all.
    let even: Vec<usize> = (0..groups.len())
        .filter(|g| *groups[*g].size == SubnetSize::EvenSplit)
        .collect();
    let count = even.len() * zones;
    if count > 0 && problems.is_empty() {
        let fit = (vpc.prefix_len()..=SMALLEST_PREFIX)
            .map(|prefix| {
                let mut trial = alloc.clone();
                (0..count)
                    .map(|_| trial.take(prefix))
                    .collect::<Option<Vec<_>>>()
            })
            .find_map(|nets| nets);
        match fit {
            Some(nets) => {
                for (i, net) in nets.into_iter().enumerate() {
                    out[even[i / zones]][i % zones] = Some(net);
                }
            }
            None => {
                let names: Vec<String> = even
                    .iter()
                    .map(|g| format!("\"{}\"", groups[*g].name))
                    .collect();
                problems.push(problem(
                    format!(
                        "no room left in {vpc} for the {count} evenly split subnets of group{} {}: they would be smaller than /{SMALLEST_PREFIX}",
                        if names.len() == 1 { "" } else { "s" },
                        names.join(", ")
                    ),
                    "use a larger VPC block, fewer availability zones, or smaller subnets (larger masks) for the other groups",
                ));
            }
        }
    }

    if !problems.is_empty() {
        return Err(problems);
    }
    Ok(out
        .into_iter()
        .map(|zones| zones.into_iter().flatten().collect())
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn net(s: &str) -> Ipv4Net {
        s.parse().unwrap()
    }

    fn strings(out: &[Vec<Ipv4Net>]) -> Vec<Vec<String>> {
        out.iter()
            .map(|g| g.iter().map(ToString::to_string).collect())
            .collect()
    }

    #[test]
    fn blocks_are_parsed_strictly() {
        assert_eq!(parse_block("10.0.0.0/16", "x").unwrap(), net("10.0.0.0/16"));
        let p = parse_block("10.0.0.1/16", "the VPC CIDR block").unwrap_err();
        assert_eq!(
            p.message,
            "the VPC CIDR block \"10.0.0.1/16\" has host bits set"
        );
        assert_eq!(p.hint, "use its network address, 10.0.0.0/16");
        assert!(
            parse_block("10.0.0/16", "x")
                .unwrap_err()
                .message
                .contains("is not an IPv4 CIDR block")
        );
        assert!(parse_block("10.0.0.0/33", "x").is_err());
        assert!(parse_block("::/0", "x").is_err());
        assert!(
            parse_sized("10.0.0.0/8", "the VPC CIDR block")
                .unwrap_err()
                .message
                .contains("the VPC CIDR block \"10.0.0.0/8\" is a /8; AWS accepts /16 to /28")
        );
        assert!(parse_sized("10.0.0.0/29", "x").is_err());
        assert!(parse_sized("10.0.0.0/28", "x").is_ok());
    }

    #[test]
    fn overlap_is_nesting_or_equality() {
        assert!(overlaps(net("10.0.0.0/16"), net("10.0.5.0/24")));
        assert!(overlaps(net("10.0.5.0/24"), net("10.0.0.0/16")));
        assert!(overlaps(net("10.0.0.0/24"), net("10.0.0.0/24")));
        assert!(!overlaps(net("10.0.0.0/24"), net("10.0.1.0/24")));
    }

    #[test]
    fn two_zones_split_a_16_into_18s() {
        let even = SubnetSize::EvenSplit;
        let groups = [
            GroupRequest {
                name: "Public",
                size: &even,
            },
            GroupRequest {
                name: "Private",
                size: &even,
            },
        ];
        let out = carve(net("10.0.0.0/16"), &groups, 2).unwrap();
        assert_eq!(
            strings(&out),
            [
                ["10.0.0.0/18", "10.0.64.0/18"],
                ["10.0.128.0/18", "10.0.192.0/18"]
            ]
        );
    }

    #[test]
    fn three_zones_split_a_16_into_19s() {
        let even = SubnetSize::EvenSplit;
        let groups = [
            GroupRequest {
                name: "Public",
                size: &even,
            },
            GroupRequest {
                name: "Private",
                size: &even,
            },
        ];
        let out = carve(net("10.0.0.0/16"), &groups, 3).unwrap();
        assert_eq!(
            strings(&out),
            [
                ["10.0.0.0/19", "10.0.32.0/19", "10.0.64.0/19"],
                ["10.0.96.0/19", "10.0.128.0/19", "10.0.160.0/19"]
            ]
        );
    }

    #[test]
    fn masks_come_first_and_the_even_split_is_aligned() {
        let public = SubnetSize::Mask(24);
        let even = SubnetSize::EvenSplit;
        let data = SubnetSize::Mask(28);
        let groups = [
            GroupRequest {
                name: "Public",
                size: &public,
            },
            GroupRequest {
                name: "Private",
                size: &even,
            },
            GroupRequest {
                name: "Data",
                size: &data,
            },
        ];
        let out = carve(net("10.1.0.0/16"), &groups, 3).unwrap();
        assert_eq!(
            strings(&out),
            [
                vec!["10.1.0.0/24", "10.1.1.0/24", "10.1.2.0/24"],
                // 10.1.3.48 onwards is free; the /18s start on their own boundary.
                vec!["10.1.64.0/18", "10.1.128.0/18", "10.1.192.0/18"],
                vec!["10.1.3.0/28", "10.1.3.16/28", "10.1.3.32/28"],
            ]
        );
    }

    #[test]
    fn a_larger_mask_after_a_smaller_one_moves_to_its_boundary() {
        let small = SubnetSize::Mask(28);
        let big = SubnetSize::Mask(24);
        let groups = [
            GroupRequest {
                name: "A",
                size: &small,
            },
            GroupRequest {
                name: "B",
                size: &big,
            },
        ];
        let out = carve(net("10.0.0.0/20"), &groups, 1).unwrap();
        assert_eq!(strings(&out), [["10.0.0.0/28"], ["10.0.1.0/24"]]);
    }

    #[test]
    fn explicit_blocks_are_kept_and_stepped_around() {
        let fixed = SubnetSize::Cidrs(vec!["10.0.0.0/24".into(), "10.0.2.0/24".into()]);
        let masked = SubnetSize::Mask(24);
        let groups = [
            GroupRequest {
                name: "Fixed",
                size: &fixed,
            },
            GroupRequest {
                name: "Masked",
                size: &masked,
            },
        ];
        let out = carve(net("10.0.0.0/16"), &groups, 2).unwrap();
        assert_eq!(
            strings(&out),
            [
                ["10.0.0.0/24", "10.0.2.0/24"],
                ["10.0.1.0/24", "10.0.3.0/24"]
            ]
        );
    }

    #[test]
    fn isolated_only_gets_the_whole_space() {
        let even = SubnetSize::EvenSplit;
        let groups = [GroupRequest {
            name: "Isolated",
            size: &even,
        }];
        let out = carve(net("10.0.0.0/24"), &groups, 3).unwrap();
        assert_eq!(
            strings(&out),
            [["10.0.0.0/26", "10.0.0.64/26", "10.0.0.128/26"]]
        );
    }

    #[test]
    fn what_does_not_fit_is_reported() {
        let big = SubnetSize::Mask(17);
        let groups = [GroupRequest {
            name: "Big",
            size: &big,
        }];
        let problems = carve(net("10.0.0.0/16"), &groups, 3).unwrap_err();
        assert_eq!(
            problems[0].message,
            "no room left in 10.0.0.0/16 for the /17 subnet of group \"Big\" in availability zone 3"
        );

        let even = SubnetSize::EvenSplit;
        let groups = [
            GroupRequest {
                name: "A",
                size: &even,
            },
            GroupRequest {
                name: "B",
                size: &even,
            },
        ];
        let problems = carve(net("10.0.0.0/28"), &groups, 2).unwrap_err();
        assert_eq!(
            problems[0].message,
            "no room left in 10.0.0.0/28 for the 4 evenly split subnets of groups \"A\", \"B\": they would be smaller than /28"
        );
    }

    #[test]
    fn bad_masks_and_blocks_are_reported() {
        let tiny = SubnetSize::Mask(30);
        let huge = SubnetSize::Mask(16);
        let fixed = SubnetSize::Cidrs(vec![
            "10.0.0.0/24".into(),
            "10.0.0.128/25".into(),
            "192.168.0.0/24".into(),
        ]);
        let groups = [
            GroupRequest {
                name: "Tiny",
                size: &tiny,
            },
            GroupRequest {
                name: "Huge",
                size: &huge,
            },
            GroupRequest {
                name: "Fixed",
                size: &fixed,
            },
        ];
        let problems = carve(net("10.0.0.0/20"), &groups, 2).unwrap_err();
        let messages: Vec<&str> = problems.iter().map(|p| p.message.as_str()).collect();
        assert_eq!(
            messages,
            [
                "subnet group \"Fixed\" lists 3 CIDR blocks for 2 availability zones",
                "the subnet block \"10.0.0.128/25\" of group \"Fixed\" overlaps 10.0.0.0/24 of group \"Fixed\"",
                "the subnet mask of group \"Tiny\" is a /30; AWS accepts /16 to /28",
                "the subnet mask of group \"Huge\" (/16) is larger than the VPC block 10.0.0.0/20",
            ]
        );
    }
}
