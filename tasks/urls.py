from django.urls import path

from . import views

app_name = "tasks"

urlpatterns = [
    path("", views.ledger, name="ledger"),
    path("export.xlsx", views.ledger_export, name="export"),
    path("print/", views.ledger_print, name="print"),
    path("attachments/<int:pk>/", views.attachment, name="attachment"),
    path("<str:number>/", views.task_detail, name="task"),
    path("<str:number>/progress/", views.progress, name="progress"),
    path("<str:number>/comment/", views.comment, name="comment"),
    path("<str:number>/milestones/<int:pk>/done/", views.milestone_done, name="milestone-done"),
    path("<str:number>/close/request/", views.close_request, name="close-request"),
    path("<str:number>/close/decide/", views.close_decide, name="close-decide"),
    path("<str:number>/extension/request/", views.extension_request, name="extension-request"),
    path("<str:number>/extension/decide/", views.extension_decide, name="extension-decide"),
    path("<str:number>/cancel/", views.cancel, name="cancel"),
]
