//! The in-app emulator (being written)
