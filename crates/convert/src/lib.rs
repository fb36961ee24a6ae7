//! Archive transcriptions → TEI P5 XML, and back.
#![warn(missing_docs)]
