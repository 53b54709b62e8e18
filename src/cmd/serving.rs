//! What echo and listen set up alike from their arguments: the sockets bound, how the wire
//! is framed, and the log.

use crate::cli::{RecordArgs, ServeArgs, TextArgs, WireArgs};
use crate::error::Error;
use crate::serve::{self, Bound, Logging, Place, Save, Wire};

/// Binds the sockets and builds the wire and the log. A file that cannot be saved to is said
/// before anything listens.
pub fn set_up(
    at: &ServeArgs,
    wire: &WireArgs,
    text: &TextArgs,
    record: &RecordArgs,
    quiet: bool,
) -> Result<(Bound, Wire, Logging), Error> {
    let save = record.save.as_deref().map(Save::open).transpose()?;
    let bound = serve::bind(&Place::new(at.port, &at.bind, at.protocols(), at.backlog))?;
    let framing = Wire::new(None, wire.max_frame, wire.recv_size).one_way(
        wire.reads_framed(),
        wire.writes_framed(),
        wire.reads_option(),
    );
    let logging = Logging {
        quiet,
        look: text.look(),
        timestamps: record.timestamps,
        save,
    };
    Ok((bound, framing, logging))
}
