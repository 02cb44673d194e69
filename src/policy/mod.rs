//! Stage 2: policies.
