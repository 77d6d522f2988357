from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EvaluationConfig(AppConfig):
    name = "ocop.evaluation"
    label = "evaluation"
    verbose_name = _("The OCOP cycle: dossiers, councils, decisions")

    def ready(self):
        from ocop.accounts import gate
        from ocop.jobs.services import register

        gate.extend_policy(_policy())
        register(
            "evaluation.certificates",
            "ocop.evaluation.tasks.make_certificates",
            _("Certificates of a recognition decision"),
            rerun=True,  # makes only the certificates that have no file yet
        )


def _policy():
    from ocop.accounts.choices import Action, Role

    VIEW, ADD, CHANGE, DELETE = Action.VIEW, Action.ADD, Action.CHANGE, Action.DELETE
    return {
        # Province officers run rounds, councils, sittings and decisions in their province; they
        # read dossiers from the moment they exist, and sheets once their sitting has closed.
        Role.PROVINCE_OFFICER: {
            "evaluation.idea": {VIEW},
            "evaluation.ideareview": {VIEW},
            "evaluation.dossier": {VIEW},
            "evaluation.evidence": {VIEW},
            "evaluation.dossiercheck": {VIEW},
            "evaluation.round": {VIEW, ADD, CHANGE},
            "evaluation.council": {VIEW, ADD, CHANGE},
            "evaluation.seat": {VIEW, ADD, CHANGE, DELETE},
            "evaluation.sitting": {VIEW, ADD, CHANGE},
            "evaluation.assignment": {VIEW, ADD, CHANGE, DELETE},
            "evaluation.recusal": {VIEW},
            "evaluation.sheet": {VIEW},
            "evaluation.decision": {VIEW, ADD, CHANGE},
            "evaluation.decisionitem": {VIEW, ADD, CHANGE},
            "evaluation.certificate": {VIEW},
            "evaluation.revocation": {VIEW, ADD},
            "evaluation.expirynotice": {VIEW},
            "evaluation.criteriagap": {VIEW},
        },
        # The commune answers ideas and checks dossiers (the records it adds are the reviews
        # and the checks); it reads what concerns its producers.
        Role.COMMUNE_OFFICER: {
            "evaluation.idea": {VIEW},
            "evaluation.ideareview": {VIEW, ADD},
            "evaluation.dossier": {VIEW},
            "evaluation.evidence": {VIEW},
            "evaluation.dossiercheck": {VIEW, ADD},
            "evaluation.decisionitem": {VIEW},
            "evaluation.certificate": {VIEW},
            "evaluation.revocation": {VIEW},
            "evaluation.expirynotice": {VIEW},
        },
        # Through owner paths: a producer's staff on their ideas and dossiers, and a council
        # member on their own sheet and conflict declarations.
        Role.PRODUCER: {
            "evaluation.idea": {VIEW, ADD, CHANGE},
            "evaluation.ideareview": {VIEW},
            "evaluation.dossier": {VIEW, ADD, CHANGE},
            "evaluation.evidence": {VIEW, ADD, DELETE},
            "evaluation.dossiercheck": {VIEW},
            "evaluation.assignment": {VIEW},
            "evaluation.decisionitem": {VIEW},
            "evaluation.certificate": {VIEW},
            "evaluation.revocation": {VIEW},
            "evaluation.expirynotice": {VIEW},
            "evaluation.sheet": {VIEW, CHANGE},
            "evaluation.recusal": {VIEW, ADD},
        },
        # Through council paths: the sittings a person sits on, their dossiers, and — once a
        # sitting has closed — every sheet of it.
        Role.COUNCIL_MEMBER: {
            "evaluation.round": {VIEW},
            "evaluation.council": {VIEW},
            "evaluation.seat": {VIEW},
            "evaluation.sitting": {VIEW},
            "evaluation.assignment": {VIEW},
            "evaluation.dossier": {VIEW},
            "evaluation.evidence": {VIEW},
            "evaluation.dossiercheck": {VIEW},
            "evaluation.recusal": {VIEW},
            "evaluation.sheet": {VIEW},
        },
        Role.PUBLIC: {
            "evaluation.certificate": {VIEW},
        },
    }
