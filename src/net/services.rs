//! The services database file (services(5)): where the system keeps it, and reading it
//! within bounds. What the names in it mean is ports.rs's job.

use std::path::Path;

use super::FileRefusal;
use crate::error::Error;
use crate::ports::{ServiceDb, Services};

// Unix
#[cfg(not(windows))]
const SYSTEM_SERVICES: &str = "/etc/services";
// Windows
#[cfg(windows)]
const SYSTEM_SERVICES: &str = r"C:\Windows\System32\drivers\etc\services";

/// The largest services file read. The system's is about 15 KB and nmap's nmap-services
/// about 1 MB; anything past this is not a services database (`/dev/zero` would never end).
pub const MAX_SIZE: u64 = 16 << 20;

/// Where service names come from.
#[derive(Debug, Clone, Copy)]
pub enum Source<'a> {
    /// The system's database, backed by the built-in table; the table alone where the system
    /// has none.
    System,
    /// This file, backed by the built-in table; a file that cannot be read is an error.
    File(&'a Path),
    /// The built-in table alone.
    Builtin,
}

/// The service names to use.
pub fn load(source: Source) -> Result<Services, Error> {
    let system = match source {
        Source::Builtin => None,
        Source::File(path) => Some(read(path)?),
        Source::System => read(Path::new(SYSTEM_SERVICES)).ok(),
    };
    Ok(Services::new(system))
}

fn read(path: &Path) -> Result<ServiceDb, Error> {
    let bytes = super::read_small_file(path, MAX_SIZE).map_err(|refusal| match refusal {
        FileRefusal::Read(source) => Error::Read {
            what: path.display().to_string(),
            source,
        },
        FileRefusal::NotAFile => Error::NotAFile {
            what: format!("services file {}", path.display()),
            hint: "give a services(5) file such as /etc/services",
        },
        FileRefusal::TooLarge => Error::TooLarge {
            what: format!("services file {}", path.display()),
            limit: MAX_SIZE,
        },
    })?;
    Ok(ServiceDb::parse(&String::from_utf8_lossy(&bytes)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_is_not_a_services_file_is_refused() {
        let dir = std::env::temp_dir();
        let refused = load(Source::File(&dir)).map_err(|e| e.to_string());
        assert!(
            refused
                .as_ref()
                .is_err_and(|e| e.contains("not a regular file")),
            "{refused:?}"
        );
        let missing = load(Source::File(Path::new("/nonexistent/services")));
        assert!(missing.is_err());
        assert!(load(Source::Builtin).is_ok_and(|s| s.port_of("ssh") == Some(22)));
    }
}
