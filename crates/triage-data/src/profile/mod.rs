//! Dataset profiling: class balance, order, duplicates and leakage, corrupt
//! files, image sizes and per-image properties.
