//! `--module-store DIR`: every module the service has loaded is kept by its
//! sha256 (`<sha256>.wasm`, with its signature as `<sha256>.wasm.sig` when it
//! has one), written once, before the module answers anything. A decision
//! log line names its module by that sha256, so `kitei replay` finds the
//! exact bytes after any number of reloads, and after the file in the policy
//! directory is gone.

use kitei::PolicyInfo;
use kitei::component::sha256_hex;
use std::io::Write;
use std::path::{Path, PathBuf};

/// Why a module could not be kept: its file cannot be read or no longer
/// has the bytes loaded, or the store cannot be written. The message names
/// the file.
#[derive(Debug, thiserror::Error)]
#[error("{message}")]
pub struct KeepError {
    file: PathBuf,
    message: String,
}

impl KeepError {
    fn new(file: &Path, message: String) -> Self {
        KeepError { file: file.to_path_buf(), message }
    }

    /// The file at fault: the module or its signature read, or the store's
    /// file written.
    pub fn file(&self) -> &Path {
        &self.file
    }
}

/// A directory of modules by sha256.
#[derive(Debug)]
pub struct ModuleStore {
    dir: PathBuf,
}

/// Where a module `sha256` is kept in `dir`, and its signature.
pub fn paths(dir: &Path, sha256: &str) -> (PathBuf, PathBuf) {
    (dir.join(format!("{sha256}.wasm")), dir.join(format!("{sha256}.wasm.sig")))
}

impl ModuleStore {
    /// Opens the directory, creating it.
    ///
    /// # Errors
    /// When it cannot be created.
    pub fn open(dir: &Path) -> std::io::Result<Self> {
        std::fs::create_dir_all(dir)?;
        Ok(ModuleStore { dir: dir.to_path_buf() })
    }

    /// The store's directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Keeps the module `info` was loaded from, unless it is kept already;
    /// returns whether it wrote it. The file is read again and must still
    /// hash to `info.sha256` (it may have been replaced since it loaded).
    ///
    /// # Errors
    /// The module's file cannot be read, no longer has the bytes loaded, or
    /// the store cannot be written (each naming the file).
    pub fn keep(&self, info: &PolicyInfo) -> Result<bool, KeepError> {
        let Some(source) = &info.source else { return Ok(false) };
        let (wasm, sig) = paths(&self.dir, &info.sha256);
        if wasm.exists() {
            return Ok(false);
        }
        let bytes = std::fs::read(source).map_err(|e| KeepError::new(source, format!("reading `{}`: {e}", source.display())))?;
        if sha256_hex(&bytes) != info.sha256 {
            return Err(KeepError::new(source, format!("`{}` changed since it was loaded (sha256 {} loaded): not kept", source.display(), info.sha256)));
        }
        let mut sig_source = source.as_os_str().to_owned();
        sig_source.push(".sig");
        match std::fs::read(PathBuf::from(&sig_source)) {
            Ok(signature) => write_once(&sig, &signature)?,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => {
                let sig_source = PathBuf::from(sig_source);
                return Err(KeepError::new(&sig_source, format!("reading `{}`: {e}", sig_source.display())));
            }
        }
        // the module last: its presence says the pair is complete
        write_once(&wasm, &bytes)?;
        Ok(true)
    }
}

/// Writes `bytes` to `path` through a temporary file and a rename, so a
/// reader never sees half a file; an existing file is left alone.
fn write_once(path: &Path, bytes: &[u8]) -> Result<(), KeepError> {
    if path.exists() {
        return Ok(());
    }
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(format!(".tmp-{}", std::process::id()));
    let tmp = PathBuf::from(tmp);
    let written = (|| {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    written.map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        KeepError::new(path, format!("writing `{}`: {e}", path.display()))
    })
}
