//! EFS: file systems that pods on several nodes mount at once (`ReadWriteMany` volumes).

mod file_system;

pub use file_system::{
    FileSystem, FileSystemEncryption, FileSystemProps, PerformanceMode, ThroughputMode,
    TransitionToIa,
};
