from django import forms
from django.utils.translation import gettext_lazy as _

from bangfu.accounts.forms import BootstrapMixin

from .models import Mode
from .spec import SPECS


class ImportForm(BootstrapMixin, forms.Form):
    kind = forms.ChoiceField(label=_("导入内容"))
    file = forms.FileField(label=_("文件(xlsx或CSV)"))
    mode = forms.ChoiceField(label=_("模式"), choices=Mode.choices, initial=Mode.ALL_OR_NOTHING)
    dry_run = forms.BooleanField(label=_("先试运行(只检查,不写入)"), required=False, initial=True)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [
            (k, s.title) for k, s in SPECS.items() if user.has_capability(s.capability)
        ]
