//! `stagegate serve --config FILE --tls-cert C --tls-key K [--listen ADDR]`: the admission
//! webhook ([`crate::serve`]) on a multi-threaded Tokio runtime, the only command that starts
//! one.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::Args;
use miette::Report;

use crate::cli::exit::ExitStatus;
use crate::cli::registry::RegistryArgs;
use crate::serve::{Settings, run};

/// `stagegate serve`.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// The admission configuration: namespaces → stages, trusted keys, max age, cache.
    #[arg(long, short, value_name = "FILE")]
    pub config: PathBuf,
    /// The server's certificate chain (PEM).
    #[arg(long, value_name = "FILE")]
    pub tls_cert: PathBuf,
    /// The server's private key (PEM, PKCS#8 or SEC1).
    #[arg(long, value_name = "FILE")]
    pub tls_key: PathBuf,
    /// Where to listen.
    #[arg(long, value_name = "ADDR", default_value = "0.0.0.0:8443")]
    pub listen: SocketAddr,
    /// The largest AdmissionReview body accepted (bytes); larger is a 413.
    #[arg(long, value_name = "BYTES", default_value_t = 3 * 1024 * 1024)]
    pub max_body_bytes: usize,
    /// The time limit for one review; past it the request is denied.
    #[arg(long, value_name = "DURATION", default_value = "8s", value_parser = crate::cli::args::parse_duration)]
    pub timeout: std::time::Duration,
    /// Worker threads [default: the number of CPUs].
    #[arg(long, value_name = "N")]
    pub workers: Option<usize>,
    /// Registry options.
    #[command(flatten)]
    pub registry: RegistryArgs,
}

/// Runs `stagegate serve` until stopped.
pub fn serve(args: ServeArgs) -> Result<ExitStatus, Report> {
    let mut builder = tokio::runtime::Builder::new_multi_thread();
    builder.enable_all();
    if let Some(workers) = args.workers {
        builder.worker_threads(workers.max(1));
    }
    let runtime = builder
        .build()
        .map_err(|e| crate::cli::diagnostic::chain_report(&e))?;
    let registry = {
        let mut builder = crate::oci::Registry::builder().timeout(args.timeout);
        for host in &args.registry.insecure_registry {
            builder = builder.insecure_registry(host.clone());
        }
        builder.build()
    };
    let settings = Settings {
        config: args.config,
        tls_cert: args.tls_cert,
        tls_key: args.tls_key,
        listen: args.listen,
        max_body_bytes: args.max_body_bytes,
        timeout: args.timeout,
        registry,
    };
    runtime
        .block_on(run(settings))
        .map_err(|e| crate::cli::diagnostic::chain_report(&e))?;
    Ok(ExitStatus::Success)
}
