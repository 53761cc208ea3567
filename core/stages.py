"""The stage keys of the one form: the names under which business apps register their case
sections (``approvals.registry``) and which a matter lists in ``Matter.stages`` (stored as
plain strings in its JSON field). One place for the spelling, so a typo is a NameError at import
rather than a stage that silently drops its checks; ``approvals.checks`` still refuses at start-up
a matter naming a key no app registered (a matter edited in the admin)."""

from __future__ import annotations

from enum import StrEnum


class Stage(StrEnum):
    # budget
    BUDGET = "budget"  # the budget line a money case reserves on (预算指标)
    BUDGET_ADJUSTMENT = "budget_adjustment"  # 预算调整
    # procurement
    PURCHASE = "purchase"  # method and purchase details (采购方式)
    AWARD = "award"  # quotes and the award (询价/成交)
    # contracts
    CONTRACT = "contract"  # 合同订立
    ACCEPTANCE = "acceptance"  # 履约验收
    PAYMENT = "payment"  # contract payment request (合同付款)
    SUPPLEMENT = "supplement"  # supplementary agreement (补充协议)
    # construction
    PROJECT = "project"  # 立项
    PROJECT_BUDGET = "project_budget"  # 概算
    PROJECT_CHANGE = "project_change"  # 设计变更/现场签证
    PROJECT_PAYMENT = "project_payment"  # 工程进度款
    PROJECT_SETTLEMENT = "project_settlement"  # 结算审核
