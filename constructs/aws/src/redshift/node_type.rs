//! Redshift node types and the cluster sizes each allows.

/// The node type of a provisioned cluster.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum NodeType {
    /// `ra3.large`: 2 vCPU, managed storage.
    Ra3Large,
    /// `ra3.xlplus`: 4 vCPU, managed storage.
    #[default]
    Ra3XlPlus,
    /// `ra3.4xlarge`: 12 vCPU, managed storage.
    Ra34xLarge,
    /// `ra3.16xlarge`: 48 vCPU, managed storage.
    Ra316xLarge,
    /// `dc2.large`: dense compute with local SSD (previous generation).
    Dc2Large,
    /// `dc2.8xlarge`: dense compute with local SSD (previous generation).
    Dc28xLarge,
    /// A type this list does not know yet, by name; its size limits are not checked.
    Other(String),
}

impl NodeType {
    /// The type as Redshift names it.
    pub fn as_str(&self) -> &str {
        match self {
            NodeType::Ra3Large => "ra3.large",
            NodeType::Ra3XlPlus => "ra3.xlplus",
            NodeType::Ra34xLarge => "ra3.4xlarge",
            NodeType::Ra316xLarge => "ra3.16xlarge",
            NodeType::Dc2Large => "dc2.large",
            NodeType::Dc28xLarge => "dc2.8xlarge",
            NodeType::Other(name) => name,
        }
    }

    /// RA3 types (managed storage), which restrict the ports a cluster may listen on.
    pub(crate) fn is_ra3(&self) -> bool {
        self.as_str().starts_with("ra3.")
    }

    /// `(single node allowed, largest multi-node cluster at creation)`, from the node type
    /// table of the Redshift management guide; `None` for types this list does not know.
    pub(crate) fn limits(&self) -> Option<(bool, u32)> {
        match self {
            NodeType::Ra3Large => Some((true, 16)),
            NodeType::Ra3XlPlus => Some((true, 32)),
            NodeType::Ra34xLarge => Some((false, 64)),
            NodeType::Ra316xLarge => Some((false, 128)),
            NodeType::Dc2Large => Some((true, 32)),
            NodeType::Dc28xLarge => Some((false, 128)),
            NodeType::Other(_) => None,
        }
    }
}

/// What is wrong with a cluster of `nodes` nodes of `node_type`, in words for a diagnostic.
pub(crate) fn size_problem(node_type: &NodeType, nodes: u32) -> Option<String> {
    let name = node_type.as_str();
    if nodes == 0 {
        return Some("number_of_nodes is 0; a cluster has at least one node".to_owned());
    }
    let (single, max) = node_type.limits()?;
    if nodes == 1 && !single {
        Some(format!(
            "{name} does not support single-node clusters; give number_of_nodes 2 to {max}"
        ))
    } else if nodes > max {
        Some(format!(
            "number_of_nodes is {nodes}; a {name} cluster has at most {max} nodes"
        ))
    } else {
        None
    }
}
