//! The Cedar peer: `policy/toyama.cedar` against entities and a context
//! built per request.

use crate::{PeerError, Verdict, flag_names};
use cedar_policy::{
    Authorizer, Context, Decision, Entities, Entity, EntityId, EntityTypeName, EntityUid, PolicyId, PolicySet, Request as CedarRequest,
    RestrictedExpression as Expr, Schema, ValidationMode, Validator,
};
use kitei::Wire;
use kitei::types::{ConsentFlags, CustomerFlags, Function, ProviderFlags, Request, ServiceFlags, Settings};
use std::collections::{HashMap, HashSet};
use std::str::FromStr;
use std::sync::Arc;

const POLICIES: &str = include_str!("../policy/toyama.cedar");
const SCHEMA: &str = include_str!("../policy/toyama.cedarschema");

/// toyama-2023's `authorize` as a Cedar policy set.
pub struct CedarPeer {
    policies: PolicySet,
    schema: Schema,
    authorizer: Authorizer,
    /// each policy's `@rule`
    rules: HashMap<PolicyId, Arc<str>>,
    /// the operator's settings, the same for every request
    institution: Entity,
    /// one action per function, in the contract's order
    actions: Vec<EntityUid>,
    provider: EntityUid,
    customer: EntityUid,
    account_type: EntityTypeName,
}

fn load(file: &'static str, message: impl std::fmt::Display) -> PeerError {
    PeerError::Load { file, message: message.to_string() }
}

fn refused(message: impl std::fmt::Display) -> PeerError {
    PeerError::Request { engine: "cedar", message: message.to_string() }
}

fn uid(ty: &str, id: &str) -> Result<EntityUid, PeerError> {
    let ty = EntityTypeName::from_str(ty).map_err(|e| load("toyama.cedarschema", e))?;
    Ok(EntityUid::from_type_name_and_id(ty, EntityId::new(id)))
}

impl CedarPeer {
    /// Loads `policy/toyama.cedar` and its schema, checks the policies against the
    /// schema (strict validation), and fixes `settings`.
    ///
    /// # Errors
    /// [`PeerError::Load`] naming the file at fault.
    pub fn new(settings: &Settings) -> Result<Self, PeerError> {
        Self::with_policies(POLICIES, settings)
    }

    /// The same with another policy text (tests use it to check that a
    /// changed rule is caught).
    ///
    /// # Errors
    /// As [`CedarPeer::new`].
    pub fn with_policies(policies: &str, settings: &Settings) -> Result<Self, PeerError> {
        let policies = PolicySet::from_str(policies).map_err(|e| load("toyama.cedar", e))?;
        let (schema, _warnings) = Schema::from_cedarschema_str(SCHEMA).map_err(|e| load("toyama.cedarschema", e))?;
        let validation = Validator::new(schema.clone()).validate(&policies, ValidationMode::Strict);
        if !validation.validation_passed() {
            let errors: Vec<String> = validation.validation_errors().map(|e| e.to_string()).collect();
            return Err(load("toyama.cedar", errors.join("; ")));
        }
        let mut rules = HashMap::new();
        for policy in policies.policies() {
            let rule = policy.annotation("rule").ok_or_else(|| load("toyama.cedar", format!("policy `{}` has no @rule", policy.id())))?;
            rules.insert(policy.id().clone(), Arc::from(rule));
        }
        let mut attrs = HashMap::new();
        if let Some(days) = settings.reauth_after_days {
            attrs.insert("reauth_after".to_string(), Expr::new_duration(format!("{days}d")));
        }
        if let Some(ids) = &settings.designated_providers {
            attrs.insert("designated_providers".to_string(), Expr::new_set(ids.iter().map(|id| Expr::new_string(id.clone()))));
        }
        let institution = Entity::new(uid("Toyama::Institution", "toyama")?, attrs, HashSet::new()).map_err(|e| load("settings", e))?;
        let actions = Function::ALL.iter().map(|f| uid("Toyama::Action", f.wire())).collect::<Result<_, _>>()?;
        Ok(CedarPeer {
            policies,
            schema,
            authorizer: Authorizer::new(),
            rules,
            institution,
            actions,
            provider: uid("Toyama::Provider", "provider")?,
            customer: uid("Toyama::Customer", "customer")?,
            account_type: EntityTypeName::from_str("Toyama::Account").map_err(|e| load("toyama.cedarschema", e))?,
        })
    }

    /// The schema the policies were validated against (tests check the
    /// entities against it too).
    pub fn schema(&self) -> &Schema {
        &self.schema
    }

    /// The entities (institution, provider, customer, one per account) and
    /// context of `req`. With `schema`, Cedar checks them against it.
    ///
    /// # Errors
    /// [`PeerError::Request`] when Cedar refuses them.
    pub fn entities(&self, req: &Request, schema: Option<&Schema>) -> Result<(Entities, Context), PeerError> {
        let channel = crate::core_channel(req.provider_channel)?;
        let provider = Entity::new(
            self.provider.clone(),
            HashMap::from([
                ("name".to_string(), Expr::new_string(req.provider_id.clone())),
                ("contract".to_string(), Expr::new_bool(req.provider.contains(ProviderFlags::CONTRACT))),
                ("designated".to_string(), Expr::new_bool(req.provider.contains(ProviderFlags::DESIGNATED))),
                ("channel".to_string(), Expr::new_string(channel.to_string())),
            ]),
            HashSet::new(),
        )
        .map_err(refused)?;
        let kinds = req.accounts.iter().map(|a| crate::core_kind(a.kind)).collect::<Result<Vec<_>, _>>()?;
        let holdings =
            req.accounts.iter().zip(kinds).flat_map(|(a, kind)| flag_names(a.flags).map(move |flag| Expr::new_string(format!("{}:{flag}", kind.wire()))));
        let customer = Entity::new(
            self.customer.clone(),
            HashMap::from([
                ("internet_banking_contract".to_string(), Expr::new_bool(req.customer.contains(CustomerFlags::INTERNET_BANKING_CONTRACT))),
                ("agreed_to_terms".to_string(), Expr::new_bool(req.consent.contains(ConsentFlags::AGREED_TO_TERMS))),
                ("api_auth_completed".to_string(), Expr::new_bool(req.consent.contains(ConsentFlags::API_AUTH_COMPLETED))),
                ("holdings".to_string(), Expr::new_set(holdings)),
            ]),
            HashSet::new(),
        )
        .map_err(refused)?;
        let mut entities = Vec::with_capacity(req.accounts.len() + 3);
        entities.extend([self.institution.clone(), provider, customer]);
        for (i, a) in req.accounts.iter().enumerate() {
            let attrs = HashMap::from([("kind".to_string(), Expr::new_string(crate::core_kind(a.kind)?.wire().to_string()))]);
            entities.push(Entity::new(self.account(i as u32), attrs, HashSet::new()).map_err(refused)?);
        }
        let entities = Entities::from_entities(entities, schema).map_err(refused)?;
        let mut context = vec![
            ("institution".to_string(), Expr::new_entity_uid(self.institution.uid())),
            ("at".to_string(), datetime(req.at.seconds, req.at.nanos)?),
            ("api_open".to_string(), Expr::new_bool(req.service.contains(ServiceFlags::API_OPEN))),
            ("accounts_selected".to_string(), Expr::new_long(req.selected.len() as i64)),
        ];
        if let Some(t) = &req.authenticated_at {
            context.push(("authenticated_at".to_string(), datetime(t.seconds, t.nanos)?));
        }
        let context = Context::from_pairs(context).map_err(refused)?;
        Ok((entities, context))
    }

    fn account(&self, index: u32) -> EntityUid {
        EntityUid::from_type_name_and_id(self.account_type.clone(), EntityId::new(index.to_string()))
    }

    /// Asks Cedar once for the customer and once per selected account.
    ///
    /// # Errors
    /// [`PeerError`] when Cedar refuses the request.
    pub fn authorize(&self, req: &Request) -> Result<Verdict, PeerError> {
        let function = crate::core_function(req.function)?;
        let action = &self.actions[function as usize];
        let (entities, context) = self.entities(req, None)?;
        let mut verdict = Verdict { permit: true, denied_by: Vec::new() };
        let resources =
            std::iter::once(self.customer.clone()).chain(req.selected.iter().filter(|&&i| (i as usize) < req.accounts.len()).map(|&i| self.account(i)));
        for resource in resources {
            let question = CedarRequest::new(self.provider.clone(), action.clone(), resource, context.clone(), None).map_err(refused)?;
            let response = self.authorizer.is_authorized(&question, &self.policies, &entities);
            let diagnostics = response.diagnostics();
            // a policy that errs is skipped by Cedar; here it fails closed
            if diagnostics.errors().next().is_some() {
                let errors: Vec<String> = diagnostics.errors().map(|e| e.to_string()).collect();
                return Err(refused(errors.join("; ")));
            }
            if response.decision() == Decision::Deny {
                verdict.permit = false;
                verdict.denied_by.extend(diagnostics.reason().filter_map(|id| self.rules.get(id).cloned()));
            }
        }
        Ok(verdict)
    }
}

/// A time as Cedar's `datetime` (milliseconds, UTC).
fn datetime(seconds: i64, nanos: u32) -> Result<Expr, PeerError> {
    let utc = chrono::DateTime::from_timestamp(seconds, nanos).ok_or_else(|| refused("a time out of range"))?;
    Ok(Expr::new_datetime(utc.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()))
}
