//! The EFS file system: its secure defaults, mount targets, who may mount it, and the
//! settings EFS would refuse.

use cirrus_aws::codes;
use cirrus_aws::ec2::{NatGateways, Peer, SubnetType, Vpc, VpcProps};
use cirrus_aws::efs::{
    FileSystem, FileSystemEncryption, FileSystemProps, PerformanceMode, ThroughputMode,
    TransitionToIa,
};
use cirrus_aws::iam::{Principal, Role, RoleProps};
use cirrus_aws::kms::{Key, KeyProps};
use cirrus_core::assertions::{Annotations, Match, Template};
use cirrus_core::{App, Stack, StackProps};
use serde_json::json;

fn vpc<'a>(stack: Stack<'a>) -> Vpc<'a> {
    Vpc::new(
        stack,
        "Vpc",
        VpcProps {
            nat_gateways: NatGateways::Count(1),
            ..Default::default()
        },
    )
}

#[test]
fn a_file_system_is_encrypted_backed_up_tls_only_and_closed_until_allowed() {
    let app = App::new("t");
    let stack = app.stack("S", StackProps::default());
    let vpc = vpc(stack);
    let fs = FileSystem::new(stack, "Data", &vpc, FileSystemProps::default());
    let template = Template::from_stack(&stack);
    template.resource_count_is("AWS::EFS::FileSystem", 1);
    template.has_resource(
        "AWS::EFS::FileSystem",
        json!({
            "DeletionPolicy": "Retain",
            "Properties": {
                "Encrypted": true,
                "PerformanceMode": "generalPurpose",
                "ThroughputMode": "elastic",
                "BackupPolicy": {"Status": "ENABLED"},
                "KmsKeyId": Match::absent(),
                "FileSystemPolicy": {"Statement": [
                    {
                        "Sid": "MountThroughMountTargets",
                        "Effect": "Allow",
                        "Principal": "*",
                        "Action": ["elasticfilesystem:ClientMount", "elasticfilesystem:ClientWrite"],
                        "Condition": {"Bool": {"elasticfilesystem:AccessedViaMountTarget": "true"}}
                    },
                    {
                        "Sid": "DenyInsecureTransport",
                        "Effect": "Deny",
                        "Principal": "*",
                        "Action": "*",
                        "Condition": {"Bool": {"aws:SecureTransport": "false"}}
                    }
                ]}
            }
        }),
    );
    // One mount target per private subnet (one per zone), in the file system's own group,
    // which admits nothing yet.
    template.resource_count_is("AWS::EFS::MountTarget", 2);
    template.all_resources_properties(
        "AWS::EFS::MountTarget",
        json!({"FileSystemId": {"Ref": Match::any_value()}, "SecurityGroups": [{"Fn::GetAtt": [Match::any_value(), "GroupId"]}]}),
    );
    let groups = template.find_resources(
        "AWS::EC2::SecurityGroup",
        json!({"Properties": {"GroupDescription": "mount targets of the file system S/Data"}}),
    );
    assert_eq!(groups.len(), 1);
    assert!(groups[0].1["Properties"]["SecurityGroupIngress"].is_null());

    fs.allow_from(Peer::Ipv4("10.0.0.0/16".into()), "NFS from the VPC");
    let role = Role::new(
        stack,
        "Client",
        Principal::service("ec2.amazonaws.com"),
        RoleProps::default(),
    );
    fs.grant_read_write(&role);
    let template = Template::from_stack(&stack);
    template.has_resource_properties(
        "AWS::EC2::SecurityGroup",
        json!({
            "GroupDescription": "mount targets of the file system S/Data",
            "SecurityGroupIngress": [{"IpProtocol": "tcp", "FromPort": 2049, "ToPort": 2049, "CidrIp": "10.0.0.0/16"}]
        }),
    );
    template.has_resource_properties(
        "AWS::IAM::Policy",
        json!({"PolicyDocument": {"Statement": [{
            "Action": ["elasticfilesystem:ClientMount", "elasticfilesystem:ClientWrite"],
            "Resource": {"Fn::GetAtt": [Match::any_value(), "Arn"]}
        }]}}),
    );
}

#[test]
fn settings_reach_the_template() {
    let app = App::new("t");
    let stack = app.stack("S", StackProps::default());
    let vpc = vpc(stack);
    let key = Key::new(stack, "Key", KeyProps::default());
    FileSystem::new(
        stack,
        "Data",
        &vpc,
        FileSystemProps {
            subnet_type: SubnetType::Public,
            encryption: FileSystemEncryption::Kms(key),
            throughput_mode: ThroughputMode::Provisioned(64.0),
            automatic_backups: false,
            transition_to_ia: Some(TransitionToIa { after_days: 30 }),
            ..Default::default()
        },
    );
    let template = Template::from_stack(&stack);
    template.has_resource_properties(
        "AWS::EFS::FileSystem",
        json!({
            "KmsKeyId": {"Fn::GetAtt": [Match::any_value(), "Arn"]},
            "ThroughputMode": "provisioned",
            "ProvisionedThroughputInMibps": 64,
            "BackupPolicy": {"Status": "DISABLED"},
            "LifecyclePolicies": [{"TransitionToIA": "AFTER_30_DAYS"}]
        }),
    );
    template.resource_count_is("AWS::EFS::MountTarget", 2);
}

#[test]
fn settings_efs_refuses_are_errors() {
    let app = App::new("t");
    let stack = app.stack("S", StackProps::default());
    let vpc = vpc(stack);
    FileSystem::new(
        stack,
        "NoSubnets",
        &vpc,
        FileSystemProps::default().subnet_type(SubnetType::Isolated),
    );
    FileSystem::new(
        stack,
        "Throughput",
        &vpc,
        FileSystemProps::default().throughput_mode(ThroughputMode::Provisioned(0.0)),
    );
    FileSystem::new(
        stack,
        "MaxIo",
        &vpc,
        FileSystemProps::default().performance_mode(PerformanceMode::MaxIo),
    );
    FileSystem::new(
        stack,
        "Transition",
        &vpc,
        FileSystemProps::default().transition_to_ia(TransitionToIa { after_days: 45 }),
    );
    FileSystem::new(
        stack,
        "Fine",
        &vpc,
        FileSystemProps {
            performance_mode: PerformanceMode::MaxIo,
            throughput_mode: ThroughputMode::Bursting,
            transition_to_ia: Some(TransitionToIa { after_days: 1 }),
            ..Default::default()
        },
    );
    let annotations = Annotations::from_app(&app);
    annotations.has_error_code("S/NoSubnets", codes::efs::NO_MOUNT_TARGETS);
    annotations.has_error_code("S/Throughput", codes::efs::THROUGHPUT_INVALID);
    annotations.has_error_code("S/MaxIo", codes::efs::MAX_IO_WITH_ELASTIC);
    let transition = annotations.find_code("S/Transition", codes::efs::TRANSITION_INVALID);
    assert_eq!(transition.len(), 1);
    assert!(transition[0].message.contains("not 45"), "{transition:?}");
    assert!(
        annotations
            .find_code("S/Fine", codes::efs::MAX_IO_WITH_ELASTIC)
            .is_empty()
    );
    assert!(
        annotations
            .find_code("S/Fine", codes::efs::TRANSITION_INVALID)
            .is_empty()
    );
    assert!(
        annotations
            .errors()
            .iter()
            .all(|d| !d.path.starts_with("S/Fine"))
    );
}
