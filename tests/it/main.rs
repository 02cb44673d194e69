//! Integration tests: the real `stagegate` binary on real files. One test binary, one module
//! per area.

mod evaluate;
mod util;
