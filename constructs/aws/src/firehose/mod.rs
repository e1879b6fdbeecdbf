//! Amazon Data Firehose: delivery streams to S3.

mod delivery_stream;
mod prefix;

pub use delivery_stream::{
    Compression, DeliveryStream, DeliveryStreamProps, IDeliveryStream, ImportedDeliveryStream,
    StreamEncryption,
};
