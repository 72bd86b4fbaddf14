# 富山県信用組合 API利用規定 (2023-05-31), operation `authorize`, in Rego:
# the same rules as policy/toyama-2023/src/lib.rs, the tables as data and
# every failed rule as an element of `deny`, named as there. The request is
# permitted when `deny` is empty.
#
# input: api.md's request as the host holds it — times as nanoseconds since
# the epoch, `selected` as indices into `customer.accounts`.
# data.settings: the operator's settings (当組合所定), keys present only when set.
package kitei.toyama

import rego.v1

# 第2条第2項: each listed kind, the item listing it, the channels it links on.
accounts := {
	"ordinary": {"rule": "R_2_2_1", "channels": {"institution_api", "anser_api"}},
	"savings": {"rule": "R_2_2_2", "channels": {"institution_api"}},
	"card_loan": {"rule": "R_2_2_3", "channels": {"institution_api"}},
	"tax_reserve": {"rule": "R_2_2_4", "channels": {"institution_api"}},
	"time_deposit": {"rule": "R_2_2_5", "channels": {"institution_api"}},
	"current": {"rule": "R_2_2_6", "channels": {"anser_api"}},
}

liquid := {"ordinary", "savings", "current", "tax_reserve"}

# 第2条第1項: each listed item, its functions, the kinds it covers.
functions := [
	{"rule": "R_2_1_1", "functions": {"account_info"}, "kinds": {"ordinary", "savings", "current", "time_deposit", "card_loan", "tax_reserve"}},
	{"rule": "R_2_1_2", "functions": {"balance", "transactions"}, "kinds": liquid},
	{"rule": "R_2_1_3", "functions": {"balance", "transactions"}, "kinds": {"time_deposit"}},
]

# ---- 第1条第2項 利用資格 ----

# 第1号: an internet banking contract, or an ordinary or savings account with
# a cash card (当組合所定の要件 read as the cash card the text names: interpreted).
eligible_1 if input.customer.internet_banking_contract

eligible_1 if {
	some a in input.customer.accounts
	a.kind in {"ordinary", "savings"}
	a.cash_card
}

# 第2号: a contract with a designated provider (the operator's list when
# set, else the provider's `designated` fact).
eligible_2 if {
	input.provider.contract
	designated
}

designated if input.provider.id in data.settings.designated_providers

designated if {
	not data.settings.designated_providers
	input.provider.designated
}

# 第2号's 当組合が指定する, when the operator's list decides it: the list,
# cited as the setting it is beside the clause.
deny contains {"rule": "R_1_2_2_SETTING"} if {
	ids := data.settings.designated_providers
	is_array(ids)
	not input.provider.id in ids
}

# 第3号: terms agreed and API連携認証 completed.
eligible_3 if {
	input.consent.agreed_to_terms
	input.consent.api_auth_completed
}

eligible if {
	eligible_1
	eligible_2
	eligible_3
}

deny contains {"rule": "R_1_2_1"} if not eligible_1

deny contains {"rule": "R_1_2_2"} if not eligible_2

deny contains {"rule": "R_1_2_3"} if not eligible_3

# 第5条第2項: losing the eligibility of 第1条第2項 ends the service.
deny contains {"rule": "R_5_2"} if not eligible

# ---- 第2条第2項 口座種類, per selected account (`at`: its position) ----

deny contains {"rule": "R_2_2", "at": i} if {
	some i, idx in input.selected
	not accounts[input.customer.accounts[idx].kind]
}

deny contains {"rule": row.rule, "at": i} if {
	some i, idx in input.selected
	row := accounts[input.customer.accounts[idx].kind]
	not input.provider.channel in row.channels
}

# ---- 第2条第1項 提供される情報 ----

offered if {
	some e in functions
	input.function in e.functions
}

covered(kind) if {
	some e in functions
	input.function in e.functions
	kind in e.kinds
}

# only the listed information
deny contains {"rule": "R_2_1"} if not offered

# a listed function on a kind no item covers (card loans: interpreted)
deny contains {"rule": "R_2_1_LOAN", "at": i} if {
	offered
	some i, idx in input.selected
	not covered(input.customer.accounts[idx].kind)
}

# a function of an account, with no account selected: the first item listing
# it, not met
no_account_rule := {"account_info": "R_2_1_1_NONE", "balance": "R_2_1_2_NONE", "transactions": "R_2_1_2_NONE"}

deny contains {"rule": no_account_rule[input.function]} if count(input.selected) == 0

# only during the API service hours
deny contains {"rule": "R_2_1_HOURS"} if not input.service.api_open

# ---- 第4条第1項 再度のAPI連携認証 ----

day_ns := 86400000000000

# Past 一定期間 (setting `reauth_after_days`) since API連携認証 (ご利用から read
# as from the authentication: interpreted), or with no authentication time:
# not valid. With the period not set, no deny.
deny contains {"rule": "R_4_1_START"} if {
	days := data.settings.reauth_after_days
	# redundant in Rego; regorus 0.14.1's RVM goes on past the undefined
	# assignment above when the setting is absent (its interpreter does not)
	is_number(days)
	not token_valid(days)
}

token_valid(days) if input.at < input.consent.authenticated_at + days * day_ns
