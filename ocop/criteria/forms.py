from django import forms
from django.utils.translation import gettext_lazy as _

MAX_FILE_BYTES = 1024 * 1024  # a sheet is a few tens of kilobytes


class UploadForm(forms.Form):
    file = forms.FileField(
        label=_("Criteria set file (YAML)"),
        help_text=_(
            "Written as described in ocop/criteria/data/README.md; validated before anything is saved."
        ),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_FILE_BYTES:
            raise forms.ValidationError(_("The file is larger than 1 MB."))
        if not upload.name.lower().endswith((".yaml", ".yml")):
            raise forms.ValidationError(_("Upload a .yaml file."))
        return upload


class WorkbookForm(forms.Form):
    file = forms.FileField(
        label=_("Criteria set workbook (.xlsx)"),
        help_text=_("Filled in from the template; checked before anything is kept."),
    )

    def clean_file(self):
        from .workbook import MAX_BYTES

        upload = self.cleaned_data["file"]
        if upload.size > MAX_BYTES:
            raise forms.ValidationError(_("The file is larger than 5 MB."))
        if not upload.name.lower().endswith(".xlsx"):
            raise forms.ValidationError(_("Upload an .xlsx file."))
        return upload
