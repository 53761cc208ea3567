"""The default limits of the construction rules, each with its regulation (the administrator
edits them, effective-dated, in the admin)."""

import datetime as dt
from decimal import Decimal

from django.db import migrations

LIMITS = [
    ("estimate_over", "10", "《政府投资条例》（国务院令第712号）第十二条：初步设计提出的投资概算超过经批准的可行性研究报告提出的投资估算10%的，"
     "项目单位应当报告，可以要求重新报送可行性研究报告", dt.date(2019, 7, 1)),
    ("change_share", "10", "街道工程变更管理规定：累计变更签证超过施工合同价10%的，报主要领导审批并经集体决策", dt.date(2024, 1, 1)),
    ("progress_share", "80", "《关于完善建设工程价款结算有关办法的通知》（财建〔2022〕183号）：进度款支付比例不低于已完工程价款的80%",
     dt.date(2022, 8, 1)),
    ("retention_share", "3", "《建设工程质量保证金管理办法》（建质〔2017〕138号）第七条：保证金总预留比例不得高于工程价款结算总额的3%",
     dt.date(2017, 7, 1)),
    ("final_accounts_months", "3", "《基本建设项目竣工财务决算管理暂行办法》（财建〔2016〕503号）：项目竣工后3个月内完成竣工财务决算",
     dt.date(2016, 9, 1)),
]


def seed(apps, schema_editor):
    from django.utils import timezone

    Limit = apps.get_model("construction", "Limit")
    History = apps.get_model("construction", "HistoricalLimit")
    for kind, value, regulation, start in LIMITS:
        row, created = Limit.objects.get_or_create(kind=kind, effective_from=start,
                                                   defaults={"value": Decimal(value), "regulation": regulation})
        if created:  # the seeded row's first history record, as the admin would have written it
            History.objects.create(id=row.pk, kind=row.kind, value=row.value, regulation=row.regulation,
                                   effective_from=row.effective_from, effective_to=row.effective_to,
                                   history_date=timezone.now(), history_type="+", history_change_reason="系统初始参数")


class Migration(migrations.Migration):
    dependencies = [("construction", "0001_projects_changes_settlement")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
