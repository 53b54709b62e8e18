//! --save FILE: the bytes the server receives, appended to a file as they arrive. Only a
//! regular file (or a new one) is taken: a FIFO would hold the server until some reader
//! opened it, and a directory or a device is not a place to keep a capture.

use std::fs::{File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use crate::error::Error;

/// The file received bytes are appended to; after the first failed write, nothing more is.
pub struct Save {
    pub path: PathBuf,
    file: Mutex<Option<File>>,
}

impl Save {
    /// Opens `path` to append to (created when missing); an error says why it cannot be.
    pub fn open(path: &Path) -> Result<Save, Error> {
        let bad = |reason: String| Error::BadValue {
            option: "--save",
            value: path.display().to_string(),
            reason,
        };
        if let Some(kind) = crate::net::not_a_file(path) {
            return Err(bad(format!(
                "{kind}: give a file to append the received bytes to"
            )));
        }
        let file = OpenOptions::new()
            .append(true)
            .create(true)
            .open(path)
            .map_err(|e| bad(crate::error::io_reason(&e)))?;
        Ok(Save {
            path: path.to_path_buf(),
            file: Mutex::new(Some(file)),
        })
    }

    /// Appends `bytes`; the first failure is returned (once) and ends saving. Written where
    /// the bytes arrived, under a lock: appends to a regular file land in the page cache, and
    /// the file keeps the order in which messages were read.
    pub fn append(&self, bytes: &[u8]) -> Option<io::Error> {
        let mut file = self
            .file
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let error = file.as_mut()?.write_all(bytes).err()?;
        *file = None;
        Some(error)
    }
}
