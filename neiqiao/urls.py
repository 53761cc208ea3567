from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from core import views as core_views
from org.forms import LoginForm

admin.site.site_header = _("Internal-control system administration")
admin.site.site_title = _("Internal-control system")
admin.site.index_title = _("Administration")

urlpatterns = [
    path("", core_views.home, name="home"),
    path("healthz", core_views.healthz, name="healthz"),
    path(
        "accounts/login/",
        login_not_required(auth_views.LoginView.as_view(authentication_form=LoginForm, redirect_authenticated_user=True)),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("m/<slug:slug>/", core_views.module, name="module"),
    path("search/", core_views.search_view, name="search"),
    path("documents/", include("documents.urls")),
    path("approvals/", include("approvals.urls")),
    path("budget/", include("budget.urls")),
    path("payments/", include("payments.urls")),
    path("procurement/", include("procurement.urls")),
    path("contracts/", include("contracts.urls")),
    path("construction/", include("construction.urls")),
    path("assets/", include("assets.urls")),
    path("accounting/", include("accounting.urls")),
    path("risk/", include("risk.urls")),
    path("chain/", include("chain.urls")),
    path("admin/", admin.site.urls),
]
