from django.urls import path

from . import views

app_name = "approvals"
urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("tab/<slug:tab>/", views.inbox, name="inbox_tab"),
    path("mine/", views.inbox, {"tab": "mine"}, name="mine"),
    path("batch-approve/", views.batch_approve_view, name="batch_approve"),
    path("new/", views.matter_choose, name="new"),
    path("new/<int:matter_id>/", views.case_create_view, name="create"),
    path("preview/<int:matter_id>/", views.route_preview_view, name="preview"),
    path("case/<int:pk>/", views.case_detail, name="detail"),
    path("case/<int:pk>/edit/", views.case_edit_view, name="edit"),
    path("case/<int:pk>/decide/", views.case_decide, name="decide"),
    path("case/<int:pk>/delete/", views.case_delete_view, name="delete"),
    path("case/<int:pk>/withdraw/", views.case_withdraw_view, name="withdraw"),
    path("case/<int:pk>/urge/", views.case_urge_view, name="urge"),
    path("case/<int:pk>/comment/", views.case_comment_view, name="comment"),
    path("case/<int:pk>/copy/", views.case_copy_view, name="copy"),
    path("case/<int:pk>/attach/", views.attachment_upload, name="attach"),
    path("case/<int:pk>/pdf/", views.case_pdf, name="pdf"),
    path("case/<int:pk>/people/", views.people_options, name="people"),
    path("people/", views.people_search, name="people_search"),
    path("delegations/", views.delegations, name="delegations"),
    path("delegations/<int:pk>/end/", views.delegation_end, name="delegation_end"),
    path("thresholds/", views.thresholds, name="thresholds"),
    path("thresholds/preview/", views.threshold_preview, name="threshold_preview"),
    path("thresholds/<int:pk>/", views.threshold_edit, name="threshold_edit"),
    path("notifications/", views.notifications, name="notifications"),
    path("notifications/read-all/", views.notifications_read_all, name="notifications_read_all"),
]
