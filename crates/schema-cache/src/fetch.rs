//! Downloading an official TEI schema (`tei_all`, `tei_lite`, …) into a folder of named
//! schemas, for machines with internet access.
//!
//! The download is bounded (a size cap and an overall timeout), kept in memory, loaded as a
//! RELAX NG schema (parse, simplification and checks) under its final path, and only then
//! written next to its final name and renamed into place: a failed or interrupted fetch
//! leaves nothing behind, and the folder never holds a schema teikit cannot load.

use std::path::{Path, PathBuf};
use std::time::Duration;

use teikit_relaxng::{LoadOptions, SchemaErrors};

/// Where the TEI Consortium publishes the current release's generated schemas.
pub const DEFAULT_BASE_URL: &str = "https://www.tei-c.org/release/xml/tei/custom/schema/relaxng/";

/// The official TEI schema names (customisations published with each release).
pub const TEI_SCHEMAS: &[&str] = &[
    "tei_all",
    "tei_lite",
    "tei_bare",
    "tei_minimal",
    "tei_simplePrint",
    "tei_corpus",
    "tei_speech",
    "tei_ms",
    "tei_drama",
    "tei_jtei",
    "tei_tite",
    "tei_dictionaries",
    "tei_math",
    "tei_svg",
    "tei_xinclude",
];

/// How to download.
#[derive(Clone, Debug)]
pub struct Options {
    /// The folder URL the schema's `NAME.rng` is fetched from (ends with `/`).
    pub base_url: String,
    /// Overall time limit for the request (connection, redirects and body).
    pub timeout: Duration,
    /// Largest accepted body, in bytes (tei_all is about 1.1 MB).
    pub max_bytes: u64,
}

impl Default for Options {
    fn default() -> Options {
        Options {
            base_url: DEFAULT_BASE_URL.to_string(),
            timeout: Duration::from_secs(60),
            max_bytes: 16 << 20,
        }
    }
}

/// A schema downloaded and installed.
#[derive(Clone, Debug)]
pub struct Fetched {
    /// Where it came from.
    pub url: String,
    /// Where it is now.
    pub path: PathBuf,
    /// Its size in bytes.
    pub bytes: usize,
}

/// Why a schema could not be fetched.
#[derive(Debug)]
pub enum Error {
    /// The server could not be reached (no network, DNS, refused connection, TLS, timeout).
    Network {
        /// The URL requested.
        url: String,
        /// What failed.
        reason: String,
    },
    /// The server answered with an error status (404 for an unknown name).
    Status {
        /// The URL requested.
        url: String,
        /// The HTTP status.
        status: u16,
    },
    /// The body is larger than [`Options::max_bytes`].
    TooLarge {
        /// The URL requested.
        url: String,
        /// The cap.
        max: u64,
    },
    /// What was downloaded is not a correct RELAX NG schema (a captive portal's page, a
    /// truncated body, a schema that includes files that were not downloaded).
    NotASchema {
        /// The URL requested.
        url: String,
        /// The loader's diagnostics (against the text that was downloaded).
        errors: Box<SchemaErrors>,
    },
    /// The folder could not be written.
    Write {
        /// The file or folder.
        path: PathBuf,
        /// What failed.
        reason: String,
    },
}

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Error::Network { url, reason } => write!(f, "cannot download {url}: {reason}"),
            Error::Status { url, status } => write!(f, "{url} answered HTTP status {status}"),
            Error::TooLarge { url, max } => {
                write!(f, "{url} is larger than the limit of {max} bytes")
            }
            Error::NotASchema { url, errors } => write!(
                f,
                "{url} is not a correct RELAX NG schema ({} error{})",
                errors.errors.len(),
                if errors.errors.len() == 1 { "" } else { "s" }
            ),
            Error::Write { path, reason } => write!(f, "cannot write {}: {reason}", path.display()),
        }
    }
}

/// The URL of schema `name` under `base_url`.
pub fn url_of(base_url: &str, name: &str) -> String {
    let sep = if base_url.ends_with('/') { "" } else { "/" };
    format!("{base_url}{sep}{name}.rng")
}

/// Downloads `name`.rng into `dir` (created if needed) as `dir/name.rng`, replacing any
/// older copy only once the new one has loaded as a correct schema.
pub fn fetch(name: &str, dir: &Path, options: &Options) -> Result<Fetched, Error> {
    let url = url_of(&options.base_url, name);
    let body = download(&url, options)?;
    let dest = dir.join(format!("{name}.rng"));
    // Checked as the file it is about to become, so relative hrefs resolve as they will.
    let text = match teikit_xml::decode(&body) {
        Ok(t) => t.into_owned(),
        Err(d) => {
            let file = std::sync::Arc::new(teikit_relaxng::SourceFile {
                path: dest.clone(),
                text: String::new(),
            });
            return Err(Error::NotASchema {
                url,
                errors: Box::new(SchemaErrors {
                    unreadable: false,
                    errors: vec![(file, d)],
                }),
            });
        }
    };
    if let Err(errors) = teikit_relaxng::load_source(&dest, &text, &LoadOptions::default()) {
        return Err(Error::NotASchema {
            url,
            errors: Box::new(errors),
        });
    }
    std::fs::create_dir_all(dir).map_err(|e| Error::Write {
        path: dir.to_path_buf(),
        reason: e.to_string(),
    })?;
    let write_err = |e: std::io::Error| Error::Write {
        path: dest.clone(),
        reason: e.to_string(),
    };
    let mut tmp = tempfile::Builder::new()
        .prefix(&format!(".{name}-"))
        .suffix(".download")
        .tempfile_in(dir)
        .map_err(write_err)?;
    std::io::Write::write_all(&mut tmp, &body).map_err(write_err)?;
    tmp.as_file().sync_all().map_err(write_err)?;
    tmp.persist(&dest).map_err(|e| write_err(e.error))?;
    Ok(Fetched {
        url,
        path: dest,
        bytes: body.len(),
    })
}

/// GET `url` into memory, within the time and size limits.
fn download(url: &str, options: &Options) -> Result<Vec<u8>, Error> {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .timeout_global(Some(options.timeout))
        .http_status_as_error(false)
        .user_agent(concat!("teikit/", env!("CARGO_PKG_VERSION")))
        .build()
        .into();
    let network = |e: ureq::Error| match e {
        ureq::Error::BodyExceedsLimit(_) => Error::TooLarge {
            url: url.to_string(),
            max: options.max_bytes,
        },
        e => Error::Network {
            url: url.to_string(),
            reason: e.to_string(),
        },
    };
    let mut response = agent.get(url).call().map_err(network)?;
    let status = response.status().as_u16();
    if status != 200 {
        return Err(Error::Status {
            url: url.to_string(),
            status,
        });
    }
    response
        .body_mut()
        .with_config()
        .limit(options.max_bytes)
        .read_to_vec()
        .map_err(network)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_join_with_one_slash() {
        assert_eq!(url_of("http://h/x/", "tei_all"), "http://h/x/tei_all.rng");
        assert_eq!(url_of("http://h/x", "tei_lite"), "http://h/x/tei_lite.rng");
        assert_eq!(
            url_of(DEFAULT_BASE_URL, "tei_all"),
            "https://www.tei-c.org/release/xml/tei/custom/schema/relaxng/tei_all.rng"
        );
    }
}
