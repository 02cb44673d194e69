//! Renderings of a decision.
