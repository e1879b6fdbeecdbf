//! The instances of an EMR cluster: uniform instance groups or instance fleets, and the limits of
//! managed scaling.

use cirrus_cfn::emr::cluster as emr;

/// How instances are bought.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Market {
    /// On-Demand.
    #[default]
    OnDemand,
    /// Spot: cheaper, and taken back by EC2 at short notice. Suits task nodes.
    Spot,
}

impl Market {
    fn as_str(self) -> &'static str {
        match self {
            Market::OnDemand => "ON_DEMAND",
            Market::Spot => "SPOT",
        }
    }
}

/// A uniform instance group: `count` instances of one type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InstanceGroup {
    /// The EC2 instance type, such as `m5.xlarge`.
    pub instance_type: String,
    /// How many instances.
    pub count: u32,
    /// How they are bought. Default: On-Demand.
    pub market: Market,
    /// The size of one gp3 data volume per instance, in GiB. Default: none beyond what EMR
    /// attaches for the instance type.
    pub ebs_volume_gib: Option<u32>,
    /// The group's name. Default: `Primary`, `Core`, `Task1`, `Task2`, ... by role.
    pub name: Option<String>,
}

impl InstanceGroup {
    /// `count` On-Demand instances of `instance_type`.
    pub fn new(instance_type: &str, count: u32) -> InstanceGroup {
        InstanceGroup {
            instance_type: instance_type.to_owned(),
            count,
            market: Market::OnDemand,
            ebs_volume_gib: None,
            name: None,
        }
    }
}

/// An instance fleet: EMR picks among up to five instance types to reach the target
/// capacities, in any of the cluster's subnets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InstanceFleet {
    /// The instance types EMR may choose (1 to 5).
    pub instance_types: Vec<String>,
    /// On-Demand capacity, in units (one instance is one unit).
    pub on_demand_capacity: u32,
    /// Spot capacity, in units.
    pub spot_capacity: u32,
    /// The size of one gp3 data volume per instance, in GiB. Default: none beyond what EMR
    /// attaches for the instance type.
    pub ebs_volume_gib: Option<u32>,
    /// The fleet's name. Default: `Primary`, `Core`, `Task1`, ... by role.
    pub name: Option<String>,
}

impl InstanceFleet {
    /// A fleet of `on_demand_capacity` On-Demand units from `instance_types`.
    pub fn on_demand(instance_types: &[&str], on_demand_capacity: u32) -> InstanceFleet {
        InstanceFleet {
            instance_types: instance_types.iter().map(|t| (*t).to_owned()).collect(),
            on_demand_capacity,
            spot_capacity: 0,
            ebs_volume_gib: None,
            name: None,
        }
    }
}

/// The cluster's instances.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Instances {
    /// Uniform instance groups, in the first subnet of the chosen kind.
    Groups {
        /// The primary node(s): 1, or 3 for high availability.
        primary: InstanceGroup,
        /// The core nodes (HDFS and tasks): at least 1.
        core: InstanceGroup,
        /// Task nodes (tasks only). Default: none.
        tasks: Vec<InstanceGroup>,
    },
    /// Instance fleets, in any subnet of the chosen kind.
    Fleets {
        /// The primary fleet: a target of exactly one unit, On-Demand or Spot.
        primary: InstanceFleet,
        /// The core fleet: at least one unit.
        core: InstanceFleet,
        /// Task fleets. Default: none.
        tasks: Vec<InstanceFleet>,
    },
}

impl Default for Instances {
    /// One `m5.xlarge` primary node and two `m5.xlarge` core nodes, On-Demand.
    fn default() -> Self {
        Instances::Groups {
            primary: InstanceGroup::new("m5.xlarge", 1),
            core: InstanceGroup::new("m5.xlarge", 2),
            tasks: Vec::new(),
        }
    }
}

/// Managed scaling: EMR resizes the core and task nodes within these limits. Units are
/// instances for instance groups and fleet units for fleets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ManagedScaling {
    /// The fewest units.
    pub minimum: u32,
    /// The most units.
    pub maximum: u32,
    /// The most On-Demand units; the rest is Spot. Default: `maximum`.
    pub maximum_on_demand: Option<u32>,
    /// The most core units; the rest are task nodes. Default: `maximum`.
    pub maximum_core: Option<u32>,
}

/// An instance group's or fleet's EBS volume.
fn ebs(gib: Option<u32>) -> Option<emr::EbsConfiguration> {
    gib.map(|gib| emr::EbsConfiguration {
        ebs_block_device_configs: Some(
            vec![emr::EbsBlockDeviceConfig {
                volumes_per_instance: Some(1.into()),
                ..emr::EbsBlockDeviceConfig::new(emr::VolumeSpecification::new(
                    i64::from(gib),
                    "gp3",
                ))
            }]
            .into(),
        ),
        ebs_optimized: Some(true.into()),
    })
}

fn group_cfn(group: &InstanceGroup, name: String) -> emr::InstanceGroupConfig {
    emr::InstanceGroupConfig {
        market: Some(group.market.as_str().into()),
        name: Some(group.name.clone().unwrap_or(name).into()),
        ebs_configuration: ebs(group.ebs_volume_gib).map(Into::into),
        ..emr::InstanceGroupConfig::new(i64::from(group.count), group.instance_type.as_str())
    }
}

fn fleet_cfn(fleet: &InstanceFleet, name: String) -> emr::InstanceFleetConfig {
    emr::InstanceFleetConfig {
        name: Some(fleet.name.clone().unwrap_or(name).into()),
        target_on_demand_capacity: Some(i64::from(fleet.on_demand_capacity).into()),
        target_spot_capacity: Some(i64::from(fleet.spot_capacity).into()),
        instance_type_configs: Some(
            fleet
                .instance_types
                .iter()
                .map(|t| emr::InstanceTypeConfig {
                    ebs_configuration: ebs(fleet.ebs_volume_gib).map(Into::into),
                    ..emr::InstanceTypeConfig::new(t.as_str())
                })
                .collect::<Vec<_>>()
                .into(),
        ),
        ..Default::default()
    }
}

impl Instances {
    /// Writes the instances into the L1's instance configuration.
    pub(crate) fn apply(&self, config: &mut emr::JobFlowInstancesConfig) {
        match self {
            Instances::Groups {
                primary,
                core,
                tasks,
            } => {
                config.master_instance_group = Some(group_cfn(primary, "Primary".into()).into());
                config.core_instance_group = Some(group_cfn(core, "Core".into()).into());
                if !tasks.is_empty() {
                    config.task_instance_groups = Some(
                        tasks
                            .iter()
                            .enumerate()
                            .map(|(i, t)| group_cfn(t, format!("Task{}", i + 1)))
                            .collect::<Vec<_>>()
                            .into(),
                    );
                }
            }
            Instances::Fleets {
                primary,
                core,
                tasks,
            } => {
                config.master_instance_fleet = Some(fleet_cfn(primary, "Primary".into()).into());
                config.core_instance_fleet = Some(fleet_cfn(core, "Core".into()).into());
                if !tasks.is_empty() {
                    config.task_instance_fleets = Some(
                        tasks
                            .iter()
                            .enumerate()
                            .map(|(i, t)| fleet_cfn(t, format!("Task{}", i + 1)))
                            .collect::<Vec<_>>()
                            .into(),
                    );
                }
            }
        }
    }

    /// The unit managed scaling counts in.
    pub(crate) fn scaling_unit(&self) -> &'static str {
        match self {
            Instances::Groups { .. } => "Instances",
            Instances::Fleets { .. } => "InstanceFleetUnits",
        }
    }

    /// True for instance fleets, which may spread over several subnets.
    pub(crate) fn is_fleets(&self) -> bool {
        matches!(self, Instances::Fleets { .. })
    }

    /// Every instance type the groups or fleets name, in the order they name them.
    pub(crate) fn instance_types(&self) -> Vec<&str> {
        match self {
            Instances::Groups {
                primary,
                core,
                tasks,
            } => std::iter::once(primary)
                .chain([core])
                .chain(tasks)
                .map(|g| g.instance_type.as_str())
                .collect(),
            Instances::Fleets {
                primary,
                core,
                tasks,
            } => std::iter::once(primary)
                .chain([core])
                .chain(tasks)
                .flat_map(|f| f.instance_types.iter().map(String::as_str))
                .collect(),
        }
    }

    /// What is wrong with the instances, in words for diagnostics (the instance types are
    /// checked apart, to name the closest known ones in a hint).
    pub(crate) fn problems(&self) -> Vec<String> {
        let mut out = Vec::new();
        let mut names: Vec<String> = Vec::new();
        let mut name = |given: &Option<String>, default: String, out: &mut Vec<String>| {
            let name = given.clone().unwrap_or(default);
            if names.contains(&name) {
                out.push(format!(
                    "two instance groups or fleets are named \"{name}\"; each needs its own name"
                ));
            }
            names.push(name);
        };
        match self {
            Instances::Groups {
                primary,
                core,
                tasks,
            } => {
                if primary.count != 1 && primary.count != 3 {
                    out.push(format!(
                        "the primary instance group has {} instances; EMR runs 1, or 3 for high availability",
                        primary.count
                    ));
                }
                if core.count == 0 {
                    out.push(
                        "the core instance group has no instances; give it at least 1".to_owned(),
                    );
                }
                name(&primary.name, "Primary".into(), &mut out);
                name(&core.name, "Core".into(), &mut out);
                for (i, task) in tasks.iter().enumerate() {
                    name(&task.name, format!("Task{}", i + 1), &mut out);
                }
                for group in std::iter::once(primary).chain([core]).chain(tasks) {
                    out.extend(volume_problem(group.ebs_volume_gib));
                }
            }
            Instances::Fleets {
                primary,
                core,
                tasks,
            } => {
                let units = (primary.on_demand_capacity, primary.spot_capacity);
                if units != (1, 0) && units != (0, 1) {
                    out.push(format!(
                        "the primary instance fleet targets {} On-Demand and {} Spot units; it must target exactly one unit of one kind",
                        units.0, units.1
                    ));
                }
                if core.on_demand_capacity + core.spot_capacity == 0 {
                    out.push(
                        "the core instance fleet targets no capacity; give it at least 1 unit"
                            .to_owned(),
                    );
                }
                name(&primary.name, "Primary".into(), &mut out);
                name(&core.name, "Core".into(), &mut out);
                for (i, task) in tasks.iter().enumerate() {
                    name(&task.name, format!("Task{}", i + 1), &mut out);
                }
                for fleet in std::iter::once(primary).chain([core]).chain(tasks) {
                    let count = fleet.instance_types.len();
                    if !(1..=5).contains(&count) {
                        out.push(format!(
                            "an instance fleet lists {count} instance types; a fleet takes 1 to 5"
                        ));
                    }
                    out.extend(volume_problem(fleet.ebs_volume_gib));
                }
            }
        }
        out
    }
}

fn volume_problem(gib: Option<u32>) -> Option<String> {
    match gib {
        Some(gib) if !(1..=16384).contains(&gib) => Some(format!(
            "an EBS data volume of {gib} GiB; gp3 volumes are 1 to 16384 GiB"
        )),
        _ => None,
    }
}

impl ManagedScaling {
    /// What is wrong with the limits, in words for diagnostics.
    pub(crate) fn problems(&self) -> Vec<String> {
        let mut out = Vec::new();
        if self.minimum == 0 {
            out.push("managed scaling minimum is 0; it must be at least 1".to_owned());
        }
        if self.minimum > self.maximum {
            out.push(format!(
                "managed scaling minimum {} is above its maximum {}",
                self.minimum, self.maximum
            ));
        }
        for (what, value) in [
            ("maximum_on_demand", self.maximum_on_demand),
            ("maximum_core", self.maximum_core),
        ] {
            if let Some(value) = value
                && value > self.maximum
            {
                out.push(format!(
                    "managed scaling {what} {value} is above its maximum {}",
                    self.maximum
                ));
            }
        }
        out
    }

    pub(crate) fn cfn(&self, unit: &str) -> emr::ManagedScalingPolicy {
        emr::ManagedScalingPolicy {
            compute_limits: Some(
                emr::ComputeLimits {
                    maximum_on_demand_capacity_units: self
                        .maximum_on_demand
                        .map(|v| i64::from(v).into()),
                    maximum_core_capacity_units: self.maximum_core.map(|v| i64::from(v).into()),
                    ..emr::ComputeLimits::new(
                        i64::from(self.maximum),
                        i64::from(self.minimum),
                        unit,
                    )
                }
                .into(),
            ),
            ..Default::default()
        }
    }
}
