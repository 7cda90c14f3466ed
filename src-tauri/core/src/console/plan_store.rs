//! The one store of reviewed plans, the same for every kind of plan (the seam's one-user
//! plans, Lighthouse's bulk resets): each plan kept by id with who planned it, where it stands, when
//! it was made and what its confirmation recorded; claimed once for its run; refused, with
//! the same words whichever screen asks, when it is unknown, too old, no longer waiting for
//! confirmation, stopped or already run.
//!
//! Before this module each kind had its own map, its own states and its own copy of these
//! checks and messages. A kind keeps beside its plan only what is its own (`K`: the users a
//! bulk job acts on, the seam's run options and steps).

use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

use super::confirmation::Confirmation;
use super::PlanOwner;
use crate::error::{AppError, Result};
use crate::safety::{CodeToSend, PlanSafety, VerificationEvidence, VerificationRecord};

/// Where a kept plan stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum PlanState {
    /// Shown to the operator, waiting for their confirmation.
    Ready,
    /// Claimed by its run, which has not ended.
    Running,
    /// Ran (steps may have failed, or still wait to be finished by hand; a bulk job runs on
    /// in its journal).
    Ran,
    /// Stopped before any step ran (a failed verification, a replan, a refusal at run time).
    Stopped,
}

/// One reviewed plan, as the store keeps it.
pub(super) struct KeptPlan<P, K = ()> {
    /// The plan as the operator was shown it.
    pub plan: P,
    /// Who planned it, as the provider named them: only they may confirm and run it.
    pub owner: PlanOwner,
    /// What this kind of plan keeps beside it for its run.
    pub kept: K,
    pub state: PlanState,
    /// When it was planned (a replan that carries a confirmation keeps the first time).
    pub created: Instant,
    /// The caller's verification and the second person's approval, as recorded.
    pub confirmation: Confirmation,
}

impl<P, K> KeptPlan<P, K> {
    /// A plan just made, ready for confirmation, with nothing recorded yet.
    pub fn new(plan: P, owner: PlanOwner, kept: K) -> Self {
        Self {
            plan,
            owner,
            kept,
            state: PlanState::Ready,
            created: Instant::now(),
            confirmation: Confirmation::default(),
        }
    }
}

/// A plan whose confirmation may verify the caller and need a second person (a single action on
/// one user, any provider's): what it requires is its [`PlanSafety`], decided when planned.
pub(super) trait Confirmable {
    fn safety(&self) -> &PlanSafety;
}

impl<P: Confirmable, K> KeptPlan<P, K> {
    /// Makes a one-time code to send to one of the user's methods the plan offers.
    pub fn send_code(&mut self, destination_id: &str) -> Result<CodeToSend> {
        self.confirmation
            .send_code(self.plan.safety(), destination_id)
    }

    /// Records how the caller was verified, once. A verification that failed stops the plan:
    /// the operator must not go on (the caller audits it, in the kind's own terms).
    pub fn record_verification(
        &mut self,
        evidence: &VerificationEvidence,
        at: &str,
    ) -> Result<VerificationRecord> {
        let recorded = self
            .confirmation
            .record_verification(self.plan.safety(), evidence, at)?;
        if !recorded.passed {
            self.state = PlanState::Stopped;
        }
        Ok(recorded)
    }

    /// Refuses a plan whose confirmation is not complete (verification, approval).
    pub fn ensure_confirmed(&self) -> Result<()> {
        self.confirmation.ensure_complete(self.plan.safety())
    }
}

/// What a kind of plan tells the operator, where its words differ from a single action's.
pub(super) struct PlanWording {
    /// What a too-old summary must be reviewed again for ("the user's current state").
    pub review_again: &'static str,
    /// Said when the plan was already claimed by its run.
    pub already_ran: &'static str,
    /// Said when a confirmation step comes after the plan left `Ready`.
    pub not_waiting: &'static str,
}

impl PlanWording {
    /// A single action on one user (the seam's plans).
    pub const ONE_USER: PlanWording = PlanWording {
        review_again: "the user's current state",
        already_ran: "This request has already run; nothing more was changed. Start the action again if needed.",
        not_waiting: "This request is no longer waiting for confirmation. Start the action again.",
    };
    /// A bulk job across customers: once claimed it runs in its journal.
    pub const BULK_JOB: PlanWording = PlanWording {
        review_again: "the users' current methods",
        already_ran: "This request has already started; follow it in the job panel.",
        not_waiting: "This request has already started; follow it in the job panel.",
    };
}

pub(super) struct PlanStore<P, K = ()> {
    plans: Mutex<HashMap<String, KeptPlan<P, K>>>,
    wording: PlanWording,
}

type Plans<'a, P, K> = MutexGuard<'a, HashMap<String, KeptPlan<P, K>>>;

impl<P, K> PlanStore<P, K> {
    pub fn new(wording: PlanWording) -> Self {
        Self {
            plans: Mutex::new(HashMap::new()),
            wording,
        }
    }

    /// Keeps a new plan under `id`. Plans past `validity` go, except those still running and
    /// those `still_needed` names (steps left to finish by hand).
    pub fn keep(
        &self,
        id: &str,
        record: KeptPlan<P, K>,
        validity: Duration,
        still_needed: impl Fn(&KeptPlan<P, K>) -> bool,
    ) -> Result<()> {
        let mut plans = self.lock()?;
        plans.retain(|_, r| {
            r.created.elapsed() < validity || r.state == PlanState::Running || still_needed(r)
        });
        plans.insert(id.to_string(), record);
        Ok(())
    }

    pub fn contains(&self, id: &str) -> Result<bool> {
        Ok(self.lock()?.contains_key(id))
    }

    /// Reads or changes a kept plan, whatever its state (an unknown one is said so).
    pub fn with<R>(&self, id: &str, f: impl FnOnce(&mut KeptPlan<P, K>) -> R) -> Result<R> {
        self.with_if_kept(id, f)?.ok_or_else(unknown_plan)
    }

    /// The same, or `None` when the store does not keep `id` (it may be another store's).
    pub fn with_if_kept<R>(
        &self,
        id: &str,
        f: impl FnOnce(&mut KeptPlan<P, K>) -> R,
    ) -> Result<Option<R>> {
        Ok(self.lock()?.get_mut(id).map(f))
    }

    /// A step of the confirmation (verify the caller, approve): only on a plan still waiting
    /// for it, within `validity`.
    pub fn with_ready<R>(
        &self,
        id: &str,
        validity: Duration,
        f: impl FnOnce(&mut KeptPlan<P, K>) -> Result<R>,
    ) -> Result<R> {
        self.with_ready_if_kept(id, validity, f)?
            .ok_or_else(unknown_plan)
    }

    /// The same, `None` when this store does not keep `id`.
    fn with_ready_if_kept<R>(
        &self,
        id: &str,
        validity: Duration,
        f: impl FnOnce(&mut KeptPlan<P, K>) -> Result<R>,
    ) -> Result<Option<R>> {
        let mut plans = self.lock()?;
        let Some(record) = plans.get_mut(id) else {
            return Ok(None);
        };
        self.ensure_ready(record, validity)?;
        f(record).map(Some)
    }

    /// Takes a ready plan for its run, once: `take` checks what the kind requires (a complete
    /// confirmation) and reads what the run needs; when it agrees the plan becomes `Running`
    /// (or what `take` set), so a second — or forged, concurrent — call cannot run it too.
    /// When `take` refuses, the plan stays ready for the operator to finish the confirmation.
    pub fn claim<R>(
        &self,
        id: &str,
        validity: Duration,
        take: impl FnOnce(&mut KeptPlan<P, K>) -> Result<R>,
    ) -> Result<R> {
        let mut plans = self.lock()?;
        let record = plans.get_mut(id).ok_or_else(unknown_plan)?;
        match record.state {
            PlanState::Ready => {}
            PlanState::Stopped => return Err(AppError::invalid_input(
                "This request stopped before it changed anything (see Activity). Start the action again to review the user's current state.",
            )),
            PlanState::Running | PlanState::Ran => {
                return Err(AppError::invalid_input(self.wording.already_ran))
            }
        }
        if record.created.elapsed() > validity {
            return Err(expired_summary(validity, self.wording.review_again));
        }
        let taken = take(record)?;
        if record.state == PlanState::Ready {
            record.state = PlanState::Running;
        }
        Ok(taken)
    }

    /// Sets where a claimed plan ended (`Ran`, or `Stopped` when no step ran). A plan gone
    /// from the store meanwhile is left gone.
    pub fn finish(&self, id: &str, state: PlanState) {
        self.finish_with(id, state, |_| {});
    }

    /// The same, keeping what the run did beside it.
    pub fn finish_with(&self, id: &str, state: PlanState, record_run: impl FnOnce(&mut K)) {
        if let Ok(mut plans) = self.lock() {
            if let Some(record) = plans.get_mut(id) {
                record.state = state;
                record_run(&mut record.kept);
            }
        }
    }

    /// Every kept plan at once, for a change that reads two of them together (a replan
    /// carrying its confirmation over).
    pub fn all(&self) -> Result<Plans<'_, P, K>> {
        self.lock()
    }

    fn ensure_ready(&self, record: &KeptPlan<P, K>, validity: Duration) -> Result<()> {
        if record.state != PlanState::Ready {
            return Err(AppError::invalid_input(self.wording.not_waiting));
        }
        if record.created.elapsed() > validity {
            return Err(expired_summary(validity, self.wording.review_again));
        }
        Ok(())
    }

    fn lock(&self) -> Result<Plans<'_, P, K>> {
        super::lock(&self.plans)
    }
}

/// A plan neither store keeps: never made, or dropped after it expired.
pub(super) fn unknown_plan() -> AppError {
    AppError::invalid_input(
        "This request is unknown or has expired. Start the action again to review a new summary.",
    )
}

/// A summary older than `validity`: the operator reviews `what` again.
pub(super) fn expired_summary(validity: Duration, what: &str) -> AppError {
    let minutes = validity.as_secs() / 60;
    let age = if minutes >= 1 {
        format!("more than {minutes} minutes old")
    } else {
        "too old".to_string()
    };
    AppError::invalid_input(format!(
        "This summary is {age}. Start the action again to review {what}."
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn owner(id: &str) -> PlanOwner {
        PlanOwner {
            operator_id: id.into(),
            operator_label: format!("{id}@contoso.test"),
            tenant_id: "t".into(),
        }
    }

    fn store_with(id: &str) -> PlanStore<&'static str> {
        let store = PlanStore::new(PlanWording::ONE_USER);
        let record = KeptPlan::new("reset", owner("op"), ());
        store
            .keep(id, record, Duration::from_secs(900), |_| false)
            .unwrap();
        store
    }

    #[test]
    fn a_plan_is_claimed_once_and_then_refused_with_the_kinds_words() {
        let store = store_with("p1");
        let validity = Duration::from_secs(900);
        assert_eq!(
            store.claim("p1", validity, |r| Ok(r.plan)).unwrap(),
            "reset"
        );
        let again = store.claim("p1", validity, |r| Ok(r.plan)).unwrap_err();
        assert!(again.message.contains("already run"), "{}", again.message);
        store.finish("p1", PlanState::Ran);
        let after = store.claim("p1", validity, |r| Ok(r.plan)).unwrap_err();
        assert!(after.message.contains("already run"), "{}", after.message);
        let confirm = store.with_ready("p1", validity, |_| Ok(())).unwrap_err();
        assert!(
            confirm.message.contains("no longer waiting"),
            "{}",
            confirm.message
        );
    }

    #[test]
    fn a_refused_claim_leaves_the_plan_ready() {
        let store = store_with("p1");
        let validity = Duration::from_secs(900);
        let refused = store
            .claim("p1", validity, |_| -> Result<()> {
                Err(AppError::denied("verify first"))
            })
            .unwrap_err();
        assert_eq!(refused.message, "verify first");
        assert!(store.claim("p1", validity, |_| Ok(())).is_ok());
    }

    #[test]
    fn a_stopped_plan_and_an_unknown_one_are_said_apart() {
        let store = store_with("p1");
        let validity = Duration::from_secs(900);
        store.with("p1", |r| r.state = PlanState::Stopped).unwrap();
        let stopped = store.claim("p1", validity, |_| Ok(())).unwrap_err();
        assert!(stopped
            .message
            .contains("stopped before it changed anything"));
        let unknown = store.claim("p2", validity, |_| Ok(())).unwrap_err();
        assert!(unknown.message.contains("unknown or has expired"));
        assert_eq!(store.with_if_kept("p2", |_| ()).unwrap(), None);
        assert_eq!(
            store
                .with_ready_if_kept("p2", validity, |_| Ok(()))
                .unwrap(),
            None
        );
    }

    #[test]
    fn an_old_plan_is_refused_and_dropped_when_the_next_is_kept_unless_still_needed() {
        let store = store_with("old");
        let store_needed = store_with("needed");
        std::thread::sleep(Duration::from_millis(20));
        let validity = Duration::from_millis(10);
        let expired = store.claim("old", validity, |_| Ok(())).unwrap_err();
        assert_eq!(
            expired.message,
            "This summary is too old. Start the action again to review the user's current state."
        );
        let keep_new = |store: &PlanStore<&'static str>, needed: bool| {
            let record = KeptPlan::new("reset", owner("op"), ());
            store.keep("new", record, validity, |_| needed).unwrap()
        };
        keep_new(&store, false);
        assert!(!store.contains("old").unwrap());
        keep_new(&store_needed, true);
        assert!(store_needed.contains("needed").unwrap());
    }

    #[test]
    fn a_bulk_job_says_it_started() {
        let store: PlanStore<&'static str> = PlanStore::new(PlanWording::BULK_JOB);
        let validity = Duration::from_secs(900);
        let record = KeptPlan::new("job", owner("op"), ());
        store.keep("j", record, validity, |_| false).unwrap();
        store
            .claim("j", validity, |r| {
                r.state = PlanState::Ran;
                Ok(())
            })
            .unwrap();
        let again = store.with_ready("j", validity, |_| Ok(())).unwrap_err();
        assert!(
            again.message.contains("already started"),
            "{}",
            again.message
        );
        assert_eq!(store.with("j", |r| r.state).unwrap(), PlanState::Ran);
    }

    #[test]
    fn minutes_are_said_when_the_validity_has_them() {
        let error = expired_summary(Duration::from_secs(15 * 60), "the user's current state");
        assert_eq!(error.message, "This summary is more than 15 minutes old. Start the action again to review the user's current state.");
    }
}
