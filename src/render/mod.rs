//! Renderers: plain data in, text out. No I/O here.

pub mod configmap;
pub mod validation;
