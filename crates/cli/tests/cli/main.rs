//! Integration tests of the `teikit` binary: each runs the built binary on files in a
//! temporary folder and checks exit status and output.

mod convert;
mod hostile;
mod inputs;
mod interrupt;
mod resolution;
mod schema;
mod util;
mod wellformed;
