//! Policy data: the JSON and YAML files named under a stage's `data`, deep-merged into the
//! one document that Rego sees as `data` and CEL as `data`.
//!
//! Objects merge key by key; any other value defined by two files is a conflict and an error
//! naming both files (as OPA refuses conflicting data), so the order of `data` entries never
//! changes what a policy sees.

use std::path::PathBuf;

use serde_json::{Map, Value};

use crate::config::stages::ConfigPath;
use crate::document::{DocumentError, read_document};
use crate::limits::Limits;
use crate::policy::error::{Located, PolicyError};

/// The merged data document and the bytes of each file it was read from (for the digest).
#[derive(Debug, Default)]
pub struct LoadedData {
    /// The merged document.
    pub value: Value,
    /// Each data file with its bytes.
    pub files: Vec<(PathBuf, Vec<u8>)>,
}

/// Reads and merges the data files.
pub fn load_data(files: &[ConfigPath], limits: &Limits) -> Result<LoadedData, PolicyError> {
    let mut merged = Value::Object(Map::new());
    let mut owners: Vec<(String, PathBuf)> = Vec::new();
    let mut bytes = Vec::new();
    for file in files {
        let document = read_document(&file.resolved, limits).map_err(|err| match err {
            DocumentError::Limit(limit) => PolicyError::Input(limit),
            DocumentError::Syntax {
                path,
                line,
                column,
                message,
                ..
            } => PolicyError::Data(Located::new(&path, line as u32, column as u32, message)),
        })?;
        if !document.value.is_object() {
            return Err(PolicyError::Data(Located::new(
                &file.resolved,
                1,
                1,
                "a data file must hold a mapping at the top level",
            )));
        }
        merge(&mut merged, document.value, "", &file.resolved, &mut owners)?;
        bytes.push((file.resolved.clone(), document.bytes));
    }
    Ok(LoadedData {
        value: merged,
        files: bytes,
    })
}

fn merge(
    into: &mut Value,
    from: Value,
    at: &str,
    file: &PathBuf,
    owners: &mut Vec<(String, PathBuf)>,
) -> Result<(), PolicyError> {
    match (into, from) {
        (Value::Object(target), Value::Object(source)) => {
            for (key, value) in source {
                let path = if at.is_empty() {
                    key.clone()
                } else {
                    format!("{at}.{key}")
                };
                match target.get_mut(&key) {
                    Some(existing) => merge(existing, value, &path, file, owners)?,
                    None => {
                        owners.push((path, file.clone()));
                        target.insert(key, value);
                    }
                }
            }
            Ok(())
        }
        _ => {
            let first = owners
                .iter()
                .rev()
                .find(|(path, _)| at.starts_with(path.as_str()))
                .map_or_else(
                    || "another data file".to_owned(),
                    |(_, f)| format!("`{}`", f.display()),
                );
            Err(PolicyError::Data(Located::new(
                file,
                0,
                0,
                format!("`data.{at}` is also defined by {first}; data files may only add keys"),
            )))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn objects_merge_and_scalars_conflict() {
        let mut owners = Vec::new();
        let mut merged = json!({"a": {"x": 1}});
        let ok = merge(
            &mut merged,
            json!({"a": {"y": 2}}),
            "",
            &PathBuf::from("b.yaml"),
            &mut owners,
        );
        assert!(ok.is_ok());
        assert_eq!(merged, json!({"a": {"x": 1, "y": 2}}));
        let clash = merge(
            &mut merged,
            json!({"a": {"x": 3}}),
            "",
            &PathBuf::from("c.yaml"),
            &mut owners,
        );
        assert!(matches!(clash, Err(PolicyError::Data(l)) if l.message.contains("data.a.x")));
    }
}
