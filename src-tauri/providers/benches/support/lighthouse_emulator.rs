//! Where the Lighthouse benchmark's emulator runs (issue 18: "memory flat in the number of
//! users"). In this process, the emulator's own records of a job (its customers' audit logs, a
//! map per request, its connections' buffers) grow with the job beside the engine's, and the
//! process's resident memory cannot tell them apart. In a child process of its own — the same
//! bench binary, started again with `LH_EMULATOR_CHILD=1` — this process's memory is the
//! engine's and the client's alone, and the child's is reported beside it.
//!
//! The child prints one line of JSON (its addresses, the technician's refresh token and the
//! customers as seeded), then answers each `stats` line on its standard input with one line of
//! JSON (every tenant's admitted and throttled requests, and its own resident memory). It ends
//! when its standard input closes, i.e. with the benchmark.

use std::collections::{HashMap, HashSet};
use std::io::{BufRead, BufReader, Write};
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};
use std::sync::Mutex;

use resetdesk_core::secrets::{ExposeSecret, SecretString};
use resetdesk_sandbox::lighthouse::{LighthouseConfig, LighthouseSandbox};
use serde::{Deserialize, Serialize};

/// The environment variable that makes the bench binary the emulator's process.
pub const CHILD: &str = "LH_EMULATOR_CHILD";

/// What the child says once started.
#[derive(Serialize, Deserialize)]
struct Hello {
    base_url: String,
    client_id: String,
    partner_tenant_id: String,
    technician_refresh_token: String,
    customers: Vec<CustomerSeed>,
}

#[derive(Serialize, Deserialize, Clone)]
struct CustomerSeed {
    tenant_id: String,
    display_name: String,
    privileged_user_ids: Vec<String>,
}

/// The child's answer to `stats`.
#[derive(Serialize, Deserialize)]
struct Stats {
    /// Tenant id → (admitted requests, requests answered 429).
    tenants: HashMap<String, (u64, u64)>,
    rss_mib: f64,
}

/// Admitted and throttled requests of one tenant.
#[derive(Default, Clone, Copy)]
pub struct TenantCount {
    pub requests: u64,
    pub throttled: u64,
}

pub enum Emulator {
    InProcess(LighthouseSandbox),
    Child(Box<ChildEmulator>),
}

pub struct ChildEmulator {
    hello: Hello,
    /// The child itself: killed when the benchmark ends (its stdin closing also ends it).
    process: Child,
    pipe: Mutex<(ChildStdin, BufReader<ChildStdout>)>,
}

impl Drop for ChildEmulator {
    fn drop(&mut self) {
        let _ = self.process.kill();
        let _ = self.process.wait();
    }
}

impl Emulator {
    /// Starts the emulator with `config`: in a child process unless `in_process`.
    pub async fn start(config: LighthouseConfig, in_process: bool) -> Self {
        if in_process {
            return Self::InProcess(LighthouseSandbox::start(config).await.unwrap());
        }
        // The child reads the same LH_* variables and builds the same configuration.
        let mut process = Command::new(std::env::current_exe().unwrap())
            .env(CHILD, "1")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("the emulator's process starts");
        let stdin = process.stdin.take().unwrap();
        let mut stdout = BufReader::new(process.stdout.take().unwrap());
        let mut line = String::new();
        stdout.read_line(&mut line).unwrap();
        let hello: Hello = serde_json::from_str(&line).expect("the emulator's first line");
        Self::Child(Box::new(ChildEmulator {
            hello,
            process,
            pipe: Mutex::new((stdin, stdout)),
        }))
    }

    pub fn base_url(&self) -> String {
        match self {
            Self::InProcess(sandbox) => sandbox.base_url(),
            Self::Child(child) => child.hello.base_url.clone(),
        }
    }

    pub fn client_id(&self) -> String {
        match self {
            Self::InProcess(sandbox) => sandbox.client_id(),
            Self::Child(child) => child.hello.client_id.clone(),
        }
    }

    pub fn partner_tenant_id(&self) -> String {
        match self {
            Self::InProcess(sandbox) => sandbox.partner_tenant_id(),
            Self::Child(child) => child.hello.partner_tenant_id.clone(),
        }
    }

    pub fn sign_in_technician(&self) -> SecretString {
        match self {
            Self::InProcess(sandbox) => sandbox.sign_in_technician(),
            Self::Child(child) => SecretString::from(child.hello.technician_refresh_token.clone()),
        }
    }

    /// The ids of the users seeded as privileged in the customer named `display_name`.
    pub fn privileged_ids(&self, display_name: &str) -> HashSet<String> {
        seeds(self)
            .into_iter()
            .find(|c| c.display_name == display_name)
            .map(|c| c.privileged_user_ids.into_iter().collect())
            .unwrap_or_default()
    }

    pub fn tenant_ids(&self) -> Vec<String> {
        seeds(self).into_iter().map(|c| c.tenant_id).collect()
    }

    /// Every tenant's request counts now, and the child's resident memory (NaN in process:
    /// it is this process's).
    pub fn stats(&self) -> (HashMap<String, TenantCount>, f64) {
        match self {
            Self::InProcess(sandbox) => {
                let counts = self
                    .tenant_ids()
                    .into_iter()
                    .map(|t| {
                        let s = sandbox.stats(&t);
                        (
                            t,
                            TenantCount {
                                requests: s.requests,
                                throttled: s.throttled,
                            },
                        )
                    })
                    .collect();
                (counts, f64::NAN)
            }
            Self::Child(child) => {
                let mut pipe = child.pipe.lock().unwrap();
                let (stdin, stdout) = &mut *pipe;
                writeln!(stdin, "stats").unwrap();
                stdin.flush().unwrap();
                let mut line = String::new();
                stdout.read_line(&mut line).unwrap();
                let stats: Stats = serde_json::from_str(&line).expect("the emulator's stats");
                let counts = stats
                    .tenants
                    .into_iter()
                    .map(|(t, (requests, throttled))| {
                        (
                            t,
                            TenantCount {
                                requests,
                                throttled,
                            },
                        )
                    })
                    .collect();
                (counts, stats.rss_mib)
            }
        }
    }

    /// Admitted requests across every tenant.
    pub fn total_requests(&self) -> u64 {
        self.stats().0.values().map(|c| c.requests).sum()
    }
}

fn seeds(emulator: &Emulator) -> Vec<CustomerSeed> {
    match emulator {
        Emulator::InProcess(sandbox) => sandbox.customers().iter().map(seed_of).collect(),
        Emulator::Child(child) => child.hello.customers.clone(),
    }
}

fn seed_of(customer: &resetdesk_sandbox::lighthouse::SeededCustomer) -> CustomerSeed {
    CustomerSeed {
        tenant_id: customer.tenant_id.clone(),
        display_name: customer.display_name.clone(),
        privileged_user_ids: customer
            .users
            .iter()
            .filter(|u| u.privileged)
            .map(|u| u.id.clone())
            .collect(),
    }
}

/// The child's life: start the emulator, say where it is, answer `stats` until stdin closes.
pub async fn serve_as_child(config: LighthouseConfig, rss_mib: fn() -> f64) {
    let sandbox = LighthouseSandbox::start(config).await.unwrap();
    let hello = Hello {
        base_url: sandbox.base_url(),
        client_id: sandbox.client_id(),
        partner_tenant_id: sandbox.partner_tenant_id(),
        technician_refresh_token: sandbox.sign_in_technician().expose_secret().to_string(),
        customers: sandbox.customers().iter().map(seed_of).collect(),
    };
    println!("{}", serde_json::to_string(&hello).unwrap());
    let tenants: Vec<String> = hello
        .customers
        .iter()
        .map(|c| c.tenant_id.clone())
        .collect();
    // Reading stdin blocks: on a thread of its own, so the emulator's tasks keep running.
    let (asks, mut asked) = tokio::sync::mpsc::unbounded_channel::<String>();
    std::thread::spawn(move || {
        for line in std::io::stdin().lock().lines() {
            let Ok(line) = line else { break };
            if asks.send(line).is_err() {
                break;
            }
        }
    });
    while let Some(line) = asked.recv().await {
        if line.trim() != "stats" {
            continue;
        }
        let stats = Stats {
            tenants: tenants
                .iter()
                .map(|t| {
                    let s = sandbox.stats(t);
                    (t.clone(), (s.requests, s.throttled))
                })
                .collect(),
            rss_mib: rss_mib(),
        };
        println!("{}", serde_json::to_string(&stats).unwrap());
    }
}
