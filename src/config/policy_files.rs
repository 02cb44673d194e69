//! Which file names are policies and which are their tests: the naming conventions a config's
//! policy directories are checked against (a directory with no policy in it is refused) and
//! the policy loader and the test runner both follow.

/// Whether a file name is a CEL rule file.
pub fn is_cel_rules(name: &str) -> bool {
    (name.ends_with(".cel.yaml") || name.ends_with(".cel.yml")) && !is_cel_test(name)
}

/// Whether a file name is a CEL test file.
pub fn is_cel_test(name: &str) -> bool {
    name.ends_with(".cel.test.yaml") || name.ends_with(".cel.test.yml")
}

/// Whether a file name is a Rego test module.
pub fn is_rego_test(name: &str) -> bool {
    name.ends_with("_test.rego")
}
