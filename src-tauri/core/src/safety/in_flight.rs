//! Resets that were allowed to run and whose audit entry is not written yet.
//!
//! The hourly cap and the repeat-MFA rule count the audit log, which learns of a reset only
//! when its steps are done. Two plans run at the same moment would both pass a check that
//! only one of them may pass, so the check and the reservation of a slot are one step under
//! one lock ([`InFlightResets::reserve`]), and a reserved reset counts until its slot is
//! dropped — after its audit entry is written, or when it stopped before changing anything.

use std::sync::{Arc, Mutex};

use chrono::{DateTime, Utc};

use crate::error::{AppError, Result};

/// A reset between its run-time check and its audit entry.
#[derive(Debug, Clone)]
pub struct RunningReset {
    /// Who runs it, as the audit log names operators.
    pub operator: String,
    pub target_id: String,
    /// A reset of the user's MFA, which the repeat-MFA rule counts.
    pub mfa_reset: bool,
    pub since: DateTime<Utc>,
}

#[derive(Default)]
struct Registry {
    next_id: u64,
    running: Vec<(u64, RunningReset)>,
}

/// The running resets of this Console; cheap to clone (one shared registry).
#[derive(Default, Clone)]
pub struct InFlightResets {
    registry: Arc<Mutex<Registry>>,
}

/// A reserved slot: the reset counts as made until this is dropped.
pub struct ResetSlot {
    registry: Arc<Mutex<Registry>>,
    id: u64,
}

impl Drop for ResetSlot {
    fn drop(&mut self) {
        // A poisoned lock means a check panicked; the slot then frees with the process.
        if let Ok(mut registry) = self.registry.lock() {
            registry.running.retain(|(id, _)| *id != self.id);
        }
    }
}

impl InFlightResets {
    /// Runs `check` over the resets running now and, if it passes, reserves a slot for
    /// `reset`, all under one lock: no other reservation can pass its check in between.
    pub fn reserve(
        &self,
        reset: RunningReset,
        check: impl FnOnce(&[RunningReset]) -> Result<()>,
    ) -> Result<ResetSlot> {
        let mut registry = self
            .registry
            .lock()
            .map_err(|_| AppError::internal("The running resets' list is unusable."))?;
        let running: Vec<RunningReset> = registry.running.iter().map(|(_, r)| r.clone()).collect();
        check(&running)?;
        registry.next_id += 1;
        let id = registry.next_id;
        registry.running.push((id, reset));
        Ok(ResetSlot {
            registry: self.registry.clone(),
            id,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reset(operator: &str) -> RunningReset {
        RunningReset {
            operator: operator.into(),
            target_id: "adele".into(),
            mfa_reset: true,
            since: Utc::now(),
        }
    }

    #[test]
    fn a_slot_counts_until_it_is_dropped_and_a_refused_check_reserves_nothing() {
        let resets = InFlightResets::default();
        let first = resets.reserve(reset("a"), |running| {
            assert!(running.is_empty());
            Ok(())
        });
        let first = first.unwrap();
        let refused = resets.reserve(reset("b"), |running| {
            assert_eq!(running.len(), 1);
            assert_eq!(running[0].operator, "a");
            Err(AppError::denied("one at a time"))
        });
        assert!(refused.is_err());
        drop(first);
        resets
            .reserve(reset("c"), |running| {
                assert!(
                    running.is_empty(),
                    "the dropped and the refused left nothing"
                );
                Ok(())
            })
            .unwrap();
    }
}
