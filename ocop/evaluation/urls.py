from django.urls import path

from . import views

app_name = "evaluation"

urlpatterns = [
    # Producers: ideas and plans, dossiers
    path("cycle/", views.dossier_list, name="dossier_list"),
    path("cycle/ideas/", views.idea_list, name="idea_list"),
    path("cycle/ideas/new/", views.idea_create, name="idea_create"),
    path("cycle/ideas/<id:pk>/", views.idea_detail, name="idea_detail"),
    path("cycle/ideas/<id:pk>/review/", views.idea_review, name="idea_review"),
    path("cycle/ideas/<id:pk>/resubmit/", views.idea_resubmit, name="idea_resubmit"),
    path("cycle/ideas/<id:pk>/plan/", views.idea_plan, name="idea_plan"),
    path("cycle/ideas/<id:pk>/plan/file/", views.idea_plan_file, name="idea_plan_file"),
    path("cycle/dossiers/new/", views.dossier_create, name="dossier_create"),
    path("cycle/dossiers/<id:pk>/", views.dossier_detail, name="dossier_detail"),
    path("cycle/dossiers/<id:pk>/self-assessment/", views.dossier_assessment, name="dossier_assessment"),
    path("cycle/dossiers/<id:pk>/evidence/", views.evidence_add, name="evidence_add"),
    path("cycle/dossiers/<id:pk>/submit/", views.dossier_submit, name="dossier_submit"),
    path("cycle/dossiers/<id:pk>/check/", views.dossier_check, name="dossier_check"),
    path("cycle/evidence/<id:pk>/", views.evidence_file, name="evidence_file"),
    path("cycle/evidence/<id:pk>/remove/", views.evidence_remove, name="evidence_remove"),
    # Organisers: rounds, councils, sittings, decisions
    path("cycle/rounds/", views.round_list, name="round_list"),
    path("cycle/rounds/new/", views.round_create, name="round_create"),
    path("cycle/rounds/<id:pk>/", views.round_detail, name="round_detail"),
    path("cycle/rounds/<id:pk>/close/", views.round_close, name="round_close"),
    path("cycle/rounds/<id:pk>/councils/", views.council_create, name="council_create"),
    path("cycle/rounds/<id:pk>/decisions/new/", views.decision_create, name="decision_create"),
    path("cycle/councils/<id:pk>/", views.council_detail, name="council_detail"),
    path("cycle/councils/<id:pk>/seats/", views.seat_add, name="seat_add"),
    path("cycle/councils/<id:pk>/sittings/", views.sitting_create, name="sitting_create"),
    path("cycle/seats/<id:pk>/remove/", views.seat_remove, name="seat_remove"),
    path("cycle/sittings/<id:pk>/", views.sitting_detail, name="sitting_detail"),
    path("cycle/sittings/<id:pk>/open/", views.sitting_open, name="sitting_open"),
    path("cycle/sittings/<id:pk>/close/", views.sitting_close, name="sitting_close"),
    path("cycle/sittings/<id:pk>/dossiers/", views.assignment_add, name="assignment_add"),
    path("cycle/assignments/<id:pk>/", views.assignment_detail, name="assignment_detail"),
    path("cycle/assignments/<id:pk>/remove/", views.assignment_remove, name="assignment_remove"),
    path("cycle/assignments/<id:pk>/rescore/", views.assignment_rescore, name="assignment_rescore"),
    # Members: the scoring screen
    path("cycle/assignments/<id:pk>/sheet/", views.sheet, name="sheet"),
    path("cycle/assignments/<id:pk>/sheet/answer/", views.sheet_answer, name="sheet_answer"),
    path("cycle/assignments/<id:pk>/sheet/submit/", views.sheet_submit, name="sheet_submit"),
    path("cycle/assignments/<id:pk>/recuse/", views.recusal_declare, name="recusal_declare"),
    path("cycle/decisions/<id:pk>/", views.decision_detail, name="decision_detail"),
    path("cycle/decisions/<id:pk>/issue/", views.decision_issue, name="decision_issue"),
    path("cycle/certificates/<id:pk>/pdf/", views.certificate_pdf, name="certificate_pdf"),
    # After recognition
    path("cycle/expiring/", views.expiring, name="expiring"),
    path("cycle/recognitions/<id:pk>/revoke/", views.revoke, name="revoke"),
    # Public: what a certificate's QR code opens
    path("verify/<code:code>/", views.verify, name="verify"),
]
