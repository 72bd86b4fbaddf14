//! The Rego peers: `policy/toyama.rego` under regorus, its interpreter and
//! its RVM, against an input document built per request.

use crate::{PeerError, Verdict, flag_names};
use kitei::types::{ConsentFlags, CustomerFlags, ProviderFlags, Request, ServiceFlags, Settings};
use kitei::{Wire, types::AccountFlags};
use regorus::languages::rego::compiler::Compiler;
use regorus::rvm::RegoVM;
use regorus::{Engine, Value};
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

const POLICY: &str = include_str!("../policy/toyama.rego");
const FILE: &str = "toyama.rego";
/// The rule whose value is the answer: the set of failed rules.
const DENY: &str = "data.kitei.toyama.deny";

fn load(message: impl std::fmt::Display) -> PeerError {
    PeerError::Load { file: FILE, message: message.to_string() }
}

fn refused(message: impl std::fmt::Display) -> PeerError {
    PeerError::Request { engine: "rego", message: message.to_string() }
}

/// The data document: the operator's settings, a key only for each one set.
fn data(settings: &Settings) -> Value {
    let mut s = BTreeMap::new();
    if let Some(days) = settings.reauth_after_days {
        s.insert(Value::from("reauth_after_days"), Value::from(days));
    }
    if let Some(ids) = &settings.designated_providers {
        s.insert(Value::from("designated_providers"), Value::from(ids.iter().map(|id| Value::from(id.as_str())).collect::<Vec<_>>()));
    }
    object([("settings", Value::from(s))])
}

fn engine(policy: &str, settings: &Settings) -> Result<Engine, PeerError> {
    let mut engine = Engine::new();
    engine.add_policy(FILE.to_string(), policy.to_string()).map_err(load)?;
    engine.add_data(data(settings)).map_err(load)?;
    Ok(engine)
}

/// toyama-2023's `authorize` in Rego, evaluated by regorus' interpreter.
pub struct RegoPeer {
    /// regorus evaluates with `&mut`: one engine, its policy parsed once
    engine: Mutex<Engine>,
}

impl RegoPeer {
    /// Parses `policy/toyama.rego` and sets the data document from `settings`.
    ///
    /// # Errors
    /// [`PeerError::Load`] when the policy does not parse.
    pub fn new(settings: &Settings) -> Result<Self, PeerError> {
        Self::with_policy(POLICY, settings)
    }

    /// The same with another policy text (tests use it to check that a
    /// changed rule is caught).
    ///
    /// # Errors
    /// As [`RegoPeer::new`].
    pub fn with_policy(policy: &str, settings: &Settings) -> Result<Self, PeerError> {
        let mut engine = engine(policy, settings)?;
        // the first evaluation prepares the engine (schedules the rules); do it at load
        engine.eval_rule(DENY.to_string()).map_err(load)?;
        Ok(RegoPeer { engine: Mutex::new(engine) })
    }

    /// Evaluates `deny` for `req`.
    ///
    /// # Errors
    /// [`PeerError::Request`] when regorus fails.
    pub fn authorize(&self, req: &Request) -> Result<Verdict, PeerError> {
        let input = input(req)?;
        let mut engine = self.engine.lock().map_err(|_| refused("a previous evaluation panicked"))?;
        engine.set_input(input);
        verdict(&engine.eval_rule(DENY.to_string()).map_err(refused)?)
    }
}

/// toyama-2023's `authorize` in Rego, compiled to regorus' RVM bytecode.
pub struct RegoVmPeer {
    vm: Mutex<RegoVM>,
}

impl RegoVmPeer {
    /// Compiles the policy to an RVM program with `deny` as its entry point.
    ///
    /// # Errors
    /// [`PeerError::Load`] when the policy does not parse or compile.
    pub fn new(settings: &Settings) -> Result<Self, PeerError> {
        let mut engine = engine(POLICY, settings)?;
        let compiled = engine.compile_with_entrypoint(&DENY.into()).map_err(load)?;
        let program = Compiler::compile_from_policy(&compiled, &[DENY]).map_err(load)?;
        let mut vm = RegoVM::new();
        vm.load_program(program);
        vm.set_data(data(settings)).map_err(load)?;
        Ok(RegoVmPeer { vm: Mutex::new(vm) })
    }

    /// Runs the program for `req`.
    ///
    /// # Errors
    /// [`PeerError::Request`] when the VM fails.
    pub fn authorize(&self, req: &Request) -> Result<Verdict, PeerError> {
        let input = input(req)?;
        let mut vm = self.vm.lock().map_err(|_| refused("a previous evaluation panicked"))?;
        vm.set_input(input);
        verdict(&vm.execute().map_err(refused)?)
    }
}

/// `deny` read back: empty is a permit.
fn verdict(deny: &Value) -> Result<Verdict, PeerError> {
    let set = deny.as_set().map_err(|_| refused(format!("`deny` is not a set: {deny}")))?;
    let mut denied_by = Vec::with_capacity(set.len());
    for reason in set.iter() {
        let rule = reason["rule"].as_string().map_err(|_| refused(format!("a `deny` element without a rule: {reason}")))?;
        denied_by.push(Arc::from(&**rule));
    }
    Ok(Verdict { permit: denied_by.is_empty(), denied_by })
}

fn object<const N: usize>(fields: [(&str, Value); N]) -> Value {
    Value::from(fields.into_iter().map(|(k, v)| (Value::from(k), v)).collect::<BTreeMap<_, _>>())
}

/// Nanoseconds since the epoch, as the host carries a time to a policy.
fn nanos(seconds: i64, nanos: u32) -> Result<Value, PeerError> {
    seconds.checked_mul(1_000_000_000).and_then(|ns| ns.checked_add(i64::from(nanos))).map(Value::from).ok_or_else(|| refused("a time out of range"))
}

/// api.md's request as the input document.
fn input(req: &Request) -> Result<Value, PeerError> {
    let accounts: Vec<Value> = req
        .accounts
        .iter()
        .map(|a| {
            let mut fields: BTreeMap<Value, Value> = flag_names(AccountFlags::all()).map(|f| (Value::from(f), Value::from(false))).collect();
            for flag in flag_names(a.flags) {
                fields.insert(Value::from(flag), Value::from(true));
            }
            fields.insert(Value::from("kind"), Value::from(crate::core_kind(a.kind)?.wire()));
            Ok(Value::from(fields))
        })
        .collect::<Result<_, PeerError>>()?;
    let channel = crate::core_channel(req.provider_channel)?;
    let mut consent = BTreeMap::from([
        (Value::from("agreed_to_terms"), Value::from(req.consent.contains(ConsentFlags::AGREED_TO_TERMS))),
        (Value::from("api_auth_completed"), Value::from(req.consent.contains(ConsentFlags::API_AUTH_COMPLETED))),
    ]);
    if let Some(t) = &req.authenticated_at {
        consent.insert(Value::from("authenticated_at"), nanos(t.seconds, t.nanos)?);
    }
    let function = Value::from(crate::core_function(req.function)?.wire());
    Ok(object([
        ("at", nanos(req.at.seconds, req.at.nanos)?),
        (
            "customer",
            object([
                ("internet_banking_contract", Value::from(req.customer.contains(CustomerFlags::INTERNET_BANKING_CONTRACT))),
                ("accounts", Value::from(accounts)),
            ]),
        ),
        ("selected", Value::from(req.selected.iter().map(|&i| Value::from(i)).collect::<Vec<_>>())),
        (
            "provider",
            object([
                ("id", Value::from(req.provider_id.as_str())),
                ("contract", Value::from(req.provider.contains(ProviderFlags::CONTRACT))),
                ("designated", Value::from(req.provider.contains(ProviderFlags::DESIGNATED))),
                ("channel", Value::from(channel)),
            ]),
        ),
        ("consent", Value::from(consent)),
        ("service", object([("api_open", Value::from(req.service.contains(ServiceFlags::API_OPEN)))])),
        ("function", function),
    ]))
}
