//! What a port number means: its IANA range and the hand-outs' two-way grouping, its service
//! names (from /etc/services text or a built-in table of common IANA assignments), and the
//! port-spec grammar that `scan --ports` takes. Pure: no I/O (callers read files and pass text).
//! One job a file: `ranges.rs` (IANA's and the hand-outs'), `protocol.rs` (protocols and
//! port states), `services.rs` (the services database), `spec.rs` (the port-spec grammar), `holder.rs` (who holds a port, as facts).

mod holder;
mod protocol;
mod ranges;
mod services;
mod spec;

pub use holder::Holder;
pub use protocol::{PortState, Protocol};
pub use ranges::{HandoutRange, IanaRange, LocalRange};
pub use services::{Service, ServiceDb, Services};
pub use spec::PortSet;
