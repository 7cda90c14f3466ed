//! What a confirmation records before a plan may run, the same for every provider's plans:
//! how the caller was verified (with a one-time code waiting to be read back), and a second
//! person's approval. Which of them a plan needs is its [`PlanSafety`], decided in Rust when
//! it was planned; the page only sends what the operator did, and the run is refused until
//! the confirmation is complete.

use crate::error::{AppError, Result};
use crate::safety::verification::{self, PendingCode};
use crate::safety::{
    ApprovalRecord, CodeToSend, PlanSafety, VerificationEvidence, VerificationRecord,
};

#[derive(Default)]
pub(super) struct Confirmation {
    /// How the caller was verified, once recorded (a failed one stops the plan).
    pub verification: Option<VerificationRecord>,
    /// A one-time code sent for verification, waiting to be read back.
    pub pending_code: Option<PendingCode>,
    /// The second person's approval, once given.
    pub approval: Option<ApprovalRecord>,
}

impl Confirmation {
    /// Refuses to run a plan whose confirmation is not complete. Nothing is changed: the
    /// operator finishes the confirmation and confirms again.
    pub fn ensure_complete(&self, safety: &PlanSafety) -> Result<()> {
        if safety.verification.required && !self.verification.as_ref().is_some_and(|v| v.passed) {
            return Err(AppError::denied(
                "Verify the caller first: record how you verified them in the confirmation (your organisation requires it).",
            ));
        }
        if safety.approval.required && self.approval.is_none() {
            return Err(AppError::denied(format!(
                "A second person must approve this first: {}",
                safety.approval.reasons.join(" ")
            )));
        }
        Ok(())
    }

    /// Makes a one-time code to send to `destination_id` (one the plan offers); a new code
    /// replaces an earlier one.
    pub fn send_code(&mut self, safety: &PlanSafety, destination_id: &str) -> Result<CodeToSend> {
        let (pending, to_send) = verification::new_code(&safety.verification, destination_id)?;
        self.pending_code = Some(pending);
        Ok(to_send)
    }

    /// Records how the caller was verified, once. `Ok` with `passed: false` is a failed
    /// verification (the caller must stop the plan); `Err` is input to correct, and nothing
    /// is recorded.
    pub fn record_verification(
        &mut self,
        safety: &PlanSafety,
        evidence: &VerificationEvidence,
        at: &str,
    ) -> Result<VerificationRecord> {
        if self.verification.is_some() {
            return Err(AppError::invalid_input(
                "The caller's verification is already recorded for this request.",
            ));
        }
        let record = verification::evaluate(
            &safety.verification,
            evidence,
            self.pending_code.as_mut(),
            at,
        )?;
        self.pending_code = None;
        self.verification = Some(record.clone());
        Ok(record)
    }

    /// Moves what was recorded to the plan that replaces this one (the same request planned
    /// again with other options). The approval moves only when `same_contents`: the new plan
    /// changes exactly what was approved.
    pub fn take_for_replan(&mut self, same_contents: bool) -> Confirmation {
        Confirmation {
            verification: self.verification.take(),
            pending_code: self.pending_code.take(),
            approval: self.approval.take().filter(|_| same_contents),
        }
    }

    /// Refuses a second person's sign-in the plan does not need (`required`: what its safety
    /// rules decided), or one it already has: checked before the approver is asked to sign in.
    pub fn ensure_awaiting_approval(&self, required: bool) -> Result<()> {
        if !required {
            return Err(AppError::invalid_input(
                "This request does not need a second person's approval.",
            ));
        }
        self.ensure_not_approved()
    }

    /// Records a second person's approval, unless another was recorded while they signed in.
    pub fn record_approval(&mut self, record: ApprovalRecord) -> Result<()> {
        self.ensure_not_approved()?;
        self.approval = Some(record);
        Ok(())
    }

    fn ensure_not_approved(&self) -> Result<()> {
        match self.approval {
            Some(_) => Err(AppError::invalid_input("This request is already approved.")),
            None => Ok(()),
        }
    }

    pub fn records_anything(&self) -> bool {
        self.verification.is_some() || self.pending_code.is_some() || self.approval.is_some()
    }
}
