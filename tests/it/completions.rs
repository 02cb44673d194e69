//! `stagegate completions` and `stagegate man` (issue 16): the bash script is loaded into a
//! real bash, which completes a subcommand and a flag; every shell's script is produced; the
//! manual pages are written, one per subcommand.

use std::process::Command;

use crate::util::{Dir, code, stderr, stdout};

/// Loads the script into bash and runs its completion function on `words` (the last one being
/// completed); returns what bash would offer.
fn bash_complete(script: &str, words: &[&str]) -> Vec<String> {
    let dir = Dir::new("completions-bash");
    let path = dir.write("stagegate.bash", script);
    let quoted: Vec<String> = words.iter().map(|w| format!("'{w}'")).collect();
    let current = words.last().copied().unwrap_or_default();
    let previous = words
        .len()
        .checked_sub(2)
        .and_then(|i| words.get(i))
        .copied()
        .unwrap_or_default();
    let program = format!(
        "source '{}'\n\
         complete -p stagegate >/dev/null || exit 3\n\
         COMP_WORDS=({})\n\
         COMP_CWORD={}\n\
         COMP_LINE=\"${{COMP_WORDS[*]}}\"\n\
         COMP_POINT=${{#COMP_LINE}}\n\
         _stagegate stagegate '{current}' '{previous}'\n\
         printf '%s\\n' \"${{COMPREPLY[@]}}\"\n",
        path.display(),
        quoted.join(" "),
        words.len() - 1,
    );
    let output = Command::new("bash")
        .arg("--norc")
        .arg("-c")
        .arg(program)
        .output()
        .expect("run bash");
    assert!(output.status.success(), "bash: {}", stderr(&output));
    stdout(&output).lines().map(str::to_owned).collect()
}

#[test]
fn bash_completes_a_subcommand_and_a_flag() {
    let dir = Dir::new("completions");
    let output = dir
        .command()
        .args(["completions", "bash"])
        .output()
        .unwrap();
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    let script = stdout(&output);

    let offered = bash_complete(&script, &["stagegate", "ga"]);
    assert_eq!(offered, ["gate"]);
    let offered = bash_complete(&script, &["stagegate", "ver"]);
    assert_eq!(offered, ["verify"]);
    let offered = bash_complete(&script, &["stagegate", "gate", "--bundle-o"]);
    assert_eq!(offered, ["--bundle-out"]);
    let offered = bash_complete(&script, &["stagegate", "waiver", "sign", "--ke"]);
    assert_eq!(offered, ["--key", "--keyless"]);
}

#[test]
fn every_shell_gets_a_script() {
    let dir = Dir::new("completions-shells");
    for (shell, marker) in [
        ("zsh", "#compdef stagegate"),
        ("fish", "complete -c stagegate"),
        ("powershell", "Register-ArgumentCompleter"),
        ("elvish", "edit:completion:arg-completer[stagegate]"),
    ] {
        let output = dir.command().args(["completions", shell]).output().unwrap();
        assert_eq!(code(&output), 0, "{shell}: {}", stderr(&output));
        let script = stdout(&output);
        assert!(script.contains(marker), "{shell}: no `{marker}`");
        assert!(script.contains("bundle-out"), "{shell}: no gate flags");
    }
    let output = dir
        .command()
        .args(["completions", "tcsh"])
        .output()
        .unwrap();
    assert_eq!(code(&output), 2);
}

#[test]
fn man_pages_are_written_per_subcommand() {
    let dir = Dir::new("man");
    let output = dir
        .command()
        .args(["man", "--output", "man"])
        .output()
        .unwrap();
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    assert!(stderr(&output).contains("manual pages to `man`"));
    for page in [
        "stagegate.1",
        "stagegate-gate.1",
        "stagegate-serve.1",
        "stagegate-waiver-sign.1",
    ] {
        let text = fs_err::read_to_string(dir.path().join("man").join(page)).unwrap();
        assert!(text.starts_with(".ie") || text.contains(".TH"), "{page}");
    }
    let gate = fs_err::read_to_string(dir.path().join("man/stagegate-gate.1")).unwrap();
    assert!(gate.contains(".TH stagegate-gate 1"));
    assert!(gate.contains("\\-\\-bundle\\-out"));

    // Without `--output`, the main page goes to standard output.
    let output = dir.command().arg("man").output().unwrap();
    assert_eq!(code(&output), 0);
    assert!(stdout(&output).contains(".SH SUBCOMMANDS"));
}
